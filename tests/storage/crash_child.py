"""A process that records until it is killed, saying on stdout what it appended and when.

`python crash_child.py FILE`: prints `appended COUNT MONOTONIC_S` after each append returns.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from schedviz.storage.recordings import RecordingStore

RECORDING = "crashing"
PER_APPEND = 200


def events(start: int, n: int) -> list[dict[str, Any]]:
    """The events from seq `start` on, the same every time (the test rebuilds them)."""
    out: list[dict[str, Any]] = []
    for seq in range(start, start + n):
        if seq == 0:
            out.append({"seq": 0, "t": 0, "kind": "run_started", "run_id": RECORDING,
                        "wall_time_ns": 1, "schema_version": 4, "config": {}})
        elif seq % 3:
            out.append({"seq": seq, "t": seq * 997, "kind": "task_started", "task": seq,
                        "worker": seq % 4})
        else:
            out.append({"seq": seq, "t": seq * 997 - 50, "kind": "warning",
                        "message": f"event {seq}"})
    return out


def main(path: str) -> None:
    store = RecordingStore(path)  # the default commit interval, as the web has it
    store.create_recording(RECORDING, {"n_tasks": 1})
    count = 0
    while True:
        store.append(RECORDING, events(count, PER_APPEND))
        count += PER_APPEND
        print(f"appended {count} {time.monotonic()}", flush=True)
        time.sleep(0.01)  # about the lab's pace: a batch every few tens of ms


if __name__ == "__main__":
    main(sys.argv[1])
