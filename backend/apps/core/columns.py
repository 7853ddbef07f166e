"""Which columns a read loads of the rows it joins."""

from collections.abc import Collection
from typing import Any, TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


def own_columns_and(queryset: QuerySet[M], *related: str, leaving: Collection[str] = ()) -> QuerySet[M]:
    """`queryset` loading every column of its own model (but `leaving`) and, of the rows it
    joins, only `related` ("unit__code", "created_by__full_name").

    A list row shows a code or a name of its related users, units and locations; building them
    whole (a user's password hash, flags, dates...) cost more than the row itself (OPTIMIZATIONS.md
    §2.H). Any other attribute of them is read by a query per row, which the lists' query-count
    tests (page size 1 against 50) catch."""
    model: Any = queryset.model
    own = [field.name for field in model._meta.concrete_fields if field.name not in leaving]
    return queryset.only(*own, *related)
