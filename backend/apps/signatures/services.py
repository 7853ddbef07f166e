"""Electronic signatures for any record (docs/domain.md, docs/audit.md; 21 CFR Part 11).

Every signing goes through two calls:

    signatures.verify_signer(actor=user, password=password, meaning="approved", subject=obj)
    ... the business transaction: lock, check, change ...
    signatures.sign(actor=user, meaning="approved", subject=obj, content={...}, comment=comment)

`verify_signer` runs *before* the business transaction: a refused signature changes nothing,
and its `signature.failed` audit event is written on its own so it is kept although the
action was refused (§11.200, §11.300). It refuses a locked account (403 `account_locked`), a
signer who never certified their signature (403 `certification_required`, §11.100(c)) and a
wrong password (403 `invalid_signature`); the third wrong password in a row locks the account
and alerts the System Administrators (§11.300(d)).

`sign` runs inside the business transaction, after the state change: it stores the signature
with the canonical JSON of what was signed and its SHA-256, and writes the `signature.signed`
audit event carrying that hash, so the audit chain protects the link between the signature
and the content (§11.70). `verify` recomputes both.
"""

import hashlib
import json
from datetime import UTC, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from apps.audit import services as audit
from apps.audit.models import AuditEvent
from apps.auth import identity
from apps.auth import services as auth_services
from apps.auth.models import User
from apps.core import domain_signals
from apps.core.errors import ApplicationError
from apps.signatures.models import Signature

Meaning = Signature.Meaning

# Keys `sign` writes itself; a caller's content may not set them.
ENVELOPE_KEYS = ("record", "meaning", "comment", "signer", "signed_at")
SIGNED_ACTIONS = ("signature.signed", "signature.migrated")


# --- Canonical content ----------------------------------------------------------------------


