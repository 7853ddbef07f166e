"""Domain signals: every change a service makes is announced here, and heard after the commit.

The services send these signals; each app's `signals.py` holds the receivers (the WebSocket
broadcasts, the e-mail that mirrors a notification, the report task that starts after its
request commits). A new consumer, metrics or an integration, connects a receiver without
touching the services.

A receiver runs once per committed change, after the commit, and never for a change that
rolled back: `send_on_commit` queues the dispatch with `transaction.on_commit`. Each model
instance in the payload is copied when the signal is sent, so a receiver sees the object as
that change left it, not as later steps of the same transaction left it (a received transfer
first stores the crate in the old unit, then hands it to the new one: two events, two units).

The events stay explicit on purpose: these signals are sent by the service functions, not by
`post_save`, so a bulk update or an admin save can neither skip nor double an event.
"""

import copy
import logging
from typing import Any

from django.db import models, transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)


class DomainSignal(Signal):
    def send_on_commit(self, sender: Any, **kwargs: Any) -> None:
        """Dispatch to the receivers once the caller's transaction commits (now, outside one)."""
        payload = {key: copy.copy(value) if isinstance(value, models.Model) else value for key, value in kwargs.items()}

        def dispatch_domain_signal() -> None:
            # The write already committed: a failing receiver is logged and must neither fail
            # the response nor keep the other receivers from running.
            for receiver, result in self.send_robust(sender, **payload):
                if isinstance(result, Exception):
                    logger.error(
                        "receiver %s of %s failed", getattr(receiver, "__qualname__", receiver), sender, exc_info=result
                    )

        transaction.on_commit(dispatch_domain_signal)


# Senders are the model classes; every signal carries `action` ("created", "updated", "deleted").

# request=Request
request_changed = DomainSignal()
# sendback=SendBack
sendback_changed = DomainSignal()
# crate=Crate, extra_unit_ids=[unit ids that may also see this change, e.g. a transfer's old unit]
crate_changed = DomainSignal()
# location=StorageLocation
location_changed = DomainSignal()
# notification=Notification (action "updated": read)
notification_changed = DomainSignal()
# notifications=[Notification], email=bool (action "created": the notifications of one change,
# each also e-mailed to its user when `email`)
notifications_created = DomainSignal()
# user_id=int: every unread notification of the user was marked read at once (action "updated")
notifications_read = DomainSignal()
# report=Report (action "created": the export was requested and must be generated;
# "requeued": its worker died and it must be generated again)
report_changed = DomainSignal()
# user_id=int: every token of the user was revoked (deactivation, password change)
sessions_revoked = DomainSignal()
# recompute=RetentionRecompute: a schedule change was committed; its recompute must run
retention_recompute_requested = DomainSignal()
# session_id=str (action "ended"): one sign-in session was ended by its logout
session_ended = DomainSignal()
# user=User, reason=str, cause="sign-in"|"signature" (action "locked"): repeated failed
# sign-ins or wrong signature passwords locked the account
account_locked = DomainSignal()
# count=InventoryCount (actions: created, scanned, submitted, cancelled, reviewed)
count_changed = DomainSignal()
# inventory_import=InventoryImport (actions: created = validate it; committed = import it;
# updated = its status changed)
import_changed = DomainSignal()
