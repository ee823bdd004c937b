"""The Perfetto export: every preset, recorded for real, makes a trace that keeps Perfetto's rules.

Every preset runs once per session through `schedviz run --events-out` (two at a time). Two
presets are long, so they run shortened from their own config: steady-stream for 2 s of its
30 s stream (~40 tasks, not 600) and chunksize for 1.5 s of its 20 s (600 items, not 6,000),
with chunksize 8 instead of 1, so its chunks hold several items each.
"""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from schedviz import scenarios
from schedviz.storage.jsonl import event_line, read_events, write_events
from schedviz.storage.perfetto import SYNTHETIC_BASE, to_trace, us, write_trace
from trace_checker import check_trace, to_ns

PRESETS = [s.id for s in scenarios.all_scenarios()]
SHORTENED: dict[str, dict[str, Any]] = {
    "steady-stream": {"duration_s": 2.0},
    "chunksize": {"duration_s": 1.5, "n_tasks": 600, "chunksize": 8},
}

Events = list[dict[str, Any]]


def _record(preset: str, folder: Path) -> tuple[Events, str]:
    out = folder / f"{preset}.jsonl"
    command = [sys.executable, "-m", "schedviz", "run", "--scenario", preset,
               "--events-out", str(out)]
    if preset in SHORTENED:
        config = folder / f"{preset}.json"
        config.write_text(json.dumps({**scenarios.get(preset).config.model_dump(),
                                      **SHORTENED[preset]}))
        command += ["--config", str(config)]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=100, check=False)
    assert proc.returncode == 0, f"{preset}: {proc.stderr}"
    text = out.read_text()
    return list(read_events(io.StringIO(text))), text


@pytest.fixture(scope="session")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Events, str]]:
    """Each preset's events (and the CLI's JSON Lines text), recorded once for the session."""
    folder = tmp_path_factory.mktemp("presets")
    with ThreadPoolExecutor(2) as pool:
        return dict(zip(PRESETS, pool.map(lambda p: _record(p, folder), PRESETS), strict=True))


@pytest.fixture(scope="session")
def traces(recordings: dict[str, tuple[Events, str]]) -> dict[str, dict[str, Any]]:
    return {preset: to_trace(events) for preset, (events, _) in recordings.items()}


def kinds(events: Events, kind: str) -> Events:
    return [e for e in events if e["kind"] == kind]


def thread_names(trace: dict[str, Any]) -> dict[tuple[int, int], str]:
    return {(e["pid"], e["tid"]): e["args"]["name"] for e in trace["traceEvents"]
            if e["ph"] == "M" and e["name"] == "thread_name"}


def slices(trace: dict[str, Any], cat: str) -> list[dict[str, Any]]:
    """The slices of a category, on thread tracks (X) or moved to async ones (b)."""
    return [e for e in trace["traceEvents"] if e["ph"] in ("X", "b") and e.get("cat") == cat]


# -- every preset, recorded for real -----------------------------------------------------------


@pytest.mark.parametrize("preset", PRESETS)
def test_every_preset_exports_a_trace_that_keeps_perfettos_rules(
    preset: str, traces: dict[str, dict[str, Any]]
) -> None:
    assert check_trace(traces[preset]) == []


@pytest.mark.parametrize("preset", PRESETS)
def test_tasks_flows_and_worker_lanes(
    preset: str, recordings: dict[str, tuple[Events, str]], traces: dict[str, dict[str, Any]]
) -> None:
    events, trace = recordings[preset][0], traces[preset]
    finished, started = kinds(events, "task_finished"), kinds(events, "task_started")
    assert len(slices(trace, "task")) == len(finished)
    flows_out = [e for e in trace["traceEvents"] if e.get("flow_out")]
    flows_in = [e for e in trace["traceEvents"] if e.get("flow_in")]
    assert len(flows_out) == len(flows_in) == len(started)
    assert {e["bind_id"] for e in flows_out} == {e["bind_id"] for e in flows_in}
    names = thread_names(trace)
    for spawned in kinds(events, "worker_spawned"):
        assert any(is_lane(name, spawned["worker"]) for name in names.values()), spawned
    for task in slices(trace, "task"):
        assert is_lane(names[(task["pid"], task["tid"])], task["args"]["worker"])
        assert {"task", "args", "queue_wait_us"} <= task["args"].keys()
        assert task["args"].keys() & {"result", "error"}


