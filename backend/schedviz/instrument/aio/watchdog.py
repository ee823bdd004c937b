"""A step over the slow-step threshold is reported at the line blocking the loop, while it blocks.

A watchdog thread looks at the loop thread's current frame (`sys._current_frames`, a documented
function) when the step that runs now has run longer than the threshold, so a step that blocks
the loop is named by its source line while the user still waits for it. When the step ends,
the step timer reports it again with its whole duration, at the line the watchdog saw (the
exact line, where the yield site would only say where the step ended).

Guarantees:
- The watchdog thread only reads the step state the loop thread writes (`current`,
  `step_t0`), and reports a step only if it is still the one running after its frame was
  read; the one thing it writes is that step's `blocked_at`, read once the step has ended.
- `stop` joins the thread: no aio_blocked event of this loop is recorded after it returns.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import TYPE_CHECKING

from schedviz.instrument.aio.sites import is_user_code, source_line

if TYPE_CHECKING:
    from schedviz.instrument.aio.steps import Instrument, StepTimer

_now = time.monotonic_ns


class SlowSteps:
    """The slow steps of one Instrument's loop: the watchdog and the report of each."""

    def __init__(self, inst: Instrument) -> None:
        self._inst = inst
        self._rec = inst.rec
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._watch, name="schedviz-loop-watchdog",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def ended(self, timer: StepTimer, t0: int, dur: int, file: str | None,
              line: int | None) -> None:
        """A step that began at t0 ran `dur` ns, longer than the threshold, and has ended."""
        seen = timer.blocked_at
        timer.blocked_at = None
        if seen is not None:  # the watchdog saw where it was blocked: the exact line
            file, line = seen
        text = source_line(file, line) if file and line else ""
        self._rec.record_at("aio_blocked", t0, timer.task_id, dur, file, line, text, False)
        where = f" at {os.path.basename(file)}:{line}: {text}" if file and line else ""
        self._rec.record("warning", f"{timer.name} blocked the loop for {dur / 1e6:.0f} ms"
                                    f"{where}; no other task ran meanwhile")

    def _watch(self) -> None:
        inst = self._inst
        reported = 0
        while not self._stop.is_set():
            period = min(max(inst.slow_ns / 4e9, 0.001), 0.02)
            if self._stop.wait(period):
                return
            timer, t0 = inst.current, inst.step_t0
            if timer is None or t0 == reported or _now() - t0 <= inst.slow_ns:
                continue
            frame = sys._current_frames().get(inst.loop_thread or 0)
            while frame is not None and not is_user_code(frame.f_code):
                frame = frame.f_back
            if frame is None or inst.current is not timer or inst.step_t0 != t0:
                continue
            reported = t0
            file, line = frame.f_code.co_filename, frame.f_lineno
            timer.blocked_at = (file, line)
            text = source_line(file, line)
            self._rec.record_at("aio_blocked", t0, timer.task_id, _now() - t0, file, line, text,
                                True)
