"""Bulk data set for the benchmark: tens of thousands of crates, hundreds of thousands of
documents and audit events, 200+ users, thousands of completed requests.

Run after `migrate` and `initial_setup --demo` on an empty benchmark database:
    DJANGO_SETTINGS_MODULE=config.settings DATABASE_URL=postgres://.../dms_bench \
        python -m bench.seed --crates 30000 --documents-per-crate 10 --audit-events 300000

Rows go in with COPY and INSERT ... SELECT (no per-row services; plain indexes are built
once after each bulk load) but are consistent with what the services
would have produced: location occupancy matches stored crates, number series are advanced,
and the audit events extend the hash chain (verify_audit_chain passes).
"""

from __future__ import annotations

import argparse
import datetime
import functools
import json
import os
import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any, cast

import django


@contextmanager
def indexes_dropped(cursor: Any, table: str) -> Iterator[None]:
    """The table's plain indexes dropped for a bulk load and built again after it, in the
    caller's transaction: one sorted build is far cheaper than millions of index updates.
    Indexes behind constraints (primary key, unique) stay."""
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "WHERE x.indrelid = %s::regclass "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
        [table],
    )
    definitions = cursor.fetchall()
    for name, _definition in definitions:
        cursor.execute(f'DROP INDEX "{name}"')
    yield
    # Django's foreign keys are deferred; their checks must run before an index can be built.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for _name, definition in definitions:
        cursor.execute(definition)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--crates", type=int, default=30_000)
    parser.add_argument("--documents-per-crate", type=int, default=10)
    parser.add_argument("--audit-events", type=int, default=300_000)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--requests", type=int, default=5_000)
    parser.add_argument("--password", default="Bench@12345678")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    seed(args)


