"""Who is acting, from where: captured per HTTP request (or set by a task/consumer)."""

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class AuditContext:
    ip_address: str | None = None
    user_agent: str = ""
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    # The Django HttpRequest: DRF sets `.user` on it after authenticating, so the actor is
    # read lazily at the moment an event is written.
    request: Any = None
    actor: Any = None

    def resolve_actor(self) -> Any:
        if self.actor is not None:
            return self.actor
        user = getattr(self.request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            return user
        return None


_current: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar("audit_context", default=None)


def current() -> AuditContext:
    return _current.get() or AuditContext(request_id="")


@contextmanager
def use(context: AuditContext) -> Iterator[AuditContext]:
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)
