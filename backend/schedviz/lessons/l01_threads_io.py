"""Lesson 1: threads on I/O-bound work: while one task waits, the others run."""

from __future__ import annotations

from schedviz.lessons import Events, Lesson, Observation
from schedviz.lessons import observe as ob
from schedviz.lessons import summary as sm
from schedviz.protocol import RunConfig

TITLE = "Threads on I/O-bound work"


def observe(events: Events) -> list[Observation]:
    """Wall time vs the sum of the waits, and how many waited at once."""
    sm.expect_run(events, TITLE, "threads", ("sleep",))
    spans = sm.need_tasks(ob.task_spans(events), TITLE)
    return [sm.wall(spans), sm.task_time(spans), sm.speedup(spans), *sm.parallelism(spans)]


LESSON = Lesson(
    id="threads-io",
    number=1,
    concept="Threads on I/O-bound work: concurrency fills the idle waiting",
    title=TITLE,
    explanation=(
        "Concurrency means making use of the idle moments: while one task waits for I/O, "
        "another can work. Here 12 tasks each wait 100 ms (time.sleep stands in for a network "
        "or disk wait) on a ThreadPoolExecutor of 3 worker threads. A waiting thread releases "
        "the GIL, so the three waits really overlap. The more time a task spends idle, the "
        "more time it gives the others: threads are the pool for I/O."
    ),
    prediction=(
        "12 waits of 100 ms on 3 threads: about how long does the whole run take, and how "
        "many times faster than one after another (1.2 s) is it?"
    ),
    observe=observe,
    preset=RunConfig(workload="sleep", n_tasks=12, task_ms=100, max_workers=3),
    knobs=("max_workers", "n_tasks", "task_ms"),
)
