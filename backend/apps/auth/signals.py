from typing import Any

from django.db.models.signals import post_migrate
from django.dispatch import receiver

from apps.core import broadcast, domain_signals


@receiver(post_migrate)
def sync_roles_after_migrate(sender: Any, app_config: Any = None, using: str = "default", **kwargs: Any) -> None:
    """Keep the six role groups and their permissions exact after every migrate (also in tests)."""
    # Run once, after the last of our apps has created its permissions.
    if app_config is None or app_config.label != "reports":
        return
    from apps.auth.roles import sync_role_groups

    sync_role_groups()


@receiver(domain_signals.sessions_revoked)
def close_revoked_sessions(sender: Any, *, user_id: int, **kwargs: Any) -> None:
    """The user's open sockets receive `session.revoked` and close (SPEC §6)."""
    broadcast.disconnect_user_on_commit(user_id)
