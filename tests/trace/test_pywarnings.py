"""Python's own warnings become events at their lines, and the program's output is unchanged:
a coroutine never awaited (at the line that created it) and a task exception never retrieved
(at the line that raised it), in a real interpreter running the shipped example."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "asyncio_warnings.py"

# Runs the example with the hooks installed and a recorder that keeps what it is given.
PROBE = """
import json, runpy, sys
from schedviz.trace import pywarnings

class Keep:
    def __init__(self): self.events = []
    def record(self, kind, *fields): self.events.append([kind, *fields])

keep = Keep()
pywarnings.install(keep, own_files=lambda f: f == sys.argv[1])
runpy.run_path(sys.argv[1], run_name="__main__")
pywarnings.uninstall()
print("EVENTS " + json.dumps(keep.events))
"""


def source_line(text: str) -> int:
    lines = EXAMPLE.read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def test_never_awaited_and_never_retrieved_are_noted_at_their_lines() -> None:
    plain = subprocess.run([sys.executable, str(EXAMPLE)], capture_output=True, text=True,
                           timeout=60)
    probed = subprocess.run([sys.executable, "-c", PROBE, str(EXAMPLE)], capture_output=True,
                            text=True, timeout=60)
    assert probed.returncode == 0, probed.stderr
    out, _, events_line = probed.stdout.rpartition("EVENTS ")
    events = json.loads(events_line)
    # What the program printed is what it prints alone.
    assert out == plain.stdout
    assert "coroutine 'tick' was never awaited" in probed.stderr
    assert "Task exception was never retrieved" in probed.stderr
    by_category = {e[1]: e for e in events}
    never_awaited = by_category["RuntimeWarning"]
    assert never_awaited == ["python_warning", "RuntimeWarning",
                             "coroutine 'tick' was never awaited", str(EXAMPLE),
                             source_line("tick()  # never awaited")]
    unretrieved = by_category["asyncio"]
    assert unretrieved[2] == "Task exception was never retrieved"
    assert unretrieved[3:] == [str(EXAMPLE), source_line('raise ValueError("nobody looks')]
    assert len(events) == 2


def test_a_traced_script_records_both_at_their_lines(tmp_path: Path) -> None:
    events_out = tmp_path / "events.jsonl"
    schedviz = Path(sys.executable).with_name("schedviz")
    proc = subprocess.run([str(schedviz), "trace", "--events-out", str(events_out), str(EXAMPLE)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    warned = [json.loads(line) for line in events_out.open()
              if '"python_warning"' in line]
    assert [(w["category"], w["message"], w["file"], w["line"]) for w in warned] == [
        ("RuntimeWarning", "coroutine 'tick' was never awaited", str(EXAMPLE),
         source_line("tick()  # never awaited")),
        ("asyncio", "Task exception was never retrieved", str(EXAMPLE),
         source_line('raise ValueError("nobody looks')),
    ]
    # Python still says both, as it does without the trace.
    assert "coroutine 'tick' was never awaited" in proc.stderr
    assert "Task exception was never retrieved" in proc.stderr
