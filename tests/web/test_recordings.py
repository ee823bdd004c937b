"""Every run is recorded into the library (a real SQLite file) and the library is served over
REST: a recording outlives the server, equals what the viewers saw live, is renamed, kept,
bookmarked, exported and imported, and bad input is refused with a message, changing nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from wsutil import WS_URL, events_of, is_run_end, receive_until

from schedviz.web.app import create_app
from trace_checker import check_trace

BASE = "http://127.0.0.1"
SMALL = {"workload": "sleep", "n_tasks": 8, "task_ms": 20, "max_workers": 2}


def record(client: TestClient, config: dict[str, Any] = SMALL) -> tuple[str, list[dict[str, Any]]]:
    """Run `config` to its end over the websocket: its id and the events seen live."""
    with client.websocket_connect(WS_URL) as ws:
        ws.receive_json()
        ws.send_json({"type": "start", "config": config})
        messages = receive_until(ws, is_run_end)
        # The status that says "ended" follows the last events; the recording is finished then.
        receive_until(ws, lambda m: m["type"] == "status" and m["run"]["state"] == "ended")
    run_id = next(m for m in messages if m["type"] == "status")["run"]["run_id"]
    return run_id, events_of(messages, run_id)


def stored_events(client: TestClient, rid: str, **params: int) -> list[dict[str, Any]]:
    reply = client.get(f"/api/recordings/{rid}/events", params=params)
    assert reply.status_code == 200, reply.text
    return [json.loads(line) for line in reply.text.splitlines()]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "library"


@pytest.fixture
def app_client(data_dir: Path) -> Iterator[TestClient]:
    with TestClient(create_app(data_dir=data_dir), base_url=BASE) as c:
        yield c


def test_a_recording_outlives_the_server_and_equals_the_live_events(data_dir: Path) -> None:
    with TestClient(create_app(data_dir=data_dir), base_url=BASE) as first:
        rid, live = record(first)
    # A new server on the same library: the run is listed and reads back event for event.
    with TestClient(create_app(data_dir=data_dir), base_url=BASE) as second:
        listed = second.get("/api/recordings").json()
        assert [r["id"] for r in listed] == [rid]
        rec = listed[0]
        assert rec["events"] == len(live) and rec["ended_reason"] == "completed"
        assert rec["live"] is False and rec["kept"] is False
        assert stored_events(second, rid) == live
        assert [e["seq"] for e in live] == list(range(len(live)))
        # A range of it, as a replay asks for it.
        assert stored_events(second, rid, from_seq=3, to_seq=7) == live[3:8]


def test_a_late_viewer_of_a_live_run_reads_it_from_the_recording(app_client: TestClient) -> None:
    config = {"workload": "sleep", "n_tasks": 30, "task_ms": 20, "max_workers": 2}
    with app_client.websocket_connect(WS_URL) as ws:
        ws.receive_json()
        ws.send_json({"type": "start", "config": config})
        first = receive_until(ws, lambda m: m["type"] == "events")
        with app_client.websocket_connect(WS_URL) as late:
            hello = late.receive_json()
            assert hello["run"]["state"] == "running"
            late_events = events_of(receive_until(late, is_run_end))
        live = events_of(first + receive_until(ws, is_run_end))
    assert late_events == live


def test_an_asyncio_recording_keeps_the_source_its_events_name(app_client: TestClient) -> None:
    rid, live = record(app_client, {"executor": "asyncio", "workload": "sleep", "n_tasks": 3,
                                    "task_ms": 5})
    assert app_client.get(f"/api/recordings/{rid}").json()["recording"]["has_source"] is True
    source = app_client.get(f"/api/recordings/{rid}/source").json()
    step_files = {e["file"] for e in live if e["kind"] == "aio_step" and e.get("file")}
    assert source["file"] in step_files, "the kept file is the one the steps name"
    lines = {e["line"] for e in live if e["kind"] == "aio_step" and e.get("file") == source["file"]}
    assert lines and all(1 <= n <= len(source["lines"]) for n in lines)
    assert any("await" in source["lines"][n - 1] for n in lines)


def test_a_pool_recording_keeps_no_source_and_says_why(app_client: TestClient) -> None:
    pool, _ = record(app_client)
    assert app_client.get(f"/api/recordings/{pool}").json()["recording"]["has_source"] is False
    missing = app_client.get(f"/api/recordings/{pool}/source")
    assert missing.status_code == 404 and "no asyncio workload" in missing.json()["detail"]


def test_rename_keep_and_delete(app_client: TestClient) -> None:
    rid, _ = record(app_client)
    reply = app_client.patch(f"/api/recordings/{rid}", json={"name": "Lecture 3: the GIL"})
    assert reply.status_code == 200 and reply.json()["recording"]["name"] == "Lecture 3: the GIL"
    reply = app_client.patch(f"/api/recordings/{rid}", json={"kept": True, "name": "kept one"})
    assert reply.json()["recording"]["kept"] is True
    assert reply.json()["recording"]["name"] == "kept one"
    assert app_client.delete(f"/api/recordings/{rid}").status_code == 204
    assert app_client.get("/api/recordings").json() == []
    gone = app_client.get(f"/api/recordings/{rid}")
    assert gone.status_code == 404 and rid in gone.json()["detail"]


@pytest.mark.parametrize(
    ("body", "status", "text"),
    [
        ({}, 400, "give name (1–200 characters) and/or kept"),
        ({"name": ""}, 422, "name"),
        ({"name": "x" * 201}, 422, "name"),
        ({"colour": "red"}, 422, "colour"),
        ({"kept": "maybe"}, 422, "kept"),
    ],
)
def test_a_bad_change_is_refused_and_changes_nothing(
    app_client: TestClient, body: dict[str, Any], status: int, text: str
) -> None:
    rid, _ = record(app_client)
    before = app_client.get(f"/api/recordings/{rid}").json()
    reply = app_client.patch(f"/api/recordings/{rid}", json=body)
    assert reply.status_code == status
    assert text in json.dumps(reply.json(), ensure_ascii=False)
    assert app_client.get(f"/api/recordings/{rid}").json() == before


def test_unknown_ids_are_404_with_the_id(app_client: TestClient) -> None:
    for method, url in [("get", "/api/recordings/nope"), ("delete", "/api/recordings/nope"),
                        ("get", "/api/recordings/nope/events"),
                        ("get", "/api/recordings/nope/export"),
                        ("delete", "/api/bookmarks/999")]:
        reply = getattr(app_client, method)(url)
        assert reply.status_code == 404, (url, reply.text)


def test_bookmarks_are_added_edited_deleted_and_validated(app_client: TestClient) -> None:
    rid, live = record(app_client)
    reply = app_client.post(f"/api/recordings/{rid}/bookmarks",
                            json={"seq": 5, "note": "here the pool is full"})
    assert reply.status_code == 201, reply.text
    mark = reply.json()["bookmark"]
    assert mark["seq"] == 5 and mark["t"] == live[5]["t"]
    assert mark["note"] == "here the pool is full"
    edited = app_client.patch(f"/api/bookmarks/{mark['id']}", json={"note": "pool full"}).json()
    assert edited["bookmark"]["note"] == "pool full"
    listed = app_client.get(f"/api/recordings/{rid}").json()["bookmarks"]
    assert [b["note"] for b in listed] == ["pool full"]
    out_of_range = app_client.post(f"/api/recordings/{rid}/bookmarks",
                                   json={"seq": len(live) + 10, "note": "x"})
    assert out_of_range.status_code == 400 and str(len(live) + 10) in out_of_range.text
    negative = app_client.post(f"/api/recordings/{rid}/bookmarks", json={"seq": -1})
    assert negative.status_code == 422
    assert app_client.delete(f"/api/bookmarks/{mark['id']}").status_code == 204
    assert app_client.get(f"/api/recordings/{rid}/bookmarks").json() == []


def test_exports_perfetto_jsonl_and_the_recording_file(app_client: TestClient) -> None:
    rid, live = record(app_client)
    app_client.post(f"/api/recordings/{rid}/bookmarks", json={"seq": 2, "note": "start"})
    trace = app_client.get(f"/api/recordings/{rid}/export", params={"format": "perfetto"})
    assert trace.status_code == 200
    assert "attachment" in trace.headers["content-disposition"]
    parsed = json.loads(trace.content)
    assert check_trace(parsed) == []
    assert any(e.get("ph") == "i" and "start" in json.dumps(e) for e in parsed["traceEvents"])
    jsonl = app_client.get(f"/api/recordings/{rid}/export", params={"format": "jsonl"})
    assert [json.loads(line) for line in jsonl.text.splitlines()] == live
    bad = app_client.get(f"/api/recordings/{rid}/export", params={"format": "pdf"})
    assert bad.status_code == 422 and "perfetto" in bad.text


def test_import_round_trips_and_refuses_bad_files_changing_nothing(
    app_client: TestClient, tmp_path: Path
) -> None:
    rid, live = record(app_client)
    data = app_client.get(f"/api/recordings/{rid}/export", params={"format": "recording"}).content
    with TestClient(create_app(data_dir=tmp_path / "other"), base_url=BASE) as other:
        for bad, why in [(data[: len(data) // 2], "truncated"),
                         (data[:40] + bytes([data[40] ^ 0xFF]) + data[41:], "corrupt"),
                         (b"PK\x03\x04 a zip file, not a recording", "foreign"),
                         (b"", "empty")]:
            reply = other.post("/api/recordings/import", content=bad)
            assert reply.status_code in (400, 413), (why, reply.text)
            assert reply.json()["detail"], why
            assert other.get("/api/recordings").json() == [], why
        reply = other.post("/api/recordings/import", content=data)
        assert reply.status_code == 201, reply.text
        new_id = reply.json()["recording"]["id"]
        assert stored_events(other, new_id) == live
