"""The request workflow of docs/workflows.md: one function per transition.

Each transition is one transaction: it locks the request row (then crates, then locations,
always in id order, so concurrent transitions queue instead of deadlocking), checks the
state table and actor rules of `apps.policy.access`, validates, saves, writes its audit event in the
same transaction and announces the change (domain signals) for after the commit.

Electronic signatures (approve, reject, destruction) go through apps.signatures: the signer is
verified *before* the business transaction (a wrong password changes nothing, and its
`signature.failed` audit event is kept although the action was refused; Part 11 §11.200,
§11.300), and the signature with the content it signs is stored inside it (§11.70).
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from apps.audit import services as audit
from apps.auth import roles
from apps.auth.models import Unit, User
from apps.auth.selectors import unit_role_holders
from apps.core import domain_signals
from apps.core.errors import ApplicationError, field_error
from apps.core.numbering import next_formatted_number
from apps.crates import services as crates_services
from apps.crates.models import Crate, Document
from apps.notifications import services as notifications
from apps.policy import access, rules
from apps.policy.states import CRATE_MOVE_OF_REQUEST, CRATE_TABLE
from apps.requests import certificate
from apps.requests.models import Request, RequestItem, ReturnExtension, SendBack, SendBackItem
from apps.signatures import services as signatures
from apps.signatures.models import Signature
from apps.storage import services as storage

Status = Request.Status
Type = Request.Type

# What a request's audit events show of it: identity, then the header (Request.HEADER_FIELDS).
REQUEST_FIELDS = ["number", "request_type", "status", "unit", "requester", *Request.HEADER_FIELDS]
STATE_FIELDS = [
    "status",
    "submitted_at",
    "decided_by",
    "decided_at",
    "decision_comment",
    "executed_by",
    "executed_at",
    "received_by",
    "received_at",
    "completed_at",
    "cancelled_at",
]
# The certificate of destruction's record (docs/workflows.md), audited when it is issued.
CERTIFICATE_FIELDS = ["destruction_method", "destruction_vendor", "destruction_witness", "certificate_sha256"]


@dataclass(frozen=True)
class ItemSpec:
    crate: int
    document: int | None = None


def _specs(items: Iterable[Any]) -> list[ItemSpec]:
    specs = []
    for item in items:
        if isinstance(item, ItemSpec):
            specs.append(item)
        else:
            document = item.get("document")
            specs.append(ItemSpec(crate=int(item["crate"]), document=int(document) if document else None))
    return specs


def _items_repr(specs: Iterable[ItemSpec]) -> list[list[int | None]]:
    return [[spec.crate, spec.document] for spec in specs]


# --- Helpers --------------------------------------------------------------------------------


def _lock_request(pk: int) -> Request:
    try:
        # The requester comes along (most transitions notify them), its row unlocked.
        return Request.objects.select_related("requester").select_for_update(of=("self",)).get(pk=pk)
    except Request.DoesNotExist as error:
        raise ApplicationError("Request not found.", code="not_found") from error


def _guard(request: Request, actor: Any, action: str) -> str:
    """State first (409), then who may act (403): the same order as `allowed_actions`."""
    return access.check_request(actor, request, action)


def _link(request: Request) -> str:
    return f"/requests/{request.pk}"


def _message(
    request: Request, event: str, users: Iterable[User], title: str, body: str = "", exclude: Any = None
) -> notifications.Message:
    recipients = [user for user in users if exclude is None or user.pk != exclude.pk]
    return notifications.Message(
        users=recipients, title=title, body=body, link=_link(request), dedupe_key=f"request:{request.pk}:{event}"
    )


def _notify(
    request: Request, event: str, users: Iterable[User], title: str, body: str = "", exclude: Any = None
) -> None:
    notifications.notify_many([_message(request, event, users, title, body, exclude)])


def _announce(request: Request, action: str = "updated") -> None:
    """After the commit, the receivers (apps.requests.signals: the broadcast) hear of the change."""
    domain_signals.request_changed.send_on_commit(sender=Request, request=request, action=action)


def _announce_sendback(sendback: SendBack, action: str = "updated") -> None:
    domain_signals.sendback_changed.send_on_commit(sender=SendBack, sendback=sendback, action=action)


def _record_state_change(request: Request, before: dict[str, Any], action: str, actor: Any, comment: str = "") -> None:
    changes = audit.changes_between(before, audit.snapshot(request, STATE_FIELDS))
    audit.record(action=action, instance=request, changes=changes, comment=comment, actor=actor)
    _announce(request)


def _close_items(request: Request) -> None:
    request.items.filter(is_open=True).update(is_open=False)


def _item_problems(
    *,
    request_type: str,
    unit_id: int,
    specs: list[ItemSpec],
    crates: dict[int, Crate],
    exclude_request_id: int | None = None,
) -> list[str]:
    """Why the items cannot (or can no longer) be part of a request of this type; [] if they can.

    The caller holds the crate row locks, so the answer stays true until it commits.
    """
    if not specs:
        return ["A request needs at least one item."]
    problems: list[str] = []
    whole = {spec.crate for spec in specs if spec.document is None}
    seen: set[ItemSpec] = set()
    for spec in specs:
        if spec in seen:
            problems.append(
                f"Crate {spec.crate}{f' document {spec.document}' if spec.document else ''} is listed twice."
            )
        seen.add(spec)
        if spec.document is not None and spec.crate in whole:
            problems.append(f"Crate {spec.crate} is requested whole; do not list its documents as well.")
    documents = {
        document.pk: document
        for document in Document.objects.filter(pk__in=[spec.document for spec in specs if spec.document])
    }
    crate_ids = list(crates)
    # Per crate in one query: its documents not destroyed, and those withdrawn (out).
    document_counts, crates_with_documents_out = {}, set()
    for crate_id, present, out in (
        Document.objects.filter(crate_id__in=crate_ids)
        .order_by()
        .values_list("crate_id")
        .annotate(
            present=Count("id", filter=~Q(status=Document.Status.DESTROYED)),
            out=Count("id", filter=Q(status=Document.Status.WITHDRAWN)),
        )
        .values_list("crate_id", "present", "out")
    ):
        document_counts[crate_id] = present
        if out:
            crates_with_documents_out.add(crate_id)
    open_items = RequestItem.objects.filter(is_open=True, crate_id__in=crate_ids).select_related("request")
    if exclude_request_id is not None:
        open_items = open_items.exclude(request_id=exclude_request_id)
    open_by_crate: dict[int, list[RequestItem]] = {}
    for open_item in open_items:
        open_by_crate.setdefault(open_item.crate_id, []).append(open_item)
    today = timezone.localdate()

    for spec in specs:
        crate = crates.get(spec.crate)
        if crate is None or crate.unit_id != unit_id:
            problems.append(f"Crate {spec.crate} is not a crate of this unit.")
            continue
        label = crate.number
        document = documents.get(spec.document) if spec.document else None
        if spec.document is not None:
            if document is None or document.crate_id != crate.pk:
                problems.append(f"Document {spec.document} is not in crate {label}.")
                continue
            if request_type != Type.WITHDRAWAL:
                problems.append(f"A {request_type} request takes whole crates, not single documents.")
                continue
            label = f"{document.number} ({crate.number})"

        # The crate must be in a state its table lets the request's execution move it from.
        movable = CRATE_TABLE.allows(crate.status, CRATE_MOVE_OF_REQUEST[request_type])
        if request_type == Type.STORAGE:
            if not movable:
                problems.append(f"Crate {label} is {crate.status}; only draft crates can be stored.")
            elif not document_counts.get(crate.pk):
                problems.append(f"Crate {label} has no documents; add at least one before storing it.")
        else:
            if not movable:
                problems.append(f"Crate {crate.number} is {crate.status}, not stored.")
                continue
            if document is not None and document.status != Document.Status.IN_STORAGE:
                problems.append(f"Document {label} is {document.status}, not in storage.")
                continue
            if document is None and crate.pk in crates_with_documents_out:
                problems.append(f"Crate {label} has documents out; it cannot be taken whole.")
            if request_type == Type.DESTRUCTION:
                problems.extend(rules.destruction_refusals(crate, today=today))

        for open_item in open_by_crate.get(crate.pk, []):
            clash = (
                document is None  # a whole crate clashes with anything of the crate
                or open_item.document_id is None  # the crate is out whole
                or open_item.document_id == document.pk
            )
            if clash:
                problems.append(f"{label} is already in open request {open_item.request.number}.")
                break
    return problems


def _check_items_available(request: Request, crates: dict[int, Crate]) -> list[RequestItem]:
    """Re-check the items of a request under lock (submit, execute): 409 if the state changed."""
    items = list(request.items.filter(is_open=True).select_related("document"))
    specs = [ItemSpec(crate=item.crate_id, document=item.document_id) for item in items]
    problems = _item_problems(
        request_type=request.request_type,
        unit_id=request.unit_id,
        specs=specs,
        crates=crates,
        exclude_request_id=request.pk,
    )
    if problems:
        raise ApplicationError(" ".join(problems), code="item_unavailable", extra={"items": problems})
    return items


def _lock_request_crates(request: Request) -> dict[int, Crate]:
    # The item's crate ids as a subquery: one statement locks them (the items are not locked).
    return crates_services.lock_crates(request.items.values("crate_id"))


def _check_header(request: Request) -> None:
    """Clear what does not apply to the request's type, then validate what does (400)."""
    if request.request_type not in Type.values:
        raise field_error("request_type", f"Unknown request type {request.request_type!r}.")
    if request.request_type != Type.WITHDRAWAL:
        request.expected_return_date = None
    if request.request_type != Type.TRANSFER:
        request.target_unit = None
    if request.request_type == Type.WITHDRAWAL:
        if request.expected_return_date is None:
            raise field_error("expected_return_date", "A withdrawal needs an expected return date.")
        if request.expected_return_date < timezone.localdate():
            raise field_error("expected_return_date", "The expected return date cannot be in the past.")
    if request.request_type == Type.TRANSFER:
        target_unit = request.target_unit
        if target_unit is None:
            raise field_error("target_unit", "A transfer needs a target unit.")
        if target_unit.pk == request.unit_id:
            raise field_error("target_unit", "The target unit must be another unit.")
        if not target_unit.is_active:
            raise field_error("target_unit", "The target unit is inactive.")


