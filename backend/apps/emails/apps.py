from django.apps import AppConfig


class EmailsConfig(AppConfig):
    name = "apps.emails"
    label = "emails"
    verbose_name = "E-mail deliveries"

    def ready(self) -> None:
        from apps.emails import signals  # noqa: F401  (connects the receivers)
