"""Reads compiled once per process (apps/core/prepared.py): each run reads with its own values,
gives exactly what the plain queryset gives, and a build whose values would not be parameters
of its SQL is refused when it is compiled, not run with the placeholders."""

import datetime
import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from apps.core.prepared import PreparedRead, PreparedSQL
from apps.crates import selectors
from apps.crates.models import Crate
from apps.crates.representations import crate_detail_row
from tests.conftest import World, record_calls
from tests.requests.conftest import create_request, make_crate, place_hold, stored_crate


def test_a_crate_page_reads_what_the_plain_queryset_reads(world: World) -> None:
    crates = [make_crate(world, documents=3), stored_crate(world, documents=2)]
    place_hold(world, crates[1])
    requested = stored_crate(world, documents=1)
    create_request(
        world,
        {
            "request_type": "withdrawal",
            "purpose": "p",
            "expected_return_date": "2030-01-31",
            "items": [{"crate": requested.pk}],
        },
    )
    crates.append(requested)
    for username in ("docmanager", "sysadmin", "viewer"):
        user = world.user(username)
        for crate in crates:  # one after another: no run keeps the values of the one before
            prepared = selectors.crate_page(user, crate.pk)
            plain = selectors.CratePage(
                selectors.crate_pages(user).get(pk=crate.pk), list(selectors.crate_page_documents(crate.pk))
            )
            assert prepared is not None and prepared.crate.pk == crate.pk
            assert len(prepared.documents) == len(plain.documents) > 0
            assert crate_detail_row(prepared, user) == crate_detail_row(plain, user)


def test_the_unit_scope_holds(world: World) -> None:
    goa_crate = make_crate(world)
    assert selectors.crate_page(world.user("docmanager2"), goa_crate.pk) is None  # a KUR user
    assert selectors.crate_page(world.user("sysadmin"), goa_crate.pk) is not None
    assert selectors.crate_page(world.user("docmanager"), goa_crate.pk + 10_000) is None


def test_a_crate_page_is_two_queries(world: World) -> None:
    crate = make_crate(world, documents=4)
    selectors.crate_page(world.user("docmanager"), crate.pk)  # compiled (per process) here or before
    with CaptureQueriesContext(connection) as captured:
        assert len(selectors.crate_page(world.user("docmanager"), crate.pk).documents) == 4  # type: ignore[union-attr]
    assert len(captured) == 2  # the crate, its documents


