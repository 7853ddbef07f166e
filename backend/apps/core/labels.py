"""Printable labels (docs/api.md, "Labels"): the code as Code 128 and as QR, with a few lines of text.

One drawing serves every format: a single 100 x 70 mm label a page, Avery L7163 (A4, 14 a
sheet) and Avery 5163 (US Letter, 10 a sheet); ZPL is the same content for Zebra thermal
printers (4 x 2.5 in at 203 dpi). What a label says is the caller's (`LabelContent`): the crate
and location apps build theirs, this module only lays it out.
"""

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode import code128, qr
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import inch, mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas

from apps.audit import services as audit

MAX_LABELS = 500


@dataclass(frozen=True)
class LabelContent:
    code: str  # what both barcodes encode, also printed under the Code 128
    heading: str  # "CIPLA DMS - ARCHIVE CRATE"
    lines: Sequence[str] = ()  # short facts, one line each, dropped from the end where room runs out
    note: str = ""  # free text (a description), only on labels with room for it
    warning: str = ""  # printed bold after the lines ("LEGAL HOLD - DO NOT DESTROY")


@dataclass(frozen=True)
class SheetLayout:
    """Labels on a page: `columns` x `rows` labels of `label` size, the first one's top-left
    corner at (`left`, `top`) from the page's top-left, the next ones `pitch` apart."""

    page: tuple[float, float]
    label: tuple[float, float]
    columns: int = 1
    rows: int = 1
    left: float = 0.0
    top: float = 0.0
    pitch: tuple[float, float] = field(default=(0.0, 0.0))

    @property
    def per_page(self) -> int:
        return self.columns * self.rows


SINGLE = SheetLayout(page=(100 * mm, 70 * mm), label=(100 * mm, 70 * mm))
# Avery's published templates: L7163 is 99.1 x 38.1 mm, 2 x 7 on A4; 5163 is 4 x 2 in, 2 x 5 on Letter.
AVERY_L7163 = SheetLayout(
    page=A4,
    label=(99.1 * mm, 38.1 * mm),
    columns=2,
    rows=7,
    left=4.65 * mm,
    top=15.15 * mm,
    pitch=(101.6 * mm, 38.1 * mm),
)
AVERY_5163 = SheetLayout(
    page=LETTER,
    label=(4 * inch, 2 * inch),
    columns=2,
    rows=5,
    left=0.15625 * inch,
    top=0.5 * inch,
    pitch=(4.1875 * inch, 2 * inch),
)
PDF_LAYOUTS = {"single": SINGLE, "avery-l7163": AVERY_L7163, "avery-5163": AVERY_5163}
FORMATS = (*PDF_LAYOUTS, "zpl")


def _barcode(code: str, max_width: float, height: float) -> code128.Code128:
    # Thinner bars for long codes, but not below what label printers (203 dpi) resolve. The
    # width (quiet zones included) grows in step with the bar width: measure once, then scale.
    probe = code128.Code128(code, barWidth=1, barHeight=height, humanReadable=False, quiet=True)
    bar_width = max(min(0.33 * mm, max_width / probe.width), 0.2 * mm)
    return code128.Code128(code, barWidth=bar_width, barHeight=height, humanReadable=False, quiet=True)


def _qr(code: str, size: float) -> Drawing:
    # Sized by the widget itself: measuring it (getBounds) would encode the code a second time,
    # the slowest part of a sheet of 500 labels.
    widget = qr.QrCodeWidget(code, barLevel="M", barWidth=size, barHeight=size)
    drawing = Drawing(size, size)
    drawing.add(widget)
    return drawing


