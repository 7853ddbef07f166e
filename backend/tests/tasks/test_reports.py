"""Background exports (docs/background.md): request, progress over the socket, download, unit scoping."""

import csv
import datetime
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from openpyxl import load_workbook

from apps.audit.models import AuditEvent
from apps.reports import services
from apps.reports.models import Report
from tests.realtime.conftest import communicator, ticket_for
from tests.requests.conftest import place_hold
from tests.tasks.conftest import make_crate, make_withdrawal


def post(client: Any, capture: Any, body: dict[str, Any]) -> Any:
    with capture(execute=True):  # the task is queued on commit; eager here
        return client.post("/api/reports/", body, format="json")


def download_rows(client: Any, report_id: int) -> list[list[str]]:
    response = client.get(f"/api/reports/{report_id}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.django_db
def test_inventory_csv_covers_only_the_users_unit(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    goa = [make_crate(world, retention_until=datetime.date(2030, 1, 1)) for _ in range(3)]
    make_crate(world, unit=world.kur)
    client = world.client("viewer")

    response = post(client, django_capture_on_commit_callbacks, {"report": "inventory", "format": "csv"})
    assert response.status_code == 202
    assert set(response.data) >= {"id", "status", "done", "total"}
    report_id = response.data["id"]

    status = client.get(f"/api/reports/{report_id}/").data
    assert (status["status"], status["done"], status["total"]) == ("done", 3, 3)
    assert status["download_url"] == f"/api/reports/{report_id}/download/"
    rows = download_rows(client, report_id)
    assert rows[0][:4] == ["Crate", "Unit", "Department", "Status"]
    assert sorted(row[0] for row in rows[1:]) == sorted(crate.number for crate in goa)
    assert {row[1] for row in rows[1:]} == {"GOA"}
    assert rows[1][6:9] == ["2030-01-01", "no", "0"]
    actions = list(
        AuditEvent.objects.filter(entity_type="report").order_by("sequence").values_list("action", "actor_username")
    )
    assert actions == [("report.requested", "viewer"), ("report.downloaded", "viewer")]


@pytest.mark.django_db
def test_system_administrator_exports_every_unit_or_one(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    make_crate(world)
    make_crate(world, unit=world.kur)
    client = world.client("sysadmin")
    every = post(client, django_capture_on_commit_callbacks, {"report": "inventory", "format": "csv"}).data["id"]
    kur = post(
        client,
        django_capture_on_commit_callbacks,
        {"report": "inventory", "format": "csv", "filters": {"unit": world.kur.pk}},
    ).data["id"]
    assert sorted(row[1] for row in download_rows(client, every)[1:]) == ["GOA", "KUR"]
    assert [row[1] for row in download_rows(client, kur)[1:]] == ["KUR"]


@pytest.mark.django_db
def test_xlsx_export_of_overdue_withdrawals(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    today = datetime.date.today()
    late = make_withdrawal(world, expected_return_date=today - datetime.timedelta(days=2), purpose="=HYPERLINK(1)")
    make_withdrawal(world, expected_return_date=today + datetime.timedelta(days=2))
    make_withdrawal(world, unit=world.kur, expected_return_date=today - datetime.timedelta(days=2))
    client = world.client("storehead")
    report_id = post(client, django_capture_on_commit_callbacks, {"report": "overdue", "format": "xlsx"}).data["id"]
    response = client.get(f"/api/reports/{report_id}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "Request"
    assert [row[0] for row in rows[1:]] == [late.number]
    assert rows[1][4] == "'=HYPERLINK(1)"  # a formula in user data is written as text


@pytest.mark.django_db
def test_destruction_due_report(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    today = datetime.date.today()
    due = make_crate(world, retention_until=today)
    place_hold(world, make_crate(world, retention_until=today))
    make_crate(world, retention_until=today + datetime.timedelta(days=1))
    client = world.client("docmanager")
    report_id = post(client, django_capture_on_commit_callbacks, {"report": "destruction_due"}).data["id"]
    assert [row[0] for row in download_rows(client, report_id)[1:]] == [due.number]


@pytest.mark.django_db
def test_audit_export_needs_audit_rights_and_is_unit_scoped(
    world: Any, django_capture_on_commit_callbacks: Any, audit_count: Any
) -> None:
    from apps.audit import services as audit

    audit.record(action="test.goa", entity_type="test", unit_id=world.goa.pk, actor=None)
    audit.record(action="test.kur", entity_type="test", unit_id=world.kur.pk, actor=None)
    before = audit_count()
    refused = post(world.client("viewer"), django_capture_on_commit_callbacks, {"report": "audit", "format": "csv"})
    assert (refused.status_code, refused.data["code"]) == (403, "permission_denied")
    assert (Report.objects.count(), audit_count()) == (0, before)

    client = world.client("approver")
    report_id = post(
        client, django_capture_on_commit_callbacks, {"report": "audit", "format": "csv", "filters": {"action": "test."}}
    ).data["id"]
    rows = download_rows(client, report_id)
    assert rows[0][:4] == ["sequence", "timestamp", "actor_username", "action"]
    assert [row[3] for row in rows[1:]] == ["test.goa"]


@pytest.mark.django_db
def test_invalid_requests_are_refused_and_change_nothing(
    world: Any, django_capture_on_commit_callbacks: Any, audit_count: Any
) -> None:
    before = audit_count()
    # (who, body, the field the 400 names); the audit report needs a role that reads the audit trail.
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("docmanager", {"report": "everything", "format": "csv"}, "report"),
        ("docmanager", {"report": "inventory", "format": "pdf"}, "format"),
        ("docmanager", {"report": "inventory", "filters": {"colour": "red"}}, "filters"),
        ("docmanager", {"report": "inventory", "filters": {"unit": world.kur.pk}}, "filters"),
        ("docmanager", {"report": "inventory", "filters": {"status": "lost"}}, "filters"),
        ("approver", {"report": "audit", "filters": {"date_from": "yesterday"}}, "filters"),
    ]
    for username, body, field in cases:
        response = post(world.client(username), django_capture_on_commit_callbacks, body)
        assert (response.status_code, list(response.data)) == (400, [field]), body
    assert (Report.objects.count(), audit_count()) == (0, before)


@pytest.mark.django_db
def test_reports_are_private_to_their_requester(world: Any) -> None:
    mine = Report.objects.create(user=world.user("viewer"), report="inventory", format="csv")
    Report.objects.create(user=world.user("approver"), report="inventory", format="csv")
    client = world.client("viewer")
    assert [item["id"] for item in client.get("/api/reports/").data["results"]] == [mine.pk]
    other = Report.objects.exclude(pk=mine.pk).get()
    assert client.get(f"/api/reports/{other.pk}/").status_code == 404
    assert client.get(f"/api/reports/{other.pk}/download/").status_code == 404


@pytest.mark.django_db
def test_download_before_done_is_a_conflict(world: Any, audit_count: Any) -> None:
    report = Report.objects.create(user=world.user("viewer"), report="inventory", format="csv")
    before = audit_count()
    response = world.client("viewer").get(f"/api/reports/{report.pk}/download/")
    assert (response.status_code, response.data["code"]) == (409, "invalid_transition")
    assert audit_count() == before


@pytest.mark.django_db
def test_generation_is_idempotent_and_cleans_up(world: Any, settings: Any) -> None:
    make_crate(world)
    report = Report.objects.create(user=world.user("viewer"), unit=world.goa, report="inventory", format="csv")
    path = services.report_path(report)
    path.parent.mkdir(parents=True)
    stale = path.with_name(path.name + ".4242.part")
    stale.write_text("half a file from a killed worker")
    services.report_generate(report_id=report.pk)
    first = path.read_bytes()
    finished_at = Report.objects.get(pk=report.pk).finished_at
    services.report_generate(report_id=report.pk)  # redelivered: nothing happens
    assert path.read_bytes() == first
    assert Report.objects.get(pk=report.pk).finished_at == finished_at
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


@pytest.mark.django_db
def test_a_failing_export_is_marked_failed(world: Any, monkeypatch: Any) -> None:
    from apps.reports.tasks import generate_report

    report = Report.objects.create(user=world.user("viewer"), report="inventory", format="csv")
    monkeypatch.setattr("apps.reports.selectors.SOURCES", {})
    monkeypatch.setattr(services, "SOURCES", {})
    assert generate_report.delay(report.pk).get() == "failed"
    report.refresh_from_db()
    assert report.status == "failed"
    assert report.error.startswith("KeyError")


@pytest.mark.django_db
def test_progress_is_pushed_to_the_owners_socket(world: Any, settings: Any) -> None:
    settings.REPORT_CHUNK_SIZE = 2
    for _ in range(5):
        make_crate(world)
    owner = world.user("viewer")
    report = Report.objects.create(user=owner, unit=world.goa, report="inventory", format="csv")

    async def scenario() -> list[dict[str, Any]]:
        comm = communicator(await database_sync_to_async(ticket_for)(owner))
        assert (await comm.connect())[0] is True
        await database_sync_to_async(services.report_generate)(report_id=report.pk)
        messages = [await comm.receive_json_from(timeout=2) for _ in range(5)]
        await comm.disconnect()
        return messages

    messages = async_to_sync(scenario)()
    assert [(m["status"], m["done"], m["total"]) for m in messages] == [
        ("running", 0, 5),
        ("running", 2, 5),
        ("running", 4, 5),
        ("running", 5, 5),
        ("done", 5, 5),
    ]
    assert {m["type"] for m in messages} == {"report.progress"} and {m["id"] for m in messages} == {report.pk}


_WRITE_ROWS = """
import datetime, resource, sys
from pathlib import Path
from apps.reports.writers import WRITERS
fmt, rows, target = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
row = ["GOA", "Quality Assurance", "stored", "Archive Room 1 / Shelf 1", "Batch records, line 3",
       datetime.date(2033, 1, 1), False, 12, "2026-01-01T10:00:00+00:00"]
with WRITERS[fmt](target, "Inventory") as out:
    for number in range(rows):
        out.writerow([f"CR-{number}", *row])
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _peak_kib(fmt: str, rows: int, target: Path) -> int:
    backend = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-c", _WRITE_ROWS, fmt, str(rows), str(target)],
        cwd=backend,
        env={**os.environ, "PYTHONPATH": str(backend)},
        capture_output=True,
        text=True,
        check=True,
    )
    return int(result.stdout.strip())


# XLSX is slow to write (~75 s for 100,000 rows on a busy 2-core machine): 10,000 rows already
# hold ~100,000 cells, which would add tens of MB if the workbook were kept in memory.
@pytest.mark.parametrize(("fmt", "rows"), [("csv", 100_000), ("xlsx", 10_000)])
def test_writers_keep_memory_flat(fmt: str, rows: int, tmp_path: Path) -> None:
    small = _peak_kib(fmt, 500, tmp_path / f"small.{fmt}")
    large = _peak_kib(fmt, rows, tmp_path / f"large.{fmt}")
    assert large - small < 4 * 1024, f"peak grew from {small} KiB to {large} KiB"
    assert (tmp_path / f"large.{fmt}").stat().st_size > 300_000


@pytest.mark.django_db
def test_a_broker_outage_leaves_the_report_pending_not_the_request_failed(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from unittest import mock

    from kombu.exceptions import OperationalError

    from apps.reports.tasks import generate_report

    with mock.patch.object(generate_report, "delay", side_effect=OperationalError("redis down")):
        response = post(world.client("viewer"), django_capture_on_commit_callbacks, {"report": "inventory"})
    assert (response.status_code, response.data["status"]) == (202, "pending")
    assert Report.objects.get().status == "pending"
