"""Demo crates and requests for `initial_setup --demo`, made through the workflow services so
the audit trail, occupancy and signatures are exactly what real use would produce."""

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.auth.models import Department, Unit, User
from apps.crates import services as crates
from apps.crates.models import Crate, DocumentType
from apps.requests import services as requests
from apps.requests.models import Request
from apps.storage.models import StorageLocation

DEMO_PASSWORD = "Demo@12345678"
DEMO_MARK = "[demo]"


def _crate(
    *,
    actor: User,
    unit: Unit,
    department: Department,
    description: str,
    documents: list[tuple[str, str, str, datetime.date]],
) -> Crate:
    crate = crates.crate_create(actor=actor, unit=unit, department=department, description=f"{DEMO_MARK} {description}")
    types = {document_type.code: document_type for document_type in DocumentType.objects.all()}
    for number, title, type_code, record_date in documents:
        crates.document_create(
            actor=actor,
            crate=crate,
            number=number,
            title=title,
            document_type=types[type_code],
            record_date=record_date,
        )
    return crate


def _approved(*, requester: User, approver: User, **fields: Any) -> Request:
    request = requests.request_create(actor=requester, **fields)
    requests.request_submit(request=request, actor=requester)
    return requests.request_approve(
        request=request, actor=approver, password=DEMO_PASSWORD, comment="Checked against the retention schedule."
    )


def _free_places(unit: Unit) -> list[StorageLocation]:
    return list(StorageLocation.objects.filter(unit=unit, is_active=True, capacity__gt=0).order_by("code"))


def create_demo_workflows() -> int:
    """Create a handful of demo crates and requests once; return how many requests were created.

    Needs the demo users and locations of `initial_setup --demo`; a second run finds the demo
    crates and changes nothing.
    """
    if Crate.objects.filter(description__startswith=DEMO_MARK).exists():
        return 0
    users = {
        user.username: user
        for user in User.objects.filter(username__in=["docmanager", "approver", "storehead", "storehead2"])
    }
    if len(users) < 4:
        return 0
    goa, kur = Unit.objects.get(code="GOA"), Unit.objects.get(code="KUR")
    qa = Department.objects.get(unit=goa, code="QA")
    qc = Department.objects.get(unit=goa, code="QC")
    docmanager, approver, storehead = users["docmanager"], users["approver"], users["storehead"]
    shelves = _free_places(goa)
    today = timezone.localdate()
    long_ago = today - datetime.timedelta(days=12 * 365)
    day = datetime.timedelta(days=1)

    with transaction.atomic():
        bmr = _crate(
            actor=docmanager,
            unit=goa,
            department=qa,
            description="Batch records, tablets line 1",
            documents=[
                ("BMR-24-0101", "BMR Paracetamol 500 mg batch 0101", "BMR", today - 300 * day),
                ("BMR-24-0102", "BMR Paracetamol 500 mg batch 0102", "BMR", today - 295 * day),
            ],
        )
        sop = _crate(
            actor=docmanager,
            unit=goa,
            department=qa,
            description="Superseded SOPs",
            documents=[
                ("SOP-QA-001", "Document control v3", "SOP", today - 280 * day),
                ("SOP-QA-002", "Deviation handling v5", "SOP", today - 278 * day),
            ],
        )
        logs = _crate(
            actor=docmanager,
            unit=goa,
            department=qc,
            description="Old equipment logs (retention passed)",
            documents=[
                ("LOG-HPLC-07", "HPLC-07 usage log", "LOG", long_ago),
                ("LOG-BAL-02", "Balance BAL-02 calibration log", "LOG", long_ago),
            ],
        )
        moving = _crate(
            actor=docmanager,
            unit=goa,
            department=qc,
            description="Validation files for Kurkumbh",
            documents=[("VAL-KUR-11", "Process validation, line 11", "VAL", today - 250 * day)],
        )
        new = _crate(
            actor=docmanager,
            unit=goa,
            department=qa,
            description="Laboratory notebooks 2026",
            documents=[("LNB-2026-01", "QC notebook 01", "LNB", today - 200 * day)],
        )

        # 1. Storage, completed: four crates on the first shelves.
        stored = [bmr, sop, logs, moving]
        storage = _approved(
            requester=docmanager,
            approver=approver,
            request_type="storage",
            purpose="Archive the first quarter's records",
            items=[{"crate": c.pk} for c in stored],
        )
        requests.request_execute(
            request=storage,
            actor=storehead,
            data={
                "allocations": [
                    {"crate": crate.pk, "location": shelves[index % len(shelves)].pk}
                    for index, crate in enumerate(stored)
                ]
            },
        )

        # 2. Storage of the notebooks, submitted and waiting for the Approver.
        pending = requests.request_create(
            actor=docmanager, request_type="storage", purpose="Archive the 2026 notebooks", items=[{"crate": new.pk}]
        )
        requests.request_submit(request=pending, actor=docmanager)

        # 3. Withdrawal of one batch record, issued to the Document Manager.
        document = bmr.documents.order_by("number").first()
        assert document is not None
        withdrawal = _approved(
            requester=docmanager,
            approver=approver,
            request_type="withdrawal",
            purpose="Customer complaint investigation",
            items=[{"crate": bmr.pk, "document": document.pk}],
            expected_return_date=today + datetime.timedelta(days=14),
        )
        requests.request_execute(request=withdrawal, actor=storehead)

        # 4. Withdrawal of the SOP crate, approved and waiting for the Store Head.
        _approved(
            requester=docmanager,
            approver=approver,
            request_type="withdrawal",
            purpose="Periodic review of superseded SOPs",
            items=[{"crate": sop.pk}],
            expected_return_date=today + datetime.timedelta(days=30),
        )

        # 5. Destruction of the old logs, submitted.
        destruction = requests.request_create(
            actor=docmanager, request_type="destruction", purpose="Retention period over", items=[{"crate": logs.pk}]
        )
        requests.request_submit(request=destruction, actor=docmanager)

        # 6. Transfer of the validation files to Kurkumbh, dispatched and in transit.
        transfer = _approved(
            requester=docmanager,
            approver=approver,
            request_type="transfer",
            purpose="Line 11 moves to Kurkumbh",
            items=[{"crate": moving.pk}],
            target_unit=kur,
        )
        requests.request_execute(request=transfer, actor=storehead)
    return Request.objects.filter(items__crate__description__startswith=DEMO_MARK).distinct().count()
