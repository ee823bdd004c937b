"""A scripted server for page tests: the test plays the server's side of the websocket and the
HTTP API, so states that are hard to provoke from a real lab are checked deterministically.
The `fake` fixture is made available to every page test by conftest.py."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, WebSocketRoute, expect

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
SCENARIOS = [{"id": "demo", "title": "Demo preset", "description": "A preset for tests.",
              "config": {"executor": "threads", "workload": "cpu", "n_tasks": 7, "task_ms": 50,
                         "hash_mb": 8, "arrival": "batch", "rate": 10, "duration_s": 30,
                         "max_workers": 5, "fail_every": 0}},
             # Process presets are full RunConfig dicts, as the server dumps them.
             {"id": "proc", "title": "Chunks on a process pool", "description": "map() in chunks.",
              "config": {"executor": "processes", "workload": "sleep", "n_tasks": 32,
                         "task_ms": 20, "hash_mb": 8, "arrival": "batch", "rate": 10,
                         "duration_s": 30, "max_workers": 2, "fail_every": 0,
                         "start_method": "fork", "submit_mode": "map", "chunksize": 8,
                         "map_batch": 16, "payload_numbers": 0, "kill_every": 3,
                         "on_broken": "restart"}}]


class FakeServer:
    """Plays the server's side of /ws and answers /api/* for one page."""

    def __init__(self, page: Page, base: str, run: dict[str, Any] | None) -> None:
        self.page = page
        self.run = run
        self.sockets: list[WebSocketRoute] = []
        self.received: list[dict[str, Any]] = []
        self.on_connect: Callable[[WebSocketRoute], None] = lambda ws: None
        page.route(f"{base}/api/scenarios", lambda r: r.fulfill(json=SCENARIOS))
        page.route(f"{base}/api/runs/current", lambda r: r.fulfill(json={"run": self.run}))
        page.route_web_socket(f"{base.replace('http', 'ws')}/ws", self._accept)

    def _accept(self, ws: WebSocketRoute) -> None:
        self.sockets.append(ws)
        ws.on_message(lambda m: self.received.append(json.loads(m)))
        ws.send(json.dumps({"type": "hello", "schema_version": _schema_version(self.page),
                            "run": self.run}))
        self.on_connect(ws)

    def send(self, message: dict[str, Any]) -> None:
        self.sockets[-1].send(json.dumps(message))


def _schema_version(page: Page) -> int:
    version: int = page.evaluate("async () => (await import('/protocol.js')).SCHEMA_VERSION")
    return version


@pytest.fixture
def fake(page: Page, static_server: str) -> Iterator[FakeServer]:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_viewport_size({"width": 1400, "height": 950})
    server = FakeServer(page, static_server, None)
    # Record what the page sends, so tests wait on the page itself rather than on a timer.
    page.add_init_script("""
        window.__sent = [];
        const send = WebSocket.prototype.send;
        WebSocket.prototype.send = function (data) {
            window.__sent.push(JSON.parse(data));
            return send.call(this, data);
        };
    """)
    page.goto(f"{static_server}/index.html")
    expect(page.locator("#connection")).to_have_attribute("data-state", "open")
    yield server
    assert not errors, f"uncaught errors in the page: {errors}"


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def status(run_id: str, state: str = "running") -> dict[str, Any]:
    return {"type": "status", "run": {"run_id": run_id, "state": state, "config": {}}}


def sent_messages(page: Page, kind: str) -> list[dict[str, Any]]:
    """Control messages of `kind` the page has sent, once there is at least one."""
    page.wait_for_function("(k) => window.__sent.some(m => m.type === k)", arg=kind)
    sent: list[dict[str, Any]] = page.evaluate(
        "(k) => window.__sent.filter(m => m.type === k)", kind)
    return sent


