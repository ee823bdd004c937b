"""Python's own warnings as the page shows them: the events Python's hooks noted for the shipped
example (a coroutine never awaited, a task exception never retrieved) become markers on the time
axis named by their lines, with a tooltip saying what Python said; a replay steps back past them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "asyncio_warnings.py"
PROBE = (ROOT / "tests" / "trace" / "test_pywarnings.py").read_text().split('PROBE = """')[1]
PROBE = PROBE.split('"""')[0]


def noted_events() -> list[dict[str, Any]]:
    """The example's warnings as wire events, in a run of their own."""
    proc = subprocess.run([sys.executable, "-c", PROBE, str(EXAMPLE)], capture_output=True,
                          text=True, timeout=60, check=True)
    noted = json.loads(proc.stdout.rpartition("EVENTS ")[2])
    events: list[dict[str, Any]] = [
        {"seq": 0, "t": 0, "kind": "run_started", "run_id": "w", "wall_time_ns": 1,
         "schema_version": 5, "config": {"executor": "asyncio"}},
    ]
    for i, (kind, category, message, file, line) in enumerate(noted, start=1):
        events.append({"seq": i, "t": i * 10_000_000, "kind": kind, "category": category,
                       "message": message, "file": file, "line": line})
    events.append({"seq": len(events), "t": 50_000_000, "kind": "run_ended",
                   "reason": "completed", "message": None})
    return events


def test_warnings_are_markers_named_by_their_lines(js: Page) -> None:
    events = noted_events()
    out = js.evaluate("""async (events) => {
      const { Replay } = await import("/model/core/replay.js");
      const { Viewport } = await import("/render/core/viewport.js");
      const { computeLayout } = await import("/render/core/layout.js");
      const { placeMarkers } = await import("/render/core/markers.js");
      const { describePlacedMarker } = await import("/render/core/describemarkers.js");
      const r = new Replay(events);
      r.seekIndex(r.length);
      const vp = new Viewport(900);
      vp.show(0, 60e6);
      const layout = computeLayout(1100, 0);
      const placed = placeMarkers(r.model, vp, layout, (s) => s.length * 8)
        .filter((p) => p.type === "python");
      const tips = placed.map((p) => describePlacedMarker(r.model, p));
      r.stepEvent(-1);  // the run's end
      r.stepEvent(-1);  // the newest warning taken back
      return { texts: placed.map((p) => p.text), tips, left: r.model.pythonWarnings.length };
    }""", events)
    lines = EXAMPLE.read_text().splitlines()
    awaited = next(i for i, x in enumerate(lines, 1) if "tick()  # never awaited" in x)
    raised = next(i for i, x in enumerate(lines, 1) if 'raise ValueError("nobody' in x)
    assert out["texts"] == [f"RuntimeWarning · asyncio_warnings.py:{awaited}",
                            f"asyncio · asyncio_warnings.py:{raised}"]
    assert out["tips"][0]["title"] == "Python warned"
    assert out["tips"][0]["note"] == "coroutine 'tick' was never awaited"
    assert ["where", f"{EXAMPLE}, line {awaited}"] in out["tips"][0]["rows"]
    assert out["tips"][1]["note"] == "Task exception was never retrieved"
    assert out["left"] == 1
