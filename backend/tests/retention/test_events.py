"""Event-based retention (docs/domain.md): a document of an event-triggered type waits for its
event and is never due; recording the event for many documents recomputes them and their crates."""

import datetime
from collections.abc import Callable

import pytest
from django.db import transaction

from apps.audit.models import AuditEvent
from apps.crates import services as crates
from apps.crates.models import Crate, Document, DocumentType
from apps.policy import rules
from apps.storage import services as storage
from tests.conftest import World
from tests.retention.conftest import TODAY, CrateMaker

RECORD = datetime.date(2020, 1, 10)


def _stored_with(make: CrateMaker, world: World, document_type: DocumentType, numbers: list[str]) -> Crate:
    crate = make.crate()
    for number in numbers:
        make.document(crate, number=number, record_date=RECORD, document_type=document_type)
    with transaction.atomic():
        locked = crates.lock_crates([crate.pk])[crate.pk]
        storage.occupancy_take([world.shelf.pk], unit_id=locked.unit_id)
        crates.crate_set_status(crate=locked, action="store", location=world.shelf, actor=world.user("storehead"))
    crate.refresh_from_db()
    return crate


def test_a_document_waiting_for_its_event_is_never_due(
    world: World, make: CrateMaker, expiry_type: DocumentType
) -> None:
    crate = _stored_with(make, world, expiry_type, ["B-1"])
    assert Document.objects.get(crate=crate).retention_until is None
    assert crate.retention_until is None
    far_future = TODAY + datetime.timedelta(days=365 * 100)
    assert not rules.is_due_for_destruction(crate, today=far_future)
    assert not Crate.objects.filter(rules.due_for_destruction_q(today=far_future)).exists()
    # One waiting document keeps the whole crate from becoming due, whatever the others say.
    mixed = _stored_with(make, world, world.log, ["L-1"])
    # The crate is stored: add the document directly, as a legacy import does.
    Document.objects.create(
        crate=mixed,
        number="B-2",
        title="t",
        document_type=expiry_type,
        record_date=RECORD,
        created_by=world.user("docmanager"),
    )
    with transaction.atomic():
        crates.crate_recompute_retention(crate=crates.lock_crates([mixed.pk])[mixed.pk], actor=None, comment="")
    mixed.refresh_from_db()
    assert mixed.retention_until is None
    assert not rules.is_due_for_destruction(mixed, today=far_future)


