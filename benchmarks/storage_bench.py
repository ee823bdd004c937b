"""Bytes per stored event of real runs, against the goal of 16 (VizTracer's JSON: ~170).

Each case records a preset for real with `schedviz run --events-out`, then stores its events
as the web process does (`RecordingStore`: create, append the lab's ~500-event batches,
finish) in a fresh file of its own, and reads them back. It reports the bytes the recording
takes in the store (its compressed batches and string table, the figure the goal is about),
the whole SQLite file (for a short run mostly the ~50 KB an empty library takes), the exported
recording file and the JSON Lines it came from, each per event, and the time to store and to
read one event.

Writes the table as JSON (default bench-results/storage.json) and prints it.
"""

from __future__ import annotations

import argparse
import json
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

from report import write_table

from schedviz.storage.archive import export_recording
from schedviz.storage.recordings import RecordingStore

GOAL_BYTES_PER_EVENT = 16
PER_APPEND = 500  # about what the lab sends in one batch

# (case, preset, overrides for --short)
CASES = [
    ("thread pool, steady stream", "steady-stream", {"duration_s": 5}),
    ("process pool, map with chunks", "chunksize", {"duration_s": 5, "chunksize": 8}),
    ("GIL, three workloads", "gil-three-ways", {}),
    ("asyncio, TCP echo", "asyncio-echo", {}),
]


def record_run(preset: str, overrides: dict[str, Any], folder: Path) -> Path:
    """The preset's events as `schedviz run` writes them."""
    out, config = folder / f"{preset}.jsonl", folder / f"{preset}.json"
    config.write_text(json.dumps(overrides))
    script = Path(sys.executable).with_name("schedviz")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "schedviz"]
    subprocess.run([*command, "run", "--scenario", preset, "--config", str(config),
                    "--events-out", str(out)], check=True, stderr=subprocess.DEVNULL)
    return out


def measure(name: str, jsonl: Path, folder: Path) -> dict[str, Any]:
    events = [json.loads(line) for line in jsonl.open()]
    path = folder / f"{jsonl.stem}.sqlite3"
    with RecordingStore(path) as store:
        began = time.perf_counter()
        store.create_recording("r", events[0]["config"])
        for i in range(0, len(events), PER_APPEND):
            store.append("r", events[i:i + PER_APPEND])
        store.finish("r", "completed")
        store.flush()
        stored_s = time.perf_counter() - began
        began = time.perf_counter()
        read = sum(1 for _ in store.read_events("r"))
        read_s = time.perf_counter() - began
        assert read == len(events)
        rec = store.get("r")
        archive = len(export_recording(store, "r"))
    n = len(events)
    per_event = rec.bytes / n
    return {
        "case": name,
        "events": n,
        "stored_bytes_per_event": round(per_event, 2),
        "sqlite_file_bytes_per_event": round(path.stat().st_size / n, 2),
        "archive_bytes_per_event": round(archive / n, 2),
        "jsonl_bytes_per_event": round(jsonl.stat().st_size / n, 1),
        "store_us_per_event": round(stored_s / n * 1e6, 2),
        "read_us_per_event": round(read_s / n * 1e6, 2),
        "goal": GOAL_BYTES_PER_EVENT,
        "met": per_event <= GOAL_BYTES_PER_EVENT,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="bench-results/storage.json", help="where to write JSON")
    parser.add_argument("--short", action="store_true",
                        help="shorter runs of the two long presets (5 s instead of 20–30 s)")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="storage-bench-") as tmp:
        folder = Path(tmp)
        for i, (name, preset, short) in enumerate(CASES, 1):
            print(f"[{i}/{len(CASES)}] {name} ({preset}) …", file=sys.stderr, flush=True)
            jsonl = record_run(preset, short if args.short else {}, folder)
            rows.append(measure(name, jsonl, folder))
    write_table(
        args.out, rows, python=platform.python_version(),
        sqlite=sqlite3.sqlite_version,  # (both shape the sizes and times)
        zlib=zlib.ZLIB_RUNTIME_VERSION, goal_bytes_per_event=GOAL_BYTES_PER_EVENT,
    )
    print(f"{'case':<32} {'events':>7} {'stored':>7} {'file':>6} {'export':>7} {'jsonl':>6} "
          f"{'store µs':>8} {'read µs':>7} {'goal':>5}  met   (bytes and µs per event)")
    for r in rows:
        print(f"{r['case']:<32} {r['events']:>7} {r['stored_bytes_per_event']:>7} "
              f"{r['sqlite_file_bytes_per_event']:>6} {r['archive_bytes_per_event']:>7} "
              f"{r['jsonl_bytes_per_event']:>6} {r['store_us_per_event']:>8} "
              f"{r['read_us_per_event']:>7} {r['goal']:>5}  {'yes' if r['met'] else 'NO'}")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
