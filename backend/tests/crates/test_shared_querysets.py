"""The annotated read querysets are built once per process and cloned per request
(apps/crates/selectors.py, apps/requests/selectors.py): a clone never shares rows with the
cached one, another user's clone gets its own unit scope, and rows written after the first
read show at the next one."""

from apps.crates import selectors
from apps.requests import selectors as request_selectors
from tests.conftest import World
from tests.requests.conftest import make_crate


def test_each_read_gets_a_fresh_clone_even_without_a_unit_scope(world: World) -> None:
    sysadmin = world.user("sysadmin")  # sees every unit: no filter is added to the clone
    first = make_crate(world)

    read = selectors.crates_for(sysadmin)
    assert [crate.pk for crate in read] == [first.pk]
    assert read is not selectors.crates_for(sysadmin)
    for cached in (selectors._crates_base(False), selectors._crates_base(True), selectors._documents_base()):
        assert cached._result_cache is None  # evaluating a clone left the shared one empty

    second = make_crate(world)
    assert sorted(crate.pk for crate in selectors.crates_for(sysadmin)) == sorted([first.pk, second.pk])


def test_the_unit_scope_is_each_users_own(world: World) -> None:
    goa_crate = make_crate(world)
    kur_crate = make_crate(world, unit=world.kur)
    assert goa_crate.unit_id != kur_crate.unit_id

    assert [c.pk for c in selectors.crates_for(world.user("docmanager"), with_documents=True)] == [goa_crate.pk]
    assert [c.pk for c in selectors.crates_for(world.user("docmanager2"), with_documents=True)] == [kur_crate.pk]
    assert list(selectors.crates_for(world.user("docmanager"))) != list(selectors.crates_for(world.user("docmanager2")))
    assert request_selectors._requests_base()._result_cache is None
