"""Checks a Chrome Trace Event (Perfetto JSON) trace against the rules Perfetto's importer keeps.

`check_trace` returns every violation as a message (none: Perfetto imports all of it). Events
are taken in the order Perfetto processes them (by ts; at one ts `E` first, then `X` longest
first, then the rest as written), with times as Perfetto reads them (`int(x * 1000.0)` ns).

Rules (after `json_trace_tokenizer.cc`, `json_trace_parser_impl.cc` and `slice_tracker.cc`):
- The trace is JSON (no NaN, nothing but JSON types): a `traceEvents` list, or a bare list; no
  unknown top-level key before `traceEvents` (older versions stop reading at one);
  `displayTimeUnit`, if set, is "ms" or "ns".
- Every event has a known phase and a numeric, non-negative `ts` (`M` may omit it); pid and tid
  are integers in uint32 range.
- `X`: a name, `dur` >= 0, pid and tid. `B`/`E`: matched per (pid, tid), last opened first.
- `b`/`e`/`n`: `cat`, `id` or `id2` (`{"local": …}` or `{"global": …}`), pid; `b`/`e` matched
  per (cat, id and its scope, name), and an `e` is not earlier than its `b`.
- `C`: a name and an `args` object of finite numbers (one counter track per key).
- `M`: process_name / thread_name (with a non-empty `args.name`), process_sort_index /
  thread_sort_index (with an integer `args.sort_index`) or process_labels; thread_* need a tid.
- `i`/`I`: scope `s` is g, p or t (t needs a tid).
- Flows v1 (`s`/`t`/`f`): an id; each `s` ends in an `f` and each `f` or `t` follows an `s`.
- Flows v2: `bind_id` only on `X`, `B`, `b`, `n`, with `flow_out` and/or `flow_in`; every
  bind_id has exactly one start (`flow_out`) and one end (`flow_in`), the start first.
- On one (pid, tid) track, slices (`X`, and `B`…`E`) nest or follow each other: none partly
  overlaps another (Perfetto drops it: `slice_drop_overlapping_complete_event`).
- Every pid has a process_name; every (pid, tid) an event uses has a thread_name; no tid is
  used in two processes (Perfetto keys threads by tid).
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from typing import Any

PHASES = set("BEXiICbnestfM")
_SLICE_PHASES = {"X", "B", "E", "i", "I", "s", "t", "f"}  # what lands on a thread track
_FLOW_HOSTS = {"X", "B", "b", "n"}  # the phases Perfetto binds v2 flows to
_KNOWN_TOP = {"traceEvents", "displayTimeUnit", "otherData", "metadata", "systemTraceEvents"}
_METADATA = {"process_name", "thread_name", "process_sort_index", "thread_sort_index",
             "process_labels"}
_UINT32 = 1 << 32


def is_number(x: object) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def to_ns(x: float) -> int:
    """A ts or dur in µs as Perfetto reads it: ints exactly, floats truncated."""
    return x * 1000 if isinstance(x, int) else int(x * 1000.0)


def _is_id(x: object) -> bool:
    return isinstance(x, (str, int)) and not isinstance(x, bool)


def check_trace(trace: Any) -> list[str]:
    """Every rule the trace breaks, as a message; an empty list when it keeps them all."""
    problems: list[str] = []
    try:
        json.dumps(trace, allow_nan=False)
    except (TypeError, ValueError) as exc:
        problems.append(f"the trace is not JSON: {exc}")
    if isinstance(trace, dict):
        for key in trace:
            if key == "traceEvents":
                break
            if key not in _KNOWN_TOP:
                problems.append(f"unknown top-level key {key!r} before traceEvents: older "
                                "Perfetto versions stop reading there")
        unit = trace.get("displayTimeUnit")
        if unit is not None and unit not in ("ms", "ns"):
            problems.append(f"displayTimeUnit is {unit!r}: it may only be 'ms' or 'ns'")
        events = trace.get("traceEvents")
    else:
        events = trace
    if not isinstance(events, list):
        return [*problems, "traceEvents is not a list of events"]
    checker = _Checker(problems)
    for i, event in enumerate(events):
        checker.event(i, event)
    checker.finish()
    return problems


class _Checker:
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        self.valid: list[tuple[tuple[int, int, int, int], dict[str, Any]]] = []
        self.process_names: set[int] = set()
        self.thread_names: set[tuple[int, int]] = set()
        self.pids: set[int] = set()
        self.threads: set[tuple[int, int]] = set()
        self.pids_of_tid: dict[int, set[int]] = defaultdict(set)

    def bad(self, i: int, e: dict[str, Any], message: str) -> None:
        self.problems.append(f"event {i} ({e.get('ph')!r} {e.get('name')!r}): {message}")

    def event(self, i: int, e: Any) -> None:
        if not isinstance(e, dict):
            self.problems.append(f"event {i} is not an object: {e!r}")
            return
        ph = e.get("ph")
        if ph not in PHASES:
            self.bad(i, e, f"phase {ph!r} is not one Perfetto imports ({''.join(sorted(PHASES))})")
            return
        ok = True
        if ("ts" in e or ph != "M") and not (is_number(e.get("ts")) and e["ts"] >= 0):
            self.bad(i, e, f"ts must be a non-negative number; got {e.get('ts')!r}")
            ok = False
        for key in ("pid", "tid"):
            value = e.get(key)
            if value is not None and not (isinstance(value, int) and not isinstance(value, bool)
                                          and 0 <= value < _UINT32):
                self.bad(i, e, f"{key} must be an integer in uint32 range; got {value!r}")
                ok = False
        scope = e.get("s", "t")
        needs_tid = ph in ("X", "B", "E") or (ph in ("i", "I") and scope == "t")
        if ph != "i" or scope != "g":
            ok &= self.need(i, e, "pid" in e, "pid is missing")
        if needs_tid:
            ok &= self.need(i, e, "tid" in e, "tid is missing")
        ok &= getattr(self, f"_{ph}")(i, e)
        if "bind_id" in e:
            ok &= self._bind(i, e)
        if not ok:
            return
        if ph == "M":
            self.pids.add(e["pid"])
            self.valid.append(((-1, 0, 0, i), e))
            return
        if "pid" in e:
            pid = e["pid"]
            self.pids.add(pid)
            tid = e.get("tid", pid if ph in _SLICE_PHASES else None)
            if tid is not None:
                self.threads.add((pid, tid))
                self.pids_of_tid[tid].add(pid)
        rank = {"E": 0, "X": 1}.get(ph, 2)
        self.valid.append(((to_ns(e["ts"]), rank, -to_ns(e["dur"]) if ph == "X" else 0, i), e))

    def need(self, i: int, e: dict[str, Any], condition: bool, message: str) -> bool:
        if not condition:
            self.bad(i, e, message)
        return condition

    def _named(self, i: int, e: dict[str, Any]) -> bool:
        return self.need(i, e, isinstance(e.get("name"), str) and bool(e["name"]),
                         "name must be a non-empty string")

    def _X(self, i: int, e: dict[str, Any]) -> bool:
        ok = self._named(i, e)
        dur: Any = e.get("dur")
        return self.need(i, e, is_number(dur) and dur >= 0,
                         f"dur must be a number >= 0 (Perfetto drops an X without it); "
                         f"got {dur!r}") and ok

    def _B(self, i: int, e: dict[str, Any]) -> bool:
        return self._named(i, e)

    def _E(self, i: int, e: dict[str, Any]) -> bool:
        return True

    def _b(self, i: int, e: dict[str, Any]) -> bool:
        ok = self._named(i, e)
        ok &= self.need(i, e, isinstance(e.get("cat"), str), "an async event needs a cat")
        id2 = e.get("id2")
        if id2 is not None:
            return self.need(i, e, isinstance(id2, dict) and len(id2) == 1
                             and next(iter(id2)) in ("local", "global")
                             and _is_id(next(iter(id2.values()))),
                             f"id2 must be {{'local': id}} or {{'global': id}}; got {id2!r}") and ok
        return self.need(i, e, _is_id(e.get("id")), "an async event needs an id or an id2") and ok

    def _C(self, i: int, e: dict[str, Any]) -> bool:
        ok = self._named(i, e)
        args = e.get("args")
        return self.need(i, e, isinstance(args, dict) and bool(args)
                         and all(is_number(v) for v in args.values()),
                         f"a counter's args must be an object of numbers; got {args!r}") and ok

    def _M(self, i: int, e: dict[str, Any]) -> bool:
        name, args = str(e.get("name")), e.get("args")
        if not self.need(i, e, name in _METADATA, f"metadata must be one of {sorted(_METADATA)}"):
            return False
        if not isinstance(args, dict):
            self.bad(i, e, "metadata needs an args object")
            return False
        if name in ("process_name", "thread_name"):
            ok = self.need(i, e, isinstance(args.get("name"), str) and bool(args["name"]),
                           "args.name must be a non-empty string")
        elif name.endswith("_sort_index"):
            ok = self.need(i, e, isinstance(args.get("sort_index"), int)
                           and not isinstance(args["sort_index"], bool),
                           "args.sort_index must be an integer")
        else:
            ok = True
        if name.startswith("thread_"):
            ok &= self.need(i, e, "tid" in e, "thread metadata needs a tid")
        if ok and name == "process_name":
            self.process_names.add(e["pid"])
        if ok and name == "thread_name":
            self.thread_names.add((e["pid"], e["tid"]))
        return ok

    def _i(self, i: int, e: dict[str, Any]) -> bool:
        ok = self._named(i, e)
        return self.need(i, e, e.get("s", "t") in ("g", "p", "t"),
                         f"instant scope s must be g, p or t; got {e.get('s')!r}") and ok

    def _s(self, i: int, e: dict[str, Any]) -> bool:
        return self.need(i, e, _is_id(e.get("id")), "a v1 flow event needs an id")

    _I = _i
    _n = _e = _b
    _t = _f = _s

    def _bind(self, i: int, e: dict[str, Any]) -> bool:
        ok = self.need(i, e, e["ph"] in _FLOW_HOSTS,
                       "bind_id on a phase Perfetto binds no flow to (only X, B, b, n)")
        ok &= self.need(i, e, _is_id(e["bind_id"]), "bind_id must be an integer or a string")
        return self.need(i, e, e.get("flow_out") is True or e.get("flow_in") is True,
                         "bind_id without flow_out or flow_in: no direction") and ok

    # -- what needs the whole trace ------------------------------------------------------------

    def finish(self) -> None:
        self.valid.sort(key=lambda item: item[0])
        stacks: dict[tuple[Any, Any], list[tuple[int, int, dict[str, Any]]]] = defaultdict(list)
        spans: dict[tuple[Any, Any], list[tuple[int, int, int, str]]] = defaultdict(list)
        open_async: dict[tuple[Any, ...], list[tuple[int, int]]] = defaultdict(list)
        open_v1: dict[tuple[Any, ...], int] = defaultdict(int)
        flows: dict[Any, dict[str, list[int]]] = defaultdict(lambda: {"out": [], "in": []})
        for order, (key, e) in enumerate(self.valid):
            i, ph = key[3], e["ph"]
            if ph == "M":
                continue
            ts, track = to_ns(e["ts"]), (e.get("pid"), e.get("tid", e.get("pid")))
            if ph == "X":
                spans[track].append((ts, ts + to_ns(e["dur"]), i, e["name"]))
            elif ph == "B":
                stacks[track].append((ts, i, e))
            elif ph == "E":
                if not stacks[track]:
                    self.bad(i, e, f"E on {track} closes no open B")
                    continue
                start, j, begin = stacks[track].pop()
                if e.get("name") not in (None, begin["name"]):
                    self.bad(i, e, f"E named {e['name']!r} closes B {j} named {begin['name']!r}")
                spans[track].append((start, ts, j, begin["name"]))
            elif ph in ("b", "e"):
                self._async(i, e, ts, open_async)
            elif ph in ("s", "t", "f"):
                flow = (e.get("cat"), e.get("name"), str(e["id"]))
                if ph == "s":
                    open_v1[flow] += 1
                elif open_v1[flow] <= 0:
                    self.bad(i, e, f"v1 flow {flow} has no s before this {ph}")
                elif ph == "f":
                    open_v1[flow] -= 1
            if "bind_id" in e:
                ends = flows[e["bind_id"]]
                if e.get("flow_out") is True:
                    ends["out"].append(order)
                if e.get("flow_in") is True:
                    ends["in"].append(order)
        for track, stack in stacks.items():
            for _, j, begin in stack:
                self.problems.append(f"event {j} (B {begin['name']!r}) on {track} is never ended")
        for (cat, scope, name), opened in open_async.items():
            for _, j in opened:
                self.problems.append(f"event {j} (b {name!r}, cat {cat!r}, id {scope}) is never "
                                     "ended by an e")
        for flow, count in open_v1.items():
            if count > 0:
                self.problems.append(f"v1 flow {flow} starts (s) {count} time(s) with no f")
        self._flows(flows)
        for track, intervals in spans.items():
            self._overlaps(track, intervals)
        self._names()

    def _async(self, i: int, e: dict[str, Any], ts: int,
               open_async: dict[tuple[Any, ...], list[tuple[int, int]]]) -> None:
        if "id2" in e:
            (kind, value), = e["id2"].items()
            scope = (kind, e["pid"] if kind == "local" else None, str(value))
        else:
            scope = ("id", None, str(e["id"]))
        key = (e["cat"], scope, e.get("name"))
        if e["ph"] == "b":
            open_async[key].append((ts, i))
        elif not open_async[key]:
            self.bad(i, e, f"e with cat {e['cat']!r}, id {scope} ends no open b of that name")
        else:
            start, _ = open_async[key].pop()
            if ts < start:
                self.bad(i, e, "e is earlier than its b")

    def _flows(self, flows: dict[Any, dict[str, list[int]]]) -> None:
        for bind_id, ends in flows.items():
            outs, ins = ends["out"], ends["in"]
            starts = [o for o in outs if o not in ins]  # an event with both is a step
            finals = [o for o in ins if o not in outs]
            if not finals:
                self.problems.append(f"flow {bind_id!r} has a flow_out and no flow_in")
            elif not starts:
                self.problems.append(f"flow {bind_id!r} has a flow_in and no flow_out")
            elif len(starts) > 1 or len(finals) > 1:
                self.problems.append(f"flow {bind_id!r} starts {len(starts)} and ends "
                                     f"{len(finals)} times: once each")
            elif min(ins) < starts[0]:
                self.problems.append(f"flow {bind_id!r} arrives (flow_in) before it leaves "
                                     "(flow_out) in Perfetto's order")

    def _overlaps(self, track: tuple[Any, Any], intervals: list[tuple[int, int, int, str]]
                  ) -> None:
        """Perfetto's stack: a slice must end by the end of the innermost open slice."""
        stack: list[tuple[int, int, str]] = []
        for start, end, i, name in sorted(intervals, key=lambda s: (s[0], s[0] - s[1], s[2])):
            while stack and stack[-1][0] <= start:
                stack.pop()
            if stack and end > stack[-1][0]:
                top_end, j, top = stack[-1]
                self.problems.append(
                    f"event {i} ({name!r}, {start}–{end} ns) partly overlaps event {j} ({top!r}, "
                    f"ending {top_end} ns) on track {track}: Perfetto drops it")
                continue
            stack.append((end, i, name))

    def _names(self) -> None:
        for pid in sorted(self.pids - self.process_names):
            self.problems.append(f"pid {pid} has no process_name")
        for pid, tid in sorted(self.threads - self.thread_names):
            self.problems.append(f"thread (pid {pid}, tid {tid}) has no thread_name")
        for tid, pids in sorted(self.pids_of_tid.items()):
            if len(pids) > 1:
                self.problems.append(f"tid {tid} is used in pids {sorted(pids)}: Perfetto keys "
                                     "threads by tid")
