import re
import threading

import pytest
from django.db import connection
from django.utils import timezone

from apps.auth.models import User
from apps.crates import services
from apps.crates.models import Crate
from tests.conftest import World


def test_crate_number_is_unit_year_and_six_digits(world: World) -> None:
    docmanager = world.user("docmanager")
    crate = services.crate_create(actor=docmanager, unit=world.goa, department=world.qa, description="")
    year = timezone.localdate().year
    assert crate.number == f"CRT-GOA-{year}-000001"
    assert re.fullmatch(r"CRT-GOA-\d{4}-\d{6}", crate.number)


def test_crate_numbers_count_per_unit_and_never_reuse_a_deleted_number(world: World) -> None:
    year = timezone.localdate().year
    docmanager, docmanager2 = world.user("docmanager"), world.user("docmanager2")
    first = services.crate_create(actor=docmanager, unit=None, department=world.qa)
    second = services.crate_create(actor=docmanager, unit=None, department=world.qa)
    kur = services.crate_create(actor=docmanager2, unit=None, department=world.kur_qa)
    services.crate_delete(actor=docmanager, crate=second)
    third = services.crate_create(actor=docmanager, unit=None, department=world.qa)

    assert first.number == f"CRT-GOA-{year}-000001"
    assert kur.number == f"CRT-KUR-{year}-000001"
    assert third.number == f"CRT-GOA-{year}-000003"
    assert not Crate.objects.filter(number=f"CRT-GOA-{year}-000002").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_crate_creations_get_fifty_distinct_numbers() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serializes writers, so this race cannot happen there")
    world = World()
    actor, department = User.objects.select_related("unit").get(username="docmanager"), world.qa
    assert not actor.is_system_admin  # resolve the cached roles before the threads share the user
    barrier = threading.Barrier(50)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def create() -> None:
        try:
            # No query before the barrier: the pool (DB_POOL_MAX) lends fewer than 50 connections.
            barrier.wait(timeout=30)
            numbers.append(services.crate_create(actor=actor, unit=None, department=department).number)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    year = timezone.localdate().year
    assert errors == []
    assert sorted(numbers) == [f"CRT-GOA-{year}-{n:06d}" for n in range(1, 51)]
    assert Crate.objects.count() == 50
