"""Disposition review (docs/workflows.md): what comes due in a window, and its e-signed extension."""

from collections.abc import Callable

import pytest
from pytest_django import DjangoAssertNumQueries

from apps.audit.models import AuditEvent
from apps.crates.models import Crate
from tests.conftest import World
from tests.requests.conftest import create_request, place_hold, stored_crate
from tests.retention.conftest import PASSWORD, days


def _window(world: World) -> dict[str, Crate]:
    return {
        "due": stored_crate(world, retention_until=days(-10)),
        "soon": stored_crate(world, retention_until=days(30)),
        "later": stored_crate(world, retention_until=days(200)),
        "held": stored_crate(world, retention_until=days(-5), legal_hold=True),
        "requested": stored_crate(world, retention_until=days(-3)),
        "kur": stored_crate(world, unit=world.kur, location=world.kur_shelf, retention_until=days(-1)),
    }


def test_the_review_lists_what_comes_due_in_the_window(
    world: World, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    crates = _window(world)
    create_request(
        world,
        {
            "request_type": "withdrawal",
            "purpose": "audit",
            "expected_return_date": days(5).isoformat(),
            "items": [{"crate": crates["requested"].pk}],
        },
    )
    client = world.client("docmanager")
    client.get("/api/disposition/")
    for size in (1, 50):
        with django_assert_num_queries(3):  # count + page + documents with their types
            response = client.get(f"/api/disposition/?within_days=90&page_size={size}")
        assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["number"] for row in rows] == [crates["due"].number, crates["soon"].number]
    assert [row["due"] for row in rows] == [True, False]
    document = rows[0]["documents"][0]
    assert set(document) >= {"number", "document_type_code", "record_date", "trigger_date", "retention_until"}
    assert document["document_type_code"] == "LOG"
    longer = client.get("/api/disposition/?within_days=365").json()["results"]
    assert [row["number"] for row in longer] == [crates["due"].number, crates["soon"].number, crates["later"].number]
    assert client.get("/api/disposition/?within_days=-1").status_code == 400
    assert [row["number"] for row in world.client("docmanager2").get("/api/disposition/").json()["results"]] == [
        crates["kur"].number
    ]


def test_the_document_manager_raises_one_destruction_request_for_a_selection(world: World) -> None:
    crates = _window(world)
    picked = [crates["due"].pk]
    request = create_request(
        world,
        {"request_type": "destruction", "purpose": "Disposition review", "items": [{"crate": pk} for pk in picked]},
    )
    assert [item["crate"] for item in request["items"]] == picked
    rows = world.client("docmanager").get("/api/disposition/").json()["results"]
    assert crates["due"].number not in [row["number"] for row in rows]  # now in an open request


def test_an_approver_extends_retention_with_a_signature(world: World, audit_count: Callable[[], int]) -> None:
    crate = stored_crate(world, retention_until=days(-10))
    until = days(400)
    before = audit_count()
    response = world.client("approver").post(
        "/api/disposition/extend/",
        {"crates": [crate.pk], "retain_until": until.isoformat(), "reason": "Pending CAPA 77", "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert [(row["retention_until"], row["retention_extended_until"]) for row in response.json()] == [
        (until.isoformat(), until.isoformat())
    ]
    assert Crate.objects.get(pk=crate.pk).retention_until == until
    actions = list(AuditEvent.objects.filter(sequence__gt=before).order_by("sequence").values_list("action", "comment"))
    assert actions == [("crate.retention_extended", "Pending CAPA 77"), ("signature.signed", "Pending CAPA 77")]
    assert world.client("docmanager").get("/api/disposition/").json()["count"] == 0


def test_extending_a_crate_on_hold_is_a_409_and_changes_nothing(world: World, audit_count: Callable[[], int]) -> None:
    free = stored_crate(world, retention_until=days(-10))
    held = stored_crate(world, retention_until=days(-10))
    place_hold(world, held)
    before = audit_count()
    response = world.client("approver").post(
        "/api/disposition/extend/",
        {"crates": [free.pk, held.pk], "retain_until": days(400).isoformat(), "reason": "r", "password": PASSWORD},
        format="json",
    )
    assert (response.status_code, response.json()["code"]) == (409, "invalid_transition")
    assert "under legal hold" in response.json()["detail"]
    assert {c.retention_extended_until for c in Crate.objects.filter(pk__in=[free.pk, held.pk])} == {None}
    assert audit_count() == before


@pytest.mark.parametrize(
    ("username", "change", "status", "key"),
    [
        ("docmanager", {}, 403, "code"),
        ("approver", {"retain_until": days(-1).isoformat()}, 400, "retain_until"),
        ("approver", {"reason": " "}, 400, "reason"),
        ("approver2", {}, 400, "crates"),
    ],
)
def test_bad_extension_input(
    world: World, username: str, change: dict[str, str], status: int, key: str, audit_count: Callable[[], int]
) -> None:
    crate = stored_crate(world, retention_until=days(-10))
    before = audit_count()
    body = {"crates": [crate.pk], "retain_until": days(400).isoformat(), "reason": "r", "password": PASSWORD}
    response = world.client(username).post("/api/disposition/extend/", {**body, **change}, format="json")
    assert response.status_code == status
    assert key in response.json()
    assert Crate.objects.get(pk=crate.pk).retention_extended_until is None
    assert audit_count() == before


@pytest.mark.django_db(transaction=True)
def test_a_wrong_password_extends_nothing(world: World) -> None:
    crate = stored_crate(world, retention_until=days(-10))
    response = world.client("approver").post(
        "/api/disposition/extend/",
        {"crates": [crate.pk], "retain_until": days(400).isoformat(), "reason": "r", "password": "nope"},
        format="json",
    )
    assert (response.status_code, response.json()["code"]) == (403, "invalid_signature")
    assert Crate.objects.get(pk=crate.pk).retention_extended_until is None
    assert AuditEvent.objects.filter(action="signature.failed").count() == 1
