"""Lesson 6: what a worker process costs: its start-up, and memory of its own."""

from __future__ import annotations

from schedviz.lessons import Events, Lesson, NotObservable, Observation
from schedviz.lessons import observe as ob
from schedviz.lessons import summary as sm
from schedviz.protocol import RunConfig

TITLE = "What a worker process costs: start-up and memory"
_MB = 1024 * 1024


def observe(events: Events) -> list[Observation]:
    """Each worker's start-up, and the memory of each worker process next to the lab's."""
    config = sm.expect_run(events, TITLE, "processes")
    out = [sm.startup(events)]
    first_task = ob.first_start_after_pool_ns(events)
    if first_task:
        out.append(Observation(
            "first_task", "From the pool's creation to a worker's first task",
            sm.ms(max(first_task.values())), "ms",
            f"the longest over {len(first_task)} workers: start-up and the first call's "
            "unpickling, which imports the task's module there"))
    peaks = ob.memory_peaks(events)
    workers = [m for m in peaks if m.worker is not None]
    if not workers:
        raise NotObservable("no memory sample of a worker process in this run")
    rss = sum(m.rss for m in workers) / len(workers)
    out.append(Observation(
        "worker_rss", "Memory per worker process (RSS)", round(rss / _MB, 1), "MB",
        f"the largest resident size of each of the {len(workers)} workers, on average "
        f"({config.get('start_method')}): an interpreter, its modules and heap each"))
    private = [m.uss for m in workers if m.uss is not None]
    if private:
        out.append(Observation(
            "worker_uss", "Memory of its own per worker (USS)",
            round(sum(private) / len(private) / _MB, 1), "MB",
            "pages no other process shares: what each more worker really adds"))
    lab = [m for m in peaks if m.worker is None]
    if lab:
        out.append(Observation("lab_rss", "Memory of the lab (the parent, RSS)",
                               round(lab[0].rss / _MB, 1), "MB",
                               "the process that runs the pool, for comparison"))
    return out


LESSON = Lesson(
    id="process-cost",
    number=6,
    concept="Process start-up cost, and memory duplicated per process",
    title=TITLE,
    explanation=(
        "Each worker process is a whole interpreter: with spawn it starts from nothing and "
        "imports every module again (the hatched span at the start of its lane); with fork "
        "it starts as a copy of the parent, in a few ms. And its memory is its own: every "
        "worker holds its own interpreter, modules and heap (the strip along each lane). "
        "With fork the copy shares the parent's pages until one of them writes to a page "
        "(copy on write), and CPython writes to most objects' reference counts, so those "
        "pages get copied bit by bit. Threads share one heap: a thread adds only its stack."
    ),
    prediction=(
        "How long does one worker process take to start with spawn, and with fork? How much "
        "memory does each worker take compared with the lab?"
    ),
    observe=observe,
    preset=RunConfig(executor="processes", start_method="spawn", workload="cpu", n_tasks=4,
                     task_ms=50, max_workers=2),
    knobs=("start_method", "max_workers", "n_tasks"),
)
