"""Cycle counts (docs/workflows.md, "Cycle counts"): open, scan, submit, cancel, review.

Each transition locks the count row first (SELECT .. FOR UPDATE) and reads the state table
(apps.policy.states.COUNT_TABLE) through `access.check_count`: a scan waits for a submit in
progress and then sees the count submitted (409), two reviewers queue and the second sees it
reviewed (409). Scans of two store heads both land: each is an INSERT .. ON CONFLICT on
(count, key), so the same crate scanned twice keeps the last scan.

Opening locks the unit row, so two counts opened at once over overlapping locations queue
and the second sees the first (one open count per location subtree).
"""

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.audit import services as audit
from apps.auth import roles
from apps.auth.models import Unit
from apps.auth.selectors import unit_role_holders
from apps.core import domain_signals
from apps.core.errors import ApplicationError, field_error
from apps.core.numbering import next_number
from apps.crates import services as crates
from apps.crates.models import Crate
from apps.inventory import selectors
from apps.inventory.models import CountExpectation, CountResolution, CountScan, InventoryCount
from apps.notifications import services as notifications
from apps.policy import access
from apps.policy.states import CountStatus, CrateStatus
from apps.signatures import services as signatures
from apps.storage import selectors as storage_selectors
from apps.storage.models import StorageLocation

COUNT_FIELDS = ["number", "unit", "location", "status", "comment", "expected_count"]
MAX_CODE_LENGTH = 200


def count_number(*, unit: Unit, year: int) -> str:
    """CNT-<UNIT>-<YEAR>-<4 digits>: reserved in the caller's transaction, never reused."""
    return f"CNT-{unit.code}-{year}-{next_number(f'CNT-{unit.code}-{year}'):04d}"


def _announce(count: InventoryCount, action: str) -> None:
    domain_signals.count_changed.send_on_commit(sender=InventoryCount, count=count, action=action)


def _lock(count: InventoryCount) -> InventoryCount:
    return InventoryCount.objects.select_for_update().get(pk=count.pk)


def _link(count: InventoryCount) -> str:
    return f"/counts/{count.pk}"


@transaction.atomic
def count_open(*, actor: Any, location: StorageLocation, comment: str = "") -> InventoryCount:
    """Open a count over `location` and everything under it, freezing the expected set (the
    crates stored there now). 409 if an open count already covers part of the subtree."""
    if not actor.has_perm(access.COUNT_ACTORS["submit"].capability):
        raise ApplicationError("Your role does not allow counting crates.", code="permission_denied")
    if not access.belongs_to_unit(actor, location.unit_id):
        raise field_error("location", "No such location in your unit.")
    if not location.is_active:
        raise field_error("location", f"{location.path} is inactive.")
    # Serializes openings within the unit: the overlap check below cannot race.
    unit = Unit.objects.select_for_update().get(pk=location.unit_id)
    subtree = storage_selectors.subtree_ids([location.pk])
    overlapping = (
        InventoryCount.objects.filter(unit=unit, status=CountStatus.OPEN)
        .filter(location_id__in=[*subtree, *storage_selectors.ancestor_ids(location)])
        .first()
    )
    if overlapping is not None:
        raise ApplicationError(
            f"Count {overlapping.number} is open over {overlapping.location.path}; "
            "one open count per location at a time.",
            code="conflict",
            extra={"count": overlapping.pk},
        )
    count = InventoryCount.objects.create(
        number=count_number(unit=unit, year=timezone.localdate().year),
        unit=unit,
        location=location,
        comment=comment.strip(),
        counted_by=actor,
    )
    stored = Crate.objects.filter(unit=unit, status=CrateStatus.STORED, location_id__in=subtree).values_list(
        "pk", "location_id"
    )
    expectations = [
        CountExpectation(count=count, crate_id=crate_id, location_id=location_id) for crate_id, location_id in stored
    ]
    CountExpectation.objects.bulk_create(expectations, batch_size=2000)
    count.expected_count = len(expectations)
    count.save(update_fields=["expected_count", "updated_at"])
    audit.record(action="count.opened", instance=count, changes=audit.created_changes(count, COUNT_FIELDS), actor=actor)
    _announce(count, "created")
    return count


