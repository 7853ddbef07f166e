"""Location barcodes and labels, and GET /api/scan/ (docs/api.md, "Scan")."""

import importlib
import io

from django.apps import apps as django_apps
from pypdf import PdfReader
from pytest_django import DjangoAssertNumQueries

from apps.crates.models import Document
from apps.storage.models import StorageLocation
from tests.conftest import World
from tests.requests.conftest import make_crate, stored_crate
from tests.shelf.barcodes import code128_values


def test_a_new_location_gets_its_barcode_and_keeps_it_when_its_code_changes(world: World) -> None:
    client = world.client("unitadmin")
    body = {"unit": world.goa.pk, "parent": world.room.pk, "kind": "shelf", "code": "S9", "name": "Shelf 9"}
    created = client.post("/api/locations/", {**body, "capacity": 4}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["barcode"] == "LOC-GOA-S9"

    renamed = client.patch(f"/api/locations/{created.json()['id']}/", {"code": "S10"}, format="json")
    assert renamed.status_code == 200
    assert renamed.json()["barcode"] == "LOC-GOA-S9"  # the printed label stays valid
    # The code is free again; its barcode is not, so the newcomer's gets a suffix.
    again = client.post("/api/locations/", body, format="json")
    assert again.status_code == 201, again.content
    assert again.json()["barcode"] == "LOC-GOA-S9-2"


def test_a_barcode_cannot_be_set_through_the_api(world: World) -> None:
    response = world.client("unitadmin").patch(
        f"/api/locations/{world.shelf.pk}/", {"barcode": "LOC-GOA-FAKE"}, format="json"
    )
    assert response.status_code == 200
    assert StorageLocation.objects.get(pk=world.shelf.pk).barcode == "LOC-GOA-GOA-S1"


def test_the_migration_gives_existing_locations_their_barcode(world: World) -> None:
    StorageLocation.objects.filter(pk=world.shelf.pk).update(barcode="old-1")
    StorageLocation.objects.filter(pk=world.kur_shelf.pk).update(barcode="old-2")
    migration = importlib.import_module("apps.storage.migrations.0002_location_barcode")
    migration.backfill_barcodes(django_apps, None)
    barcodes = dict(StorageLocation.objects.values_list("code", "barcode"))
    assert barcodes == {
        "GOA-AR1": "LOC-GOA-GOA-AR1",
        "GOA-S1": "LOC-GOA-GOA-S1",
        "GOA-S2": "LOC-GOA-GOA-S2",
        "KUR-S1": "LOC-KUR-KUR-S1",
    }


def test_location_label_is_a_pdf_with_the_barcode_and_the_path(world: World) -> None:
    response = world.client("viewer").get(f"/api/locations/{world.shelf.pk}/label/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="LOC-GOA-GOA-S1.pdf"'
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (100, 70)
    text = reader.pages[0].extract_text()
    assert text.count("LOC-GOA-GOA-S1") == 2  # beside the QR code and under the Code 128
    assert "Archive Room 1 / Shelf 1" in text
    assert "Capacity: 10 crates" in text
    assert code128_values(reader.pages[0]) == ["LOC-GOA-GOA-S1"]


def test_another_units_location_label_is_404(world: World) -> None:
    assert world.client("viewer").get(f"/api/locations/{world.kur_shelf.pk}/label/").status_code == 404


def _scan(world: World, username: str, code: str) -> tuple[int, dict]:
    response = world.client(username).get("/api/scan/", {"code": code})
    return response.status_code, response.json()


def test_scan_resolves_a_crate_whatever_the_case_and_spaces(world: World) -> None:
    crate = stored_crate(world)
    status, body = _scan(world, "storehead", f"  {crate.number.lower()}\n")
    assert status == 200
    assert body == {
        "kind": "crate",
        "id": crate.pk,
        "number_or_code": crate.number,
        "status": "stored",
        "location_path": "Archive Room 1 / Shelf 1",
        "crate": crate.pk,
        "unit": "GOA",
    }


def test_scan_resolves_a_location_barcode(world: World) -> None:
    status, body = _scan(world, "viewer", "LOC-GOA-GOA-S2")
    assert status == 200
    assert body == {
        "kind": "location",
        "id": world.shelf2.pk,
        "number_or_code": "LOC-GOA-GOA-S2",
        "status": "active",
        "location_path": "Archive Room 1 / Shelf 2",
        "crate": None,
        "unit": "GOA",
    }


def test_scan_resolves_a_document_number_to_the_document_and_its_crate(world: World) -> None:
    crate = make_crate(world)
    document = Document.objects.get(crate=crate)
    status, body = _scan(world, "viewer", document.number)
    assert status == 200
    assert body == {
        "kind": "document",
        "id": document.pk,
        "number_or_code": document.number,
        "status": "in_storage",
        "location_path": None,
        "crate": crate.pk,
        "unit": "GOA",
    }


def test_a_document_number_in_two_crates_asks_for_the_crates_code(world: World) -> None:
    first, second = make_crate(world), make_crate(world)
    Document.objects.filter(crate=second).update(number=Document.objects.get(crate=first).number)
    status, body = _scan(world, "viewer", Document.objects.get(crate=first).number)
    assert status == 409
    assert body["code"] == "conflict"
    assert "more than one crate" in body["detail"]


def test_another_units_crate_location_and_document_are_404_like_garbage(world: World) -> None:
    crate = stored_crate(world, unit=world.kur, location=world.kur_shelf)
    document = Document.objects.get(crate=crate)
    for code in (crate.number, "LOC-KUR-KUR-S1", document.number, "%%garbage§§"):
        status, body = _scan(world, "storehead", code)
        assert status == 404, code
        assert body == {
            "detail": f"{code} is not a crate, location or document of your units. "
            "Check the label, or type the number.",
            "code": "not_found",
        }
    # A System Administrator's units are all units.
    assert _scan(world, "sysadmin", crate.number)[1]["id"] == crate.pk


def test_a_blank_or_overlong_scan_is_400_on_the_code(world: World) -> None:
    assert _scan(world, "viewer", "   ") == (400, {"code": ["Scan or type a code."]})
    status, body = _scan(world, "viewer", "X" * 201)
    assert status == 400 and list(body) == ["code"]
    response = world.client("viewer").get("/api/scan/")
    assert response.status_code == 400 and list(response.json()) == ["code"]


def test_scan_needs_a_signed_in_user(world: World) -> None:
    assert world.client(None).get("/api/scan/", {"code": "LOC-GOA-GOA-S1"}).status_code == 401


def test_scan_runs_a_fixed_number_of_queries(world: World, django_assert_num_queries: DjangoAssertNumQueries) -> None:
    crate = make_crate(world)
    document = Document.objects.get(crate=crate)
    client = world.client("viewer")
    client.get("/api/scan/", {"code": "warm"})  # the user's roles are cached on the user
    for code, queries in ((crate.number, 1), ("LOC-GOA-GOA-S1", 2), (document.number, 3), ("nothing", 3)):
        with django_assert_num_queries(queries):  # one per kind tried: crate, location, document
            client.get("/api/scan/", {"code": code})
