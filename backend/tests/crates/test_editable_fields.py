"""A crate's and a document's editable fields are declared once (EDITABLE_FIELDS on the
model): the API's input, the services' audit snapshot and the admin forms follow that list."""

from rest_framework import serializers

from apps.crates import admin, services
from apps.crates.models import Crate, Document
from apps.crates.serializers import CrateCreateSerializer, CrateUpdateSerializer, DocumentWriteSerializer


def test_crate_fields_come_from_the_model() -> None:
    assert Crate.EDITABLE_FIELDS == ("department", "description")
    assert list(CrateCreateSerializer().fields) == ["unit", "department", "description"]
    # `reason`: a correction says why (apps.policy.reasons).
    assert list(CrateUpdateSerializer().fields) == ["department", "description", "reason"]
    assert all(field.required is False for field in CrateUpdateSerializer().fields.values())
    description = CrateCreateSerializer().fields["description"]
    assert isinstance(description, serializers.CharField)
    assert description.max_length == Crate._meta.get_field("description").max_length
    assert set(Crate.EDITABLE_FIELDS) <= set(services.CRATE_FIELDS)
    assert list(admin.CrateAdminForm().fields) == ["department", "description", "reason"]


def test_document_fields_and_limits_come_from_the_model() -> None:
    assert Document.EDITABLE_FIELDS == ("number", "title", "document_type", "record_date")
    fields = DocumentWriteSerializer().fields
    assert list(fields) == ["crate", "number", "title", "document_type", "record_date", "reason"]
    number, title = fields["number"], fields["title"]
    assert isinstance(number, serializers.CharField) and isinstance(title, serializers.CharField)
    assert (number.max_length, title.max_length) == (100, 300)
    assert services.DOCUMENT_FIELDS == [
        "crate",
        "number",
        "title",
        "document_type",
        "record_date",
        "trigger_date",
        "retention_until",
        "status",
    ]
    assert list(admin.DocumentAdminForm().fields) == ["number", "title", "document_type", "record_date", "reason"]