def is_lane(name: str, worker: int) -> bool:
    """A worker's own track: "worker 3" (a process) or "pool0_1 (worker 3, pool 0)" (a thread)."""
    return name == f"worker {worker}" or f"(worker {worker}," in name


@pytest.mark.parametrize("preset", PRESETS)
def test_each_sampled_process_has_a_gil_track(
    preset: str, recordings: dict[str, tuple[Events, str]], traces: dict[str, dict[str, Any]]
) -> None:
    events, trace = recordings[preset][0], traces[preset]
    sampled = {e["pid"] for e in kinds(events, "gil_sampler") if e["available"]}
    if not sampled:
        pytest.skip(f"no GIL sampler: {[e['reason'] for e in kinds(events, 'gil_sampler')]}")
    gil_tracks = {pid: tid for (pid, tid), name in thread_names(trace).items() if name == "GIL"}
    changed = {e["pid"] for e in kinds(events, "gil")}
    assert changed <= set(gil_tracks)
    for pid in changed:
        on_track = [e["cat"] for e in trace["traceEvents"] if e["ph"] == "X"
                    and (e["pid"], e["tid"]) == (pid, gil_tracks[pid])]
        mine = [e for e in kinds(events, "gil") if e["pid"] == pid]
        assert on_track.count("gil") == sum(e["held"] for e in mine)  # a span per holder
        assert on_track.count("gil_window") == len(mine)  # and each change's window


@pytest.mark.parametrize("preset", [p for p in PRESETS if p.startswith("asyncio")])
def test_asyncio_steps_are_on_the_loop_track(
    preset: str, recordings: dict[str, tuple[Events, str]], traces: dict[str, dict[str, Any]]
) -> None:
    events, trace = recordings[preset][0], traces[preset]
    loop = [key for key, name in thread_names(trace).items() if name == "event loop"]
    assert len(loop) == 1
    steps = [e for e in slices(trace, "aio_step") if (e["pid"], e["tid"]) == loop[0]]
    assert len(steps) == len(kinds(events, "aio_step")) > 0
    assert all(e["ph"] == "X" for e in steps)
    names = {e["task"]: e["name"] for e in kinds(events, "aio_task")}
    assert {s["name"] for s in steps} <= set(names.values())
    assert any(":" in s["args"].get("yield_site", "") for s in steps)
    waits = [e for e in trace["traceEvents"] if e["ph"] == "b" and e["cat"] == "aio_wait"]
    assert waits and all(e["id2"]["local"] == f"aio-task-{e['args']['task']}" for e in waits)


def test_bookmarks_are_global_instants_with_their_notes(
    recordings: dict[str, tuple[Events, str]]
) -> None:
    events = recordings["io-threads"][0]
    marks = [{"id": 1, "seq": 5, "t": events[5]["t"], "note": "the first task starts"},
             {"id": 2, "seq": 9, "t": events[9]["t"], "note": "three lanes\nbusy at once"}]
    trace = to_trace(events, marks)
    assert check_trace(trace) == []
    found = [e for e in trace["traceEvents"] if e.get("cat") == "bookmark"]
    assert [(e["ph"], e["s"], e["args"]["note"], e["ts"]) for e in found] == [
        ("i", "g", m["note"], us(m["t"])) for m in marks]
    assert found[1]["name"] == "bookmark: three lanes"


def test_gzip_output_decompresses_to_the_same_json(
    recordings: dict[str, tuple[Events, str]], tmp_path: Path
) -> None:
    events = recordings["chunksize"][0]
    marks = [{"t": events[-1]["t"], "note": "ünïcode → kept as UTF-8"}]
    plain, packed = tmp_path / "run.json", tmp_path / "run.json.gz"
    write_trace(events, marks, plain)
    write_trace(events, marks, packed, gzip=True)
    expected = to_trace(events, marks)
    assert json.loads(plain.read_bytes()) == expected
    assert json.loads(gzip.decompress(packed.read_bytes())) == expected
    assert gzip.decompress(packed.read_bytes()) == plain.read_bytes()
    into_a_file = io.BytesIO()
    write_trace(events, marks, into_a_file)
    assert into_a_file.getvalue() == plain.read_bytes()
    assert b"\\u" not in plain.read_bytes()