def test_a_value_folded_into_the_sql_text_is_refused(db: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("compiled once only on PostgreSQL; SQLite builds the queryset every time")

    def folded(shape: str, *, crate_id: int) -> QuerySet[Crate]:
        return Crate.objects.filter(pk__gt=RawSQL(str(crate_id), []))

    with pytest.raises(ValueError, match="crate_id"):
        PreparedRead(folded).fetch("folded", crate_id=1)


def test_a_value_the_build_ignores_is_refused(db: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("compiled once only on PostgreSQL; SQLite builds the queryset every time")

    def ignores(shape: str, *, crate_id: int) -> QuerySet[Crate]:
        return Crate.objects.all()

    with pytest.raises(ValueError, match="crate_id"):
        PreparedRead(ignores).fetch("ignores", crate_id=1)


def test_another_thread_reads_on_its_own_connection(world: World) -> None:
    """A server process's threads share the compiled SQL, each on its own connection: Django
    refuses a connection used from a thread other than its own."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's test database stays locked by this test's open transaction")
    crate = make_crate(world)
    assert selectors.crate_page(world.user("docmanager"), crate.pk) is not None  # compiled on this thread
    outcome: list[object] = []

    def read() -> None:
        try:
            # The test's rows are not committed: another connection sees no crate, and says so.
            outcome.append(selectors.crate_page(world.user("docmanager"), crate.pk))
        except Exception as error:  # noqa: BLE001 - the assertion below shows what was raised
            outcome.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    assert outcome == [None]


def test_a_list_of_keys_is_one_array_parameter(world: World) -> None:
    """Lists of keys of any length run the SQL compiled for the first (`pk = ANY(%s)`)."""
    if connection.vendor != "postgresql":
        pytest.skip("an array parameter is PostgreSQL's")
    crates = [make_crate(world, documents=0) for _ in range(3)]
    keys = [crate.pk for crate in crates]
    assert [c.pk for c in selectors.crate_rows_of_page(keys[:1])] == keys[:1]
    assert sorted(c.pk for c in selectors.crate_rows_of_page(keys)) == sorted(keys)
    assert selectors.crate_rows_of_page([]) == []
    assert len(selectors._crate_rows._compiled) == 1  # one shape, compiled once


def test_on_postgresql_the_read_is_one_prepared_statement(world: World) -> None:
    """The read is a server-side prepared statement of its connection, one for any number of
    keys, planned once for any values from its first run (`plan_cache_mode`,
    config/settings.py): PostgreSQL would plan the first five runs for their values, and on
    this test's few rows it would keep planning every run. Each run still reads its own keys'
    rows."""
    if connection.vendor != "postgresql":
        pytest.skip("a prepared statement of PostgreSQL")
    crates = [make_crate(world, documents=1) for _ in range(3)]
    for crate in crates * 3:  # each run with its own key reads that crate
        assert [row.pk for row in selectors.crate_rows_of_page([crate.pk])] == [crate.pk]
    assert [row.pk for row in selectors.crate_rows_of_page([c.pk for c in crates])] == sorted(
        (c.pk for c in crates), reverse=True
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%FROM "crates_crate"%= ANY(%'],
        )
        (generic, custom), *others = cursor.fetchall()
    assert others == []  # one statement for any number of keys
    assert (generic, custom) == (10, 0)  # every run executed that statement, on its one plan


def test_with_prepared_statements_off_the_read_is_not_prepared(world: World) -> None:
    """`DB_PREPARED_STATEMENTS=false` (a pooler that cannot carry them): the same rows, no
    statement left in the session."""
    if connection.vendor != "postgresql":
        pytest.skip("a prepared statement of PostgreSQL")
    crate = make_crate(world, documents=1)
    with override_settings(DB_PREPARED_STATEMENTS=False):
        assert [row.pk for row in selectors.crate_rows_of_page([crate.pk])] == [crate.pk]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone() == (0,)


def test_a_values_list_read_gives_tuples(world: World) -> None:
    crate = make_crate(world)

    def numbers(shape: str, *, crate_id: int) -> QuerySet[Crate]:
        return Crate.objects.filter(pk=crate_id).values_list("pk", "number")  # type: ignore[return-value]

    assert PreparedRead(numbers).fetch("numbers", crate_id=crate.pk) == [(crate.pk, crate.number)]


def test_row_converters_are_computed_once_per_connection(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Django asks the backend and every column for its converters on every run; a prepared
    read keeps them per connection, and its rows are converted as the plain queryset's."""
    if connection.vendor != "postgresql":
        pytest.skip("compiled once only on PostgreSQL; SQLite builds the queryset every time")
    from django.db.models.sql.compiler import SQLCompiler

    crates = [make_crate(world, documents=2), stored_crate(world, documents=1)]
    read = PreparedRead(lambda shape, *, crate_id: selectors.crate_page_documents(crate_id))
    read.fetch("documents", crate_id=crates[0].pk)
    asked = record_calls(monkeypatch, SQLCompiler, "get_converters")
    for crate in crates:
        prepared = read.fetch("documents", crate_id=crate.pk)
        assert not asked
        plain = list(selectors.crate_page_documents(crate.pk))
        assert asked  # the plain queryset asks on every run
        asked.clear()
        assert [{k: v for k, v in row.__dict__.items() if k != "_state"} for row in prepared] == [
            {k: v for k, v in row.__dict__.items() if k != "_state"} for row in plain
        ]


def test_a_date_is_a_value_of_each_run(world: World) -> None:
    """A date is a parameter like an integer: compiled once with a stand-in day, each run
    reads with its own (earlier days after later ones too)."""
    today = datetime.date.today()
    crates = [make_crate(world, retention_until=today + datetime.timedelta(days=days)) for days in (10, 20, 30)]
    due = PreparedRead[Any](
        lambda shape, *, unit_id, until: Crate.objects.filter(unit_id=unit_id, retention_until__lte=until)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for days, expected in ((5, []), (25, crates[:2]), (15, crates[:1]), (35, crates), (25, crates[:2])):
        until = today + datetime.timedelta(days=days)
        assert due.fetch("due", unit_id=world.goa.pk, until=until) == [crate.pk for crate in expected]
    assert due.fetch("due", unit_id=world.kur.pk, until=today + datetime.timedelta(days=35)) == []
    if connection.vendor == "postgresql":
        assert len(due._compiled) == 1


def test_sql_written_around_a_queryset_is_compiled_once_and_reads_each_runs_values(world: World) -> None:
    goa = [make_crate(world) for _ in range(3)]
    kur = make_crate(world, unit=world.kur)

    def counted(shape: str, *, unit_id: int) -> tuple[str, tuple[Any, ...]]:
        inner, params = Crate.objects.filter(unit_id=unit_id).values("id").query.sql_with_params()
        return f"SELECT count(*), max(id) FROM ({inner}) crates", params

    read = PreparedSQL(counted)
    for _ in range(2):
        assert read.fetch("default", "count", unit_id=world.goa.pk) == [(3, goa[-1].pk)]
        assert read.fetch("default", "count", unit_id=world.kur.pk) == [(1, kur.pk)]
    if connection.vendor == "postgresql":
        assert len(read._compiled) == 1

        def folded(shape: str, *, unit_id: int) -> tuple[str, tuple[Any, ...]]:
            return f"SELECT count(*) FROM crates_crate WHERE unit_id = {unit_id}", ()

        with pytest.raises(ValueError, match="unit_id"):
            PreparedSQL(folded).fetch("default", "folded", unit_id=world.goa.pk)


def test_a_read_planned_for_each_run_is_no_prepared_statement_and_reads_each_runs_values(world: World) -> None:
    """`plan_each_run`: the SQL is compiled once, but PostgreSQL gets each run's values in the
    statement's text and plans it for them (no server-side prepared statement is left)."""
    today = datetime.date.today()
    soon, later = (make_crate(world, retention_until=today + datetime.timedelta(days=days)) for days in (10, 20))
    due = PreparedRead[Any](
        lambda shape, *, unit_id, until: Crate.objects.filter(unit_id=unit_id, retention_until__lte=until)
        .order_by("pk")
        .values_list("pk", flat=True),
        plan_each_run=True,
    )
    with CaptureQueriesContext(connection) as captured:
        assert due.fetch("due", unit_id=world.goa.pk, until=today + datetime.timedelta(days=15)) == [soon.pk]
        assert due.fetch("due", unit_id=world.goa.pk, until=today + datetime.timedelta(days=25)) == [soon.pk, later.pk]
        assert due.fetch("due", unit_id=world.goa.pk, until=today) == []
    assert len(captured) == 3
    if connection.vendor == "postgresql":
        assert len(due._compiled) == 1
        assert str(today + datetime.timedelta(days=25)) in captured[1]["sql"]  # the value, in the text
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%retention_until%"])
            assert cursor.fetchone() == (0,)
