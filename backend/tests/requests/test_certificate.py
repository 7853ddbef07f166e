"""The certificate of destruction: method, vendor, a witness who e-signs, its SHA-256 printed,
stored and verifiable, and tables that stay inside the page (docs/workflows.md)."""

import io
from typing import Any

import pytest
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth

from apps.audit.models import AuditEvent
from apps.auth.models import User
from apps.crates.models import Crate, Document
from apps.requests import certificate
from apps.requests.models import Request
from apps.signatures import services as signatures
from apps.signatures.models import Signature
from tests.conftest import World
from tests.requests.conftest import approved_request, destruction_body, occupied, stored_crate


def _approved_destruction(world: World, past: Any, **crate_options: Any) -> tuple[dict[str, Any], Crate]:
    crate = stored_crate(world, retention_until=past, **crate_options)
    request = approved_request(
        world, {"request_type": "destruction", "purpose": "Retention expired", "items": [{"crate": crate.pk}]}
    )
    return request, crate


def _execute(world: World, request: dict[str, Any], **overrides: Any) -> Any:
    return world.client("storehead").post(
        f"/api/requests/{request['id']}/execute/", destruction_body(world, **overrides), format="json"
    )


def test_a_witnessed_destruction_records_method_vendor_witness_and_the_certificate_hash(
    world: World, past: Any
) -> None:
    request, crate = _approved_destruction(world, past, documents=2)

    response = _execute(world, request, vendor="  SecureShred Goa  ")

    assert response.status_code == 200, response.content
    stored = Request.objects.get(pk=request["id"])
    approver = world.user("approver")
    assert (stored.destruction_method, stored.destruction_vendor, stored.destruction_witness_id) == (
        "shredding",
        "SecureShred Goa",
        approver.pk,
    )
    assert response.data["destruction_witness_name"] == "Approver"
    assert response.data["certificate_sha256"] == stored.certificate_sha256
    assert stored.certificate_content is not None
    assert stored.certificate_sha256 == certificate.certificate_hash(stored.certificate_content)
    witnessed = Signature.objects.get(meaning="destruction_witnessed")
    assert witnessed.user_id == approver.pk
    assert witnessed.content["method"] == "shredding"
    assert witnessed.content["vendor"] == "SecureShred Goa"
    assert witnessed.content["executor"] == {"id": world.user("storehead").pk, "username": "storehead"}
    assert witnessed.content["items"] == [{"crate": crate.number, "document": None}]
    assert signatures.verify(signature=witnessed)["valid"] is True
    assert [s["meaning"] for s in stored.certificate_content["signatures"]] == [
        "approved",
        "destroyed",
        "destruction_witnessed",
    ]
    issued = AuditEvent.objects.get(action="request.certificate_issued")
    assert issued.changes["certificate_sha256"] == ["", stored.certificate_sha256]
    assert issued.changes["destruction_witness"] == [None, approver.pk]


def test_the_pdf_prints_its_sha256_and_verify_accepts_only_that_value(world: World, past: Any) -> None:
    request, _ = _approved_destruction(world, past)
    assert _execute(world, request).status_code == 200
    sha256 = Request.objects.get(pk=request["id"]).certificate_sha256
    client = world.client("viewer")

    pdf = client.get(f"/api/requests/{request['id']}/certificate/")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    words = " ".join(text.split())
    assert sha256 in text.replace("\n", "")
    assert "Method: Shredding. Vendor: SecureShred Goa." in words
    assert "Witness: Approver (approver)" in words
    assert "Destruction witnessed" in words

    url = f"/api/requests/{request['id']}/certificate/verify/"
    assert client.get(url, {"sha256": sha256}).data == {"valid": True}
    assert client.get(url, {"sha256": sha256.upper()}).data == {"valid": True}
    assert client.get(url, {"sha256": "0" * 64}).data == {"valid": False}
    bad = client.get(url, {"sha256": "not-a-hash"})
    assert bad.status_code == 400 and "sha256" in bad.data
    assert client.get(url).status_code == 400
    assert world.client("docmanager2").get(url, {"sha256": sha256}).status_code == 404


def test_verify_of_a_request_without_certificate_is_a_conflict(world: World, past: Any) -> None:
    request, _ = _approved_destruction(world, past)
    response = world.client("viewer").get(f"/api/requests/{request['id']}/certificate/verify/", {"sha256": "0" * 64})
    assert (response.status_code, response.data["code"]) == (409, "invalid_transition")


