"""The schedule change preview (docs/api.md): what a change would do and exactly what its
signature would sign, shown before the password is asked; it changes nothing."""

import datetime
from collections.abc import Callable

import pytest

from apps.crates.models import DocumentType
from apps.retention.models import RetentionRecompute
from apps.signatures.models import Signature
from tests.conftest import World
from tests.retention.conftest import PASSWORD, CrateMaker


def _preview_url(world: World) -> str:
    return f"/api/document-types/{world.bmr.pk}/schedule-preview/"


@pytest.mark.django_db(transaction=True)
def test_the_preview_of_a_shortening_is_exactly_what_the_signature_then_signs(
    world: World, make: CrateMaker, audit_count: Callable[[], int]
) -> None:
    crate = make.crate()
    make.document(crate, number="BMR-1", record_date=datetime.date(2020, 1, 1))
    make.document(crate, number="BMR-2", record_date=datetime.date(2021, 1, 1))
    client = world.client("sysadmin")
    before = audit_count()

    preview = client.post(_preview_url(world), {"retention_years": 5, "reason": " SOP-114 rev 4 "}, format="json")

    assert preview.status_code == 200, preview.content
    body = preview.json()
    assert (body["signature_required"], body["documents"], body["changes"]) == (True, 2, {"retention_years": [7, 5]})
    # The preview changed nothing.
    assert audit_count() == before
    assert DocumentType.objects.get(pk=world.bmr.pk).retention_years == 7
    assert not RetentionRecompute.objects.exists()

    changed = client.patch(
        f"/api/document-types/{world.bmr.pk}/",
        {"retention_years": 5, "reason": "SOP-114 rev 4", "password": PASSWORD},
        format="json",
    )
    assert changed.status_code == 200, changed.content
    signed = Signature.objects.get(meaning="retention_changed").content
    assert signed["signed_at"] is not None
    assert {**signed, "signed_at": None} == body["content"]
    assert body["content"]["comment"] == "SOP-114 rev 4"
    assert body["content"]["meaning"] == "retention_changed"


def test_a_longer_schedule_or_a_new_event_name_needs_no_signature(world: World, make: CrateMaker) -> None:
    make.document(make.crate(), number="BMR-1")
    client = world.client("sysadmin")

    longer = client.post(_preview_url(world), {"retention_years": 9}, format="json")
    assert longer.status_code == 200, longer.content
    assert longer.json() == {
        "changes": {"retention_years": [7, 9]},
        "signature_required": False,
        "documents": 1,
        "content": None,
    }
    to_event = client.post(
        _preview_url(world), {"retention_trigger": "event", "event_name": "batch expiry"}, format="json"
    )
    assert to_event.json()["changes"] == {"retention_trigger": ["record_date", "event"]}
    assert to_event.json()["signature_required"] is False


def test_turning_an_event_type_back_to_the_record_date_needs_a_signature(
    world: World, expiry_type: DocumentType
) -> None:
    response = world.client("sysadmin").post(
        f"/api/document-types/{expiry_type.pk}/schedule-preview/", {"retention_trigger": "record_date"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["signature_required"] is True
    assert response.json()["content"]["changes"] == {"retention_trigger": ["event", "record_date"]}


def test_an_event_trigger_without_its_event_is_a_field_error(world: World) -> None:
    response = world.client("sysadmin").post(
        _preview_url(world), {"retention_trigger": "event", "event_name": "  "}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["event_name"]


@pytest.mark.parametrize("username", ["unitadmin", "docmanager", "approver"])
def test_only_system_administrators_preview_a_schedule_change(world: World, username: str) -> None:
    response = world.client(username).post(_preview_url(world), {"retention_years": 1}, format="json")
    assert response.status_code == 403
