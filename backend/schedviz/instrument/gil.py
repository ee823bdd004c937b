"""Who holds this interpreter's GIL, from the `_gilsampler` extension, as run events.

The extension's own thread (no GIL) records each change of holder with its uncertainty window;
this module turns the thread-state pointers it reports into the worker ids and thread names of
the run, and records `gil` events whenever the recorder is drained. Pointers are only compared:
a thread registers its own pointer when it starts (a pool's initializer does it), and a pointer
reused by a new thread is simply registered again.

It also reports, from /proc, what each pool worker thread is doing (on a CPU, waiting for the
GIL, for another lock, sleeping, in I/O): the extension's thread reads it, so that looking does
not itself take the GIL and wake the waiters.

Degrades clearly, never silently: without the extension (no compiler at install, a Python it
does not know), on a free-threaded build, when SCHEDVIZ_NO_GIL_SAMPLER is set, or if the layout
check fails, `GilWatcher` records one `gil_sampler` event with available=false and the reason.

Guarantees:
- `register_current_thread` may be called from any thread; it costs one dict store.
- Events are recorded only from `pull`, which the recorder's drain runs: never on a worker.
"""

from __future__ import annotations

import functools
import os
import sys
import threading
import time
from types import ModuleType
from typing import Any

from schedviz.instrument.recorder import Recorder

DISABLE_ENV = "SCHEDVIZ_NO_GIL_SAMPLER"
DEFAULT_PERIOD_US = 250  # measured: 100 µs cost 2 hashing threads on 2 cores ~40 %; 250 µs ~2 %

#: thread-state pointer -> (worker id or None, thread name); shared by every watcher here
_threads: dict[int, tuple[int | None, str]] = {}
#: OS thread id -> (worker id or None, thread name), for the thread states
_tids: dict[int, tuple[int | None, str]] = {}

STATES = {"R": "running", "G": "gil_wait", "L": "lock_wait", "S": "sleeping", "I": "io",
          "D": "disk", "X": "other"}


def load() -> tuple[ModuleType | None, str | None]:
    """The sampler module, or None and why it cannot be used in this interpreter."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    if os.environ.get(DISABLE_ENV):
        return None, f"the GIL sampler is turned off ({DISABLE_ENV} is set)"
    is_gil_enabled = getattr(sys, "_is_gil_enabled", None)
    if is_gil_enabled is not None and not is_gil_enabled():
        return None, "this is a free-threaded Python: there is no GIL to show"
    try:
        from schedviz import _gilsampler as module
    except ImportError as exc:
        return None, (
            f"the GIL sampler extension is not built for Python {version} ({exc}); "
            "reinstall with a C compiler present (make run does this) to get the GIL lane"
        )
    state = module.check()
    expected_us = round(sys.getswitchinterval() * 1e6)
    if not (state["locked"] == 1 and state["held_by_caller"]
            and state["interval_us"] == expected_us):
        return None, (
            f"the GIL sampler does not understand this interpreter's GIL layout (Python "
            f"{version}: {state}); the GIL lane is off rather than wrong"
        )
    return module, None


def register_current_thread(worker: int | None, name: str | None = None) -> None:
    """Name the calling thread in GIL events (pool workers by id, others by name)."""
    module = _loaded()
    if module is not None:
        who = (worker, name or threading.current_thread().name)
        _threads[module.tstate()] = who
        if worker is not None:  # pool workers get a state strip; the lab's own threads do not
            tid = threading.get_native_id()
            _tids[tid] = who
            module.watch(tid)


def states_unreadable(proc: str = "/proc") -> str | None:
    """Why thread states cannot be read here, or None when they can.

    Read once, at the start of a run, from the calling thread: the sampler's thread reads the
    same files later and, without them, reports every waiting thread as "other".
    """
    path = f"{proc}/self/task/{threading.get_native_id()}/syscall"
    try:
        with open(path, "rb") as f:
            f.read()
    except OSError as exc:
        return (
            f"thread states are not shown: {path} cannot be read ({exc.strerror}); reading "
            "it needs ptrace rights (in a container: CAP_SYS_PTRACE). The GIL lane still works"
        )
    return None


@functools.cache
def _loaded() -> ModuleType | None:
    return load()[0]


def _gil_events(
    records: list[tuple[int, int, int, int, int]], pid: int, last_switches: int | None
) -> tuple[list[tuple[Any, ...]], int | None]:
    """The sampler's records as raw `gil` tuples, and the switch count after the last one."""
    out = []
    for t, prev_t, holder, switches, gap in records:
        worker, name = _threads.get(holder, (None, "another thread")) if holder else (None, None)
        counted = 0 if last_switches is None else switches - last_switches
        last_switches = switches
        out.append(("gil", t, pid, bool(holder), worker, name, t - prev_t, counted, bool(gap)))
    return out, last_switches


