"""Generic electronic signatures (docs/domain.md, docs/audit.md; 21 CFR 11.70, 11.100(c), 11.300(d))."""

import hashlib
import json
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, transaction

from apps.audit.models import AuditEvent
from apps.auth.models import User
from apps.core.errors import ApplicationError
from apps.notifications.models import Notification
from apps.requests.models import Request
from apps.signatures import services as signatures
from apps.signatures.models import Signature
from tests.conftest import DEMO_PASSWORD, World, is_postgres
from tests.requests.conftest import create_request, stored_crate

PASSWORD = DEMO_PASSWORD


def _submitted(world: World) -> dict[str, Any]:
    crate = stored_crate(world, documents=2)
    document = crate.documents.order_by("id").first()
    assert document is not None
    created = create_request(
        world,
        {
            "request_type": "withdrawal",
            "purpose": "Inspection of batch 42",
            "expected_return_date": "2099-01-01",
            "items": [{"crate": crate.pk, "document": document.pk}],
        },
    )
    assert world.client("docmanager").post(f"/api/requests/{created['id']}/submit/").status_code == 200
    return {**created, "crate_number": crate.number, "document_number": document.number}


def _approve(world: World, request_id: int, username: str = "approver", password: str = PASSWORD) -> Any:
    return world.client(username).post(
        f"/api/requests/{request_id}/approve/", {"password": password, "comment": "Checked"}, format="json"
    )


# --- Content and hash (§11.70) ------------------------------------------------------------------


def test_a_signature_stores_what_was_signed_and_its_audit_event_carries_the_hash(world: World) -> None:
    request = _submitted(world)
    response = _approve(world, request["id"])
    assert response.status_code == 200, response.content

    signature = Signature.objects.get()
    approver = world.user("approver")
    assert signature.content == {
        "record": {"type": "request", "id": request["id"], "number": request["number"]},
        "request_type": "withdrawal",
        "purpose": "Inspection of batch 42",
        "items": [{"crate": request["crate_number"], "document": request["document_number"]}],
        "meaning": "approved",
        "comment": "Checked",
        "signer": {"id": approver.pk, "username": "approver", "full_name": "Approver"},
        "signed_at": signature.signed_at.isoformat(),
    }
    canonical = json.dumps(signature.content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert signature.content_hash == hashlib.sha256(canonical.encode()).hexdigest()
    event = AuditEvent.objects.get(action="signature.signed")
    assert event.changes["content_hash"] == [None, signature.content_hash]
    assert (event.entity_type, event.entity_id, event.unit_id) == ("signature", str(signature.pk), world.goa.pk)
    # The request read shows each signature's id and hash.
    assert [(s["id"], s["content_hash"]) for s in response.data["signatures"]] == [
        (signature.pk, signature.content_hash)
    ]


def test_verify_reports_an_untouched_signature_valid(world: World) -> None:
    request = _submitted(world)
    assert _approve(world, request["id"]).status_code == 200
    signature = Signature.objects.get()
    event = AuditEvent.objects.get(action="signature.signed")

    response = world.client("docmanager").get(f"/api/signatures/{signature.pk}/verify/")

    assert response.status_code == 200
    assert response.data == {
        "valid": True,
        "content_hash": signature.content_hash,
        "computed_hash": signature.content_hash,
        "audit_event": {
            "id": event.pk,
            "sequence": event.sequence,
            "hash": event.hash,
            "content_hash": signature.content_hash,
        },
        "reason": "",
    }
    detail = world.client("viewer").get(f"/api/signatures/{signature.pk}/")
    assert detail.status_code == 200
    assert detail.data["content"] == signature.content


@pytest.mark.skipif(not is_postgres(), reason="alters a stored signature with SQL on PostgreSQL")
def test_a_signature_whose_content_was_altered_by_sql_is_reported_invalid(world: World) -> None:
    request = _submitted(world)
    assert _approve(world, request["id"]).status_code == 200
    signature = Signature.objects.get()
    with connection.cursor() as cursor:
        # Move the signature to another record's number, as a forger with database access would.
        cursor.execute(
            "UPDATE signatures_signature SET content = jsonb_set(content::jsonb, '{record,number}', "
            "'\"REQ-2026-9999\"')::json WHERE id = %s",
            [signature.pk],
        )

    response = world.client("approver").get(f"/api/signatures/{signature.pk}/verify/")

    assert response.status_code == 200
    assert response.data["valid"] is False
    assert response.data["content_hash"] == signature.content_hash
    assert response.data["computed_hash"] != signature.content_hash
    assert response.data["reason"] == "the stored content does not match the stored hash"


@pytest.mark.skipif(not is_postgres(), reason="alters a stored signature with SQL on PostgreSQL")
def test_rewriting_content_and_hash_together_is_caught_by_the_audit_event(world: World) -> None:
    request = _submitted(world)
    assert _approve(world, request["id"]).status_code == 200
    signature = Signature.objects.get()
    forged = {**signature.content, "comment": "Not checked"}
    forged_hash = signatures.content_hash(forged)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE signatures_signature SET content = %s, content_hash = %s WHERE id = %s",
            [json.dumps(forged), forged_hash, signature.pk],
        )

    response = world.client("approver").get(f"/api/signatures/{signature.pk}/verify/")

    assert (response.data["valid"], response.data["computed_hash"]) == (False, forged_hash)
    assert response.data["reason"] == "the audit event carries another hash"


