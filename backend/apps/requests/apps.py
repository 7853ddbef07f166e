from django.apps import AppConfig


class RequestsConfig(AppConfig):
    name = "apps.requests"
    label = "requests"

    def ready(self) -> None:
        from apps.requests import signals  # noqa: F401  (connects the receivers)
