"""frontend/protocol.js is generated from protocol.py, and a change not regenerated is caught."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from pydantic import Field

from schedviz import protocol

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "gen_protocol.py"


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_protocol", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


def test_checked_in_protocol_js_is_what_the_generator_writes() -> None:
    assert gen.staleness(gen.TARGET, gen.render(protocol.json_schema())) is None


def test_the_check_command_passes_on_this_checkout() -> None:
    proc = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True,
                          text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "up to date" in proc.stdout


def test_a_new_run_config_field_makes_the_checked_in_file_stale(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class WiderConfig(protocol.RunConfig):
        burst: int = Field(1, ge=1, le=8, description="v5: tasks submitted at once")

    monkeypatch.setattr(protocol, "RunConfig", WiderConfig)
    before = gen.TARGET.read_text()
    wanted = gen.render(protocol.json_schema())
    assert wanted != before
    assert "  burst: { min: 1, max: 8, step: 1, default: 1 }, // v5" in wanted
    assert gen.main(["--check"]) == 1
    err = capsys.readouterr().err
    assert "frontend/protocol.js is stale" in err and "`make protocol`" in err
    assert "+  burst: { min: 1, max: 8, step: 1, default: 1 }, // v5" in err
    assert gen.TARGET.read_text() == before, "--check only compares"


def test_a_new_event_field_makes_the_checked_in_file_stale(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class TaskStartedOnCpu(protocol.TaskStarted):
        cpu: int = Field(description="v5: the CPU it started on")

    models = [TaskStartedOnCpu if m is protocol.TaskStarted else m for m in protocol.EVENT_MODELS]
    monkeypatch.setattr(protocol, "FIELDS", protocol.event_fields(models))
    assert gen.main(["--check"]) == 1
    err = capsys.readouterr().err
    assert 'is stale' in err and '+  "task_started": ["task", "worker", "cpu"],' in err


def test_a_float_field_without_a_step_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    class Stepless(protocol.RunConfig):
        ratio: float = Field(0.5, ge=0.0, le=1.0, description="v5: a float with no step")

    monkeypatch.setattr(protocol, "RunConfig", Stepless)
    with pytest.raises(SystemExit, match="ratio is a float without a step"):
        gen.render(protocol.json_schema())
