"""The code shown beside a lesson's timeline: the workload function a preset runs, or the whole
shipped example a lesson traces.

`code` is {file, lines, focus, first_line}: `file` names what is shown (schedviz/workloads.py,
examples/threads_io.py), `lines` are its lines, `first_line` is the file's line number of
lines[0], and `focus` is [first, last], 1-based positions in `lines` of the lines that do the
lesson's work (null: nothing in particular).

Guarantees:
- Only schedviz's own workload modules and files the caller found among the shipped examples
  are read: a name a client sends never becomes a path here.
- A function is found by the run's workload name; a workload without one shows no code (None).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

from schedviz import aio_workloads, workloads
from schedviz.protocol import RunConfig

#: pool workload -> the function of workloads.py that does its work, where the names differ
_POOL_FUNCTIONS = {"hash": "hash_mb", "mixed": "run_task", "convoy": "run_task"}

#: function -> the text of the first and of the last line of its focus (the same: one line)
_FOCUS = {
    "cpu": ("while time.perf_counter() < end:", "n += 1"),
    "cpu_work": ("while True:", "return n"),
    "sleep": ("time.sleep(", "time.sleep("),
    "hash_mb": ("hashlib.sha256", "hashlib.sha256"),
    "run_task": ("if kind == \"cpu\":", "result = io_loop(task, ms)"),
    "sleepers": ("async def sleeper(i", "await asyncio.sleep"),
    "blocking": ("async def blocker", "await asyncio.sleep(run.s)"),
}


def _function(config: RunConfig) -> Callable[..., Any] | None:
    if config.executor == "asyncio":
        return aio_workloads.WORKLOADS.get(config.workload)
    found = getattr(workloads, _POOL_FUNCTIONS.get(config.workload, config.workload), None)
    return found if callable(found) else None


def focus(lines: list[str], name: str) -> list[int] | None:
    """[first, last] (1-based in `lines`) of the function's focus, or None when not found."""
    marks = _FOCUS.get(name)
    if marks is None:
        return None
    first_mark, last_mark = marks
    first = next((i for i, line in enumerate(lines) if first_mark in line), None)
    if first is None:
        return None
    last = max((i for i, line in enumerate(lines) if last_mark in line and i >= first),
               default=first)
    return [first + 1, last + 1]


def preset_code(config: RunConfig) -> dict[str, Any] | None:
    """The workload function a preset's run executes, with its focus."""
    fn = _function(config)
    if fn is None:
        return None
    source, first_line = inspect.getsourcelines(fn)
    lines = [line.rstrip("\n") for line in source]
    module = Path(inspect.getfile(fn)).name
    return {"file": f"schedviz/{module}", "lines": lines, "focus": focus(lines, fn.__name__),
            "first_line": first_line}


def example_code(path: Path) -> dict[str, Any]:
    """A shipped example's whole file (the caller found `path` among the shipped ones)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return {"file": f"examples/{path.name}", "lines": lines, "focus": None, "first_line": 1}
