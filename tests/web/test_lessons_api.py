"""The course's REST API on a real `schedviz serve` with a real recorded run: the lessons with
their code, and a lesson's observed summary of the recording (409 while it records, then the
numbers of its events), 404 and 422 with what to do."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from serverproc import serve

#: lesson 1's workload, on one worker and long enough to ask while it still records
LONG_RUN = {"workload": "sleep", "n_tasks": 8, "task_ms": 100, "max_workers": 1}
DEADLINE_S = 30


def get(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def post(url: str, body: dict[str, Any]) -> Any:
    req = urllib.request.Request(url, data=json.dumps(body).encode(),
                                 headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A server that recorded one run of lesson 1's workload, asked once while it ran."""
    folder = tmp_path_factory.mktemp("lessons-api")
    with serve(folder / "data", folder / "server.log") as (url, _):
        run_id = post(f"{url}/api/runs", LONG_RUN)["run_id"]
        while_live = get(f"{url}/api/lessons/threads-io/observed?recording={run_id}")
        deadline = time.monotonic() + DEADLINE_S
        while get(f"{url}/api/recordings/{run_id}")[1]["recording"]["live"]:
            assert time.monotonic() < deadline, "the recording did not end"
            time.sleep(0.05)  # polling the recording's state: nothing to block on over HTTP
        with urllib.request.urlopen(f"{url}/api/recordings/{run_id}/events", timeout=10) as r:
            events = [json.loads(line) for line in r.read().splitlines()]
        yield {"url": url, "run_id": run_id, "while_live": while_live, "events": events}


def test_asked_while_it_records_the_answer_is_409_ask_again(server: dict[str, Any]) -> None:
    status, body = server["while_live"]
    assert status == 409
    assert body["detail"] == (f"recording {server['run_id']} has not ended yet: its observed "
                              "summary comes when the run ends; ask again")


def test_the_observed_summary_is_the_recordings_events(server: dict[str, Any]) -> None:
    status, body = get(f"{server['url']}/api/lessons/threads-io/observed"
                       f"?recording={server['run_id']}")
    assert status == 200
    assert (body["lesson"], body["recording"]) == ("threads-io", server["run_id"])
    seen = {o["key"]: o for o in body["observations"]}
    events = server["events"]
    started = {e["task"]: e["t"] for e in events if e["kind"] == "task_started"}
    finished = {e["task"]: e["t"] for e in events if e["kind"] == "task_finished"}
    assert len(finished) == 8
    wall = max(finished.values()) - min(e["t"] for e in events if e["kind"] == "task_submitted")
    total = sum(finished[t] - started[t] for t in finished)
    assert seen["wall"]["value"] == round(wall / 1e6, 1) and seen["wall"]["unit"] == "ms"
    assert seen["task_time"]["value"] == round(total / 1e6, 1)
    assert seen["speedup"]["value"] == round(total / wall, 2)
    assert seen["max_running"]["value"] == 1  # one worker: one after another
    assert set(seen["speedup"]) == {"key", "label", "value", "unit", "detail"}


def test_another_lessons_question_is_422_with_the_lessons_reason(server: dict[str, Any]) -> None:
    status, body = get(f"{server['url']}/api/lessons/asyncio/observed"
                       f"?recording={server['run_id']}")
    assert status == 422
    assert body["detail"] == (
        f"recording {server['run_id']} cannot answer the lesson 'asyncio: one thread, many "
        "coroutines': asyncio: one thread, many coroutines reads a run of asyncio running "
        "sleep or echo or gather; this run is threads running sleep")


def test_unknown_lessons_and_recordings_are_404(server: dict[str, Any]) -> None:
    url, run_id = server["url"], server["run_id"]
    status, body = get(f"{url}/api/lessons/no-such-lesson/observed?recording={run_id}")
    assert status == 404 and body["detail"].startswith("unknown lesson 'no-such-lesson'; known: "
                                                       "threads-io, threads-cpu")
    status, body = get(f"{url}/api/lessons/threads-io/observed?recording=nope123")
    assert status == 404
    assert body["detail"] == "no recording has the id 'nope123'; GET /api/recordings lists them"


@pytest.mark.parametrize("query", ["", "?recording=", "?recording=a%2Fb",
                                   "?recording=" + "x" * 65])
def test_a_query_that_is_no_recording_id_is_422(server: dict[str, Any], query: str) -> None:
    status, body = get(f"{server['url']}/api/lessons/threads-io/observed{query}")
    assert status == 422
    assert "give ?recording=<the run's id>: 1–64 letters, digits, '-', '_' or '.'" in body["detail"]


def test_the_lessons_are_listed_with_their_run_and_code(server: dict[str, Any]) -> None:
    status, listed = get(f"{server['url']}/api/lessons")
    assert status == 200
    numbers = [x["number"] for x in listed]
    assert numbers == sorted(numbers) and set(range(1, 9)) <= set(numbers)
    first = listed[0]
    assert (first["id"], first["kind"], first["example"]) == ("threads-io", "preset", None)
    assert first["config"]["workload"] == "sleep" and first["knobs"]
    assert first["code"]["file"] == "schedviz/workloads.py"
    assert first["code"]["lines"][0] == "def sleep(task: int, ms: float) -> float:"
    lo, hi = first["code"]["focus"]
    assert "time.sleep(" in first["code"]["lines"][lo - 1] and lo <= hi
    for lesson in listed:
        assert {"id", "number", "concept", "title", "explanation", "prediction", "kind",
                "config", "example", "knobs", "code"} <= set(lesson)
        if lesson["kind"] == "example":
            assert lesson["config"] is None
            assert lesson["code"]["file"] == f"examples/{lesson['example']}.py"
        else:
            assert lesson["config"] is not None
