"""Every master-data write path leaves an audit event with old and new values."""

import pytest

from apps.audit.models import AuditEvent
from tests.conftest import World


@pytest.mark.parametrize(
    ("kind", "field", "new"),
    [
        ("unit", "name", "Goa Plant II"),
        ("department", "name", "QA Division"),
        ("document_type", "retention_years", 9),
        ("location", "capacity", 12),
        ("user", "full_name", "Vera V. Viewer"),
    ],
)
def test_update_records_old_and_new_value(world: World, kind: str, field: str, new: object) -> None:
    target = {
        "unit": ("/api/units/", world.goa.pk, "Goa Plant"),
        "department": ("/api/departments/", world.qa.pk, "Quality Assurance"),
        "document_type": ("/api/document-types/", world.bmr.pk, 7),
        "location": ("/api/locations/", world.shelf.pk, 10),
        "user": ("/api/users/", world.user("viewer").pk, "Viewer"),
    }[kind]
    url, pk, old = target
    client = world.client("sysadmin")
    # Every change is sent with a reason; only some need one (tests/crates/test_reasons_for_change.py).
    response = client.patch(f"{url}{pk}/", {field: new, "reason": "Periodic review"}, format="json")
    assert response.status_code == 200, response.content
    event = AuditEvent.objects.get(action=f"{kind}.updated", entity_id=str(pk))
    assert event.changes == {field: [old, new]}
    assert event.actor_username == "sysadmin"
    assert event.ip_address == "127.0.0.1"
    assert len(event.request_id) == 32


def test_an_update_that_changes_nothing_writes_no_event(world: World) -> None:
    world.client("sysadmin").patch(f"/api/units/{world.goa.pk}/", {"name": "Goa Plant"}, format="json")
    assert not AuditEvent.objects.filter(action="unit.updated").exists()


def test_request_id_is_returned_and_recorded(world: World) -> None:
    response = world.client("sysadmin").patch(
        f"/api/units/{world.goa.pk}/", {"name": "Renamed"}, format="json", HTTP_X_REQUEST_ID="trace-123"
    )
    assert response["X-Request-ID"] == "trace-123"
    assert AuditEvent.objects.get(action="unit.updated").request_id == "trace-123"


def test_password_values_never_reach_the_trail(world: World) -> None:
    world.client("sysadmin").patch(
        f"/api/users/{world.user('viewer').pk}/", {"password": "An0ther&Secret!"}, format="json"
    )
    event = AuditEvent.objects.get(action="user.password_reset")
    assert event.changes == {"password": ["***", "***"]}
    assert "An0ther" not in str(list(AuditEvent.objects.values_list("changes", flat=True)))
