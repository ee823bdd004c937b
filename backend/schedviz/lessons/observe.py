"""What a run's events say, as numbers a lesson shows: spans, wall time, speedup, parallelism, the
GIL, pickling, start-up, memory, chunks, order, threads and the asyncio loop.

Every function here reads the wire events of one run (dicts with `seq`, `t`, `kind` and the
kind's fields, in any order: a worker's events can come after the lab's later ones) and
computes one thing from them; the lessons combine them into their observed summaries.

Guarantees:
- Nothing is assumed that the events do not say: a number that needs events the run does not
  have is None (or empty), and the lesson decides whether that makes it NotObservable.
- Times are ns since the run started, as the events' `t`; ratios are plain floats.
- Pure functions of their arguments: no I/O, no state, safe from any thread.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

Event = dict[str, Any]
Events = Sequence[Event]


def of_kind(events: Iterable[Event], *kinds: str) -> list[Event]:
    """The events of these kinds, in time order (ties: in seq order)."""
    chosen = [e for e in events if e["kind"] in kinds]
    chosen.sort(key=lambda e: (e["t"], e["seq"]))
    return chosen


def run_config(events: Events) -> dict[str, Any] | None:
    """The RunConfig (as a dict) of the run's run_started, or None when there is none."""
    for e in events:
        if e["kind"] == "run_started":
            config: dict[str, Any] = e["config"]
            return config
    return None


def run_end_t(events: Events) -> int:
    """When the run ended (its run_ended), else its latest event."""
    ended = of_kind(events, "run_ended")
    if ended:
        return int(ended[-1]["t"])
    return max((int(e["t"]) for e in events), default=0)


# -- tasks of the pools -----------------------------------------------------------------------


@dataclass(frozen=True)
class TaskSpan:
    """One pool task (or map() chunk): when it was submitted, started and finished, and where."""

    task: int
    pool: int | None
    submitted: int | None
    started: int | None
    finished: int | None
    worker: int | None
    ok: bool | None
    cpu_ns: int | None  # the worker thread's CPU time in it (task_finished.cpu_ns)
    map_id: int | None
    first_item: int | None
    items: int | None  # items of a map() chunk; None for submit()

    @property
    def run_ns(self) -> int | None:
        """How long it ran (start to finish), if it did both."""
        if self.started is None or self.finished is None:
            return None
        return self.finished - self.started


def task_spans(events: Events) -> list[TaskSpan]:
    """Every task the events name, by task id, with what they say of it."""
    sub: dict[int, Event] = {}
    start: dict[int, Event] = {}
    fin: dict[int, Event] = {}
    for e in events:
        kind = e["kind"]
        if kind == "task_submitted":
            sub[e["task"]] = e
        elif kind == "task_started":
            start.setdefault(e["task"], e)
        elif kind == "task_finished":
            fin[e["task"]] = e
    spans = []
    for task in sorted({*sub, *start, *fin}):
        s, b, f = sub.get(task), start.get(task), fin.get(task)
        spans.append(TaskSpan(
            task=task,
            pool=s["pool"] if s else None,
            submitted=s["t"] if s else None,
            started=b["t"] if b else None,
            finished=f["t"] if f else None,
            worker=f["worker"] if f else b["worker"] if b else None,
            ok=f["ok"] if f else None,
            cpu_ns=f.get("cpu_ns") if f else None,
            map_id=s.get("map_id") if s else None,
            first_item=s.get("first_item") if s else None,
            items=s.get("items") if s else None,
        ))
    return spans


def ran(spans: Iterable[TaskSpan]) -> list[TaskSpan]:
    """The spans that started and finished (the ones with a run time)."""
    return [s for s in spans if s.run_ns is not None]