def _request_unit(actor: Any, unit: Unit | None, crates: dict[int, Crate]) -> Unit:
    if unit is not None:
        if not access.belongs_to_unit(actor, unit.pk):
            raise field_error("unit", "You can only raise requests for your own unit.")
        return unit
    if actor.unit_id is not None:
        return actor.unit  # type: ignore[no-any-return]
    first = next(iter(crates.values()), None)
    if first is None:
        raise field_error("unit", "Choose the unit the request is for.")
    return first.unit


def _write_items(request: Request, specs: list[ItemSpec]) -> None:
    RequestItem.objects.bulk_create(
        [RequestItem(request=request, crate_id=spec.crate, document_id=spec.document) for spec in specs]
    )


def _next_request_number() -> str:
    return next_formatted_number(f"REQ-{timezone.localdate().year}")


# --- Draft: create, update, delete ----------------------------------------------------------


@transaction.atomic
def request_create(
    *, actor: Any, request_type: str, items: list[Any], unit: Unit | None = None, **header: Any
) -> Request:
    """A draft request of `actor`. `header`: the fields of Request.HEADER_FIELDS (purpose, …)."""
    unknown = set(header) - set(Request.HEADER_FIELDS)
    if unknown:
        raise TypeError(f"request_create() got unknown header fields {sorted(unknown)}")
    if not actor.has_perm(roles.RAISE_REQUESTS):
        raise ApplicationError("Your role does not allow raising requests.", code="permission_denied")
    specs = _specs(items)
    crates = crates_services.lock_crates([spec.crate for spec in specs])
    unit = _request_unit(actor, unit, crates)
    request = Request(request_type=request_type, unit=unit, requester=actor, **header)
    _check_header(request)
    problems = _item_problems(request_type=request_type, unit_id=unit.pk, specs=specs, crates=crates)
    if problems:
        raise ApplicationError(problems[0], fields={"items": problems})
    request.number = _next_request_number()
    request.save()
    _write_items(request, specs)
    changes = audit.created_changes(request, REQUEST_FIELDS)
    changes["items"] = [None, _items_repr(specs)]
    audit.record(action="request.created", instance=request, changes=changes, actor=actor)
    _announce(request, "created")
    return request


