from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Connects the Celery task-outcome counters in every process (web and worker).
        from apps.core import (
            metrics,  # noqa: F401
            readcache,
            timestamps,
        )

        readcache.connect()
        timestamps.use_c_loader()