def _unchanged(world: World, request: dict[str, Any], crate: Crate, before: int, audit_count: Any) -> None:
    assert Request.objects.get(pk=request["id"]).status == "approved"
    assert Crate.objects.get(pk=crate.pk).status == "stored"
    assert occupied(world.shelf) == 1
    assert Signature.objects.exclude(meaning="approved").count() == 0
    assert audit_count() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"witness": "storehead"}, "witness"),  # the executor witnessing themselves
        ({"witness": None}, "witness"),
        ({"witness": "docmanager2"}, "witness"),  # another unit's user
        ({"method": "burying"}, "method"),
        ({"method": None}, "method"),
        ({"vendor": "   "}, "vendor"),
    ],
)
def test_a_bad_certificate_record_is_refused_before_any_password(
    world: World, past: Any, audit_count: Any, overrides: dict[str, Any], field: str
) -> None:
    request, crate = _approved_destruction(world, past)
    body = destruction_body(world)
    for key, value in overrides.items():
        if value is None:
            body.pop(key)
        else:
            body[key] = world.user(value).pk if key == "witness" else value
    before = audit_count()

    response = world.client("storehead").post(f"/api/requests/{request['id']}/execute/", body, format="json")

    assert response.status_code == 400, response.content
    assert field in response.data
    _unchanged(world, request, crate, before, audit_count)


@pytest.mark.django_db(transaction=True)
def test_a_wrong_witness_password_changes_nothing_and_is_audited_on_the_witness(
    world: World, past: Any, audit_count: Any
) -> None:
    request, crate = _approved_destruction(world, past)
    before = audit_count()

    response = _execute(world, request, witness_password="wrong")

    assert (response.status_code, response.data["code"]) == (403, "invalid_signature")
    failed = AuditEvent.objects.latest("sequence")
    assert (failed.action, failed.actor_username, failed.entity_type) == ("signature.failed", "approver", "request")
    assert failed.changes["meaning"] == [None, "destruction_witnessed"]
    assert User.objects.get(username="approver").failed_signature_count == 1
    _unchanged(world, request, crate, before + 1, audit_count)


def test_an_uncertified_witness_cannot_sign(world: World, past: Any, audit_count: Any) -> None:
    request, crate = _approved_destruction(world, past)
    User.objects.filter(username="approver").update(signature_certified_at=None)
    before = audit_count()

    response = _execute(world, request)

    assert (response.status_code, response.data["code"]) == (403, "certification_required")
    _unchanged(world, request, crate, before, audit_count)


def _text_extents(pdf: bytes) -> list[tuple[float, float, str]]:
    """(page width, right edge x, text) of every text run drawn in the PDF."""
    extents: list[tuple[float, float, str]] = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        width = float(page.mediabox.width)

        def visit(text: str, cm: Any, tm: Any, font: Any, size: float, width: float = width) -> None:
            if not text.strip():
                return
            scale = tm[0] * cm[0] or 1
            x = tm[4] * cm[0] + cm[4]
            name = str((font or {}).get("/BaseFont", "/Helvetica")).lstrip("/")
            font_name = name if name in {"Helvetica", "Helvetica-Bold"} else "Helvetica"
            extents.append((width, x + stringWidth(text, font_name, size) * scale, text))

        page.extract_text(visitor_text=visit)
    return extents


def test_long_tables_wrap_inside_the_page_margins(world: World, past: Any) -> None:
    request, crate = _approved_destruction(world, past, documents=3)
    long_word = "X" * 140
    Document.objects.filter(crate=crate).update(title=f"Validation protocol {long_word} with a long title")
    # Document numbers up to their 100 characters, in the table's narrow number column.
    for index, document in enumerate(crate.documents.order_by("id")):
        Document.objects.filter(pk=document.pk).update(number=f"DOC-{index}-" + "9" * 94)
    world.shelf.path = "Archive Room 1 / " + " / ".join(f"Rack-{n}-{long_word}" for n in range(3))
    world.shelf.save(update_fields=["path"])
    response = _execute(world, request, vendor=f"Vendor {long_word}")
    assert response.status_code == 200, response.content

    pdf = world.client("storehead").get(f"/api/requests/{request['id']}/certificate/").content
    extents = _text_extents(pdf)

    assert len(extents) > 50
    overflowing = [(round(right), text[:40]) for width, right, text in extents if right > width - 14]
    assert overflowing == []
    # The long values are all there, broken across lines rather than cut off.
    text = "".join(text for _, _, text in extents).replace("\n", "")
    assert text.count("X") >= 140 * (3 + 3 + 1)
    assert text.count("9" * 10) >= 3 * 9
