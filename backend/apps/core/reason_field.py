"""The `reason` of a change, as every write serializer takes it (EU GMP Annex 11 §9).

Whether a change needs one is the policy's question (apps.policy.reasons), asked by the
service with the changes it is about to save; the serializer only carries the text.
"""

from rest_framework import serializers

from apps.core.limits import LONG_TEXT_MAX_LENGTH


def reason_field() -> serializers.CharField:
    return serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=LONG_TEXT_MAX_LENGTH,
        help_text="Why the record is changed; required where docs/audit.md says (kept in the audit event).",
    )
