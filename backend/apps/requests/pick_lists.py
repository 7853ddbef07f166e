"""Pick lists (docs/workflows.md, "Pick lists"): what an approved request moves, in shelf order.

An approved withdrawal, destruction or transfer is a pick list (where each crate is now); an
approved storage request is a put-away list (its crates have no place until it is executed,
so they come last, by number). Several approved requests of one unit merge into one walk.
"""

import io
import re
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.graphics.barcode import code128
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from apps.core.errors import ApplicationError, field_error, invalid_transition
from apps.requests.models import Request, RequestItem

MAX_REQUESTS = 50


@dataclass(frozen=True)
class PickDocument:
    id: int
    number: str
    title: str


@dataclass(frozen=True)
class PickItem:
    request: int
    request_number: str
    crate: int
    number: str
    location: int | None
    location_path: str | None
    document: PickDocument | None


def _natural(text: str) -> tuple[Any, ...]:
    # "Shelf 2" before "Shelf 10": shelves are walked in the order their numbers say.
    return tuple(int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", text))


def _shelf_order(item: PickItem) -> tuple[Any, ...]:
    return (
        item.location_path is None,
        _natural(item.location_path or ""),
        item.number,
        item.document is None,
        item.document.number if item.document else "",
    )


def _item(request: Request, item: RequestItem) -> PickItem:
    location = item.crate.location
    return PickItem(
        request=request.pk,
        request_number=request.number,
        crate=item.crate_id,
        number=item.crate.number,
        location=location.pk if location else None,
        location_path=location.path if location else None,
        document=PickDocument(item.document.pk, item.document.number, item.document.title) if item.document else None,
    )


def check_pickable(requests: list[Request]) -> None:
    """Approved requests of one unit, or the error that says which is not (409 / 400)."""
    not_approved = [request for request in requests if request.status != Request.Status.APPROVED]
    if not_approved:
        listed = ", ".join(f"{request.number} is {request.status}" for request in not_approved[:10])
        raise invalid_transition(f"A pick list is for approved requests: {listed}.")
    units = {request.unit_id for request in requests}
    if len(units) > 1:
        raise field_error("requests", "A pick list walks one unit's archive: give requests of one unit.")


def pick_list(requests: list[Request]) -> list[PickItem]:
    """The items of `requests` (items prefetched with their crate's location and the document)
    in shelf order."""
    check_pickable(requests)
    items = [_item(request, item) for request in requests for item in request.items.all()]
    return sorted(items, key=_shelf_order)


def parse_request_ids(raw: str | None) -> list[int]:
    """`?requests=1,2,3` as ids (400 naming the parameter otherwise)."""
    parts = [part.strip() for part in (raw or "").split(",") if part.strip()]
    if not parts:
        raise field_error("requests", "Give the requests to pick, e.g. ?requests=12,15.")
    if not all(part.isdigit() for part in parts):
        raise field_error("requests", "Request ids are whole numbers separated by commas.")
    ids = list(dict.fromkeys(int(part) for part in parts))
    if len(ids) > MAX_REQUESTS:
        raise field_error("requests", f"At most {MAX_REQUESTS} requests in one pick list.")
    return ids


def found_in_order(found: dict[int, Request], ids: list[int]) -> list[Request]:
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise ApplicationError(f"No request {', '.join(map(str, missing))} in your units.", code="not_found")
    return [found[pk] for pk in ids]


# --- PDF ------------------------------------------------------------------------------------


class _Barcode(Flowable):
    """A Code 128 of the crate number, sized to the table cell."""

    def __init__(self, value: str, width: float = 42 * mm, height: float = 9 * mm) -> None:
        super().__init__()
        bar_width = 0.3 * mm
        barcode = code128.Code128(value, barWidth=bar_width, barHeight=height, humanReadable=False, quiet=False)
        while barcode.width > width and bar_width > 0.18 * mm:
            bar_width -= 0.01 * mm
            barcode = code128.Code128(value, barWidth=bar_width, barHeight=height, humanReadable=False, quiet=False)
        self.barcode = barcode
        self.width, self.height = barcode.width, height

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        self.barcode.drawOn(self.canv, 0, 0)


def kind_of_list(requests: list[Request]) -> str:
    types = {request.request_type for request in requests}
    if types == {Request.Type.STORAGE}:
        return "Put-away list"
    return "Pick list" if Request.Type.STORAGE not in types else "Pick and put-away list"


def pick_list_pdf(requests: list[Request], items: list[PickItem], *, printed_by: Any) -> bytes:
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    title = kind_of_list(requests)
    unit = requests[0].unit
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=f"{title} {', '.join(request.number for request in requests)}",
        author="Cipla DMS",
        subject=", ".join(request.number for request in requests),
    )
    header = ", ".join(
        f"<b>{escape(request.number)}</b> ({escape(request.get_request_type_display().lower())})"
        for request in requests
    )
    printed = timezone.localtime().strftime("%Y-%m-%d %H:%M %Z")
    story: list[Any] = [
        Paragraph(title, styles["Title"]),
        Paragraph(f"{escape(unit.code)} {escape(unit.name)} — {header}", styles["BodyText"]),
        Paragraph(
            f"Printed {printed} by {escape(printed_by.full_name or printed_by.username)}. "
            f"{len(items)} item(s), in shelf order. Tick each item as it is taken or put away.",
            small,
        ),
        Spacer(1, 4 * mm),
    ]
    rows: list[list[Any]] = [["#", "Location", "Crate", "Barcode", "Document", "Request", "Done"]]
    for index, item in enumerate(items, start=1):
        rows.append(
            [
                str(index),
                Paragraph(escape(item.location_path or "To be allocated"), small),
                Paragraph(f"<b>{escape(item.number)}</b>", small),
                _Barcode(item.number),
                Paragraph(
                    escape(f"{item.document.number} {item.document.title}") if item.document else "whole crate", small
                ),
                Paragraph(escape(item.request_number), small),
                "",
            ]
        )
    widths = [7 * mm, 33 * mm, 35 * mm, 44 * mm, 31 * mm, 28 * mm, 8 * mm]  # 186 mm: A4 less the margins
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    story.append(table)
    document.build(story)
    return buffer.getvalue()
