"""Lesson 14: generators; a round-robin scheduler of them is cooperative multitasking by hand."""

from __future__ import annotations

from collections import Counter

from schedviz.lessons import Events, Lesson, NotObservable, Observation
from schedviz.lessons import traced as tr

TITLE = "Generators: cooperative multitasking by hand"
EXAMPLE = "lesson_generators"


def round_robin_order(steps: dict[int, int], order: list[int]) -> list[int]:
    """The turns a round-robin scheduler gives generators that take `steps[g]` steps each,
    in the order given: round after round, each generator still running once."""
    left = dict(steps)
    alive = list(order)
    turns: list[int] = []
    while alive:
        turns.extend(alive)
        for g in alive:
            left[g] -= 1
        alive = [g for g in alive if left[g] > 0]
    return turns


def observe(events: Events) -> list[Observation]:
    """Steps per generator, the order their turns came in, and the lines they yielded at."""
    tr.expect_example(events, TITLE, EXAMPLE)
    created = tr.in_order(events, "aio_task")
    steps = tr.in_order(events, "aio_step")
    if not created or not steps:
        raise NotObservable("no generator step was recorded: the example's round_robin did "
                            "not run under the trace")
    names = {e["task"]: e["name"] for e in created}
    per_task = Counter(e["task"] for e in steps)
    turns = [e["task"] for e in steps]
    expected = round_robin_order(dict(per_task), [e["task"] for e in created])
    yields = [e for e in steps if e["outcome"] == "yield"]
    sites = Counter(tr.site(e["file"], e["line"]) for e in yields)
    return [
        Observation("generators", "Generators in the round", len(created), "",
                    "each is a row: " + ", ".join(names[t] for t in names)),
        Observation("steps", "Steps per generator",
                    " · ".join(f"{names[t]} {per_task[t]}" for t in names), "",
                    "a step is one next(): up to the next yield, or to the return (its last "
                    "step)"),
        Observation("order", "Order of the turns", " ".join(names[t] for t in turns), "",
                    "who ran each step, in time order on the scheduler's lane"),
        Observation("round_robin", "Turns in round-robin order",
                    "yes" if turns == expected else "no", "",
                    "compared with round after round of the generators still running, in the "
                    "order given"),
        Observation("yields", "Yields", len(yields), "",
                    "at " + ", ".join(f"{s} ({n}×)" for s, n in sites.items())
                    + ": the only places a generator handed the turn on"),
    ]


LESSON = Lesson(
    id="generators",
    number=14,
    concept="Generators: a generator object; a round-robin scheduler of generators",
    title=TITLE,
    explanation=(
        "Calling a generator function runs none of its body: it returns a generator object "
        "(the example prints one). Each next() runs the body up to its next yield and "
        "suspends it there, keeping its local variables. A scheduler that calls next() on "
        "each generator in turn, round after round, is cooperative multitasking written by "
        "hand: a generator runs until it yields, nobody interrupts it. That is what an event "
        "loop does with coroutines, so the timeline draws the generators as asyncio tasks: a "
        "row each, every step on the scheduler's lane, a tick at each yield."
    ),
    prediction=(
        "Three generators take 4, 3 and 5 steps (a, b, c). In which order do their steps "
        "run, and at which line does each step end?"
    ),
    observe=observe,
    example=EXAMPLE,
)
