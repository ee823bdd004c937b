"""Fan-out of server messages to every connected viewer, each with its own bounded queue.

Guarantees (all on the server's one event loop, so no locks):
- `broadcast` never blocks and never waits for a slow viewer.
- A viewer whose queue is full misses event batches, never control replies; the number of
  events it missed is reported to it as a `dropped` message before its next message.
- The run's own log (RunManager) is kept whole regardless: only a viewer's copy is lossy.
"""

from __future__ import annotations

import asyncio
from typing import Any

from schedviz.protocol import DroppedMessage

VIEWER_QUEUE_BATCHES = 512


class Viewer:
    """One websocket connection's outbox."""

    def __init__(self, maxsize: int = VIEWER_QUEUE_BATCHES) -> None:
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize)
        self.dropped = 0
        self.dropped_run: str | None = None

    def offer(self, message: dict[str, Any]) -> None:
        """Queue a message; an events batch that does not fit is counted as dropped."""
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            if message.get("type") != "events":
                raise
            self.dropped += len(message["events"])
            self.dropped_run = message.get("run_id")

    async def next_messages(self) -> list[dict[str, Any]]:
        """The next message to send, preceded by a `dropped` notice if this viewer fell behind."""
        message = await self.queue.get()
        if not self.dropped:
            return [message]
        notice = DroppedMessage(run_id=self.dropped_run, count=self.dropped).wire()
        self.dropped = 0
        return [notice, message]

    async def reply(self, message: dict[str, Any]) -> None:
        """Queue a reply to this viewer (waits for room rather than lose it)."""
        await self.queue.put(message)


class Hub:
    """The set of connected viewers."""

    def __init__(self) -> None:
        self._viewers: set[Viewer] = set()

    def subscribe(self) -> Viewer:
        viewer = Viewer()
        self._viewers.add(viewer)
        return viewer

    def unsubscribe(self, viewer: Viewer) -> None:
        self._viewers.discard(viewer)

    def broadcast(self, message: dict[str, Any]) -> None:
        for viewer in list(self._viewers):
            try:
                viewer.offer(message)
            except asyncio.QueueFull:
                # A status or error message to a viewer that is hopelessly behind: it will
                # get the current status from `hello` when it reconnects.
                viewer.dropped_run = viewer.dropped_run or message.get("run_id")

    def __len__(self) -> int:
        return len(self._viewers)
