"""The Documents page's API (docs/api.md): search by number and title, facets, unit scoping."""

import datetime

from pytest_django import DjangoAssertNumQueries

from apps.auth.models import Department
from tests.conftest import World
from tests.crates.conftest import CrateMaker


def numbers(response: object) -> list[str]:
    assert response.status_code == 200, response.content  # type: ignore[attr-defined]
    return sorted(row["number"] for row in response.json()["results"])  # type: ignore[attr-defined]


def test_document_search_finds_titles_numbers_and_crate_numbers(world: World, make: CrateMaker) -> None:
    crate = make.crate()
    make.document(crate, number="BMR-100")  # title "Record BMR-100"
    other = make.crate()
    document = make.document(other, number="SOP-7")
    document.title = "Autoclave validation protocol"
    document.save(update_fields=["title"])
    client = world.client("viewer")

    assert numbers(client.get("/api/documents/?search=autoclave")) == ["SOP-7"]
    assert numbers(client.get("/api/documents/?search=bmr-100")) == ["BMR-100"]
    assert numbers(client.get(f"/api/documents/?search={other.number}")) == ["SOP-7"]
    # The crate list's search reaches its documents' titles too.
    response = client.get("/api/crates/?search=Autoclave")
    assert [row["number"] for row in response.json()["results"]] == [other.number]


def test_document_filters_by_type_department_record_dates_and_status(world: World, make: CrateMaker) -> None:
    qc = Department.objects.create(unit=world.goa, code="QC", name="Quality Control")
    crate = make.crate()
    make.document(crate, number="A", record_date=datetime.date(2020, 1, 10))
    make.document(crate, number="B", record_date=datetime.date(2022, 6, 1), document_type=world.log)
    make.document(make.crate(department=qc), number="C", record_date=datetime.date(2021, 3, 3))
    make.document(make.crate(username="docmanager2"), number="KUR-A", username="docmanager2")
    client = world.client("docmanager")

    assert numbers(client.get("/api/documents/")) == ["A", "B", "C"]  # never another unit's
    assert numbers(client.get(f"/api/documents/?document_type={world.log.pk}")) == ["B"]
    assert numbers(client.get(f"/api/documents/?department={qc.pk}")) == ["C"]
    assert numbers(client.get("/api/documents/?record_date_from=2021-01-01")) == ["B", "C"]
    assert numbers(client.get("/api/documents/?record_date_from=2021-01-01&record_date_to=2021-12-31")) == ["C"]
    assert numbers(client.get("/api/documents/?status=in_storage&search=b")) == ["B"]
    assert numbers(client.get("/api/documents/?status=withdrawn")) == []
    row = client.get(f"/api/documents/?department={qc.pk}").json()["results"][0]
    assert (row["department_name"], row["unit_code"], row["crate_status"], row["crate_legal_hold"]) == (
        "Quality Control",
        "GOA",
        "draft",
        False,
    )


