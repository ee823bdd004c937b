"""Lesson 12: why a pool: a new thread per task vs a few workers reused for every task."""

from __future__ import annotations

import itertools
import statistics
from collections import Counter

from schedviz.lessons import Events, Lesson, NotObservable, Observation
from schedviz.lessons import observe as ob
from schedviz.lessons import summary as sm
from schedviz.lessons import traced as tr

TITLE = "Why a pool"
EXAMPLE = "lesson_why_a_pool"


def start_spacing_ns(events: Events, lanes: set[int]) -> float | None:
    """The median time from one of these lanes' start to the next one's: what starting one
    more thread cost the thread that started them all in a row (the median: one late start,
    the first one's imports say, does not make them all look slow)."""
    starts = [e["t"] for e in tr.in_order(events, "worker_spawned") if e["worker"] in lanes]
    if len(starts) < 2:
        return None
    return float(statistics.median(b - a for a, b in itertools.pairwise(starts)))


def start_span(events: Events, lanes: set[int]) -> tuple[int, int]:
    """When the first and the last of these lanes started."""
    starts = [e["t"] for e in events if e["kind"] == "worker_spawned" and e["worker"] in lanes]
    return min(starts), max(starts)


def observe(events: Events) -> list[Observation]:
    """Threads created each way, what starting one cost, and how many tasks each worker ran."""
    tr.expect_example(events, TITLE, EXAMPLE)
    per_task = {w for w, name in tr.program_threads(events).items() if name != "MainThread"}
    pool_workers = {e["worker"]: e["name"] for e in events
                    if e["kind"] == "worker_spawned" and e["pool"] is not None}
    spans = ob.ran(ob.task_spans(events))
    if not per_task or not pool_workers or not spans:
        raise NotObservable(f"{TITLE} reads the example's threads and its pool; this run has "
                            f"{len(per_task)} threads of its own and {len(pool_workers)} pool "
                            "workers")
    ran_on = Counter(s.worker for s in spans)
    spacing = start_spacing_ns(events, per_task)
    out = [
        Observation("threads_per_task", "Threads started, one per task", len(per_task), "",
                    "threading.Thread for each task: each started, used once, ended"),
        Observation("pool_workers", "Threads the pool started", len(pool_workers), "",
                    f"for {len(spans)} tasks: max_workers, started once and reused"),
        Observation("tasks_per_worker", "Tasks per pool worker",
                    " · ".join(f"W{w} {ran_on[w]}" for w in sorted(pool_workers)),
                    "", "each worker took the next task from the pool's queue when it was idle"),
    ]
    if spacing is not None:
        first, last = start_span(events, per_task)
        out.append(Observation("start_cost", "Starting one more thread", round(spacing / 1e3),
                               "µs", "the median time from one per-task thread's start to the "
                               f"next one's (traced; {sm.ms(last - first)} ms from the first "
                               f"to the last of {len(per_task)}); 10,000 tasks would be 10,000 "
                               "OS threads"))
    return out


LESSON = Lesson(
    id="why-a-pool",
    number=12,
    concept="Why a pool: a new thread per task vs reused workers",
    title=TITLE,
    explanation=(
        "Spinning up a new thread (or process) for every task is expensive: the OS creates "
        "it, allocates its stack, Python sets it up, and then it is used once. Nobody wants "
        "10,000 OS threads for 10,000 tasks. A pool creates N workers up front (max_workers), "
        "keeps a queue of the submitted tasks and gives each to an idle worker, reusing the "
        "workers for task after task. The example runs 20 short tasks both ways: a thread "
        "each, then a pool of 4. Under the timeline, the Queues view shows the pool's work "
        "queue in order: scrub the replay and watch idle workers take the next task as "
        "capacity allows."
    ),
    prediction=(
        "20 tasks: how many threads does each way start, and how many tasks does each of "
        "the pool's workers run?"
    ),
    observe=observe,
    example=EXAMPLE,
)
