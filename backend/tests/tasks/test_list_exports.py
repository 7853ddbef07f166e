"""Exports of the filtered crate and document lists (docs/api.md, docs/background.md): the
export holds exactly the rows the list shows, and reports take a unit and a date range."""

import datetime
from typing import Any

import pytest
from django.utils import timezone

from apps.crates.models import Crate, Document
from tests.tasks.conftest import make_crate, make_withdrawal
from tests.tasks.test_reports import download_rows, post


def _document(world: Any, crate: Any, number: str, title: str, record_date: datetime.date) -> Document:
    return Document.objects.create(
        crate=crate, number=number, title=title, document_type=world.bmr, record_date=record_date,
        retention_until=record_date + datetime.timedelta(days=3650), created_by=world.user("docmanager"),
    )  # fmt: skip


@pytest.mark.django_db
def test_inventory_export_applies_the_crate_lists_filters(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    wanted = make_crate(world, description="Stability study", legal_hold=True)
    make_crate(world, description="Stability study")  # not on hold
    make_crate(world, description="Other", legal_hold=True)
    titled = make_crate(world, description="Unrelated")
    _document(world, titled, "D-1", "Stability protocol", datetime.date(2020, 1, 1))
    client = world.client("viewer")
    filters = {"search": "stability", "legal_hold": "true"}
    listed = client.get("/api/crates/", filters).json()["results"]
    report_id = post(
        client, django_capture_on_commit_callbacks, {"report": "inventory", "format": "csv", "filters": filters}
    ).data["id"]
    exported = sorted(row[0] for row in download_rows(client, report_id)[1:])
    assert exported == sorted(row["number"] for row in listed) == [wanted.number]


@pytest.mark.django_db
def test_documents_export_holds_the_filtered_document_list_with_formulas_neutralised(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    crate = make_crate(world)
    _document(world, crate, "SOP-1", "=cmd|' /C calc'!A0", datetime.date(2021, 5, 1))
    _document(world, crate, "SOP-2", "Cleaning", datetime.date(2019, 5, 1))
    _document(world, make_crate(world, unit=world.kur), "SOP-3", "=cmd", datetime.date(2021, 5, 1))
    client = world.client("docmanager")
    filters = {"record_date_from": "2020-01-01", "search": "sop"}
    report_id = post(
        client, django_capture_on_commit_callbacks, {"report": "documents", "format": "csv", "filters": filters}
    ).data["id"]
    rows = download_rows(client, report_id)
    assert rows[0][:3] == ["Document", "Title", "Type"]
    assert [row[:2] for row in rows[1:]] == [["SOP-1", "'=cmd|' /C calc'!A0"]]
    assert rows[1][6:8] == [crate.number, "GOA"]


@pytest.mark.django_db
def test_reports_take_a_unit_and_a_date_range(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    today = datetime.date.today()
    early = make_withdrawal(world, expected_return_date=today - datetime.timedelta(days=30))
    recent = make_withdrawal(world, expected_return_date=today - datetime.timedelta(days=2))
    make_withdrawal(world, unit=world.kur, expected_return_date=today - datetime.timedelta(days=2))
    client = world.client("sysadmin")
    since = (today - datetime.timedelta(days=7)).isoformat()
    body: dict[str, Any] = {"report": "overdue", "format": "csv", "filters": {"unit": world.goa.pk, "date_from": since}}
    report_id = post(client, django_capture_on_commit_callbacks, body).data["id"]
    assert [row[0] for row in download_rows(client, report_id)[1:]] == [recent.number]
    body["filters"] = {"unit": world.goa.pk, "date_to": since}
    report_id = post(client, django_capture_on_commit_callbacks, body).data["id"]
    assert [row[0] for row in download_rows(client, report_id)[1:]] == [early.number]

    made = make_crate(world)
    old = make_crate(world)
    Crate.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=40))
    on = timezone.localdate().isoformat()
    body = {"report": "inventory", "format": "csv", "filters": {"unit": world.goa.pk, "date_from": on}}
    report_id = post(client, django_capture_on_commit_callbacks, body).data["id"]
    assert [row[0] for row in download_rows(client, report_id)[1:]] == [made.number]
    refused = post(
        client,
        django_capture_on_commit_callbacks,
        {"report": "inventory", "format": "csv", "filters": {"date_from": "not a date"}},
    )
    assert (refused.status_code, list(refused.data)) == (400, ["filters"])
