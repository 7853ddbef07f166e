"""Two transactions notify the same users under the same de-duplication key at once, on
PostgreSQL with real connections: the second waits for the first, then skips the rows the
first committed, quietly, and its own write commits (docs/background.md)."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection, transaction

from apps.notifications import services
from apps.notifications.models import Notification
from tests.conftest import World
from tests.races import require_postgres, wait_for_a_lock_wait

pytestmark = pytest.mark.django_db(transaction=True)


def _second_waits_for_first(
    first: Callable[[threading.Event, threading.Event], None], second: Callable[[], None]
) -> None:
    """`first(inserted, release)` inserts, sets `inserted` and holds its transaction until
    `release`; `second` then runs and must wait on first's rows before `release` is given."""
    inserted, release = threading.Event(), threading.Event()

    def run(work: Callable[[], None]) -> threading.Thread:
        def body() -> None:
            try:
                work()
            finally:
                connection.close()

        thread = threading.Thread(target=body)
        thread.start()
        return thread

    one = run(lambda: first(inserted, release))
    assert inserted.wait(timeout=30)
    two = run(second)
    wait_for_a_lock_wait()  # the second insert waits on the first's uncommitted rows
    release.set()
    one.join(timeout=30)
    two.join(timeout=30)


def test_a_concurrent_twin_with_the_same_key_loses_quietly_and_its_write_commits(world: World) -> None:
    require_postgres()
    docmanager, approver, storehead = (world.user(name) for name in ("docmanager", "approver", "storehead"))
    answers: dict[str, list[int]] = {}

    def first(inserted: threading.Event, release: threading.Event) -> None:
        with transaction.atomic():
            answers["first"] = [
                n.user_id for n in services.notify(users=[docmanager, approver], title="t", dedupe_key="k")
            ]
            inserted.set()
            release.wait(timeout=30)

    def second() -> None:
        with transaction.atomic():
            answers["second"] = [
                n.user_id for n in services.notify(users=[approver, storehead, docmanager], title="t", dedupe_key="k")
            ]
            # The caller's transaction goes on after the clash and commits its own writes.
            Notification.objects.create(user=storehead, title="written after the clash")

    _second_waits_for_first(first, second)

    assert answers == {"first": [docmanager.pk, approver.pk], "second": [storehead.pk]}
    assert sorted(Notification.objects.filter(dedupe_key="k").values_list("user_id", flat=True)) == sorted(
        [docmanager.pk, approver.pk, storehead.pk]
    )
    assert Notification.objects.filter(title="written after the clash").count() == 1


def test_a_twin_that_rolls_back_leaves_the_rows_to_the_waiting_one(world: World) -> None:
    require_postgres()
    approver = world.user("approver")
    answers: dict[str, list[int]] = {}

    def first(inserted: threading.Event, release: threading.Event) -> None:
        with transaction.atomic():
            services.notify(users=[approver], title="t", dedupe_key="k")
            inserted.set()
            release.wait(timeout=30)
            transaction.set_rollback(True)

    def second() -> None:
        with transaction.atomic():
            answers["second"] = [n.user_id for n in services.notify(users=[approver], title="t", dedupe_key="k")]

    _second_waits_for_first(first, second)

    assert answers == {"second": [approver.pk]}
    assert list(Notification.objects.filter(dedupe_key="k").values_list("user_id", flat=True)) == [approver.pk]
