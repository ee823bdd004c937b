"""Lesson 13: preemptive multitasking (the interpreter switches threads at the switch interval,
whatever they are doing) vs cooperative (tasks switch only where they yield)."""

from __future__ import annotations

import itertools

from schedviz.lessons import Events, Lesson, NotObservable, Observation
from schedviz.lessons import observe as ob
from schedviz.lessons import traced as tr

TITLE = "Preemptive vs cooperative multitasking"
EXAMPLE = "lesson_preemptive"


def both_running(events: Events, lanes: list[int]) -> tuple[int, int]:
    """The time span in which every one of these lanes had started and none had ended."""
    spawned = {e["worker"]: e["t"] for e in tr.in_order(events, "worker_spawned")}
    exited = {e["worker"]: e["t"] for e in tr.in_order(events, "worker_exited")}
    end = min(exited.get(w, ob.run_end_t(events)) for w in lanes)
    return max(spawned[w] for w in lanes), end


def gil_turns(events: Events, lanes: list[int], start: int, end: int) -> list[int]:
    """The GIL holders among `lanes`, in order, between start and end; one entry per turn
    (a change of holder to another of them), as the GIL sampler saw it."""
    turns: list[int] = []
    for e in tr.in_order(events, "gil"):
        mine = start <= e["t"] < end and e["held"] and e["worker"] in lanes
        if mine and (not turns or turns[-1] != e["worker"]):
            turns.append(e["worker"])
    return turns


def observe(events: Events) -> list[Observation]:
    """GIL switches between the two threads and how often; where the generators switched."""
    tr.expect_example(events, TITLE, EXAMPLE)
    if not ob.gil_sampled(events):
        raise NotObservable("the run has no GIL lane (the GIL sampler was not available): "
                            "the switches between the threads cannot be seen")
    threads = {w: name for w, name in tr.program_threads(events).items()
               if name != "MainThread"}
    if len(threads) != 2:
        raise NotObservable(f"{TITLE} reads the example's two threads; this run has "
                            f"{len(threads)} threads of its own besides the main thread")
    lanes = sorted(threads)
    start, end = both_running(events, lanes)
    turns = gil_turns(events, lanes, start, end)
    switches = max(0, len(turns) - 1)
    held = sum(by_holder.get(w, 0) for by_holder in ob.gil_held_ns(events, start, end).values()
               for w in lanes)
    span_s = (end - start) / 1e9
    steps = tr.in_order(events, "aio_step")
    coop = [(a, b) for a, b in itertools.pairwise(steps) if a["task"] != b["task"]]
    at_yield = [a for a, _ in coop if a["outcome"] == "yield" and a["line"]]
    sites = sorted({tr.site(a["file"], a["line"]) for a in at_yield})
    names = " and ".join(threads[w] for w in lanes)
    return [
        Observation("gil_switches", "GIL switches between the threads", switches, "",
                    f"the GIL went from one of {names} to the other this often while both "
                    "ran, as the GIL sampler saw it"),
        Observation("switches_per_s", "GIL switches per second",
                    round(switches / span_s) if span_s > 0 else 0, "/s",
                    f"over the {round(span_s * 1000)} ms both threads ran; a switch interval "
                    "of 5 ms (the example prints it) allows about 200 a second"),
        Observation("turn_ms", "A thread's turn with the GIL, on average",
                    round(held / 1e6 / len(turns), 1) if turns else 0.0, "ms",
                    "the time the two threads held the GIL / their turns: about the switch "
                    "interval, wherever in its loop a thread was"),
        Observation("coop_switches", "Switches between the generators", len(coop), "",
                    "one generator's step followed by the other's, on the scheduler's lane"),
        Observation("coop_at_yield", "Of those, at a yield", len(at_yield), "",
                    (f"at {', '.join(sites) or 'no line'}; the other "
                     f"{len(coop) - len(at_yield)} after a generator returned: never in the "
                     "middle of a step")),
    ]


LESSON = Lesson(
    id="preemptive-vs-cooperative",
    number=13,
    concept="Preemptive (switched at the switch interval) vs cooperative (switched at yields)",
    title=TITLE,
    explanation=(
        "Threads are preemptive: the runtime decides when one pauses and another runs. In "
        "CPython a thread that wants the GIL asks the holder to drop it after the switch "
        "interval (5 ms), so two CPU-bound threads take turns every ~5 ms, in the middle of "
        "whatever they are doing: the runtime has no idea what the threads are doing. "
        "Cooperative tasks (generators, asyncio coroutines) run through their critical part "
        "and switch only where they yield. The example runs the same work both ways: two "
        "threads, then two generators under a round-robin scheduler."
    ),
    prediction=(
        "Two threads each compute for about 0.1 s. How many times does the GIL switch between "
        "them? And where do the two generators switch?"
    ),
    observe=observe,
    example=EXAMPLE,
)
