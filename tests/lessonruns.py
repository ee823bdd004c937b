"""A lesson's run for real, one per lesson test module: its preset by `schedviz run` (a fresh
process each, as the lab is) or its example by `schedviz trace`, the events read back from the
JSON Lines it wrote."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from realruns import schedviz_command
from schedviz.lessons import Lesson

RUN_TIMEOUT_S = 120


def run_preset(lesson: Lesson, folder: Path, **overrides: Any) -> list[dict[str, Any]]:
    """The events of one run of the lesson's preset (with `overrides`), to its end."""
    assert lesson.preset is not None, f"lesson {lesson.id} runs no preset"
    config = lesson.preset.model_copy(update=overrides)
    config_file, out = folder / f"{lesson.id}.json", folder / f"{lesson.id}.jsonl"
    config_file.write_text(config.model_dump_json())
    proc = subprocess.run(
        [*schedviz_command(), "run", "--config", str(config_file), "--events-out", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=RUN_TIMEOUT_S,
    )
    assert proc.returncode == 0, f"schedviz run of lesson {lesson.id} failed: {proc.stderr}"
    return [json.loads(line) for line in out.open()]


def of(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    """The events of one kind, in the order of the log."""
    return [e for e in events if e["kind"] == kind]


def by_key(found: list[Any]) -> dict[str, Any]:
    """Observations by their key (each key once)."""
    keyed = {o.key: o for o in found}
    assert len(keyed) == len(found), f"an observation key repeats: {[o.key for o in found]}"
    return keyed


def preset_run(lesson: Lesson, **overrides: Any) -> Any:
    """A module-scoped fixture: one real run of the lesson's preset (with `overrides`), as
    {"events": its events, "observed": the lesson's observations by key}."""

    @pytest.fixture(scope="module")
    def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
        events = run_preset(lesson, tmp_path_factory.mktemp(lesson.id), **overrides)
        return {"events": events, "observed": by_key(lesson.observe(events))}

    return run


def example_run(lesson: Lesson, *args: str) -> Any:
    """A module-scoped fixture: one `schedviz trace` of the lesson's example (with `args`), as
    {"stdout": what it printed, "events": its events, "observed": the observations by key}."""
    from test_examples import trace  # the examples' own test module holds the trace runner

    @pytest.fixture(scope="module")
    def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
        assert lesson.example is not None, f"lesson {lesson.id} runs no example"
        proc, events = trace(f"{lesson.example}.py", tmp_path_factory.mktemp(lesson.id), *args)
        return {"stdout": proc.stdout, "events": events,
                "observed": by_key(lesson.observe(events))}

    return run
