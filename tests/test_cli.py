"""`schedviz run` headless: a real run in a real subprocess, its JSON Lines checked."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from invariants import check_aio, check_run, load_jsonl


def schedviz(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "schedviz", *args], capture_output=True, text=True, timeout=60,
        check=False,
    )


def test_run_writes_jsonl_that_keeps_the_invariants(tmp_path: Path) -> None:
    config = tmp_path / "run.json"
    config.write_text(json.dumps(
        {"workload": "sleep", "n_tasks": 12, "task_ms": 30, "max_workers": 3, "fail_every": 5}
    ))
    out = tmp_path / "events.jsonl"
    proc = schedviz("run", "--config", str(config), "--events-out", str(out))
    assert proc.returncode == 0, proc.stderr
    events = load_jsonl(out)
    assert all({"seq", "t", "kind"} <= e.keys() for e in events)
    run = check_run(events)
    assert len(run.finished) == 12 and run.max_running == 3
    assert sorted(t.task for t in run.finished if not t.finished["ok"]) == [4, 9]  # type: ignore[index]
    assert "12 finished (2 raised)" in proc.stderr


def test_run_a_preset_by_id(tmp_path: Path) -> None:
    out = tmp_path / "e.jsonl"
    proc = schedviz("run", "--scenario", "io-threads", "--events-out", str(out))
    assert proc.returncode == 0, proc.stderr
    run = check_run(load_jsonl(out))
    assert run.events[0]["config"]["n_tasks"] == 12 and len(run.finished) == 12


def test_bad_config_is_refused_with_the_allowed_range(tmp_path: Path) -> None:
    config = tmp_path / "bad.json"
    config.write_text(json.dumps({"max_workers": 100, "colour": "red"}))
    proc = schedviz("run", "--config", str(config), "--events-out", str(tmp_path / "x.jsonl"))
    assert proc.returncode != 0
    assert "max_workers must be between 1 and 64; got 100" in proc.stderr
    assert "unknown field 'colour'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_config_file_says_so(tmp_path: Path) -> None:
    proc = schedviz("run", "--config", str(tmp_path / "nope.json"), "--events-out", "x.jsonl")
    assert proc.returncode != 0 and "cannot read config" in proc.stderr


def test_unknown_scenario_lists_the_known_ones(tmp_path: Path) -> None:
    proc = schedviz("run", "--scenario", "nope", "--events-out", str(tmp_path / "x.jsonl"))
    assert proc.returncode != 0
    assert "unknown scenario 'nope'" in proc.stderr and "io-threads" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_process_map_chunks_in_the_jsonl(tmp_path: Path) -> None:
    for chunksize, method, expected in ((4, "spawn", 4), (1, "fork", 16)):
        config = tmp_path / f"map{chunksize}.json"
        config.write_text(json.dumps({
            "executor": "processes", "start_method": method, "submit_mode": "map",
            "n_tasks": 16, "chunksize": chunksize, "max_workers": 2, "workload": "cpu",
            "task_ms": 2,
        }))
        out = tmp_path / f"map{chunksize}.jsonl"
        proc = schedviz("run", "--config", str(config), "--events-out", str(out))
        assert proc.returncode == 0, proc.stderr
        run = check_run(load_jsonl(out))  # includes: items inside their chunk's span
        chunks = [e for e in run.kinds("task_submitted") if e["items"] is not None]
        assert len(chunks) == expected and sum(c["items"] for c in chunks) == 16
        for life in run.finished:
            assert life.started is not None and life.started[1] in run.workers
            assert len(life.finished["item_ends"]) == chunksize  # type: ignore[index]
        assert len(run.workers) == 2


def test_every_preset_runs_headless_and_keeps_the_invariants(tmp_path: Path) -> None:
    from schedviz import scenarios

    for preset in scenarios.all_scenarios():
        # A short version of each lesson: the same settings, fewer tasks, no long streams.
        config = preset.config.model_copy(
            update={"n_tasks": min(preset.config.n_tasks, 12), "duration_s": 1.0,
                    "task_ms": min(preset.config.task_ms, 20),
                    "payload_numbers": min(preset.config.payload_numbers, 10_000)}
        )
        path = tmp_path / f"{preset.id}.json"
        path.write_text(config.model_dump_json())
        out = tmp_path / f"{preset.id}.jsonl"
        proc = schedviz("run", "--config", str(path), "--events-out", str(out))
        assert proc.returncode == 0, (preset.id, proc.stderr)
        events = load_jsonl(out)
        run = check_run(events)
        if preset.config.executor == "asyncio":
            assert check_aio(events).tasks, preset.id
        else:
            assert run.tasks, preset.id


def test_asyncio_run_reports_the_blocking_line(tmp_path: Path) -> None:
    config = tmp_path / "run.json"
    config.write_text(json.dumps({"executor": "asyncio", "workload": "blocking", "n_tasks": 3,
                                  "task_ms": 120}))
    out = tmp_path / "events.jsonl"
    proc = schedviz("run", "--config", str(config), "--events-out", str(out))
    assert proc.returncode == 0, proc.stderr
    events = load_jsonl(out)
    check_run(events)
    run = check_aio(events)
    assert [b["source"] for b in run.blocked if not b["ongoing"]] == [
        "time.sleep(run.s)  # blocks the loop: no other task runs until it returns"
    ]
    assert "1 blocked the loop" in proc.stderr and "asyncio tasks" in proc.stderr


def test_asyncio_refuses_a_pool_workload(tmp_path: Path) -> None:
    config = tmp_path / "run.json"
    config.write_text(json.dumps({"executor": "asyncio", "workload": "hash"}))
    proc = schedviz("run", "--config", str(config), "--events-out", str(tmp_path / "e.jsonl"))
    assert proc.returncode != 0
    assert "does not run on executor 'asyncio'" in proc.stderr and "echo" in proc.stderr