def test_recording_the_event_sets_retention_of_documents_and_crates(
    world: World, make: CrateMaker, expiry_type: DocumentType, audit_count: Callable[[], int]
) -> None:
    first = _stored_with(make, world, expiry_type, ["B-1", "B-2"])
    second = _stored_with(make, world, expiry_type, ["B-3"])
    untouched = _stored_with(make, world, expiry_type, ["B-4"])
    ids = list(Document.objects.filter(number__in=["B-1", "B-2", "B-3"]).values_list("pk", flat=True))
    event_date = datetime.date(2024, 6, 30)

    response = world.client("docmanager").post(
        "/api/retention-events/",
        {
            "document_type": expiry_type.pk,
            "event_date": event_date.isoformat(),
            "documents": ids,
            "reason": "Lot expired",
        },
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json() == {"documents": 3, "crates": 2}
    for document in Document.objects.filter(pk__in=ids):
        assert (document.trigger_date, document.retention_until) == (event_date, datetime.date(2025, 6, 30))
    for crate in (first, second):
        crate.refresh_from_db()
        assert crate.retention_until == datetime.date(2025, 6, 30)
    untouched.refresh_from_db()
    assert untouched.retention_until is None
    events = AuditEvent.objects.filter(action="document.retention_event_recorded").order_by("sequence")
    assert [event.comment for event in events] == ["Lot expired"] * 3
    assert events[0].changes["trigger_date"] == [None, "2024-06-30"]
    assert events[0].changes["event"] == [None, "batch expiry"]
    recomputed = AuditEvent.objects.filter(action="crate.retention_recomputed", entity_id=str(first.pk)).last()
    assert recomputed is not None and recomputed.changes == {"retention_until": [None, "2025-06-30"]}
    assert rules.is_due_for_destruction(first, today=datetime.date(2025, 6, 30))


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"event_date": (TODAY + datetime.timedelta(days=1)).isoformat()}, "event_date", "cannot be in the future"),
        ({"event_date": "2019-12-31"}, "documents", "B-1 (CRT-"),
        ({"reason": "   "}, "reason", "Give the reason"),
        ({"documents": []}, "documents", "at least one"),
    ],
)
def test_bad_event_input_is_a_400_and_changes_nothing(
    world: World,
    make: CrateMaker,
    expiry_type: DocumentType,
    audit_count: Callable[[], int],
    change: dict[str, object],
    field: str,
    message: str,
) -> None:
    crate = _stored_with(make, world, expiry_type, ["B-1"])
    document = Document.objects.get(crate=crate)
    before = audit_count()
    body = {"document_type": expiry_type.pk, "event_date": "2024-01-01", "documents": [document.pk], "reason": "r"}
    response = world.client("docmanager").post("/api/retention-events/", {**body, **change}, format="json")
    assert response.status_code == 400, response.content
    assert message in response.json()[field][0]
    if field == "documents" and change.get("event_date"):
        assert "before its record date 2020-01-10" in response.json()[field][0]
    document.refresh_from_db()
    assert (document.trigger_date, document.retention_until) == (None, None)
    assert audit_count() == before


def test_documents_of_another_type_or_unit_are_refused(
    world: World, make: CrateMaker, expiry_type: DocumentType, audit_count: Callable[[], int]
) -> None:
    ours = _stored_with(make, world, world.bmr, ["BMR-1"])
    theirs = make.crate(username="docmanager2")
    kur_document = make.document(theirs, number="K-1", document_type=expiry_type, username="docmanager2")
    before = audit_count()
    client = world.client("docmanager")
    body = {"document_type": expiry_type.pk, "event_date": "2024-01-01", "reason": "r"}
    wrong_type = client.post(
        "/api/retention-events/", {**body, "documents": [Document.objects.get(crate=ours).pk]}, format="json"
    )
    assert wrong_type.status_code == 400
    assert "is a BMR, not a BATCH" in wrong_type.json()["documents"][0]
    other_unit = client.post("/api/retention-events/", {**body, "documents": [kur_document.pk]}, format="json")
    assert other_unit.status_code == 400
    assert other_unit.json()["documents"] == [f"Document {kur_document.pk} is not a document of your unit."]
    not_event = client.post(
        "/api/retention-events/", {**body, "document_type": world.bmr.pk, "documents": [kur_document.pk]}, format="json"
    )
    assert not_event.status_code == 400
    assert "document_type" in not_event.json()
    assert audit_count() == before


@pytest.mark.parametrize("username", ["approver", "storehead", "viewer"])
def test_only_document_managers_record_events(
    world: World, make: CrateMaker, expiry_type: DocumentType, username: str
) -> None:
    crate = _stored_with(make, world, expiry_type, ["B-1"])
    document = Document.objects.get(crate=crate)
    response = world.client(username).post(
        "/api/retention-events/",
        {"document_type": expiry_type.pk, "event_date": "2024-01-01", "documents": [document.pk], "reason": "r"},
        format="json",
    )
    assert response.status_code == 403
    document.refresh_from_db()
    assert document.trigger_date is None


def test_an_event_triggered_type_needs_its_event_name(world: World) -> None:
    response = world.client("sysadmin").post(
        "/api/document-types/",
        {"code": "STUDY", "name": "Study file", "retention_years": 5, "retention_trigger": "event"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["event_name"]
    assert not DocumentType.objects.filter(code="STUDY").exists()
