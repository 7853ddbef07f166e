"""Rows become the same model instances through FastLoading.from_db as through Django's own
Model.from_db (apps/core/loading.py), whatever columns a read loads."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models
from django.db.models.signals import post_init

from apps.core.columns import own_columns_and
from apps.core.loading import FastLoading
from apps.crates.models import Crate, Document
from apps.requests.models import Request
from tests.conftest import World
from tests.requests.conftest import create_request, stored_crate


@contextmanager
def djangos_own_loading() -> Iterator[None]:
    own = FastLoading.__dict__["from_db"]
    FastLoading.from_db = classmethod(models.Model.from_db.__func__)  # type: ignore[assignment,attr-defined]
    try:
        yield
    finally:
        FastLoading.from_db = own  # type: ignore[method-assign]


def described(instance: models.Model) -> tuple[Any, ...]:
    attributes = {name: value for name, value in instance.__dict__.items() if name != "_state"}
    if "_prefetched_objects_cache" in attributes:  # querysets compare by identity: their rows
        attributes["_prefetched_objects_cache"] = {
            name: list(rows) for name, rows in attributes["_prefetched_objects_cache"].items()
        }
    return (
        type(instance),
        attributes,
        instance._state.adding,
        instance._state.db,
        instance.get_deferred_fields(),
    )


READS: list[Callable[[], Any]] = [
    lambda: Crate.objects.all(),
    lambda: Crate.objects.only("number", "status"),
    lambda: Crate.objects.defer("description").select_related("unit", "location"),
    lambda: own_columns_and(Crate.objects.all(), unit_code="unit__code"),
    lambda: Document.objects.select_related("crate"),
    lambda: Request.objects.defer("certificate_content"),
    lambda: Request.objects.select_related("requester", "unit").prefetch_related("items"),
]


def test_rows_load_as_django_loads_them(world: World) -> None:
    crate = stored_crate(world, documents=2)
    create_request(
        world,
        {
            "request_type": "withdrawal",
            "purpose": "p",
            "expected_return_date": "2030-01-31",
            "items": [{"crate": crate.pk}],
        },
    )
    for read in READS:
        fast = list(read())
        with djangos_own_loading():
            django = list(read())
        assert fast, read
        assert [described(row) for row in fast] == [described(row) for row in django]
        # Related rows read through select_related are the same too.
        for mine, theirs in zip(fast, django, strict=True):
            assert mine._state.fields_cache.keys() == theirs._state.fields_cache.keys()
            assert [described(row) for row in mine._state.fields_cache.values() if row is not None] == [
                described(row) for row in theirs._state.fields_cache.values() if row is not None
            ]


def test_a_deferred_column_is_read_when_asked_and_foreign_keys_still_work(world: World) -> None:
    crate = stored_crate(world, documents=1)
    loaded = Crate.objects.only("number").get(pk=crate.pk)
    assert loaded.get_deferred_fields() >= {"status", "unit_id"}
    assert loaded.status == crate.status
    assert loaded.unit == crate.unit
    loaded.unit_id = world.kur.pk
    assert loaded.unit == world.kur  # the foreign key's descriptor dropped the cached unit
    loaded.refresh_from_db()
    assert loaded.number == crate.number


def test_a_model_with_an_init_receiver_is_built_by_django(world: World) -> None:
    stored_crate(world, documents=1)
    seen: list[Any] = []

    def receiver(sender: Any, instance: Any, **kwargs: Any) -> None:
        seen.append(instance)

    post_init.connect(receiver, sender=Crate)
    try:
        crates = list(Crate.objects.all())
    finally:
        post_init.disconnect(receiver, sender=Crate)
    assert crates and seen == crates
