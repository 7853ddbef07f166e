"""A count's report: PDF for the file, CSV for a spreadsheet (cells made safe by apps.core.spreadsheet)."""

import csv
import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from apps.core.spreadsheet import cell
from apps.inventory.models import InventoryCount
from apps.inventory.selectors import CountResult

CLASSES = ("found", "misplaced", "missing", "unexpected")


def _rows(result: CountResult) -> list[list[str]]:
    rows = []
    for name in CLASSES:
        for line in getattr(result, name):
            rows.append(
                [name, line.number, line.expected_location_path or "", line.found_location_path or "", line.status]
            )
    rows += [["unknown", code, "", "", ""] for code in result.unknown]
    return rows


HEADER = ["class", "crate or code", "expected location", "found location", "crate status"]


def count_report_csv(count: InventoryCount, result: CountResult, resolutions: dict[str, str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*HEADER, "resolution"])
    for row in _rows(result):
        writer.writerow([cell(value) for value in [*row, resolutions.get(row[1], "")]])
    return buffer.getvalue()


def count_report_pdf(count: InventoryCount, result: CountResult, resolutions: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, title=f"Count {count.number}", author="Cipla DMS"
    )
    styles = getSampleStyleSheet()
    counter = escape(count.counted_by.full_name or count.counted_by.username)
    summary = [
        f"<b>Location:</b> {escape(count.location.path)} ({escape(count.unit.code)})",
        f"<b>Status:</b> {count.status}",
        f"<b>Counted by:</b> {counter}, opened {count.opened_at:%Y-%m-%d %H:%M} UTC",
    ]
    if count.reviewed_by is not None and count.reviewed_at is not None:
        reviewer = escape(count.reviewed_by.full_name or count.reviewed_by.username)
        summary.append(f"<b>Reviewed by:</b> {reviewer}, {count.reviewed_at:%Y-%m-%d %H:%M} UTC")
    tallies = ", ".join(
        [
            f"expected {result.expected_count if result.expected_count is not None else 'hidden'}",
            f"scanned {result.scanned_count}",
        ]
        + [f"{name} {len(getattr(result, name))}" for name in CLASSES]
        + [f"unknown {len(result.unknown)}"]
    )
    story = [Paragraph(f"Inventory count {count.number}", styles["Title"])]
    story += [Paragraph(line, styles["Normal"]) for line in [*summary, f"<b>Tallies:</b> {tallies}"]]
    story.append(Spacer(1, 6 * mm))
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    data = [[Paragraph(f"<b>{h}</b>", small) for h in [*HEADER, "resolution"]]]
    for row in _rows(result):
        data.append([Paragraph(escape(str(value)), small) for value in [*row, resolutions.get(row[1], "")]])
    table = Table(data, repeatRows=1, colWidths=[22 * mm, 38 * mm, 42 * mm, 42 * mm, 18 * mm, 18 * mm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(table)
    document.build(story)
    return buffer.getvalue()
