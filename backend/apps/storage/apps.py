from django.apps import AppConfig


class StorageConfig(AppConfig):
    name = "apps.storage"
    label = "storage"

    def ready(self) -> None:
        from apps.storage import signals  # noqa: F401  (connects the receivers)
