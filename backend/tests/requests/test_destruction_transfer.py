import io

import pytest
from pypdf import PdfReader

from apps.audit.models import AuditEvent
from apps.crates.models import Crate, Document
from apps.requests.models import Request
from apps.signatures.models import Signature
from tests.requests.conftest import (
    approved_request,
    create_request,
    destruction_body,
    occupied,
    place_hold,
    stored_crate,
)


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_destruction_end_to_end_with_certificate(world, past):
    crate = stored_crate(world, documents=2, retention_until=past)
    request = approved_request(
        world, {"request_type": "destruction", "purpose": "Retention expired", "items": [{"crate": crate.pk}]}
    )
    storehead = world.login("storehead")
    assert storehead.get(f"/api/requests/{request['id']}/certificate/").status_code == 409

    response = storehead.post(f"/api/requests/{request['id']}/execute/", destruction_body(world), format="json")
    assert response.status_code == 200, response.content
    body = response.data
    assert body["status"] == "completed"
    assert [(s["meaning"], s["username"]) for s in body["signatures"]] == [
        ("approved", "approver"),
        ("destroyed", "storehead"),
        ("destruction_witnessed", "approver"),
    ]
    crate.refresh_from_db()
    assert crate.status == Crate.Status.DESTROYED
    assert crate.location_id is None
    assert occupied(world.shelf) == 0
    assert set(crate.documents.values_list("status", flat=True)) == {"destroyed"}
    assert list(AuditEvent.objects.order_by("-sequence").values_list("action", flat=True)[:7]) == [
        "request.certificate_issued",
        "signature.signed",
        "signature.signed",
        "request.executed",
        "document.destroyed",
        "document.destroyed",
        "crate.destroyed",
    ]

    response = storehead.get(f"/api/requests/{request['id']}/certificate/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert "Certificate of Destruction" in text
    assert request["number"] in text
    assert crate.number in text
    for document in crate.documents.all():
        assert document.number in text
    assert past.isoformat() in text
    assert "Approver" in text and "Storehead" in text
    assert "Destruction executed" in " ".join(text.split())
    assert AuditEvent.objects.latest("sequence").action == "request.certificate_exported"


@pytest.mark.parametrize("problem", ["legal_hold", "retention"])
def test_destruction_refused_for_held_or_retained_crates(world, past, problem):
    if problem == "legal_hold":
        crate = stored_crate(world, retention_until=past, legal_hold=True)
    else:
        crate = stored_crate(world)
    response = world.client("docmanager").post(
        "/api/requests/", {"request_type": "destruction", "purpose": "x", "items": [{"crate": crate.pk}]}, format="json"
    )
    assert response.status_code == 400
    assert "items" in response.data
    assert Request.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_legal_hold_placed_after_approval_blocks_destruction_at_execution(world, past, audit_count):
    crate = stored_crate(world, retention_until=past)
    request = approved_request(world, {"request_type": "destruction", "purpose": "x", "items": [{"crate": crate.pk}]})
    place_hold(world, crate)
    before = audit_count()

    response = world.client("storehead").post(
        f"/api/requests/{request['id']}/execute/", destruction_body(world), format="json"
    )

    assert response.status_code == 409
    assert response.data["code"] == "item_unavailable"
    assert "legal hold" in response.data["detail"]
    assert Request.objects.get(pk=request["id"]).status == "approved"
    assert Crate.objects.get(pk=crate.pk).status == "stored"
    assert occupied(world.shelf) == 1
    assert audit_count() == before
    assert Signature.objects.filter(meaning="destroyed").count() == 0


@pytest.mark.django_db(transaction=True)
def test_destruction_with_wrong_password_changes_nothing_but_audits(world, past, audit_count):
    crate = stored_crate(world, retention_until=past)
    request = approved_request(world, {"request_type": "destruction", "purpose": "x", "items": [{"crate": crate.pk}]})
    before = audit_count()

    response = world.client("storehead").post(
        f"/api/requests/{request['id']}/execute/", destruction_body(world, password="wrong"), format="json"
    )

    assert response.status_code == 403
    assert response.data["code"] == "invalid_signature"
    assert Request.objects.get(pk=request["id"]).status == "approved"
    assert Crate.objects.get(pk=crate.pk).status == "stored"
    assert occupied(world.shelf) == 1
    assert audit_count() == before + 1
    event = AuditEvent.objects.latest("sequence")
    assert (event.action, event.actor_username, event.entity_type) == ("signature.failed", "storehead", "request")


def test_transfer_dispatch_and_receipt_by_target_unit(world):
    crate = stored_crate(world, documents=2)
    request = approved_request(
        world,
        {
            "request_type": "transfer",
            "purpose": "Move to Kurkumbh",
            "target_unit": world.kur.pk,
            "items": [{"crate": crate.pk}],
        },
    )
    assert request["target_unit_code"] == "KUR"
    storehead, storehead2 = world.login("storehead"), world.login("storehead2")
    # The target unit sees the transfer, but it is not theirs to dispatch.
    assert storehead2.get(f"/api/requests/{request['id']}/").data["allowed_actions"] == []
    response = storehead2.post(f"/api/requests/{request['id']}/execute/", {}, format="json")
    assert response.status_code == 403

    response = storehead.post(f"/api/requests/{request['id']}/execute/", {}, format="json")
    assert response.status_code == 200, response.content
    assert response.data["status"] == "in_transit"
    crate.refresh_from_db()
    assert crate.status == Crate.Status.IN_TRANSIT
    assert crate.location_id is None
    assert occupied(world.shelf) == 0
    assert set(crate.documents.values_list("status", flat=True)) == {"in_storage"}

    # Only the target unit's Store Head receives; allocations must be target-unit locations.
    response = storehead.post(
        f"/api/requests/{request['id']}/receive/",
        {"allocations": [{"crate": crate.pk, "location": world.shelf.pk}]},
        format="json",
    )
    assert response.status_code == 403
    assert storehead2.get(f"/api/requests/{request['id']}/").data["allowed_actions"] == ["receive"]
    queue = storehead2.get("/api/requests/?awaiting_my_action=receive").data
    assert [r["number"] for r in queue["results"]] == [request["number"]]
    assert storehead2.get("/api/dashboard/").data["to_receive"]["count"] == 1
    assert storehead.get("/api/requests/?awaiting_my_action=receive").data["count"] == 0
    response = storehead2.post(
        f"/api/requests/{request['id']}/receive/",
        {"allocations": [{"crate": crate.pk, "location": world.shelf.pk}]},
        format="json",
    )
    assert response.status_code == 400
    assert Request.objects.get(pk=request["id"]).status == "in_transit"

    response = storehead2.post(
        f"/api/requests/{request['id']}/receive/",
        {"allocations": [{"crate": crate.pk, "location": world.kur_shelf.pk}]},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.data
    assert body["status"] == "completed"
    assert body["received_by"] == world.user("storehead2").pk
    assert body["items"][0]["allocated_location"] == world.kur_shelf.pk
    # Where it was taken from and where it is now, each with its unit: it visibly moved.
    read = storehead2.get(f"/api/requests/{request['id']}/").data
    item = read["items"][0]
    assert (item["source_unit_code"], item["source_location_path"]) == ("GOA", world.shelf.path)
    assert (item["location_unit_code"], item["location_path"]) == ("KUR", world.kur_shelf.path)
    assert read["received_by_name"] == world.user("storehead2").full_name and read["received_at"]
    crate.refresh_from_db()
    assert crate.status == Crate.Status.STORED
    assert crate.unit_id == world.kur.pk
    assert crate.department_id == world.kur_qa.pk
    assert crate.location_id == world.kur_shelf.pk
    assert occupied(world.kur_shelf) == 1
    actions = list(AuditEvent.objects.order_by("-sequence").values_list("action", flat=True)[:3])
    assert actions == ["request.received", "crate.received", "crate.transferred"]
    # The crate now belongs to KUR: GOA no longer sees it, KUR does.
    assert world.client("docmanager2").get(f"/api/crates/{crate.pk}/").status_code == 200
    assert world.client("docmanager").get(f"/api/crates/{crate.pk}/").status_code == 404


def test_transfer_needs_another_active_unit(world):
    crate = stored_crate(world)
    client = world.client("docmanager")
    for target in (None, world.goa.pk):
        body = {"request_type": "transfer", "purpose": "x", "items": [{"crate": crate.pk}]}
        if target:
            body["target_unit"] = target
        response = client.post("/api/requests/", body, format="json")
        assert response.status_code == 400
        assert "target_unit" in response.data
    assert Request.objects.count() == 0


def test_transfer_and_destruction_take_whole_crates_only(world, past):
    crate = stored_crate(world, retention_until=past)
    document = Document.objects.filter(crate=crate)[0]
    for body in (
        {"request_type": "transfer", "purpose": "x", "target_unit": world.kur.pk},
        {"request_type": "destruction", "purpose": "x"},
    ):
        response = world.client("docmanager").post(
            "/api/requests/", {**body, "items": [{"crate": crate.pk, "document": document.pk}]}, format="json"
        )
        assert response.status_code == 400
    create_request(world, {"request_type": "destruction", "purpose": "x", "items": [{"crate": crate.pk}]})
