"""Legal hold cases (docs/domain.md, docs/workflows.md): scope by crates and filters, e-signed
placement and release, the crate read, and destruction re-checking holds."""

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from pytest_django import DjangoAssertNumQueries

from apps.audit.models import AuditEvent
from apps.crates.models import Crate
from apps.policy import rules
from apps.requests.models import Request
from apps.retention.models import LegalHold
from apps.signatures.models import Signature
from tests.conftest import World
from tests.requests.conftest import approved_request, create_request, destruction_body, stored_crate
from tests.retention.conftest import PASSWORD, CrateMaker

PAST = datetime.date.today() - datetime.timedelta(days=1)


def _place(world: World, body: dict[str, Any], username: str = "approver") -> Any:
    return world.client(username).post("/api/holds/", {"password": PASSWORD, **body}, format="json")


def test_placing_a_hold_on_explicit_crates(world: World, make: CrateMaker, audit_count: Callable[[], int]) -> None:
    held, free = make.stored(), make.stored(number="BMR-2")
    before = audit_count()
    response = _place(world, {"title": "FDA inquiry 12", "reason": "Warning letter", "crates": [held.pk]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert re.fullmatch(rf"HOLD-{datetime.date.today().year}-\d{{4}}", body["number"])
    assert (body["status"], body["unit"], body["by_filter"], body["crate_numbers"]) == (
        "active",
        world.goa.pk,
        False,
        [held.number],
    )
    assert body["allowed_actions"] == ["release"]
    signature = Signature.objects.get()
    assert (signature.meaning, signature.subject_number, signature.content["scope"]["crates"]) == (
        "hold_placed",
        body["number"],
        [held.number],
    )
    assert [(s["meaning"], s["content_hash"]) for s in body["signatures"]] == [("hold_placed", signature.content_hash)]
    read = world.client("viewer").get(f"/api/crates/{held.pk}/").json()
    assert (read["legal_hold"], read["holds"]) == (
        True,
        [{"id": body["id"], "number": body["number"], "title": "FDA inquiry 12"}],
    )
    assert world.client("viewer").get(f"/api/crates/{free.pk}/").json()["holds"] == []
    actions = list(AuditEvent.objects.filter(sequence__gt=before).order_by("sequence").values_list("action", flat=True))
    assert actions == ["legal_hold.placed", "crate.legal_hold_set", "signature.signed"]
    placed = AuditEvent.objects.get(action="legal_hold.placed")
    assert (placed.comment, placed.changes["crates"], placed.changes["covered"]) == (
        "Warning letter",
        [None, [held.number]],
        [None, 1],
    )


def test_a_filter_scoped_hold_covers_crates_created_later(world: World, make: CrateMaker) -> None:
    response = _place(
        world,
        {
            "title": "Product X litigation",
            "reason": "Court order 44/2026",
            "document_type": world.bmr.pk,
            "record_date_from": "2023-01-01",
            "record_date_to": "2023-12-31",
        },
    )
    assert response.status_code == 201, response.content
    assert (response.json()["unit"], response.json()["by_filter"]) == (world.goa.pk, True)
    matching = make.stored(record_date=datetime.date(2023, 6, 1))
    wrong_date = make.stored(record_date=datetime.date(2024, 6, 1))
    wrong_type = make.crate()
    make.document(wrong_type, record_date=datetime.date(2023, 6, 1), document_type=world.log)
    other_unit = make.crate(username="docmanager2")
    make.document(other_unit, record_date=datetime.date(2023, 6, 1), username="docmanager2")
    held = set(Crate.objects.filter(rules.on_hold_q()).values_list("pk", flat=True))
    assert held == {matching.pk}
    for crate in (matching, wrong_date, wrong_type, other_unit):
        assert rules.is_on_hold(Crate.objects.get(pk=crate.pk)) is (crate.pk in held)
    crates_page = world.client("approver").get(f"/api/holds/{response.json()['id']}/crates/").json()
    assert [row["number"] for row in crates_page["results"]] == [matching.number]


def test_on_hold_check_and_q_agree_across_scopes(world: World, make: CrateMaker) -> None:
    crates = [make.stored(number=f"BMR-{n}", record_date=datetime.date(2020 + n % 4, 3, 1)) for n in range(8)]
    kur = make.crate(username="docmanager2")
    make.document(kur, username="docmanager2", record_date=datetime.date(2021, 3, 1))
    crates.append(kur)
    sysadmin_scopes: list[dict[str, Any]] = [
        {"crates": [crates[0].pk, kur.pk]},
        {"unit": world.kur.pk},
        {"department": world.qa.pk, "record_date_from": "2022-01-01"},
        {"record_date_to": "2020-12-31"},
    ]
    for index, scope in enumerate(sysadmin_scopes):
        assert _place(world, {"title": f"H{index}", "reason": "r", **scope}, "sysadmin").status_code == 201
    released = _place(world, {"title": "gone", "reason": "r", "crates": [crates[1].pk]}, "sysadmin").json()
    client = world.client("sysadmin")
    assert (
        client.post(f"/api/holds/{released['id']}/release/", {"reason": "done", "password": PASSWORD}).status_code
        == 200
    )
    queried = set(Crate.objects.filter(rules.on_hold_q()).values_list("pk", flat=True))
    checked = {crate.pk for crate in Crate.objects.all() if rules.is_on_hold(crate)}
    assert queried == checked
    # H0: crate 0 and KUR's; H1: KUR's; H2: QA from 2022 (years 2022, 2023); H3: up to 2020.
    expected = {crates[0].pk, kur.pk} | {crates[n].pk for n in range(8) if 2020 + n % 4 in (2020, 2022, 2023)}
    assert queried == expected
    assert crates[1].pk not in queried


def test_releasing_a_hold_and_releasing_it_again(
    world: World, make: CrateMaker, audit_count: Callable[[], int]
) -> None:
    crate = make.stored()
    hold = _place(world, {"title": "T", "reason": "r", "crates": [crate.pk]}).json()
    client = world.client("approver")
    response = client.post(f"/api/holds/{hold['id']}/release/", {"reason": "Inquiry closed", "password": PASSWORD})
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["release_reason"], response.json()["allowed_actions"]) == (
        "released",
        "Inquiry closed",
        [],
    )
    assert client.get(f"/api/crates/{crate.pk}/").json()["legal_hold"] is False
    before = audit_count()
    again = client.post(f"/api/holds/{hold['id']}/release/", {"reason": "again", "password": PASSWORD})
    assert (again.status_code, again.json()["code"]) == (409, "invalid_transition")
    assert LegalHold.objects.get(pk=hold["id"]).release_reason == "Inquiry closed"
    assert audit_count() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "T", "reason": "r"}, "scope"),
        ({"title": " ", "reason": "r", "crates": "the crate"}, "title"),
        ({"title": "T", "reason": "  ", "crates": "the crate"}, "reason"),
        (
            {"title": "T", "reason": "r", "record_date_from": "2024-02-01", "record_date_to": "2024-01-01"},
            "record_date_to",
        ),
    ],
)
def test_bad_hold_input_is_a_400_and_places_nothing(
    world: World, make: CrateMaker, body: dict[str, Any], field: str, audit_count: Callable[[], int]
) -> None:
    crate = make.stored()
    if "crates" in body:
        body = {**body, "crates": [crate.pk]}
    before = audit_count()
    response = _place(world, body)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not LegalHold.objects.exists()
    assert audit_count() == before


