"""The requests list is built from plain dicts (apps/requests/representations.py): each row is
exactly what the request's own page (RequestSerializer) answers, for every type and state and
for each user's allowed actions."""

from typing import Any

import pytest

from apps.requests.models import Request
from tests.conftest import World
from tests.requests.conftest import PASSWORD, approved_request, create_request, make_crate, stored_crate


def _requests_of_every_kind(world: World) -> None:
    # A draft, a stored (executed) storage request with its allocation and signature...
    create_request(world, {"request_type": "storage", "purpose": "draft", "items": [{"crate": make_crate(world).pk}]})
    crate = make_crate(world, documents=2)
    storage = approved_request(world, {"request_type": "storage", "purpose": "store", "items": [{"crate": crate.pk}]})
    executed = world.client("storehead").post(
        f"/api/requests/{storage['id']}/execute/",
        {"allocations": [{"crate": crate.pk, "location": world.shelf.pk}]},
        format="json",
    )
    assert executed.status_code == 200, executed.content
    # ...a withdrawal of one document, submitted; a transfer to the other unit, approved...
    document = stored_crate(world, documents=2).documents.first()
    assert document is not None
    withdrawal = create_request(
        world,
        {
            "request_type": "withdrawal",
            "purpose": "audit",
            "expected_return_date": "2030-01-31",
            "items": [{"crate": document.crate_id, "document": document.pk}],
        },
    )
    assert world.client("docmanager").post(f"/api/requests/{withdrawal['id']}/submit/").status_code == 200
    approved_request(
        world,
        {
            "request_type": "transfer",
            "purpose": "move",
            "target_unit": world.kur.pk,
            "items": [{"crate": stored_crate(world).pk}],
        },
    )
    # ...and a rejected one.
    rejected = create_request(
        world, {"request_type": "storage", "purpose": "no", "items": [{"crate": make_crate(world).pk}]}
    )
    world.client("docmanager").post(f"/api/requests/{rejected['id']}/submit/")
    response = world.client("approver").post(
        f"/api/requests/{rejected['id']}/reject/", {"password": PASSWORD, "comment": "not now"}, format="json"
    )
    assert response.status_code == 200, response.content


def _listed(client: Any) -> list[dict[str, Any]]:
    response = client.get("/api/requests/?page_size=100")
    assert response.status_code == 200, response.content
    return response.json()["results"]  # type: ignore[no-any-return]


def test_each_listed_request_is_what_its_own_page_answers(world: World) -> None:
    _requests_of_every_kind(world)
    assert Request.objects.count() == 5

    for username in ("docmanager", "approver", "storehead", "storehead2"):
        client = world.client(username)
        rows = _listed(client)
        assert rows, username
        for row in rows:
            detail = client.get(f"/api/requests/{row['id']}/")
            assert detail.status_code == 200
            assert row == detail.json(), (username, row["number"])
    statuses = {row["status"] for row in _listed(world.client("docmanager"))}
    assert statuses == {"draft", "completed", "submitted", "approved", "rejected"}
    assert any(row["allowed_actions"] for row in _listed(world.client("approver")))


def test_the_list_order_is_served_by_an_index(world: World) -> None:
    from django.db import connection

    from apps.requests.selectors import requests_for

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL plan (the embedded SQLite of development has no such index choice)")

    query = requests_for(world.user("docmanager")).prefetch_related(None).values("pk")[:25].query
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        # On a handful of test rows a sort is cheapest: ask for the plan without one.
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "request_recent_idx" in plan


def test_each_write_answers_what_the_request_page_shows(world: World) -> None:
    """A write answers with the request as its page (RequestSerializer) then shows it, to whoever wrote."""
    crate = make_crate(world)
    docmanager, approver, storehead = (world.client(name) for name in ("docmanager", "approver", "storehead"))
    created = docmanager.post(
        "/api/requests/", {"request_type": "storage", "purpose": "p", "items": [{"crate": crate.pk}]}, format="json"
    )
    path = f"/api/requests/{created.json()['id']}/"
    allocations = {"allocations": [{"crate": crate.pk, "location": world.shelf.pk}]}
    writes = [
        lambda: created,
        lambda: docmanager.post(f"{path}submit/"),
        lambda: approver.post(f"{path}approve/", {"password": PASSWORD}, format="json"),
        lambda: storehead.post(f"{path}execute/", allocations, format="json"),
    ]
    statuses = []
    for client, write in zip([docmanager, docmanager, approver, storehead], writes, strict=True):
        answer = write()
        assert answer.status_code in (200, 201), answer.content
        page = client.get(path)
        assert page.status_code == 200
        assert answer.json() == page.json()
        statuses.append(answer.json()["status"])
    assert statuses == ["draft", "submitted", "approved", "completed"]