@transaction.atomic
def request_update(*, request: Request, actor: Any, data: dict[str, Any]) -> Request:
    request = _lock_request(request.pk)
    _guard(request, actor, "edit")
    before = audit.snapshot(request, REQUEST_FIELDS)
    old_specs = [ItemSpec(crate=i.crate_id, document=i.document_id) for i in request.items.all()]
    for name in Request.HEADER_FIELDS:
        if name in data:
            setattr(request, name, data[name])
    _check_header(request)
    specs = _specs(data["items"]) if "items" in data else old_specs
    changes = {}
    if "items" in data and specs != old_specs:
        crates = crates_services.lock_crates([spec.crate for spec in specs + old_specs])
        problems = _item_problems(
            request_type=request.request_type,
            unit_id=request.unit_id,
            specs=specs,
            crates=crates,
            exclude_request_id=request.pk,
        )
        if problems:
            raise ApplicationError(problems[0], fields={"items": problems})
        request.items.all().delete()
        _write_items(request, specs)
        changes["items"] = [_items_repr(old_specs), _items_repr(specs)]
    request.save()
    changes.update(audit.changes_between(before, audit.snapshot(request, REQUEST_FIELDS)))
    if changes:
        audit.record(action="request.updated", instance=request, changes=changes, actor=actor)
        _announce(request)
    return request


@transaction.atomic
def request_delete(*, request: Request, actor: Any) -> None:
    request = _lock_request(request.pk)
    _guard(request, actor, "delete")
    specs = [ItemSpec(crate=i.crate_id, document=i.document_id) for i in request.items.all()]
    changes = {name: [value, None] for name, value in audit.snapshot(request, REQUEST_FIELDS).items()}
    changes["items"] = [_items_repr(specs), None]
    audit.record(action="request.deleted", instance=request, changes=changes, actor=actor)
    _announce(request, "deleted")
    request.delete()


# --- Submit, cancel -------------------------------------------------------------------------


@transaction.atomic
@audit.appended_together()
def request_submit(*, request: Request, actor: Any) -> Request:
    request = _lock_request(request.pk)
    to_status = _guard(request, actor, "submit")
    _check_header(request)
    _check_items_available(request, _lock_request_crates(request))
    before = audit.snapshot(request, STATE_FIELDS)
    request.status = to_status
    request.submitted_at = timezone.now()
    request.save()
    _record_state_change(request, before, "request.submitted", actor)
    _notify(
        request,
        "submitted",
        unit_role_holders(request.unit_id, roles.APPROVER),
        exclude=actor,
        title=f"{request.number} awaits your approval",
        body=f"{request.get_request_type_display()} request by {actor.full_name}: {request.purpose}",
    )
    return request


@transaction.atomic
def request_cancel(*, request: Request, actor: Any, comment: str = "") -> Request:
    request = _lock_request(request.pk)
    to_status = _guard(request, actor, "cancel")
    before = audit.snapshot(request, STATE_FIELDS)
    request.status = to_status
    request.cancelled_at = timezone.now()
    request.save()
    _close_items(request)
    _record_state_change(request, before, "request.cancelled", actor, comment)
    return request


# --- Electronic signatures: approve, reject --------------------------------------------------


def signature_content(request: Request) -> dict[str, Any]:
    """What a signature of the request signs besides its envelope (docs/domain.md): the type,
    the purpose and every item by crate and document number."""
    items = request.items.select_related("crate", "document").order_by("id")
    return {
        "request_type": request.request_type,
        "purpose": request.purpose,
        "items": [
            {"crate": item.crate.number, "document": item.document.number if item.document is not None else None}
            for item in items
        ],
    }


# Which signatures a request's actions apply, so a preview is only offered for those.
REQUEST_SIGNATURE_MEANINGS = (
    Signature.Meaning.APPROVED,
    Signature.Meaning.REJECTED,
    Signature.Meaning.DESTROYED,
    Signature.Meaning.DESTRUCTION_WITNESSED,
)


