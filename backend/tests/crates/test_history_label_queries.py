import io

import pytest
from pypdf import PdfReader
from pytest_django import DjangoAssertNumQueries

from apps.crates import services
from apps.retention import services as retention
from apps.retention.models import LegalHold
from tests.conftest import DEMO_PASSWORD, World
from tests.crates.conftest import CrateMaker


def test_history_lists_crate_and_document_events_oldest_first(world: World, make: CrateMaker) -> None:
    crate = make.crate()
    kept = make.document(crate, number="BMR-1")
    removed = make.document(crate, number="LOG-1", document_type=world.log)
    other = make.crate()
    make.document(other, number="BMR-OTHER")
    removed_id = removed.pk
    services.document_delete(actor=world.user("docmanager"), document=removed)
    retention.crate_legal_hold(
        actor=world.user("approver"), crate=crate, legal_hold=True, reason="audit", password=DEMO_PASSWORD
    )

    response = world.client("viewer").get(f"/api/crates/{crate.pk}/history/")
    assert response.status_code == 200, response.content
    events = [(e["action"], e["entity_type"], e["entity_id"]) for e in response.json()]
    assert events == [
        ("crate.created", "crate", str(crate.pk)),
        ("document.created", "document", str(kept.pk)),
        ("crate.retention_recomputed", "crate", str(crate.pk)),
        ("document.created", "document", str(removed_id)),
        ("document.deleted", "document", str(removed_id)),
        ("crate.legal_hold_set", "crate", str(crate.pk)),
    ]
    sequences = [e["sequence"] for e in response.json()]
    assert sequences == sorted(sequences)
    assert response.json()[-1]["comment"] == f"{LegalHold.objects.get().number}: audit"
    assert response.json()[-1]["actor_username"] == "approver"


def test_label_is_a_pdf_with_the_number_unit_department_and_retention(world: World, make: CrateMaker) -> None:
    crate = make.stored(number="BMR-1")
    retention.crate_legal_hold(
        actor=world.user("approver"), crate=crate, legal_hold=True, reason="audit", password=DEMO_PASSWORD
    )
    response = world.client("viewer").get(f"/api/crates/{crate.pk}/label/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{crate.number}.pdf"'
    content = response.getvalue()
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert text.count(crate.number) == 2  # heading and under the barcode
    assert "Unit: GOA - Goa Plant" in text
    assert "Department: QA - Quality Assurance" in text
    assert "Retain until: 2031-05-01" in text
    assert "LEGAL HOLD" in text
    assert "BMRs 2024" in text
    assert reader.metadata is not None and reader.metadata.subject == crate.number


@pytest.mark.parametrize("username", ["sysadmin", "docmanager"])
def test_crate_list_runs_the_same_queries_at_page_size_1_and_50(
    world: World, make: CrateMaker, username: str, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for index in range(3):
        crate = make.crate()
        make.document(crate, number=f"BMR-{index}")
        make.document(crate, number=f"LOG-{index}", document_type=world.log)
    make.stored(number="S-1")
    make.crate(username="docmanager2")
    client = world.client(username)
    assert client.get("/api/crates/").status_code == 200  # warm: the user's roles are cached on the user
    for size in (1, 50):
        with django_assert_num_queries(2):  # count + page (unit, department, location, creator, document count)
            response = client.get(f"/api/crates/?page_size={size}")
        assert response.status_code == 200
        assert len(response.json()["results"]) == min(size, 5 if username == "sysadmin" else 4)


@pytest.mark.parametrize("username", ["sysadmin", "docmanager"])
def test_document_list_runs_the_same_queries_at_page_size_1_and_50(
    world: World, make: CrateMaker, username: str, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for index in range(3):
        crate = make.crate()
        make.document(crate, number=f"BMR-{index}")
        make.document(crate, number=f"LOG-{index}", document_type=world.log)
    make.document(make.crate(username="docmanager2"), number="KUR-1", username="docmanager2")
    client = world.client(username)
    assert client.get("/api/documents/").status_code == 200
    for size in (1, 50):
        with django_assert_num_queries(2):  # count + page (crate, document type, creator)
            response = client.get(f"/api/documents/?page_size={size}&search=-")
        assert response.status_code == 200
        assert len(response.json()["results"]) == min(size, 7 if username == "sysadmin" else 6)


def test_crate_detail_runs_a_fixed_number_of_queries(
    world: World, make: CrateMaker, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    small, large = make.crate(), make.crate()
    make.document(small, number="A")
    for index in range(10):
        make.document(large, number=f"B-{index}")
    client = world.client("viewer")
    client.get(f"/api/crates/{small.pk}/")
    for crate in (small, large):
        with django_assert_num_queries(2):  # crate with its joins + documents with their types and creators
            assert client.get(f"/api/crates/{crate.pk}/").status_code == 200
