"""Lesson 12 (why a pool) on a real `schedviz trace` of its example: threads created each way
and tasks per pool worker, against the lanes and tasks of the events."""

from __future__ import annotations

from collections import Counter
from typing import Any

from lessonruns import example_run
from schedviz.lessons import get

LESSON = get("why-a-pool")

run = example_run(LESSON)


def test_a_thread_per_task_against_the_pools_few_workers(run: dict[str, Any]) -> None:
    spawned = [e for e in run["events"] if e["kind"] == "worker_spawned"]
    per_task = [e["name"] for e in spawned if e["pool"] is None and e["name"] != "MainThread"]
    assert per_task == [f"task-{i}" for i in range(20)]
    workers = [e["worker"] for e in spawned if e["pool"] is not None]
    assert run["observed"]["threads_per_task"].value == len(per_task) == 20
    assert run["observed"]["pool_workers"].value == len(workers) == 4


def test_tasks_per_worker_are_where_the_tasks_ran(run: dict[str, Any]) -> None:
    ran_on = Counter(e["worker"] for e in run["events"] if e["kind"] == "task_started")
    assert sum(ran_on.values()) == 20
    shown = run["observed"]["tasks_per_worker"].value
    assert shown == " · ".join(f"W{w} {n}" for w, n in sorted(ran_on.items()))


def test_the_start_cost_is_the_spacing_of_the_threads_starts(run: dict[str, Any]) -> None:
    starts = sorted(e["t"] for e in run["events"] if e["kind"] == "worker_spawned"
                    and str(e["name"]).startswith("task-"))
    gaps = sorted(starts[i + 1] - starts[i] for i in range(len(starts) - 1))
    assert len(gaps) == 19
    median_us = gaps[9] / 1e3  # 19 gaps between 20 starts: the middle one
    assert run["observed"]["start_cost"].value == round(median_us)
    assert run["observed"]["start_cost"].value > 0