def signature_preview(*, request: Request, actor: Any, meaning: str) -> dict[str, Any]:
    """The content a signature of the request with this meaning signs (docs/domain.md); a
    destruction's signatures add the method and vendor entered with them."""
    if meaning not in REQUEST_SIGNATURE_MEANINGS:
        raise field_error("meaning", f"Choose one of: {', '.join(REQUEST_SIGNATURE_MEANINGS)}.")
    return signatures.preview(actor=actor, meaning=meaning, subject=request, content=signature_content(request))


def _verify_signature(*, request: Request, actor: Any, password: str, meaning: str) -> None:
    """Re-authenticate the signer (Part 11 §11.200) outside any business transaction."""
    signatures.verify_signer(actor=actor, password=password, meaning=meaning, subject=request)


def _sign(
    *, request: Request, actor: Any, meaning: str, comment: str, extra: dict[str, Any] | None = None
) -> Signature:
    return signatures.sign(
        actor=actor,
        meaning=meaning,
        subject=request,
        content={**signature_content(request), **(extra or {})},
        comment=comment,
        unit_id=request.unit_id,
    )


def _precheck(request: Request, actor: Any, action: str) -> None:
    """Answer 409/403 before asking for a password that could not be used anyway."""
    fresh = Request.objects.get(pk=request.pk)
    _guard(fresh, actor, action)


def request_approve(*, request: Request, actor: Any, password: str, comment: str = "") -> Request:
    _precheck(request, actor, "approve")
    _verify_signature(request=request, actor=actor, password=password, meaning=Signature.Meaning.APPROVED)
    return _decide(request_id=request.pk, actor=actor, action="approve", comment=comment)


def request_reject(*, request: Request, actor: Any, password: str, comment: str) -> Request:
    if not (comment or "").strip():
        raise field_error("comment", "Give the reason for rejecting the request.")
    _precheck(request, actor, "reject")
    _verify_signature(request=request, actor=actor, password=password, meaning=Signature.Meaning.REJECTED)
    return _decide(request_id=request.pk, actor=actor, action="reject", comment=comment)


def _check_no_hold(request: Request) -> None:
    """Destruction re-checks legal holds at approval (and at execution, with every other rule
    of `_check_items_available`). The crates are locked first and the holds read in a statement
    of their own, so a hold committed while this waited for the lock is seen (docs/workflows.md)."""
    crates = _lock_request_crates(request)
    held = [crate.number for crate in crates.values() if rules.is_on_hold(crate)]
    if held:
        problems = [f"Crate {number} is under legal hold." for number in held]
        raise ApplicationError(" ".join(problems), code="item_unavailable", extra={"items": problems})


@transaction.atomic
@audit.appended_together()
def _decide(*, request_id: int, actor: Any, action: str, comment: str) -> Request:
    request = _lock_request(request_id)
    to_status = _guard(request, actor, action)
    if action == "approve" and request.request_type == Type.DESTRUCTION:
        _check_no_hold(request)
    before = audit.snapshot(request, STATE_FIELDS)
    request.status = to_status
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_comment = comment
    request.save()
    approved = action == "approve"
    if not approved:
        _close_items(request)
    _record_state_change(request, before, f"request.{request.status}", actor, comment)
    _sign(
        request=request,
        actor=actor,
        comment=comment,
        meaning=Signature.Meaning.APPROVED if approved else Signature.Meaning.REJECTED,
    )
    verdict = "approved" if approved else "rejected"
    messages = [
        _message(
            request,
            verdict,
            [request.requester],
            title=f"{request.number} was {verdict}",
            body=f"{actor.full_name}: {comment}" if comment else f"By {actor.full_name}.",
        )
    ]
    if approved:
        messages.append(
            _message(
                request,
                "to_execute",
                unit_role_holders(request.unit_id, roles.STORE_HEAD),
                exclude=actor,
                title=f"{request.number} is approved and waits for execution",
                body=f"{request.get_request_type_display()} request: {request.purpose}",
            )
        )
    notifications.notify_many(messages)
    return request


# --- Execute --------------------------------------------------------------------------------


def _allocation_map(
    items: list[RequestItem],
    allocations: list[dict[str, Any]] | None,
    *,
    require_all: bool = True,
    not_ours: str = "is not a crate of this request",
) -> dict[int, int]:
    """crate id -> location id for the crates of `items` taken whole, each at most once, and
    every one of them when `require_all` (400 otherwise)."""
    wanted = {item.crate_id for item in items if item.document_id is None}
    result: dict[int, int] = {}
    for allocation in allocations or []:
        crate_id, location_id = int(allocation["crate"]), int(allocation["location"])
        if crate_id not in wanted:
            raise field_error("allocations", f"Crate {crate_id} {not_ours}.")
        if crate_id in result:
            raise field_error("allocations", f"Crate {crate_id} is allocated twice.")
        result[crate_id] = location_id
    missing = wanted - result.keys()
    if require_all and missing:
        raise field_error("allocations", f"Allocate every crate: missing {sorted(missing)}.")
    return result


def request_execute(*, request: Request, actor: Any, data: dict[str, Any] | None = None) -> Request:
    """Carry out an approved request (Store Head). The body depends on the type (docs/api.md)."""
    data = data or {}
    if request.request_type == Type.DESTRUCTION:
        _precheck(request, actor, "execute")
        data = {**data, "witness": _check_destruction_record(request, actor, data)}
        _verify_signature(
            request=request, actor=actor, password=data.get("password", ""), meaning=Signature.Meaning.DESTROYED
        )
        # The witness enters their own password at the executor's screen (docs/workflows.md).
        try:
            _verify_signature(
                request=request,
                actor=data["witness"],
                password=data.get("witness_password", ""),
                meaning=Signature.Meaning.DESTRUCTION_WITNESSED,
            )
        except ApplicationError as error:
            raise ApplicationError(f"Witness: {error.message}", code=error.code, extra=error.extra) from error
    return _execute(request_id=request.pk, actor=actor, data=data)


