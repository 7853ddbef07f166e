"""POST /api/labels/: label sheets and ZPL for up to 500 crates or locations (docs/api.md, "Labels")."""

import datetime
import io
import re
from typing import Any

from pypdf import PdfReader
from reportlab.lib.pagesizes import A4, LETTER

from apps.audit.models import AuditEvent
from apps.crates.models import Crate
from apps.storage.models import StorageLocation
from tests.conftest import World
from tests.requests.conftest import make_crate, place_hold
from tests.shelf.barcodes import code128_values


def _crates(world: World, count: int, unit_code: str = "GOA") -> list[Crate]:
    """`count` draft crates in one INSERT (label tests need many, not their history)."""
    unit = world.goa if unit_code == "GOA" else world.kur
    department = world.qa if unit_code == "GOA" else world.kur_qa
    creator = world.user("docmanager")
    Crate.objects.bulk_create(
        Crate(number=f"CRT-{unit_code}-2026-{n:06d}", unit=unit, department=department, created_by=creator)
        for n in range(1, count + 1)
    )
    return list(Crate.objects.filter(unit=unit).order_by("number"))


def _post(world: World, body: dict[str, Any], username: str = "viewer") -> Any:
    return world.client(username).post("/api/labels/", body, format="json")


def _pdf(response: Any) -> PdfReader:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.content))


def _size(reader: PdfReader, page: int = 0) -> tuple[float, float]:
    box = reader.pages[page].mediabox
    return (round(float(box.width), 1), round(float(box.height), 1))


def test_single_labels_are_one_100_by_70_mm_page_each_in_the_order_asked(world: World) -> None:
    crates = [make_crate(world), make_crate(world), make_crate(world)]
    order = [crates[2].pk, crates[0].pk, crates[1].pk]
    reader = _pdf(_post(world, {"crates": order, "format": "single"}))
    assert len(reader.pages) == 3
    assert _size(reader) == (round(100 / 25.4 * 72, 1), round(70 / 25.4 * 72, 1))
    numbers = [Crate.objects.get(pk=pk).number for pk in order]
    for page, number in zip(reader.pages, numbers, strict=True):
        assert page.extract_text().count(number) == 2  # beside the QR code and under the Code 128
        assert code128_values(page) == [number]  # the bars themselves, decoded


def test_avery_l7163_puts_14_labels_on_an_a4_sheet(world: World) -> None:
    crates = _crates(world, 15)
    response = _post(world, {"crates": [crate.pk for crate in crates], "format": "avery-l7163"})
    assert response["Content-Disposition"] == 'inline; filename="crate-labels-avery-l7163.pdf"'
    reader = _pdf(response)
    assert len(reader.pages) == 2
    assert _size(reader) == (round(A4[0], 1), round(A4[1], 1))
    first, second = (page.extract_text() for page in reader.pages)
    assert [number for number in (c.number for c in crates) if number in first] == [c.number for c in crates[:14]]
    assert crates[14].number in second and crates[13].number not in second
    # Row by row, left then right, as the sheet is read: the bars decode to the numbers in order.
    assert code128_values(reader.pages[0]) == [crate.number for crate in crates[:14]]
    assert code128_values(reader.pages[1]) == [crates[14].number]


def test_avery_5163_puts_10_labels_on_a_letter_sheet(world: World) -> None:
    crates = _crates(world, 11)
    reader = _pdf(_post(world, {"crates": [crate.pk for crate in crates], "format": "avery-5163"}))
    assert len(reader.pages) == 2
    assert _size(reader) == (round(LETTER[0], 1), round(LETTER[1], 1))
    assert reader.pages[1].extract_text().count(crates[10].number) == 2
    assert code128_values(reader.pages[0]) == [crate.number for crate in crates[:10]]


