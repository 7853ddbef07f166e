from django.apps import AppConfig


class AccountsConfig(AppConfig):
    # The package is apps.auth; the label is "accounts" because Django's own app is "auth".
    name = "apps.auth"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from apps.auth import schema, signals  # noqa: F401
