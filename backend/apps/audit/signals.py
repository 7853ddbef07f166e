"""The one signal the audit ledger sends.

The ledger sits below every app and imports none of them, so whoever acts on its findings
subscribes from above: apps.notifications.signals alerts the System Administrators.
"""

from django.dispatch import Signal

# Sent by the scheduled chain verification when the hash chain does not verify.
# Keyword argument: result (apps.audit.services.ChainVerification).
chain_broken = Signal()
