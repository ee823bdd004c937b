"""/ws/trace: a trace pushed by the traced program's process (trace/push.py's LiveSink) is shown
live like a lab run and recorded; only this user on this machine may push one."""

from __future__ import annotations

import json
import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect
from wsutil import WS_URL, events_of, is_run_end, receive_until

from realruns import schedviz_command
from schedviz.trace.push import LiveSink, NoServer, read_live_file
from schedviz.trace.sinks import SinkRefused, TraceMeta
from schedviz.web.app import create_app
from schedviz.web.tracepush import LIVE_FILE_NAME, MAX_BATCH_EVENTS

BASE = "http://127.0.0.1"
TRACE_URL = "ws://127.0.0.1/ws/trace"
PORT = 8765
CONFIG = {"program": "demo.py", "argv": ["demo.py", "--n", "12"]}


class Peer:
    """The address the app sees the next connection come from (the ASGI scope's client)."""

    host = "127.0.0.1"


@pytest.fixture(scope="module")
def real_events(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """A short real run's events, as `schedviz run --events-out` writes them."""
    folder = tmp_path_factory.mktemp("trace-run")
    config = folder / "run.json"
    config.write_text(json.dumps({"workload": "sleep", "n_tasks": 12, "task_ms": 20,
                                  "max_workers": 3}))
    out = folder / "events.jsonl"
    subprocess.run([*schedviz_command(), "run", "--config", str(config), "--events-out",
                    str(out)], check=True, capture_output=True, timeout=90)
    return [json.loads(line) for line in out.read_text().splitlines()]


def as_trace(events: list[dict[str, Any]], run_id: str) -> list[dict[str, Any]]:
    """The run's events as a trace of `run_id` would send them (its run_started names it)."""
    first = {**events[0], "run_id": run_id, "config": CONFIG}
    return [first, *events[1:]]


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    return create_app(data_dir=tmp_path / "data", live_port=PORT)


@pytest.fixture
def peer() -> Peer:
    return Peer()


@pytest.fixture
def client(app: FastAPI, peer: Peer) -> Iterator[TestClient]:
    """The app, each connection coming from `peer.host`."""

    async def from_peer(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket"):
            scope = {**scope, "client": (peer.host, 50123)}
        await app(scope, receive, send)

    with TestClient(from_peer, base_url=BASE) as c:
        yield c


def token(app: FastAPI) -> str:
    value: str = app.state.trace_push.token
    return value


def push(client: TestClient, app: FastAPI, **headers: str) -> Any:
    return client.websocket_connect(
        TRACE_URL, headers={"Authorization": f"Bearer {token(app)}", **headers})


def open_message(run_id: str, **overrides: Any) -> dict[str, Any]:
    return {"type": "open", "run_id": run_id, "name": "trace · demo.py", "config": CONFIG,
            **overrides}


def refused(ws: WebSocketTestSession) -> tuple[str, int, str]:
    """The server's error message, then its close code and reason."""
    error = ws.receive_json()
    assert error["type"] == "error"
    with pytest.raises(WebSocketDisconnect) as closed:
        ws.receive_json()
    return error["message"], closed.value.code, closed.value.reason


def recordings(client: TestClient, app: FastAPI) -> list[dict[str, Any]]:
    app.state.manager.store.flush()
    listed: list[dict[str, Any]] = client.get("/api/recordings").json()
    return listed


def recorded_events(client: TestClient, run_id: str) -> list[dict[str, Any]]:
    text = client.get(f"/api/recordings/{run_id}/events").text
    return [json.loads(line) for line in text.splitlines()]


def test_a_pushed_trace_is_shown_live_and_recorded(
    client: TestClient, app: FastAPI, real_events: list[dict[str, Any]]
) -> None:
    events = as_trace(real_events, "trace-1")
    with client.websocket_connect(WS_URL) as viewer:
        assert viewer.receive_json()["run"] is None
        with push(client, app) as ws:
            ws.send_json(open_message("trace-1"))
            assert ws.receive_json() == {"type": "opened", "run_id": "trace-1"}
            status = viewer.receive_json()
            assert status["type"] == "status"
            assert status["run"]["run_id"] == "trace-1"
            assert status["run"]["state"] == "running"
            assert status["run"]["config"] == CONFIG
            assert client.get("/api/runs/current").json()["run"]["state"] == "running"
            for i in range(0, len(events), 50):
                ws.send_json({"type": "events", "events": events[i : i + 50]})
            source = {"files": {"/home/me/demo.py": "print('hi')\n"}}
            ws.send_json({"type": "close", "reason": "completed", "source": source})
            closed = ws.receive_json()
            assert closed == {"type": "closed", "run_id": "trace-1", "events": len(events)}
        live = receive_until(viewer, is_run_end)
        ended = viewer.receive_json()
        assert ended["type"] == "status" and ended["run"]["state"] == "ended"
        assert ended["run"]["ended_reason"] == "completed"
    assert events_of(live, "trace-1") == events
    (rec,) = recordings(client, app)
    assert rec["id"] == "trace-1" and rec["name"] == "trace · demo.py"
    assert rec["events"] == len(events) and rec["ended_reason"] == "completed"
    assert rec["kept"] is True and rec["config"] == CONFIG and rec["has_source"] is True
    assert recorded_events(client, "trace-1") == events
    # A late viewer is replayed it from the library, as a lab run.
    with client.websocket_connect(WS_URL) as late:
        assert late.receive_json()["run"]["run_id"] == "trace-1"
        assert events_of(receive_until(late, is_run_end)) == events


@pytest.mark.parametrize(
    ("headers", "host", "text"),
    [
        ({}, "127.0.0.1", "needs the token of"),
        ({"Authorization": "Bearer not-the-token"}, "127.0.0.1", "wrong token"),
        ({"Authorization": "TOKEN"}, "127.0.0.1", "needs the token of"),
        ("origin", "127.0.0.1", "not pushed from a web page"),
        ("token", "203.0.113.7", "only from this machine (loopback); 203.0.113.7 is not"),
        ("token", "192.168.1.20", "192.168.1.20 is not"),
    ],
    ids=["no-token", "wrong-token", "no-bearer", "origin", "network", "lan"],
)
def test_a_push_without_the_token_from_a_page_or_the_network_is_refused(
    client: TestClient, app: FastAPI, peer: Peer, headers: Any, host: str, text: str
) -> None:
    if headers == "origin":
        headers = {"Authorization": f"Bearer {token(app)}", "Origin": "http://127.0.0.1"}
    elif headers == "token":
        headers = {"Authorization": f"Bearer {token(app)}"}
    peer.host = host
    with client.websocket_connect(TRACE_URL, headers=headers) as ws:
        ws.send_json(open_message("sneaky"))
        message, code, reason = refused(ws)
    assert text in message and code == 1008 and reason and message.startswith(reason)
    peer.host = "127.0.0.1"
    assert recordings(client, app) == []
    assert client.get("/api/runs/current").json()["run"] is None


def test_the_live_file_is_private_and_its_token_new_at_every_start(tmp_path: Path) -> None:
    data = tmp_path / "data"
    tokens = []
    for _ in range(2):
        app = create_app(data_dir=data, live_port=PORT)
        with TestClient(app, base_url=BASE):
            path = data / LIVE_FILE_NAME
            mode = stat.S_IMODE(path.stat().st_mode)
            assert mode == 0o600, oct(mode)
            assert stat.S_IMODE(data.stat().st_mode) == 0o700
            assert path.stat().st_uid == os.getuid()
            live = json.loads(path.read_text())
            assert live["token"] == token(app) and len(live["token"]) >= 43
            assert live["port"] == PORT and live["url"] == f"ws://127.0.0.1:{PORT}/ws/trace"
            assert live["pid"] == os.getpid()
            assert read_live_file(data)["token"] == live["token"]
            assert [p.name for p in data.iterdir() if "live" in p.name] == [LIVE_FILE_NAME]
            tokens.append(live["token"])
        assert not path.exists()  # removed when the server stops
    assert tokens[0] != tokens[1]


def test_a_live_file_others_could_read_is_not_used(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    path = data / LIVE_FILE_NAME
    path.write_text(json.dumps({"url": "ws://127.0.0.1:1/ws/trace", "token": "x"}))
    path.chmod(0o644)
    with pytest.raises(SinkRefused, match="is not private to you"):
        read_live_file(data)


def test_without_a_server_the_sink_says_how_to_start_one(tmp_path: Path) -> None:
    meta = TraceMeta("t1", "demo", dict(CONFIG))
    with pytest.raises(NoServer) as exc:
        LiveSink(tmp_path / "lib").open(meta)
    assert str(exc.value) == (
        f"no schedviz server is running for the library in {tmp_path / 'lib'}: start one with "
        f"`make run` or `schedviz serve --data-dir {tmp_path / 'lib'}`")
    # A live file left behind by a server that is gone (killed) is not a server either.
    lib = tmp_path / "lib"
    lib.mkdir(mode=0o700)
    fd = os.open(lib / LIVE_FILE_NAME, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.write(fd, json.dumps({"url": "ws://127.0.0.1:9/ws/trace", "token": "x",
                             "pid": 2**22 + 1}).encode())
    os.close(fd)
    with pytest.raises(NoServer, match="no schedviz server is running"):
        LiveSink(lib).open(meta)


def test_a_push_cut_off_midway_is_recorded_as_interrupted(
    client: TestClient, app: FastAPI, real_events: list[dict[str, Any]]
) -> None:
    events = as_trace(real_events, "cut")
    sent = events[: len(events) // 2]
    assert not any(e["kind"] == "run_ended" for e in sent)
    with client.websocket_connect(WS_URL) as viewer:
        viewer.receive_json()
        with push(client, app) as ws:
            ws.send_json(open_message("cut"))
            ws.receive_json()
            ws.send_json({"type": "events", "events": sent})
        # the program went away without close
        live = events_of(receive_until(viewer, is_run_end), "cut")
    assert live[: len(sent)] == sent
    error, end = live[len(sent) :]
    assert error["kind"] == "error" and "went away before it closed its trace" in error["message"]
    assert end["kind"] == "run_ended" and end["reason"] == "error"
    assert end["t"] >= max(e["t"] for e in sent)
    (rec,) = recordings(client, app)
    assert rec["ended_reason"] == "interrupted" and rec["events"] == len(sent) + 2
    assert recorded_events(client, "cut") == live


@pytest.mark.parametrize(
    ("messages", "code", "text"),
    [
        ([{"type": "events", "events": []}], 1007, "events must have 1 to 4096 events; got 0"),
        ([{"type": "hello"}], 1007, "type must be one of 'open', 'events', 'close'; got 'hello'"),
        ([open_message("a", config={**CONFIG, "argv": ["x"] * 300})], 1007,
         "config.argv must have 0 to 256 arguments; got 300"),
        ([open_message("a", config={**CONFIG, "argv": ["x" * 5000]})], 1007,
         "config.argv.0 must have 0 to 4096 characters; got 5000"),
        ([open_message("a", name="")], 1007, "name must have 1 to 200 characters; got 0"),
        ([open_message("a/../b")], 1007, "run_id is 1 to 64 of the characters"),
        ([open_message("a", config={**CONFIG, "cwd": "/"})], 1007, "unknown field 'config.cwd'"),
        ([{"type": "close", "reason": "completed"}], 1008, "a push starts with an open message"),
        ([open_message("a"), open_message("a")], 1008, "this push is open already"),
        ([open_message("a"), {"type": "events", "events": [{"seq": 0}] * 4097}], 1007,
         "events must have 1 to 4096 events; got 4097"),
        ([open_message("a"), {"type": "close", "reason": "done"}], 1007,
         "reason: Input should be 'completed', 'stopped' or 'error'"),
    ],
    ids=["empty-batch", "unknown-type", "argv", "arg", "name", "run-id", "extra", "no-open",
         "open-twice", "batch-too-big", "reason"],
)
def test_a_bad_message_is_refused_naming_what_is_allowed(
    client: TestClient, app: FastAPI, messages: list[dict[str, Any]], code: int, text: str
) -> None:
    with push(client, app) as ws:
        for message in messages:
            ws.send_json(message)
            if message["type"] == "open" and message is not messages[-1]:
                assert ws.receive_json()["type"] == "opened"
        message, got, reason = refused(ws)
    assert text in message, message
    assert got == code and message.startswith(reason)
    listed = recordings(client, app)
    if messages[0]["type"] == "open" and len(messages) > 1:
        (rec,) = listed  # refused after open: what came is kept, ended in error
        assert rec["ended_reason"] == "error"
    else:
        assert listed == []


@pytest.mark.parametrize(
    ("change", "text"),
    [
        ("gap", "events go on at seq 3 (gap-free from 0); got seq 4"),
        ("kind", "unknown"),
        ("field", "must have the fields seq, t, kind"),
        ("type", "Input should be a valid integer"),
        ("first", "a trace's first event is run_started; got"),
        ("run-id", "run_started names run 'other'; this push opened 'ev'"),
        ("after-end", "the trace's run_ended came already"),
    ],
)
def test_a_bad_event_is_refused_and_what_came_before_is_kept(
    client: TestClient, app: FastAPI, real_events: list[dict[str, Any]], change: str, text: str
) -> None:
    events = as_trace(real_events, "ev")
    batches: list[list[Any]] = [events[:3]]
    if change == "gap":
        batches.append([{**events[4]}])
    elif change == "kind":
        batches.append([{**events[3], "kind": "task_teleported"}])
    elif change == "field":
        batches.append([{**events[3], "extra": 1}])
    elif change == "type":
        batches.append([{**events[3], "t": "soon"}])
    elif change == "first":
        batches = [[{**events[1], "seq": 0}]]
    elif change == "run-id":
        batches = [[{**events[0], "run_id": "other"}]]
    else:
        batches = [events, [{**events[-1], "seq": len(events)}]]
    with push(client, app) as ws:
        ws.send_json(open_message("ev"))
        ws.receive_json()
        for batch in batches:
            ws.send_json({"type": "events", "events": batch})
        message, code, _ = refused(ws)
    assert text in message, message
    assert code in (1007, 1008)
    (rec,) = recordings(client, app)
    kept = recorded_events(client, "ev")
    assert kept[-1]["kind"] == "run_ended"
    if change == "after-end":
        assert kept == events and rec["ended_reason"] == "completed"
    else:
        assert rec["ended_reason"] == "error"
        assert kept[-2]["kind"] == "error" and "the trace was refused" in kept[-2]["message"]


def test_a_push_and_a_built_in_run_refuse_each_other(
    client: TestClient, app: FastAPI, real_events: list[dict[str, Any]]
) -> None:
    with push(client, app) as ws:
        ws.send_json(open_message("first"))
        ws.receive_json()
        reply = client.post("/api/runs", json={"workload": "sleep", "n_tasks": 1})
        assert reply.status_code == 409
        assert "a trace of demo.py is being pushed (run first)" in reply.json()["detail"]
        stop = client.post("/api/runs/current/stop")
        assert stop.status_code == 409 and "cannot be stopped or changed" in stop.json()["detail"]
        ws.send_json({"type": "close", "reason": "stopped"})
        assert ws.receive_json()["type"] == "closed"
    started = client.post("/api/runs", json={"workload": "sleep", "n_tasks": 40, "task_ms": 200,
                                             "max_workers": 1})
    assert started.status_code == 201
    run_id = started.json()["run_id"]
    try:
        with push(client, app) as ws:
            ws.send_json(open_message("second"))
            message, code, _ = refused(ws)
        assert code == 1013
        assert f"run {run_id} is still going" in message and "push the trace after" in message
    finally:
        client.post("/api/runs/current/stop")
    assert "second" not in [r["id"] for r in recordings(client, app)]


def test_batches_longer_than_the_limit_go_in_parts() -> None:
    sent: list[dict[str, Any]] = []
    sink = LiveSink()
    sink._send = sent.append  # type: ignore[method-assign]
    sink.events([{"seq": i} for i in range(2 * MAX_BATCH_EVENTS + 1)])
    assert [len(m["events"]) for m in sent] == [MAX_BATCH_EVENTS, MAX_BATCH_EVENTS, 1]
