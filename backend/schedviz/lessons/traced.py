"""What the lessons that run a shipped example share: the run check, and the example's own
threads, generators and steps, read from the events of its `schedviz trace`.

Guarantees:
- `expect_example` raises NotObservable, saying what ran and what the lesson needs, for events
  that are not a finished trace of the lesson's example file.
- Pure functions of the events (any order: they sort by `t`, ties by `seq`).
"""

from __future__ import annotations

import os
from typing import Any

from schedviz.lessons import Events, NotObservable


def expect_example(events: Events, lesson: str, stem: str) -> dict[str, Any]:
    """The run's config, if the events are a finished trace of examples/<stem>.py."""
    config = next((e["config"] for e in events if e["kind"] == "run_started"), None)
    if config is None:
        raise NotObservable(f"these events have no run_started: not a run that {lesson} can "
                            "read")
    program = str(config.get("program") or "")
    if os.path.basename(program) != f"{stem}.py":
        ran = f"a trace of {program}" if program else "not a trace of an example"
        raise NotObservable(f"{lesson} reads a trace of examples/{stem}.py; this run is {ran}")
    ended = [e for e in events if e["kind"] == "run_ended"]
    if not ended:
        raise NotObservable("the run has not ended yet: its summary comes at its end")
    if ended[-1]["reason"] != "completed":
        raise NotObservable(f"the trace of {stem}.py ended {ended[-1]['reason']} "
                            f"({ended[-1].get('message') or 'no message'}): run it again")
    return dict(config)


def in_order(events: Events, *kinds: str) -> list[dict[str, Any]]:
    """The events of these kinds by time (ties: by seq)."""
    return sorted((e for e in events if e["kind"] in kinds), key=lambda e: (e["t"], e["seq"]))


def program_threads(events: Events) -> dict[int, str]:
    """Lane (worker id) -> thread name, for the threads of the program's own (no pool's)."""
    return {e["worker"]: e["name"] for e in events
            if e["kind"] == "worker_spawned" and e["pool"] is None}


def site(file: str | None, line: int | None) -> str:
    """`name.py:12`, as the page writes a yield site."""
    return f"{os.path.basename(file or '?')}:{line}"
