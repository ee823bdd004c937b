"""A bounded, thread-safe buffer of hot-path event tuples that a flusher drains in batches.

Guarantees:
- `record` may be called from any thread; it never blocks and never raises. It costs one
  `monotonic_ns()` call, one tuple and one `deque.append` (atomic under the GIL).
- When the buffer is full an event is counted in `dropped` instead of stored, so a stalled
  flusher can never exhaust memory or slow the workers; the flusher reports the count.
- `drain` returns events in the order they were appended; each appears exactly once.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # Only a type: the protocol module brings pydantic, which a pool's worker process (and a
    # traced program) must not pay to import.
    from schedviz.protocol import RawEvent

DEFAULT_CAPACITY = 1_000_000


class Recorder:
    """Collects `(kind, t_abs_ns, *fields)` tuples for one run."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._buf: deque[RawEvent] = deque()
        self._capacity = capacity
        self.dropped = 0
        #: monotonic ns of t = 0 for this run; the flusher subtracts it.
        self.t0 = time.monotonic_ns()
        self._drain_hooks: list[Callable[[], None]] = []

    def add_drain_hook(self, hook: Callable[[], None]) -> None:
        """Run `hook` before each drain: a pool records there what it only notices late."""
        self._drain_hooks.append(hook)

    def record(self, kind: str, *fields: Any) -> None:
        """Append one event stamped now; count it as dropped if the buffer is full."""
        if len(self._buf) >= self._capacity:
            self.dropped += 1
            return
        self._buf.append((kind, time.monotonic_ns(), *fields))

    def record_at(self, kind: str, t_abs_ns: int, *fields: Any) -> None:
        """Append one event with a timestamp taken earlier by the caller."""
        if len(self._buf) >= self._capacity:
            self.dropped += 1
            return
        self._buf.append((kind, t_abs_ns, *fields))

    def drain(self, limit: int | None = None) -> list[RawEvent]:
        """Remove and return up to `limit` buffered events (all when None), oldest first."""
        for hook in list(self._drain_hooks):
            hook()
        buf = self._buf
        n = len(buf) if limit is None else min(limit, len(buf))
        # popleft is atomic; appends racing with this loop simply wait for the next drain.
        return [buf.popleft() for _ in range(n)]

    def __len__(self) -> int:
        return len(self._buf)
