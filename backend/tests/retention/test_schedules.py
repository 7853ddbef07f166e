"""Schedule changes (docs/workflows.md): a reason, a background recompute with progress, an
e-signature when retention gets shorter, System Administrators only."""

import datetime
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from apps.audit.models import AuditEvent
from apps.crates.models import Crate, Document, DocumentType
from apps.retention import services
from apps.retention.models import RetentionRecompute
from tests.conftest import World
from tests.retention.conftest import PASSWORD, CrateMaker


def _bmr_crates(make: CrateMaker, count: int = 2) -> list[Crate]:
    crates = []
    for index in range(count):
        crate = make.crate()
        make.document(crate, number=f"BMR-{index}", record_date=datetime.date(2020, 2, 29))
        crates.append(crate)
    return crates


def test_lengthening_a_schedule_recomputes_documents_and_crates_in_the_background(
    world: World, make: CrateMaker, django_capture_on_commit_callbacks: Any
) -> None:
    crates = _bmr_crates(make)
    other = make.crate()
    make.document(other, number="LOG-1", document_type=world.log, record_date=datetime.date(2020, 1, 1))
    pushed: list[dict[str, Any]] = []
    original = services.broadcast.send_now
    services.broadcast.send_now = lambda groups, message: pushed.append(message)  # type: ignore[assignment]
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = world.client("sysadmin").patch(
                f"/api/document-types/{world.bmr.pk}/",
                {"retention_years": 10, "reason": "QA SOP-114 rev 3"},
                format="json",
            )
    finally:
        services.broadcast.send_now = original  # type: ignore[assignment]

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["retention_years"] == 10
    assert (body["recompute"]["status"], body["recompute"]["total"]) == ("pending", 2)
    recompute = RetentionRecompute.objects.get()
    assert (recompute.status, recompute.done, recompute.documents_changed, recompute.crates_changed) == (
        "done",
        2,
        2,
        2,
    )
    assert recompute.changes == {"retention_years": [7, 10]}
    # 29 February 2020 + 10 years: 2030 has no 29 February, so 1 March (never a day less).
    assert set(Document.objects.filter(document_type=world.bmr).values_list("retention_until", flat=True)) == {
        datetime.date(2030, 3, 1)
    }
    assert {Crate.objects.get(pk=c.pk).retention_until for c in crates} == {datetime.date(2030, 3, 1)}
    assert Document.objects.get(number="LOG-1").retention_until == datetime.date(2021, 1, 1)
    assert [(m["status"], m["done"]) for m in pushed if m["type"] == "retention.progress"] == [
        ("running", 0),
        ("running", 2),
        ("done", 2),
    ]
    changed = AuditEvent.objects.get(action="document_type.updated")
    assert (changed.comment, changed.changes) == ("QA SOP-114 rev 3", {"retention_years": [7, 10]})
    summary = AuditEvent.objects.get(action="document_type.retention_recomputed")
    assert summary.changes["documents_changed"] == [None, 2]
    assert not AuditEvent.objects.filter(action="signature.signed").exists()  # lengthening: no signature