def work_window(spans: Iterable[TaskSpan]) -> tuple[int, int] | None:
    """When the work went on: from the first submit (else first start) to the last finish."""
    firsts: list[int] = []
    lasts: list[int] = []
    for s in spans:
        if s.started is None or s.finished is None:
            continue
        firsts.append(s.submitted if s.submitted is not None else s.started)
        lasts.append(s.finished)
    if not firsts:
        return None
    return min(firsts), max(lasts)


def work_wall_ns(spans: Iterable[TaskSpan]) -> int | None:
    """Wall time of the work: from the first submit (else first start) to the last finish."""
    window = work_window(spans)
    return window[1] - window[0] if window else None


def task_time_ns(spans: Iterable[TaskSpan]) -> int:
    """The sum of the tasks' run times: how long they would take one after another."""
    return sum(s.finished - s.started for s in spans
               if s.started is not None and s.finished is not None)


def task_cpu_ns(spans: Iterable[TaskSpan]) -> int | None:
    """The sum of the tasks' CPU times; None when no finished task reports one."""
    times = [s.cpu_ns for s in ran(spans) if s.cpu_ns is not None]
    return sum(times) if times else None


def ratio(part: float | None, whole: float | None) -> float | None:
    """part / whole, or None when either is missing or whole is 0."""
    if part is None or not whole:
        return None
    return part / whole


def speedup(spans: Sequence[TaskSpan]) -> float | None:
    """Speedup vs one after another: the sum of the task run times / the wall time of the work.

    One after another the tasks would take their sum; 3.0 means the run took a third of that.
    """
    return ratio(task_time_ns(spans), work_wall_ns(spans))


def cores_used(spans: Sequence[TaskSpan]) -> float | None:
    """The tasks' CPU time / the wall time of the work: how many cores their work kept busy."""
    return ratio(task_cpu_ns(spans), work_wall_ns(spans))


def running_wall_ns(spans: Iterable[TaskSpan]) -> int | None:
    """From the first task's start to the last one's finish (the work without the wait for
    the first worker)."""
    done = ran(spans)
    if not done:
        return None
    return max(s.finished or 0 for s in done) - min(s.started or 0 for s in done)


@dataclass(frozen=True)
class Parallelism:
    """How many tasks ran at once: the most at any moment, and the time-weighted mean."""

    max: int
    mean: float  # over the time from the first start to the last finish


def parallelism(spans: Iterable[TaskSpan]) -> Parallelism | None:
    """Tasks running at once, from their start and finish times; None when none ran."""
    edges: list[tuple[int, int]] = []
    for s in spans:
        if s.started is not None and s.finished is not None:
            edges += [(s.started, 1), (s.finished, -1)]
    if not edges:
        return None
    edges.sort()  # at the same t a finish (-1) comes before a start
    running = most = 0
    area = 0
    previous = edges[0][0]
    for t, step in edges:
        area += running * (t - previous)
        previous = t
        running += step
        most = max(most, running)
    span = edges[-1][0] - edges[0][0]
    return Parallelism(most, area / span if span else float(most))


def completion_order(spans: Iterable[TaskSpan]) -> list[int]:
    """Task ids in the order they finished (ties: by id)."""
    done = [s for s in spans if s.finished is not None]
    return [s.task for s in sorted(done, key=lambda s: (s.finished or 0, s.task))]


def overtaken(order: Sequence[int]) -> int:
    """How many tasks finished before a task submitted earlier (lower id) had finished."""
    count = 0
    lowest_later = None
    for task in reversed(order):
        if lowest_later is not None and lowest_later < task:
            count += 1
        lowest_later = task if lowest_later is None else min(lowest_later, task)
    return count


# -- map() chunks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chunks:
    """What the map() calls of a run sent: calls, chunks (one round trip each) and items."""

    map_calls: int
    chunks: int
    items: int

    @property
    def items_per_chunk(self) -> float:
        return self.items / self.chunks if self.chunks else 0.0


