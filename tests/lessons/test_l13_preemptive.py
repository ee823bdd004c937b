"""Lesson 13 (preemptive vs cooperative) on a real `schedviz trace` of its example: the GIL
switches between its two threads, counted again from the GIL lane's events, and the
generators' switches, each at the example's yield line."""

from __future__ import annotations

import itertools
from typing import Any

from lessonruns import example_run
from schedviz.lessons import get
from test_examples import EXAMPLES

LESSON = get("preemptive-vs-cooperative")

run = example_run(LESSON)


def test_gil_switches_between_the_threads_are_the_gil_lanes(run: dict[str, Any]) -> None:
    events = sorted(run["events"], key=lambda e: (e["t"], e["seq"]))
    lane = {e["name"]: e["worker"] for e in events if e["kind"] == "worker_spawned"}
    ended = {e["worker"]: e["t"] for e in events if e["kind"] == "worker_exited"}
    spawned = {e["worker"]: e["t"] for e in events if e["kind"] == "worker_spawned"}
    cpu = [lane["cpu-1"], lane["cpu-2"]]
    lo, hi = max(spawned[w] for w in cpu), min(ended[w] for w in cpu)
    holders = [e["thread"] for e in events
               if e["kind"] == "gil" and e["held"] and lo <= e["t"] < hi
               and e["thread"] in ("cpu-1", "cpu-2")]
    switches = len([k for k, _ in itertools.groupby(holders)]) - 1
    assert run["observed"]["gil_switches"].value == switches
    # About 0.2 s of two threads' bytecode at a 5 ms switch interval: many switches, not 0.
    assert switches >= 5


def test_every_generator_switch_is_at_a_yield_or_a_return(run: dict[str, Any]) -> None:
    lines = (EXAMPLES / f"{LESSON.example}.py").read_text().splitlines()
    yield_line = next(i for i, t in enumerate(lines, 1) if t.strip().startswith("yield "))
    steps = sorted((e for e in run["events"] if e["kind"] == "aio_step"), key=lambda e: e["t"])
    switched = [a for a, b in itertools.pairwise(steps) if a["task"] != b["task"]]
    assert {a["line"] for a in switched if a["outcome"] == "yield"} == {yield_line}
    assert all(a["outcome"] in ("yield", "done") for a in switched)
    at_yield = sum(a["outcome"] == "yield" for a in switched)
    # Two generators of 8 steps each, in turns: 16 yields, then each returns.
    assert run["observed"]["coop_switches"].value == len(switched) == 17
    assert run["observed"]["coop_at_yield"].value == at_yield == 16