def _check_destruction_record(request: Request, actor: Any, data: dict[str, Any]) -> User:
    """The certificate's method, vendor and witness (400 before any password is checked):
    the witness is another active user of the request's unit."""
    if data.get("method") not in Request.DestructionMethod.values:
        raise field_error("method", f"Choose the method: {', '.join(Request.DestructionMethod.values)}.")
    if not (data.get("vendor") or "").strip():
        raise field_error("vendor", "Name the vendor (or the department) that destroyed the records.")
    witness_id = data.get("witness")
    if not witness_id:
        raise field_error("witness", "A second person witnesses the destruction and signs it.")
    witness = User.objects.filter(pk=witness_id, is_active=True).first()
    if witness is None or not access.belongs_to_unit(witness, request.unit_id):
        raise field_error("witness", "The witness must be an active user of the request's unit.")
    if witness.pk == actor.pk:
        raise field_error("witness", "The witness must be someone other than the executor.")
    return witness


@transaction.atomic
@audit.appended_together()
def _execute(*, request_id: int, actor: Any, data: dict[str, Any]) -> Request:
    request = _lock_request(request_id)
    to_status = _guard(request, actor, "execute")
    crates = _lock_request_crates(request)
    items = _check_items_available(request, crates)
    before = audit.snapshot(request, STATE_FIELDS)
    now = timezone.now()
    executor = {
        Type.STORAGE: _execute_storage,
        Type.WITHDRAWAL: _execute_withdrawal,
        Type.DESTRUCTION: _execute_destruction,
        Type.TRANSFER: _execute_transfer,
    }[Type(request.request_type)]
    executor(request=request, items=items, crates=crates, actor=actor, data=data)
    request.status = to_status
    request.executed_by = actor
    request.executed_at = now
    if to_status == Status.COMPLETED:
        request.completed_at = now
    request.save()
    _record_state_change(request, before, "request.executed", actor)
    if request.request_type == Type.DESTRUCTION:
        _certify_destruction(request, actor=actor, data=data)
    title = {
        Type.STORAGE: f"{request.number}: your crates are stored",
        Type.WITHDRAWAL: f"{request.number} is issued to you",
        Type.DESTRUCTION: f"{request.number}: destruction completed",
        Type.TRANSFER: f"{request.number} is dispatched",
    }[Type(request.request_type)]
    messages = [_message(request, "executed", [request.requester], title=title, body=f"By {actor.full_name}.")]
    if request.request_type == Type.TRANSFER:
        messages.append(
            _message(
                request,
                "to_receive",
                unit_role_holders(request.target_unit_id, roles.STORE_HEAD),
                title=f"{request.number}: crates in transit to your unit",
                body=f"{len(items)} crate(s) dispatched by {actor.full_name}; receive them on arrival.",
            )
        )
    notifications.notify_many(messages)
    return request


def _execute_storage(
    *, request: Request, items: list[RequestItem], crates: dict[int, Crate], actor: Any, data: dict[str, Any]
) -> None:
    allocation = _allocation_map(items, data.get("allocations"))
    # Locks the locations (id order) and refuses to go over capacity: 409 capacity_exceeded.
    locations = storage.occupancy_take([allocation[item.crate_id] for item in items], unit_id=request.unit_id)
    for item in items:
        location = locations[allocation[item.crate_id]]
        crates_services.crate_set_status(
            crate=crates[item.crate_id],
            action="store",
            location=location,
            actor=actor,
            comment=request.number,
        )
        item.allocated_location = location
        item.is_open = False
        item.save(update_fields=["allocated_location", "is_open"])


def _take_out_of_storage(
    *, request: Request, item: RequestItem, crate: Crate, action: str, actor: Any, close_item: bool = False
) -> int:
    """Move a whole crate out of its location (withdrawn, destroyed, in transit).

    Records where it came from on the item; the crate keeps `previous_location`, so a send-back
    returns it there by default. Returns the location to release (the caller releases them all
    at once, under one set of row locks)."""
    location_id = crate.location_id
    item.source_location_id = location_id
    item.is_open = item.is_open and not close_item
    item.save(update_fields=["source_location", "is_open"])
    crates_services.crate_set_status(crate=crate, action=action, location=None, actor=actor, comment=request.number)
    return location_id  # type: ignore[return-value]


def _execute_withdrawal(
    *, request: Request, items: list[RequestItem], crates: dict[int, Crate], actor: Any, data: dict[str, Any]
) -> None:
    released: list[int] = []
    for item in items:
        crate = crates[item.crate_id]
        if item.document_id is None:
            released.append(
                _take_out_of_storage(
                    request=request,
                    item=item,
                    crate=crate,
                    action="withdraw",
                    actor=actor,
                )
            )
            documents = list(crate.documents.filter(status=Document.Status.IN_STORAGE).select_related("crate"))
        else:
            item.source_location_id = crate.location_id
            item.save(update_fields=["source_location"])
            documents = [item.document]  # type: ignore[list-item]
        crates_services.documents_set_status(
            documents=documents, status=Document.Status.WITHDRAWN, actor=actor, comment=request.number
        )
    storage.occupancy_release(released)


