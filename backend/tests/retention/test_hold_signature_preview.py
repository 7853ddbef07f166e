"""What a hold's release would sign, shown in the signature dialog before the password (§11.70):
the preview is the signed content without its reason and time."""

from collections.abc import Callable

from apps.crates.models import Crate
from apps.policy import rules
from apps.retention.models import LegalHold
from apps.signatures.models import Signature
from tests.conftest import World
from tests.retention.conftest import PASSWORD, CrateMaker


def test_the_release_preview_is_what_the_release_then_signs(
    world: World, make: CrateMaker, audit_count: Callable[[], int]
) -> None:
    held = make.stored()
    client = world.client("approver")
    hold = client.post(
        "/api/holds/",
        {"title": "FDA inquiry 12", "reason": "Warning letter", "crates": [held.pk], "password": PASSWORD},
        format="json",
    ).json()
    before = audit_count()

    preview = client.get(f"/api/holds/{hold['id']}/release-signature-content/")

    assert preview.status_code == 200, preview.content
    content = preview.json()["content"]
    assert audit_count() == before  # a preview records nothing
    assert (content["meaning"], content["title"], content["crates"], content["release_reason"]) == (
        "hold_released",
        "FDA inquiry 12",
        [held.number],
        "",
    )
    released = client.post(f"/api/holds/{hold['id']}/release/", {"reason": "Inquiry closed", "password": PASSWORD})
    assert released.status_code == 200, released.content
    signed = Signature.objects.get(meaning="hold_released").content
    assert {**signed, "signed_at": None, "comment": "", "release_reason": ""} == content
    assert (signed["comment"], signed["release_reason"]) == ("Inquiry closed", "Inquiry closed")

    # Released: nothing left to sign (409, as the release itself).
    again = client.get(f"/api/holds/{hold['id']}/release-signature-content/")
    assert again.status_code == 409


def test_only_who_may_release_a_hold_previews_its_release(world: World, make: CrateMaker) -> None:
    held = make.stored()
    hold = (
        world.client("approver")
        .post(
            "/api/holds/",
            {"title": "FDA inquiry 12", "reason": "Warning letter", "crates": [held.pk], "password": PASSWORD},
            format="json",
        )
        .json()
    )
    assert world.client("docmanager").get(f"/api/holds/{hold['id']}/release-signature-content/").status_code == 403
    # Another unit's hold is not found.
    assert world.client("approver2").get(f"/api/holds/{hold['id']}/release-signature-content/").status_code == 404


def test_the_placement_preview_is_what_the_placement_then_signs_and_keeps_nothing(
    world: World, make: CrateMaker, audit_count: Callable[[], int]
) -> None:
    explicit, by_date = make.stored(), make.stored(number="BMR-2")
    client = world.client("approver")
    body = {
        "title": "FDA inquiry 12",
        "reason": "Warning letter",
        "crates": [explicit.pk],
        "document_type": world.bmr.pk,
        "record_date_from": "2024-01-01",
        "record_date_to": "2024-12-31",
    }
    before = audit_count()

    preview = client.post("/api/holds/signature-content/", body, format="json")

    assert preview.status_code == 200, preview.content
    content = preview.json()["content"]
    assert (content["covered_crates"], content["scope"]["crates"], content["comment"]) == (
        2,
        [explicit.number],
        "Warning letter",
    )
    assert content["record"] == {"type": "legalhold", "id": None, "number": None}
    assert not LegalHold.objects.exists()
    assert audit_count() == before
    assert not rules.is_on_hold(Crate.objects.get(pk=by_date.pk))

    placed = client.post("/api/holds/", {**body, "password": PASSWORD}, format="json")
    assert placed.status_code == 201, placed.content
    signed = Signature.objects.get(meaning="hold_placed").content
    hold = placed.json()
    assert signed["record"] == {"type": "legalhold", "id": hold["id"], "number": hold["number"]}
    assert {**signed, "record": content["record"], "signed_at": None} == content


def test_the_placement_preview_refuses_what_the_placement_refuses(world: World) -> None:
    empty = world.client("approver").post("/api/holds/signature-content/", {"title": "T", "reason": "R"}, format="json")
    assert empty.status_code == 400
    assert list(empty.json()) == ["scope"]
    viewer = world.client("viewer").post(
        "/api/holds/signature-content/", {"title": "T", "reason": "R", "department": world.qa.pk}, format="json"
    )
    assert viewer.status_code == 403
    assert not LegalHold.objects.exists()
