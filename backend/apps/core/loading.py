"""Rows read from the database become model instances without Model.__init__'s per-field work.

Django builds every row it reads through `Model.__init__`: a signal sent before and after, and
each column set through `setattr`, a foreign key's through its descriptor. A list page builds
25 rows of 20 to 35 columns each, and that was 5 to 7 % of its CPU (OPTIMIZATIONS.md §2.O). With a
deferred column (the requests' certificate), `Model.from_db` also matched every field against
a list of the loaded names. `from_db` is Django's documented hook for customising loading.

`FastLoading.from_db` gives the same instance: the loaded columns in the instance's
`__dict__` (where Django's descriptors put them), deferred columns absent (loaded when read,
as Django does), `_state` not adding and of the database read. Columns whose class attribute
is not one of Django's plain column descriptors are still set with `setattr`; and a model
with a `pre_init` or `post_init` receiver is built by Django's own `from_db`.
"""

from functools import cache
from typing import Any

from django.db import models
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init

# Descriptors that, on an instance being built, only store the value in its __dict__.
_PLAIN_DESCRIPTORS = (DeferredAttribute, ForeignKeyDeferredAttribute)


@cache
def _columns(model: type[models.Model]) -> tuple[tuple[str, ...], frozenset[str]]:
    """The model's columns' attribute names in order, and those written straight to __dict__."""
    names = tuple(field.attname for field in model._meta.concrete_fields)
    plain = frozenset(name for name in names if type(model.__dict__.get(name)) in _PLAIN_DESCRIPTORS)
    return names, plain


class FastLoading(models.Model):
    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Any:
        if pre_init.has_listeners(cls) or post_init.has_listeners(cls):
            return super().from_db(db, field_names, values)
        names, plain = _columns(cls)
        if len(values) != len(names):
            names = field_names  # the loaded columns' attribute names, in the order of `values`
        new = cls.__new__(cls)
        state = ModelState()
        state.adding = False
        state.db = db
        attributes = new.__dict__
        attributes["_state"] = state
        for name, value in zip(names, values, strict=True):
            if value is models.DEFERRED:
                continue
            if name in plain:
                attributes[name] = value
            else:
                setattr(new, name, value)
        return new