def test_chunks_hold_their_items(
    recordings: dict[str, tuple[Events, str]], traces: dict[str, dict[str, Any]]
) -> None:
    events, trace = recordings["chunksize"][0], traces["chunksize"]
    ends = sum(len(e["item_ends"] or ()) for e in kinds(events, "task_finished"))
    items = slices(trace, "item") + [e for e in trace["traceEvents"]
                                     if e["ph"] == "i" and e["cat"] == "item"]
    assert len(items) == ends > len(kinds(events, "task_finished"))
    assert all(e["name"].startswith("chunk ") for e in slices(trace, "task"))


def test_the_jsonl_writer_writes_what_the_cli_writes(
    recordings: dict[str, tuple[Events, str]]
) -> None:
    for preset in ("worker-crash", "asyncio-queue"):
        events, text = recordings[preset]
        out = io.StringIO()
        assert write_events(events, out) == len(events)
        assert out.getvalue() == text


# -- the exporter on made-up runs --------------------------------------------------------------


def ev(seq: int, t: int, kind: str, **fields: Any) -> dict[str, Any]:
    return {"seq": seq, "t": t, "kind": kind, **fields}


def thread_run(*, end: bool = True) -> Events:
    """Two thread workers; task 0 finishes, task 1 is still running when the stream stops."""
    events = [
        ev(0, 0, "run_started", run_id="r", wall_time_ns=1, schema_version=4,
           config={"executor": "threads"}),
        ev(1, 10, "pool_created", pool=0, max_workers=2, executor="threads"),
        ev(2, 20, "worker_spawned", worker=0, pool=0, name="pool0_0", native_id=77),
        ev(3, 21, "worker_spawned", worker=1, pool=0, name="pool0_1", native_id=77),  # reused
        ev(4, 30, "task_submitted", task=0, pool=0, args="(0,)", map_id=None, first_item=None,
           items=None),
        ev(5, 31, "task_submitted", task=1, pool=0, args="(1,)", map_id=None, first_item=None,
           items=None),
        ev(6, 40, "task_started", task=0, worker=0),
        ev(7, 41, "task_started", task=1, worker=1),
        ev(8, 500, "task_finished", task=0, worker=0, ok=False, result=None,
           error="ValueError('x')", item_ends=None),
        ev(9, 600, "config_changed", field="max_workers", old=2, new=4),
        ev(10, 650, "error", message="something broke\nsecond line"),
        ev(11, 700, "queue_depth", depth=0),
    ]
    if end:
        events.append(ev(12, 900, "run_ended", reason="completed", message=None))
    return events


def test_a_run_cut_short_closes_what_was_open_at_its_last_moment() -> None:
    trace = to_trace(thread_run(end=False))
    assert check_trace(trace) == []
    (running,) = [e for e in slices(trace, "task") if e["args"]["task"] == 1]
    assert running["args"]["open_at_end"] is True
    assert running["ts"] + running["dur"] == pytest.approx(us(700))
    cut = [e for e in trace["traceEvents"] if e.get("cat") == "run"]
    assert cut[-1]["s"] == "g" and "cut off" in cut[-1]["name"]


def test_config_changes_errors_and_the_run_end_are_global_instants() -> None:
    trace = to_trace(thread_run())
    assert check_trace(trace) == []
    marks = {e["name"]: e for e in trace["traceEvents"] if e["ph"] == "i" and e["s"] == "g"}
    assert marks["max_workers: 2 → 4"]["args"] == {"field": "max_workers", "old": 2, "new": 4}
    assert marks["error: something broke"]["args"]["message"].endswith("second line")
    assert marks["run ended (completed)"]["ts"] == us(900)
    (failed,) = [e for e in slices(trace, "task") if e["args"]["task"] == 0]
    assert failed["args"]["error"] == "ValueError('x')" and failed["args"]["ok"] is False
    assert failed["args"]["queue_wait_us"] == us(10)


def test_a_reused_thread_id_gets_a_track_of_its_own() -> None:
    trace = to_trace(thread_run())
    tracks = {e["args"]["worker"]: (e["pid"], e["tid"]) for e in slices(trace, "task")}
    assert tracks[0][1] == 77 and tracks[1][1] >= SYNTHETIC_BASE
    names = thread_names(trace)
    assert names[tracks[0]] == "pool0_0 (worker 0, pool 0)"
    assert names[tracks[1]] == "pool0_1 (worker 1, pool 0)"