def _execute_destruction(
    *, request: Request, items: list[RequestItem], crates: dict[int, Crate], actor: Any, data: dict[str, Any]
) -> None:
    released: list[int] = []
    for item in items:
        crate = crates[item.crate_id]
        released.append(
            _take_out_of_storage(
                request=request,
                item=item,
                crate=crate,
                action="destroy",
                actor=actor,
                close_item=True,
            )
        )
        documents = list(crate.documents.exclude(status=Document.Status.DESTROYED).select_related("crate"))
        crates_services.documents_set_status(
            documents=documents, status=Document.Status.DESTROYED, actor=actor, comment=request.number
        )
    storage.occupancy_release(released)


def _certify_destruction(request: Request, *, actor: Any, data: dict[str, Any]) -> None:
    """The executor's and the witness's signatures, then the certificate's content and its
    SHA-256, fixed now and stored (docs/workflows.md: certificate of destruction)."""
    before = audit.snapshot(request, CERTIFICATE_FIELDS)
    request.destruction_method = data["method"]
    request.destruction_vendor = data["vendor"].strip()
    request.destruction_witness = data["witness"]
    record = {"method": request.destruction_method, "vendor": request.destruction_vendor}
    witness = data["witness"]
    _sign(request=request, actor=actor, meaning=Signature.Meaning.DESTROYED, comment="", extra=record)
    _sign(
        request=request,
        actor=witness,
        meaning=Signature.Meaning.DESTRUCTION_WITNESSED,
        comment="",
        extra={**record, "executor": {"id": actor.pk, "username": actor.username}},
    )
    request.certificate_content = certificate.certificate_content(request)
    request.certificate_sha256 = certificate.certificate_hash(request.certificate_content)
    request.save(update_fields=[*CERTIFICATE_FIELDS, "certificate_content", "updated_at"])
    audit.record(
        action="request.certificate_issued",
        instance=request,
        actor=actor,
        changes=audit.changes_between(before, audit.snapshot(request, CERTIFICATE_FIELDS)),
        comment=f"witnessed by {witness.username}",
    )


def certificate_verify(*, request: Request, sha256: str) -> bool:
    """Whether `sha256` is the hash the request's certificate of destruction was issued with
    (409 for a request without one)."""
    if not request.certificate_sha256:
        raise ApplicationError(
            "This request has no certificate of destruction with a SHA-256.", code="invalid_transition"
        )
    return sha256.strip().lower() == request.certificate_sha256


def _execute_transfer(
    *, request: Request, items: list[RequestItem], crates: dict[int, Crate], actor: Any, data: dict[str, Any]
) -> None:
    released = [
        _take_out_of_storage(
            request=request,
            item=item,
            crate=crates[item.crate_id],
            action="dispatch",
            actor=actor,
        )
        for item in items
    ]
    storage.occupancy_release(released)


# --- Transfer receipt -----------------------------------------------------------------------


@transaction.atomic
def request_receive(*, request: Request, actor: Any, allocations: list[dict[str, Any]]) -> Request:
    """The target unit's Store Head receives a transfer: crates join that unit, stored."""
    request = _lock_request(request.pk)
    to_status = _guard(request, actor, "receive")
    crates = _lock_request_crates(request)
    items = list(request.items.filter(is_open=True))
    not_in_transit = [
        crates[item.crate_id].number
        for item in items
        if not CRATE_TABLE.allows(crates[item.crate_id].status, "receive")
    ]
    if not_in_transit:
        raise ApplicationError(f"Crates not in transit: {', '.join(not_in_transit)}.", code="item_unavailable")
    allocation = _allocation_map(items, allocations)
    target_unit = request.target_unit
    assert target_unit is not None  # a transfer always has one (validated at creation)
    locations = storage.occupancy_take([allocation[item.crate_id] for item in items], unit_id=target_unit.pk)
    for item in items:
        crate = crates[item.crate_id]
        crates_services.crate_transfer_unit(crate=crate, unit=target_unit, department_or_none=None, actor=actor)
        location = locations[allocation[item.crate_id]]
        crates_services.crate_set_status(
            crate=crate,
            action="receive",
            location=location,
            actor=actor,
            comment=request.number,
        )
        item.allocated_location = location
        item.is_open = False
        item.save(update_fields=["allocated_location", "is_open"])
    before = audit.snapshot(request, STATE_FIELDS)
    now = timezone.now()
    request.status = to_status
    request.received_by = actor
    request.received_at = now
    request.completed_at = now
    request.save()
    _record_state_change(request, before, "request.received", actor)
    _notify(
        request,
        "received",
        [request.requester],
        title=f"{request.number}: transfer received",
        body=f"Received by {actor.full_name} at {target_unit.code}.",
    )
    return request


# --- Send-backs -----------------------------------------------------------------------------


def _next_sendback_number() -> str:
    return next_formatted_number(f"SB-{timezone.localdate().year}")