def _draw_label(pdf: canvas.Canvas, x: float, y: float, width: float, height: float, content: LabelContent) -> None:
    """One label with its bottom-left corner at (x, y)."""
    roomy = height >= 55 * mm  # the single 100 x 70 mm label: barcode across, description shown
    margin = 4 * mm if roomy else 3 * mm
    qr_size = 26 * mm if roomy else min(height - 2 * margin, 0.3 * width)
    qr_y = y + height - margin - qr_size if roomy else y + (height - qr_size) / 2
    renderPDF.draw(_qr(content.code, qr_size), pdf, x + width - margin - qr_size, qr_y)

    text_width = width - 2 * margin - qr_size - 2 * mm
    bar_height = 13 * mm if roomy else min(10 * mm, height * 0.26)
    bar_width = width - 2 * margin if roomy else text_width
    barcode = _barcode(content.code, bar_width, bar_height)
    bar_y = y + margin + 3.5 * mm
    bar_x = x + (width - barcode.width) / 2 if roomy else x + margin
    barcode.drawOn(pdf, bar_x, bar_y)
    pdf.setFont("Helvetica", 7)
    pdf.drawCentredString(bar_x + barcode.width / 2, y + margin, content.code)

    # Text from the top down, stopping above the barcode (or the description on a roomy label).
    text_floor = y + 36 * mm if roomy else bar_y + bar_height + 1 * mm
    top = y + height - margin
    pdf.setFont("Helvetica-Bold", 7 if roomy else 6)
    pdf.drawString(x + margin, top - (4 if roomy else 3) * mm, content.heading[:60])
    cursor = top - (9.5 if roomy else 7) * mm
    code_size = 11 if roomy else 9
    code_font = float(code_size)
    while pdf.stringWidth(content.code, "Helvetica-Bold", code_font) > text_width and code_font > 6:
        code_font -= 0.5
    pdf.setFont("Helvetica-Bold", code_font)
    pdf.drawString(x + margin, cursor, content.code)
    cursor -= (5 if roomy else 3.6) * mm
    step = (3.6 if roomy else 3) * mm
    size = 7.5 if roomy else 6.5
    lines = [(line, "Helvetica") for line in content.lines]
    if content.warning:
        lines.append((content.warning, "Helvetica-Bold"))
    for line, font in lines:
        if cursor < text_floor:
            break
        pdf.setFont(font, size)
        pdf.drawString(x + margin, cursor, (simpleSplit(line, font, size, text_width) or [""])[0])
        cursor -= step

    if roomy and content.note:
        pdf.setFont("Helvetica", 7)
        cursor = y + 33 * mm
        for line in simpleSplit(content.note, "Helvetica", 7, width - 2 * margin)[:2]:
            pdf.drawString(x + margin, cursor, line)
            cursor -= 3.2 * mm


def labels_pdf(contents: Sequence[LabelContent], layout: SheetLayout = SINGLE, *, title: str = "Labels") -> bytes:
    """The labels, in order, filling each page row by row from the top-left."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=layout.page, pageCompression=1)
    pdf.setTitle(title)
    pdf.setAuthor("Cipla DMS")
    pdf.setSubject(contents[0].code if len(contents) == 1 else f"{len(contents)} labels")
    page_height = layout.page[1]
    label_width, label_height = layout.label
    for start in range(0, max(len(contents), 1), layout.per_page):
        for index, content in enumerate(contents[start : start + layout.per_page]):
            row, column = divmod(index, layout.columns)
            x = layout.left + column * layout.pitch[0]
            y = page_height - layout.top - row * layout.pitch[1] - label_height
            _draw_label(pdf, x, y, label_width, label_height, content)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


# --- ZPL: 4 x 2.5 in at 203 dpi (812 x 508 dots) ------------------------------------------------

ZPL_WIDTH, ZPL_HEIGHT = 812, 508


def _zpl_text(value: str) -> str:
    """Field data with ^FH: the characters ZPL reads as commands (^ ~) and the escape itself as hex."""
    return value.replace("\\", "\\5C").replace("^", "\\5E").replace("~", "\\7E")


def _zpl_field(x: int, y: int, font: str, value: str) -> str:
    return f"^FO{x},{y}{font}^FH\\^FD{_zpl_text(value)}^FS"


def labels_zpl(contents: Sequence[LabelContent]) -> str:
    """One ^XA ... ^XZ block a label: heading, code, lines, Code 128 (^BC) and QR (^BQ)."""
    blocks = []
    for content in contents:
        fields = [
            _zpl_field(30, 30, "^A0N,26,26", content.heading[:40]),
            _zpl_field(30, 66, "^A0N,40,40", content.code),
        ]
        y = 118
        lines = [*content.lines, *([content.warning] if content.warning else [])]
        for line in lines[:5]:
            fields.append(_zpl_field(30, y, "^A0N,24,24", line[:45]))
            y += 30
        module = 2 if len(content.code) <= 30 else 1
        fields.append(f"^FO30,{ZPL_HEIGHT - 150}^BY{module}^BCN,90,Y,N,N^FH\\^FD{_zpl_text(content.code)}^FS")
        # QR: model 2, magnification 5; "QA," = error correction Q, automatic data mode.
        fields.append(f"^FO{ZPL_WIDTH - 210},20^BQN,2,5^FH\\^FDQA,{_zpl_text(content.code)}^FS")
        blocks.append("\n".join(["^XA", "^CI28", f"^PW{ZPL_WIDTH}", f"^LL{ZPL_HEIGHT}", *fields, "^XZ"]))
    return "\n".join(blocks) + "\n"


def labels_printed(*, actor: Any, printed: Sequence[Any], codes: list[str], fmt: str) -> None:
    """Printing labels is an export (docs/audit.md): one `labels.printed` event per call naming
    every code printed; on a single crate or location, that object is the event's entity."""
    units = {item.unit_id for item in printed}
    single = printed[0] if len(printed) == 1 else None
    audit.record(
        action="labels.printed",
        instance=single,
        entity_type="" if single else printed[0]._meta.model_name,
        unit_id=units.pop() if len(units) == 1 else None,
        changes={"labels": [None, codes]},
        comment=f"{len(codes)} label(s), {fmt}",
        actor=actor,
    )
