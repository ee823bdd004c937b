"""One real comparison, made once per test session by `schedviz compare` (small: 4 tasks of
150 ms of CPU on 2 workers, processes started by fork, so it takes a few seconds), for the
tests of the summary, the CLI and lesson 15."""

from __future__ import annotations

import atexit
import functools
import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from realruns import schedviz_command

ARGS = ["--workload", "cpu", "--n-tasks", "4", "--task-ms", "150", "--max-workers", "2",
        "--start-method", "fork"]
EXECUTORS = ("sequential", "threads", "processes", "asyncio")


@dataclass(frozen=True)
class ComparisonRun:
    stdout: str  # the table the command printed
    stderr: str  # its progress lines
    returncode: int
    runs: dict[str, list[dict[str, Any]]]  # executor -> the events it wrote (--events-out)


@functools.cache
def comparison() -> ComparisonRun:
    folder = Path(tempfile.mkdtemp(prefix="schedviz-compare-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    proc = subprocess.run([*schedviz_command(), "compare", *ARGS, "--events-out", str(folder)],
                          capture_output=True, text=True, timeout=120)
    runs = {}
    for name in EXECUTORS:
        path = folder / f"{name}.jsonl"
        if path.exists():
            runs[name] = [json.loads(line) for line in path.read_text().splitlines()]
    return ComparisonRun(proc.stdout, proc.stderr, proc.returncode, runs)
