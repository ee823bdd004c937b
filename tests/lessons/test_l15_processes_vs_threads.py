"""Lesson 15 (processes vs threads side by side): its observed summary from a real comparison's
events, each number checked against the events here."""

from __future__ import annotations

from typing import Any

import pytest

from comparerun import EXECUTORS, comparison
from schedviz import lessons
from schedviz.lessons import NotObservable

LESSON = lessons.get("processes-vs-threads")


def of(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [e for e in events if e["kind"] == kind]


def wall(events: list[dict[str, Any]]) -> int:
    return (max(e["t"] for e in of(events, "task_finished"))
            - min(e["t"] for e in of(events, "task_submitted")))


@pytest.fixture(scope="module")
def observed() -> dict[str, Any]:
    runs = comparison().runs
    found = LESSON.observe([e for name in EXECUTORS for e in runs[name]])
    return {o.key: o for o in found}


def test_it_is_the_comparison_lesson_of_concept_15() -> None:
    assert (LESSON.number, LESSON.kind) == (15, "compare")
    assert LESSON.compare is not None and LESSON.compare.workload == "cpu_work"


def test_speedups_are_the_runs_wall_times(observed: dict[str, Any]) -> None:
    runs = comparison().runs
    seq, thr, proc = (wall(runs[name]) for name in ("sequential", "threads", "processes"))
    assert observed["speedup_threads"].value == round(seq / thr, 2)
    assert observed["speedup_processes"].value == round(seq / proc, 2)
    assert observed["processes_vs_threads"].value == round(thr / proc, 2)
    assert observed["speedup_processes"].unit == "×"


def test_memory_per_worker_process_is_the_workers_peaks(observed: dict[str, Any]) -> None:
    memory = of(comparison().runs["processes"], "memory")
    peaks: dict[int, int] = {}
    for e in memory:
        if e["worker"] is not None:
            peaks[e["worker"]] = max(peaks.get(e["worker"], 0), e["rss"])
    assert len(peaks) == 2
    mean = sum(peaks.values()) / len(peaks)
    assert observed["memory_per_process"].value == round(mean / 2**20, 1)
    lab = max(e["rss"] for e in of(comparison().runs["threads"], "memory") if e["worker"] is None)
    assert observed["threads_process_memory"].value == round(lab / 2**20, 1)


def test_serialization_is_the_process_runs_pickling(observed: dict[str, Any]) -> None:
    steps = of(comparison().runs["processes"], "serialized")
    assert len(steps) == 16  # 4 tasks: call and result, pickled and unpickled
    total_ns = sum(e["duration_ns"] for e in steps)
    assert observed["serialization_ms"].value == round(total_ns / 1e6, 1)
    assert of(comparison().runs["threads"], "serialized") == []


def test_one_run_alone_is_not_observable() -> None:
    with pytest.raises(NotObservable, match="no sequential, processes run"):
        LESSON.observe(comparison().runs["threads"])
