"""Real runs for the storage tests, recorded once per session by `schedviz run`, and a store."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from schedviz.storage.recordings import RecordingStore

# id -> (preset, overrides that keep it short but still of its kind)
REAL_RUNS: dict[str, tuple[str, dict[str, Any]]] = {
    "threads": ("steady-stream", {"duration_s": 2, "n_tasks": 40}),
    "processes": ("chunksize", {"duration_s": 2, "n_tasks": 800, "chunksize": 8}),
    "crash": ("worker-crash", {}),
    "asyncio": ("asyncio-echo", {}),
    "gil": ("gil-three-ways", {"task_ms": 200}),
}


def schedviz_command() -> list[str]:
    """The installed `schedviz` script beside this Python, else `python -m schedviz`."""
    script = Path(sys.executable).with_name("schedviz")
    return [str(script)] if script.exists() else [sys.executable, "-m", "schedviz"]


@pytest.fixture(scope="session")
def real_run_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """run id -> the JSON Lines `schedviz run --events-out` wrote for it (run side by side)."""
    folder = tmp_path_factory.mktemp("runs")
    procs = {}
    for rid, (preset, overrides) in REAL_RUNS.items():
        config = folder / f"{rid}.json"
        config.write_text(json.dumps(overrides))
        procs[rid] = subprocess.Popen(
            [*schedviz_command(), "run", "--scenario", preset, "--config", str(config),
             "--events-out", str(folder / f"{rid}.jsonl")],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
    for rid, proc in procs.items():
        _, err = proc.communicate(timeout=90)
        assert proc.returncode == 0, f"schedviz run {rid} failed: {err}"
    return {rid: folder / f"{rid}.jsonl" for rid in REAL_RUNS}


@pytest.fixture(scope="session")
def real_runs(real_run_files: dict[str, Path]) -> dict[str, list[dict[str, Any]]]:
    """run id -> its events."""
    return {rid: [json.loads(line) for line in path.open()]
            for rid, path in real_run_files.items()}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[RecordingStore]:
    with RecordingStore(tmp_path / "recordings.sqlite3", commit_interval_s=0.05) as s:
        yield s