def test_another_units_signature_is_not_found(world: World) -> None:
    request = _submitted(world)
    assert _approve(world, request["id"]).status_code == 200
    signature = Signature.objects.get()

    assert world.client("docmanager2").get(f"/api/signatures/{signature.pk}/verify/").status_code == 404
    assert world.client("docmanager2").get(f"/api/signatures/{signature.pk}/").status_code == 404
    assert world.client("sysadmin").get(f"/api/signatures/{signature.pk}/verify/").status_code == 200


def test_sign_refuses_content_that_overrides_the_envelope(world: World) -> None:
    request = Request.objects.get(pk=_submitted(world)["id"])
    with pytest.raises(ValueError, match="signer"):
        signatures.signed_content(
            actor=world.user("approver"),
            meaning="approved",
            subject=request,
            content={"signer": "someone else"},
            comment="",
            signed_at=None,
        )


# --- Certification (§11.100(c)) -----------------------------------------------------------------


def test_signing_without_certification_is_refused_and_changes_nothing(world: World, audit_count: Any) -> None:
    request = _submitted(world)
    User.objects.filter(username="approver").update(signature_certified_at=None)
    before = audit_count()

    response = _approve(world, request["id"])

    assert (response.status_code, response.data["code"]) == (403, "certification_required")
    assert Request.objects.get(pk=request["id"]).status == "submitted"
    assert Signature.objects.count() == 0
    assert audit_count() == before


@pytest.mark.django_db(transaction=True)
def test_certification_is_recorded_audited_and_shown_on_the_user(world: World) -> None:
    User.objects.filter(username="approver").update(signature_certified_at=None)
    client = world.login("approver")
    assert client.get("/api/auth/me/").data["signature_certified_at"] is None
    statement = client.get("/api/auth/signature-certification/").data["statement"]
    assert "legally binding equivalent" in statement

    wrong = client.post("/api/auth/signature-certification/", {"password": "not-mine"}, format="json")
    assert (wrong.status_code, wrong.data["code"]) == (403, "invalid_signature")
    assert User.objects.get(username="approver").signature_certified_at is None
    assert User.objects.get(username="approver").failed_signature_count == 1

    response = client.post("/api/auth/signature-certification/", {"password": PASSWORD}, format="json")

    assert response.status_code == 201, response.content
    approver = User.objects.get(username="approver")
    assert approver.signature_certified_at is not None
    assert approver.failed_signature_count == 0
    assert client.get("/api/auth/me/").data["signature_certified_at"] is not None
    users = world.client("unitadmin").get(f"/api/users/{approver.pk}/")
    assert users.data["signature_certified_at"] is not None
    event = AuditEvent.objects.filter(action="signature.certified").latest("sequence")
    assert (event.actor_username, event.entity_id) == ("approver", str(approver.pk))
    assert event.comment == signatures.CERTIFICATION_STATEMENT

    again = client.post("/api/auth/signature-certification/", {"password": PASSWORD}, format="json")
    assert (again.status_code, again.data["code"]) == (409, "conflict")


def test_certification_needs_a_password(world: World, audit_count: Any) -> None:
    User.objects.filter(username="approver").update(signature_certified_at=None)
    before = audit_count()
    response = world.client("approver").post("/api/auth/signature-certification/", {}, format="json")
    assert response.status_code == 400
    assert "password" in response.data
    assert User.objects.get(username="approver").signature_certified_at is None
    assert audit_count() == before