def test_document_list_with_every_filter_runs_two_queries(
    world: World, make: CrateMaker, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for index in range(4):
        make.document(make.crate(), number=f"BMR-{index}")
    client = world.client("docmanager")
    client.get("/api/documents/")
    url = (
        f"/api/documents/?search=bmr&document_type={world.bmr.pk}&department={world.qa.pk}"
        "&record_date_from=2000-01-01&record_date_to=2100-01-01&status=in_storage"
    )
    for size in (1, 50):
        with django_assert_num_queries(2):  # count + page (crate with unit, department, location; type; creator)
            response = client.get(f"{url}&page_size={size}")
        assert len(response.json()["results"]) == min(size, 4)


def test_a_number_shaped_term_matches_numbers_from_their_start_by_the_prefix_index(
    world: World, make: CrateMaker
) -> None:
    from django.db import connection

    from apps.crates.models import Document
    from apps.crates.selectors import DOCUMENT_NUMBER_SHAPE

    crate = make.crate()
    for number in ("DOC-1234-001", "DOC-1234-002", "DOC-12345-001", "XDOC-1234-001"):
        make.document(crate, number=number)
    Document.objects.update(title="untitled")  # the default title repeats the number
    client = world.client("viewer")

    assert numbers(client.get("/api/documents/?search=doc-1234-00")) == ["DOC-1234-001", "DOC-1234-002"]
    assert numbers(client.get("/api/documents/?search=DOC-1234")) == ["DOC-1234-001", "DOC-1234-002", "DOC-12345-001"]
    # Free text still matches inside numbers.
    assert numbers(client.get("/api/documents/?search=1234")) == [
        "DOC-1234-001",
        "DOC-1234-002",
        "DOC-12345-001",
        "XDOC-1234-001",
    ]
    assert [
        bool(DOCUMENT_NUMBER_SHAPE.fullmatch(t)) for t in ("DOC-1234-00", "BMR/2024/7", "autoclave", "Record 5")
    ] == [
        True,
        True,
        False,
        False,
    ]
    # The prefix is an index range scan (the trigram scan's cost grows with the table): an
    # index of PostgreSQL's (the embedded SQLite of development has no plan to look at).
    if connection.vendor != "postgresql":
        return
    query = Document.objects.filter(number__istartswith="DOC-1234-00").values("pk").query
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "crates_document_number_prefix" in plan


def test_a_search_is_paged_and_counted_in_the_lists_order_from_its_matches_computed_once(
    world: World, make: CrateMaker, settings: object
) -> None:
    """A search's keys query computes its matches once (apps/core/prepared_keys.matched_keys_sql)
    and pages and counts them exactly as every list does: order, pages, the capped count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.crates.models import Document

    settings.PAGINATION_COUNT_CAP = 4  # type: ignore[attr-defined]
    for n in range(3):
        crate = make.crate()
        for number in (f"QC-{n}-B", f"QC-{n}-A", f"LOG-{n}"):
            make.document(crate, number=number)
    make.document(make.crate(username="docmanager2"), number="QC-9-A", username="docmanager2")  # KUR's
    client = world.client("docmanager")
    matching = Document.objects.filter(number__startswith="QC-", crate__unit=world.goa)
    in_list_order = list(matching.order_by("crate_id", "number").values_list("number", flat=True))
    assert len(in_list_order) == 6

    pages = []
    for page in (1, 2, 3):
        with CaptureQueriesContext(connection) as queries:
            body = client.get(f"/api/documents/?search=qc-&page_size=2&page={page}").json()
        pages.append([row["number"] for row in body["results"]])
        if page == 1:
            assert (body["count"], body["count_exact"]) == (4, False)  # more than the cap (4)
        else:
            assert body["count_exact"] is (page == 3), body
        keys_query = next(query["sql"] for query in queries.captured_queries if "LIKE" in query["sql"])
        if connection.vendor == "postgresql":
            assert "MATERIALIZED" in keys_query
            assert keys_query.count("LIKE UPPER(") == 3, keys_query  # the union once, not twice
    assert pages == [in_list_order[0:2], in_list_order[2:4], in_list_order[4:6]]
    assert body["count"] == 6

    by_number = client.get("/api/documents/?search=qc-&ordering=-number&page_size=10").json()
    assert [row["number"] for row in by_number["results"]] == sorted(in_list_order, reverse=True)
    assert (by_number["count"], by_number["count_exact"]) == (6, True)
    assert client.get("/api/documents/?search=qc-&page_size=2&page=4").status_code == 404

    # Rows tied in the ordering (one record date for all) keep one place across pages.
    seen = []
    for page in (1, 2, 3):
        body = client.get(f"/api/documents/?search=qc-&ordering=record_date&page_size=2&page={page}").json()
        seen += [row["number"] for row in body["results"]]
    assert sorted(seen) == sorted(in_list_order)
