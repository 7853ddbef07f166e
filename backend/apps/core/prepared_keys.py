"""A list page's keys and count with SQL compiled once per shape of the list (docs/api.md).

A list page is read in two queries (apps/core/pagination.py): the page's keys with the capped
count, then the rows of those keys (apps/core/prepared.py). The keys query is the view's own
queryset (its unit scope, its filters, its ordering), and Django built and compiled it again
for every request: on the crates and requests lists that was a tenth of the request's CPU,
more than PostgreSQL spent running it (OPTIMIZATIONS.md §2.S).

Here a list that opts in (`prepared_keys_scope` on the view, UNIT or READER below) has its
keys query built by its own code path (`view.filter_queryset(view.get_queryset())`) once per
shape, with stand-in values, and compiled; later requests of the same shape run that SQL with
their own values, as a server-side prepared statement. What may differ between two requests of one shape is only:
- the reader's id and unit, which the view's queryset reads from `request.user` (a list that
  opts in reads nothing else of the reader; with UNIT, whether they see every unit too, which
  is part of the shape);
- the integer values of plain field filters (`?location=12`), and `LIMIT` / `OFFSET`.
Everything else that could change the SQL text is the shape: the view, the filters given with
a boolean or choice value, the ordering, the counting cap. A request outside that (text, a
date, a search term, a list of values, a filter with its own method, unless its filter set
names it in `value_only_methods`: one whose SQL depends on its value alone) is read as before.

Compiling checks that each filter's stand-in lands in the parameters and nowhere in the SQL
text, and that none of the reader's own ids is in the parameters (a value read from
somewhere other than the stand-in would be baked into a query that others then run): a shape
that fails is remembered as one to read as before.
"""

import copy
import logging
import threading
from collections.abc import Hashable
from dataclasses import dataclass
from functools import cache
from typing import Any

import django_filters
from django.conf import settings
from django.db import connections
from django.db.models import QuerySet, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber
from django_filters.constants import EMPTY_VALUES
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.filters import OrderingFilter, SearchFilter

from apps.core.filters import MAX_ID
from apps.core.prepared import run_prepared

logger = logging.getLogger(__name__)

# Integers no id reaches for years, accepted by every id filter (at most MAX_ID), distinct.
_STAND_IN_BASE = MAX_ID - 7_919
_READER_ID, _READER_UNIT = "reader_id", "reader_unit"
_LIMIT_OFFSET = " LIMIT %s OFFSET %s"
# What a list's queryset reads of its reader (the view's `prepared_keys_scope`): their unit, and
# whether they see every unit (access.unit_scope_q), or only their id.
UNIT, READER = "unit", "reader"
# Shapes remembered per process: a list has a few (its filters, their choices, its orderings).
_MAX_SHAPES = 512


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    positions: dict[str, tuple[int, ...]]


class BoundKeys:
    """A list's keys query bound to one request's values: `page(offset, limit)` gives the page's
    keys and the list's count up to the cap (counted as pagination.py's keys query counts)."""

    def __init__(self, compiled: _Compiled, values: dict[str, int], using: str) -> None:
        self._compiled = compiled
        self._values = values
        self._using = using

    def page(self, offset: int, limit: int) -> tuple[list[int], int]:
        params = list(self._compiled.params)
        for name, value in self._values.items():
            for index in self._compiled.positions.get(name, ()):
                params[index] = value
        return keys_and_count(
            run_prepared(self._using, self._compiled.sql + _LIMIT_OFFSET, [*params, limit, offset]), offset
        )


def keys_with_capped_count(queryset: QuerySet[Any], cap: int) -> QuerySet[Any]:
    """A list page's keys query: each key of `queryset` (in its order) with the count of its rows
    up to `cap` + 1. The count is an uncorrelated scalar subquery: PostgreSQL computes it once
    (an InitPlan), not per row. Its text is Django's own compiled SQL; every value stays a
    parameter."""
    capped_sql, capped_params = queryset.order_by().values("pk")[: cap + 1].query.sql_with_params()
    counted = RawSQL(f"SELECT COUNT(*) FROM ({capped_sql}) AS capped", capped_params)  # noqa: S608, S611
    return queryset.values_list("pk", counted)


