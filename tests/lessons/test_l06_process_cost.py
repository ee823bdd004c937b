"""Lesson 6 (a worker process's start-up and memory) on a real run of its preset (spawn): the
start-up and memory per worker against the run's worker and memory events."""

from __future__ import annotations

from typing import Any

from lessonruns import of, preset_run
from schedviz.lessons import get

LESSON = get("process-cost")
run = preset_run(LESSON)


def test_startup_is_spawned_to_ready(run: dict[str, Any]) -> None:
    events = run["events"]
    spawned = {e["worker"]: e["t"] for e in of(events, "worker_spawned")}
    ready = {e["worker"]: e["t"] for e in of(events, "worker_ready")}
    longest = max(ready[w] - spawned[w] for w in ready)
    seen = run["observed"]["startup"]
    assert f"the longest: {round(longest / 1e6, 1)} ms" in seen.detail
    assert seen.value <= round(longest / 1e6, 1)


def test_memory_per_worker_is_each_workers_largest_sample(run: dict[str, Any]) -> None:
    peaks: dict[int, int] = {}
    lab = 0
    for e in of(run["events"], "memory"):
        if e["worker"] is None:
            lab = max(lab, e["rss"])
        else:
            peaks[e["pid"]] = max(peaks.get(e["pid"], 0), e["rss"])
    assert len(peaks) == LESSON.preset.max_workers  # type: ignore[union-attr]
    seen = run["observed"]
    assert seen["worker_rss"].value == round(sum(peaks.values()) / len(peaks) / 2**20, 1)
    assert seen["lab_rss"].value == round(lab / 2**20, 1)
