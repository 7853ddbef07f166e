"""Read querysets for signatures: a unit's signatures to its users (all to a System
Administrator), company-wide ones (no unit) to every signed-in user (docs/roles.md)."""

from typing import Any

from django.db.models import Q, QuerySet

from apps.policy import access
from apps.signatures.models import Signature


def signatures_for(user: Any) -> QuerySet[Signature]:
    queryset = Signature.objects.select_related("subject_type")
    condition = access.unit_scope_q(user)
    return queryset if condition is None else queryset.filter(condition | Q(unit__isnull=True))
