from django.apps import AppConfig


class CratesConfig(AppConfig):
    name = "apps.crates"
    label = "crates"
