"""List filters that name another object by its id."""

from typing import Any

import django_filters
from django import forms
from django.db import models

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
