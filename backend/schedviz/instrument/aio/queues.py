"""A watched asyncio.Queue's size is recorded after each step that changed it, and only then.

Guarantees:
- Used on the loop's thread only, as the queues themselves are: `changed` runs after a step
  (either step timer calls it, through the Instrument, while any queue is watched).
"""

from __future__ import annotations

import asyncio
from typing import Any

from schedviz.instrument.aio.sites import Names
from schedviz.instrument.recorder import Recorder


class QueueWatch:
    """The queues a workload asked to watch, and the size each had when it was last recorded."""

    def __init__(self, recorder: Recorder, names: Names) -> None:
        self._rec = recorder
        self._names = names
        #: the watched queues: both step timers look at this list after every step
        self.queues: list[asyncio.Queue[Any]] = []
        self._sizes: list[int] = []

    def watch(self, queue: asyncio.Queue[Any], name: str) -> asyncio.Queue[Any]:
        """Report this queue's size whenever a step changed it."""
        self._names.name(queue, name)
        self.queues.append(queue)
        self._sizes.append(-1)
        return queue

    def changed(self, t: int) -> None:
        """A step ended at t: record the size of each queue it changed."""
        sizes = self._sizes
        for i, q in enumerate(self.queues):
            size = q.qsize()
            if size != sizes[i]:
                sizes[i] = size
                self._rec.record_at("aio_queue", t, self._names.of(q) or f"queue {i}", size,
                                    q.maxsize)
