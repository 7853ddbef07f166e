"""What a crate's label says (the layout and the formats are apps.core.labels')."""

from apps.core.labels import LabelContent, labels_pdf
from apps.crates.models import Crate
from apps.policy import rules


def crate_label(crate: Crate) -> LabelContent:
    """Needs the crate's unit and department loaded."""
    return LabelContent(
        code=crate.number,
        heading="CIPLA DMS - ARCHIVE CRATE",
        lines=(
            f"Unit: {crate.unit.code} - {crate.unit.name}",
            f"Department: {crate.department.code} - {crate.department.name}",
            f"Retain until: {crate.retention_until.isoformat() if crate.retention_until else 'not set'}",
        ),
        warning="LEGAL HOLD - DO NOT DESTROY" if rules.is_on_hold(crate) else "",
        note=crate.description or "",
    )


def crate_label_pdf(crate: Crate) -> bytes:
    """The label of `crate` (one 100 x 70 mm page) as PDF bytes."""
    return labels_pdf([crate_label(crate)], title=f"Crate label {crate.number}")
