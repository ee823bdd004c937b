"""Real traced runs for tests that need a program's real Future events (v6): `schedviz trace
--events-out` of a shipped example, its events read back in the order the file has them."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from realruns import schedviz_command

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@dataclass
class Traced:
    events: list[dict[str, Any]]
    stdout: str  # what the program printed


def trace_example(folder: Path, example: str, *args: str, timeout: float = 60) -> Traced:
    """The events and output of `schedviz trace examples/<example>.py args…` (it must exit 0)."""
    out = folder / f"{example}.jsonl"
    proc = subprocess.run(
        [*schedviz_command(), "trace", "--events-out", str(out), str(EXAMPLES / f"{example}.py"),
         *args],
        capture_output=True, text=True, timeout=timeout, cwd=folder,
    )
    assert proc.returncode == 0, f"schedviz trace {example} failed: {proc.stderr}"
    return Traced([json.loads(line) for line in out.open()], proc.stdout)
