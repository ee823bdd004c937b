"""Lesson 10 (the Future API) on a real `schedviz trace` of its example: which thread ran each
done-callback, compared with what the callback itself saw (threading.get_ident(), printed by
the program), the futures' states and the cancel and timeout counts, against the events."""

from __future__ import annotations

import re
from typing import Any

from lessonruns import example_run
from schedviz.lessons import get
from test_examples import EXAMPLES

LESSON = get("future-api")
PRINTED = re.compile(r"callback (\w+): thread=(\S+) ident=(\d+)")

run = example_run(LESSON)


def test_the_lesson_runs_its_example() -> None:
    assert LESSON.number == 10 and LESSON.kind == "example"
    assert (EXAMPLES / f"{LESSON.example}.py").is_file()


def test_each_callback_ran_in_the_thread_it_saw_itself_in(run: dict[str, Any]) -> None:
    events, observed = run["events"], run["observed"]
    printed = {name: (thread, int(ident)) for name, thread, ident
               in PRINTED.findall(run["stdout"])}
    assert set(printed) == {"added_before_done", "added_after_done"}
    lanes = {e["worker"]: e["name"] for e in events if e["kind"] == "worker_spawned"}
    recorded = {e["name"].rsplit(".", 1)[-1]: e for e in events
                if e["kind"] == "future_callback"}
    assert set(recorded) == set(printed)
    for name, (thread, ident) in printed.items():
        event = recorded[name]
        assert (event["thread"], event["thread_ident"]) == (thread, ident)
        assert lanes[event["worker"]] == thread  # drawn on the lane of that very thread
        assert observed[f"callback_{name}"].value == thread
    # before completion: the pool's worker; after: the main thread, which added it
    pool_lanes = {e["worker"] for e in events if e["kind"] == "worker_spawned"
                  and e["pool"] is not None}
    assert recorded["added_before_done"]["worker"] in pool_lanes
    assert printed["added_after_done"][0] == "MainThread"
    main_ident = int(re.findall(r"main thread: ident=(\d+)", run["stdout"])[0])
    assert printed["added_after_done"][1] == main_ident != printed["added_before_done"][1]


def test_states_cancels_and_timeouts_are_those_of_the_events(run: dict[str, Any]) -> None:
    events, observed = run["events"], run["observed"]
    cancelled = [e["task"] for e in events if e["kind"] == "task_cancelled"]
    started = {e["task"] for e in events if e["kind"] == "task_started"}
    assert len(cancelled) == 1 and cancelled[0] not in started
    assert observed["cancelled"].value == len(cancelled)
    assert observed[f"task_{cancelled[0]}"].value == "pending → cancelled"
    failed = [e["task"] for e in events if e["kind"] == "task_finished" and not e["ok"]]
    assert len(failed) == 1
    assert observed[f"task_{failed[0]}"].value.startswith("pending → running → finished "
                                                           "(exception ValueError")
    timeouts = [e for e in events if e["kind"] == "future_wait_ended"
                and e["outcome"] == "timeout"]
    assert observed["timeouts"].value == len(timeouts) == 1
    assert "cancel() of the running first: False" in run["stdout"]
    assert "cancel() of a pending one: True" in run["stdout"]