@transaction.atomic
def count_scan(*, actor: Any, count: InventoryCount, location: StorageLocation, code: str) -> CountScan:
    """Record that `code` was scanned at `location` (inside the count's subtree). A crate of the
    count's unit is matched by its number; any other code (garbage, another unit's crate) is
    kept as an unknown code. The same crate or code scanned again keeps the last scan."""
    code = (code or "").strip()
    if not code:
        raise field_error("code", "Scan or type a code.")
    if len(code) > MAX_CODE_LENGTH:
        raise field_error("code", f"A code has at most {MAX_CODE_LENGTH} characters.")
    count = _lock(count)
    access.check_count(actor, count, "scan")
    if location.unit_id != count.unit_id or location.pk not in storage_selectors.subtree_ids([count.location_id]):
        raise field_error("location", f"The location is not inside {count.location.path}, which this count covers.")
    crate = Crate.objects.filter(number=code.upper(), unit_id=count.unit_id).first()
    key = crate.number if crate is not None else code
    scan = CountScan(
        count=count,
        key=key,
        code=code,
        crate=crate,
        crate_status=crate.status if crate is not None else "",
        location=location,
        scanned_by=actor,
        scanned_at=timezone.now(),
    )
    previous = CountScan.objects.filter(count=count, key=key).values_list("location_id", flat=True).first()
    # INSERT .. ON CONFLICT (count, key) DO UPDATE: a concurrent scan of the same crate by
    # another store head cannot fail on the unique key; the later one is kept.
    CountScan.objects.bulk_create(
        [scan],
        update_conflicts=True,
        unique_fields=["count", "key"],
        update_fields=["code", "crate", "crate_status", "location", "scanned_by", "scanned_at"],
    )
    audit.record(
        action="count.scanned",
        instance=count,
        changes={
            "code": [None, code],
            "location": [previous, location.pk],
            "crate": [None, crate.pk if crate else None],
        },
        comment=f"scanned at {location.path}",
        actor=actor,
    )
    _announce(count, "scanned")
    scan.replaced = previous is not None  # type: ignore[attr-defined]
    return scan


@transaction.atomic
def count_submit(*, actor: Any, count: InventoryCount) -> InventoryCount:
    """Close the counting: the result becomes visible and the unit's Approvers are asked to review."""
    count = _lock(count)
    count.status = access.check_count(actor, count, "submit")
    count.submitted_by = actor
    count.submitted_at = timezone.now()
    count.save(update_fields=["status", "submitted_by", "submitted_at", "updated_at"])
    audit.record(
        action="count.submitted", instance=count, changes={"status": [CountStatus.OPEN, count.status]}, actor=actor
    )
    scanners = selectors.count_scanner_ids(count) | {count.counted_by_id}
    reviewers = [user for user in unit_role_holders(count.unit_id, roles.APPROVER) if user.pk not in scanners]
    if reviewers:
        notifications.notify(
            users=reviewers,
            title=f"Count {count.number} awaits your review",
            body=f"{count.location.path}: submitted by {actor.full_name or actor.username}.",
            link=_link(count),
            dedupe_key=f"count:{count.pk}:submitted",
        )
    _announce(count, "submitted")
    return count


@transaction.atomic
def count_cancel(*, actor: Any, count: InventoryCount, comment: str = "") -> InventoryCount:
    count = _lock(count)
    before = count.status
    count.status = access.check_count(actor, count, "cancel")
    count.cancelled_by = actor
    count.cancelled_at = timezone.now()
    count.save(update_fields=["status", "cancelled_by", "cancelled_at", "updated_at"])
    audit.record(
        action="count.cancelled",
        instance=count,
        changes={"status": [before, count.status]},
        comment=comment,
        actor=actor,
    )
    _announce(count, "cancelled")
    return count


# What a reviewer may decide for each class of discrepancy.
RESOLUTIONS_BY_CLASS = {
    "misplaced": {"relocate", "ignore"},
    "missing": {"mark_missing", "ignore"},
    "unexpected": {"relocate", "ignore"},
}


