"""The observations lessons share: the run check, and the wall time, speedup and parallelism of
a pool's tasks in the words the page shows them.

Guarantees:
- `expect_run` raises NotObservable, naming what ran and what the lesson needs, for events of
  another kind of run or of a run that never finished.
- Every observation's value comes from the events through lessons/observe.py; values are
  rounded for reading (ms to 0.1, ratios to 0.01) and the detail says what was measured.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from schedviz.lessons import Events, NotObservable, Observation
from schedviz.lessons import observe as ob

_NO_CPU = ("the tasks report no CPU time (task_finished.cpu_ns): a recording made before "
           "schema version 6 cannot answer this")


def expect_run(events: Events, lesson: str, executor: str,
               workloads: Sequence[str] = (), **fields: Any) -> dict[str, Any]:
    """The run's config, if it is a finished run of this executor (and workload, and fields)."""
    config = ob.run_config(events)
    if config is None:
        raise NotObservable(f"these events have no run_started: not a run that {lesson} can "
                            "read")
    if not any(e["kind"] == "run_ended" for e in events):
        raise NotObservable("the run has not ended yet (no run_ended): its summary comes at its "
                            "end, and a run cut off before it has none")
    ran = f"{config.get('executor')} running {config.get('workload')}"
    if config.get("executor") != executor or (workloads and config.get("workload")
                                              not in workloads):
        want = f"{executor} running {' or '.join(workloads)}" if workloads else executor
        raise NotObservable(f"{lesson} reads a run of {want}; this run is {ran}")
    for name, value in fields.items():
        if config.get(name) != value:
            raise NotObservable(f"{lesson} reads a run with {name}={value!r}; this run has "
                                f"{name}={config.get(name)!r}")
    return config


def ms(ns: float) -> float:
    """ns as ms, to 0.1 ms."""
    return round(ns / 1e6, 1)


def times(x: float) -> float:
    """A ratio to 0.01."""
    return round(x, 2)


def need_tasks(spans: Sequence[ob.TaskSpan], lesson: str) -> list[ob.TaskSpan]:
    """The tasks that ran; NotObservable when none did."""
    done = ob.ran(spans)
    if not done:
        raise NotObservable(f"no task of this run both started and finished: {lesson} has "
                            "nothing to measure")
    return done


def wall(spans: Sequence[ob.TaskSpan]) -> Observation:
    wall_ns = ob.work_wall_ns(spans) or 0
    return Observation("wall", "Wall time of the work", ms(wall_ns), "ms",
                       "from the first task submitted to the last one finished")


def task_time(spans: Sequence[ob.TaskSpan]) -> Observation:
    return Observation("task_time", "Sum of the task times", ms(ob.task_time_ns(spans)), "ms",
                       f"the {len(ob.ran(spans))} tasks' run times added up: how long they "
                       "would take one after another")


def speedup(spans: Sequence[ob.TaskSpan]) -> Observation:
    value = ob.speedup(spans) or 0.0
    return Observation("speedup", "Speedup vs one after another", times(value), "×",
                       "sum of the task run times / wall time of the work")


def parallelism(spans: Sequence[ob.TaskSpan]) -> list[Observation]:
    p = ob.parallelism(spans) or ob.Parallelism(0, 0.0)
    return [
        Observation("max_running", "Most tasks running at once", p.max, "",
                    "the most tasks between their start and their finish at one moment"),
        Observation("mean_running", "Tasks running at once, on average", times(p.mean), "",
                    "time-weighted over the time from the first start to the last finish"),
    ]


def task_cpu(spans: Sequence[ob.TaskSpan]) -> Observation:
    """The tasks' CPU time added up: one after another on one core, about this long."""
    cpu = ob.task_cpu_ns(spans)
    if cpu is None:
        raise NotObservable(_NO_CPU)
    return Observation("task_cpu", "CPU time of the tasks, added up", ms(cpu), "ms",
                       f"the {len(ob.ran(spans))} tasks' own CPU time: one after another on "
                       "one core the work would take about this long")


def cores_used(spans: Sequence[ob.TaskSpan]) -> Observation:
    cpu = ob.task_cpu_ns(spans)
    if cpu is None:
        raise NotObservable(_NO_CPU)
    value = ob.cores_used(spans) or 0.0
    return Observation("cores_used", "CPU speedup vs one after another", times(value), "×",
                       f"the tasks' CPU time ({ms(cpu)} ms) / the wall time of the work: one "
                       "after another on one core this would be at most 1×")


def gil_shares(events: Events, spans: Sequence[ob.TaskSpan]) -> dict[int, float] | None:
    """worker -> its share of the GIL over the work's window; None without a GIL lane."""
    window = ob.work_window(spans)
    if not ob.gil_sampled(events) or window is None:
        return None
    return ob.workers_gil_share(events, *window)


def workers_gil(shares: dict[int, float]) -> Observation:
    """The share of the work's wall time some worker held the GIL."""
    return Observation(
        "workers_gil", "GIL held by the workers", round(100 * sum(shares.values())), "%",
        f"of the wall time of the work, added up over the {len(shares)} workers seen holding it")


def startup(events: Events) -> Observation:
    """The mean start-up of the worker processes (spawned to ready); NotObservable without."""
    startup_ns = ob.startup_ns(events)
    if not startup_ns:
        raise NotObservable("no worker process reported that it was ready (worker_ready): "
                            "the run has no start-up to show")
    mean = sum(startup_ns.values()) / len(startup_ns)
    longest = max(startup_ns.values())
    return Observation("startup", "Worker start-up, on average", ms(mean), "ms",
                       f"from starting a worker process to its being ready, over "
                       f"{len(startup_ns)} workers (the longest: {ms(longest)} ms)")


def cores_while_running(spans: Sequence[ob.TaskSpan]) -> Observation:
    """The tasks' CPU time over the time from the first start to the last finish."""
    value = ob.ratio(ob.task_cpu_ns(spans), ob.running_wall_ns(spans)) or 0.0
    return Observation("cores_running", "CPU speedup once the first task started", times(value),
                       "×", "the tasks' CPU time / the time from the first task's start to the "
                       "last one's finish: the parallelism, without the wait for the workers")
