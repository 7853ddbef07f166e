"""The signals the audit ledger sends.

The ledger sits below every app and imports none of them, so whoever acts on its findings
subscribes from above: apps.notifications.signals alerts the System Administrators.
"""

from django.dispatch import Signal

# Sent by the scheduled chain verification when the hash chain does not verify.
# Keyword argument: result (apps.audit.services.ChainVerification).
chain_broken = Signal()

# Sent after every chain verification (scheduled or on demand), intact or not; /metrics keeps
# the last result. Keyword argument: result (apps.audit.services.ChainVerification).
chain_verified = Signal()

# Sent when audit events have been committed. Keyword arguments: action (str), and `count`
# (int, default 1) when several events of that action committed at once (an import).
event_committed = Signal()
