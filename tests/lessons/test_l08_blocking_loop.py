"""Lesson 8 (blocking the event loop) on a real run of its preset: the blocking step and the
tickers' longest wait, against the loop's own events."""

from __future__ import annotations

from typing import Any

from lessonruns import of, preset_run
from schedviz.lessons import get

LESSON = get("blocking-loop")
run = preset_run(LESSON, task_ms=150, n_tasks=3)


def test_the_longest_block_is_the_blocking_step(run: dict[str, Any]) -> None:
    ended = [e for e in of(run["events"], "aio_blocked") if not e["ongoing"]]
    assert ended, "time.sleep(0.15) blocked the loop past the 50 ms threshold"
    longest = max(ended, key=lambda e: e["dur_ns"])
    seen = run["observed"]
    assert seen["longest_block"].value == round(longest["dur_ns"] / 1e6, 1)
    assert f"aio_workloads.py:{longest['line']}: time.sleep(run.s)" in seen["longest_block"].detail
    assert seen["blocked_steps"].value == len(ended)


def test_the_tickers_longest_wait_spans_the_block(run: dict[str, Any]) -> None:
    events = run["events"]
    names = {e["task"]: e["name"] for e in of(events, "aio_task")}
    ends: dict[int, int] = {}
    longest = 0
    for s in sorted(of(events, "aio_step"), key=lambda e: e["t"]):
        if names[s["task"]].startswith("ticker"):
            if s["task"] in ends:
                longest = max(longest, s["t"] - ends[s["task"]])
            ends[s["task"]] = s["t"] + s["dur_ns"]
    assert run["observed"]["ticker_wait"].value == round(longest / 1e6, 1)
    block = max(e["dur_ns"] for e in of(events, "aio_blocked"))
    assert longest >= block  # a ticker could not run while the loop was blocked