def test_a_schedule_change_needs_a_reason(world: World, make: CrateMaker, audit_count: Callable[[], int]) -> None:
    _bmr_crates(make, 1)
    before = audit_count()
    response = world.client("sysadmin").patch(
        f"/api/document-types/{world.bmr.pk}/", {"retention_years": 9, "reason": "  "}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["reason"]
    assert DocumentType.objects.get(pk=world.bmr.pk).retention_years == 7
    assert not RetentionRecompute.objects.exists()
    assert audit_count() == before
    # A change outside the schedule (the name) needs a reason too, and recomputes nothing.
    response = world.client("sysadmin").patch(f"/api/document-types/{world.bmr.pk}/", {"name": "BMR"}, format="json")
    assert (response.status_code, response.json()) == (400, {"reason": ["Give the reason for this change."]})
    assert audit_count() == before
    response = world.client("sysadmin").patch(
        f"/api/document-types/{world.bmr.pk}/", {"name": "BMR", "reason": "Name per SOP-001"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["recompute"] is None


@pytest.mark.django_db(transaction=True)
def test_shortening_needs_the_signature_of_the_system_administrator(
    world: World, make: CrateMaker, audit_count: Callable[[], int]
) -> None:
    _bmr_crates(make, 1)
    client = world.client("sysadmin")
    before = audit_count()
    wrong = client.patch(
        f"/api/document-types/{world.bmr.pk}/",
        {"retention_years": 5, "reason": "SOP-114 rev 4", "password": "wrong"},
        format="json",
    )
    assert wrong.status_code == 403
    assert wrong.json()["code"] == "invalid_signature"
    assert DocumentType.objects.get(pk=world.bmr.pk).retention_years == 7
    assert not RetentionRecompute.objects.exists()
    assert list(AuditEvent.objects.filter(sequence__gt=before).values_list("action", flat=True)) == ["signature.failed"]

    response = client.patch(
        f"/api/document-types/{world.bmr.pk}/",
        {"retention_years": 5, "reason": "SOP-114 rev 4", "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert Document.objects.get().retention_until == datetime.date(2025, 3, 1)
    signed = AuditEvent.objects.filter(action="signature.signed").get()
    assert signed.comment == "SOP-114 rev 4"


@pytest.mark.parametrize("username", ["unitadmin", "docmanager", "approver"])
def test_only_system_administrators_change_company_wide_types(world: World, username: str) -> None:
    response = world.client(username).patch(
        f"/api/document-types/{world.bmr.pk}/", {"retention_years": 9, "reason": "r"}, format="json"
    )
    assert response.status_code == 403
    assert DocumentType.objects.get(pk=world.bmr.pk).retention_years == 7


@pytest.mark.django_db(transaction=True)
def test_recomputing_100k_documents_runs_in_the_background_while_requests_go_on(world: World) -> None:
    """The recompute commits crate by crate in short transactions: requests keep being served
    while it runs, and its result is exact."""
    if connection.vendor != "postgresql":
        pytest.skip("bulk SQL fixture and concurrent connections need PostgreSQL (CI runs it there)")
    docmanager = world.user("docmanager")
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO crates_crate (number, unit_id, department_id, status, description, legacy_number,
                                      created_by_id, created_at, updated_at, retention_until)
            SELECT 'CRT-BULK-' || lpad(n::text, 6, '0'), %s, %s, 'stored', '', '', %s, now(), now(), DATE '2027-01-01'
            FROM generate_series(1, 1000) AS n
            """,
            [world.goa.pk, world.qa.pk, docmanager.pk],
        )
        cursor.execute(
            """
            INSERT INTO crates_document (crate_id, number, title, document_type_id, record_date, retention_until,
                                         status, created_by_id, created_at, updated_at)
            SELECT c.id, 'BMR-' || d, 'Batch record', %s, DATE '2020-01-01' + (d %% 365), NULL, 'in_storage', %s,
                   now(), now()
            FROM crates_crate c CROSS JOIN generate_series(1, 100) AS d
            WHERE c.number LIKE 'CRT-BULK-%%'
            """,
            [world.bmr.pk, docmanager.pk],
        )
    assert Document.objects.count() == 100_000
    recompute_started = threading.Event()
    finish = threading.Event()
    outcome: dict[str, Any] = {}

    def change_schedule() -> None:
        try:
            # Queue without running: the worker below runs it, as Celery would.
            original = services.domain_signals.retention_recompute_requested.send_on_commit
            services.domain_signals.retention_recompute_requested.send_on_commit = lambda **kw: None  # type: ignore[method-assign]
            try:
                _, recompute = services.document_type_change(
                    actor=world.user("sysadmin"), document_type=world.bmr, data={"retention_years": 8}, reason="SOP"
                )
            finally:
                services.domain_signals.retention_recompute_requested.send_on_commit = original  # type: ignore[method-assign]
            assert recompute is not None
            recompute_started.set()
            outcome["recompute"] = services.retention_recompute_run(recompute_id=recompute.pk)
        finally:
            finish.set()
            connection.close()

    worker = threading.Thread(target=change_schedule)
    worker.start()
    assert recompute_started.wait(timeout=60)
    client = world.client("docmanager")
    served = 0
    while not finish.is_set() or served == 0:
        response = client.get("/api/crates/?page_size=5&status=stored")
        assert response.status_code == 200
        created = client.post("/api/crates/", {"department": world.qa.pk, "description": f"during {served}"})
        assert created.status_code == 201
        served += 1
    worker.join(timeout=120)
    recompute = outcome["recompute"]
    assert (recompute.status, recompute.done, recompute.documents_changed, recompute.crates_changed) == (
        "done",
        100_000,
        100_000,
        1000,
    )
    assert served >= 1
    assert Document.objects.filter(retention_until__isnull=True).count() == 0
    latest = datetime.date(2020, 1, 1) + datetime.timedelta(days=100)
    assert set(Crate.objects.filter(number__startswith="CRT-BULK-").values_list("retention_until", flat=True)) == {
        latest.replace(year=latest.year + 8)
    }