def chunks(spans: Iterable[TaskSpan]) -> Chunks | None:
    """The map() chunks among the tasks; None when the run called no map()."""
    chunked = [s for s in spans if s.map_id is not None]
    if not chunked:
        return None
    return Chunks(len({s.map_id for s in chunked}), len(chunked),
                  sum(s.items or 0 for s in chunked))


# -- workers -----------------------------------------------------------------------------------


def threads_created(events: Events) -> int:
    """Worker threads or processes the pools started (worker_spawned of a pool)."""
    return sum(1 for e in events if e["kind"] == "worker_spawned" and e["pool"] is not None)


def startup_ns(events: Events) -> dict[int, int]:
    """worker -> its start-up: from its spawn to its worker_ready (processes only)."""
    spawned = {e["worker"]: e["t"] for e in events if e["kind"] == "worker_spawned"}
    return {e["worker"]: e["t"] - spawned[e["worker"]] for e in events
            if e["kind"] == "worker_ready" and e["worker"] in spawned}


def first_start_after_pool_ns(events: Events) -> dict[int, int]:
    """worker -> from its pool's pool_created to the worker's first task_started."""
    created = {e["pool"]: e["t"] for e in events if e["kind"] == "pool_created"}
    pool_of = {e["worker"]: e["pool"] for e in events if e["kind"] == "worker_spawned"}
    out: dict[int, int] = {}
    for e in of_kind(events, "task_started"):
        pool = pool_of.get(e["worker"])
        if pool in created and e["worker"] not in out:
            out[e["worker"]] = e["t"] - created[pool]
    return out


@dataclass(frozen=True)
class MemoryUse:
    """The largest memory sample of one process: resident (RSS) and private (USS) bytes."""

    pid: int
    worker: int | None  # None: the lab itself
    rss: int
    uss: int | None


def memory_peaks(events: Events) -> list[MemoryUse]:
    """Each sampled process's largest RSS (and USS where readable), the lab first."""
    rss: dict[int, int] = {}
    uss: dict[int, int] = {}
    worker: dict[int, int | None] = {}
    for e in events:
        if e["kind"] != "memory":
            continue
        pid = e["pid"]
        worker[pid] = e["worker"] if e["worker"] is not None else worker.get(pid)
        rss[pid] = max(rss.get(pid, 0), e["rss"])
        if e["uss"] is not None:
            uss[pid] = max(uss.get(pid, 0), e["uss"])
    out = [MemoryUse(pid, worker[pid], rss[pid], uss.get(pid)) for pid in rss]
    out.sort(key=lambda m: (m.worker is not None, m.worker or 0))
    return out


# -- pickling ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Serialization:
    """Time and bytes spent pickling and unpickling calls and results, both sides together."""

    ns: int
    nbytes: int  # bytes pickled (dumps), calls and results
    steps: int  # serialized events


def serialization(events: Events) -> Serialization | None:
    """The run's pickling and unpickling; None when nothing was serialized (no processes)."""
    steps = [e for e in events if e["kind"] == "serialized"]
    if not steps:
        return None
    return Serialization(sum(e["duration_ns"] for e in steps),
                         sum(e["nbytes"] for e in steps if e["op"] == "dumps"), len(steps))


# -- the GIL -----------------------------------------------------------------------------------


def gil_held_ns(events: Events, start: int | None = None, end: int | None = None
                ) -> dict[int, dict[int | str, int]]:
    """pid -> GIL holder -> ns held between `start` and `end` (default: the whole run).

    A holder is a pool worker's id, else the holding thread's name. Each `gil` event says who
    holds the GIL from its t until the next one of that process; the last one holds until
    the run's end.
    """
    lo = 0 if start is None else start
    hi = run_end_t(events) if end is None else end
    by_pid: dict[int, list[Event]] = defaultdict(list)
    for e in of_kind(events, "gil"):
        by_pid[e["pid"]].append(e)
    out: dict[int, dict[int | str, int]] = {}
    for pid, changes in by_pid.items():
        held: dict[int | str, int] = defaultdict(int)
        for e, after in zip(changes, [*changes[1:], None], strict=True):
            if not e["held"]:
                continue
            a = max(lo, e["t"])
            b = min(hi, after["t"] if after is not None else hi)
            if b > a:
                holder = e["worker"] if e["worker"] is not None else e["thread"] or "unknown"
                held[holder] += b - a
        out[pid] = dict(held)
    return out


