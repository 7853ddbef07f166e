"""Printable crate label: one 100 x 70 mm page with the number as Code 128 and as QR code."""

import io

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode import code128, qr
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas

from apps.crates.models import Crate

LABEL_WIDTH = 100 * mm
LABEL_HEIGHT = 70 * mm
MARGIN = 4 * mm
QR_SIZE = 26 * mm


def _barcode(number: str, max_width: float) -> code128.Code128:
    # Thinner bars for long numbers, but not below what label printers (203 dpi) resolve.
    bar_width = 0.33 * mm
    barcode = code128.Code128(number, barWidth=bar_width, barHeight=13 * mm, humanReadable=False, quiet=True)
    while barcode.width > max_width and bar_width > 0.2 * mm:
        bar_width -= 0.01 * mm
        barcode = code128.Code128(number, barWidth=bar_width, barHeight=13 * mm, humanReadable=False, quiet=True)
    return barcode


def _qr(number: str, size: float) -> Drawing:
    widget = qr.QrCodeWidget(number, barLevel="M")
    x1, y1, x2, y2 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0])
    drawing.add(widget)
    return drawing


def crate_label_pdf(crate: Crate) -> bytes:
    """The label of `crate` (needs unit and department loaded) as PDF bytes."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(LABEL_WIDTH, LABEL_HEIGHT), pageCompression=1)
    pdf.setTitle(f"Crate label {crate.number}")
    pdf.setAuthor("Cipla DMS")
    pdf.setSubject(crate.number)

    renderPDF.draw(_qr(crate.number, QR_SIZE), pdf, LABEL_WIDTH - MARGIN - QR_SIZE, LABEL_HEIGHT - MARGIN - QR_SIZE)

    text_width = LABEL_WIDTH - 2 * MARGIN - QR_SIZE - 2 * mm
    y = LABEL_HEIGHT - MARGIN - 4 * mm
    pdf.setFont("Helvetica-Bold", 7)
    pdf.drawString(MARGIN, y, "CIPLA DMS - ARCHIVE CRATE")
    y -= 5.5 * mm
    pdf.setFont("Helvetica-Bold", 11)
    pdf.drawString(MARGIN, y, crate.number)
    y -= 5 * mm
    pdf.setFont("Helvetica", 7.5)
    lines = [
        f"Unit: {crate.unit.code} - {crate.unit.name}",
        f"Department: {crate.department.code} - {crate.department.name}",
        f"Retain until: {crate.retention_until.isoformat() if crate.retention_until else 'not set'}",
    ]
    if crate.legal_hold:
        lines.append("LEGAL HOLD - DO NOT DESTROY")
    for line in lines:
        for part in simpleSplit(line, "Helvetica", 7.5, text_width)[:1]:
            pdf.drawString(MARGIN, y, part)
        y -= 3.6 * mm

    description = simpleSplit(crate.description or "", "Helvetica", 7, LABEL_WIDTH - 2 * MARGIN)[:2]
    pdf.setFont("Helvetica", 7)
    y = 33 * mm
    for line in description:
        pdf.drawString(MARGIN, y, line)
        y -= 3.2 * mm

    barcode = _barcode(crate.number, LABEL_WIDTH - 2 * MARGIN)
    barcode.drawOn(pdf, (LABEL_WIDTH - barcode.width) / 2, MARGIN + 3.5 * mm)
    pdf.setFont("Helvetica", 7)
    pdf.drawCentredString(LABEL_WIDTH / 2, MARGIN, crate.number)

    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
