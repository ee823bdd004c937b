"""The comparisons API against a real `schedviz serve`: a comparison started over HTTP runs its
runs one after another through the run manager, each recorded in a session of its own; its
state, summary and lesson 15's observed summary are read back; bad settings and a second
start while it runs are refused."""

from __future__ import annotations

import json
import shutil
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from schedviz import compare
from serverproc import serve

SETTINGS = {"workload": "cpu", "n_tasks": 4, "task_ms": 150, "max_workers": 2,
            "start_method": "fork"}
DEADLINE_S = 90.0


def call(url: str, method: str = "GET", body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def events_of(url: str, recording: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{url}/api/recordings/{recording}/events", timeout=30) as r:
        return [json.loads(line) for line in r.read().decode().splitlines()]


@pytest.fixture(scope="module")
def done(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A server, a comparison started on it, what was said while it ran, and its end state."""
    folder = tmp_path_factory.mktemp("compare-api")
    with serve(folder / "data", folder / "server.log") as (url, _):
        status, started = call(f"{url}/api/comparisons", "POST", SETTINGS)
        assert status == 201, started
        again = call(f"{url}/api/comparisons", "POST", SETTINGS)
        run_now = call(f"{url}/api/runs", "POST", {"workload": "sleep"})
        early_summary = call(f"{url}/api/comparisons/{started['id']}/summary")
        seen_states = set()
        deadline = time.monotonic() + DEADLINE_S
        while True:
            _, state = call(f"{url}/api/comparisons/{started['id']}")
            seen_states.add(state["state"])
            if state["state"] != "running" or time.monotonic() > deadline:
                break
            time.sleep(0.2)  # polling the server's state, with a deadline
        yield {"url": url, "started": started, "again": again, "run_now": run_now,
               "early_summary": early_summary, "seen": seen_states, "final": state,
               "data": folder / "data"}


def test_a_server_started_later_reads_it_back_from_the_library(done: dict[str, Any],
                                                                tmp_path: Path) -> None:
    cid = done["final"]["id"]
    _, before = call(f"{done['url']}/api/comparisons/{cid}/summary")
    # the first server still holds the library: read a copy of it (the file and its WAL)
    copy = tmp_path / "copy"
    shutil.copytree(done["data"], copy)
    for lock in copy.glob("*.lock"):
        lock.unlink()
    with serve(copy, tmp_path / "server.log") as (url, _):
        status, state = call(f"{url}/api/comparisons/{cid}")
        assert status == 200 and state["state"] == "ended", state
        assert [r["recording"] for r in state["recordings"]] == [
            r["recording"] for r in done["final"]["recordings"]]
        assert [r["executor"] for r in state["runs"]] == list(compare.EXECUTORS)
        _, after = call(f"{url}/api/comparisons/{cid}/summary")
        assert after == before


def test_it_runs_to_its_end_with_four_recordings(done: dict[str, Any]) -> None:
    final = done["final"]
    assert final["state"] == "ended", final
    assert [r["executor"] for r in final["recordings"]] == list(compare.EXECUTORS)
    assert all(r["ended_reason"] == "completed" for r in final["recordings"])
    assert [r["executor"] for r in done["started"]["runs"]] == list(compare.EXECUTORS)
    assert "running" in done["seen"]


def test_a_second_start_and_a_run_while_it_goes_are_refused(done: dict[str, Any]) -> None:
    status, body = done["again"]
    assert status == 409 and "is still running" in body["detail"]
    status, body = done["run_now"]
    assert status == 409 and "still going" in body["detail"]
    status, body = done["early_summary"]
    assert status == 409 and "still running" in body["detail"]


def test_its_runs_are_one_session_of_the_library(done: dict[str, Any]) -> None:
    url, cid = done["url"], done["final"]["id"]
    _, sessions = call(f"{url}/api/sessions")
    mine = next(s for s in sessions if s["id"] == cid)
    assert mine["name"].startswith("comparison: cpu, 4 tasks × 150 ms, 2 workers")
    assert mine["recordings"] == [r["recording"] for r in done["final"]["recordings"]]
    _, listed = call(f"{url}/api/recordings")
    names = {r["id"]: r["name"] for r in listed}
    assert [names[r["recording"]].split(" · ")[0] for r in done["final"]["recordings"]] == list(
        compare.EXECUTORS)


def test_the_summary_is_computed_from_the_recorded_events(done: dict[str, Any]) -> None:
    url, final = done["url"], done["final"]
    status, body = call(f"{url}/api/comparisons/{final['id']}/summary")
    assert status == 200
    runs = [events_of(url, r["recording"]) for r in final["recordings"]]
    assert body["summary"] == [r.as_json() for r in compare.summarize(runs)]
    threads = runs[1]
    first = min(e["t"] for e in threads if e["kind"] == "task_submitted")
    last = max(e["t"] for e in threads if e["kind"] == "task_finished")
    assert body["summary"][1]["wall_ns"] == last - first


def test_lesson_15_observes_the_comparison(done: dict[str, Any]) -> None:
    url, cid = done["url"], done["final"]["id"]
    status, body = call(f"{url}/api/comparisons/{cid}/observed?lesson=processes-vs-threads")
    assert status == 200, body
    by_key = {o["key"]: o for o in body["observations"]}
    _, summary = call(f"{url}/api/comparisons/{cid}/summary")
    rows = {r["executor"]: r for r in summary["summary"]}
    assert by_key["speedup_processes"]["value"] == round(rows["processes"]["speedup"], 2)
    status, body = call(f"{url}/api/comparisons/{cid}/observed?lesson=no-such-lesson")
    assert status == 404 and "unknown lesson" in body["detail"]


def test_unknown_comparisons_and_bad_settings_are_refused(done: dict[str, Any]) -> None:
    url = done["url"]
    status, body = call(f"{url}/api/comparisons/999")
    assert status == 404 and "no comparison 999" in body["detail"]
    status, body = call(f"{url}/api/comparisons", "POST", {**SETTINGS, "max_workers": 99})
    assert status == 422 and body["detail"] == ("max_workers must be from 2 to 64 for a "
                                                 "comparison; got 99")
    status, body = call(f"{url}/api/comparisons", "POST", {**SETTINGS, "nonsense": 1})
    assert status == 422 and "nonsense" in body["detail"]
    status, limits = call(f"{url}/api/comparisons/limits")
    assert limits["max_workers"] == list(compare.MAX_WORKERS)


def test_the_page_can_open_it_after_it_ended(done: dict[str, Any]) -> None:
    url, cid = done["url"], done["final"]["id"]
    status, current = call(f"{url}/api/comparisons/current")
    assert status == 200 and current["comparison"]["id"] == cid
    with urllib.request.urlopen(f"{url}/compare.html", timeout=10) as page:
        assert 'src="compare/main.js"' in page.read().decode()


