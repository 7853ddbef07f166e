"""Reads whose SQL is compiled once per process, then run with each request's values.

Django compiles a queryset's SQL on every evaluation. For a crate's page (six annotation
subqueries: request facts, legal hold, document count) that compilation cost more CPU than
PostgreSQL spends running the query (OPTIMIZATIONS.md §2.H). A `PreparedRead` builds its
queryset once with placeholder values, compiles it, remembers where each placeholder landed
in the parameters, and afterwards runs the same SQL with the request's values there.

Only values may differ between runs, never the SQL's shape: whatever changes the text (the
kind of unit scope, which filters apply) is part of the `shape` key the caller passes, and
each shape is compiled once. A value is an integer, a date, or a list of integers passed as
one array parameter (`any_of`: `pk = ANY(%s)`, the same text for any number of keys). The
placeholders are integers and dates no row can hold; compiling verifies that each lands in the
parameters exactly where a plain filter puts it, so a value folded into the SQL text (or
transformed on its way) fails loudly instead of reading the wrong rows. Prefetches of the
queryset run as usual, after the main query. `PreparedSQL` does the same for SQL written
around querysets (a `WITH RECURSIVE` over a scoped queryset, say), and returns tuples.

On PostgreSQL the SQL is also a server-side prepared statement, on each connection that runs
it: these reads join up to nine tables, and PostgreSQL spent ten times longer planning them
than running them (the requests list's rows: 3.4 ms planning, 0.3 ms running). After five
runs PostgreSQL keeps a generic plan, and a run is planned in microseconds. Only these reads
are prepared (their SQL text is fixed, `pk = ANY(array)`); every other query keeps Django's
client-side binding. A prepared statement lives in its server session, so this needs direct
connections (as configured) or a pooler that carries prepared statements: PgBouncer 1.21 or
later with `max_prepared_statements` set; `DB_PREPARED_STATEMENTS=false` turns this off.
"""

import copy
import datetime
import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import psycopg
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import DEFAULT_DB_ALIAS, NotSupportedError, connections
from django.db.models import BigIntegerField, F, Lookup, Model, QuerySet, Value
from django.db.models.sql.compiler import cursor_iter
from django.db.models.sql.constants import GET_ITERATOR_CHUNK_SIZE, MULTI

M = TypeVar("M", bound=Model)

# Far below any primary key or id PostgreSQL's sequences hand out, and distinct per name.
_PLACEHOLDER_BASE = -(2**31) + 7_919
# Days in the first year of the calendar, distinct per name: no record of ours is dated there.
_PLACEHOLDER_DATE = datetime.date(1, 1, 1)

ReadValue = int | datetime.date | list[int]


