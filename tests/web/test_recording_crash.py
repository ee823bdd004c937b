"""A real `schedviz serve` killed with SIGKILL in the middle of a run leaves a readable
recording that misses at most the last second of it."""

from __future__ import annotations

import json
import os
import signal
import time
import urllib.request
from pathlib import Path
from typing import Any

from schedviz.storage.recordings import RecordingStore
from serverproc import serve

STREAM = {"workload": "sleep", "arrival": "rate", "rate": 200, "duration_s": 60,
          "n_tasks": 10_000, "task_ms": 5, "max_workers": 4}
RUN_FOR_S = 3.0


def _json(url: str, body: dict[str, Any] | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def test_a_server_killed_mid_run_leaves_a_readable_recording(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with serve(data, tmp_path / "server.log") as (url, proc):
        run_id = _json(f"{url}/api/runs", STREAM)["run_id"]
        # Let the steady stream run a few seconds (the run's own clock, read from the server).
        deadline = time.monotonic() + 30
        last: dict[str, Any] = {}
        while time.monotonic() < deadline:
            status = _json(f"{url}/api/runs/current")["run"]
            if status["events"] > 0:
                n = status["events"]
                with urllib.request.urlopen(
                    f"{url}/api/recordings/{run_id}/events?from_seq={n - 1}&to_seq={n - 1}",
                    timeout=10,
                ) as resp:
                    last = json.loads(resp.read().splitlines()[0])
                if last["t"] >= RUN_FOR_S * 1e9:
                    break
            time.sleep(0.1)  # polling the run's progress: there is nothing to block on
        assert last, "the run produced no events"
        # What the server had received when it is killed: at least up to `last`.
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    with RecordingStore.in_data_dir(data) as store:
        listed = [r.id for r in store.list_recordings()]
        assert run_id in listed
        events = list(store.read_events(run_id))
    assert events, "nothing of the run was committed"
    assert [e["seq"] for e in events] == list(range(len(events)))
    assert events[0]["kind"] == "run_started"
    # At most the last second is missing.
    assert events[-1]["t"] >= last["t"] - 1e9, (events[-1]["t"], last["t"])