def matched_keys_sql(queryset: QuerySet[Any], cap: int) -> tuple[str, list[Any]]:
    """The same keys query as `keys_with_capped_count`, for a list whose every match is computed
    anyway to be ordered (a search: a union of index scans, not an ordered index walk). Its
    matches are computed once, numbered in the list's order, and both counted and paged from
    there: `keys_with_capped_count` holds the filters twice (count and keys), so PostgreSQL
    planned and ran the search twice (OPTIMIZATIONS.md §2.T). SQL without its LIMIT / OFFSET,
    which the caller appends as parameters."""
    ordering = queryset.query.order_by or queryset.model._meta.ordering
    # The key breaks ties, so that no row of a tie appears on two pages or on none.
    numbered = queryset.order_by().annotate(_position=Window(RowNumber(), order_by=[*ordering, "pk"]))
    matched_sql, params = numbered.values_list("pk", "_position").query.sql_with_params()
    sql = (
        f"WITH matched (pk, position) AS MATERIALIZED ({matched_sql}) "  # noqa: S608 - Django's own SQL
        f"SELECT pk, (SELECT COUNT(*) FROM (SELECT 1 FROM matched LIMIT {int(cap) + 1}) AS capped) "
        "FROM matched ORDER BY position"
    )
    return sql, list(params)


def keys_and_count(rows: list[tuple[Any, ...]], offset: int) -> tuple[list[int], int]:
    """The keys and the capped count of a page read by `keys_with_capped_count`. No row on the
    page: an empty list on page 1 (a later page is refused by the caller)."""
    return [key for key, _ in rows], rows[0][1] if rows else offset


class _Shapes:
    def __init__(self) -> None:
        self._compiled: dict[Hashable, _Compiled | None] = {}
        self._lock = threading.Lock()

    def get(self, shape: Hashable, compile_: Any) -> _Compiled | None:
        if shape in self._compiled:
            return self._compiled[shape]
        with self._lock:
            if shape not in self._compiled and len(self._compiled) < _MAX_SHAPES:
                self._compiled[shape] = compile_()
            return self._compiled.get(shape)


_shapes = _Shapes()


def bind(view: Any, cap: int) -> BoundKeys | None:
    """The keys query of this list request with SQL compiled once per shape, or None when the
    request is not one of the shapes prepared here (it is then read as before)."""
    scoped_by = getattr(view, "prepared_keys_scope", None)
    if scoped_by not in (UNIT, READER) or getattr(view, "page_rows_for_keys", None) is None:
        return None
    if not settings.DB_PREPARED_STATEMENTS:
        return None
    request, user = view.request, view.request.user
    if not getattr(user, "is_authenticated", False):
        return None
    every_unit = scoped_by == UNIT and bool(user.is_system_admin)
    if scoped_by == UNIT and user.unit_id is None and not every_unit:
        return None  # no unit to see
    filterset_class = getattr(view, "filterset_class", None)
    if filterset_class is None:  # the model is the filter set's (the queryset is not built here)
        return None
    queryset_model = filterset_class._meta.model
    using = queryset_model.objects.db
    if connections[using].vendor != "postgresql":
        return None
    form_values = _filter_values(view, request, queryset_model)
    if form_values is None:
        return None
    ordering = _ordering(view, request, queryset_model)
    shape_filters, stand_ins, values = [], {}, {_READER_ID: int(user.pk), _READER_UNIT: int(user.unit_id or 0)}
    for n, (name, value) in enumerate(sorted(form_values.items()), start=2):
        if type(value) is int:
            stand_ins[name], values[f"filter:{name}"] = _STAND_IN_BASE - n, value
            shape_filters.append((name, int))
        else:
            shape_filters.append((name, value))
    shape = (
        type(view).__module__,
        type(view).__qualname__,
        every_unit,
        tuple(shape_filters),
        ordering,
        cap,
    )
    try:
        compiled = _shapes.get(shape, lambda: _compile(view, request, user, stand_ins, cap))
    except Exception:  # not remembered: the list is read as before, which raises what it raises
        logger.warning("keys query of %s not prepared", type(view).__qualname__, exc_info=True)
        return None
    if compiled is None:
        return None
    return BoundKeys(compiled, values, using)


