"""Lesson 4 (a process pool on CPU work) on a real run of its preset: the cores used, the
workers' start-up and the pickling, against the run's own events."""

from __future__ import annotations

from typing import Any

from lessonruns import of, preset_run
from schedviz.lessons import get

LESSON = get("process-pool")
# fork keeps the run short; the start-up is measured the same way for spawn
run = preset_run(LESSON, start_method="fork", n_tasks=4, task_ms=100)


def test_cpu_speedups_are_the_tasks_cpu_time(run: dict[str, Any]) -> None:
    events = run["events"]
    finished = of(events, "task_finished")
    started = of(events, "task_started")
    cpu = sum(e["cpu_ns"] for e in finished)
    wall = max(e["t"] for e in finished) - min(e["t"] for e in of(events, "task_submitted"))
    running = max(e["t"] for e in finished) - min(e["t"] for e in started)
    seen = run["observed"]
    assert seen["cores_used"].value == round(cpu / wall, 2)
    assert seen["cores_running"].value == round(cpu / running, 2)


def test_startup_is_spawned_to_ready_per_worker(run: dict[str, Any]) -> None:
    events = run["events"]
    spawned = {e["worker"]: e["t"] for e in of(events, "worker_spawned")}
    ready = {e["worker"]: e["t"] for e in of(events, "worker_ready")}
    assert ready and set(ready) <= set(spawned)
    mean = sum(ready[w] - spawned[w] for w in ready) / len(ready)
    assert run["observed"]["startup"].value == round(mean / 1e6, 1)


def test_serialization_adds_up_every_pickling_step(run: dict[str, Any]) -> None:
    steps = of(run["events"], "serialized")
    assert len(steps) == 4 * 4  # each task: call pickled, unpickled; result pickled, unpickled
    seen = run["observed"]["serialization"]
    assert seen.value == round(sum(e["duration_ns"] for e in steps) / 1e6, 1)
    dumped = sum(e["nbytes"] for e in steps if e["op"] == "dumps")
    assert f"({dumped} bytes pickled)" in seen.detail
