"""The GIL lane's data, against real threads: who holds the GIL, and for how long."""

from __future__ import annotations

import hashlib
import itertools
import os
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from schedviz.instrument import gil
from schedviz.instrument.recorder import Recorder
from schedviz.lab.flusher import to_compact
from schedviz.protocol import expand, validate_event

module, why_not = gil.load()
needs_sampler = pytest.mark.skipif(module is None, reason=f"GIL sampler unavailable: {why_not}")


def spin(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass




def watch(targets: dict[str, Any], switch_interval_s: float = 0.005) -> list[dict[str, Any]]:
    """Run each named target in its own registered thread under a GilWatcher; its gil events."""
    rec = Recorder()
    watcher = gil.GilWatcher(rec, period_us=100)
    previous = sys.getswitchinterval()
    sys.setswitchinterval(switch_interval_s)
    try:
        watcher.start()
        threads = []
        for i, (name, fn) in enumerate(targets.items()):
            def run(name: str = name, fn: Any = fn, i: int = i) -> None:
                gil.register_current_thread(i, name)
                fn()
            threads.append(threading.Thread(target=run, name=name))
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        watcher.stop()
    finally:
        sys.setswitchinterval(previous)
    events = [expand(e) for e in to_compact(rec.drain(), 0, rec.t0)]
    for e in events:
        validate_event(e)
    return [e for e in events if e["kind"] in ("gil", "gil_sampler", "thread_state")]


def holding(events: list[dict[str, Any]]) -> dict[str | None, int]:
    """ns each holder (thread name, None = free) held the GIL, between consecutive changes."""
    changes = sorted((e for e in events if e["kind"] == "gil"), key=lambda e: e["t"])
    held: dict[str | None, int] = defaultdict(int)
    for a, b in itertools.pairwise(changes):
        held[a["thread"] if a["held"] else None] += b["t"] - a["t"]
    return held


@needs_sampler
def test_two_cpu_bound_threads_take_turns_on_the_gil() -> None:
    events = watch({"A": lambda: spin(0.6), "B": lambda: spin(0.6)})
    (started,) = [e for e in events if e["kind"] == "gil_sampler"]
    assert started["available"] and started["pid"] == os.getpid()
    held = holding(events)
    both = held["A"] + held["B"]
    assert 0.3 <= held["A"] / both <= 0.7 and 0.3 <= held["B"] / both <= 0.7
    holders = [e["thread"] for e in events if e["kind"] == "gil" and e["held"]]
    alternations = sum(1 for x, y in itertools.pairwise(holders)
                       if {x, y} == {"A", "B"})
    assert alternations >= 20, "0.6 s of contention at a 5 ms switch interval: many hand-offs"
    assert all(e["window_ns"] >= 0 for e in events if e["kind"] == "gil")


@needs_sampler
def test_sleeping_and_hashing_threads_hardly_hold_the_gil() -> None:
    data = bytes(50 * 1024 * 1024)  # made up front: filling 50 MB holds the GIL itself
    events = watch({"sleeper": lambda: time.sleep(0.4),
                    "hasher": lambda: hashlib.sha256(data).hexdigest(),
                    "spinner": lambda: spin(0.4)})
    held = holding(events)
    changes = sorted((e for e in events if e["kind"] == "gil"), key=lambda e: e["t"])
    span = changes[-1]["t"] - changes[0]["t"]
    assert held["sleeper"] < 0.05 * span
    assert held["hasher"] < 0.05 * span  # hashlib releases the GIL over large buffers
    assert held["spinner"] > 0.5 * span


@needs_sampler
def test_hand_offs_follow_the_switch_interval() -> None:
    def switches_per_second(interval: float) -> float:
        events = watch({"A": lambda: spin(0.4), "B": lambda: spin(0.4)}, interval)
        changes = [e for e in events if e["kind"] == "gil"]
        span = (max(e["t"] for e in changes) - min(e["t"] for e in changes)) / 1e9
        # `switches` counts hand-offs even when two fall between samples.
        return sum(e["switches"] for e in changes) / span

    slow, fast = switches_per_second(0.010), switches_per_second(0.002)
    # Loose bounds, for a noisy machine: two busy threads hand over about once per interval.
    # (Measured quiet here: ~100/s and ~400/s; a loaded machine slows every hand-off.)
    assert 30 <= slow <= 200, f"{slow:.0f} switches/s at a 10 ms switch interval"
    assert 100 <= fast <= 1000, f"{fast:.0f} switches/s at a 2 ms switch interval"
    assert fast > 1.5 * slow


def test_turned_off_says_why_and_the_run_goes_on(tmp_path: Path) -> None:
    config = tmp_path / "c.json"
    config.write_text('{"workload": "cpu", "n_tasks": 2, "task_ms": 20, "max_workers": 2}')
    out = tmp_path / "e.jsonl"
    env = {**os.environ, gil.DISABLE_ENV: "1"}
    proc = subprocess.run([sys.executable, "-m", "schedviz", "run", "--config", str(config),
                           "--events-out", str(out)], env=env, capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    text = out.read_text()
    assert '"kind":"gil"' not in text
    assert '"kind":"gil_sampler"' in text and '"available":false' in text
    assert gil.DISABLE_ENV in text


@needs_sampler
def test_pool_workers_are_named_by_their_worker_ids(tmp_path: Path) -> None:
    config = tmp_path / "c.json"
    config.write_text('{"workload": "cpu", "n_tasks": 4, "task_ms": 150, "max_workers": 2}')
    out = tmp_path / "e.jsonl"
    proc = subprocess.run([sys.executable, "-m", "schedviz", "run", "--config", str(config),
                           "--events-out", str(out)], capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    import json

    events = [json.loads(line) for line in out.read_text().splitlines()]
    workers = {e["worker"] for e in events if e["kind"] == "gil" and e["held"]}
    assert {0, 1} <= workers


@needs_sampler
def test_thread_states_tell_gil_waits_from_sleep_and_io() -> None:
    read_end, write_end = os.pipe()

    def read_pipe() -> None:
        os.read(read_end, 1)  # blocks in read() until the timer writes

    timer = threading.Timer(0.4, lambda: os.write(write_end, b"x"))
    timer.start()
    try:
        events = watch({"A": lambda: spin(0.4), "B": lambda: spin(0.4),
                        "sleeper": lambda: time.sleep(0.4), "reader": read_pipe})
    finally:
        timer.join()
        os.close(read_end)
        os.close(write_end)
    states: dict[str, set[str]] = defaultdict(set)
    for e in events:
        if e["kind"] == "thread_state":
            states[e["thread"]].add(e["state"])
    assert {"running", "gil_wait"} <= states["A"] and {"running", "gil_wait"} <= states["B"]
    assert "sleeping" in states["sleeper"] and "gil_wait" not in states["sleeper"]
    assert "io" in states["reader"]


@needs_sampler
def test_each_worker_process_has_its_own_gil_held_by_its_worker(tmp_path: Path) -> None:
    import json

    config = tmp_path / "c.json"
    config.write_text('{"executor": "processes", "start_method": "fork", "workload": "cpu", '
                      '"n_tasks": 4, "task_ms": 100, "max_workers": 2}')
    out = tmp_path / "e.jsonl"
    proc = subprocess.run([sys.executable, "-m", "schedviz", "run", "--config", str(config),
                           "--events-out", str(out)], capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in out.read_text().splitlines()]
    pids = {e["worker"]: e["native_id"] for e in events if e["kind"] == "worker_spawned"}
    samplers = {e["pid"] for e in events if e["kind"] == "gil_sampler" and e["available"]}
    assert set(pids.values()) <= samplers, "a GIL lane for every worker process"
    for worker, pid in pids.items():
        holders = {e["worker"] for e in events
                   if e["kind"] == "gil" and e["pid"] == pid and e["held"]}
        assert holders == {worker}, f"process {pid}'s GIL is held by its own worker only"
    states = {(e["pid"], e["worker"]) for e in events if e["kind"] == "thread_state"}
    for worker, pid in pids.items():
        assert (pid, worker) in states, f"worker {worker}'s own thread states, from process {pid}"


def test_thread_states_say_why_when_proc_cannot_be_read(tmp_path: Path) -> None:
    assert gil.states_unreadable() is None  # this machine can read them
    why = gil.states_unreadable(str(tmp_path))  # a /proc without the files
    assert why is not None
    assert "thread states are not shown" in why and "CAP_SYS_PTRACE" in why


@needs_sampler
def test_threads_started_after_many_have_exited_are_still_watched() -> None:
    # Live resizes start and retire many workers in one run: 300 watched threads exit here.
    for i in range(300):
        t = threading.Thread(target=gil.register_current_thread, args=(1000 + i,))
        t.start()
        t.join()
    events = watch({"sleeper": lambda: time.sleep(0.3)})
    seen = {e["state"] for e in events if e["kind"] == "thread_state" and e["thread"] == "sleeper"}
    assert "sleeping" in seen
