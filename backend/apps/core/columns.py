"""Which columns a read loads of the rows it joins."""

from collections.abc import Collection
from typing import Any, TypeVar

from django.db.models import F, Model, QuerySet

M = TypeVar("M", bound=Model)


def own_columns_and(queryset: QuerySet[M], *, leaving: Collection[str] = (), **shown: str) -> QuerySet[M]:
    """`queryset` loading every column of its own model (but `leaving`) and, of the rows it
    joins, only `shown`: each an annotation named by its key (`unit_code="unit__code"`).

    A list row shows a code or a name of its related users, units and locations. Loaded whole
    (a user's password hash, flags, dates...) they cost more than the row itself (§2.H of
    OPTIMIZATIONS.md), and even loaded as a column or two each, building them as model instances
    (five for a crate, seven for a document) was a fifth of a list's time (§2.N): here they are
    plain values on the row. Any other attribute of them is read by a query per row, which the
    lists' query-count tests (page size 1 against 50) catch."""
    joined = {name: F(path) for name, path in shown.items()}
    return queryset.select_related(None).only(*own_columns(queryset.model, leaving=leaving)).annotate(**joined)


def own_columns(model: Any, *, leaving: Collection[str] = ()) -> list[str]:
    """The names of every column of `model`'s own table (but `leaving`), for `only()`."""
    return [field.name for field in model._meta.concrete_fields if field.name not in leaving]
