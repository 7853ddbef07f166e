from django.apps import AppConfig


class SignaturesConfig(AppConfig):
    name = "apps.signatures"
    label = "signatures"
    verbose_name = "Electronic signatures"