@transaction.atomic
def sendback_create(*, actor: Any, request: Request, items: list[Any], condition_notes: str = "") -> SendBack:
    """Return part or all of an issued withdrawal's items; the Store Head then receives them."""
    request = _lock_request(request.pk)
    _guard(request, actor, "create_sendback")
    specs = _specs(items)
    if not specs:
        raise field_error("items", "Choose at least one item to send back.")
    if len(set(specs)) != len(specs):
        raise field_error("items", "An item is listed twice.")
    open_items = {
        ItemSpec(crate=item.crate_id, document=item.document_id): item
        for item in request.items.filter(is_open=True).select_related("crate", "document")
    }
    pending = set(
        SendBackItem.objects.filter(
            request_item__request=request, sendback__status=SendBack.Status.PENDING
        ).values_list("request_item_id", flat=True)
    )
    chosen: list[RequestItem] = []
    for spec in specs:
        item = open_items.get(spec)
        if item is None:
            raise field_error(
                "items",
                f"Crate {spec.crate}{f' document {spec.document}' if spec.document else ''} "
                f"is not out under {request.number}.",
            )
        if item.pk in pending:
            raise field_error("items", f"{item} is already on a pending send-back.")
        chosen.append(item)
    sendback = SendBack.objects.create(
        number=_next_sendback_number(),
        request=request,
        unit_id=request.unit_id,
        returned_by=actor,
        condition_notes=condition_notes,
    )
    SendBackItem.objects.bulk_create([SendBackItem(sendback=sendback, request_item=item) for item in chosen])
    audit.record(
        action="sendback.created",
        instance=sendback,
        actor=actor,
        comment=condition_notes,
        changes={
            "number": [None, sendback.number],
            "request": [None, request.number],
            "items": [None, _items_repr(specs)],
        },
    )
    _announce_sendback(sendback, "created")
    notifications.notify(
        users=[u for u in unit_role_holders(request.unit_id, roles.STORE_HEAD) if u.pk != actor.pk],
        title=f"{sendback.number}: items returned for {request.number}",
        body=f"{len(chosen)} item(s) sent back by {actor.full_name}; receive them into storage.",
        # The SPA receives send-backs from the withdrawal's page.
        link=_link(request),
        dedupe_key=f"sendback:{sendback.pk}:created",
    )
    return sendback


def _lock_sendback(pk: int) -> SendBack:
    try:
        return SendBack.objects.select_for_update().get(pk=pk)
    except SendBack.DoesNotExist as error:
        raise ApplicationError("Send-back not found.", code="not_found") from error


def _return_places(
    *, sendback: SendBack, whole: list[RequestItem], crates: dict[int, Crate], allocations: list[dict[str, Any]] | None
) -> dict[int, int]:
    """crate id -> location id for each crate returned whole: the given allocation, else the
    crate's previous location if it is still an active place of the unit with room for it
    (400 asking for an allocation otherwise). The previous locations are locked (id order)."""
    places = _allocation_map(whole, allocations, require_all=False, not_ours="is not returned whole by this send-back")
    defaults = {item.crate_id: crates[item.crate_id].previous_location_id for item in whole}
    defaults = {crate_id: previous for crate_id, previous in defaults.items() if crate_id not in places}
    previous_locations = storage.lock_locations([pk for pk in defaults.values() if pk is not None])
    demand: Counter[int] = Counter()
    for crate_id, previous_id in defaults.items():
        previous = previous_locations.get(previous_id) if previous_id is not None else None
        if previous is not None:
            demand[previous.pk] += 1
        if (
            previous is None
            or not previous.is_active
            or previous.unit_id != sendback.unit_id
            or previous.occupied + demand[previous.pk] > previous.capacity
        ):
            where = previous.path if previous is not None else "it has no previous location"
            raise field_error(
                "allocations", f"Crate {crates[crate_id].number}: {where} has no room; give an allocation for it."
            )
        places[crate_id] = previous.pk
    return places


@transaction.atomic
def sendback_receive(
    *,
    sendback: SendBack,
    actor: Any,
    allocations: list[dict[str, Any]] | None = None,
    condition_notes: str | None = None,
) -> SendBack:
    """Take returned items back into storage: whole crates to their place (`_return_places`),
    documents back into their crate. The last receipt completes the withdrawal."""
    sendback = _lock_sendback(sendback.pk)
    to_status = access.check_sendback(actor, sendback, "receive")
    request = _lock_request(sendback.request_id)
    sendback_items = list(sendback.items.select_related("request_item__document"))
    request_items = [sendback_item.request_item for sendback_item in sendback_items]
    crates = crates_services.lock_crates([item.crate_id for item in request_items])
    whole = [item for item in request_items if item.document_id is None]
    places = _return_places(sendback=sendback, whole=whole, crates=crates, allocations=allocations)
    locations = storage.occupancy_take([places[item.crate_id] for item in whole], unit_id=sendback.unit_id)

    now = timezone.now()
    for sendback_item in sendback_items:
        item = sendback_item.request_item
        crate = crates[item.crate_id]
        if item.document_id is None:
            crates_services.crate_set_status(
                crate=crate,
                action="return",
                location=locations[places[item.crate_id]],
                actor=actor,
                comment=sendback.number,
            )
            documents = list(crate.documents.filter(status=Document.Status.WITHDRAWN).select_related("crate"))
        else:
            documents = [item.document]  # type: ignore[list-item]
        crates_services.documents_set_status(
            documents=documents, status=Document.Status.IN_STORAGE, actor=actor, comment=sendback.number
        )
        sendback_item.location = crate.location
        sendback_item.save(update_fields=["location"])
        item.is_open = False
        item.returned_at = now
        item.save(update_fields=["is_open", "returned_at"])

    audited = ["status", "received_by", "received_at", "condition_notes"]
    before = audit.snapshot(sendback, audited)
    sendback.status = to_status
    sendback.received_by = actor
    sendback.received_at = now
    if condition_notes:
        sendback.condition_notes = condition_notes
    sendback.save()
    changes = audit.changes_between(before, audit.snapshot(sendback, audited))
    audit.record(action="sendback.received", instance=sendback, actor=actor, changes=changes)
    _announce_sendback(sendback)

    if not request.items.filter(is_open=True).exists():
        request_before = audit.snapshot(request, STATE_FIELDS)
        request.status = access.check_request(actor, request, "complete_return")
        request.completed_at = now
        request.save()
        _record_state_change(
            request, request_before, "request.completed", actor, f"all items returned ({sendback.number})"
        )
    _notify(
        request,
        f"returned:{sendback.pk}",
        [request.requester],
        title=f"{sendback.number} received into storage",
        body=f"Received by {actor.full_name}"
        + (" — the withdrawal is completed." if request.status == Status.COMPLETED else "."),
    )
    return sendback


