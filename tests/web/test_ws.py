"""The /ws endpoint with real lab processes: streaming, replay, validation, origin, lab crashes."""

from __future__ import annotations

import os
import signal

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketDenialResponse
from starlette.websockets import WebSocketDisconnect
from wsutil import WS_URL, events_of, is_run_end, receive_until

from invariants import check_aio, check_run

SMALL = {"workload": "sleep", "n_tasks": 12, "task_ms": 30, "max_workers": 3}


def test_a_run_streams_every_event_gap_free(client: TestClient) -> None:
    with client.websocket_connect(WS_URL) as ws:
        hello = ws.receive_json()
        assert hello["type"] == "hello" and hello["run"] is None
        ws.send_json({"type": "start", "config": SMALL})
        messages = receive_until(ws, is_run_end)
    status = next(m for m in messages if m["type"] == "status")
    run = check_run(events_of(messages, status["run"]["run_id"]))
    assert len(run.finished) == 12 and run.max_running == 3


def test_a_late_viewer_gets_the_whole_run_replayed(client: TestClient) -> None:
    with client.websocket_connect(WS_URL) as ws:
        ws.receive_json()
        ws.send_json({"type": "start", "config": SMALL})
        live = events_of(receive_until(ws, is_run_end))
    with client.websocket_connect(WS_URL) as late:
        hello = late.receive_json()
        assert hello["run"]["state"] in ("running", "ended")
        replay = events_of(receive_until(late, is_run_end))
    assert replay == live


@pytest.mark.parametrize(
    ("message", "field", "text"),
    [
        ({"type": "set", "max_workers": 0}, "max_workers", "between 1 and 64; got 0"),
        ({"type": "start", "config": {"n_tasks": 10_001}}, "n_tasks", "between 1 and 10000"),
        ({"type": "start", "config": {"speed": 2}}, "speed", "unknown field 'speed'"),
        ({"type": "jump"}, "type", "type must be one of 'start', 'stop', 'set'"),
        ({"max_workers": 3}, "type", "needs a type"),
    ],
)
def test_bad_control_message_gets_a_clear_error_and_the_socket_stays_up(
    client: TestClient, message: dict[str, object], field: str, text: str
) -> None:
    with client.websocket_connect(WS_URL) as ws:
        ws.receive_json()
        ws.send_json(message)
        error = ws.receive_json()
        assert error["type"] == "error" and error["field"] == field and text in error["message"]
        ws.send_text("not json")
        assert "not JSON" in ws.receive_json()["message"]
        # Still usable: a valid command works on the same connection.
        ws.send_json({"type": "start", "config": {**SMALL, "n_tasks": 2}})
        assert events_of(receive_until(ws, is_run_end))


def test_steering_without_a_run_is_explained(client: TestClient) -> None:
    with client.websocket_connect(WS_URL) as ws:
        ws.receive_json()
        ws.send_json({"type": "stop"})
        assert "no run is going" in ws.receive_json()["message"]


def test_foreign_origin_is_refused(client: TestClient) -> None:
    with (
        pytest.raises((WebSocketDisconnect, WebSocketDenialResponse)),
        client.websocket_connect(WS_URL, headers={"origin": "http://evil.example"}) as ws,
    ):
        ws.receive_json()
    with client.websocket_connect(WS_URL, headers={"origin": "http://localhost:8000"}) as ws:
        assert ws.receive_json()["type"] == "hello"


def test_lab_killed_mid_run_ends_it_with_an_error_and_the_next_run_works(
    client: TestClient,
) -> None:
    with client.websocket_connect(WS_URL) as ws:
        ws.receive_json()
        ws.send_json({"type": "start", "config": {**SMALL, "n_tasks": 500, "task_ms": 200}})
        receive_until(ws, lambda m: any(e["kind"] == "task_started" for e in m.get("events", [])))
        pid = client.get("/api/runs/current").json()["run"]["lab_pid"]
        os.kill(pid, signal.SIGKILL)
        messages = receive_until(ws, is_run_end)
        events = events_of(messages)
        errors = [e for e in events if e["kind"] == "error"]
        assert errors and "killed by SIGKILL" in errors[0]["message"]
        assert events[-1]["reason"] == "error"
        status = receive_until(ws, lambda m: m["type"] == "status")[-1]
        assert status["run"]["state"] == "ended" and status["run"]["ended_reason"] == "error"
        ws.send_json({"type": "start", "config": SMALL})
        messages = receive_until(ws, is_run_end)
    new_run = next(m for m in messages if m["type"] == "status")["run"]["run_id"]
    assert len(check_run(events_of(messages, new_run)).finished) == 12


def test_live_chunksize_on_a_process_map_run_and_a_refusal_elsewhere(client: TestClient) -> None:
    with client.websocket_connect(WS_URL) as ws:
        ws.receive_json()
        ws.send_json({"type": "set"})
        assert "give max_workers (1–64), chunksize" in ws.receive_json()["message"]
        ws.send_json({"type": "start", "config": {
            "executor": "processes", "start_method": "fork", "submit_mode": "map",
            "arrival": "rate", "rate": 200, "map_batch": 8, "n_tasks": 64, "chunksize": 1,
            "workload": "sleep", "task_ms": 2, "max_workers": 2}})
        receive_until(ws, lambda m: any(e["kind"] == "task_finished"
                                        for e in m.get("events", [])))
        ws.send_json({"type": "set", "chunksize": 4})
        messages = receive_until(ws, is_run_end)
        events = events_of(messages)
        assert any(e["kind"] == "config_changed" and e["field"] == "chunksize" and e["new"] == 4
                   for e in events)
        ws.send_json({"type": "start", "config": {**SMALL, "n_tasks": 40, "task_ms": 50}})
        receive_until(ws, lambda m: m["type"] == "status" and m["run"]["state"] == "running")
        ws.send_json({"type": "set", "chunksize": 4})
        error = receive_until(ws, lambda m: m["type"] == "error")[-1]
        assert "chunksize only applies to submit_mode 'map'" in error["message"]
        ws.send_json({"type": "stop"})
        receive_until(ws, is_run_end)


def test_asyncio_run_streams_steps_and_takes_a_live_slow_step_threshold(
    client: TestClient,
) -> None:
    with client.websocket_connect(WS_URL) as ws:
        ws.receive_json()
        ws.send_json({"type": "start", "config": {"executor": "asyncio", "workload": "blocking",
                                                  "n_tasks": 3, "task_ms": 300,
                                                  "slow_step_ms": 5000}})
        messages = receive_until(
            ws, lambda m: any(e["kind"] == "aio_step" for e in m.get("events", [])))
        ws.send_json({"type": "set", "slow_step_ms": 0.5})
        messages += receive_until(ws, lambda m: m["type"] == "error")
        assert "slow_step_ms" in messages[-1]["message"]
        ws.send_json({"type": "set", "slow_step_ms": 100})
        messages += receive_until(ws, is_run_end)
    events = events_of(messages)
    check_run(events)
    run = check_aio(events)
    changes = [(e["field"], e["new"]) for e in events if e["kind"] == "config_changed"]
    assert changes == [("slow_step_ms", 100)]
    assert any(not b["ongoing"] and "time.sleep" in b["source"] for b in run.blocked)


def test_asyncio_source_is_served_and_nothing_else(client: TestClient) -> None:
    body = client.get("/api/source/asyncio").json()
    assert body["file"].endswith("aio_workloads.py")
    assert any("time.sleep(run.s)" in line for line in body["lines"])
    assert client.get("/api/source/..%2F..%2Fetc%2Fpasswd").status_code == 404
