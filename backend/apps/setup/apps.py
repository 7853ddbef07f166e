from django.apps import AppConfig


class SetupConfig(AppConfig):
    """Installation and demo data: `initial_setup` and the demo workflows.

    It sits above every domain app (it creates units, locations, document types, crates and
    requests through their services), so no domain app has to import upwards to seed itself.
    """

    name = "apps.setup"
    label = "setup"
    verbose_name = "Setup"
