"""What a hold's release would sign, shown in the signature dialog before the password (§11.70):
the preview is the signed content without its reason and time."""

from collections.abc import Callable

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
