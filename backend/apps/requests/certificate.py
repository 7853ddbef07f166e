"""The certificate of destruction (docs/workflows.md): a PDF naming every crate and document
destroyed, their retention dates, the method, the vendor, and the approver's, executor's and
witness's electronic signatures (Part 11 §11.50: printed name, date and time, and meaning of
each signature).

Its content is fixed when the destruction is executed: `certificate_content` is stored on the
request with its SHA-256 (`certificate_sha256`), and the PDF is rendered from that stored
content with the hash printed on every page, so a paper copy can be checked with
`GET /api/requests/{id}/certificate/verify/?sha256=…`. Every table cell is a paragraph that
wraps (long numbers, titles and paths break inside their column), and the columns add up to
the width between the margins, so no text leaves the page.
"""

import hashlib
import io
import json
from datetime import UTC
from typing import Any
from xml.sax.saxutils import escape

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from apps.core.errors import invalid_transition
from apps.crates.models import Document
from apps.requests.models import Request

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 15 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN


def _iso(value: Any) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


def certificate_content(request: Request) -> dict[str, Any]:
    """What the certificate says, as JSON values: computed once, at execution, and stored."""
    items = list(request.items.select_related("crate__department", "source_location").order_by("crate__number"))
    documents = (
        Document.objects.filter(crate_id__in=[item.crate_id for item in items])
        .select_related("crate", "document_type")
        .order_by("crate__number", "number")
    )
    witness = request.destruction_witness
    content = {
        "certificate": "destruction",
        "request": request.number,
        "unit": {"code": request.unit.code, "name": request.unit.name},
        "purpose": request.purpose,
        "requested_by": {"username": request.requester.username, "full_name": request.requester.full_name},
        "requested_at": _iso(request.created_at),
        "completed_at": _iso(request.completed_at),
        "method": request.destruction_method,
        "vendor": request.destruction_vendor,
        "witness": {"username": witness.username, "full_name": witness.full_name} if witness else None,
        "crates": [
            {
                "number": item.crate.number,
                "department": item.crate.department.code,
                "last_location": item.source_location.path if item.source_location else None,
                "retention_until": item.crate.retention_until,
            }
            for item in items
        ],
        "documents": [
            {
                "crate": document.crate.number,
                "number": document.number,
                "title": document.title,
                "type": document.document_type.code,
                "record_date": document.record_date,
                "retention_until": document.retention_until,
            }
            for document in documents
        ],
        "signatures": [
            {
                "id": signature.pk,
                "meaning": signature.meaning,
                "meaning_display": signature.get_meaning_display(),
                "full_name": signature.full_name,
                "username": signature.username,
                "signed_at": _iso(signature.signed_at),
                "comment": signature.comment,
                "content_hash": signature.content_hash,
            }
            for signature in request.signatures.order_by("signed_at", "id")
        ],
    }
    return json.loads(_canonical(content))  # type: ignore[no-any-return]


def _canonical(content: dict[str, Any]) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder)


def certificate_hash(content: dict[str, Any]) -> str:
    return hashlib.sha256(_canonical(content).encode("utf-8")).hexdigest()


def _when(value: str | None) -> str:
    parsed = parse_datetime(value) if value else None
    return timezone.localtime(parsed).strftime("%Y-%m-%d %H:%M:%S %Z") if parsed else "—"


