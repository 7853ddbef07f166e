from django.apps import AppConfig


class CratesConfig(AppConfig):
    name = "apps.crates"
    label = "crates"

    def ready(self) -> None:
        from apps.crates import signals  # noqa: F401  (connects the receivers)
