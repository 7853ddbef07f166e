"""Audit-trail reviews (docs/audit.md, "Audit-trail reviews"; EU GMP Annex 11 §9): an
Approver or a System Administrator records, e-signed, the review of a date range with the chain
head at review time; reviews are read unit-scoped; bad input and wrong passwords change nothing."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from apps.audit import services as audit
from apps.audit.models import AuditChainHead, AuditEvent, AuditReview
from apps.auth.models import User
from apps.signatures import services as signatures
from apps.signatures.models import Signature
from tests.conftest import DEMO_PASSWORD, World


def _today() -> datetime.date:
    return timezone.localdate()


def _body(**overrides: Any) -> dict[str, Any]:
    today = _today()
    body = {
        "from": str(today - datetime.timedelta(days=30)),
        "to": str(today),
        "comment": "Monthly review: no unexplained changes",
        "password": DEMO_PASSWORD,
    }
    body.update(overrides)
    return {name: value for name, value in body.items() if value is not None}


def _events(world: World) -> None:
    """A few events of each unit, and one system-wide."""
    audit.record(action="probe.goa", entity_type="probe", unit_id=world.goa.pk, actor=None)
    audit.record(action="probe.goa", entity_type="probe", unit_id=world.goa.pk, actor=None)
    audit.record(action="probe.kur", entity_type="probe", unit_id=world.kur.pk, actor=None)
    audit.record(action="probe.system", entity_type="probe", unit_id=None, actor=None)


def test_an_approver_records_a_signed_review_of_their_unit_with_the_chain_head(world: World) -> None:
    _events(world)
    head = AuditChainHead.objects.get()
    goa_events = AuditEvent.objects.filter(unit=world.goa)
    expected = (goa_events.count(), goa_events.order_by("sequence").first(), goa_events.order_by("sequence").last())

    response = world.client("approver").post("/api/audit/reviews/", _body(), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    review = AuditReview.objects.get()
    assert body["number"] == review.number == f"AR-{_today().year}-0001"
    assert (body["unit"], body["unit_code"], body["from"], body["to"]) == (
        world.goa.pk,
        "GOA",
        str(_today() - datetime.timedelta(days=30)),
        str(_today()),
    )
    assert (body["events_reviewed"], body["first_sequence"], body["last_sequence"]) == (
        expected[0],
        expected[1].sequence if expected[1] else None,
        expected[2].sequence if expected[2] else None,
    )
    # The chain as it was when the review began: before the review's own events.
    assert (body["chain_head_sequence"], body["chain_head_hash"]) == (head.last_sequence, head.last_hash)
    assert (body["reviewed_by_name"], body["comment"]) == ("Approver", "Monthly review: no unexplained changes")

    signature = Signature.objects.get()
    assert [s["id"] for s in body["signatures"]] == [signature.pk]
    assert (signature.meaning, signature.subject_number, signature.unit_id) == (
        "audit_reviewed",
        review.number,
        world.goa.pk,
    )
    assert signature.content["chain_head"] == {"sequence": head.last_sequence, "hash": head.last_hash}
    assert signature.content["events_reviewed"] == expected[0]
    assert signatures.verify(signature=signature)["valid"] is True

    recorded = AuditEvent.objects.get(action="audit.reviewed")
    assert (recorded.entity_type, recorded.entity_id, recorded.unit_id, recorded.actor_username) == (
        "auditreview",
        str(review.pk),
        world.goa.pk,
        "approver",
    )
    assert recorded.comment == "Monthly review: no unexplained changes"
    assert recorded.changes["chain_head_hash"] == [None, head.last_hash]
    assert AuditEvent.objects.filter(action="signature.signed", changes__meaning=[None, "audit_reviewed"]).exists()
    assert audit.verify_chain().valid


def test_a_system_administrator_reviews_every_unit_or_one(world: World) -> None:
    _events(world)
    client = world.client("sysadmin")
    everything = client.post("/api/audit/reviews/", _body(), format="json")
    assert everything.status_code == 201, everything.content
    assert (everything.json()["unit"], everything.json()["events_reviewed"]) == (
        None,
        AuditEvent.objects.filter(timestamp__date__gte=_today() - datetime.timedelta(days=30)).count() - 2,
    )  # the review's own two events (reviewed, signed) came after the count
    kur = client.post("/api/audit/reviews/", _body(unit=world.kur.pk), format="json")
    assert kur.status_code == 201, kur.content
    assert (kur.json()["unit_code"], kur.json()["events_reviewed"]) == ("KUR", 1)


def test_reviews_are_read_per_unit(world: World) -> None:
    assert world.client("approver").post("/api/audit/reviews/", _body(), format="json").status_code == 201
    assert world.client("approver2").post("/api/audit/reviews/", _body(), format="json").status_code == 201
    assert world.client("sysadmin").post("/api/audit/reviews/", _body(), format="json").status_code == 201

    def units(username: str) -> list[Any]:
        response = world.client(username).get("/api/audit/reviews/")
        assert response.status_code == 200
        return [row["unit_code"] for row in response.json()["results"]]

    assert units("approver") == ["GOA"]
    assert units("unitadmin") == ["GOA"]  # reads the audit trail; does not record reviews
    assert units("approver2") == ["KUR"]
    assert units("sysadmin") == [None, "KUR", "GOA"]
    kur_review = AuditReview.objects.get(unit=world.kur)
    assert world.client("approver").get(f"/api/audit/reviews/{kur_review.pk}/").status_code == 404
    assert world.client("sysadmin").get(f"/api/audit/reviews/?unit={world.goa.pk}").json()["count"] == 1


@pytest.mark.parametrize("username", ["viewer", "unitadmin", "docmanager", "storehead"])
def test_roles_without_the_capability_cannot_record_a_review(
    world: World, username: str, audit_count: Callable[[], int]
) -> None:
    before = audit_count()
    response = world.client(username).post("/api/audit/reviews/", _body(), format="json")
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert not AuditReview.objects.exists()
    assert audit_count() == before


def test_a_viewer_cannot_read_reviews(world: World) -> None:
    response = world.client("viewer").get("/api/audit/reviews/")
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"from": str(datetime.date(2026, 1, 31)), "to": str(datetime.date(2026, 1, 1))}, "to"),
        ({"to": "FUTURE"}, "to"),
        ({"password": None}, "password"),
        ({"password": ""}, "password"),
        ({"comment": "   "}, "comment"),
        ({"from": "31/01/2026"}, "from"),
    ],
)
def test_bad_input_is_a_400_and_changes_nothing(
    world: World, overrides: dict[str, Any], field: str, audit_count: Callable[[], int]
) -> None:
    if overrides.get("to") == "FUTURE":
        overrides = {"to": str(_today() + datetime.timedelta(days=1))}
    before = audit_count()
    response = world.client("approver").post("/api/audit/reviews/", _body(**overrides), format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert not AuditReview.objects.exists()
    assert not Signature.objects.exists()
    assert audit_count() == before
    assert User.objects.get(username="approver").failed_signature_count == 0


def test_an_approver_cannot_review_another_unit(world: World, audit_count: Callable[[], int]) -> None:
    before = audit_count()
    response = world.client("approver").post("/api/audit/reviews/", _body(unit=world.kur.pk), format="json")
    assert (response.status_code, response.json()) == (
        400,
        {"unit": ["You can review only your own unit's audit trail."]},
    )
    assert audit_count() == before


@pytest.mark.django_db(transaction=True)
def test_wrong_passwords_count_toward_the_signing_lockout(world: World) -> None:
    client = world.client("approver")
    codes = [
        client.post("/api/audit/reviews/", _body(password="wrong"), format="json").json()["code"] for _ in range(3)
    ]
    assert codes == ["invalid_signature", "invalid_signature", "account_locked"]
    assert not AuditReview.objects.exists()
    assert not Signature.objects.exists()
    failed = AuditEvent.objects.filter(action="signature.failed", actor_username="approver")
    assert failed.count() == 3
    assert failed.filter(changes__meaning=[None, "audit_reviewed"]).count() == 3
    assert AuditEvent.objects.filter(action="signature.lockout").count() == 1
    assert User.objects.get(username="approver").is_locked
    right = client.post("/api/audit/reviews/", _body(), format="json")
    assert (right.status_code, right.json()["code"]) == (403, "account_locked")
    assert not AuditReview.objects.exists()


def test_a_signer_who_never_certified_is_refused(world: World) -> None:
    User.objects.filter(username="approver").update(signature_certified_at=None)
    response = world.client("approver").post("/api/audit/reviews/", _body(), format="json")
    assert (response.status_code, response.json()["code"]) == (403, "certification_required")
    assert not AuditReview.objects.exists()
