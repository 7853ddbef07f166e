"""Legacy inventory import through the API (docs/workflows.md, "Legacy inventory import").
Celery runs eagerly here (tests/conftest.py): the upload's validation and the commit run
when their transaction commits, as a worker would run them."""

import hashlib
import io

import openpyxl
import pytest

from apps.audit.models import AuditEvent
from apps.audit.services import verify_chain
from apps.crates.models import Crate, Document
from apps.inventory.models import InventoryImport
from apps.storage.models import StorageLocation
from tests.conftest import World
from tests.inventory.conftest import HEADER, legacy_csv, legacy_rows, upload

pytestmark = pytest.mark.django_db(transaction=True)


def test_valid_csv_validates_then_commits_all_crates(world: World):
    content = legacy_csv(legacy_rows())
    response = upload(world, content)
    assert response.status_code == 202, response.content
    iid = response.data["id"]
    detail = world.client("docmanager").get(f"/api/imports/{iid}/").data
    assert detail["status"] == "validated"
    assert (detail["rows"], detail["crates"], detail["documents"], detail["errors"]) == (3, 2, 3, [])
    assert detail["sha256"] == hashlib.sha256(content).hexdigest()
    assert [(p["legacy_number"], p["documents"], p["rows"]) for p in detail["preview"]] == [
        ("OLD-1", 2, [2, 3]),
        ("OLD-2", 1, [4]),
    ]
    assert Crate.objects.count() == 0

    events_before = AuditEvent.objects.count()
    response = world.client("docmanager").post(f"/api/imports/{iid}/commit/")
    assert response.status_code == 202
    detail = world.client("docmanager").get(f"/api/imports/{iid}/").data
    assert detail["status"] == "done"
    crates = {crate.legacy_number: crate for crate in Crate.objects.all()}
    assert set(crates) == {"OLD-1", "OLD-2"}
    assert crates["OLD-1"].status == "stored" and crates["OLD-1"].location_id == world.shelf.pk
    assert crates["OLD-2"].location_id == world.shelf2.pk
    assert crates["OLD-1"].number.startswith("CRT-GOA-")
    assert crates["OLD-1"].description == "BMRs 2019"
    assert str(crates["OLD-1"].retention_until) == "2026-02-03"  # the later document + 7 years
    assert sorted(Document.objects.filter(crate=crates["OLD-1"]).values_list("number", flat=True)) == ["BMR-1", "BMR-2"]
    assert StorageLocation.objects.get(pk=world.shelf.pk).occupied == 1
    assert StorageLocation.objects.get(pk=world.shelf2.pk).occupied == 1
    # One event per crate, one for the commit request, one for the import with the file's hash.
    assert AuditEvent.objects.filter(action="crate.imported").count() == 2
    committed = AuditEvent.objects.get(action="import.committed")
    assert committed.changes["sha256"] == [None, hashlib.sha256(content).hexdigest()]
    assert AuditEvent.objects.count() - events_before == 4
    assert verify_chain().valid

    report = world.client("docmanager").get(f"/api/imports/{iid}/report/")
    lines = report.getvalue().decode().splitlines()
    assert lines[0] == "row,legacy_number,document_number,result,crate_number,errors"
    assert lines[1] == f"2,OLD-1,BMR-1,imported,{crates['OLD-1'].number},"
    assert lines[3] == f"4,OLD-2,LOG-1,imported,{crates['OLD-2'].number},"
    # Committing twice: 409, nothing more.
    assert world.client("docmanager").post(f"/api/imports/{iid}/commit/").status_code == 409
    assert Crate.objects.count() == 2


def test_errors_name_the_spreadsheet_row_and_field(world: World):
    rows = legacy_rows() + [
        ["OLD-3", "QA", "NOWHERE", "", "X-1", "x", "BMR", "2019-13-01"],
        ["OLD-4", "XX", "GOA-S1", "", "X-2", "x", "NOPE", "01/02/2019"],
    ]
    iid = upload(world, legacy_csv(rows)).data["id"]
    detail = world.client("docmanager").get(f"/api/imports/{iid}/").data
    assert detail["status"] == "invalid"
    assert [(e["row"], e["field"]) for e in detail["errors"]] == [
        (5, "location"),
        (5, "record_date"),
        (6, "department"),
        (6, "document_type"),
        (6, "record_date"),
    ]
    assert detail["errors"][0]["message"] == "No location 'NOWHERE' in this unit (a code or a LOC- barcode)."
    assert detail["preview"] == []
    assert world.client("docmanager").post(f"/api/imports/{iid}/commit/").status_code == 409
    assert Crate.objects.count() == 0
    report = world.client("docmanager").get(f"/api/imports/{iid}/report/")
    lines = report.getvalue().decode().splitlines()
    assert lines[4].startswith("5,OLD-3,X-1,error,,location: No location")


