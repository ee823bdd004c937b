"""Lesson 9 (deadlock) on a real `schedviz trace` of its example: both cases are detected with
the right wait-for chain within 2 s of their last wait (measured from the events), each ends by
its timeout, and nothing is left running."""

from __future__ import annotations

from typing import Any

import pytest

from lessonruns import example_run
from schedviz.lessons import NotObservable, get
from schedviz.lessons.l09_deadlock import chain_in_words
from test_examples import EXAMPLES

LESSON = get("deadlock")
TIMEOUT_S = "0.5"  # the example's own argument: a shorter run than the lesson's 1 s

run = example_run(LESSON, TIMEOUT_S)


def pools_tasks(events: list[dict[str, Any]]) -> list[list[int]]:
    """Each pool's tasks, in the order they were submitted, pools in the order made."""
    pools = [e["pool"] for e in events if e["kind"] == "pool_created"]
    submitted = sorted((e for e in events if e["kind"] == "task_submitted"),
                       key=lambda e: e["t"])
    return [[e["task"] for e in submitted if e["pool"] == p] for p in pools]


def test_the_lesson_runs_its_example() -> None:
    assert LESSON.number == 9 and LESSON.kind == "example"
    assert (EXAMPLES / f"{LESSON.example}.py").is_file()


def test_both_cases_are_detected_with_their_chains(run: dict[str, Any]) -> None:
    events, observed = run["events"], run["observed"]
    (outer, inner), (a, b) = pools_tasks(events)
    deadlocks = [e for e in events if e["kind"] == "deadlock"]
    assert [d["chain"] for d in deadlocks] == [[[outer, inner]], [[a, b], [b, a]]]
    assert observed["case1_detected"].value == observed["case2_detected"].value == "yes"
    assert observed["case1_chain"].value == chain_in_words([[outer, inner]]) == \
        f"task {outer} → task {inner}"
    assert observed["case2_chain"].value == f"task {a} → task {b} → task {a}"
    assert observed["case1_detected"].detail == deadlocks[0]["message"]


def test_each_deadlock_is_reported_within_2_s_of_its_last_wait(run: dict[str, Any]) -> None:
    events, observed = run["events"], run["observed"]
    for key, tasks, deadlock in zip(("case1", "case2"), pools_tasks(events),
                                    [e for e in events if e["kind"] == "deadlock"],
                                    strict=True):
        began = [e["t"] for e in events if e["kind"] == "future_wait"
                 and e["task"] in tasks and e["t"] <= deadlock["t"]]
        delay_ns = deadlock["t"] - max(began)
        assert 0 <= delay_ns < 2_000_000_000
        assert observed[f"{key}_delay"].value == round(delay_ns / 1e6, 3)


def test_each_case_ends_by_its_timeout_and_nothing_is_left(run: dict[str, Any]) -> None:
    events, observed = run["events"], run["observed"]
    ended = {e["wait"]: e["outcome"] for e in events if e["kind"] == "future_wait_ended"}
    waits = [e for e in events if e["kind"] == "future_wait"]
    assert all(w["wait"] in ended for w in waits)  # every wait ended
    (outer, _), (a, b) = pools_tasks(events)
    by_task = {w["task"]: ended[w["wait"]] for w in waits if w["task"] is not None}
    assert by_task[outer] == "timeout"
    assert sorted([by_task[a], by_task[b]]) == ["done", "timeout"]  # one frees the other
    assert f"timed out after {float(TIMEOUT_S)} s" in observed["case1_ended"].value
    spawned = {e["worker"] for e in events if e["kind"] == "worker_spawned"}
    exited = {e["worker"] for e in events if e["kind"] == "worker_exited"}
    assert spawned == exited and observed["left_running"].value == 0
    assert events[-1]["kind"] == "run_ended" and events[-1]["reason"] == "completed"
    assert "both deadlocks ended by their timeouts" in run["stdout"]


def test_another_runs_events_are_not_this_lessons() -> None:
    events = [{"seq": 0, "t": 0, "kind": "run_started",
               "config": {"program": "two_threads.py"}}]
    with pytest.raises(NotObservable, match=r"lesson_deadlock\.py"):
        LESSON.observe(events)
