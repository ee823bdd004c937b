"""Lesson 15: multiprocessing vs threads side by side: parallelism, at the price of memory per
worker and of serializing every call and result."""

from __future__ import annotations

from schedviz import compare
from schedviz.lessons import Events, Lesson, NotObservable, Observation
from schedviz.lessons import observe as ob
from schedviz.protocol import RunConfig

TITLE = "Processes vs threads, side by side"
_MB = 1024 * 1024


def observe(events: Events) -> list[Observation]:
    """Speedups from the comparison's table; memory and pickling from its pool runs' events."""
    try:
        runs = compare.split_runs(events)
        rows = {r.executor: r for r in compare.summarize(runs)}
    except compare.NotComparable as exc:
        raise NotObservable(f"{TITLE} reads a finished comparison: {exc}") from None
    missing = [name for name in ("sequential", "threads", "processes") if name not in rows]
    if missing:
        raise NotObservable(f"{TITLE} reads a comparison with sequential, threads and "
                            f"processes runs; these events have no {', '.join(missing)} run")
    by_executor = {compare.executor_of(run[0]["config"]): run for run in runs}
    seq, thr, proc = rows["sequential"], rows["threads"], rows["processes"]
    out = [
        Observation("speedup_threads", "Threads: speedup vs one after another",
                    round(thr.speedup or 0.0, 2), "×",
                    f"{seq.wall_ns / 1e6:.0f} ms sequential / {thr.wall_ns / 1e6:.0f} ms on "
                    "threads: the GIL lets one run Python at a time"),
        Observation("speedup_processes", "Processes: speedup vs one after another",
                    round(proc.speedup or 0.0, 2), "×",
                    f"{seq.wall_ns / 1e6:.0f} ms sequential / {proc.wall_ns / 1e6:.0f} ms on "
                    "processes, worker start-up included: each has its own GIL and core"),
        Observation("processes_vs_threads", "Processes faster than threads by",
                    round(thr.wall_ns / proc.wall_ns, 2), "×", "threads' wall time / processes'"),
    ]
    workers = [m for m in ob.memory_peaks(by_executor["processes"]) if m.worker is not None]
    if workers:
        mean = sum(m.rss for m in workers) / len(workers)
        out.append(Observation("memory_per_process", "Memory per worker process",
                               round(mean / _MB, 1), "MB",
                               f"mean peak resident memory of {len(workers)} worker processes: "
                               "each is an interpreter of its own, its heap duplicated"))
    lab = [m for m in ob.memory_peaks(by_executor["threads"]) if m.worker is None]
    if lab:
        out.append(Observation("threads_process_memory", "All the threads together",
                               round(lab[0].rss / _MB, 1), "MB",
                               "peak resident memory of the one process the threads share: a "
                               "thread adds only its stack"))
    pickled = ob.serialization(by_executor["processes"])
    if pickled is not None:
        out.append(Observation("serialization_ms", "Serialization (processes)",
                               round(pickled.ns / 1e6, 1), "ms",
                               f"pickling and unpickling {pickled.steps // 4} calls and results,"
                               f" {pickled.nbytes / _MB:.1f} MB pickled; threads pass them "
                               "by reference"))
    return out


LESSON = Lesson(
    id="processes-vs-threads",
    number=15,
    concept="Multiprocessing vs threads side by side: memory per worker, serialization, "
            "parallelism",
    title=TITLE,
    explanation=(
        "The same CPU-bound tasks run four times, one timeline each on one time axis: one after "
        "another, on a thread pool, on a process pool and as coroutines on one event loop. "
        "Threads only add a call stack each, sharing the heap and the bytecode, but the GIL "
        "lets one of them run Python at a time. Processes run in parallel, each with its own "
        "interpreter and GIL, at a price: memory duplicated per process, and every call and "
        "result pickled on one side and unpickled on the other (each task here carries a list "
        "of 20,000 floats). The workers start with fork so that start-up, lesson 6's subject, "
        "does not hide the parallelism."
    ),
    prediction=(
        "Four tasks of 150 ms of CPU on two workers: how much faster than one after another is "
        "the thread pool, and the process pool? And what does each process worker cost?"
    ),
    observe=observe,
    compare=RunConfig(workload="cpu_work", n_tasks=4, task_ms=150, max_workers=2,
                      start_method="fork", payload_numbers=20_000),
    knobs=("n_tasks", "task_ms", "max_workers", "start_method", "payload_numbers"),
)