def process_run() -> Events:
    """A worker process whose chunk's items end inside and after it, pickling that overlaps."""
    return [
        ev(0, 0, "run_started", run_id="p", wall_time_ns=1, schema_version=4, config={}),
        ev(1, 5, "memory", pid=100, worker=None, rss=1000, uss=None),
        ev(2, 10, "pool_created", pool=0, max_workers=1, executor="processes"),
        ev(3, 20, "worker_spawned", worker=0, pool=0, name="ForkProcess-1", native_id=200),
        ev(4, 50, "worker_ready", worker=0, pid=200),
        ev(5, 60, "task_submitted", task=0, pool=0, args="((0, 1, 2),)", map_id=0, first_item=3,
           items=3),
        ev(6, 60, "serialized", task=0, side="parent", what="args", op="dumps",
           duration_ns=30, nbytes=99),
        ev(7, 80, "serialized", task=1, side="parent", what="args", op="dumps",
           duration_ns=30, nbytes=99),  # overlaps the previous one on the submits track
        ev(8, 100, "serialized", task=0, side="worker", what="args", op="loads",
           duration_ns=20, nbytes=99),
        ev(9, 120, "task_started", task=0, worker=0),
        ev(10, 420, "task_finished", task=0, worker=0, ok=True, result="[1, 2]", error=None,
           item_ends=[100, 300, 350]),
        ev(11, 420, "serialized", task=0, side="worker", what="result", op="dumps",
           duration_ns=5, nbytes=9),
        ev(12, 430, "memory", pid=200, worker=0, rss=2000, uss=1500),
        ev(13, 500, "serialized", task=7, side="worker", what="args", op="loads",
           duration_ns=5, nbytes=9),  # a task that never started
        ev(14, 600, "worker_exited", worker=0, pool=0, exitcode=0),
        ev(15, 700, "run_ended", reason="completed", message=None),
    ]


def test_a_worker_process_is_a_process_with_its_items_pickling_and_memory() -> None:
    trace = to_trace(process_run())
    assert check_trace(trace) == []
    processes = {e["pid"]: e["args"]["name"] for e in trace["traceEvents"]
                 if e["ph"] == "M" and e["name"] == "process_name"}
    assert processes == {100: "lab (pid 100)", 200: "worker 0 (pool 0, pid 200)"}
    (chunk,) = slices(trace, "task")
    assert (chunk["name"], chunk["pid"], chunk["tid"]) == ("chunk 0", 200, 200)
    items = [(e["name"], e["ts"], e["dur"]) for e in slices(trace, "item")]
    assert items == [("item 3", us(120), us(100)), ("item 4", us(220), us(200))]
    (late,) = [e for e in trace["traceEvents"] if e["ph"] == "i" and e["cat"] == "item"]
    assert late["name"] == "item 5 ended" and late["ts"] == us(470)
    pickling = {(e["name"], e["pid"], e["ph"]) for e in slices(trace, "pickling")}
    assert pickling == {("pickle args", 100, "X"), ("pickle args", 100, "b"),
                        ("unpickle args", 200, "X"), ("pickle result", 200, "X"),
                        ("unpickle args", 100, "b")}
    moved = [e for e in slices(trace, "pickling") if e["ph"] == "b"]
    assert all("overlapped" in e["args"] or "worker" in e["args"] for e in moved)
    counters = [(e["pid"], e["args"]) for e in trace["traceEvents"] if e["ph"] == "C"]
    assert counters == [(100, {"rss": 1000}), (200, {"rss": 2000, "uss": 1500})]
    assert trace["otherData"]["overlapped_slices"] == 1


def test_a_flow_needs_a_start_later_than_its_submit() -> None:
    events = thread_run()
    events[6] = ev(6, 30, "task_started", task=0, worker=0)  # same ns as its submit
    trace = to_trace(events)
    assert check_trace(trace) == []
    assert sorted(e["bind_id"] for e in trace["traceEvents"] if e.get("flow_in")) == [2]


def aio_run() -> Events:
    step = {"file": "/x/app.py", "line": 7, "awaiting": "sleep(0.1)", "waits_on": None}
    return [
        ev(0, 0, "run_started", run_id="a", wall_time_ns=1, schema_version=4, config={}),
        ev(1, 10, "aio_task", task=1, name="main", coro="main", parent=None),
        ev(2, 20, "aio_step", task=1, dur_ns=30, outcome="yield", **step),
        ev(3, 60, "aio_idle", dur_ns=100, io_events=0),
        ev(4, 60, "aio_ready", ready=1),
        ev(5, 160, "aio_step", task=1, dur_ns=40, outcome="yield", **step),
        ev(6, 160, "aio_blocked", task=1, dur_ns=40, file="/x/app.py", line=8, source="x()",
           ongoing=False),
        ev(7, 300, "aio_queue", name="jobs", size=2, maxsize=3),
        ev(8, 400, "run_ended", reason="stopped", message=None),
    ]


