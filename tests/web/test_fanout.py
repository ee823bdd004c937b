"""Fan-out: a slow viewer loses event batches (and is told how many), never blocks the others."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any

from schedviz.web.fanout import Hub, Viewer


def run_in_own_loop(coro: Coroutine[Any, Any, None]) -> None:
    """asyncio.run on a thread of its own: the browser tests' driver keeps a loop running here."""
    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coro)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def _batch(n: int) -> dict[str, object]:
    return {"type": "events", "run_id": "r", "events": [{"seq": i} for i in range(n)]}


def test_full_viewer_counts_dropped_events_and_reports_them_first() -> None:
    async def scenario() -> None:
        hub = Hub()
        slow, fast = Viewer(maxsize=2), hub.subscribe()
        hub._viewers.add(slow)
        for n in (1, 2, 3, 4):
            hub.broadcast(_batch(n))
        assert slow.dropped == 7  # batches of 3 and 4 did not fit
        first = await slow.next_messages()
        assert first[0] == {"type": "dropped", "run_id": "r", "count": 7}
        assert len(first[1]["events"]) == 1  # type: ignore[arg-type]
        assert slow.dropped == 0 and len(await slow.next_messages()) == 1
        assert fast.queue.qsize() == 4 and fast.dropped == 0

    run_in_own_loop(scenario())


def test_unsubscribed_viewer_gets_nothing() -> None:
    async def scenario() -> None:
        hub = Hub()
        viewer = hub.subscribe()
        hub.unsubscribe(viewer)
        hub.broadcast(_batch(1))
        assert viewer.queue.empty() and len(hub) == 0

    run_in_own_loop(scenario())
