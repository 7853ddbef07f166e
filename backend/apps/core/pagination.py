"""Page-number pagination that never counts more rows than it must (docs/api.md).

A page is read with one row more than asked for, which tells whether a next page exists,
and the rows are counted up to PAGINATION_COUNT_CAP (+1), never the whole table: `count` is
exact up to the cap (and on the last page); past it `count` is a lower bound of the rows
and `count_exact` is false. So a list costs the same two queries on a table of 10k rows as on
one of 10M.
"""

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import F, QuerySet
from rest_framework import pagination
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from apps.core import prepared_keys
from apps.core.prepared import AnyOf
from apps.core.prepared_keys import BoundKeys

DEFAULT_COUNT_CAP = 1000


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset: Any, request: Request, view: APIView | None = None) -> list[Any] | None:
        self.request = request
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        cap = count_cap()
        raw = request.query_params.get(self.page_query_param) or "1"
        if raw in self.last_page_strings:
            total = queryset.page(0, 1)[1] if isinstance(queryset, BoundKeys) else self._count_up_to(queryset, cap)
            if total > cap:
                raise NotFound("Invalid page: the last page of a list this long is not counted.")
            number = max(1, -(-total // page_size))
        else:
            try:
                number = int(raw)
            except ValueError:
                raise NotFound("Invalid page.") from None
            if number < 1:
                raise NotFound("Invalid page.")
        offset = (number - 1) * page_size
        rows_for_keys = getattr(view, "page_rows_for_keys", None)
        if rows_for_keys is not None and isinstance(queryset, BoundKeys):
            keys, counted = queryset.page(offset, page_size + 1)
            rows = self._rows_of(keys, rows_for_keys)
        elif rows_for_keys is not None and isinstance(queryset, QuerySet):
            matched_whole = _matched_whole(view, request)
            rows, counted = self._rows_by_keys(queryset, offset, page_size + 1, cap, rows_for_keys, matched_whole)
        else:
            rows = list(self._page_rows(queryset, offset, page_size + 1))
            # Counted on every page, even where the rows alone would tell: a list runs the same
            # queries on every page and at every page size (docs/api.md).
            counted = self._count_up_to(queryset, cap)
        self.has_next = len(rows) > page_size
        rows = rows[:page_size]
        if number > 1 and not rows:
            raise NotFound("Invalid page.")
        self.number = number
        if not self.has_next:  # the last page: the rows before it and on it are all there is
            self.count, self.count_exact = offset + len(rows), True
        elif counted <= cap:
            self.count, self.count_exact = counted, True
        else:  # more rows than `count` (a lower bound): at least one past this page
            self.count, self.count_exact = max(cap, offset + len(rows)), False
        return rows

    @classmethod
    def _rows_by_keys(
        cls,
        queryset: QuerySet[Any],
        offset: int,
        limit: int,
        cap: int,
        rows_for_keys: Callable[[list[int]], list[Any]],
        matched_whole: bool = False,
    ) -> tuple[list[Any], int]:
        """The page's keys and the capped count in one query, then the rows of those keys read
        by the view's `page_rows_for_keys`, whose SQL is compiled once per process
        (apps/core/prepared.py): compiling a list's annotated rows query cost more CPU than
        running it (OPTIMIZATIONS.md §2.H). Two queries on every page, as before.
        `matched_whole`: every match is computed anyway (a search), so they are computed once
        for both the count and the keys (prepared_keys.matched_keys_sql)."""
        connection = connections[queryset.db]
        if connection.vendor != "postgresql":  # SQLite (the embedded default of `make run`)
            keys = list(queryset.values_list("pk", flat=True)[offset : offset + limit])
            total = cls._count_up_to(queryset, cap)
        elif matched_whole:
            sql, params = prepared_keys.matched_keys_sql(queryset, cap)
            with connection.cursor() as cursor:
                cursor.execute(f"{sql} LIMIT %s OFFSET %s", [*params, limit, offset])
                keys, total = prepared_keys.keys_and_count(cursor.fetchall(), offset)
        else:
            keyed = list(prepared_keys.keys_with_capped_count(queryset, cap)[offset : offset + limit])
            keys, total = prepared_keys.keys_and_count(keyed, offset)
        return cls._rows_of(keys, rows_for_keys), total

    @staticmethod
    def _rows_of(keys: list[int], rows_for_keys: Callable[[list[int]], list[Any]]) -> list[Any]:
        by_key = {row.pk: row for row in rows_for_keys(keys)}
        return [by_key[key] for key in keys if key in by_key]

    @staticmethod
    def _page_rows(queryset: Any, offset: int, limit: int) -> Any:
        if not isinstance(queryset, QuerySet):
            return queryset[offset : offset + limit]
        # The page's keys are picked first, from the filters and the ordering alone (an index
        # scan), and only those rows are joined and annotated: a deep page does not compute
        # joins and per-row subqueries for every row it skips. Still one query.
        keys = queryset.values("pk")[offset : offset + limit]
        if connections[queryset.db].vendor != "postgresql":
            return queryset.filter(pk__in=keys)
        from django.contrib.postgres.expressions import ArraySubquery

        # `pk = ANY(ARRAY(keys))`, not `pk IN (keys)`: PostgreSQL may run an IN as a semi-join
        # and build every row the filters match (their joins included) before it meets the
        # page's keys (the requests list at 50,000 requests: 456 ms); an array is computed
        # once, first, and its keys are looked up by the primary key (0.5 ms).
        return queryset.filter(AnyOf(F("pk"), ArraySubquery(keys)))

    @staticmethod
    def _count_up_to(queryset: Any, cap: int) -> int:
        if isinstance(queryset, QuerySet):
            # Only the primary keys of at most cap + 1 rows: no ordering, joins for output
            # or per-row annotations are computed for counting.
            return queryset.order_by().values("pk")[: cap + 1].count()
        return min(len(queryset), cap + 1)

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            OrderedDict(
                [
                    ("count", self.count),
                    ("count_exact", self.count_exact),
                    ("next", self.get_next_link()),
                    ("previous", self.get_previous_link()),
                    ("results", data),
                ]
            )
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        response = super().get_paginated_response_schema(schema)
        response["required"] = ["count", "count_exact", "results"]
        response["properties"] = {
            "count": response["properties"]["count"],
            "count_exact": {
                "type": "boolean",
                "description": "False when the list is longer than the counting cap: "
                "`count` is then a lower bound (follow `next` for more).",
            },
            **{name: value for name, value in response["properties"].items() if name != "count"},
        }
        return response

    def get_next_link(self) -> str | None:
        if not self.has_next or self.request is None:
            return None
        return replace_query_param(self.request.build_absolute_uri(), self.page_query_param, self.number + 1)

    def get_previous_link(self) -> str | None:
        if self.number <= 1 or self.request is None:
            return None
        url = self.request.build_absolute_uri()
        if self.number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.number - 1)


def _matched_whole(view: Any, request: Request) -> bool:
    """Whether this request's list computes every match to order them: the view names the query
    parameters that make it so (`keys_matched_whole_for`, e.g. a search term)."""
    names = getattr(view, "keys_matched_whole_for", ())
    return any(request.query_params.get(name, "").strip() for name in names)


def count_cap() -> int:
    return int(getattr(settings, "PAGINATION_COUNT_CAP", DEFAULT_COUNT_CAP))


def list_source(view: Any) -> Any:
    """What a list view pages through: its keys query with SQL compiled once per shape
    (apps/core/prepared_keys.py, for a view with `prepared_keys_scope`) when this request is of one,
    else its filtered queryset (which also answers a bad filter with 400)."""
    paginator = view.paginator
    if paginator is not None and paginator.get_page_size(view.request):
        bound = prepared_keys.bind(view, count_cap())
        if bound is not None:
            return bound
    return view.filter_queryset(view.get_queryset())


def paginated_rows(view: Any, to_row: Callable[[Any], Any]) -> Response:
    """A list view's answer with each row built by `to_row` (plain dicts, apps/*/representations.py)
    instead of the view's serializer: filtered, paginated and shaped as ListModelMixin.list."""
    queryset = list_source(view)
    page = view.paginate_queryset(queryset)
    if page is None:
        return Response([to_row(row) for row in queryset])
    return view.get_paginated_response([to_row(row) for row in page])