def test_crates_of_another_unit_are_refused(world: World, make: CrateMaker) -> None:
    kur = make.crate(username="docmanager2")
    response = _place(world, {"title": "T", "reason": "r", "crates": [kur.pk]})
    assert response.status_code == 400
    assert response.json()["crates"] == [f"Crate {kur.pk} is not a crate of your unit."]
    response = _place(world, {"title": "T", "reason": "r", "unit": world.kur.pk})
    assert response.status_code == 400
    assert list(response.json()) == ["unit"]
    assert not LegalHold.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_wrong_password_places_nothing_and_is_audited(world: World, make: CrateMaker) -> None:
    crate = make.stored()
    response = world.client("approver").post(
        "/api/holds/", {"title": "T", "reason": "r", "crates": [crate.pk], "password": "nope"}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (403, "invalid_signature")
    assert not LegalHold.objects.exists()
    assert AuditEvent.objects.filter(action="signature.failed").count() == 1
    assert not rules.is_on_hold(crate)


@pytest.mark.parametrize("username", ["docmanager", "storehead", "viewer", "unitadmin"])
def test_other_roles_cannot_place_holds(world: World, make: CrateMaker, username: str) -> None:
    crate = make.stored()
    assert _place(world, {"title": "T", "reason": "r", "crates": [crate.pk]}, username).status_code == 403
    assert not LegalHold.objects.exists()


def test_hold_list_is_unit_scoped_with_a_fixed_number_of_queries(
    world: World, make: CrateMaker, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for index in range(3):
        crate = make.stored(number=f"BMR-{index}")
        assert _place(world, {"title": f"GOA {index}", "reason": "r", "crates": [crate.pk]}).status_code == 201
    assert _place(world, {"title": "KUR", "reason": "r", "unit": world.kur.pk}, "sysadmin").status_code == 201
    assert (
        _place(world, {"title": "Company", "reason": "r", "record_date_to": "2000-01-01"}, "sysadmin").status_code
        == 201
    )
    client = world.client("approver")
    client.get("/api/holds/")
    for size in (1, 50):
        with django_assert_num_queries(4):  # count + page (unit, department, type, people) + crates + signatures
            response = client.get(f"/api/holds/?page_size={size}")
        assert response.status_code == 200
    titles = {row["title"] for row in response.json()["results"]}
    assert titles == {"GOA 0", "GOA 1", "GOA 2", "Company"}
    company = next(row for row in response.json()["results"] if row["title"] == "Company")
    assert company["allowed_actions"] == []  # a company-wide hold is released by a System Administrator
    kur_hold = LegalHold.objects.get(title="KUR")
    assert client.get(f"/api/holds/{kur_hold.pk}/").status_code == 404
    assert world.client("approver2").get("/api/holds/?status=active").json()["count"] == 2


def test_the_single_crate_endpoint_places_and_releases_a_one_crate_hold(world: World, make: CrateMaker) -> None:
    crate = make.stored()
    client = world.client("approver")
    url = f"/api/crates/{crate.pk}/legal-hold/"
    response = client.post(url, {"legal_hold": True, "reason": "FDA inquiry 12", "password": PASSWORD})
    assert response.status_code == 200, response.content
    assert response.json()["legal_hold"] is True
    assert response.json()["holds"][0]["title"] == f"Legal hold on {crate.number}"
    wider = _place(world, {"title": "Wide", "reason": "r", "department": world.qa.pk}).json()
    refused = client.post(url, {"legal_hold": False, "reason": "closed", "password": PASSWORD})
    assert (refused.status_code, refused.json()["code"]) == (409, "invalid_transition")
    assert wider["number"] in refused.json()["detail"]
    assert LegalHold.objects.filter(status="active").count() == 2
    client.post(f"/api/holds/{wider['id']}/release/", {"reason": "closed", "password": PASSWORD})
    response = client.post(url, {"legal_hold": False, "reason": "closed", "password": PASSWORD})
    assert response.status_code == 200, response.content
    assert (response.json()["legal_hold"], response.json()["holds"]) == (False, [])
    again = client.post(url, {"legal_hold": False, "reason": "closed", "password": PASSWORD})
    assert again.status_code == 409


def test_a_crate_on_hold_cannot_be_deleted_as_a_draft(world: World, make: CrateMaker) -> None:
    crate = make.crate()
    assert _place(world, {"title": "T", "reason": "r", "crates": [crate.pk]}).status_code == 201
    response = world.client("docmanager").delete(f"/api/crates/{crate.pk}/")
    assert response.status_code == 409
    assert Crate.objects.filter(pk=crate.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_destruction_rechecks_holds_at_approval(world: World) -> None:
    crate = stored_crate(world, retention_until=PAST)
    request = create_request(world, {"request_type": "destruction", "purpose": "x", "items": [{"crate": crate.pk}]})
    assert world.client("docmanager").post(f"/api/requests/{request['id']}/submit/").status_code == 200
    assert _place(world, {"title": "T", "reason": "r", "crates": [crate.pk]}, "sysadmin").status_code == 201
    response = world.client("approver").post(
        f"/api/requests/{request['id']}/approve/", {"password": PASSWORD, "comment": "ok"}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "item_unavailable")
    assert "under legal hold" in response.json()["detail"]
    assert Request.objects.get(pk=request["id"]).status == "submitted"


@pytest.mark.django_db(transaction=True)
def test_a_filter_hold_placed_after_approval_blocks_execution(world: World) -> None:
    crate = stored_crate(world, retention_until=PAST)
    request = approved_request(world, {"request_type": "destruction", "purpose": "x", "items": [{"crate": crate.pk}]})
    assert _place(world, {"title": "Dept", "reason": "r", "department": world.qa.pk}).status_code == 201
    response = world.client("storehead").post(
        f"/api/requests/{request['id']}/execute/", destruction_body(world), format="json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "item_unavailable")
    assert Crate.objects.get(pk=crate.pk).status == "stored"
