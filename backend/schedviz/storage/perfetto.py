"""A run's events as a Chrome Trace Event (Perfetto JSON) trace that Perfetto imports whole.

Rules this module keeps:
- Perfetto drops nothing: on one thread track complete (`X`) slices nest or follow each other,
  never partly overlap (it would drop one: `slice_drop_overlapping_complete_event`); a slice
  that would is moved to an async slice of its own (`b`/`e` with `id2`), flagged `overlapped`.
- Every pid and tid is named (`process_name`/`thread_name`, ordered by `*_sort_index`). Tids
  made up here start at 2^22, above any Linux pid_max, so they never meet a real one, and no
  tid is used in two processes (Perfetto keys threads by tid).
- Times are µs floats from the events' t (ns since the run started) that Perfetto reads back
  as the same integer ns (it truncates `dur * 1000`): touching slices stay touching.
- A v2 flow (`bind_id`) goes from a task's submit slice (`flow_out`) to its slice on the worker
  (`flow_in`), which starts strictly later; a task that never started has no flow.
- A run that ends with work open, or a stream cut short (the lab died), closes every open slice
  at the run's last moment, flagged `open_at_end` in its args.
- Pure: it reads the wire events of protocol.py and imports nothing of the lab or the web.

Tracks (threads, in Perfetto's words): in the lab process, "GIL" (slices named by the holder,
each change's uncertainty a "hand-off window" slice), "submits" (a zero-length slice per submit,
the lab's pickling of arguments, pool and cancel marks), "results" (the lab's unpickling of
results), "event loop" (asyncio steps named by task, idle time in select, blocked-loop marks),
each worker thread under its OS tid with its tasks (a map() chunk holds its items), and "worker
N state" (what /proc says it was doing). A worker process is a process of its own: its main
thread holds its start-up, unpickling, tasks and pickling; its own GIL and state tracks. Async
tracks: one per asyncio task with its waits between steps. Counters: tasks waiting, memory rss
and uss per process, asyncio ready tasks, each asyncio.Queue's size. Global instants: the run's
start and end, config changes, broken pools, errors, bookmarks with their notes.
"""

from __future__ import annotations

import gzip as gzip_module
import json
import math
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

#: Made-up pids and tids start here: Linux's pid_max is at most 2^22, so no real id is as big.
SYNTHETIC_BASE = 1 << 22

Event = Mapping[str, Any]
TraceEvent = dict[str, Any]

_PICKLING = {("args", "dumps"): "pickle args", ("args", "loads"): "unpickle args",
             ("result", "dumps"): "pickle result", ("result", "loads"): "unpickle result"}
_STATES = {"running": "on CPU", "gil_wait": "waiting for the GIL", "lock_wait": "waiting on a lock",
           "sleeping": "sleeping", "io": "in I/O", "disk": "waiting for the disk",
           "other": "other"}
_OPEN = {"open_at_end": True}


def us(ns: int) -> float:
    """ns as µs that Perfetto reads back as exactly ns, as text (ts) or as `int(x * 1000.0)`."""
    value = ns / 1000
    while int(value * 1000.0) < ns:  # ~0.6 % of values: 0.001 * 1000.0 is 0.9999…
        value = math.nextafter(value, math.inf)
    return value


@dataclass
class _Slice:
    start: int
    end: int
    name: str
    cat: str
    args: dict[str, Any]
    flow: tuple[str, int] | None = None  # ("flow_out" | "flow_in", bind_id)


@dataclass
class _Track:
    pid: int
    tid: int
    name: str
    sort: int
    slices: list[_Slice] = field(default_factory=list)


def _clean(args: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in args.items() if v is not None}


def _order(e: Event) -> tuple[int, int]:
    return e["t"], e.get("seq", 0)


