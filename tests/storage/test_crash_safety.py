"""A recording process killed with SIGKILL leaves a readable file: every recording listed, and
all events appended up to a second before the kill there, gap-free."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from crash_child import PER_APPEND, RECORDING, events
from storeutil import assert_same_events

from schedviz.storage.recordings import RecordingStore

CHILD = Path(__file__).with_name("crash_child.py")


def test_a_killed_recorder_loses_at_most_its_last_second(tmp_path: Path) -> None:
    path = tmp_path / "recordings.sqlite3"
    with RecordingStore(path) as store:  # a finished recording from before
        store.create_recording("earlier", {})
        store.append("earlier", events(0, 10))
        store.finish("earlier", "completed")
    proc = subprocess.Popen([sys.executable, str(CHILD), str(path)], stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None
    reports: list[tuple[int, float]] = []
    for line in proc.stdout:  # the child says what it appended: no sleeping here
        _, count, when = line.split()
        reports.append((int(count), float(when)))
        if reports[-1][1] - reports[0][1] >= 2.0:
            break
    proc.kill()
    killed_at = time.monotonic()
    proc.wait(10)
    for line in proc.stdout:  # reports already on their way when it died
        _, count, when = line.split()
        reports.append((int(count), float(when)))
    proc.stdout.close()
    assert proc.returncode == -9

    with RecordingStore(path) as store:
        listed = {r.id: r for r in store.list_recordings()}
        assert set(listed) == {"earlier", RECORDING}
        assert listed[RECORDING].ended_reason == "interrupted"
        assert listed["earlier"].ended_reason == "completed"
        stored = list(store.read_events(RECORDING))
        n = len(stored)
        assert listed[RECORDING].events == n
        assert_same_events(stored, events(0, n))  # a gap-free prefix, exactly as appended
        must_have = max((c for c, when in reports if when <= killed_at - 1.0), default=0)
        appended = reports[-1][0] + PER_APPEND  # (one more may have gone in, not reported)
        assert must_have <= n <= appended, (must_have, n, appended)
        assert must_have >= 10 * PER_APPEND  # (the child did record for a while)
