"""The lists' filter set (apps/core/filters.py): filters copied per request and bound to it,
the form class built once, and the same answers as django-filter's own FilterSet."""

import copy

import django_filters
import pytest

from apps.crates.models import Crate
from apps.crates.selectors import CrateFilter
from tests.conftest import World
from tests.requests.conftest import make_crate, place_hold, stored_crate


def test_each_filter_set_has_its_own_filters_bound_to_it(db: None) -> None:
    first, second = CrateFilter(data={"search": "a"}), CrateFilter(data={"search": "b"})
    for filter_set in (first, second):
        for name, filter_ in filter_set.filters.items():
            assert filter_ is not CrateFilter.base_filters[name]
            assert filter_.parent is filter_set and filter_.model is Crate
    search = first.filters["search"]
    # The method runs on this filter set: django-filter's FilterMethod of this copy.
    assert search.filter.f is search and search.filter.method == first.filter_search
    assert second.filters["search"].filter.method == second.filter_search
    assert not hasattr(CrateFilter.base_filters["search"], "parent")  # the class's own are untouched


def test_the_form_class_is_built_once_and_each_request_has_its_own_form(db: None) -> None:
    first, second = CrateFilter(data={"status": "stored"}), CrateFilter(data={"status": "draft"})
    assert type(first.form) is type(second.form)
    assert first.form is not second.form and first.form.fields is not second.form.fields
    assert first.is_valid() and second.is_valid()
    assert first.form.cleaned_data["status"] == "stored" and second.form.cleaned_data["status"] == "draft"


def test_forms_share_their_fields_but_not_what_a_request_sent(db: None) -> None:
    bad, good = CrateFilter(data={"status": "nope"}), CrateFilter(data={"status": "stored"})
    # One field object per class (Django deep-copies them for every form): none is changed by use.
    assert bad.form.fields["status"] is good.form.fields["status"]
    assert not bad.is_valid() and good.is_valid()
    assert set(bad.form.errors) == {"status"} and not good.form.errors
    assert good.form.cleaned_data["status"] == "stored" and "status" not in bad.form.cleaned_data
    again = CrateFilter(data={"status": "draft"})
    assert again.is_valid() and again.form.cleaned_data["status"] == "draft"


@pytest.mark.parametrize(
    "data",
    [
        {"status": "stored"},
        {"status": "draft"},
        {"legal_hold": "true"},
        {"legal_hold": "false", "status": "stored"},
        {"status": "nope"},
        {"location": "abc"},
        {},
    ],
)
def test_it_answers_as_django_filters_own(world: World, data: dict[str, str]) -> None:
    make_crate(world, documents=1)
    place_hold(world, stored_crate(world, documents=1))
    stored_crate(world)

    # The same declarations on django-filter's own base class.
    methods = {name: getattr(CrateFilter, name) for name in dir(CrateFilter) if name.startswith("filter_")}
    attrs = {**copy.deepcopy(CrateFilter.declared_filters), **methods, "Meta": CrateFilter.Meta}
    plain_class = type(django_filters.FilterSet)("Plain", (django_filters.FilterSet,), attrs)
    assert set(plain_class.base_filters) == set(CrateFilter.base_filters)

    lean = CrateFilter(data=data, queryset=Crate.objects.all())
    plain = plain_class(data=data, queryset=Crate.objects.all())
    assert lean.is_valid() is plain.is_valid()
    if lean.is_valid():
        found = sorted(lean.qs.values_list("pk", flat=True))
        assert found == sorted(plain.qs.values_list("pk", flat=True))
        assert 0 < len(found) < 3 or not data  # the filter chose
    else:
        assert lean.errors == plain.errors