class _Builder:
    """One pass over a run's events, then one trace: tracks, slices, counters and marks."""

    def __init__(self, events: Iterable[Event], bookmarks: Sequence[Mapping[str, Any]]) -> None:
        self.by_kind: dict[str, list[Event]] = defaultdict(list)
        last = 0
        for e in events:
            self.by_kind[e["kind"]].append(e)
            span = e.get("dur_ns", e.get("duration_ns", 0))
            last = max(last, e["t"] + (span if isinstance(span, int) else 0))
        ended = self.by_kind.get("run_ended")
        self.end = ended[-1]["t"] if ended else last
        self.bookmarks = bookmarks
        self.processes: dict[int, tuple[str, int]] = {}
        self.tracks: dict[object, _Track] = {}
        self.out: list[TraceEvent] = []
        self.overlapped = 0
        self._next_id = SYNTHETIC_BASE
        self._used_tids: set[int] = set()
        self._first_tid: dict[int, int] = {}  # pid -> its first named thread
        self.pools = {e["pool"]: e["executor"] for e in self.by_kind["pool_created"]}
        self.workers = {e["worker"]: e for e in self.by_kind["worker_spawned"]}
        self.ready = {e["worker"]: e for e in self.by_kind["worker_ready"]}
        self.exited = {e["worker"]: e for e in self.by_kind["worker_exited"]}
        self.lab_pid = self._find_lab_pid()
        self.processes[self.lab_pid] = (
            "lab" if self.lab_pid >= SYNTHETIC_BASE else f"lab (pid {self.lab_pid})", 0)
        self.submits = self._track("submits", self.lab_pid, "submits (lab)", 1)

    # -- ids and tracks ----------------------------------------------------------------------

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id - 1

    def _is_process(self, worker: int) -> bool:
        spawned = self.workers.get(worker)
        return spawned is not None and self.pools.get(spawned["pool"]) == "processes"

    def _find_lab_pid(self) -> int:
        worker_pids = {e["pid"] for e in self.ready.values()}
        worker_pids |= {e["native_id"] for w, e in self.workers.items() if self._is_process(w)}
        for e in self.by_kind["memory"]:
            if e["worker"] is None:
                return int(e["pid"])
        for kind in ("gil_sampler", "gil", "thread_state"):
            for e in self.by_kind[kind]:
                if e["pid"] not in worker_pids:
                    return int(e["pid"])
        return self._new_id()

    def _track(self, key: object, pid: int, name: str, sort: int, tid: int | None = None) -> _Track:
        track = self.tracks.get(key)
        if track is None:
            if tid is None or tid in self._used_tids:
                tid = self._new_id()
            self._used_tids.add(tid)
            if pid not in self.processes:
                self.processes[pid] = (f"process {pid}", 1000 + len(self.processes))
            self._first_tid.setdefault(pid, tid)
            track = self.tracks[key] = _Track(pid, tid, name, sort)
        return track

    def _worker(self, worker: int) -> _Track:
        """A worker's lane: its OS thread in the lab, or the main thread of its own process."""
        key = ("worker", worker)
        spawned = self.workers.get(worker)
        if key in self.tracks or spawned is None:
            return self._track(key, self.lab_pid, f"worker {worker}", 10 + 2 * worker)
        pool = spawned["pool"]
        if not self._is_process(worker):
            return self._track(key, self.lab_pid,
                               f"{spawned['name']} (worker {worker}, pool {pool})",
                               10 + 2 * worker, tid=spawned["native_id"])
        pid = self._worker_pid(worker)
        label = f"worker {worker} (pool {pool}, pid {pid})"
        if pid in self.processes:  # a pid the system gave again to a later worker
            label = f"{self.processes[pid][0]}; {label}"
        self.processes[pid] = (label, 1 + worker)
        return self._track(key, pid, f"worker {worker}", 1, tid=pid)

    def _worker_pid(self, worker: int) -> int:
        ready = self.ready.get(worker)
        return int(ready["pid"] if ready else self.workers[worker]["native_id"])

    def _named_tid(self, pid: int) -> int:
        """A named thread of `pid` that counters and process marks can be filed under."""
        if pid not in self._first_tid:
            self._track(("marks", pid), pid, "counters and marks", 9999)
        return self._first_tid[pid]

    # -- emitting ----------------------------------------------------------------------------

    def _instant(self, t: int, name: str, cat: str, args: Mapping[str, Any],
                 scope: str = "g", track: _Track | None = None, pid: int | None = None) -> None:
        if track is None and pid is None:
            track = self.submits
        if track is not None:
            pid, tid = track.pid, track.tid
        else:
            assert pid is not None
            tid = self._named_tid(pid)
        self.out.append({"ph": "i", "ts": us(max(0, t)), "pid": pid, "tid": tid, "name": name,
                         "cat": cat, "s": scope, "args": _clean(args)})

    def _counter(self, t: int, pid: int, name: str, values: Mapping[str, float]) -> None:
        self.out.append({"ph": "C", "ts": us(max(0, t)), "pid": pid, "tid": self._named_tid(pid),
                         "name": name, "args": dict(values)})

    def _async(self, pid: int, tid: int, s: _Slice, scope_id: str) -> None:
        """An async slice (`b`/`e`, process-scoped `id2`) for what may overlap its neighbours."""
        begin: TraceEvent = {"ph": "b", "ts": us(s.start), "pid": pid, "tid": tid,
                             "name": s.name, "cat": s.cat, "id2": {"local": scope_id},
                             "args": _clean(s.args)}
        if s.flow:
            begin["bind_id"], begin[s.flow[0]] = s.flow[1], True
        self.out.append(begin)
        self.out.append({"ph": "e", "ts": us(s.end), "pid": pid, "tid": tid, "name": s.name,
                         "cat": s.cat, "id2": {"local": scope_id}})

    def _slice(self, track: _Track, start: int, end: int | None, name: str, cat: str,
               args: Mapping[str, Any], flow: tuple[str, int] | None = None) -> _Slice:
        start = max(0, start)
        if end is None:
            end, args = self.end, {**args, **_OPEN}
        s = _Slice(start, max(start, end), name, cat, dict(args), flow)
        track.slices.append(s)
        return s

    def _layout(self, track: _Track) -> None:
        """X slices that nest (as Perfetto stacks them); one that would cross goes async."""
        stack: list[int] = []  # ends of the open slices, innermost last
        for s in sorted(track.slices, key=lambda s: (s.start, s.start - s.end)):
            while stack and stack[-1] <= s.start:
                stack.pop()
            if stack and s.end > stack[-1]:
                self.overlapped += 1
                s.args["overlapped"] = f"partly overlaps another slice on {track.name}"
                self._async(track.pid, track.tid, s, f"overlap-{self.overlapped}")
                continue
            stack.append(s.end)
            x: TraceEvent = {"ph": "X", "ts": us(s.start), "dur": us(s.end - s.start),
                             "pid": track.pid, "tid": track.tid, "name": s.name, "cat": s.cat,
                             "args": _clean(s.args)}
            if s.flow:
                x["bind_id"], x[s.flow[0]] = s.flow[1], True
            self.out.append(x)

    # -- what each kind of event becomes -----------------------------------------------------

    def build(self) -> list[TraceEvent]:
        self._workers()
        self._tasks()
        self._pickling()
        self._gil()
        self._states()
        self._asyncio()
        self._counters()
        self._marks()
        for track in list(self.tracks.values()):
            self._layout(track)
        return self._metadata() + sorted(self.out, key=_sort_key)

    def _workers(self) -> None:
        for worker, spawned in sorted(self.workers.items()):
            track = self._worker(worker)
            if self._is_process(worker):
                ready = self.ready.get(worker)
                self._slice(track, spawned["t"], ready["t"] if ready else None, "starting",
                            "worker", {"worker": worker, "pid": track.pid})
            exited = self.exited.get(worker)
            if exited is not None:
                code = exited["exitcode"]
                name = "exited" if code is None else f"exited (code {code})"
                self._instant(exited["t"], name, "worker", {"exitcode": code}, "t", track)

    def _tasks(self) -> None:
        submitted = {e["task"]: e for e in self.by_kind["task_submitted"]}
        started = {e["task"]: e for e in self.by_kind["task_started"]}
        finished = {e["task"]: e for e in self.by_kind["task_finished"]}
        offloaded = {e["pool_task"] for e in self.by_kind["aio_offload"]}
        for task, sub in submitted.items():
            start = started.get(task)
            flow = ("flow_out", task + 1) if start and sub["t"] < start["t"] else None
            where = self._loop() if task in offloaded else self.submits
            self._slice(where, sub["t"], sub["t"], f"submit {_task_name(task, sub)}", "submit",
                        {"task": task, "pool": sub["pool"], "args": sub["args"]}, flow)
        for task, start in started.items():
            queued, fin = submitted.get(task), finished.get(task)
            track = self._worker(start["worker"])
            args = {"task": task, "worker": start["worker"], **_task_args(queued, fin)}
            if queued is not None:
                args["queue_wait_us"] = us(max(0, start["t"] - queued["t"]))
            flow = ("flow_in", task + 1) if queued and queued["t"] < start["t"] else None
            chunk = self._slice(track, start["t"], fin["t"] if fin else None,
                                _task_name(task, queued), "task", args, flow)
            if fin is not None and fin["item_ends"]:
                self._items(track, chunk, queued, fin["item_ends"])
        for task, fin in finished.items():
            if task not in started:
                self._instant(fin["t"], f"{_task_name(task, submitted.get(task))} ended unstarted",
                              "task", _task_args(submitted.get(task), fin), "t", self.submits)

    def _items(self, track: _Track, chunk: _Slice, sub: Event | None, ends: list[int]) -> None:
        """A map() chunk's items, nested in it; an item that ends outside it is a mark."""
        first = (sub or {}).get("first_item") or 0
        previous = 0
        for k, end in enumerate(ends):
            name, args = f"item {first + k}", {"item": first + k, "chunk_task": chunk.args["task"]}
            if previous <= end and chunk.start + end <= chunk.end:
                self._slice(track, chunk.start + previous, chunk.start + end, name, "item", args)
            else:
                self._instant(chunk.start + end, f"{name} ended", "item", args, "t", track)
            previous = end

    def _pickling(self) -> None:
        started = {e["task"]: e["worker"] for e in self.by_kind["task_started"]}
        for e in self.by_kind["serialized"]:
            name = _PICKLING[(e["what"], e["op"])]
            args = {"task": e["task"], "side": e["side"], "bytes": e["nbytes"],
                    "duration_us": us(e["duration_ns"])}
            end = e["t"] + e["duration_ns"]
            if e["side"] == "parent":
                track = self.submits if e["what"] == "args" else self._track(
                    "results", self.lab_pid, "results (lab)", 3)
                self._slice(track, e["t"], end, name, "pickling", args)
            elif e["task"] in started:
                self._slice(self._worker(started[e["task"]]), e["t"], end, name, "pickling", args)
            else:  # its worker never reported the start: no lane to put it on
                s = _Slice(max(0, e["t"]), max(0, end), name, "pickling",
                           {**args, "worker": "unknown: the task never started"})
                self._async(self.lab_pid, self.submits.tid, s, f"pickling-{e['task']}")

    def _gil(self) -> None:
        by_pid: dict[int, list[Event]] = defaultdict(list)
        for e in self.by_kind["gil"]:
            by_pid[e["pid"]].append(e)
        for e in self.by_kind["gil_sampler"]:
            name = "GIL sampler started" if e["available"] else "no GIL lane"
            self._instant(e["t"], name, "gil", {"reason": e["reason"], "realtime": e["realtime"],
                          "period_us": us(e["period_ns"])}, "p", pid=e["pid"])
        for pid, changes in by_pid.items():
            track = self._track(("gil", pid), pid, "GIL", 0)
            previous: Event | None = None
            for e in sorted(changes, key=_order):
                low = previous["t"] if previous else 0
                window = max(low, e["t"] - e["window_ns"])
                if previous is not None and previous["held"]:
                    self._slice(track, previous["t"], window, _holder(previous), "gil",
                                _gil_args(previous))
                self._slice(track, window, e["t"],
                            "hand-off window (sampler late)" if e["gap"] else "hand-off window",
                            "gil_window", {"to": _holder(e) if e["held"] else "nobody",
                                           "switches": e["switches"], "gap": e["gap"]})
                previous = e
            if previous is not None and previous["held"]:
                self._slice(track, previous["t"], None, _holder(previous), "gil",
                            _gil_args(previous))

    def _states(self) -> None:
        lanes: dict[int | tuple[int, str | None], list[Event]] = defaultdict(list)
        for e in self.by_kind["thread_state"]:
            lanes[e["worker"] if e["worker"] is not None else (e["pid"], e["thread"])].append(e)
        for key, states in lanes.items():
            if isinstance(key, int):
                lane = self._worker(key)
                track = self._track(("state", key), lane.pid, f"worker {key} state",
                                    lane.sort + 1)
                exited = self.exited.get(key)
                last = exited["t"] if exited else None
            else:
                track = self._track(("state", key), states[0]["pid"], f"{key[1]} state", 9000)
                last = None
            ordered = sorted(states, key=_order)
            for e, nxt in zip(ordered, [*ordered[1:], None], strict=True):
                end = nxt["t"] if nxt else None if last is None else max(last, e["t"])
                self._slice(track, e["t"], end, _STATES[e["state"]], "thread_state",
                            {"state": e["state"], "syscall": e["syscall"], "thread": e["thread"]})

    def _loop(self) -> _Track:
        return self._track("loop", self.lab_pid, "event loop", 2)

    def _asyncio(self) -> None:
        tasks = {e["task"]: e for e in self.by_kind["aio_task"]}
        done = {e["task"]: e for e in self.by_kind["aio_task_done"]}
        steps: dict[int, list[Event]] = defaultdict(list)
        for e in self.by_kind["aio_step"]:
            steps[e["task"]].append(e)
        for e in self.by_kind["aio_idle"]:
            self._slice(self._loop(), e["t"], e["t"] + e["dur_ns"], "idle (select)", "aio_idle",
                        {"io_events": e["io_events"]})
        for e in self.by_kind["aio_blocked"]:
            site = f"{e['file']}:{e['line']}" if e["file"] else None
            self._instant(e["t"] + e["dur_ns"], f"blocked the loop {e['dur_ns'] / 1e6:.0f} ms",
                          "aio_blocked", {"task": e["task"], "since_us": us(e["t"]),
                                          "at": site, "source": e["source"],
                                          "ongoing": e["ongoing"]}, "t", self._loop())
        for task in sorted(set(tasks) | set(steps)):
            info = tasks.get(task)
            label = info["name"] if info else f"asyncio task {task}"
            waiting_since = info["t"] if info else None
            awaiting: dict[str, Any] = {"awaiting": "its first step"}
            for k, e in enumerate(sorted(steps[task], key=_order)):
                if waiting_since is not None:
                    self._wait(task, label, waiting_since, e["t"], awaiting)
                site = f"{e['file']}:{e['line']}" if e["file"] else None
                args = {"task": task, "step": k, "coro": info["coro"] if info else None,
                        "outcome": e["outcome"], "yield_site": site, "awaiting": e["awaiting"],
                        "waits_on": e["waits_on"]}
                self._slice(self._loop(), e["t"], e["t"] + e["dur_ns"], label, "aio_step", args)
                waiting_since = e["t"] + e["dur_ns"] if e["outcome"] == "yield" else None
                awaiting = {"awaiting": e["awaiting"], "waits_on": e["waits_on"],
                            "yield_site": site}
            if waiting_since is not None:  # still waiting when the run (or the task) ended
                self._wait(task, label, waiting_since,
                           done[task]["t"] if task in done else None, awaiting)

    def _wait(self, task: int, label: str, start: int, end: int | None,
              args: Mapping[str, Any]) -> None:
        s = _Slice(max(0, start), 0, label, "aio_wait", {"task": task, **args})
        s.end = max(s.start, end if end is not None else self.end)
        if end is None:
            s.args.update(_OPEN)
        self._async(self.lab_pid, self._loop().tid, s, f"aio-task-{task}")

    def _counters(self) -> None:
        for e in self.by_kind["queue_depth"]:
            self._counter(e["t"], self.lab_pid, "tasks", {"waiting": e["depth"]})
        for e in self.by_kind["memory"]:
            values = {"rss": e["rss"]} if e["uss"] is None else {"rss": e["rss"], "uss": e["uss"]}
            self._counter(e["t"], e["pid"], "memory", values)
        for e in self.by_kind["aio_ready"]:
            self._counter(e["t"], self.lab_pid, "asyncio", {"ready tasks": e["ready"]})
        for e in self.by_kind["aio_queue"]:
            bound = f"maxsize {e['maxsize']}" if e["maxsize"] else "unbounded"
            self._counter(e["t"], self.lab_pid, f"asyncio.Queue {e['name']} ({bound})",
                          {"size": e["size"]})

    def _marks(self) -> None:
        k = self.by_kind
        for e in k["run_started"]:
            self._instant(e["t"], "run started", "run", {"run_id": e["run_id"], **e["config"]})
        for e in k["config_changed"]:
            self._instant(e["t"], f"{e['field']}: {e['old']} → {e['new']}", "config",
                          {"field": e["field"], "old": e["old"], "new": e["new"]})
        for e in k["pool_broken"]:
            self._instant(e["t"], f"pool {e['pool']} broken", "pool", _clean(
                {key: e[key] for key in ("pool", "message", "worker", "pid", "exitcode")}))
        for e in k["error"]:
            self._instant(e["t"], f"error: {_line(e['message'])}", "error",
                          {"message": e["message"]})
        for e in k["warning"]:
            self._instant(e["t"], f"warning: {_line(e['message'])}", "warning",
                          {"message": e["message"]}, "p", pid=self.lab_pid)
        for e in k["pool_created"]:
            self._instant(e["t"], f"pool {e['pool']} created ({e['max_workers']} workers)",
                          "pool", {"executor": e["executor"]}, "t", self.submits)
        for e in k["pool_retired"]:
            self._instant(e["t"], f"pool {e['pool']} retired", "pool", {}, "t", self.submits)
        for e in k["task_cancelled"]:
            self._instant(e["t"], f"cancelled task {e['task']}", "task",
                          {"task": e["task"], "reason": e["reason"]}, "t", self.submits)
        for e in k["task_moved"]:
            self._instant(e["t"], f"task {e['task']} moved to pool {e['to_pool']}", "task",
                          {"from_pool": e["from_pool"], "to_pool": e["to_pool"]}, "t",
                          self.submits)
        for b in self.bookmarks:
            note = str(b.get("note") or "")
            self._instant(int(b["t"]), f"bookmark: {_line(note)}" if note else "bookmark",
                          "bookmark", {"note": note, "seq": b.get("seq"), "id": b.get("id")})
        if k["run_ended"]:
            e = k["run_ended"][-1]
            self._instant(e["t"], f"run ended ({e['reason']})", "run",
                          {"reason": e["reason"], "message": e["message"]})
        else:
            self._instant(self.end, "run cut off (no run_ended: did the lab die?)", "run",
                          {**_OPEN, "last_event_us": us(self.end)})

    def _metadata(self) -> list[TraceEvent]:
        out: list[TraceEvent] = []
        for pid, (name, sort) in sorted(self.processes.items()):
            tid = self._named_tid(pid)
            out.append({"ph": "M", "pid": pid, "tid": tid, "name": "process_name",
                        "args": {"name": name}})
            out.append({"ph": "M", "pid": pid, "tid": tid, "name": "process_sort_index",
                        "args": {"sort_index": sort}})
        for track in self.tracks.values():
            out.append({"ph": "M", "pid": track.pid, "tid": track.tid, "name": "thread_name",
                        "args": {"name": track.name}})
            out.append({"ph": "M", "pid": track.pid, "tid": track.tid,
                        "name": "thread_sort_index", "args": {"sort_index": track.sort}})
        return out

    def other_data(self) -> dict[str, Any]:
        """What the trace is of, flat (Perfetto keeps `otherData` aside; catapult shows it)."""
        info: dict[str, Any] = {"exporter": "schedviz", "t0": "the run's start"}
        for e in self.by_kind["run_started"][:1]:
            info.update(run_id=e["run_id"], wall_time_ns=e["wall_time_ns"],
                        schema_version=e["schema_version"], config=json.dumps(e["config"]))
        for e in self.by_kind["run_ended"][-1:]:
            info["ended"] = e["reason"]
        info["overlapped_slices"] = self.overlapped
        return info