class GilWatcher:
    """Samples this process's GIL during a run and records what it saw."""

    def __init__(self, recorder: Recorder, period_us: int = DEFAULT_PERIOD_US) -> None:
        self._rec = recorder
        self._period_ns = period_us * 1000
        self._module, self.reason = load()
        self._last_switches: int | None = None
        self._started = False

    @property
    def available(self) -> bool:
        return self._module is not None

    def start(self) -> None:
        """Start sampling (if possible) and say so in a `gil_sampler` event."""
        pid = os.getpid()
        module = self._module
        if module is None:
            self._rec.record("gil_sampler", pid, False, self._period_ns, self.reason, False)
            return
        register_current_thread(None)
        module.drain()  # what another run left behind is not ours
        module.start(self._period_ns)
        self._started = True
        self._rec.add_drain_hook(self.pull)
        info = module.info()
        caveat = None if info["fifo"] else (
            "the sampler could not get real-time priority: on a busy machine its wake-ups "
            "can be a few ms late, and the hatched windows longer"
        )
        self._rec.record("gil_sampler", pid, True, self._period_ns, caveat, bool(info["fifo"]))
        missing = states_unreadable()
        if missing:
            self._rec.record("warning", missing)

    def pull(self) -> None:
        """Record the holder changes the sampler saw since the last pull."""
        if self._module is None or not self._started:
            return
        records, lost = self._module.drain()
        pid = os.getpid()
        rec = self._rec
        events, self._last_switches = _gil_events(records, pid, self._last_switches)
        for event in events:
            rec.record_at(*event)
        if lost:
            rec.record("warning", f"the GIL sampler dropped {lost} changes (its buffer was "
                                  "full): the GIL lane has a gap")
        for t, tid, code, syscall in self._module.drain_states():
            worker, name = _tids.get(tid, (None, None))
            rec.record_at("thread_state", t, pid, worker, name,
                          STATES.get(code.decode(), "other"), syscall if syscall >= 0 else None)

    def stop(self) -> None:
        if self._module is not None and self._started:
            self._module.stop()
            self.pull()
            self._started = False


class ProcessGil:
    """The GIL sampler inside a process-pool worker: one GIL lane per process.

    A worker has no thread of its own to send events: what the sampler saw goes back to the
    lab with each task's result (see worker.py). The worker's own thread is named by the pid
    in the `worker` field, which the lab turns into the worker's id.
    """

    def __init__(self, period_us: int) -> None:
        self._module, self.reason = load()
        self._period_ns = period_us * 1000
        self._last_switches: int | None = None

    def start(self, pid: int) -> tuple[Any, ...]:
        """Start sampling here; the `gil_sampler` event that says so, as a raw tuple."""
        module = self._module
        if module is None:
            return ("gil_sampler", time.monotonic_ns(), pid, False, self._period_ns,
                    self.reason, False)
        _threads[module.tstate()] = (pid, "worker")
        module.drain()  # a forked child inherits the lab's unread changes: not its own
        module.drain_states()
        module.watch(threading.get_native_id())
        module.start(self._period_ns)
        return ("gil_sampler", time.monotonic_ns(), pid, True, self._period_ns, None,
                bool(module.info()["fifo"]))

    def drain(self, pid: int) -> list[tuple[Any, ...]]:
        """The holder changes since the last drain, as raw `gil` tuples."""
        if self._module is None:
            return []
        records, _lost = self._module.drain()
        events, self._last_switches = _gil_events(records, pid, self._last_switches)
        # The worker's one thread: its `worker` slot holds the pid, which the lab turns into
        # the worker's id like every other worker event.
        events.extend(
            ("thread_state", t, pid, pid, "worker", STATES.get(code.decode(), "other"),
             syscall if syscall >= 0 else None)
            for t, _tid, code, syscall in self._module.drain_states()
        )
        return events
