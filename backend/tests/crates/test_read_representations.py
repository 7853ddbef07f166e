"""The crates list, a crate's page and the documents list are built from plain dicts
(apps/crates/representations.py): exactly what CrateSerializer, CrateDetailSerializer and
DocumentSerializer answer, for crates in every state and for each user's allowed actions."""

import json
from types import SimpleNamespace
from typing import Any

from apps.core.renderers import ORJSONRenderer
from apps.crates import selectors
from apps.crates.models import Document
from apps.crates.serializers import CrateDetailSerializer, CrateSerializer, DocumentSerializer
from tests.conftest import World
from tests.requests.conftest import create_request, make_crate, place_hold, stored_crate


def _json(data: Any) -> Any:
    return json.loads(ORJSONRenderer().render(data))


def _crates_of_every_kind(world: World) -> None:
    make_crate(world, documents=3)  # a draft with documents
    make_crate(world)  # an empty draft
    stored_crate(world, documents=2)
    place_hold(world, stored_crate(world, documents=1))  # on a legal hold
    requested = stored_crate(world, documents=2)
    create_request(
        world,
        {
            "request_type": "withdrawal",
            "purpose": "p",
            "expected_return_date": "2030-01-31",
            "items": [{"crate": requested.pk}],
        },
    )


def test_crate_reads_are_what_the_serializers_answer(world: World) -> None:
    _crates_of_every_kind(world)

    for username in ("docmanager", "viewer", "storehead", "approver"):
        user = world.user(username)
        context = {"request": SimpleNamespace(user=user)}
        client = world.client(username)
        listed = client.get("/api/crates/?page_size=100")
        assert listed.status_code == 200
        rows = listed.json()["results"]
        expected = _json(CrateSerializer(selectors.crates_for(user), many=True, context=context).data)
        assert sorted(rows, key=lambda r: r["id"]) == sorted(expected, key=lambda r: r["id"])
        assert len(rows) == 5
        for row in rows:
            detail = client.get(f"/api/crates/{row['id']}/")
            assert detail.status_code == 200
            crate = selectors.crates_for(user, with_documents=True).get(pk=row["id"])
            assert detail.json() == _json(CrateDetailSerializer(crate, context=context).data), (username, row["number"])
    assert any(row["legal_hold"] and row["status"] == "stored" for row in rows)
    assert any(row["allowed_actions"] for row in world.client("docmanager").get("/api/crates/").json()["results"])


def test_document_reads_are_what_the_serializer_answers(world: World) -> None:
    _crates_of_every_kind(world)
    user = world.user("viewer")
    client = world.client("viewer")

    listed = client.get("/api/documents/?page_size=100")
    assert listed.status_code == 200
    rows = listed.json()["results"]
    expected = _json(DocumentSerializer(selectors.documents_for(user), many=True).data)
    assert sorted(rows, key=lambda r: r["id"]) == sorted(expected, key=lambda r: r["id"])
    assert len(rows) == Document.objects.count() > 5
    assert any(row["crate_legal_hold"] for row in rows)
    first = rows[0]
    detail = client.get(f"/api/documents/{first['id']}/")
    assert detail.status_code == 200
    assert detail.json() == first


def test_a_document_write_answers_what_the_serializer_and_the_page_answer(world: World) -> None:
    crate = make_crate(world, documents=0)
    client = world.client("docmanager")
    created = client.post(
        "/api/documents/",
        {
            "crate": crate.pk,
            "number": "LOG-9",
            "title": "Log",
            "document_type": world.log.pk,
            "record_date": "2024-01-31",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    path = f"/api/documents/{created.json()['id']}/"
    document = selectors.documents_for(world.user("docmanager")).get(pk=created.json()["id"])
    assert created.json() == _json(DocumentSerializer(document).data) == client.get(path).json()
    corrected = client.patch(path, {"title": "Autoclave log", "reason": "typo in the title"}, format="json")
    assert corrected.status_code == 200, corrected.content
    assert corrected.json()["title"] == "Autoclave log"
    assert corrected.json() == client.get(path).json()
