"""Bulk data set for the benchmark: tens of thousands of crates, hundreds of thousands of
documents and audit events, 200+ users, thousands of completed requests.

Run after `migrate` and `initial_setup --demo` on an empty benchmark database:
    DJANGO_SETTINGS_MODULE=config.settings DATABASE_URL=postgres://.../dms_bench \
        python -m bench.seed --crates 30000 --documents-per-crate 10 --audit-events 300000

Rows go in with bulk_create (no per-row services) but are consistent with what the services
would have produced: location occupancy matches stored crates, number series are advanced,
and the audit events extend the hash chain (verify_audit_chain passes).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import sys
import time
from types import SimpleNamespace
from typing import cast

import django


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
    from apps.storage.models import StorageLocation

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
            racks = StorageLocation.objects.bulk_create(
                [
                    StorageLocation(
                        unit=unit,
                        parent=room,
                        kind="rack",
                        code=f"BR-R{r}",
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
    with transaction.atomic():
        Crate.objects.bulk_create(crate_rows, batch_size=5000)
        for location_id, occupied in occupancy.items():
            StorageLocation.objects.filter(id=location_id).update(occupied=occupied)
        for unit in units:
            NumberSequence.objects.update_or_create(
                key=f"CRT-{unit.code}-{year}", defaults={"last_value": counters[unit.id]}
            )
    crates = list(Crate.objects.filter(number__contains=f"-{year}-").values_list("id", "status", "unit_id"))
    step(f"{len(crates)} crates")

    doc_status = {"stored": "in_storage", "withdrawn": "withdrawn", "draft": "in_storage", "destroyed": "destroyed"}
    retention_years = {t.id: t.retention_years for t in doc_types}
    type_ids = [t.id for t in doc_types]
    total_docs = 0
    # COPY is ~10x faster than bulk_create for hundreds of thousands of rows.
    with transaction.atomic(), connection.cursor() as cursor:
        columns = (
            "crate_id, number, title, document_type_id, record_date, retention_until, status, "
            "created_by_id, created_at, updated_at"
        )
        with cursor.cursor.copy(f"COPY crates_document ({columns}) FROM STDIN") as copy:
            for crate_id, status, _unit in crates:
                for d in range(args.documents_per_crate):
                    type_id = type_ids[(crate_id + d) % len(type_ids)]
                    record_date = datetime.date(2015 + rng.randrange(10), rng.randrange(1, 13), rng.randrange(1, 29))
                    until = record_date.replace(year=record_date.year + retention_years[type_id])
                    copy.write_row(
                        (
                            crate_id,
                            f"DOC-{crate_id}-{d:03d}",
                            f"Record {d} of crate {crate_id}",
                            type_id,
                            record_date,
                            until,
                            doc_status[status],
                            admin.id,
                            now,
                            now,
                        )
                    )
                    total_docs += 1
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
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY audit_auditevent ({columns}) FROM STDIN") as copy:
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
        head.save(update_fields=["last_sequence", "last_hash"])
    step(f"{args.audit_events} audit events (chain head #{sequence})")


if __name__ == "__main__":
    main()