def seed(args: argparse.Namespace) -> None:
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import connection, transaction
    from django.utils import timezone

    from apps.audit.models import AuditChainHead, AuditEvent
    from apps.audit.services import compute_hash
    from apps.auth import roles
    from apps.auth.models import Department, Unit, User
    from apps.core.models import NumberSequence
    from apps.crates.models import Crate, DocumentType
    from apps.requests.models import Request, RequestItem
    from apps.storage.models import StorageLocation, barcode_base

    rng = random.Random(20260101)
    started = time.monotonic()
    now = timezone.now()
    year = 2025  # seeded history; numbers made during the run use the current year's series

    def step(message: str) -> None:
        print(f"[{time.monotonic() - started:6.1f}s] {message}", flush=True)

    units = list(Unit.objects.filter(code__in=["GOA", "KUR"]).order_by("code"))
    if len(units) != 2:
        sys.exit("run `manage.py initial_setup --demo` first (units GOA and KUR)")
    departments = {u.id: list(Department.objects.filter(unit=u)) for u in units}
    doc_types = list(DocumentType.objects.all())
    admin = User.objects.filter(is_superuser=True).order_by("id").first()

    # --- users: one password hash for all (hashing 200 x PBKDF2 would take minutes) --------
    groups = {g.name: g for g in Group.objects.all()}
    mix = [roles.DOCUMENT_MANAGER] * 12 + [roles.APPROVER] * 3 + [roles.STORE_HEAD] * 2 + [roles.VIEWER] * 3
    password = make_password(args.password)
    users = [
        User(
            username=f"bench{i:04d}",
            full_name=f"Bench User {i:04d}",
            email=f"bench{i:04d}@example.com",
            employee_id=f"B{i:05d}",
            unit=units[i % 2],
            password=password,
            password_changed_at=now,
            # Certified like the demo users: approvals sign (21 CFR 11.100(c)).
            signature_certified_at=now,
        )
        for i in range(args.users)
    ]
    with transaction.atomic():
        User.objects.bulk_create(users, batch_size=1000)
        users = list(User.objects.filter(username__startswith="bench").order_by("username"))
        through = User.groups.through
        through.objects.bulk_create(
            [through(user_id=u.id, group_id=groups[mix[i % len(mix)]].id) for i, u in enumerate(users)]
        )
    step(f"{len(users)} users")

    # --- locations: per unit 1 room / racks / 10 shelves / 10 bins (capacity 40) ------------
    # 5 racks hold the 1x data set's stored crates; more racks for bigger sets (10x: 50), so
    # the share of full bins (what `available=true` filters) stays the same.
    rack_count = max(5, -(-args.crates // 6000))
    bins: dict[int, list[StorageLocation]] = {}
    with transaction.atomic():
        for unit in units:
            room = StorageLocation.objects.create(
                unit=unit, kind="room", code="BR", name="Bench Archive", path="Bench Archive"
            )
            # bulk_create skips save(), which gives each location its barcode (unique).
            barcode = functools.partial(barcode_base, unit.code)
            racks = StorageLocation.objects.bulk_create(
                [
                    StorageLocation(
                        unit=unit,
                        parent=room,
                        kind="rack",
                        code=f"BR-R{r}",
                        barcode=barcode(f"BR-R{r}"),
                        name=f"Rack {r}",
                        path=f"Bench Archive / Rack {r}",
                    )
                    for r in range(rack_count)
                ]
            )
            shelves = StorageLocation.objects.bulk_create(
                [
                    StorageLocation(
                        unit=unit,
                        parent=rack,
                        kind="shelf",
                        code=f"{rack.code}-S{s}",
                        barcode=barcode(f"{rack.code}-S{s}"),
                        name=f"Shelf {s}",
                        path=f"{rack.path} / Shelf {s}",
                    )
                    for rack in racks
                    for s in range(10)
                ]
            )
            bins[unit.id] = StorageLocation.objects.bulk_create(
                [
                    StorageLocation(
                        unit=unit,
                        parent=shelf,
                        kind="bin",
                        code=f"{shelf.code}-B{b}",
                        barcode=barcode(f"{shelf.code}-B{b}"),
                        name=f"Bin {b}",
                        path=f"{shelf.path} / Bin {b}",
                        capacity=40,
                    )
                    for shelf in shelves
                    for b in range(10)
                ]
            )
    step(f"{sum(len(b) for b in bins.values())} bins")

    # --- crates and documents ---------------------------------------------------------------
    statuses = ["stored"] * 85 + ["withdrawn"] * 5 + ["draft"] * 5 + ["destroyed"] * 5
    counters = {u.id: 0 for u in units}
    occupancy: dict[int, int] = {}
    crate_rows = []
    for i in range(args.crates):
        unit = units[i % 2]
        counters[unit.id] += 1
        status = rng.choice(statuses)
        location = None
        if status == "stored":
            candidates = bins[unit.id]
            for _ in range(len(candidates)):
                candidate = rng.choice(candidates)
                if occupancy.get(candidate.id, 0) < candidate.capacity:
                    location = candidate
                    break
            if location is None:
                status = "withdrawn"
            else:
                occupancy[location.id] = occupancy.get(location.id, 0) + 1
        crate_rows.append(
            Crate(
                number=f"CRT-{unit.code}-{year}-{counters[unit.id]:06d}",
                unit=unit,
                department=rng.choice(departments[unit.id]),
                location=location,
                status=status,
                description=f"Bench crate {i}: batch records line {i % 40}",
                created_by=admin,
            )
        )
    with transaction.atomic(), connection.cursor() as cursor:
        columns = (
            "number, unit_id, department_id, location_id, status, description, legacy_number, created_by_id, "
            "created_at, updated_at"
        )
        with (
            indexes_dropped(cursor, "crates_crate"),
            cursor.cursor.copy(f"COPY crates_crate ({columns}) FROM STDIN") as copy,
        ):
            for c in crate_rows:
                row = (c.number, c.unit_id, c.department_id, c.location_id, c.status, c.description)
                copy.write_row((*row, "", admin.id, now, now))
        for location_id, occupied in occupancy.items():
            StorageLocation.objects.filter(id=location_id).update(occupied=occupied)
        for unit in units:
            NumberSequence.objects.update_or_create(
                key=f"CRT-{unit.code}-{year}", defaults={"last_value": counters[unit.id]}
            )
    crates = list(Crate.objects.filter(number__contains=f"-{year}-").values_list("id", "status", "unit_id"))
    step(f"{len(crates)} crates")

    # Documents are made by PostgreSQL itself (INSERT ... SELECT over generate_series): no row
    # crosses the wire, and the indexes (two trigram GINs among them) are built once at the end
    # instead of being updated row by row. A fixed seed keeps the record dates reproducible.
    type_ids = [t.id for t in doc_types]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.2026)")
        with indexes_dropped(cursor, "crates_document"):
            cursor.execute(
                """
                INSERT INTO crates_document (crate_id, number, title, document_type_id, record_date,
                                             retention_until, status, created_by_id, created_at, updated_at)
                SELECT s.crate_id, 'DOC-' || s.crate_id || '-' || lpad(s.d::text, 3, '0'),
                       'Record ' || s.d || ' of crate ' || s.crate_id, s.type_id, s.record_date,
                       (s.record_date + make_interval(years => t.retention_years))::date, s.status,
                       %(admin)s, %(now)s, %(now)s
                FROM (
                    SELECT c.id AS crate_id, d, (%(types)s::int[])[1 + (c.id + d) %% %(type_count)s] AS type_id,
                           make_date(2015 + floor(random() * 10)::int, 1 + floor(random() * 12)::int,
                                     1 + floor(random() * 28)::int) AS record_date,
                           CASE c.status WHEN 'withdrawn' THEN 'withdrawn' WHEN 'destroyed' THEN 'destroyed'
                                ELSE 'in_storage' END AS status
                    FROM crates_crate c CROSS JOIN generate_series(0, %(per_crate)s - 1) AS d
                    WHERE c.number LIKE %(pattern)s
                    ORDER BY c.id, d
                ) s JOIN crates_documenttype t ON t.id = s.type_id
                """,
                {
                    "admin": admin.id,
                    "now": now,
                    "types": type_ids,
                    "type_count": len(type_ids),
                    "per_crate": args.documents_per_crate,
                    "pattern": f"CRT-%-{year}-%",
                },
            )
            total_docs = cursor.rowcount
            step(f"{total_docs} documents (indexes next)")
        step(f"{total_docs} documents")
        cursor.execute(
            "UPDATE crates_crate c SET retention_until = d.until FROM "
            "(SELECT crate_id, max(retention_until) AS until FROM crates_document GROUP BY crate_id) d "
            "WHERE c.id = d.crate_id"
        )
    step("crate retention dates")

    # --- completed storage requests ----------------------------------------------------------
    stored = [(cid, unit) for cid, status, unit in crates if status == "stored"]
    requesters = {u.id: [x for x in users if x.unit_id == u.id] for u in units}
    req_rows = []
    picks = rng.sample(stored, min(args.requests, len(stored)))
    for n, (_crate_id, unit_id) in enumerate(picks, start=1):
        when = now - datetime.timedelta(days=rng.randrange(1, 365))
        req_rows.append(
            Request(
                number=f"REQ-{year}-{n:06d}",
                request_type="storage",
                status="completed",
                unit_id=unit_id,
                requester=rng.choice(requesters[unit_id]),
                purpose="Bench archive",
                submitted_at=when,
                decided_at=when,
                executed_at=when,
                completed_at=when,
            )
        )
    with transaction.atomic():
        Request.objects.bulk_create(req_rows, batch_size=5000)
        ids = dict(Request.objects.filter(number__startswith=f"REQ-{year}-").values_list("number", "id"))
        RequestItem.objects.bulk_create(
            [
                RequestItem(request_id=ids[r.number], crate_id=crate_id, is_open=False)
                for r, (crate_id, _u) in zip(req_rows, picks, strict=True)
            ],
            batch_size=5000,
        )
        NumberSequence.objects.update_or_create(key=f"REQ-{year}", defaults={"last_value": len(req_rows)})
    step(f"{len(req_rows)} requests")

    # --- audit events, extending the hash chain ---------------------------------------------
    actions = [
        "crate.created",
        "document.created",
        "crate.updated",
        "request.submitted",
        "request.approved",
        "request.executed",
        "auth.login",
        "auth.login_failed",
    ]
    crate_ids = [c[0] for c in crates]
    with transaction.atomic():
        AuditChainHead.objects.bulk_create([AuditChainHead(id=1)], ignore_conflicts=True)
        head = AuditChainHead.objects.select_for_update().get(id=1)
        sequence, prev = head.last_sequence, head.last_hash
        start_time = now - datetime.timedelta(days=365)
        step_time = datetime.timedelta(days=365) / max(args.audit_events, 1)
        columns = (
            "sequence, timestamp, actor_id, actor_username, action, entity_type, entity_id, entity_repr, "
            "unit_id, changes, comment, ip_address, user_agent, request_id, prev_hash, hash"
        )
        with (
            connection.cursor() as cursor,
            indexes_dropped(cursor, "audit_auditevent"),
            cursor.cursor.copy(f"COPY audit_auditevent ({columns}) FROM STDIN") as copy,
        ):
            for n in range(args.audit_events):
                sequence += 1
                actor = users[n % len(users)]
                crate_id = crate_ids[n % len(crate_ids)]
                # A plain object with the model's fields: compute_hash reads attributes only,
                # and building 3M model instances would triple the time of a 10x build.
                event = SimpleNamespace(
                    sequence=sequence,
                    timestamp=start_time + step_time * n,
                    actor_id=actor.id,
                    actor_username=actor.username,
                    action=actions[n % len(actions)],
                    entity_type="crate",
                    entity_id=str(crate_id),
                    entity_repr=f"crate {crate_id}",
                    unit_id=actor.unit_id,
                    changes={"status": [None, "draft"]} if n % 8 == 0 else {},
                    comment="",
                    ip_address=f"10.0.{n % 250}.{n % 200 + 1}",
                    user_agent="bench",
                    request_id=f"{n:032x}",
                    prev_hash=prev,
                )
                event.hash = prev = compute_hash(cast(AuditEvent, event))
                copy.write_row(
                    (
                        event.sequence,
                        event.timestamp,
                        event.actor_id,
                        event.actor_username,
                        event.action,
                        event.entity_type,
                        event.entity_id,
                        event.entity_repr,
                        event.unit_id,
                        json.dumps(event.changes),
                        event.comment,
                        event.ip_address,
                        event.user_agent,
                        event.request_id,
                        event.prev_hash,
                        event.hash,
                    )
                )
        head.last_sequence, head.last_hash = sequence, prev
        with connection.cursor() as cursor:
            # The head's trigger lets it move by one appended event at a time; a bulk load moves
            # it by millions, so it runs as the database owner with ordinary triggers off for
            # this one statement's transaction (the chain itself is intact: verify_audit_chain).
            cursor.execute("SET LOCAL session_replication_role = replica")
            head.save(update_fields=["last_sequence", "last_hash"])
            cursor.execute("SET LOCAL session_replication_role = origin")
    step(f"{args.audit_events} audit events (chain head #{sequence})")


if __name__ == "__main__":
    main()
