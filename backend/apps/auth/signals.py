from typing import Any

from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.dispatch import receiver

from apps.auth import identity
from apps.auth.models import Unit, User
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
    """The user's open sockets receive `session.revoked` and close (docs/events.md)."""
    broadcast.disconnect_user_on_commit(user_id)


@receiver(domain_signals.session_ended)
def close_ended_session(sender: Any, *, session_id: str, **kwargs: Any) -> None:
    """Logout ends the session: its sockets receive `session.ended` and close (docs/events.md)."""
    broadcast.disconnect_session_on_commit(session_id)


# --- Identity cache (apps.auth.identity): what it holds changed, so it must be read afresh ---


@receiver([post_save, post_delete], sender=User)
def forget_saved_user(sender: Any, instance: Any, **kwargs: Any) -> None:
    identity.forget_user(instance.pk)


@receiver(m2m_changed, sender=User.groups.through)
@receiver(m2m_changed, sender=User.user_permissions.through)
def forget_user_roles(sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any) -> None:
    if not action.startswith("post_"):
        return
    if reverse:  # group.user_set / permission.user_set changed: these users (or, on clear, all)
        if pk_set is None:
            identity.forget_everyone()
        for user_id in pk_set or ():
            identity.forget_user(user_id)
    else:
        identity.forget_user(instance.pk)


@receiver(m2m_changed, sender=Group.permissions.through)
@receiver([post_save, post_delete], sender=Group)
@receiver([post_save, post_delete], sender=Unit)
def forget_everyone(sender: Any, **kwargs: Any) -> None:
    action = kwargs.get("action")
    if action is None or action.startswith("post_"):
        identity.forget_everyone()
