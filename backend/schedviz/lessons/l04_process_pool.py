"""Lesson 4: a process pool on CPU-bound work: parallelism, paid for in start-up and pickling."""

from __future__ import annotations

from schedviz.lessons import Events, Lesson, NotObservable, Observation
from schedviz.lessons import observe as ob
from schedviz.lessons import summary as sm
from schedviz.protocol import RunConfig

TITLE = "A process pool on CPU-bound work"


def observe(events: Events) -> list[Observation]:
    """The cores the work used, and the price: worker start-up and pickling."""
    sm.expect_run(events, TITLE, "processes", ("cpu_work", "cpu"))
    spans = sm.need_tasks(ob.task_spans(events), TITLE)
    out = [sm.wall(spans), sm.cores_used(spans), sm.cores_while_running(spans),
           *sm.parallelism(spans)[:1]]
    out.append(sm.startup(events))
    pickled = ob.serialization(events)
    if pickled is None:
        raise NotObservable("nothing was pickled in this run (no serialized events)")
    out.append(Observation(
        "serialization", "Pickling and unpickling", sm.ms(pickled.ns), "ms",
        f"{pickled.steps} pickling steps of calls and results, both sides added up "
        f"({pickled.nbytes} bytes pickled)"))
    return out


LESSON = Lesson(
    id="process-pool",
    number=4,
    concept="A process pool on CPU-bound work: parallelism, at the price of start-up and "
            "serialization",
    title=TITLE,
    explanation=(
        "ProcessPoolExecutor is the pool for CPU-bound work: each worker is a process with "
        "an interpreter and a GIL of its own, so pure-Python tasks really run in parallel, "
        "one per core. That is the pro. The cons: every worker has to start (a new "
        "interpreter that imports its modules: the hatched span at the start of each lane), "
        "and every call and result crosses between processes by pickling and unpickling "
        "(the small marks at the ends of each bar): extra work on both sides. Here 8 tasks "
        "do 200 ms of CPU work in a pure-Python loop on 2 worker processes, started with spawn. "
        "The Queues view under the timeline is CPython's own data flow: pending work items, "
        "the call queue of max_workers + 1, the workers, the result queue, the futures."
    ),
    prediction=(
        "The CPU-bound tasks that shared one core on threads, now on 2 processes: how many "
        "cores do they use once running, and over the whole run, start-up included?"
    ),
    observe=observe,
    preset=RunConfig(executor="processes", start_method="spawn", workload="cpu_work", n_tasks=8,
                     task_ms=200, max_workers=2),
    knobs=("max_workers", "n_tasks", "task_ms", "start_method", "payload_numbers"),
)
