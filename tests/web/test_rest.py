"""REST API: schema, presets, starting and steering runs, and clear errors for bad bodies."""

from __future__ import annotations

from fastapi.testclient import TestClient
from wsutil import WS_URL, events_of, is_run_end, receive_until

from schedviz import protocol


def test_schema_serves_the_protocol(client: TestClient) -> None:
    schema = client.get("/api/schema").json()
    assert schema["schema_version"] == protocol.SCHEMA_VERSION
    assert schema["event_fields"]["task_finished"] == [
        "task", "worker", "ok", "result", "error", "item_ends", "cpu_ns"
    ]
    mapping = schema["event"]["discriminator"]["mapping"]
    assert set(mapping) == set(protocol.FIELDS)
    assert schema["run_config"]["properties"]["max_workers"]["maximum"] == 64


def test_scenarios_are_valid_configs(client: TestClient) -> None:
    presets = client.get("/api/scenarios").json()
    assert {"io-threads", "steady-stream"} <= {p["id"] for p in presets}
    for p in presets:
        protocol.RunConfig.model_validate(p["config"])
        assert p["title"] and p["description"]


def test_index_page_is_served(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "main.js" in page.text


def test_out_of_range_body_names_field_and_range(client: TestClient) -> None:
    r = client.post("/api/runs", json={"max_workers": 0})
    assert r.status_code == 422
    (err,) = r.json()["detail"]
    assert err["field"] == "max_workers"
    assert err["msg"] == "max_workers must be between 1 and 64; got 0"


def test_unknown_field_is_refused_with_the_allowed_fields(client: TestClient) -> None:
    r = client.post("/api/runs", json={"n_tasks": 5, "turbo": True})
    assert r.status_code == 422
    assert "unknown field 'turbo'" in r.json()["message"]
    assert "max_workers" in r.json()["message"]


def test_wrong_choice_and_not_json(client: TestClient) -> None:
    r = client.post("/api/runs", json={"workload": "gpu"})
    assert r.status_code == 422
    assert "'cpu', 'sleep', 'hash', 'mixed', 'convoy', 'echo'" in r.json()["message"]
    r = client.post("/api/runs", content=b"{oops", headers={"content-type": "application/json"})
    assert r.status_code == 422


def test_start_conflict_live_change_and_stop(client: TestClient) -> None:
    with client.websocket_connect(WS_URL) as ws:
        ws.receive_json()  # hello
        r = client.post("/api/runs", json={"workload": "sleep", "arrival": "rate", "rate": 30,
                                           "n_tasks": 200, "task_ms": 100, "max_workers": 2})
        assert r.status_code == 201
        run_id = r.json()["run_id"]
        assert client.post("/api/runs", json={}).status_code == 409
        receive_until(ws, lambda m: any(e["kind"] == "task_started"
                                        for e in m.get("events", [])))
        assert client.patch("/api/runs/current", json={"max_workers": 99}).status_code == 422
        assert client.patch("/api/runs/current", json={"max_workers": 4}).status_code == 200
        receive_until(ws, lambda m: any(e["kind"] == "config_changed"
                                        for e in m.get("events", [])))
        assert client.post("/api/runs/current/stop").status_code == 200
        messages = receive_until(ws, is_run_end)
    end = events_of(messages, run_id)[-1]
    assert end["kind"] == "run_ended" and end["reason"] == "stopped"
    assert client.post("/api/runs/current/stop").status_code == 409


def test_disallowed_host_is_refused(client: TestClient) -> None:
    r = client.get("/api/schema", headers={"host": "evil.example:8000"})
    assert r.status_code == 400


def test_killing_workers_is_refused_for_threads(client: TestClient) -> None:
    r = client.post("/api/runs", json={"executor": "threads", "kill_every": 3})
    assert r.status_code == 422
    assert r.json()["message"].startswith("kill_every needs executor 'processes'")
