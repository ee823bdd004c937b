"""A comparison: one workload run on each executor (sequential, threads, processes, asyncio), one
run after another, and its summary (wall time, CPU time, speedup) computed from their events.

What each row runs, honestly the same work:
- **sequential** is the tasks one after another on one worker: a thread pool of max_workers=1.
- **threads** and **processes** are the pools of the comparison's max_workers.
- **asyncio** runs the tasks as coroutines on one event loop: `cpu` as `cpu_work` coroutines
  that never yield, `sleep` as coroutines that sleep task_ms in all (the asyncio `sleep`
  workload awaits three sleeps of its task_ms: here of task_ms / 3). `hash` has no coroutine
  counterpart: the comparison leaves asyncio out and says so.
- `cpu` runs as `cpu_work` on every executor: each task computes until it has used task_ms of
  CPU time. The plain `cpu` stops at a wall-clock time, so threads sharing the GIL would end
  when processes do, each having done half the work.

How the summary measures (each number from the run's own events):
- wall time: from the first task submitted to the last task finished (pools: this includes
  starting the worker processes, which a pool does at its first submit); asyncio: from the
  first step of the loop's first task to the end of its last step.
- CPU time: pools, the sum of the tasks' task_finished.cpu_ns (the workers' threads in the
  tasks, not the pool's own overhead); asyncio, the loop thread's aio_loop_cpu.
- speedup: the sequential row's wall time / this row's.

Guarantees:
- `plan()` refuses what cannot be compared with a message naming the allowed values.
- `summarize()` is a pure function of the events; a run without the events a number needs
  raises NotComparable saying which.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from pydantic import ValidationError

from schedviz.lessons import observe as ob
from schedviz.protocol import RunConfig
from schedviz.validation import describe

Event = dict[str, Any]

EXECUTORS = ("sequential", "threads", "processes", "asyncio")
WORKLOADS = ("cpu", "cpu_work", "sleep", "hash")
#: workload of the pools -> the asyncio workload that does the same (absent: none does)
ASYNCIO_COUNTERPART = {"cpu": "cpu_work", "cpu_work": "cpu_work", "sleep": "sleep"}
#: the asyncio sleep workload awaits this many sleeps of its task_ms per task
_AIO_SLEEPS_PER_TASK = 3
N_TASKS = (1, 200)
TASK_MS = (1.0, 5000.0)
MAX_WORKERS = (2, 64)


class ComparisonError(ValueError):
    """These settings cannot make a comparison; the message says what is allowed."""


class NotComparable(ValueError):
    """These events are not a finished comparison run; the message says what is missing."""


@dataclass(frozen=True)
class Plan:
    """The runs of a comparison, in the order they run, and what the reader must know."""

    config: RunConfig  # as asked for (its executor is not used)
    runs: tuple[tuple[str, RunConfig], ...]  # (executor row, the run's config)
    notes: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {"config": self.config.model_dump(), "notes": list(self.notes),
                "runs": [{"executor": name, "config": cfg.model_dump()}
                         for name, cfg in self.runs]}


def _check_range(name: str, value: float, bounds: tuple[float, float]) -> None:
    lo, hi = bounds
    if not lo <= value <= hi:
        raise ComparisonError(f"{name} must be from {lo:g} to {hi:g} for a comparison; "
                              f"got {value:g}")


def config_of(fields: dict[str, Any]) -> RunConfig:
    """The RunConfig of a comparison's settings (RunConfig fields), its ranges checked first."""
    if "workload" in fields and fields["workload"] not in WORKLOADS:
        raise ComparisonError(f"a comparison runs workload {', '.join(WORKLOADS)}; "
                              f"got {fields['workload']!r}")
    for name, bounds in (("n_tasks", N_TASKS), ("task_ms", TASK_MS),
                         ("max_workers", MAX_WORKERS)):
        value = fields.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            _check_range(name, value, bounds)
    try:
        return RunConfig.model_validate(fields)
    except ValidationError as exc:
        raise ComparisonError("; ".join(e["message"] for e in describe(exc))) from None