def _table(rows: list[list[str]], fractions: list[float], cell: ParagraphStyle, head: ParagraphStyle) -> Table:
    """A table exactly as wide as the text column; every cell wraps inside its column."""
    widths = [CONTENT_WIDTH * fraction / sum(fractions) for fraction in fractions]
    data = [[Paragraph(escape(text), head) for text in rows[0]]] + [
        [Paragraph(escape(text or "—"), cell) for text in row] for row in rows[1:]
    ]
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def destruction_certificate_pdf(request: Request) -> bytes:
    """The PDF of a completed destruction request; 409 for anything else."""
    if request.request_type != Request.Type.DESTRUCTION or request.status != Request.Status.COMPLETED:
        raise invalid_transition("A certificate exists only for a completed destruction request.")
    # Destructions executed before certificates were hashed are rendered from today's data
    # and carry no SHA-256.
    content = request.certificate_content or certificate_content(request)
    sha256 = request.certificate_sha256
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    # wordWrap CJK breaks a long token (a number, a path, a hash) anywhere, not only at spaces.
    cell = small.clone("cell", wordWrap="CJK")
    head = cell.clone("head", fontName="Helvetica-Bold")
    method = dict(Request.DestructionMethod.choices).get(content.get("method") or "", "—")
    witness = content.get("witness")

    story: list[Any] = [
        Paragraph("Certificate of Destruction", styles["Title"]),
        Paragraph(
            f"Request <b>{escape(content['request'])}</b> — {escape(content['unit']['code'])} "
            f"{escape(content['unit']['name'])}",
            styles["Heading3"],
        ),
        Paragraph(f"Purpose: {escape(content['purpose'])}", cell),
        Paragraph(
            f"Requested by {escape(content['requested_by']['full_name'])} "
            f"({escape(content['requested_by']['username'])}) on {_when(content['requested_at'])}",
            cell,
        ),
        Paragraph(f"Destruction completed on {_when(content['completed_at'])}", cell),
        Paragraph(f"Method: {escape(method)}. Vendor: {escape(content.get('vendor') or '—')}.", cell),
        Paragraph(
            "Witness: " + (f"{escape(witness['full_name'])} ({escape(witness['username'])})" if witness else "—"),
            cell,
        ),
        Spacer(1, 5 * mm),
        Paragraph(f"Crates destroyed ({len(content['crates'])})", styles["Heading4"]),
        _table(
            [["Crate", "Department", "Last location", "Retention until"]]
            + [
                [crate["number"], crate["department"], crate["last_location"], crate["retention_until"]]
                for crate in content["crates"]
            ],
            [3, 2, 5, 2],
            cell,
            head,
        ),
        Spacer(1, 5 * mm),
        Paragraph(f"Documents destroyed ({len(content['documents'])})", styles["Heading4"]),
        _table(
            [["Crate", "Document", "Title", "Type", "Record date", "Retention until"]]
            + [
                [
                    document["crate"],
                    document["number"],
                    document["title"],
                    document["type"],
                    document["record_date"],
                    document["retention_until"],
                ]
                for document in content["documents"]
            ],
            [3, 3, 5, 1.4, 2, 2],
            cell,
            head,
        ),
        Spacer(1, 5 * mm),
        Paragraph("Electronic signatures", styles["Heading4"]),
        _table(
            [["Meaning", "Signed by", "User", "Date and time", "Comment", "Signed content SHA-256"]]
            + [
                [
                    signature["meaning_display"],
                    signature["full_name"],
                    signature["username"],
                    _when(signature["signed_at"]),
                    signature["comment"],
                    signature["content_hash"],
                ]
                for signature in content["signatures"]
            ],
            [2.4, 2.4, 1.8, 2.6, 2.6, 4],
            cell,
            head,
        ),
        Spacer(1, 5 * mm),
        Paragraph(
            f"Generated {timezone.localtime():%Y-%m-%d %H:%M:%S %Z} by Cipla DMS. Signatures are electronic "
            "signatures executed under 21 CFR Part 11 and EU GMP Annex 11.",
            cell,
        ),
    ]
    if sha256:
        story.append(
            Paragraph(
                f"Certificate SHA-256: <b>{sha256}</b>. Check a printed copy at "
                f"/api/requests/{request.pk}/certificate/verify/?sha256=&lt;this value&gt;.",
                cell,
            )
        )

    def footer(canvas: Canvas, document: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        text = f"{content['request']} — certificate SHA-256 {sha256 or 'not recorded'} — page {document.page}"
        canvas.drawString(MARGIN, 8 * mm, text)
        canvas.restoreState()

    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"Certificate of Destruction {content['request']}",
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
    ).build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
