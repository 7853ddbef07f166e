"""The benchmark's own arithmetic (bench/measure.py): what `make bench` prints is only as
right as its percentiles and its reading of /proc."""

import os

from bench.measure import (
    CLOCK_TICKS,
    cpu_snapshot,
    cpu_spent,
    parse_stat_cpu,
    percentile_ms,
    process_cpu,
    process_tree,
    wake_penalty,
)


def test_percentile_is_nearest_rank_in_milliseconds() -> None:
    values = [i / 1000 for i in range(100, 0, -1)]  # 1..100 ms, unsorted

    assert percentile_ms(values, 50) == 50.0
    assert percentile_ms(values, 95) == 95.0
    assert percentile_ms(values, 99) == 99.0
    assert percentile_ms(values, 100) == 100.0
    assert percentile_ms([0.25], 95) == 250.0
    assert percentile_ms([], 95) == 0.0


def test_stat_cpu_adds_user_and_system_time_past_a_command_name_with_spaces() -> None:
    fields = ["S", "1", "1", "1", "0", "-1", "4194560", "0", "0", "0", "0", str(3 * CLOCK_TICKS), str(CLOCK_TICKS)]
    stat = "4242 (granian: worker (x)) " + " ".join(fields) + " 0 0 20 0 5 0 100"

    assert parse_stat_cpu(stat) == 4.0


def test_cpu_spent_counts_new_processes_whole_and_ignores_ended_ones() -> None:
    before = {1: 10.0, 2: 5.0}
    after = {1: 10.5, 3: 0.25}

    assert cpu_spent(before, after) == 0.75


def test_own_process_is_read_from_proc_and_its_children_are_found() -> None:
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        tree = process_tree(os.getpid())
        snapshot = cpu_snapshot([os.getpid(), child.pid])
    finally:
        child.kill()
        child.wait()

    assert tree[0] == os.getpid() and child.pid in tree
    assert set(snapshot) == {os.getpid(), child.pid}
    assert snapshot[os.getpid()] > 0
    assert process_cpu(child.pid) is None  # ended and reaped


def test_wake_penalty_compares_the_same_work_after_a_pause_and_back_to_back() -> None:
    found = wake_penalty(0.001, repeats=5)
    assert found["gap_ms"] == 1.0
    assert found["back_to_back_ms"] > 0 and found["after_gap_ms"] > 0
    assert abs(found["ratio"] - found["after_gap_ms"] / found["back_to_back_ms"]) < 0.02