# --- Return-date extensions (docs/workflows.md) --------------------------------------------


@transaction.atomic
def extension_request(*, request: Request, actor: Any, requested_date: Any, reason: str) -> ReturnExtension:
    """The requester asks for a later return date of their issued withdrawal; an Approver decides."""
    if not (reason or "").strip():
        raise field_error("reason", "Say why the items are needed longer.")
    request = _lock_request(request.pk)
    _guard(request, actor, "request_extension")
    if not request.items.filter(is_open=True).exists():
        raise ApplicationError(f"Nothing of {request.number} is still out.", code="invalid_transition")
    if request.expected_return_date is not None and requested_date <= request.expected_return_date:
        raise field_error("requested_date", f"Choose a date after the current one ({request.expected_return_date}).")
    if requested_date < timezone.localdate():
        raise field_error("requested_date", "The new return date cannot be in the past.")
    if request.extensions.filter(status=ReturnExtension.Status.PENDING).exists():
        raise ApplicationError(f"An extension of {request.number} already waits for a decision.", code="conflict")
    extension = ReturnExtension.objects.create(
        request=request,
        unit_id=request.unit_id,
        requester=actor,
        previous_date=request.expected_return_date or requested_date,
        requested_date=requested_date,
        reason=reason.strip(),
    )
    audit.record(
        action="request.extension_requested",
        instance=request,
        changes={"expected_return_date": [str(extension.previous_date), str(requested_date)]},
        comment=extension.reason,
        actor=actor,
    )
    _notify(
        request,
        f"extension:{extension.pk}",
        unit_role_holders(request.unit_id, roles.APPROVER),
        exclude=actor,
        title=f"{request.number}: a later return date is asked for",
        body=f"{actor.full_name}: until {requested_date} — {extension.reason}",
    )
    _announce(request)
    return extension


def _extension_precheck(extension: ReturnExtension, actor: Any, action: str) -> None:
    access.check_extension(actor, ReturnExtension.objects.get(pk=extension.pk), action)


def extension_approve(*, extension: ReturnExtension, actor: Any, password: str, comment: str = "") -> ReturnExtension:
    _extension_precheck(extension, actor, "approve")
    signatures.verify_signer(
        actor=actor, password=password, meaning=Signature.Meaning.RETURN_EXTENDED, subject=extension.request
    )
    return _extension_decide(extension_id=extension.pk, actor=actor, action="approve", comment=comment)


def extension_reject(*, extension: ReturnExtension, actor: Any, password: str, comment: str) -> ReturnExtension:
    if not (comment or "").strip():
        raise field_error("comment", "Give the reason for refusing the extension.")
    _extension_precheck(extension, actor, "reject")
    signatures.verify_signer(
        actor=actor, password=password, meaning=Signature.Meaning.REJECTED, subject=extension.request
    )
    return _extension_decide(extension_id=extension.pk, actor=actor, action="reject", comment=comment)


@transaction.atomic
def _extension_decide(*, extension_id: int, actor: Any, action: str, comment: str) -> ReturnExtension:
    # Lock order as everywhere: the request, then what hangs off it.
    request_id = ReturnExtension.objects.values_list("request_id", flat=True).get(pk=extension_id)
    request = _lock_request(request_id)
    extension = ReturnExtension.objects.select_for_update().get(pk=extension_id)
    extension.status = access.check_extension(actor, extension, action)
    approved = action == "approve"
    if approved and request.status != Request.Status.ISSUED:
        raise ApplicationError(
            f"{request.number} is {request.status}: its return date no longer applies.", code="invalid_transition"
        )
    extension.decided_by = actor
    extension.decided_at = timezone.now()
    extension.decision_comment = comment
    extension.save()
    before = audit.snapshot(request, ["expected_return_date"])
    if approved:
        request.expected_return_date = extension.requested_date
        request.save(update_fields=["expected_return_date", "updated_at"])
    audit.record(
        action=f"request.extension_{extension.status}",
        instance=request,
        changes=audit.changes_between(before, audit.snapshot(request, ["expected_return_date"])),
        comment=comment or f"until {extension.requested_date}",
        actor=actor,
    )
    _sign(
        request=request,
        actor=actor,
        comment=comment,
        meaning=Signature.Meaning.RETURN_EXTENDED if approved else Signature.Meaning.REJECTED,
        extra={
            "extension": {
                "id": extension.pk,
                "previous_date": extension.previous_date.isoformat(),
                "requested_date": extension.requested_date.isoformat(),
                "reason": extension.reason,
                "decision": extension.status,
            }
        },
    )
    _notify(
        request,
        f"extension:{extension.pk}:{extension.status}",
        [extension.requester],
        title=f"{request.number}: later return date {extension.status}",
        body=f"{actor.full_name}: until {extension.requested_date}" + (f" — {comment}" if comment else ""),
    )
    _announce(request)
    return extension