def test_asyncio_steps_waits_and_counters() -> None:
    trace = to_trace(aio_run())
    assert check_trace(trace) == []
    steps = slices(trace, "aio_step")
    assert [(s["name"], s["ts"], s["args"]["yield_site"]) for s in steps] == [
        ("main", us(20), "/x/app.py:7"), ("main", us(160), "/x/app.py:7")]
    waits = [(e["ph"], e["ts"]) for e in trace["traceEvents"] if e.get("cat") == "aio_wait"]
    assert waits == [("b", us(10)), ("e", us(20)), ("b", us(50)), ("e", us(160)),
                     ("b", us(200)), ("e", us(400))]
    last = [e for e in trace["traceEvents"] if e.get("cat") == "aio_wait" and e["ph"] == "b"][-1]
    assert last["args"]["open_at_end"] is True and last["args"]["awaiting"] == "sleep(0.1)"
    counters = {e["name"]: e["args"] for e in trace["traceEvents"] if e["ph"] == "C"}
    assert counters == {"asyncio": {"ready tasks": 1},
                        "asyncio.Queue jobs (maxsize 3)": {"size": 2}}
    (blocked,) = [e for e in trace["traceEvents"] if e.get("cat") == "aio_blocked"]
    assert blocked["ts"] == us(200) and blocked["args"]["at"] == "/x/app.py:8"


def test_times_read_back_as_the_same_nanoseconds() -> None:
    for ns in [*range(0, 20_000), 284_470_221, 133_401_628, 10**15 + 7]:
        value = us(ns)
        assert to_ns(value) == ns  # Perfetto's int(dur * 1000.0)
        assert int(Decimal(repr(value)) * 1000) == ns  # its exact reading of ts as text
    assert any(int(ns / 1000 * 1000.0) != ns for ns in range(2000))  # why us() exists


# -- the checker: each rule can fail -----------------------------------------------------------


def named(*events: dict[str, Any], **top: Any) -> dict[str, Any]:
    """A trace of `events` on pid 1 / tid 1 (and tid 2), both named."""
    meta = [{"ph": "M", "pid": 1, "tid": 1, "name": "process_name", "args": {"name": "p"}},
            {"ph": "M", "pid": 1, "tid": 1, "name": "thread_name", "args": {"name": "a"}},
            {"ph": "M", "pid": 1, "tid": 2, "name": "thread_name", "args": {"name": "b"}}]
    return {**top, "traceEvents": [*meta, *events]}


def x(ts: float, dur: float, name: str = "s", tid: int = 1, **more: Any) -> dict[str, Any]:
    return {"ph": "X", "ts": ts, "dur": dur, "pid": 1, "tid": tid, "name": name, **more}


def a(ph: str, ts: float, id2: str = "1", name: str = "w", **more: Any) -> dict[str, Any]:
    return {"ph": ph, "ts": ts, "pid": 1, "tid": 1, "name": name, "cat": "c",
            "id2": {"local": id2}, **more}


GOOD = named(
    x(0, 10, "parent"), x(0, 10, "same as parent"), x(0, 4, "first child"), x(4, 6, "touching"),
    x(10, 0, "zero at the end"), x(10, 5, "next"),
    {"ph": "B", "ts": 20, "pid": 1, "tid": 1, "name": "b"},
    {"ph": "E", "ts": 30, "pid": 1, "tid": 1},
    a("b", 1, "1"), a("b", 2, "2"), a("e", 3, "1"), a("e", 3, "2"),
    {"ph": "C", "ts": 5, "pid": 1, "tid": 1, "name": "q", "args": {"depth": 3, "x": 0.5}},
    {"ph": "i", "ts": 5, "name": "g", "s": "g"},
    {"ph": "i", "ts": 5, "pid": 1, "tid": 2, "name": "t", "s": "t"},
    {"ph": "M", "pid": 1, "tid": 2, "name": "thread_sort_index", "args": {"sort_index": 2}},
    x(1, 0, "out", tid=2, bind_id=7, flow_out=True), x(2, 1, "in", bind_id=7, flow_in=True),
    {"ph": "s", "ts": 1, "pid": 1, "tid": 1, "name": "f", "cat": "c", "id": "0x1"},
    {"ph": "f", "ts": 2, "pid": 1, "tid": 2, "name": "f", "cat": "c", "id": "0x1", "bp": "e"},
    displayTimeUnit="ms",
)


