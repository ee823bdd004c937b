"""One trace: from run_started to run_ended, what the program ran, into the trace's sinks.

The rule: a trace is a run like the lab's (one Recorder, one id source, a Flusher that turns
raw events into numbered batches, the GIL sampler, memory samples), except that the program,
not a driver, makes the work: while the trace is active, the program's executors, event
loops and threads are the instrumented ones (executors.py, aio.py, threads.py). Each batch
goes, as wire events, to every sink in turn (sinks.py); the live push is one more sink.
Python's own warnings and asyncio's reports are noted too (pywarnings.py).

At most one trace is active in a process: `active()` is it (a `with schedviz.trace()` inside
a traced program joins the trace that runs already).

Guarantees:
- `start` opens every sink before anything is patched (a refusing sink leaves nothing
  changed and the program not run); `stop` unpatches, ends the main thread's lane, records
  run_ended last, flushes, then closes every sink, also after a sink failed.
- A sink that fails while taking events is dropped with one warning on stderr; the others
  and the program go on.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from schedviz.instrument.common import RunIds
from schedviz.instrument.gil import DEFAULT_PERIOD_US, GilWatcher
from schedviz.instrument.memory import MemorySampler
from schedviz.instrument.recorder import Recorder
from schedviz.lab.flusher import Flusher
from schedviz.protocol import SCHEMA_VERSION, CompactEvent, expand
from schedviz.trace import pywarnings
from schedviz.trace.aio import Loops, default_workers
from schedviz.trace.executors import Executors
from schedviz.trace.sinks import Sink, SinkRefused, TraceMeta
from schedviz.trace.sources import FileNames, program_files, source_json
from schedviz.trace.threads import ThreadLanes, started_by_program

_active: TraceSession | None = None
_active_lock = threading.Lock()


def active() -> TraceSession | None:
    """The trace running in this process, if one is."""
    return _active


class TraceSession:
    """One trace of a program (or of a `with schedviz.trace()` block) into `sinks`."""

    def __init__(self, name: str, sinks: Sequence[Sink], *, config: dict[str, Any] | None = None,
                 root: Path | None = None, main_file: Path | None = None,
                 gil_period_us: int = DEFAULT_PERIOD_US) -> None:
        self.run_id = uuid.uuid4().hex[:12]
        self.meta = TraceMeta(self.run_id, name, dict(config or {}), root)
        self.sinks = list(sinks)
        self.main_file = main_file
        self.recorder = Recorder()
        self.ids = RunIds()
        self._gil = GilWatcher(self.recorder, gil_period_us)
        period = gil_period_us if self._gil.available else None
        self.executors = Executors(self.recorder, self.ids, period)
        self.loops = Loops(self.recorder, self.ids, self._offload_pool)
        self.threads = ThreadLanes(self.recorder, self.ids)
        self._memory = MemorySampler(self.recorder, self._processes)
        self._flusher = Flusher(self.recorder, self._emit)
        self._files = FileNames()
        self.events = 0
        self.reason: str | None = None

    # -- the run ---------------------------------------------------------------------------

    def start(self) -> None:
        """Open the sinks (SinkRefused: nothing else happened), then begin tracing."""
        global _active
        opened: list[Sink] = []
        try:
            for sink in self.sinks:
                sink.open(self.meta)
                opened.append(sink)
        except BaseException:
            for sink in opened:
                sink.close("error", self.meta)
            raise
        with _active_lock:
            if _active is not None:
                for sink in opened:
                    sink.close("error", self.meta)
                raise SinkRefused("a trace is already running in this process")
            _active = self
        rec = self.recorder
        rec.record_at("run_started", rec.t0, self.run_id,
                      time.time_ns() - (time.monotonic_ns() - rec.t0), SCHEMA_VERSION,
                      self.meta.config)
        self._flusher.start()
        self._gil.start()  # registers this thread nameless: the lane below names it
        self.threads.install()
        self._memory.start()
        self.executors.install()
        self.loops.install()
        pywarnings.install(rec, self._own_file)

    def stop(self, reason: str, message: str | None = None) -> None:
        """End the trace: run_ended (completed, stopped or error) last; every sink closed."""
        global _active
        self.reason = reason
        try:
            pywarnings.uninstall()
            self.loops.remove()
            self.executors.remove()
            self.threads.close()
            self._memory.stop()
            self._gil.stop()
            self.recorder.record("run_ended", reason, message)
            self._flusher.close()
            named = program_files(self._files.files, self.meta.root or Path.cwd(),
                                  self.main_file)
            self.meta.files = [os.fspath(p) for p in named]
            self.meta.source = source_json(named)
        finally:
            for sink in self.sinks:
                try:
                    sink.close(reason, self.meta)
                except Exception as exc:  # the others still close
                    sys.stderr.write(f"schedviz trace: {type(sink).__name__} failed to "
                                     f"close: {exc}\n")
            with _active_lock:
                _active = None

    # -- events ----------------------------------------------------------------------------

    def _emit(self, batch: list[CompactEvent]) -> None:
        events = [expand(compact) for compact in batch]
        self._files.take(events)
        self.events += len(events)
        for sink in list(self.sinks):
            try:
                sink.events(events)
            except Exception as exc:
                self.sinks.remove(sink)
                sys.stderr.write(f"schedviz trace: {type(sink).__name__} stopped taking "
                                 f"events: {exc}\n")
                with contextlib.suppress(Exception):
                    sink.close("error", self.meta)

    def _own_file(self, filename: str) -> bool:
        """A file of the program's own: under its folder, not the library's or schedviz's."""
        root = self.meta.root
        return started_by_program(filename) and (
            root is None or os.path.abspath(filename).startswith(str(root) + os.sep))

    def _processes(self) -> dict[int, int | None]:
        out: dict[int, int | None] = {os.getpid(): None}
        out.update(self.executors.worker_pids())
        return out

    def _offload_pool(self) -> Any:
        """The default executor of a traced loop: an instrumented pool of asyncio's size."""
        return self.executors.thread_pool(default_workers(), "asyncio")
