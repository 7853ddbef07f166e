"""The crate functions the request workflow calls inside its own transactions."""

from collections.abc import Callable

import pytest
from django.db import transaction

from apps.audit.models import AuditEvent
from apps.auth.models import Department
from apps.core.errors import ApplicationError
from apps.crates import services
from apps.crates.models import Crate, Document
from tests.conftest import World
from tests.crates.conftest import CrateMaker


def test_lock_crates_returns_the_crates_by_id(world: World, make: CrateMaker) -> None:
    first, second = make.crate(), make.crate()
    with transaction.atomic():
        locked = services.lock_crates([second.pk, first.pk, second.pk, 999_999])
    assert sorted(locked) == sorted([first.pk, second.pk])
    assert locked[first.pk].number == first.number


def test_crate_set_status_keeps_the_previous_location_when_a_crate_leaves_it(
    world: World, make: CrateMaker, audit_count: Callable[[], int]
) -> None:
    crate = make.stored()
    before = audit_count()
    with transaction.atomic():
        crate = services.lock_crates([crate.pk])[crate.pk]
        services.crate_set_status(
            crate=crate, action="withdraw", location=None, actor=world.user("storehead"), comment="REQ-1"
        )
    crate.refresh_from_db()
    assert (crate.status, crate.location_id, crate.previous_location_id) == ("withdrawn", None, world.shelf.pk)
    assert audit_count() == before + 1
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event is not None
    assert (event.action, event.comment, event.entity_id) == ("crate.withdrawn", "REQ-1", str(crate.pk))
    assert event.changes == {
        "status": ["stored", "withdrawn"],
        "location": [world.shelf.pk, None],
        "previous_location": [None, world.shelf.pk],
    }
    # Occupancy is the caller's business: untouched here.
    world.shelf.refresh_from_db()
    assert world.shelf.occupied == 1


def test_crate_set_status_without_location_leaves_it_unchanged(world: World, make: CrateMaker) -> None:
    crate = make.stored()
    with transaction.atomic():
        crate = services.lock_crates([crate.pk])[crate.pk]
        services.crate_set_status(crate=crate, action="dispatch", actor=world.user("storehead"))
    crate.refresh_from_db()
    assert (crate.status, crate.location_id, crate.previous_location_id) == ("in_transit", world.shelf.pk, None)
    assert AuditEvent.objects.order_by("-sequence").first().action == "crate.dispatched"  # type: ignore[union-attr]


def test_crate_set_status_refuses_a_move_its_state_table_does_not_allow(
    world: World, make: CrateMaker, audit_count: Callable[[], int]
) -> None:
    crate = make.crate()
    before = audit_count()
    with pytest.raises(ApplicationError) as raised, transaction.atomic():
        services.crate_set_status(crate=crate, action="withdraw", actor=world.user("storehead"))
    assert (raised.value.code, raised.value.status) == ("invalid_transition", 409)
    assert str(raised.value) == f"Crate {crate.number} is draft; it cannot be withdrawn."
    assert Crate.objects.get(pk=crate.pk).status == "draft"
    assert audit_count() == before


def test_crate_set_status_refuses_an_unknown_action(world: World, make: CrateMaker) -> None:
    crate = make.crate()
    with pytest.raises(ValueError, match="unknown crate action 'lose'"):
        services.crate_set_status(crate=crate, action="lose", actor=world.user("storehead"))


def test_documents_set_status_audits_each_changed_document(
    world: World, make: CrateMaker, audit_count: Callable[[], int]
) -> None:
    crate = make.crate()
    first, second = make.document(crate, number="A"), make.document(crate, number="B")
    services.documents_set_status(documents=[second], status="withdrawn", actor=world.user("storehead"))
    before = audit_count()
    with transaction.atomic():
        changed = services.documents_set_status(
            documents=list(Document.objects.filter(crate=crate)),
            status="withdrawn",
            actor=world.user("storehead"),
            comment="REQ-2",
        )
    assert [d.pk for d in changed] == [first.pk]
    assert set(Document.objects.values_list("status", flat=True)) == {"withdrawn"}
    assert audit_count() == before + 1
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event is not None
    assert (event.action, event.entity_id, event.changes, event.comment, event.unit_id) == (
        "document.withdrawn",
        str(first.pk),
        {"status": ["in_storage", "withdrawn"]},
        "REQ-2",
        world.goa.pk,
    )


def test_crate_transfer_maps_to_the_target_units_department_with_the_same_code(world: World, make: CrateMaker) -> None:
    crate = make.stored()
    with transaction.atomic():
        crate = services.lock_crates([crate.pk])[crate.pk]
        services.crate_transfer_unit(
            crate=crate, unit=world.kur, department_or_none=None, actor=world.user("storehead2")
        )
    crate.refresh_from_db()
    assert (crate.unit_id, crate.department_id) == (world.kur.pk, world.kur_qa.pk)
    assert crate.number.startswith("CRT-GOA-")  # the number never changes
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event is not None
    assert event.action == "crate.transferred"
    assert event.changes == {"unit": [world.goa.pk, world.kur.pk], "department": [world.qa.pk, world.kur_qa.pk]}
    assert event.unit_id == world.kur.pk


def test_crate_transfer_falls_back_to_the_first_active_department(world: World, make: CrateMaker) -> None:
    Department.objects.filter(pk=world.kur_qa.pk).update(is_active=False)
    admin_dept = Department.objects.create(unit=world.kur, code="ADM", name="Administration")
    Department.objects.create(unit=world.kur, code="WH", name="Warehouse")
    crate = make.stored()
    with transaction.atomic():
        services.crate_transfer_unit(
            crate=crate, unit=world.kur, department_or_none=None, actor=world.user("storehead2")
        )
    assert Crate.objects.get(pk=crate.pk).department_id == admin_dept.pk


def test_crate_transfer_to_a_unit_without_departments_is_refused(world: World, make: CrateMaker) -> None:
    from apps.auth.models import Unit
    from apps.core.errors import ApplicationError

    empty = Unit.objects.create(code="EMP", name="Empty")
    crate = make.stored()
    with pytest.raises(ApplicationError) as raised, transaction.atomic():
        services.crate_transfer_unit(crate=crate, unit=empty, department_or_none=None, actor=world.user("storehead"))
    assert raised.value.fields == {"target_unit": ["EMP has no active department to receive crates."]}
    assert Crate.objects.get(pk=crate.pk).unit_id == world.goa.pk