def test_the_checker_passes_a_good_trace() -> None:
    assert check_trace(GOOD) == []
    assert check_trace(GOOD["traceEvents"]) == []  # the bare-list form


BAD: dict[str, tuple[Any, str]] = {
    "not JSON": (named(x(0, 1, args={"v": float("nan")})), "not JSON"),
    "not JSON types": (named(x(0, 1, args={"v": {1, 2}})), "not JSON"),
    "unknown key first": ({"extra": 1, **named()}, "unknown top-level key 'extra'"),
    "display unit": (named(displayTimeUnit="us"), "displayTimeUnit"),
    "no events": ({"traceEvents": {}}, "traceEvents is not a list"),
    "not an object": (named(3), "is not an object"),
    "unknown phase": (named({"ph": "Q", "ts": 0, "pid": 1, "tid": 1}), "phase 'Q'"),
    "no ts": (named({"ph": "X", "dur": 1, "pid": 1, "tid": 1, "name": "s"}), "ts must be"),
    "negative ts": (named(x(-1, 1)), "ts must be a non-negative"),
    "string ts": (named(x("5", 1)), "ts must be"),
    "bad pid": (named({**x(0, 1), "pid": "one"}), "pid must be an integer"),
    "huge tid": (named({**x(0, 1), "tid": 1 << 32}), "tid must be an integer in uint32"),
    "X without dur": (named({"ph": "X", "ts": 0, "pid": 1, "tid": 1, "name": "s"}), "dur must"),
    "X negative dur": (named(x(0, -1)), "dur must be a number >= 0"),
    "X without name": (named({"ph": "X", "ts": 0, "dur": 1, "pid": 1, "tid": 1}), "name must"),
    "X without tid": (named({"ph": "X", "ts": 0, "dur": 1, "pid": 1, "name": "s"}),
                      "tid is missing"),
    "B never ended": (named({"ph": "B", "ts": 0, "pid": 1, "tid": 1, "name": "b"}),
                      "is never ended"),
    "E without B": (named({"ph": "E", "ts": 0, "pid": 1, "tid": 1}), "closes no open B"),
    "E other name": (named({"ph": "B", "ts": 0, "pid": 1, "tid": 1, "name": "b"},
                           {"ph": "E", "ts": 1, "pid": 1, "tid": 1, "name": "c"}),
                     "E named 'c' closes B"),
    "B E across threads": (named({"ph": "B", "ts": 0, "pid": 1, "tid": 1, "name": "b"},
                                 {"ph": "E", "ts": 1, "pid": 1, "tid": 2}), "closes no open B"),
    "b without id": (named({"ph": "b", "ts": 0, "pid": 1, "name": "w", "cat": "c"}),
                     "needs an id or an id2"),
    "b without cat": (named({"ph": "b", "ts": 0, "pid": 1, "name": "w", "id": 1}),
                      "needs a cat"),
    "bad id2": (named(a("b", 0, id2="1") | {"id2": {"local": 1, "global": 2}}), "id2 must be"),
    "b never ended": (named(a("b", 0)), "is never ended by an e"),
    "e without b": (named(a("e", 0)), "ends no open b"),
    "e of another name": (named(a("b", 0), a("e", 1, name="other")), "ends no open b"),
    "e of another id": (named(a("b", 0, "1"), a("e", 1, "2")), "ends no open b"),
    "C with text": (named({"ph": "C", "ts": 0, "pid": 1, "name": "q", "args": {"v": "3"}}),
                    "object of numbers"),
    "C without args": (named({"ph": "C", "ts": 0, "pid": 1, "name": "q"}), "object of numbers"),
    "C with a bool": (named({"ph": "C", "ts": 0, "pid": 1, "name": "q", "args": {"v": True}}),
                      "object of numbers"),
    "M unknown": (named({"ph": "M", "pid": 1, "tid": 1, "name": "colour", "args": {}}),
                  "metadata must be one of"),
    "M without a name": (named({"ph": "M", "pid": 1, "tid": 1, "name": "thread_name",
                                "args": {}}), "args.name must be"),
    "M sort index": (named({"ph": "M", "pid": 1, "name": "process_sort_index",
                            "args": {"sort_index": "1"}}), "args.sort_index must be an integer"),
    "M thread without tid": (named({"ph": "M", "pid": 1, "name": "thread_sort_index",
                                    "args": {"sort_index": 1}}), "thread metadata needs a tid"),
    "instant scope": (named({"ph": "i", "ts": 0, "pid": 1, "tid": 1, "name": "i", "s": "x"}),
                      "instant scope"),
    "v1 s without f": (named({"ph": "s", "ts": 0, "pid": 1, "tid": 1, "name": "f", "cat": "c",
                              "id": 1}), "with no f"),
    "v1 f without s": (named({"ph": "f", "ts": 0, "pid": 1, "tid": 1, "name": "f", "cat": "c",
                              "id": 1}), "has no s before"),
    "v1 without id": (named({"ph": "s", "ts": 0, "pid": 1, "tid": 1, "name": "f", "cat": "c"}),
                      "needs an id"),
    "bind_id on an instant": (named({"ph": "i", "ts": 0, "pid": 1, "tid": 1, "name": "i",
                                     "bind_id": 1, "flow_out": True}, x(1, 1, bind_id=1,
                                                                        flow_in=True)),
                              "binds no flow to"),
    "bind_id no direction": (named(x(0, 1, bind_id=1)), "no direction"),
    "flow_out alone": (named(x(0, 1, bind_id=1, flow_out=True)), "no flow_in"),
    "flow_in alone": (named(x(0, 1, bind_id=1, flow_in=True)), "no flow_out"),
    "flow out twice": (named(x(0, 1, bind_id=1, flow_out=True), x(1, 1, bind_id=1, flow_out=True),
                             x(2, 1, tid=2, bind_id=1, flow_in=True)), "starts 2 and ends 1"),
    "flow backwards": (named(x(5, 1, bind_id=1, flow_out=True),
                             x(1, 1, tid=2, bind_id=1, flow_in=True)), "before it leaves"),
    "partly overlapping": (named(x(0, 10, "first"), x(5, 10, "second")), "partly overlaps"),
    "overlap in a nest": (named(x(0, 10), x(1, 5, "child"), x(4, 4, "crossing")),
                          "'crossing', 4000–8000 ns) partly overlaps"),
    # 1.001 µs reads back as 1000 ns (1.001 * 1000.0 < 1001): the child ends 1 ns after it
    "overlap by truncation": (named(x(0, 1.001), x(0.001, 1.0, "child")), "partly overlaps"),
    "overlap with B/E": (named({"ph": "B", "ts": 0, "pid": 1, "tid": 1, "name": "b"},
                               {"ph": "E", "ts": 10, "pid": 1, "tid": 1}, x(5, 10)),
                         "partly overlaps"),
    "unnamed process": ({"traceEvents": [x(0, 1) | {"pid": 9}]}, "pid 9 has no process_name"),
    "unnamed thread": (named(x(0, 1, tid=3)), "(pid 1, tid 3) has no thread_name"),
    "unnamed implied thread": (named(
        {"ph": "M", "pid": 5, "name": "process_name", "args": {"name": "q"}},
        {"ph": "s", "ts": 0, "pid": 5, "name": "f", "cat": "c", "id": 1},
        {"ph": "f", "ts": 1, "pid": 5, "name": "f", "cat": "c", "id": 1}),
        "(pid 5, tid 5) has no thread_name"),
    "tid in two pids": (named({"ph": "M", "pid": 2, "tid": 1, "name": "process_name",
                               "args": {"name": "q"}}, x(0, 1), x(0, 1) | {"pid": 2}),
                        "tid 1 is used in pids [1, 2]"),
}


@pytest.mark.parametrize("case", BAD)
def test_the_checker_reports_each_broken_rule(case: str) -> None:
    trace, expected = BAD[case]
    problems = check_trace(trace)
    assert any(expected in p for p in problems), problems


def test_event_lines_are_the_cli_format() -> None:
    event = ev(3, 7, "queue_depth", depth=2)
    assert event_line(event) == '{"seq":3,"t":7,"kind":"queue_depth","depth":2}\n'
    assert list(read_events(["", event_line(event), "\n"])) == [event]
    with pytest.raises(ValueError, match="line 2 is not JSON"):
        list(read_events([event_line(event), "{nope"]))
    with pytest.raises(ValueError, match="line 1 is not an event object"):
        list(read_events(["[1]"]))