def canonical_json(content: dict[str, Any]) -> str:
    """The one serialisation that is hashed: sorted keys, no spaces, UTF-8 (docs/audit.md)."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder)


def content_hash(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def record_of(subject: models.Model) -> dict[str, Any]:
    return {
        "type": subject._meta.model_name,
        "id": subject.pk,
        "number": str(getattr(subject, "number", "") or subject.pk),
    }


def signed_content(
    *, actor: Any, meaning: str, subject: models.Model, content: dict[str, Any], comment: str, signed_at: Any
) -> dict[str, Any]:
    """What a signature signs: the record, the caller's content (items, purpose, ...), the
    meaning, the comment, the signer and the time, as the JSON column gives it back."""
    clash = sorted(set(content) & set(ENVELOPE_KEYS))
    if clash:
        raise ValueError(f"signature content may not set {clash}")
    whole = {
        "record": record_of(subject),
        **content,
        "meaning": str(meaning),
        "comment": comment or "",
        "signer": {"id": actor.pk, "username": actor.username, "full_name": actor.full_name or actor.username},
        "signed_at": signed_at.astimezone(UTC).isoformat() if signed_at is not None else None,
    }
    return json.loads(canonical_json(whole))


def preview(*, actor: Any, meaning: str, subject: models.Model, content: dict[str, Any]) -> dict[str, Any]:
    """What `actor` would sign now (the signature dialog shows it): the signed content
    without the comment and time, which the signing adds."""
    _check_meaning(meaning)
    return signed_content(actor=actor, meaning=meaning, subject=subject, content=content, comment="", signed_at=None)


# --- Before the business transaction: who signs ----------------------------------------------


def _check_meaning(meaning: str) -> None:
    if meaning not in Meaning.values:
        raise ValueError(f"unknown signature meaning {meaning!r}")


def verify_signer(*, actor: Any, password: str, meaning: str, subject: models.Model | None = None) -> None:
    """Re-authenticate the signer (§11.200). Call it outside any transaction; raises
    ApplicationError 403 `account_locked`, `certification_required` or `invalid_signature`."""
    _check_meaning(meaning)
    user = User.objects.get(pk=actor.pk)
    record = record_of(subject) if subject is not None else None
    what = f"a {meaning} signature" + (f" of {record['number']}" if record else "")
    if user.is_locked:
        audit.record_separately(
            action="signature.failed",
            instance=subject if subject is not None else user,
            actor=user,
            changes={"meaning": [None, meaning], "record": [None, record]},
            comment=f"account locked: {what} refused",
        )
        raise _locked_error(user)
    if user.signature_certified_at is None:
        raise ApplicationError(
            "Certify your electronic signature before your first signature (21 CFR 11.100(c)).",
            code="certification_required",
        )
    if auth_services.verify_password(user=user, password=password or ""):
        if user.failed_signature_count:
            User.objects.filter(pk=user.pk).update(failed_signature_count=0)
            identity.forget_user(user.pk)
        return
    _signature_failed(user=user, meaning=meaning, subject=subject, what=what)


def _locked_error(user: User) -> ApplicationError:
    return ApplicationError(
        "The account is locked after repeated failed sign-ins or signatures. Try again later or ask an administrator.",
        code="account_locked",
        extra={"locked_until": user.locked_until.isoformat() if user.locked_until else None},
    )


def _signature_failed(*, user: User, meaning: str, subject: models.Model | None, what: str) -> None:
    """Count the wrong password, audit it (kept although the action is refused), and lock the
    account at SIGNATURE_MAX_FAILURES in a row (docs/roles.md)."""
    locked = False
    # durable: the count and its audit event must commit although the action is refused, so
    # this may never run inside the business transaction (Django raises RuntimeError if it
    # does; a test case's own wrapping transaction does not count).
    with transaction.atomic(durable=True):
        User.objects.filter(pk=user.pk).update(failed_signature_count=F("failed_signature_count") + 1)
        identity.forget_user(user.pk)  # update() sends no post_save
        user = User.objects.select_for_update().get(pk=user.pk)
        # On the signed record's history (the user's, for a certification).
        audit.record(
            action="signature.failed",
            instance=subject if subject is not None else user,
            actor=user,
            changes={"meaning": [None, meaning], "record": [None, record_of(subject) if subject is not None else None]},
            comment=f"wrong password for {what} ({user.failed_signature_count} in a row)",
        )
        if user.failed_signature_count >= settings.SIGNATURE_MAX_FAILURES:
            locked = True
            user.locked_until = timezone.now() + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
            user.failed_signature_count = 0
            user.save(update_fields=["locked_until", "failed_signature_count"])
            reason = f"{settings.SIGNATURE_MAX_FAILURES} consecutive wrong signature passwords"
            audit.record(
                action="signature.lockout",
                instance=user,
                actor=user,
                changes={"locked_until": [None, user.locked_until]},
                comment=reason,
            )
            # §11.300(d): the owner and the System Administrators are told
            # (receivers: apps/notifications/signals.py).
            domain_signals.account_locked.send_on_commit(
                sender=User, user=user, reason=reason, action="locked", cause="signature"
            )
    if locked:
        raise _locked_error(user)
    raise ApplicationError("The password is wrong; the signature was not applied.", code="invalid_signature")


# --- Certification (§11.100(c)) ------------------------------------------------------------


def certify(*, actor: Any, password: str) -> User:
    """The signer certifies, once and with their password, that their electronic signature is
    the legally binding equivalent of their handwritten one. A wrong password counts toward
    the signing lockout like any failed signature."""
    user = User.objects.get(pk=actor.pk)
    if user.is_locked:
        raise _locked_error(user)
    if user.signature_certified_at is not None:
        raise ApplicationError("Your electronic signature is already certified.", code="conflict")
    if not auth_services.verify_password(user=user, password=password or ""):
        _signature_failed(user=user, meaning="certification", subject=None, what="the signature certification")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.signature_certified_at is not None:
            raise ApplicationError("Your electronic signature is already certified.", code="conflict")
        user.signature_certified_at = timezone.now()
        user.failed_signature_count = 0
        user.save(update_fields=["signature_certified_at", "failed_signature_count"])
        audit.record(
            action="signature.certified",
            instance=user,
            actor=user,
            changes={"signature_certified_at": [None, user.signature_certified_at]},
            comment=CERTIFICATION_STATEMENT,
        )
    return user


CERTIFICATION_STATEMENT = (
    "I certify that my electronic signature in Cipla DMS is the legally binding equivalent of my "
    "traditional handwritten signature (21 CFR 11.100(c))."
)


# --- Inside the business transaction: the signature ------------------------------------------


def sign(
    *,
    actor: Any,
    meaning: str,
    subject: models.Model,
    content: dict[str, Any],
    comment: str = "",
    unit_id: int | None = None,
) -> Signature:
    """Store the signature of `subject` with what was signed, and its audit event carrying the
    content's hash. Call it inside the business transaction, after the state change."""
    _check_meaning(meaning)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("sign() belongs inside the business transaction")
    signed_at = timezone.now()
    whole = signed_content(
        actor=actor, meaning=meaning, subject=subject, content=content, comment=comment, signed_at=signed_at
    )
    digest = content_hash(whole)
    signature = Signature.objects.create(
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        subject_number=whole["record"]["number"],
        unit_id=unit_id,
        user=actor,
        username=actor.username,
        full_name=actor.full_name or actor.username,
        meaning=meaning,
        comment=comment or "",
        signed_at=signed_at,
        content=whole,
        content_hash=digest,
    )
    audit.record(
        action="signature.signed",
        instance=signature,
        unit_id=unit_id,
        actor=actor,
        entity_repr=f"{signature.subject_number} — {meaning}",
        changes={
            "record": [None, whole["record"]],
            "meaning": [None, meaning],
            "full_name": [None, signature.full_name],
            "content_hash": [None, digest],
        },
        comment=comment or "",
    )
    return signature


# --- Verification -----------------------------------------------------------------------------


def signature_event(signature: Signature) -> AuditEvent | None:
    """The audit event that carries the signature's hash: its `signature.signed` event, or for
    a signature from before content hashing the `signature.migrated` one (docs/audit.md)."""
    return (
        AuditEvent.objects.filter(
            entity_type="signature",
            entity_id=str(signature.pk),
            action__in=SIGNED_ACTIONS,
            changes__has_key="content_hash",
        )
        .order_by("sequence")
        .first()
    )


def verify(*, signature: Signature) -> dict[str, Any]:
    """Recompute the signature's hash from its stored content and compare it with the stored
    hash and with the hash its audit event carries (whose own chain hash is recomputed too).
    Any edit of the content, the hash or the event makes it invalid."""
    computed = content_hash(signature.content)
    event = signature_event(signature)
    carried = None
    if event is not None:
        carried_change = (event.changes or {}).get("content_hash")
        carried = carried_change[1] if isinstance(carried_change, list) and len(carried_change) == 2 else None
    reasons = []
    if computed != signature.content_hash:
        reasons.append("the stored content does not match the stored hash")
    if event is None:
        reasons.append("no audit event carries this signature")
    else:
        if carried != signature.content_hash:
            reasons.append("the audit event carries another hash")
        if audit.compute_hash(event) != event.hash:
            reasons.append("the audit event was altered")
    return {
        "valid": not reasons,
        "content_hash": signature.content_hash,
        "computed_hash": computed,
        "audit_event": (
            {"id": event.pk, "sequence": event.sequence, "hash": event.hash, "content_hash": carried}
            if event is not None
            else None
        ),
        "reason": "; ".join(reasons),
    }