def workers_gil_share(events: Events, start: int, end: int) -> dict[int, float]:
    """worker -> the share of [start, end) it held its process's GIL (0–1)."""
    if end <= start:
        return {}
    shares: dict[int, float] = {}
    for held in gil_held_ns(events, start, end).values():
        for holder, ns in held.items():
            if isinstance(holder, int):
                shares[holder] = shares.get(holder, 0.0) + ns / (end - start)
    return shares


def gil_sampled(events: Events) -> bool:
    """Whether some process of the run had a GIL lane (a gil_sampler that was available)."""
    return any(e["kind"] == "gil_sampler" and e["available"] for e in events)


# -- asyncio -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoopSteps:
    """What the event loop ran: tasks, their steps, the steps that yielded, the longest step."""

    tasks: int
    steps: int
    yields: int
    longest_step_ns: int
    busy_ns: int  # the sum of the steps: the loop ran a task this long


def loop_steps(events: Events) -> LoopSteps | None:
    """The asyncio tasks and steps of the run; None when it ran no event loop."""
    steps = [e for e in events if e["kind"] == "aio_step"]
    tasks = {e["task"] for e in events if e["kind"] == "aio_task"}
    if not steps and not tasks:
        return None
    return LoopSteps(len(tasks), len(steps), sum(1 for e in steps if e["outcome"] == "yield"),
                     max((e["dur_ns"] for e in steps), default=0),
                     sum(e["dur_ns"] for e in steps))


def loop_idle_ns(events: Events) -> int:
    """How long the loop sat in select with nothing ready (aio_idle)."""
    return sum(e["dur_ns"] for e in events if e["kind"] == "aio_idle")


def loop_cpu_ns(events: Events) -> int | None:
    """CPU time of the event loop's thread (aio_loop_cpu), if the run reported it."""
    found = [e["cpu_ns"] for e in events if e["kind"] == "aio_loop_cpu"]
    return found[-1] if found else None


def longest_block(events: Events) -> Event | None:
    """The aio_blocked (ended, not ongoing) of the step that blocked the loop longest."""
    ended = [e for e in events if e["kind"] == "aio_blocked" and not e["ongoing"]]
    return max(ended, key=lambda e: e["dur_ns"]) if ended else None


def task_names(events: Events) -> dict[int, str]:
    """asyncio task id -> its name."""
    return {e["task"]: e["name"] for e in events if e["kind"] == "aio_task"}


def longest_wait_between_steps(events: Events, prefix: str) -> int | None:
    """The longest time, for the tasks named prefix…, from a step's end to its next step."""
    names = task_names(events)
    last_end: dict[int, int] = {}
    longest: int | None = None
    for e in of_kind(events, "aio_step"):
        if not names.get(e["task"], "").startswith(prefix):
            continue
        if e["task"] in last_end:
            gap = e["t"] - last_end[e["task"]]
            longest = gap if longest is None else max(longest, gap)
        last_end[e["task"]] = e["t"] + e["dur_ns"]
    return longest


def gil_holder_threads(events: Events) -> set[str]:
    """The names of the threads seen holding a GIL, over the whole run."""
    return {e["thread"] for e in events if e["kind"] == "gil" and e["held"] and e["thread"]}


def aio_lifetime(events: Events) -> int | None:
    """From the first asyncio task created to the last one done; None without tasks."""
    created = [e["t"] for e in events if e["kind"] == "aio_task"]
    done = [e["t"] for e in events if e["kind"] == "aio_task_done"]
    if not created or not done:
        return None
    return int(max(done) - min(created))
