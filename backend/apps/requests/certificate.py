"""The certificate of destruction (docs/workflows.md): a PDF naming every crate and document destroyed,
their retention dates, and the approver's and executor's electronic signatures (Part 11
§11.50: printed name, date and time, and meaning of each signature)."""

import io
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from apps.core.errors import invalid_transition
from apps.crates.models import Document
from apps.requests.models import Request


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S %Z") if value else "—"


def _table(rows: list[list[Any]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def destruction_certificate_pdf(request: Request) -> bytes:
    """The PDF of a completed destruction request; 409 for anything else."""
    if request.request_type != Request.Type.DESTRUCTION or request.status != Request.Status.COMPLETED:
        raise invalid_transition("A certificate exists only for a completed destruction request.")
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    items = list(request.items.select_related("crate__department", "source_location").order_by("crate__number"))
    crate_ids = [item.crate_id for item in items]
    documents = list(
        Document.objects.filter(crate_id__in=crate_ids)
        .select_related("crate", "document_type")
        .order_by("crate__number", "number")
    )

    story: list[Any] = [
        Paragraph("Certificate of Destruction", styles["Title"]),
        Paragraph(
            f"Request <b>{request.number}</b> — {escape(request.unit.code)} {escape(request.unit.name)}",
            styles["Heading3"],
        ),
        Paragraph(f"Purpose: {escape(request.purpose)}", small),
        Paragraph(
            f"Requested by {escape(request.requester.full_name)} ({escape(request.requester.username)}) "
            f"on {_when(request.created_at)}",
            small,
        ),
        Paragraph(f"Destruction completed on {_when(request.completed_at)}", small),
        Spacer(1, 5 * mm),
        Paragraph(f"Crates destroyed ({len(items)})", styles["Heading4"]),
        _table(
            [["Crate", "Department", "Last location", "Retention until"]]
            + [
                [
                    item.crate.number,
                    item.crate.department.code,
                    Paragraph(escape(item.source_location.path) if item.source_location else "—", small),
                    str(item.crate.retention_until or "—"),
                ]
                for item in items
            ],
            [50 * mm, 25 * mm, 70 * mm, 30 * mm],
        ),
        Spacer(1, 5 * mm),
        Paragraph(f"Documents destroyed ({len(documents)})", styles["Heading4"]),
        _table(
            [["Crate", "Document", "Title", "Type", "Record date", "Retention until"]]
            + [
                [
                    document.crate.number,
                    document.number,
                    Paragraph(escape(document.title), small),
                    document.document_type.code,
                    str(document.record_date),
                    str(document.retention_until),
                ]
                for document in documents
            ],
            [40 * mm, 28 * mm, 55 * mm, 14 * mm, 20 * mm, 22 * mm],
        ),
        Spacer(1, 5 * mm),
        Paragraph("Electronic signatures", styles["Heading4"]),
        _table(
            [["Meaning", "Signed by", "User", "Date and time", "Comment"]]
            + [
                [
                    signature.get_meaning_display(),
                    signature.full_name,
                    signature.username,
                    _when(signature.signed_at),
                    Paragraph(escape(signature.comment) or "—", small),
                ]
                for signature in request.signatures.all()
            ],
            [35 * mm, 40 * mm, 25 * mm, 40 * mm, 39 * mm],
        ),
        Spacer(1, 5 * mm),
        Paragraph(
            f"Generated {_when(timezone.now())} by Cipla DMS. Signatures are electronic signatures "
            "executed under 21 CFR Part 11 and EU GMP Annex 11.",
            small,
        ),
    ]
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"Certificate of Destruction {request.number}",
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
    ).build(story)
    return buffer.getvalue()
