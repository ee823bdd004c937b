"""Lesson 1 (threads on I/O) on a real run of its preset: wall time, the sum of the waits and
the speedup, against the run's own task events."""

from __future__ import annotations

from typing import Any

from lessonruns import of, preset_run
from schedviz.lessons import get

LESSON = get("threads-io")
run = preset_run(LESSON)


def test_wall_time_and_the_sum_of_the_task_times_are_the_events(run: dict[str, Any]) -> None:
    events = run["events"]
    started = {e["task"]: e["t"] for e in of(events, "task_started")}
    finished = {e["task"]: e["t"] for e in of(events, "task_finished")}
    assert len(finished) == LESSON.preset.n_tasks  # type: ignore[union-attr]
    wall = max(finished.values()) - min(e["t"] for e in of(events, "task_submitted"))
    total = sum(finished[t] - started[t] for t in finished)
    seen = run["observed"]
    assert seen["wall"].value == round(wall / 1e6, 1)
    assert seen["task_time"].value == round(total / 1e6, 1)
    assert seen["speedup"].value == round(total / wall, 2)


def test_at_most_max_workers_waits_overlap(run: dict[str, Any]) -> None:
    # 12 tasks on 3 workers: the pool runs 3 at once at its fullest, never more
    assert run["observed"]["max_running"].value == LESSON.preset.max_workers  # type: ignore[union-attr]
    assert 1 < run["observed"]["mean_running"].value <= 3