def _task_name(task: int, sub: Event | None) -> str:
    return f"chunk {task}" if sub is not None and sub["items"] is not None else f"task {task}"


def _task_args(sub: Event | None, fin: Event | None) -> dict[str, Any]:
    args: dict[str, Any] = {}
    if sub is not None:
        args.update(pool=sub["pool"], args=sub["args"], submitted_us=us(max(0, sub["t"])),
                    map_id=sub["map_id"], first_item=sub["first_item"], items=sub["items"])
    if fin is None:
        args["unfinished"] = "still running when the run ended"
    else:
        args.update(ok=fin["ok"], result=fin["result"], error=fin["error"])
    return args


def _holder(e: Event) -> str:
    return str(e["thread"] or (f"worker {e['worker']}" if e["worker"] is not None else "unknown"))


def _gil_args(e: Event) -> dict[str, Any]:
    return {"worker": e["worker"], "thread": e["thread"], "switches": e["switches"],
            "window_us": us(e["window_ns"]), "gap": e["gap"]}


def _line(text: str, limit: int = 80) -> str:
    first = text.splitlines()[0] if text else ""
    return first if len(first) <= limit else first[: limit - 1] + "…"


def _sort_key(e: TraceEvent) -> tuple[float, int, float]:
    """Perfetto's own order (ts; then E, X longest first, the rest) with `e` before `b`."""
    ph = e["ph"]
    rank = {"E": 0, "X": 1, "e": 2}.get(ph, 3)
    return e["ts"], rank, -e["dur"] if ph == "X" else 0.0


