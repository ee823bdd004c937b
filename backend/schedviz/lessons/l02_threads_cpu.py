"""Lesson 2: threads on CPU-bound pure Python: the GIL lets one thread run at a time."""

from __future__ import annotations

from schedviz.lessons import Events, Lesson, Observation
from schedviz.lessons import observe as ob
from schedviz.lessons import summary as sm
from schedviz.protocol import RunConfig

TITLE = "Threads on CPU-bound work: the GIL"


def observe(events: Events) -> list[Observation]:
    """The cores the tasks' work kept busy, and how the GIL was shared among the workers."""
    sm.expect_run(events, TITLE, "threads", ("cpu_work", "cpu"))
    spans = sm.need_tasks(ob.task_spans(events), TITLE)
    out = [sm.wall(spans), sm.task_cpu(spans), sm.cores_used(spans), *sm.parallelism(spans)[:1]]
    shares = sm.gil_shares(events, spans)
    if shares is None:  # no GIL lane in this run: the CPU time still tells
        return out
    out.append(sm.workers_gil(shares))
    for worker, share in sorted(shares.items()):
        out.append(Observation(f"gil_w{worker}", f"GIL share of worker W{worker}",
                               round(100 * share), "%", "of the wall time of the work"))
    return out


LESSON = Lesson(
    id="threads-cpu",
    number=2,
    concept="Threads on CPU-bound work: the GIL serializes them; the total is about sequential",
    title=TITLE,
    explanation=(
        "Adding threads only adds a call stack per thread; they share the heap and the "
        "bytecode. But CPython has the GIL: while one worker runs Python, the others wait, "
        "unless the GIL is released. Here 8 tasks each do 50 ms of CPU work in a pure-Python "
        "loop, on 4 threads. The bars overlap, yet the GIL lane shows one holder at a time, "
        "switching every switch interval (5 ms): the runtime switches threads preemptively, "
        "whatever they are doing, and each switch saves one thread's state and resumes "
        "another's (a context switch). Each task stretches to about four times its work: "
        "the whole run takes about as long as the tasks one after another."
    ),
    prediction=(
        "8 tasks of 50 ms of CPU work on 4 threads: does the run take 100 ms or 400 ms, and "
        "what share of the GIL does each worker get?"
    ),
    observe=observe,
    preset=RunConfig(workload="cpu_work", n_tasks=8, task_ms=50, max_workers=4),
    knobs=("max_workers", "n_tasks", "task_ms", "switch_interval_ms", "workload"),
)
