"""A request's header is declared once (Request.HEADER_FIELDS): the API's input and output,
the audit snapshot, the draft edit and the search all follow that list."""

from collections.abc import Callable

from rest_framework import serializers

from apps.audit.models import AuditEvent
from apps.requests import admin, services
from apps.requests.models import Request
from apps.requests.serializers import RequestCreateSerializer, RequestSerializer, RequestUpdateSerializer
from apps.requests.views import RequestViewSet
from tests.conftest import World
from tests.requests.conftest import create_request, make_crate


def test_every_place_reads_the_header_from_the_model() -> None:
    header = list(Request.HEADER_FIELDS)
    assert header == ["purpose", "expected_return_date", "target_unit"]
    assert list(RequestCreateSerializer().fields) == ["request_type", *header, "items", "unit"]
    assert list(RequestUpdateSerializer().fields) == [*header, "items"]
    assert set(header) <= set(RequestSerializer().fields)
    assert ["number", "request_type", "status", "unit", "requester", *header] == services.REQUEST_FIELDS
    assert RequestViewSet.search_fields == ["number", "purpose"]
    assert admin.RequestAdmin.search_fields[:2] == ["number", "purpose"]


def test_input_limits_come_from_the_model_fields() -> None:
    fields = RequestCreateSerializer().fields
    purpose = fields["purpose"]
    assert isinstance(purpose, serializers.CharField)
    assert (purpose.required, purpose.allow_blank) == (True, False)
    assert (fields["expected_return_date"].required, fields["expected_return_date"].allow_null) == (False, True)
    assert (fields["target_unit"].required, fields["target_unit"].allow_null) == (False, True)
    assert all(field.required is False for name, field in RequestUpdateSerializer().fields.items())


def test_editing_a_draft_header_is_audited_field_by_field(world: World, audit_count: Callable[[], int]) -> None:
    crate = make_crate(world)
    created = create_request(world, {"request_type": "storage", "purpose": "First", "items": [{"crate": crate.pk}]})
    before = audit_count()
    response = world.client("docmanager").patch(f"/api/requests/{created['id']}/", {"purpose": "Second"}, format="json")
    assert response.status_code == 200, response.content
    assert response.data["purpose"] == "Second"
    assert audit_count() == before + 1
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event is not None
    assert (event.action, event.changes) == ("request.updated", {"purpose": ["First", "Second"]})
    found = world.client("docmanager").get("/api/requests/", {"search": "Second"})
    assert [row["id"] for row in found.data["results"]] == [created["id"]]


def test_a_storage_request_drops_header_fields_of_other_types(world: World) -> None:
    crate = make_crate(world)
    created = create_request(
        world,
        {
            "request_type": "storage",
            "purpose": "Store",
            "items": [{"crate": crate.pk}],
            "expected_return_date": "2999-01-01",
            "target_unit": world.kur.pk,
        },
    )
    assert (created["expected_return_date"], created["target_unit"]) == (None, None)
