from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "apps.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        # Request ids follow Celery tasks; /metrics reports the audit chain.
        from apps.audit import log, metrics  # noqa: F401