def test_zpl_is_one_xa_xz_block_per_label_with_code128_and_qr_of_the_number(world: World) -> None:
    crate = make_crate(world)
    Crate.objects.filter(pk=crate.pk).update(retention_until=datetime.date(2031, 5, 1))
    place_hold(world, crate)
    response = _post(world, {"crates": [crate.pk, world_crate_pk(world)], "format": "zpl"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="crate-labels.zpl"'
    text = response.content.decode()
    blocks = re.findall(r"\^XA(.*?)\^XZ", text, flags=re.S)
    assert len(blocks) == 2
    assert text.count("^XA") == text.count("^XZ") == 2
    first = blocks[0]
    assert "^PW812" in first and "^LL508" in first  # 4 x 2.5 in at 203 dpi
    assert re.findall(r"\^BC[^\^]*\^FH\\\^FD([^\^]*)\^FS", first) == [crate.number]
    assert re.findall(r"\^BQ[^\^]*\^FH\\\^FDQA,([^\^]*)\^FS", first) == [crate.number]
    assert "Retain until: 2031-05-01" in first and "LEGAL HOLD - DO NOT DESTROY" in first


def world_crate_pk(world: World) -> int:
    return make_crate(world).pk


def test_zpl_field_data_cannot_inject_commands(world: World) -> None:
    location = StorageLocation.objects.create(
        unit=world.goa, kind="shelf", code="X^XZ~JA", name="Odd ^name", path="Odd ^name"
    )
    text = _post(world, {"locations": [location.pk], "format": "zpl"}).content.decode()
    assert text.count("^XZ") == 1
    assert "~JA" not in text
    assert "LOC-GOA-X\\5EXZ\\7EJA" in text


def test_location_labels_with_their_subtree_in_tree_order(world: World) -> None:
    reader = _pdf(_post(world, {"locations": [world.room.pk], "subtree": True, "format": "avery-5163"}))
    text = reader.pages[0].extract_text()
    positions = [text.find(code) for code in ("LOC-GOA-GOA-AR1", "LOC-GOA-GOA-S1", "LOC-GOA-GOA-S2")]
    assert -1 not in positions and positions == sorted(positions)
    assert "LOC-KUR" not in text
    alone = _pdf(_post(world, {"locations": [world.room.pk]}))
    assert len(alone.pages) == 1


def test_500_labels_are_accepted_and_501_refused(world: World) -> None:
    crates = _crates(world, 501)
    ids = [crate.pk for crate in crates]
    response = _post(world, {"crates": ids[:500], "format": "zpl"})
    assert response.status_code == 200
    assert response.content.decode().count("^XA") == 500
    refused = _post(world, {"crates": ids, "format": "zpl"})
    assert refused.status_code == 400
    assert refused.json() == {"crates": ["At most 500 labels a call; 501 given."]}


def test_a_subtree_over_500_locations_is_refused(world: World) -> None:
    StorageLocation.objects.bulk_create(
        StorageLocation(unit=world.goa, parent=world.room, kind="bin", code=f"B{n}", name=f"Bin {n}", barcode=f"B{n}")
        for n in range(500)
    )
    response = _post(world, {"locations": [world.room.pk], "subtree": True})
    assert response.status_code == 400
    assert response.json() == {
        "locations": ["These locations and those under them make 503 labels; at most 500 a call."]
    }


def test_another_units_crate_or_location_is_404_and_nothing_is_printed(world: World) -> None:
    mine, theirs = make_crate(world), make_crate(world, unit=world.kur)
    response = _post(world, {"crates": [mine.pk, theirs.pk]})
    assert response.status_code == 404
    assert response.json() == {"detail": f"No crate {theirs.pk} in your units.", "code": "not_found"}
    response = _post(world, {"locations": [world.kur_shelf.pk]})
    assert response.status_code == 404
    assert _post(world, {"crates": [mine.pk, theirs.pk]}, username="sysadmin").status_code == 200


def test_bad_bodies_are_400_naming_the_field(world: World) -> None:
    crate = make_crate(world)
    cases: list[tuple[dict[str, Any], str]] = [
        ({}, "crates"),
        ({"crates": [], "locations": []}, "crates"),
        ({"crates": [crate.pk], "locations": [world.shelf.pk]}, "crates"),
        ({"crates": [crate.pk], "format": "avery-9999"}, "format"),
        ({"crates": ["abc"]}, "crates"),
        ({"crates": [crate.pk], "subtree": True}, "subtree"),
    ]
    for body, field in cases:
        response = _post(world, body)
        assert response.status_code == 400, body
        assert list(response.json()) == [field], body


def test_printing_labels_is_audited_with_every_code_and_the_format(world: World) -> None:
    crates = [make_crate(world), make_crate(world)]
    assert _post(world, {"crates": [crates[1].pk, crates[0].pk], "format": "zpl"}).status_code == 200
    event = AuditEvent.objects.get(action="labels.printed")
    assert (event.actor, event.entity_type, event.unit_id) == (world.user("viewer"), "crate", world.goa.pk)
    assert event.changes == {"labels": [None, [crates[1].number, crates[0].number]]}
    assert event.comment == "2 label(s), zpl"

    response = world.client("storehead").get(f"/api/locations/{world.shelf.pk}/label/")
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action="labels.printed").latest("sequence")
    assert (event.entity_type, event.entity_id, event.actor) == (
        "storagelocation", str(world.shelf.pk), world.user("storehead"),
    )  # fmt: skip
    assert event.changes == {"labels": [None, [world.shelf.barcode]]}
    # A refused print (another unit's location) writes nothing.
    before = AuditEvent.objects.count()
    assert _post(world, {"locations": [world.kur_shelf.pk], "format": "single"}).status_code == 404
    assert AuditEvent.objects.count() == before
