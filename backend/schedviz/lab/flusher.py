"""Drains a run's Recorder every ~30 ms into numbered batches of at most 500 compact events.

Guarantees:
- `seq` is gap-free from 0 across all batches of a run, in drain order.
- Every recorded event is emitted exactly once, including those recorded just before `close()`.
- Derived samples (queue depth, dropped-event warnings) are events of the run too, with seq.
- A flush that raises never stops the thread: the events it had not sent are lost (counted),
  an `error` event says so and why, and `on_failure` is told once, so that the run ends with
  that error; a run_ended among the lost events is recorded again, with reason error.
  `close()` raises only if sending that report fails too.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable

from schedviz.instrument import aio, gil
from schedviz.instrument.common import Deferred, short_repr
from schedviz.instrument.recorder import Recorder
from schedviz.protocol import FIELDS, CompactEvent, RawEvent, compact

BATCH_INTERVAL_S = 0.03
BATCH_MAX_EVENTS = 500

Emit = Callable[[list[CompactEvent]], None]
#: told the error message when a flush failed and lost events: the run should end with it
OnFailure = Callable[[str], None]


class Flusher:
    """Owns the run's `seq` counter and the one thread that turns raw tuples into batches."""

    def __init__(self, recorder: Recorder, emit: Emit, interval_s: float = BATCH_INTERVAL_S,
                 on_failure: OnFailure | None = None) -> None:
        self._rec = recorder
        self._emit = emit
        self._interval = interval_s
        self._on_failure = on_failure
        #: the error message of the first flush that failed, if one did
        self.failure: str | None = None
        self._seq = 0
        self._depth = 0
        self._moved: set[int] = set()  # moved, not yet submitted to the new pool
        self._reported_depth = 0
        self._reported_dropped = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()  # flush() may be called by the driver as well
        self._thread = threading.Thread(target=self._loop, name="schedviz-flusher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _loop(self) -> None:
        gil.register_current_thread(None)  # named in the GIL lane, not "another thread"
        while not self._stop.wait(self._interval):
            self.flush()

    def flush(self) -> bool:
        """Send everything recorded so far; False if that failed (and was reported as such)."""
        with self._lock:
            raw: list[RawEvent] = []
            sent = 0
            try:
                raw = self._rec.drain()
                raw.extend(self._derived(raw))
                # run_ended stays the run's last event, after what was derived from its batch.
                raw.sort(key=lambda ev: ev[0] == "run_ended")
                for i in range(0, len(raw), BATCH_MAX_EVENTS):
                    batch = to_compact(raw[i : i + BATCH_MAX_EVENTS], self._seq, self._rec.t0)
                    self._emit(batch)
                    self._seq += len(batch)  # only once sent: a failed batch leaves no gap
                    sent = i + len(batch)
                return True
            except Exception as exc:
                first = self._failed(exc, raw[sent:])
        # Outside the lock: the run's reaction (stopping it) may record events meanwhile.
        if first and self._on_failure is not None and not self._stop.is_set():
            self._on_failure(first)
        return False

    def _failed(self, exc: Exception, lost: list[RawEvent]) -> str | None:
        """Record what a failed flush lost; its message if it is the run's first failure."""
        traceback.print_exception(exc)  # the lab's stderr is the server's console
        message = f"the event flusher failed: {exc!r}; events lost: {len(lost)}; the run ends"
        self._rec.record("error", message)
        if any(ev[0] == "run_ended" for ev in lost):  # the run's end is still said, last
            self._rec.record("run_ended", "error", message)
        if self.failure is not None:
            return None
        self.failure = message
        return message

    def _derived(self, raw: list[RawEvent]) -> list[RawEvent]:
        """Queue-depth sample and dropped-event warning implied by this drain."""
        out: list[RawEvent] = []
        changed_at = 0
        for ev in raw:
            kind = ev[0]
            if kind == "task_submitted":
                # A moved task's submit to its new pool does not make the queue longer.
                if ev[2] in self._moved:
                    self._moved.discard(ev[2])
                else:
                    self._depth += 1
                    changed_at = max(changed_at, ev[1])
            elif kind == "task_moved":
                self._moved.add(ev[2])
            elif kind in ("task_started", "task_cancelled"):
                self._moved.discard(ev[2])
                self._depth -= 1
                changed_at = max(changed_at, ev[1])
        now = time.monotonic_ns()
        if self._depth != self._reported_depth:
            # Stamped at the last change it reflects, not at the flush, so the track is not late.
            self._reported_depth = self._depth
            out.append(("queue_depth", changed_at, self._depth))
        dropped = self._rec.dropped
        if dropped != self._reported_dropped:
            out.append(
                (
                    "warning",
                    now,
                    f"{dropped - self._reported_dropped} events were dropped because the "
                    "recording buffer was full; the timeline has gaps",
                )
            )
            self._reported_dropped = dropped
        return out

    def close(self) -> None:
        """Stop the thread and send what is left (after a failure: its report, once more)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        if not self.flush() and not self.flush():
            raise RuntimeError(f"the end of the run could not be sent: {self.failure}")


def to_compact(raw: list[RawEvent], seq0: int, t0: int) -> list[CompactEvent]:
    """Raw tuples as compact events numbered from `seq0`, deferred reprs taken."""
    out: list[CompactEvent] = []
    append = out.append
    for i, ev in enumerate(raw, seq0):
        if ev[0] == "aio_step":
            # One per asyncio step (the busiest kind by far), so its own short path; every
            # run's events are validated against the schema in the tests, layout included.
            what = ev[6]
            if type(what) is not str:
                what = _awaiting(what)
            append([i, ev[1] - t0, "aio_step", ev[2], ev[3], ev[4], ev[5], what, ev[7], ev[8]])
        else:
            append(compact(_resolve(ev), i, t0))
    return out


#: what a step awaited (code object, type or ("sleep", delay)) -> its words; code objects and
#: types by id (hashing a code object hashes its bytecode), kept alive with their words
_AWAITING_WORDS: dict[object, tuple[object, str]] = {}


def _awaiting(what: object) -> str:
    key = what if type(what) is tuple else id(what)
    known = _AWAITING_WORDS.get(key)
    if known is None:
        if len(_AWAITING_WORDS) > 10_000:  # sleep delays of every value: keep it bounded
            _AWAITING_WORDS.clear()
        known = _AWAITING_WORDS[key] = (what, aio.describe(what))
    return known[1]


#: kind -> positions in a raw tuple `(kind, t, *fields)` that may hold a Deferred repr
DEFERRING = {
    kind: tuple(2 + FIELDS[kind].index(f) for f in ("args", "result", "error")
                if f in FIELDS[kind])
    for kind in ("task_submitted", "task_finished")
}


def _resolve(ev: RawEvent) -> RawEvent:
    """Take the reprs the hot path deferred (see common.Deferred, aio.task_name)."""
    if ev[0] == "aio_task" and type(ev[3]) is not str:
        return (*ev[:3], aio.task_name(ev[3]), *ev[4:])
    slots = DEFERRING.get(ev[0])
    if slots is None:
        return ev
    out = None
    for i in slots:
        if type(ev[i]) is Deferred:
            out = out or list(ev)
            out[i] = short_repr(ev[i].obj)
    return ev if out is None else tuple(out)
