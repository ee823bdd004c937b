"""Lesson 3 (threads on hashlib) on a real run of its preset: the speedup vs one after another
and the CPU time, against the run's own task events."""

from __future__ import annotations

from typing import Any

from lessonruns import of, preset_run
from schedviz.lessons import get

LESSON = get("threads-hash")
run = preset_run(LESSON, n_tasks=8, hash_mb=8)


def test_speedup_and_cpu_time_are_the_task_events(run: dict[str, Any]) -> None:
    events = run["events"]
    started = {e["task"]: e["t"] for e in of(events, "task_started")}
    finished = of(events, "task_finished")
    assert len(finished) == 8 and all(e["ok"] for e in finished)
    wall = max(e["t"] for e in finished) - min(e["t"] for e in of(events, "task_submitted"))
    total = sum(e["t"] - started[e["task"]] for e in finished)
    seen = run["observed"]
    assert seen["speedup"].value == round(total / wall, 2)
    assert seen["cores_used"].value == round(sum(e["cpu_ns"] for e in finished) / wall, 2)
    assert seen["max_running"].value == 2  # two workers, eight tasks: both busy at once


def test_the_workers_gil_share_is_a_share(run: dict[str, Any]) -> None:
    assert 0 <= run["observed"]["workers_gil"].value <= 100
    assert run["observed"]["workers_gil"].unit == "%"
