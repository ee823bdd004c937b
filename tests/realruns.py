"""Real runs recorded once per test session by `schedviz run`, for every test that needs a
run's real events (storage, exports, the replay model): fixtures `real_run_files` and
`real_runs` in tests/conftest.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

# id -> (preset, overrides that keep it short but still of its kind)
REAL_RUNS: dict[str, tuple[str, dict[str, Any]]] = {
    "threads": ("steady-stream", {"duration_s": 2, "n_tasks": 40}),
    "processes": ("chunksize", {"duration_s": 2, "n_tasks": 800, "chunksize": 8}),
    "crash": ("worker-crash", {}),
    "asyncio": ("asyncio-echo", {}),
    "gil": ("gil-three-ways", {"task_ms": 200}),
    "blocking": ("asyncio-blocking", {}),
    "queue": ("asyncio-queue", {}),
}


def schedviz_command() -> list[str]:
    """The installed `schedviz` script beside this Python, else `python -m schedviz`."""
    script = Path(sys.executable).with_name("schedviz")
    return [str(script)] if script.exists() else [sys.executable, "-m", "schedviz"]


def record_real_runs(folder: Path) -> dict[str, Path]:
    """run id -> the JSON Lines `schedviz run --events-out` wrote for it (run side by side)."""
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
