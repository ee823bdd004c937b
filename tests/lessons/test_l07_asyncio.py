"""Lesson 7 (asyncio) on a real run of its preset: tasks, steps, yields and no thread started,
against the loop's own events."""

from __future__ import annotations

from typing import Any

from lessonruns import of, preset_run
from schedviz.lessons import get

LESSON = get("asyncio")
run = preset_run(LESSON, task_ms=50)


def test_steps_and_yields_are_the_loops_steps(run: dict[str, Any]) -> None:
    events = run["events"]
    steps = of(events, "aio_step")
    seen = run["observed"]
    assert seen["steps"].value == len(steps)
    assert seen["yields"].value == sum(1 for s in steps if s["outcome"] == "yield")
    assert seen["aio_tasks"].value == len(of(events, "aio_task")) == 8 + 1  # and main
    # each sleeper yields at its three awaits, then ends in a fourth step
    sleepers = {e["task"] for e in of(events, "aio_task") if e["name"].startswith("sleeper")}
    for task in sleepers:
        assert [s["outcome"] for s in steps if s["task"] == task] == ["yield"] * 3 + ["done"]


def test_no_thread_is_started_and_the_loop_cpu_is_reported(run: dict[str, Any]) -> None:
    events = run["events"]
    assert run["observed"]["threads_created"].value == len(of(events, "worker_spawned")) == 0
    cpu = of(events, "aio_loop_cpu")[0]["cpu_ns"]
    assert run["observed"]["loop_cpu"].value == round(cpu / 1e6, 1)
    busy = sum(s["dur_ns"] for s in of(events, "aio_step"))
    assert run["observed"]["loop_busy"].value == round(busy / 1e6, 1)
