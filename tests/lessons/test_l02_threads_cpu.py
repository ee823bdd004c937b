"""Lesson 2 (threads on CPU-bound work) on a real run of its preset: the tasks' CPU time over
the wall time, and each worker's GIL share, against the run's own events."""

from __future__ import annotations

from typing import Any

import pytest

from lessonruns import of, preset_run
from schedviz.lessons import get

LESSON = get("threads-cpu")
run = preset_run(LESSON)


def work_window(events: list[dict[str, Any]]) -> tuple[int, int]:
    return (min(e["t"] for e in of(events, "task_submitted")),
            max(e["t"] for e in of(events, "task_finished")))


def test_each_task_did_its_cpu_work(run: dict[str, Any]) -> None:
    finished = of(run["events"], "task_finished")
    assert len(finished) == 8 and all(e["ok"] for e in finished)
    # cpu_work runs until its thread has used task_ms of CPU: a fixed amount of work
    assert all(e["cpu_ns"] >= 50e6 for e in finished)


def test_cpu_speedup_is_the_tasks_cpu_time_over_the_wall(run: dict[str, Any]) -> None:
    events = run["events"]
    start, end = work_window(events)
    cpu = sum(e["cpu_ns"] for e in of(events, "task_finished"))
    assert run["observed"]["cores_used"].value == round(cpu / (end - start), 2)
    assert run["observed"]["task_cpu"].value == round(cpu / 1e6, 1)
    assert f"{round(cpu / 1e6, 1)} ms" in run["observed"]["cores_used"].detail


def test_gil_shares_are_the_gil_lane_over_the_work(run: dict[str, Any]) -> None:
    events = run["events"]
    if not any(e["kind"] == "gil_sampler" and e["available"] for e in events):
        pytest.fail("this machine's lab has no GIL lane: the lesson cannot show the GIL")
    start, end = work_window(events)
    changes = sorted(of(events, "gil"), key=lambda e: (e["t"], e["seq"]))
    held: dict[int, int] = {}
    for e, nxt in zip(changes, [*changes[1:], of(events, "run_ended")[0]], strict=True):
        if e["held"] and e["worker"] is not None:
            span = min(end, nxt["t"]) - max(start, e["t"])
            held[e["worker"]] = held.get(e["worker"], 0) + max(0, span)
    seen = run["observed"]
    for worker, ns in held.items():
        if ns:
            assert seen[f"gil_w{worker}"].value == round(100 * ns / (end - start))
    assert seen["workers_gil"].value == round(100 * sum(held.values()) / (end - start))
    # one GIL: the workers' shares add up to at most the whole time
    assert seen["workers_gil"].value <= 100
