"""retention 0001 replaced the crate's legal-hold flag with legal hold cases: each flagged crate
became a one-crate hold, so no crate held before the change lost its hold. Run on the real
schema: migrate back to before the change, flag crates, migrate forward."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from apps.audit import services as audit
from apps.crates.models import Crate
from apps.policy import rules
from apps.retention.models import LegalHold
from tests.conftest import World
from tests.retention.conftest import CrateMaker

CRATES_BEFORE = ("crates", "0005_retention_triggers")
BEFORE: list[tuple[str, str | None]] = [CRATES_BEFORE, ("retention", None)]


def _migrate(targets: list[tuple[str, str | None]] | None = None) -> MigrationExecutor:
    """Migrate to `targets`, or back to the latest migrations (the schema the other tests use)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets if targets is not None else executor.loader.graph.leaf_nodes())
    return executor


@pytest.mark.django_db(transaction=True)
def test_flagged_crates_become_covered_by_a_one_crate_hold(world: World, make: CrateMaker) -> None:
    with_event, without_event, unflagged = make.crate(), make.crate(), make.crate()
    approver = world.user("approver")
    # Who set the flag: the migration takes the latest `crate.legal_hold_set` event's actor.
    audit.record(
        action="crate.legal_hold_set",
        entity_type="crate",
        entity_id=with_event.pk,
        changes={"legal_hold": [False, True]},
        comment="FDA inquiry",
        actor=approver,
    )
    executor = _migrate(BEFORE)
    try:
        OldCrate = executor.loader.project_state(CRATES_BEFORE).apps.get_model("crates", "Crate")
        OldCrate.objects.filter(pk=with_event.pk).update(legal_hold=True, legal_hold_reason="FDA inquiry 2026-14")
        OldCrate.objects.filter(pk=without_event.pk).update(legal_hold=True, legal_hold_reason="")
    finally:
        _migrate()

    holds = {hold.crates.get().pk: hold for hold in LegalHold.objects.prefetch_related("crates")}
    assert set(holds) == {with_event.pk, without_event.pk}
    first, second = holds[with_event.pk], holds[without_event.pk]
    assert (first.title, first.reason, first.status, first.by_filter) == (
        f"Legal hold on {with_event.number}",
        "FDA inquiry 2026-14",
        "active",
        False,
    )
    assert (first.placed_by_id, first.unit_id) == (approver.pk, with_event.unit_id)
    # No event names who set it: the crate's creator; an empty reason gets a placeholder.
    assert (second.placed_by_id, second.reason) == (without_event.created_by_id, "legal hold")
    assert sorted(hold.number[-4:] for hold in holds.values()) == ["0001", "0002"]
    # The policy rule sees the holds; the unflagged crate stays free.
    held = [rules.is_on_hold(Crate.objects.get(pk=crate.pk)) for crate in (with_event, without_event, unflagged)]
    assert held == [True, True, False]
    assert not any(field.name == "legal_hold" for field in Crate._meta.concrete_fields)