def count_review(
    *, actor: Any, count: InventoryCount, password: str, comment: str = "", resolutions: Iterable[dict[str, Any]] = ()
) -> InventoryCount:
    """Review a submitted count with an e-signature (meaning `count_reviewed`) and apply the
    resolutions. The signer is verified first, outside the business transaction, so a wrong
    password is audited although nothing else changes."""
    # Who may review is checked before the password, so a refused role or a counter reviewing
    # their own count does not count toward the signing lockout.
    access.check_count(actor, count, "review", scanner_ids=selectors.count_scanner_ids(count))
    signatures.verify_signer(actor=actor, password=password, meaning="count_reviewed", subject=count)
    return _count_review(actor=actor, count=count, comment=comment, resolutions=list(resolutions))


@transaction.atomic
def _count_review(
    *, actor: Any, count: InventoryCount, comment: str, resolutions: list[dict[str, Any]]
) -> InventoryCount:
    count = _lock(count)
    result = selectors.count_result(count, blind=False)
    count.status = access.check_count(actor, count, "review", scanner_ids=result.scanner_ids)
    classes = result.discrepancies()
    decided: dict[int, str] = {}
    for resolution in resolutions:
        crate_id, action = resolution["crate"], resolution["action"]
        if crate_id in decided:
            raise field_error("resolutions", f"Crate {crate_id} is resolved twice.")
        if crate_id not in classes:
            raise field_error("resolutions", f"Crate {crate_id} is not a discrepancy of this count.")
        if action not in RESOLUTIONS_BY_CLASS[classes[crate_id]]:
            raise field_error("resolutions", f"A {classes[crate_id]} crate cannot be resolved with {action}.")
        decided[crate_id] = action
    # Crates in id order (crates.lock_crates): two reviews touching the same crates queue.
    touched = sorted(set(decided) | set(result.scanned_at))
    locked = crates.lock_crates(touched)
    locations = {
        location.pk: location for location in StorageLocation.objects.filter(pk__in=set(result.scanned_at.values()))
    }
    note = f"count {count.number}"
    marked_missing: list[Crate] = []
    for crate_id, action in sorted(decided.items()):
        crate = locked[crate_id]
        if action == "relocate":
            found_at = locations[result.scanned_at[crate_id]]
            crates.crate_relocate(actor=actor, crate=crate, location=found_at, comment=note)
        elif action == "mark_missing":
            marked_missing.append(crates.crate_mark_missing(actor=actor, crate=crate, comment=note))
    # A missing crate this count found is stored again where it was scanned (audited crate.found).
    for crate_id, location_id in sorted(result.scanned_at.items()):
        scanned = locked.get(crate_id)
        if scanned is None:
            continue
        crate = scanned
        if decided.get(crate_id) != "relocate":
            crate.refresh_from_db(fields=["status", "location"])
            if crate.status == CrateStatus.MISSING:
                crates.crate_relocate(actor=actor, crate=crate, location=locations[location_id], comment=note)
    CountResolution.objects.bulk_create(
        [CountResolution(count=count, crate_id=crate_id, action=action) for crate_id, action in decided.items()]
    )
    count.reviewed_by = actor
    count.reviewed_at = timezone.now()
    count.review_comment = comment.strip()
    count.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment", "updated_at"])
    resolution_list = [{"crate": crate_id, "action": action} for crate_id, action in sorted(decided.items())]
    audit.record(
        action="count.reviewed",
        instance=count,
        changes={"status": [CountStatus.SUBMITTED, count.status], "resolutions": [None, resolution_list]},
        comment=count.review_comment,
        actor=actor,
    )
    numbers = {crate_id: crate.number for crate_id, crate in locked.items()}
    signatures.sign(
        actor=actor,
        meaning="count_reviewed",
        subject=count,
        content={
            **result.summary(),
            "location": count.location.path,
            "resolutions": [{"crate": numbers.get(c, c), "action": a} for c, a in sorted(decided.items())],
        },
        comment=count.review_comment,
        unit_id=count.unit_id,
    )
    if marked_missing:
        recipients = [
            user
            for user in unit_role_holders(count.unit_id, roles.APPROVER, roles.DOCUMENT_MANAGER)
            if user.pk != actor.pk
        ]
        listed = ", ".join(crate.number for crate in marked_missing)
        notifications.notify(
            users=recipients,
            title=f"{len(marked_missing)} crate(s) marked missing by count {count.number}",
            body=f"{count.location.path}: {listed}",
            link=_link(count),
            dedupe_key=f"count:{count.pk}:missing",
        )
    _announce(count, "reviewed")
    return count