def plan(config: RunConfig) -> Plan:
    """The four (or three) runs that compare `config`'s workload across the executors."""
    if config.workload not in WORKLOADS:
        raise ComparisonError(f"a comparison runs workload {', '.join(WORKLOADS)}; "
                              f"got {config.workload!r}")
    _check_range("n_tasks", config.n_tasks, N_TASKS)
    _check_range("task_ms", config.task_ms, TASK_MS)
    _check_range("max_workers", config.max_workers, MAX_WORKERS)
    if config.arrival != "batch":
        raise ComparisonError("a comparison submits its tasks at once (arrival 'batch'): at a "
                              "steady rate every executor would take the arrival's time")
    if config.kill_every or config.fail_every:
        raise ComparisonError("a comparison needs every task to finish: set kill_every and "
                              "fail_every to 0")
    notes = []
    pool_workload = "cpu_work" if config.workload == "cpu" else config.workload
    if config.workload == "cpu":
        notes.append("cpu runs as cpu_work: each task computes until it has used task_ms of "
                     "CPU, the same work on every executor")
    base = config.model_copy(update={"workload": pool_workload})
    runs = [
        ("sequential", base.model_copy(update={"executor": "threads", "max_workers": 1})),
        ("threads", base.model_copy(update={"executor": "threads"})),
        ("processes", base.model_copy(update={"executor": "processes"})),
    ]
    counterpart = ASYNCIO_COUNTERPART.get(config.workload)
    if counterpart is None:
        notes.append(f"asyncio left out: {config.workload} has no coroutine counterpart")
    else:
        aio_ms = config.task_ms
        if counterpart == "sleep":
            aio_ms = config.task_ms / _AIO_SLEEPS_PER_TASK
            notes.append(f"asyncio: each coroutine sleeps {config.task_ms:g} ms in "
                         f"{_AIO_SLEEPS_PER_TASK} awaits of {aio_ms:.4g} ms")
        notes.append("asyncio runs every coroutine at once: max_workers is the pools' alone")
        runs.append(("asyncio", base.model_copy(update={
            "executor": "asyncio", "workload": counterpart, "task_ms": aio_ms})))
    # model_copy does not validate: build each through the model so the lab gets valid configs
    checked = tuple((name, RunConfig.model_validate(cfg.model_dump())) for name, cfg in runs)
    return Plan(config, checked, tuple(notes))


def executor_of(config: dict[str, Any]) -> str:
    """The comparison row a run's config is: sequential is a thread pool of one worker."""
    if config.get("executor") == "threads" and config.get("max_workers") == 1:
        return "sequential"
    return str(config.get("executor"))


# -- the summary -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunSummary:
    """One row of the comparison's table."""

    executor: str
    run_id: str
    tasks: int  # tasks finished (asyncio: coroutines of the workload)
    start_t: int  # the run's t where its wall time starts (aligns the timelines)
    end_t: int
    wall_ns: int
    cpu_ns: int
    speedup: float | None  # sequential wall / this wall; None without a sequential row

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def split_runs(events: Iterable[Event]) -> list[list[Event]]:
    """Runs' events concatenated in order, cut at each run_started."""
    runs: list[list[Event]] = []
    for e in events:
        if e["kind"] == "run_started":
            runs.append([])
        if not runs:
            raise NotComparable("the events must start with a run_started")
        runs[-1].append(e)
    return runs


def _started(events: Sequence[Event]) -> Event:
    first = events[0] if events else None
    if first is None or first["kind"] != "run_started":
        raise NotComparable("a run's events must start with its run_started")
    return first


def _pool_span(events: Sequence[Event]) -> tuple[int, int, int, int]:
    """(start, end, tasks, cpu ns) of a pool run's tasks."""
    tasks = ob.ran(ob.task_spans(events))
    window = ob.work_window(tasks)
    if window is None:
        raise NotComparable("a pool run with no task submitted and finished")
    if any(t.cpu_ns is None for t in tasks):
        raise NotComparable("a task_finished without cpu_ns (recorded before schema v6)")
    return (*window, len(tasks), sum(t.cpu_ns or 0 for t in tasks))


def _loop_span(events: Sequence[Event]) -> tuple[int, int, int, int]:
    """(start, end, coroutines, loop CPU ns) of an asyncio run."""
    steps = ob.of_kind(events, "aio_step")
    cpu = ob.loop_cpu_ns(events)
    if not steps:
        raise NotComparable("an asyncio run with no task step")
    if cpu is None:
        raise NotComparable("an asyncio run without aio_loop_cpu (recorded before schema v6)")
    main = {e["task"] for e in events if e["kind"] == "aio_task" and e["parent"] is None}
    workers = {e["task"] for e in events if e["kind"] == "aio_task"} - main
    return (min(e["t"] for e in steps), max(e["t"] + e["dur_ns"] for e in steps),
            len(workers), cpu)


def summarize(runs: Sequence[Sequence[Event]]) -> list[RunSummary]:
    """The table of a comparison from its runs' events (each run's own list, in order)."""
    rows = []
    for events in runs:
        started = _started(events)
        executor = executor_of(started["config"])
        if not any(e["kind"] == "run_ended" and e["reason"] == "completed" for e in events):
            raise NotComparable(f"the {executor} run did not complete")
        span = _loop_span(events) if executor == "asyncio" else _pool_span(events)
        start, end, tasks, cpu = span
        rows.append(RunSummary(executor, str(started["run_id"]), tasks, start, end, end - start,
                               cpu, None))
    base = next((r.wall_ns for r in rows if r.executor == "sequential"), None)
    return [RunSummary(**{**asdict(r), "speedup": base / r.wall_ns if base and r.wall_ns
                          else None}) for r in rows]


def table(rows: Sequence[RunSummary]) -> str:
    """The summary as a text table: executor, wall, CPU, speedup."""
    lines = [f"{'executor':<12}{'wall':>12}{'CPU':>12}{'speedup':>10}"]
    for r in rows:
        speedup = f"{r.speedup:.2f}×" if r.speedup is not None else "–"
        lines.append(f"{r.executor:<12}{r.wall_ns / 1e6:>9.0f} ms{r.cpu_ns / 1e6:>9.0f} ms"
                     f"{speedup:>10}")
    return "\n".join(lines)