def _build(events: Iterable[Event], bookmarks: Sequence[Mapping[str, Any]]
           ) -> tuple[dict[str, Any], list[TraceEvent]]:
    builder = _Builder(events, bookmarks)
    trace_events = builder.build()
    return builder.other_data(), trace_events


def to_trace(events: Iterable[Event], bookmarks: Sequence[Mapping[str, Any]] = ()
             ) -> dict[str, Any]:
    """The run as one Trace Event JSON object (`traceEvents`, `displayTimeUnit`, `otherData`)."""
    other, trace_events = _build(events, bookmarks)
    # displayTimeUnit first: catapult reads it as the display unit; Perfetto ignores it now
    # (a few older versions read it as the unit of ts, and only from the file's first bytes).
    return {"displayTimeUnit": "ms", "otherData": other, "traceEvents": trace_events}


def _chunks(events: Iterable[Event], bookmarks: Sequence[Mapping[str, Any]]) -> Iterator[str]:
    other, trace_events = _build(events, bookmarks)
    dump = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    yield '{"displayTimeUnit":"ms","otherData":' + dump(other) + ',"traceEvents":[\n'
    for i, e in enumerate(trace_events):
        yield ("," if i else "") + dump(e) + "\n"
    yield "]}\n"


def write_trace(events: Iterable[Event], bookmarks: Sequence[Mapping[str, Any]],
                out: str | os.PathLike[str] | IO[bytes], gzip: bool = False) -> None:
    """Write `to_trace` as JSON (gzip: `.json.gz`), one trace event a line, without one big string.

    Non-ASCII text is written as UTF-8, not `\\u` escapes: older Perfetto versions reject a `\\u`
    escape in the part of an event they scan for its ts.
    """
    if isinstance(out, (str, os.PathLike)):
        with open(out, "wb") as f:
            write_trace(events, bookmarks, f, gzip)
        return
    target: IO[bytes] | gzip_module.GzipFile = (
        gzip_module.GzipFile(fileobj=out, mode="wb", mtime=0) if gzip else out)
    try:
        for chunk in _chunks(events, bookmarks):
            target.write(chunk.encode("utf-8"))
    finally:
        if gzip:
            target.close()
