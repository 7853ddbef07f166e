"""List filters: the filter set every list uses, and filters that name another object by its id."""

import copy
from typing import Any

import django_filters
from django import forms
from django.db import models
from django.http import QueryDict

# PostgreSQL's `integer`: a larger id is refused as bad input instead of failing in the query.
MAX_ID = 2**31 - 1


class IdFilter(django_filters.Filter):
    """An object's id as a plain integer (`?unit=3`).

    django-filter's default for a foreign key, a model choice, reads the object to check the id
    exists (a query per filter given) and answers 400 for a missing one but an empty list for
    another unit's, which tells the two apart. Here both simply match nothing, revealing
    neither (docs/roles.md: another unit's object answers as if it did not exist); an id that
    is not a positive integer of the id's range is 400."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


# For a FilterSet's Meta: its foreign keys listed in `fields` become IdFilters.
ID_FILTERS: dict[Any, dict[str, Any]] = {
    models.ForeignKey: {"filter_class": IdFilter},
    models.OneToOneField: {"filter_class": IdFilter},
}


class FilterSet(django_filters.FilterSet):
    """django-filter's FilterSet without rebuilding itself for every request.

    For each request django-filter deep-copies the class's filters and builds a new form class
    from them, every field with its label translated again: a sixth of a list's CPU
    (OPTIMIZATIONS.md §2.N). Here each filter is copied shallowly and bound to this filter set
    (its `method` too, as django-filter's copy is), and the form class is built once per filter
    set class: the fields hold nothing of a request (ids are IdFilters, not model choices whose
    queryset would depend on the user). The form itself is still a new one for each request,
    sharing its class's fields (`SharedFields`)."""

    # Filters with their own method whose SQL depends on the value they are given alone (no
    # date, no reader): apps/core/prepared_keys.py may hold their value in a list's shape.
    value_only_methods: frozenset[str] = frozenset()

    def __init__(
        self, data: Any = None, queryset: Any = None, *, request: Any = None, prefix: str | None = None
    ) -> None:
        # As django-filter 25.1's __init__, but for the copy of the filters.
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {name: _bound_copy(filter_, self, queryset.model) for name, filter_ in self.base_filters.items()}

    def get_form_class(self) -> type[forms.Form]:
        cls = type(self)
        form = cls.__dict__.get("_form_class")
        if form is None:  # two requests may both build it: the same class, either is kept
            form = super().get_form_class()
            form.base_fields = SharedFields(form.base_fields)
            cls._form_class = form
        return form


class SharedFields(dict[str, forms.Field]):
    """A filter form class's fields, shared by its instances. Django's Form.__init__ deep-copies
    its class's fields for every instance (a form may change its own fields); a filter form never
    does (what a request sent is bound to the form, its errors and cleaned data are the form's),
    and the copy was a measurable part of every list request (OPTIMIZATIONS.md §2.O)."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, forms.Field]:
        return dict(self)


def _bound_copy(filter_: django_filters.Filter, parent: FilterSet, model: Any) -> django_filters.Filter:
    copied = copy.copy(filter_)
    copied.model = model
    copied.parent = parent
    if filter_.method is not None:
        copied.method = filter_.method  # a FilterMethod of the copy, which calls `parent`'s method
    return copied
