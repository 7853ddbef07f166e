import datetime
from collections.abc import Callable

import pytest

from apps.audit.models import AuditEvent
from apps.crates import services
from apps.crates.models import Crate, Document, DocumentType
from apps.requests.models import Request, RequestItem
from tests.conftest import World
from tests.crates.conftest import CrateMaker


@pytest.mark.parametrize(
    ("record_date", "years", "expected"),
    [
        (datetime.date(2024, 5, 1), 7, datetime.date(2031, 5, 1)),
        (datetime.date(2024, 2, 29), 1, datetime.date(2025, 3, 1)),  # no 29 Feb: kept to 1 March, never shorter
        (datetime.date(2024, 2, 29), 4, datetime.date(2028, 2, 29)),
        (datetime.date(2023, 12, 31), 0, datetime.date(2023, 12, 31)),
    ],
)
def test_document_retention_is_record_date_plus_type_years(
    record_date: datetime.date, years: int, expected: datetime.date
) -> None:
    document_type = DocumentType(code="X", name="X", retention_years=years)
    assert services.document_retention_until(record_date=record_date, document_type=document_type) == expected


def test_document_create_computes_retention_and_the_crates_latest_retention(
    world: World, make: CrateMaker, audit_count: Callable[[], int]
) -> None:
    crate = make.crate()
    client = world.client("docmanager")
    before = audit_count()
    response = client.post(
        "/api/documents/",
        {
            "crate": crate.pk,
            "number": "LOG-1",
            "title": "Autoclave log",
            "document_type": world.log.pk,
            "record_date": "2024-02-29",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["retention_until"], body["status"], body["crate_number"], body["document_type_code"]) == (
        "2025-03-01",
        "in_storage",
        crate.number,
        "LOG",
    )
    crate.refresh_from_db()
    assert crate.retention_until == datetime.date(2025, 3, 1)
    assert audit_count() == before + 2  # document.created + crate.retention_recomputed
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event is not None
    assert (event.action, event.changes) == ("crate.retention_recomputed", {"retention_until": [None, "2025-03-01"]})

    bmr = client.post(
        "/api/documents/",
        {
            "crate": crate.pk,
            "number": "BMR-1",
            "title": "Batch 1",
            "document_type": world.bmr.pk,
            "record_date": "2024-05-01",
        },
    ).json()
    crate.refresh_from_db()
    assert crate.retention_until == datetime.date(2031, 5, 1)

    response = client.patch(f"/api/documents/{bmr['id']}/", {"record_date": "2020-01-10", "reason": "Misread date"})
    assert response.status_code == 200, response.content
    assert response.json()["retention_until"] == "2027-01-10"
    crate.refresh_from_db()
    assert crate.retention_until == datetime.date(2027, 1, 10)

    assert client.delete(f"/api/documents/{bmr['id']}/").status_code == 204
    crate.refresh_from_db()
    assert crate.retention_until == datetime.date(2025, 3, 1)


def test_documents_cannot_change_in_a_stored_crate(
    world: World, make: CrateMaker, audit_count: Callable[[], int]
) -> None:
    crate = make.stored(number="BMR-1")
    document = crate.documents.get()
    before = audit_count()
    client = world.client("docmanager")
    responses = [
        client.post(
            "/api/documents/",
            {
                "crate": crate.pk,
                "number": "BMR-2",
                "title": "t",
                "document_type": world.bmr.pk,
                "record_date": "2024-01-01",
            },
        ),
        client.patch(f"/api/documents/{document.pk}/", {"title": "changed"}),
        client.delete(f"/api/documents/{document.pk}/"),
    ]
    assert [r.status_code for r in responses] == [409, 409, 409]
    assert {r.json()["code"] for r in responses} == {"invalid_transition"}
    assert list(crate.documents.values_list("number", "title")) == [("BMR-1", "Record BMR-1")]
    assert audit_count() == before


def test_document_number_is_unique_within_its_crate(world: World, make: CrateMaker) -> None:
    crate = make.crate()
    make.document(crate, number="BMR-1")
    response = world.client("docmanager").post(
        "/api/documents/",
        {
            "crate": crate.pk,
            "number": "BMR-1",
            "title": "t",
            "document_type": world.bmr.pk,
            "record_date": "2024-01-01",
        },
    )
    assert response.status_code == 400
    assert response.json() == {"number": [f"{crate.number} already holds a document numbered BMR-1."]}


def test_a_document_cannot_move_to_another_crate(world: World, make: CrateMaker) -> None:
    crate, other = make.crate(), make.crate()
    document = make.document(crate)
    response = world.client("docmanager").patch(f"/api/documents/{document.pk}/", {"crate": other.pk})
    assert response.status_code == 400
    assert response.json() == {"crate": ["A document cannot move to another crate."]}


def test_documents_of_another_unit_are_not_found(world: World, make: CrateMaker) -> None:
    crate = make.crate()
    document = make.document(crate)
    client = world.client("docmanager2")
    assert client.get(f"/api/documents/{document.pk}/").status_code == 404
    assert client.patch(f"/api/documents/{document.pk}/", {"title": "x"}).status_code == 404
    assert client.delete(f"/api/documents/{document.pk}/").status_code == 404
    response = client.post(
        "/api/documents/",
        {"crate": crate.pk, "number": "X", "title": "t", "document_type": world.bmr.pk, "record_date": "2024-01-01"},
    )
    assert response.status_code == 400
    assert list(response.json()) == ["crate"]
    assert client.get("/api/documents/").json()["count"] == 0
    assert Document.objects.get(pk=document.pk).title == "Record BMR-001"


@pytest.mark.parametrize("username", ["viewer", "approver", "storehead", "unitadmin"])
def test_roles_without_document_editing_get_403(world: World, make: CrateMaker, username: str) -> None:
    crate = make.crate()
    document = make.document(crate)
    client = world.client(username)
    assert (
        client.post(
            "/api/documents/",
            {
                "crate": crate.pk,
                "number": "X",
                "title": "t",
                "document_type": world.bmr.pk,
                "record_date": "2024-01-01",
            },
        ).status_code
        == 403
    )
    assert client.patch(f"/api/documents/{document.pk}/", {"title": "x"}).status_code == 403
    assert client.delete(f"/api/documents/{document.pk}/").status_code == 403
    assert client.get(f"/api/documents/{document.pk}/").status_code == 200
    assert Document.objects.count() == 1


def test_document_in_a_request_cannot_be_deleted(world: World, make: CrateMaker) -> None:
    crate = make.crate()
    document = make.document(crate)
    request = Request.objects.create(
        number="REQ-T-2", request_type="storage", unit=world.goa, requester=world.user("docmanager"), purpose="store"
    )
    RequestItem.objects.create(request=request, crate=crate, document=document)
    response = world.client("docmanager").delete(f"/api/documents/{document.pk}/")
    assert response.status_code == 409
    assert Document.objects.filter(pk=document.pk).exists()


def test_document_list_filters_and_search(world: World, make: CrateMaker) -> None:
    first, second = make.crate(), make.crate()
    a = make.document(first, number="BMR-100")
    b = make.document(first, number="LOG-7", document_type=world.log)
    c = make.document(second, number="BMR-200")
    client = world.client("viewer")

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/documents/?{query}")
        assert response.status_code == 200, response.content
        return sorted(row["id"] for row in response.json()["results"])

    assert ids(f"crate={first.pk}") == sorted([a.pk, b.pk])
    assert ids(f"document_type={world.log.pk}") == [b.pk]
    assert ids("search=bmr-") == sorted([a.pk, c.pk])
    assert ids("search=Record LOG") == [b.pk]
    assert ids("status=in_storage") == sorted([a.pk, b.pk, c.pk])
    assert ids("status=withdrawn") == []


def test_inactive_document_type_is_refused(world: World, make: CrateMaker) -> None:
    crate = make.crate()
    DocumentType.objects.filter(pk=world.log.pk).update(is_active=False)
    response = world.client("docmanager").post(
        "/api/documents/",
        {"crate": crate.pk, "number": "L", "title": "t", "document_type": world.log.pk, "record_date": "2024-01-01"},
    )
    assert response.status_code == 400
    assert response.json() == {"document_type": ["The document type is inactive."]}
    assert Crate.objects.get(pk=crate.pk).retention_until is None
