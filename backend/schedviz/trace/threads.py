"""Every thread the program starts gets a lane: worker_spawned when it runs, worker_exited after.

The rule: a program thread is the main thread, or a `threading.Thread` whose `start()` was
called from the program's code (not the standard library's, not schedviz's): so the program's
own threads and timers get lanes, while a pool's workers (announced by the pool, with their
tasks), an executor's manager thread, a queue's feeder and schedviz's own threads do not.
Their lanes belong to no pool (`pool` null, protocol v5). Each is named in the GIL lane and
gets a thread-state strip, as pool workers do.

How: `Thread.start` is wrapped while tracing; for a program thread it sets the instance's `run`
to a wrapper (an instance attribute, so a subclass's own `run` is the one wrapped) that records
the lane's start on the new thread itself (its name and native id), runs the original, and
records its exit, also when it raised.

Guarantees:
- Each program thread's lane starts before anything it runs records, and ends after.
- `remove` puts `Thread.start` back; threads already running still end their lanes.
- The main thread's lane starts at `install` and ends at `close`.
"""

from __future__ import annotations

import os
import sys
import sysconfig
import threading
from collections.abc import Callable
from typing import Any

from schedviz.instrument import futures, gil
from schedviz.instrument.common import RunIds
from schedviz.instrument.recorder import Recorder

_LIBRARY = tuple(
    os.path.normcase(p) + os.sep
    for p in {sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"]}
)
_SCHEDVIZ = os.path.normcase(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))) + os.sep
_original_start = threading.Thread.start


def started_by_program(filename: str) -> bool:
    """Whether code in `filename` is the program's (not the standard library, not schedviz)."""
    path = os.path.normcase(os.path.abspath(filename))
    return not (path.startswith(_LIBRARY) or path.startswith(_SCHEDVIZ)
                or filename.startswith("<frozen"))


class ThreadLanes:
    """The lanes of the program's threads in one trace."""

    def __init__(self, recorder: Recorder, ids: RunIds) -> None:
        self._rec = recorder
        self._ids = ids
        self._main: int | None = None
        self._installed = False

    def install(self) -> None:
        """Give the calling (main) thread its lane and wrap Thread.start."""
        self._main = self.announce(threading.current_thread())
        lanes = self

        def start(thread: threading.Thread) -> None:
            caller = sys._getframe(1).f_code.co_filename
            if lanes._installed and started_by_program(caller):
                lanes.wrap(thread)
            _original_start(thread)

        start.__doc__ = _original_start.__doc__
        threading.Thread.start = start  # type: ignore[method-assign,assignment]
        self._installed = True

    def announce(self, thread: threading.Thread) -> int:
        """Record the calling thread's lane (it must be `thread`); its worker id."""
        worker = next(self._ids.workers)
        self._rec.record("worker_spawned", worker, None, thread.name, threading.get_native_id())
        gil.register_current_thread(worker, thread.name)
        futures.current.lane = worker  # its waits and the callbacks it runs name this lane
        return worker

    def wrap(self, thread: threading.Thread) -> None:
        run: Callable[[], Any] = thread.run
        rec = self._rec

        def traced_run() -> None:
            worker = self.announce(thread)
            try:
                run()
            finally:
                rec.record("worker_exited", worker, None, None)

        thread.run = traced_run  # type: ignore[method-assign]

    def remove(self) -> None:
        if self._installed:
            threading.Thread.start = _original_start  # type: ignore[method-assign]
            self._installed = False

    def close(self) -> None:
        """The main thread's lane ends (the trace ends with it)."""
        self.remove()
        if self._main is not None:
            self._rec.record("worker_exited", self._main, None, None)
            self._main = None
            futures.current.lane = None  # the lane ended (close runs in the thread install ran in)