def test_the_demo_users_are_certified_so_the_demo_signs_at_once(db: None) -> None:
    from django.core.management import call_command

    call_command("initial_setup", "--demo", verbosity=0)
    assert not User.objects.filter(username__in=["approver", "storehead"], signature_certified_at=None).exists()
    assert (
        AuditEvent.objects.filter(action="signature.certified").count()
        == User.objects.exclude(signature_certified_at=None).count()
    )


# --- Signing lockout (§11.300(d)) ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_three_wrong_signature_passwords_lock_the_account_and_alert_the_administrators(
    world: World,
) -> None:
    assert settings.SIGNATURE_MAX_FAILURES == 3
    request = _submitted(world)

    codes = [_approve(world, request["id"], password="wrong").data["code"] for _ in range(3)]

    assert codes == ["invalid_signature", "invalid_signature", "account_locked"]
    approver = User.objects.get(username="approver")
    assert approver.is_locked
    assert Request.objects.get(pk=request["id"]).status == "submitted"
    assert Signature.objects.count() == 0
    assert AuditEvent.objects.filter(action="signature.failed", actor_username="approver").count() == 3
    lockout = AuditEvent.objects.get(action="signature.lockout")
    assert (lockout.entity_type, lockout.entity_id) == ("user", str(approver.pk))
    assert lockout.comment == "3 consecutive wrong signature passwords"
    notes = {(note.user.username, note.title) for note in Notification.objects.select_related("user")}
    assert ("sysadmin", "Account approver was locked after repeated wrong signature passwords") in notes
    assert ("approver", "Your account was locked after repeated wrong signature passwords") in notes

    # Locked: even the right password no longer signs, and signing in is refused too.
    right = _approve(world, request["id"])
    assert (right.status_code, right.data["code"]) == (403, "account_locked")
    assert Request.objects.get(pk=request["id"]).status == "submitted"
    login = world.client(None).post("/api/auth/login/", {"username": "approver", "password": PASSWORD}, format="json")
    assert (login.status_code, login.data["code"]) == (403, "account_locked")


@pytest.mark.django_db(transaction=True)
def test_a_right_password_resets_the_count_of_wrong_ones(world: World) -> None:
    first, second = _submitted(world), _submitted(world)
    assert _approve(world, first["id"], password="wrong").data["code"] == "invalid_signature"
    assert _approve(world, first["id"], password="wrong").data["code"] == "invalid_signature"
    assert _approve(world, first["id"]).status_code == 200
    assert User.objects.get(username="approver").failed_signature_count == 0

    assert _approve(world, second["id"], password="wrong").data["code"] == "invalid_signature"
    assert not User.objects.get(username="approver").is_locked


def test_the_dialog_is_shown_exactly_what_the_signature_then_stores(world: World) -> None:
    request = _submitted(world)
    client = world.client("approver")

    preview = client.get(f"/api/requests/{request['id']}/signature-content/", {"meaning": "approved"})
    assert preview.status_code == 200, preview.content
    assert _approve(world, request["id"]).status_code == 200

    stored = Signature.objects.get().content
    assert preview.data["content"] == {**stored, "comment": "", "signed_at": None}
    bad = client.get(f"/api/requests/{request['id']}/signature-content/", {"meaning": "hold_placed"})
    assert bad.status_code == 400 and "meaning" in bad.data
    other_unit = world.client("approver2").get(
        f"/api/requests/{request['id']}/signature-content/", {"meaning": "approved"}
    )
    assert other_unit.status_code == 404


def test_a_wrong_password_is_never_counted_inside_a_business_transaction(world: World) -> None:
    # The count and its audit event commit although the action is refused; inside a caller's
    # transaction they would roll back with it, so that is a programming error, not a 403.
    with pytest.raises(RuntimeError), transaction.atomic():
        signatures.verify_signer(actor=world.user("approver"), password="wrong", meaning="approved")
    assert User.objects.get(username="approver").failed_signature_count == 0
    # Outside one (a test's own wrapping transaction does not count) it is a clear 403.
    with pytest.raises(ApplicationError) as refused:
        signatures.verify_signer(actor=world.user("approver"), password="wrong", meaning="approved")
    assert refused.value.code == "invalid_signature"
    assert User.objects.get(username="approver").failed_signature_count == 1