def test_wrong_column_is_an_error_on_row_one(world: World):
    header = [*HEADER[:-1], "date"]
    iid = upload(world, legacy_csv(legacy_rows(), header=header)).data["id"]
    detail = world.client("docmanager").get(f"/api/imports/{iid}/").data
    assert detail["status"] == "invalid"
    assert [(e["row"], e["field"]) for e in detail["errors"]] == [(1, "record_date"), (1, "date")]


def test_over_full_location_is_refused_with_the_rows(world: World):
    world.shelf2.capacity = 1
    StorageLocation.objects.filter(pk=world.shelf2.pk).update(capacity=1)
    rows = [[f"OLD-{n}", "QA", "GOA-S2", "", f"D-{n}", "t", "LOG", "2020-01-01"] for n in range(3)]
    iid = upload(world, legacy_csv(rows)).data["id"]
    detail = world.client("docmanager").get(f"/api/imports/{iid}/").data
    assert detail["status"] == "invalid"
    assert [(e["row"], e["field"]) for e in detail["errors"]] == [(3, "location"), (4, "location")]
    assert "has 1 free place(s); this file puts 3 crates there" in detail["errors"][0]["message"]


def test_location_filled_between_validation_and_commit_makes_it_invalid_and_imports_nothing(world: World):
    iid = upload(world, legacy_csv(legacy_rows())).data["id"]
    StorageLocation.objects.filter(pk=world.shelf2.pk).update(capacity=0)
    assert world.client("docmanager").post(f"/api/imports/{iid}/commit/").status_code == 202
    detail = world.client("docmanager").get(f"/api/imports/{iid}/").data
    assert detail["status"] == "invalid"
    assert [(e["row"], e["field"]) for e in detail["errors"]] == [(4, "location")]
    assert Crate.objects.count() == 0 and Document.objects.count() == 0
    assert StorageLocation.objects.get(pk=world.shelf.pk).occupied == 0


def test_binary_file_named_csv_is_refused_at_upload(world: World):
    response = upload(world, b"\x00\x01\x02binary\xff\xfe" * 100, name="legacy.csv")
    assert response.status_code == 400
    assert "binary" in response.data["file"][0]
    assert InventoryImport.objects.count() == 0


def test_more_than_50000_rows_is_refused_at_upload(world: World):
    line = b"OLD-1,QA,GOA-S1,,D,t,BMR,2020-01-01\n"
    content = ",".join(HEADER).encode() + b"\n" + line * 60_000
    response = upload(world, content)
    assert response.status_code == 400
    assert response.data["file"] == ["The file has more than 50,000 rows; an import holds at most 50,000. Split it."]
    assert InventoryImport.objects.count() == 0


def test_xlsx_with_dates_as_cells(world: World):
    import datetime

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(["OLD-9", "QA", "GOA-S1", "desc", "BMR-9", "Batch 9", "BMR", datetime.date(2018, 3, 4)])
    sheet.append(["OLD-9", "QA", "GOA-S1", "desc", 42, "Batch 42", "BMR", "2018-03-05"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    iid = upload(world, buffer.getvalue(), name="legacy.xlsx").data["id"]
    detail = world.client("docmanager").get(f"/api/imports/{iid}/").data
    assert detail["status"] == "validated", detail["errors"]
    assert (detail["rows"], detail["crates"], detail["documents"]) == (2, 1, 2)
    world.client("docmanager").post(f"/api/imports/{iid}/commit/")
    assert sorted(Document.objects.values_list("number", flat=True)) == ["42", "BMR-9"]


def test_a_legacy_number_imported_before_is_refused(world: World):
    iid = upload(world, legacy_csv(legacy_rows())).data["id"]
    world.client("docmanager").post(f"/api/imports/{iid}/commit/")
    again = upload(world, legacy_csv(legacy_rows())).data["id"]
    detail = world.client("docmanager").get(f"/api/imports/{again}/").data
    assert detail["status"] == "invalid"
    assert [(e["row"], e["field"]) for e in detail["errors"]] == [(2, "legacy_number"), (4, "legacy_number")]


def test_who_may_import(world: World):
    for username in ("storehead", "approver", "viewer", "unitadmin"):
        assert upload(world, legacy_csv(legacy_rows()), username=username).status_code == 403
    iid = upload(world, legacy_csv(legacy_rows())).data["id"]
    assert world.client("docmanager2").get(f"/api/imports/{iid}/").status_code == 404
    assert world.client("docmanager2").post(f"/api/imports/{iid}/commit/").status_code == 404
    assert InventoryImport.objects.get(pk=iid).status == "validated"
