"""What the benchmark measures with: percentiles and CPU time read from /proc.

CPU time is what holds on a noisy machine: a request's latency depends on what else runs,
the CPU seconds the server processes and PostgreSQL backends spend on it do not (much)."""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

PROC = Path("/proc")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def percentile_ms(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of `values` (seconds, sorted or not), in milliseconds."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), -(-len(ordered) * p // 100)))  # ceil(n * p / 100)
    return round(ordered[int(rank) - 1] * 1000, 1)


def parse_stat_cpu(stat: str) -> float:
    """user + system CPU seconds from the text of /proc/<pid>/stat (all threads included).
    The command name (field 2) may hold spaces and parentheses: split after its last ')'."""
    fields = stat[stat.rindex(")") + 2 :].split()
    # fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def process_cpu(pid: int, proc: Path = PROC) -> float | None:
    try:
        return parse_stat_cpu((proc / str(pid) / "stat").read_text())
    except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
        return None  # the process ended


def children(pid: int, proc: Path = PROC) -> list[int]:
    found: list[int] = []
    try:
        tasks = list((proc / str(pid) / "task").iterdir())
    except FileNotFoundError:
        return found
    for task in tasks:
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except FileNotFoundError:
            continue
    return found


def process_tree(pid: int, proc: Path = PROC) -> list[int]:
    """The process and all its descendants (granian's main process and workers, nginx's)."""
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo += children(current, proc)
    return tree


def cpu_snapshot(pids: Iterable[int], proc: Path = PROC) -> dict[int, float]:
    snapshot = {}
    for pid in pids:
        seconds = process_cpu(pid, proc)
        if seconds is not None:
            snapshot[pid] = seconds
    return snapshot


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two snapshots. A process that appeared in between counts
    whole (it was started during the interval); one that ended is lost (rare: the pools
    keep their connections, and the bench disables PostgreSQL's parallel workers)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def wake_penalty(gap: float, repeats: int = 60) -> dict[str, float]:
    """CPU of one fixed piece of Python work (JSON and hashing, 2 to 4 ms) run back to back, and
    run after `gap` seconds idle (the pause between requests of figure 1's paced phase), in this
    process. On the shared virtual machine this was measured on, the same work cost more CPU
    after a pause (cold caches, or a virtual CPU given back late: the cause is the host's), and
    so does every request of a paced phase. The ratio is printed with figure 1
    (OPTIMIZATIONS.md §2.O); it describes the machine, not the code, and varies run to run."""
    rows = [{"id": n, "number": f"CRT-{n:06d}", "status": "stored", "tags": [n, n + 1]} for n in range(800)]

    def work() -> None:
        text = json.dumps(rows)
        json.loads(text)
        for n in range(1500):
            hashlib.sha256(f"{n}{text[:64]}".encode()).hexdigest()

    def cpu_of_work() -> float:
        started = time.process_time()
        work()
        return (time.process_time() - started) * 1000

    work()  # imported and warmed
    after_gap, back_to_back = [], []
    for _ in range(repeats):  # interleaved, so both see the same machine; medians
        time.sleep(gap)
        after_gap.append(cpu_of_work())
        back_to_back.append(cpu_of_work())
    paced, back = statistics.median(after_gap), statistics.median(back_to_back)
    return {
        "gap_ms": round(gap * 1000, 1),
        "back_to_back_ms": round(back, 3),
        "after_gap_ms": round(paced, 3),
        "ratio": round(paced / back, 2) if back else 0.0,
    }
