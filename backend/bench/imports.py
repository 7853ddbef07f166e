"""Measure the legacy import of a large file: `make bench-import` (ROWS=50000 by default).

Builds a throwaway database (`test_<name>` beside the configured one, migrated from scratch),
a unit with 50 shelves, and a CSV of ROWS rows: one crate per CRATE_SIZE rows (documents).
Then times each step as the workers run it: the upload's checks, the validation of every row,
and the commit (one transaction: crates, documents, places, one audit event per crate). The
audit chain is verified at the end. Run it on PostgreSQL (DATABASE_URL): the figure is the one
OPTIMIZATIONS.md reports.
"""

import io
import os
import time


def main() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.db import connection

    rows = int(os.environ.get("ROWS", "50000"))
    crate_size = int(os.environ.get("CRATE_SIZE", "5"))
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        _run(rows, crate_size)
    finally:
        connection.creation.destroy_test_db(test_name, verbosity=0)


def _run(rows: int, crate_size: int) -> None:
    import csv

    from django.contrib.auth.models import Group

    from apps.audit.services import verify_chain
    from apps.auth.models import Department, Unit, User
    from apps.crates.models import Crate, DocumentType
    from apps.inventory import imports
    from apps.storage.models import StorageLocation

    unit = Unit.objects.create(code="BEN", name="Bench unit")
    Department.objects.create(unit=unit, code="QA", name="Quality Assurance")
    DocumentType.objects.create(code="BMR", name="Batch record", retention_years=7)
    user = User(username="bench_docmanager", full_name="Bench", unit=unit, email="bench@example.com")
    user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get(name="Document Manager"))
    room = StorageLocation.objects.create(unit=unit, kind="room", code="R1", name="Room 1", path="Room 1")
    crates = -(-rows // crate_size)
    shelves = 50
    per_shelf = -(-crates // shelves)
    for n in range(shelves):
        StorageLocation.objects.create(
            unit=unit,
            parent=room,
            kind="shelf",
            code=f"S{n:02d}",
            name=f"Shelf {n}",
            capacity=per_shelf,
            path=f"Room 1 / Shelf {n}",
        )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(imports.COLUMNS)
    for row in range(rows):
        crate = row // crate_size
        writer.writerow(
            [
                f"OLD-{crate:06d}",
                "QA",
                f"S{crate % shelves:02d}",
                f"Legacy crate {crate}",
                f"BMR-{row:06d}",
                f"Batch record {row}",
                "BMR",
                f"20{10 + row % 10}-0{1 + row % 9}-1{row % 10}",
            ]
        )
    content = buffer.getvalue().encode()
    print(f"file: {rows:,} rows, {crates:,} crates, {len(content) / 1e6:.1f} MB")

    started = time.perf_counter()
    inventory_import = imports.import_create(actor=user, unit=unit, file_name="bench.csv", content=content)
    upload = time.perf_counter() - started
    started = time.perf_counter()
    validated = imports.import_validate(import_id=inventory_import.pk)
    validate = time.perf_counter() - started
    assert validated is not None and validated.status == "validated", validated and validated.errors[:5]
    imports.import_request_commit(actor=user, inventory_import=validated)
    started = time.perf_counter()
    done = imports.import_commit(import_id=inventory_import.pk)
    commit = time.perf_counter() - started
    assert done is not None and done.status == "done", done and (done.status, done.errors[:5], done.failure)
    assert Crate.objects.filter(unit=unit).count() == crates
    started = time.perf_counter()
    chain = verify_chain()
    verify = time.perf_counter() - started
    print(f"upload checks: {upload:.1f} s")
    print(f"validation:    {validate:.1f} s")
    print(f"commit:        {commit:.1f} s")
    print(
        f"total:         {upload + validate + commit:.1f} s  (audit chain valid: {chain.valid}, "
        f"{chain.checked:,} events verified in {verify:.1f} s)"
    )


if __name__ == "__main__":
    main()
