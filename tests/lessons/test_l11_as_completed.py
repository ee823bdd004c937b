"""Lesson 11 (submit + as_completed vs map) on a real `schedviz trace` of its example: the
observed orders against the tasks' own events and the order the program printed."""

from __future__ import annotations

import re
from typing import Any

from lessonruns import example_run
from schedviz.lessons import get

LESSON = get("as-completed-vs-map")

run = example_run(LESSON)


def inputs(events: list[dict[str, Any]]) -> dict[int, int]:
    """task -> the download it ran (its argument), for the tasks that ran download(i)."""
    out = {}
    for e in events:
        if e["kind"] == "task_submitted" and re.fullmatch(r"\(\d\,\)", e["args"] or ""):
            out[e["task"]] = int(e["args"][1])
    return out


def test_as_completed_order_is_the_finishing_order_and_the_printed_one(
        run: dict[str, Any]) -> None:
    events = run["events"]
    downloads = inputs(events)
    first_five = sorted(downloads)[:5]
    finished = sorted((e["t"], e["task"]) for e in events
                      if e["kind"] == "task_finished" and e["task"] in first_five)
    by_finish = [downloads[task] for _, task in finished]
    printed = [int(m) for m in re.findall(r"as_completed: download (\d)", run["stdout"])]
    assert run["observed"]["as_completed_order"].value == " ".join(map(str, by_finish))
    assert by_finish == printed
    assert by_finish != sorted(by_finish)  # the durations make it so: 10 ms first, 120 last


def test_the_failed_download_is_counted_and_was_handled(run: dict[str, Any]) -> None:
    failed = [e for e in run["events"] if e["kind"] == "task_finished" and not e["ok"]]
    assert [e["error"] for e in failed] == ["ConnectionError('download 2 failed')"]
    assert run["observed"]["handled"].value == len(failed) == 1
    assert "download 2 failed (download 2 failed), handled" in run["stdout"]


def test_the_timeout_waited_at_least_its_timeout(run: dict[str, Any]) -> None:
    assert run["observed"]["timeout"].value >= 50.0
    assert "timeout: the slow task was not done after 0.05 s" in run["stdout"]


def test_map_held_back_the_results_done_before_the_first(run: dict[str, Any]) -> None:
    events = run["events"]
    downloads = inputs(events)
    mapped = sorted(downloads)[5:]
    assert [downloads[t] for t in mapped] == [0, 1, 2, 3, 4]
    end = {e["task"]: e["t"] for e in events if e["kind"] == "task_finished"}
    held = [t for t in mapped[1:] if end[t] < end[mapped[0]]]
    assert run["observed"]["map_held_back"].value == len(held) == 4  # 120 ms vs the rest
    printed = [int(m) for m in re.findall(r"map: download (\d)", run["stdout"])]
    assert printed == [0, 1, 2, 3, 4]