def _filter_values(view: Any, request: Any, model: Any) -> dict[str, Any] | None:
    """The request's filter values (those given), or None if any is not one a shape can hold:
    only plain field filters, with an integer (a parameter), a boolean or a choice (the shape)."""
    backends = list(view.filter_backends)
    if any(backend not in (DjangoFilterBackend, OrderingFilter, SearchFilter) for backend in backends):
        return None
    query = request.query_params
    if SearchFilter in backends and query.get(SearchFilter.search_param):
        return None
    if DjangoFilterBackend not in backends:
        return {}
    names, required = _filters_of(view.filterset_class)
    if not required and not any(key.startswith(name) for key in query for name in names):
        return {}  # no filter given (a widget's keys begin with its filter's name): none to check
    value_only: frozenset[str] = getattr(view.filterset_class, "value_only_methods", frozenset())
    method_filters = _method_filters(view.filterset_class) - value_only
    if any(query.get(name) for name in method_filters):
        return None  # before validating: the list reads it as before, validating it again
    filterset = DjangoFilterBackend().get_filterset(request, model._default_manager.all(), view)
    if filterset is None or not filterset.is_valid():
        return None  # read as before, which answers the usual 400
    given: dict[str, Any] = {}
    for name, value in filterset.form.cleaned_data.items():
        if value in EMPTY_VALUES:
            continue
        filter_ = filterset.filters[name]
        if filter_.method is not None and name not in value_only:
            return None
        choice = type(value) is str and isinstance(filter_, django_filters.ChoiceFilter)
        if not (choice or type(value) in (bool, int)):
            return None
        given[name] = value
    return given


@cache
def _method_filters(filterset_class: Any) -> frozenset[str]:
    return frozenset(name for name, filter_ in filterset_class.base_filters.items() if filter_.method is not None)


@cache
def _filters_of(filterset_class: Any) -> tuple[tuple[str, ...], bool]:
    """The filter set's filter names, and whether any of them is required (its absence is a 400)."""
    filters = filterset_class.base_filters
    return tuple(filters), any(filter_.extra.get("required") for filter_ in filters.values())


def _ordering(view: Any, request: Any, model: Any) -> tuple[str, ...] | None:
    """The ordering the request asks for (valid fields only, as OrderingFilter takes it), or None
    for the queryset's own."""
    if OrderingFilter not in view.filter_backends:
        return None
    ordering_filter = OrderingFilter()
    if request.query_params.get(ordering_filter.ordering_param):
        ordering = ordering_filter.get_ordering(request, model._default_manager.all(), view)
    else:
        ordering = ordering_filter.get_default_ordering(view)
    return tuple(ordering) if ordering else None


def _compile(view: Any, request: Any, user: Any, stand_ins: dict[str, int], cap: int) -> _Compiled | None:
    reader = copy.copy(user)
    reader._state = copy.copy(user._state)
    reader._state.fields_cache = {}  # no related object read with the real ids
    reader.pk = _STAND_IN_BASE
    reader.unit_id = _STAND_IN_BASE - 1 if user.unit_id is not None else None
    data = request.query_params.copy()
    for name, number in stand_ins.items():
        data[name] = str(number)
    stand_in_request = copy.copy(request)
    stand_in_request._request = copy.copy(request._request)
    stand_in_request._request.GET = data
    stand_in_request._user = reader
    real_request = view.request
    view.request = stand_in_request
    try:
        queryset = view.filter_queryset(view.get_queryset())
    finally:
        view.request = real_request
    return _compiled_keys(queryset, cap, {**stand_ins, _READER_ID: reader.pk, _READER_UNIT: reader.unit_id}, user)


def _compiled_keys(queryset: QuerySet[Any], cap: int, stand_ins: dict[str, Any], user: Any) -> _Compiled | None:
    """pagination.py's keys query (the keys and the capped count) of `queryset`, compiled, with
    where each stand-in landed; None if the SQL is not one that other values can run."""
    if queryset.query.low_mark or queryset.query.high_mark is not None:
        return None
    sql, params = keys_with_capped_count(queryset, cap).query.sql_with_params()
    positions: dict[str, tuple[int, ...]] = {}
    for name, number in stand_ins.items():
        if number is None:
            continue
        if str(number) in sql:
            return None  # folded into the text
        found = tuple(i for i, param in enumerate(params) if type(param) is int and param == number)
        if not found and not name.startswith("reader_"):
            return None  # a filter's value did not reach the SQL as it is
        positions[_value_name(name)] = found
    own = {user.pk, user.unit_id} - {None}
    if any(type(param) is int and param in own for param in params):
        return None  # the reader's own id reached the SQL by another way than the stand-in
    return _Compiled(sql, tuple(params), positions)


def _value_name(stand_in: str) -> str:
    return stand_in if stand_in.startswith("reader_") else f"filter:{stand_in}"
