"""Lesson 14 (generators) on a real `schedviz trace` of its example: the observed steps per
generator and the order of their turns, against the events and the program's own output."""

from __future__ import annotations

from typing import Any

import pytest

from lessonruns import example_run
from schedviz.lessons import NotObservable, Observation, get
from schedviz.lessons.l14_generators import round_robin_order
from test_examples import EXAMPLES

LESSON = get("generators")

run = example_run(LESSON)


def test_the_lesson_runs_its_example() -> None:
    assert LESSON.number == 14 and LESSON.kind == "example"
    assert (EXAMPLES / f"{LESSON.example}.py").is_file()


def test_steps_per_generator_are_those_the_tasks_ended_with(run: dict[str, Any]) -> None:
    events = run["events"]
    names = {e["task"]: e["name"] for e in events if e["kind"] == "aio_task"}
    done = {names[e["task"]]: e["steps"] for e in events if e["kind"] == "aio_task_done"}
    assert done == {"a": 4, "b": 3, "c": 5}  # the example's 3, 2 and 4 parts, and a return
    observed: Observation = run["observed"]["steps"]
    assert observed.value == " · ".join(f"{n} {done[n]}" for n in "abc")
    assert run["observed"]["generators"].value == 3


def test_the_order_of_turns_is_the_order_the_program_printed(run: dict[str, Any]) -> None:
    # Each step but a generator's last prints "<name>: part i of n": the printed order is the
    # order of the turns that yielded, seen from inside the program.
    printed = [line.split(":")[0] for line in run["stdout"].splitlines() if ": part " in line]
    printed = [n for n in printed if n != "report"]  # the generator stepped by hand
    turns = run["observed"]["order"].value.split()
    assert len(turns) == 12
    counts = {n: turns.count(n) for n in "abc"}
    yielded = [n for i, n in enumerate(turns) if turns[i + 1:].count(n) > 0]
    assert yielded == printed
    assert turns == round_robin_order(counts, list("abc"))
    assert run["observed"]["round_robin"].value == "yes"


def test_every_yield_is_at_the_examples_yield_line(run: dict[str, Any]) -> None:
    lines = (EXAMPLES / f"{LESSON.example}.py").read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if text.strip().startswith("yield "))
    yields = [e for e in run["events"] if e["kind"] == "aio_step" and e["outcome"] == "yield"]
    assert {e["line"] for e in yields} == {line}
    observed = run["observed"]["yields"]
    assert observed.value == len(yields) == 9
    assert f"{LESSON.example}.py:{line} (9×)" in observed.detail


def test_events_of_another_program_are_not_this_lessons() -> None:
    events = [{"seq": 0, "t": 0, "kind": "run_started",
               "config": {"program": "two_threads.py", "argv": ["two_threads.py"]}},
              {"seq": 1, "t": 1, "kind": "run_ended", "reason": "completed", "message": None}]
    with pytest.raises(NotObservable, match=r"reads a trace of examples/lesson_generators\.py"):
        LESSON.observe(events)
