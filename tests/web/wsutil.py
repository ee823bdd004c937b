"""Helpers for reading a schedviz websocket in tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.testclient import WebSocketTestSession

WS_URL = "ws://127.0.0.1/ws"


def receive_until(
    ws: WebSocketTestSession, pred: Callable[[dict[str, Any]], bool], limit: int = 10_000
) -> list[dict[str, Any]]:
    """Every message up to and including the first that satisfies `pred`."""
    seen: list[dict[str, Any]] = []
    for _ in range(limit):
        message = ws.receive_json()
        seen.append(message)
        if pred(message):
            return seen
    raise AssertionError(f"no matching message in {limit}")


def events_of(messages: list[dict[str, Any]], run_id: str | None = None) -> list[dict[str, Any]]:
    return [
        e for m in messages if m["type"] == "events" and (run_id is None or m["run_id"] == run_id)
        for e in m["events"]
    ]


def is_run_end(message: dict[str, Any]) -> bool:
    return message["type"] == "events" and any(e["kind"] == "run_ended" for e in message["events"])
