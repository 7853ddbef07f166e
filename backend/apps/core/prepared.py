"""Reads whose SQL is compiled once per process, then run with each request's values.

Django compiles a queryset's SQL on every evaluation. For a crate's page (six annotation
subqueries: request facts, legal hold, document count) that compilation cost more CPU than
PostgreSQL spends running the query (OPTIMIZATIONS.md §2.H). A `PreparedRead` builds its
queryset once with placeholder values, compiles it, remembers where each placeholder landed
in the parameters, and afterwards runs the same SQL with the request's values there.

Only values may differ between runs, never the SQL's shape: whatever changes the text (the
kind of unit scope, which filters apply) is part of the `shape` key the caller passes, and
each shape is compiled once. The placeholders are integers no row can hold; compiling
verifies that each lands in the parameters exactly where a plain filter puts it, so a value
folded into the SQL text (or transformed on its way) fails loudly instead of reading the
wrong rows. Prefetches of the queryset run as usual, after the main query.
"""

import copy
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)

# Far below any primary key or id PostgreSQL's sequences hand out, and distinct per name.
_PLACEHOLDER_BASE = -(2**31) + 7_919


@dataclass(frozen=True)
class _Compiled:
    queryset: QuerySet[Any]
    compiler: Any
    sql: str
    params: tuple[Any, ...]
    positions: dict[str, tuple[int, ...]]


class PreparedRead(Generic[M]):
    """`build(**values)` returns the queryset for integer `values`; `fetch(shape, **values)`
    runs it. `build` must give the same SQL for every call with the same `shape`."""

    def __init__(self, build: Callable[..., QuerySet[M]]) -> None:
        self._build = build
        self._compiled: dict[Hashable, _Compiled] = {}
        self._lock = threading.Lock()

    def fetch(self, shape: Hashable, **values: int) -> list[M]:
        compiled = self._compiled.get(shape) or self._compile(shape, sorted(values))
        params = list(compiled.params)
        for name, value in values.items():
            for index in compiled.positions[name]:
                params[index] = int(value)
        queryset = compiled.queryset.all()
        queryset.query = _with_sql(compiled, tuple(params))
        return list(queryset)

    def _compile(self, shape: Hashable, names: list[str]) -> _Compiled:
        with self._lock:
            if shape in self._compiled:
                return self._compiled[shape]
            placeholders = {name: _PLACEHOLDER_BASE + n for n, name in enumerate(names)}
            queryset = self._build(shape, **placeholders)
            compiler = queryset.query.get_compiler(using=queryset.db)
            sql, params = compiler.as_sql()
            positions = {
                name: tuple(i for i, param in enumerate(params) if type(param) is int and param == placeholder)
                for name, placeholder in placeholders.items()
            }
            missing = [name for name, found in positions.items() if not found]
            if missing:
                raise ValueError(f"prepared read {shape!r}: {missing} are not parameters of its SQL")
            if any(str(placeholder) in sql for placeholder in placeholders.values()):
                raise ValueError(f"prepared read {shape!r}: a value was folded into the SQL text")
            compiled = _Compiled(queryset, compiler, sql, tuple(params), positions)
            self._compiled[shape] = compiled
            return compiled


def _with_sql(compiled: _Compiled, params: tuple[Any, ...]) -> Any:
    """A copy of the compiled query whose compiler answers the stored SQL with `params`: the
    compiler's column map (`select`, `klass_info`), set up by the first compilation, is what
    turns rows into model instances and is the same for every run of one shape."""
    query = copy.copy(compiled.queryset.query)

    def get_compiler(using: Any = None, connection: Any = None, elide_empty: bool = True) -> Any:
        compiler = copy.copy(compiled.compiler)
        compiler.as_sql = lambda *args, **kwargs: (compiled.sql, params)
        return compiler

    query.get_compiler = get_compiler  # type: ignore[method-assign]  # this one query object only
    return query
