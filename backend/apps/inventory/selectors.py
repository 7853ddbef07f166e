"""Reads of counts and imports: unit-scoped querysets and a count's classified result, each
with a fixed number of queries whatever the size of the count."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from apps.auth.permissions import scope_to_unit
from apps.inventory.models import CountExpectation, CountResolution, CountScan, InventoryCount, InventoryImport
from apps.policy.states import CountStatus


def counts_for(user: Any) -> QuerySet[InventoryCount]:
    return scope_to_unit(
        InventoryCount.objects.select_related("unit", "location", "counted_by", "submitted_by", "reviewed_by"), user
    )


def imports_for(user: Any) -> QuerySet[InventoryImport]:
    return scope_to_unit(
        InventoryImport.objects.select_related("unit", "created_by", "committed_by").defer("content"), user
    )


@dataclass
class CountLine:
    crate: int
    number: str
    expected_location: int | None
    expected_location_path: str | None
    found_location: int | None
    found_location_path: str | None
    # The crate's status when scanned (unexpected crates: withdrawn, in transit, ...).
    status: str = ""

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


@dataclass
class CountResult:
    """A count classified (docs/workflows.md, "Cycle counts"). `blind`: the count is open, so
    what was expected stays hidden (no `missing`, no `expected_count`)."""

    blind: bool
    expected_count: int | None
    scanned_count: int
    found: list[CountLine] = field(default_factory=list)
    misplaced: list[CountLine] = field(default_factory=list)
    missing: list[CountLine] = field(default_factory=list)
    unexpected: list[CountLine] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    scanner_ids: set[int] = field(default_factory=set)
    # crate id -> the location id where it was scanned
    scanned_at: dict[int, int] = field(default_factory=dict)

    def discrepancies(self) -> dict[int, str]:
        """crate id -> its class, for the crates a reviewer may resolve."""
        classes = {line.crate: "misplaced" for line in self.misplaced}
        classes.update({line.crate: "missing" for line in self.missing})
        classes.update({line.crate: "unexpected" for line in self.unexpected})
        return classes

    def summary(self) -> dict[str, Any]:
        """What a reviewer signs: the classes by crate number."""
        return {
            "expected_count": self.expected_count,
            "scanned_count": self.scanned_count,
            "found": [line.number for line in self.found],
            "misplaced": [
                {"number": line.number, "expected": line.expected_location_path, "found": line.found_location_path}
                for line in self.misplaced
            ],
            "missing": [line.number for line in self.missing],
            "unexpected": [line.number for line in self.unexpected],
            "unknown": list(self.unknown),
        }


def count_result(count: InventoryCount, *, blind: bool | None = None) -> CountResult:
    """Classify the count's scans against its frozen expected set (two queries)."""
    if blind is None:
        blind = count.status == CountStatus.OPEN
    expected = {
        row.crate_id: row
        for row in CountExpectation.objects.filter(count=count)
        .select_related("crate", "location")
        .order_by("crate__number")
    }
    scans = list(CountScan.objects.filter(count=count).select_related("crate", "location").order_by("key"))
    result = CountResult(
        blind=blind,
        expected_count=None if blind else len(expected),
        scanned_count=len(scans),
        scanner_ids={scan.scanned_by_id for scan in scans},
    )
    for scan in scans:
        if scan.crate_id is None:
            result.unknown.append(scan.code)
            continue
        assert scan.crate is not None
        result.scanned_at[scan.crate_id] = scan.location_id
        expectation = expected.get(scan.crate_id)
        line = CountLine(
            crate=scan.crate_id,
            number=scan.crate.number,
            expected_location=expectation.location_id if expectation else None,
            expected_location_path=expectation.location.path if expectation else None,
            found_location=scan.location_id,
            found_location_path=scan.location.path,
            status=scan.crate_status,
        )
        if expectation is None:
            result.unexpected.append(line)
        elif expectation.location_id == scan.location_id:
            result.found.append(line)
        else:
            result.misplaced.append(line)
    if not blind:
        result.missing = [
            CountLine(
                crate=row.crate_id,
                number=row.crate.number,
                expected_location=row.location_id,
                expected_location_path=row.location.path,
                found_location=None,
                found_location_path=None,
                status=row.crate.status,
            )
            for crate_id, row in expected.items()
            if crate_id not in result.scanned_at
        ]
    return result


def count_resolutions(count: InventoryCount) -> list[dict[str, Any]]:
    return [
        {"crate": row.crate_id, "number": row.crate.number, "action": row.action}
        for row in CountResolution.objects.filter(count=count).select_related("crate").order_by("crate__number")
    ]


def count_scanner_ids(count: InventoryCount) -> set[int]:
    return set(CountScan.objects.filter(count=count).values_list("scanned_by_id", flat=True).distinct())
