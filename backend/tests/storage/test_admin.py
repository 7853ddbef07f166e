"""Locations in the Django admin go through the storage service: the API's audit event and
Unit-Admin scope."""

from typing import Any

from django.test import Client

from apps.audit.models import AuditEvent
from tests.conftest import World


def admin_client(world: World, username: str) -> Client:
    user = world.user(username)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(user)
    return client


def location_form(location: Any, **overrides: Any) -> dict[str, Any]:
    form = {
        "unit": location.unit_id,
        "parent": location.parent_id or "",
        "kind": location.kind,
        "code": location.code,
        "name": location.name,
        "capacity": location.capacity,
        "is_active": "on" if location.is_active else "",
    }
    form.update(overrides)
    return {name: value for name, value in form.items() if value != ""}


def test_admin_location_edit_is_audited_like_the_api(world: World) -> None:
    client = admin_client(world, "unitadmin")
    response = client.post(
        f"/admin/storage/storagelocation/{world.shelf.pk}/change/", location_form(world.shelf, name="Shelf One")
    )
    assert response.status_code == 302
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event is not None
    assert (event.action, event.entity_id, event.unit_id, event.actor_username, event.changes) == (
        "location.updated",
        str(world.shelf.pk),
        world.goa.pk,
        "unitadmin",
        {"name": [world.shelf.name, "Shelf One"]},
    )
    world.shelf.refresh_from_db()
    assert world.shelf.path == "Archive Room 1 / Shelf One"


def test_unit_admin_in_the_admin_cannot_touch_another_units_locations(world: World, audit_count: Any) -> None:
    before = audit_count()
    client = admin_client(world, "unitadmin")
    assert "KUR-S1" not in client.get("/admin/storage/storagelocation/").content.decode()
    response = client.post(
        f"/admin/storage/storagelocation/{world.kur_shelf.pk}/change/", location_form(world.kur_shelf, name="Taken")
    )
    assert response.status_code == 302  # the admin's "does not exist" redirect
    response = client.post(
        "/admin/storage/storagelocation/add/",
        {"unit": world.kur.pk, "kind": "shelf", "code": "KUR-S9", "name": "Taken", "capacity": 5, "is_active": "on"},
    )
    assert response.status_code == 200  # the form offers the own unit only
    world.kur_shelf.refresh_from_db()
    assert world.kur_shelf.name == "KUR Shelf 1"
    assert not world.kur.locations.filter(code="KUR-S9").exists()
    assert audit_count() == before