class AnyOf(Lookup):  # type: ignore[type-arg]
    """`lhs = ANY(rhs)` for an array expression on the right (PostgreSQL)."""

    lookup_name = "any_of"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = compiler.compile(self.rhs)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]

    def as_sqlite(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        # SQLite has no arrays: the keys as a list of parameters (`lhs IN (%s, ...)`).
        if not isinstance(self.rhs, Value):
            raise NotSupportedError("any_of on SQLite takes a list of keys, not a subquery")
        lhs, lhs_params = self.process_lhs(compiler, connection)
        keys = list(self.rhs.value)
        if not keys:
            return "1 = 0", []
        return f"{lhs} IN ({', '.join(['%s'] * len(keys))})", [*lhs_params, *keys]


def any_of(field: str, keys: Any) -> AnyOf:
    """A filter `field = ANY(keys)`, `keys` one array parameter (a list of integers)."""
    return AnyOf(F(field), Value(keys, output_field=ArrayField(BigIntegerField())))


@dataclass(frozen=True)
class _Compiled:
    queryset: QuerySet[Any]
    compiler: Any
    sql: str
    params: tuple[Any, ...]
    positions: dict[str, tuple[int, ...]]
    # The row converters Django computes for every run (a call per column to the backend and
    # the field), computed once per connection (they are bound to its operations), by connection.
    converters: dict[Any, Any] = field(default_factory=dict)


def _placeholders(values: dict[str, ReadValue]) -> dict[str, ReadValue]:
    """A value no row holds for each name, of the kind of the value given (a list stays a list)."""
    found: dict[str, ReadValue] = {}
    for n, name in enumerate(sorted(values)):
        value = values[name]
        if type(value) is datetime.date:
            found[name] = _PLACEHOLDER_DATE + datetime.timedelta(days=n)
        elif isinstance(value, list):
            found[name] = [_PLACEHOLDER_BASE + n]
        else:
            found[name] = _PLACEHOLDER_BASE + n
    return found


def _positions(
    shape: Hashable, sql: str, params: Sequence[Any], placeholders: dict[str, ReadValue]
) -> dict[str, tuple[int, ...]]:
    """Where each placeholder landed in `params`; refused when one is missing or in the text."""
    positions = {
        name: tuple(i for i, param in enumerate(params) if type(param) is type(value) and param == value)
        for name, value in placeholders.items()
    }
    missing = [name for name, found in positions.items() if not found]
    if missing:
        raise ValueError(f"prepared read {shape!r}: {missing} are not parameters of its SQL")
    scalars = [value[0] if isinstance(value, list) else value for value in placeholders.values()]
    if any(str(scalar) in sql for scalar in scalars):
        raise ValueError(f"prepared read {shape!r}: a value was folded into the SQL text")
    return positions


def _bound(params: Sequence[Any], positions: dict[str, tuple[int, ...]], values: dict[str, ReadValue]) -> list[Any]:
    """The compiled parameters with this run's values in their places."""
    bound = list(params)
    for name, value in values.items():
        given: Any
        if isinstance(value, list):
            given = [int(key) for key in value]
        elif type(value) is datetime.date:
            given = value
        else:
            given = int(value)  # type: ignore[arg-type]
        for index in positions[name]:
            bound[index] = given
    return bound


class PreparedRead(Generic[M]):
    """`build(shape, **values)` returns the queryset for `values` (integers, dates, lists of
    integers); `fetch(shape, **values)` runs it. `build` must give the same SQL for every call
    with the same `shape`.

    `plan_each_run=True` keeps the SQL compiled once but sends it with its values bound in the
    text, so that PostgreSQL plans each run for them: for a read whose best plan depends on a
    value's selectivity. Crates due for destruction (`retention_until <= day`) are a few of a
    unit's crates; a plan for any day (a prepared statement's) expects a third of them and read
    every one of the unit's 150,000 on the 10x bench data, 23 ms against 1 ms planned for the
    day (OPTIMIZATIONS.md §2.W)."""

    def __init__(self, build: Callable[..., QuerySet[M]], *, plan_each_run: bool = False) -> None:
        self._build = build
        self._plan_each_run = plan_each_run
        self._compiled: dict[Hashable, _Compiled] = {}
        self._lock = threading.Lock()

    def fetch(self, shape: Hashable, **values: ReadValue) -> list[M]:
        compiled = self._compiled.get(shape)
        if compiled is None:
            if connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
                # SQLite (the embedded default of `make run`): built and compiled every time.
                return list(self._build(shape, **values))
            compiled = self._compile(shape, values)
        params = _bound(compiled.params, compiled.positions, values)
        queryset = compiled.queryset.all()
        iterable = queryset._iterable_class
        queryset.query = _with_sql(compiled, tuple(params), server_prepared=not self._plan_each_run)
        queryset._iterable_class = iterable  # the setter above makes any values_list() a values()
        return list(queryset)

    def _compile(self, shape: Hashable, values: dict[str, ReadValue]) -> _Compiled:
        with self._lock:
            if shape in self._compiled:
                return self._compiled[shape]
            placeholders = _placeholders(values)
            queryset = self._build(shape, **placeholders)
            compiler = queryset.query.get_compiler(using=queryset.db)
            sql, params = compiler.as_sql()
            positions = _positions(shape, sql, params, placeholders)
            compiled = _Compiled(queryset, compiler, sql, tuple(params), positions)
            self._compiled[shape] = compiled
            return compiled


class PreparedSQL:
    """SQL written around querysets, compiled once per shape as a `PreparedRead` is:
    `build(shape, **values)` returns (sql, params) for `values`; `fetch(using, shape, **values)`
    returns its rows as tuples (`fetch_rows`: a prepared statement on PostgreSQL)."""

    def __init__(self, build: Callable[..., tuple[str, Sequence[Any]]]) -> None:
        self._build = build
        self._compiled: dict[Hashable, tuple[str, tuple[Any, ...], dict[str, tuple[int, ...]]]] = {}
        self._lock = threading.Lock()

    def fetch(self, using: str, shape: Hashable, **values: ReadValue) -> list[tuple[Any, ...]]:
        if connections[using].vendor != "postgresql":
            sql, params = self._build(shape, **values)  # SQLite: built every time, as PreparedRead
            return fetch_rows(using, sql, params)
        compiled = self._compiled.get(shape)
        if compiled is None:
            with self._lock:
                if shape not in self._compiled:
                    placeholders = _placeholders(values)
                    sql, params = self._build(shape, **placeholders)
                    self._compiled[shape] = (sql, tuple(params), _positions(shape, sql, params, placeholders))
                compiled = self._compiled[shape]
        sql, params, positions = compiled
        return fetch_rows(using, sql, _bound(params, positions, values))


def _with_sql(compiled: _Compiled, params: tuple[Any, ...], *, server_prepared: bool) -> Any:
    """A copy of the compiled query whose compiler answers the stored SQL with `params`: the
    compiler's column map (`select`, `klass_info`), set up by the first compilation, is what
    turns rows into model instances and is the same for every run of one shape. The copy runs
    on the calling thread's connection, not the compiling thread's (each thread of a server
    process has its own)."""
    query = copy.copy(compiled.queryset.query)

    def get_compiler(using: Any = None, connection: Any = None, elide_empty: bool = True) -> Any:
        compiler = copy.copy(compiled.compiler)
        compiler.connection = connection if connection is not None else connections[using]
        compiler.using = using
        compiler.as_sql = lambda *args, **kwargs: (compiled.sql, params)
        if server_prepared:
            compiler.execute_sql = _execute_prepared(compiler, compiled.sql, params)
        compiler.get_converters = _converters_once(compiled, compiler)
        return compiler

    query.get_compiler = get_compiler  # type: ignore[method-assign]  # this one query object only
    return query


def _converters_once(compiled: _Compiled, compiler: Any) -> Callable[[Any], Any]:
    """`SQLCompiler.get_converters` for the rows of a compiled read, kept per connection (the
    read's columns are the same for every run)."""

    def get_converters(expressions: Any) -> Any:
        found = compiled.converters.get(compiler.connection)
        if found is None:
            found = type(compiler).get_converters(compiler, expressions)
            compiled.converters[compiler.connection] = found
        return found

    return get_converters


# psycopg prepares a statement on a cursor that binds on the server and asks for it, and only
# while the connection's `prepare_threshold` is set: Django leaves it None (nothing prepared),
# and it is set only while a prepared read runs, so Django's other queries are neither counted
# nor prepared. A threshold no count reaches: nothing is prepared by counting, only by asking.
_NEVER_BY_COUNT = 2**31 - 1


class _PreparingCursor(psycopg.Cursor[Any]):
    """Binds on the server and prepares each statement on its first run; psycopg keeps the
    statements per connection (its LRU of 100, dropped on a rollback) and reuses them by text."""

    def execute(self, query: Any, params: Any = None, *, prepare: bool | None = None, **kwargs: Any) -> Any:
        return super().execute(query, params, prepare=True, **kwargs)


def run_prepared(using: str, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """The rows of `sql` run on `using`'s connection as a server-side prepared statement (as a
    PreparedRead's rows are read). For SQL whose text is fixed and whose values are parameters
    (apps/core/prepared_keys.py)."""
    cursor = _executed_on_server(connections[using], sql, params)
    try:
        return list(cursor.fetchall())
    finally:
        cursor.close()


def fetch_rows(using: str, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """The rows of `sql` (fixed text, values as parameters): a server-side prepared statement on
    PostgreSQL, planned once per connection; a plain query where statements are not prepared
    (SQLite, `DB_PREPARED_STATEMENTS=false`)."""
    connection = connections[using]
    if connection.vendor == "postgresql" and settings.DB_PREPARED_STATEMENTS:
        return run_prepared(using, sql, params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _executed_on_server(connection: Any, sql: str, params: Sequence[Any]) -> Any:
    """A cursor of `connection` that ran `sql` as a server-side prepared statement, through
    Django's cursor wrapper: errors, query logging and counting as for any query."""
    connection.ensure_connection()
    raw = connection.connection
    with connection.wrap_database_errors:
        cursor = connection._prepare_cursor(_PreparingCursor(raw))
    threshold, raw.prepare_threshold = raw.prepare_threshold, _NEVER_BY_COUNT
    try:
        cursor.execute(sql, params)
    except BaseException:
        cursor.close()
        raise
    finally:
        raw.prepare_threshold = threshold
    return cursor


def _execute_prepared(compiler: Any, sql: str, params: tuple[Any, ...]) -> Any:
    """`SQLCompiler.execute_sql` for a list of rows (MULTI), run as a prepared statement."""

    def execute_sql(
        result_type: str = MULTI, chunked_fetch: bool = False, chunk_size: int = GET_ITERATOR_CHUNK_SIZE
    ) -> Any:
        connection = compiler.connection
        if result_type != MULTI or connection.vendor != "postgresql" or not settings.DB_PREPARED_STATEMENTS:
            return type(compiler).execute_sql(compiler, result_type, chunked_fetch, chunk_size)
        cursor = _executed_on_server(connection, sql, params)
        fetched = cursor_iter(
            cursor,
            connection.features.empty_fetchmany_value,
            compiler.col_count if compiler.has_extra_select else None,
            chunk_size,
        )
        return list(fetched)  # all rows now, as Django does without chunked reads; closes the cursor

    return execute_sql
