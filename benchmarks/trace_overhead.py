"""What `schedviz trace` costs a user: four workloads run as plain scripts and under
`schedviz trace`, as whole processes alternated in one run, reported as median ratios (traced /
plain) of the time each script measures itself, against the goals: at most 1.05 for the pools,
1.3 for asyncio, with the GIL sampler on (as `schedviz trace` always runs it).

    thread pool   2,000 x 0.5 ms CPU tasks on 4 workers
    process map   20,000 small items, chunksize 100, on 2 workers (spawn, fork): from pool
                  creation to the last result
    asyncio       100,000 asyncio.sleep(0) steps in 100 tasks
    thread sleeps 400 x 5 ms sleeps on 8 threads

It also runs the memory case once each way, 80 tasks sharing one list of 5,000,000 floats on 2
fork workers, and reports the peak resident memory of the largest process of each (goal: traced
at most 1.5x plain).

The scripts are benchmarks/trace_workloads/*.py, run unchanged; a traced run writes its events
to a temporary JSON Lines file and its recording into a temporary library, never the user's.
Times move with the machine's load: compare the ratios within one run. Writes JSON (default
bench-results/trace-overhead.json) and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path[:0] = [str(Path(__file__).resolve().parent)]
from report import write_table  # noqa: E402

HERE = Path(__file__).resolve().parent / "trace_workloads"
SCHEDVIZ = Path(sys.executable).with_name("schedviz")

# name -> (script, arguments, goal of the ratio)
CASES: dict[str, tuple[str, list[str], float]] = {
    "thread pool 2,000 x 0.5 ms CPU": ("threads_cpu.py", [], 1.05),
    "process map 20,000 / 100 (spawn)": ("process_map.py", ["spawn"], 1.05),
    "process map 20,000 / 100 (fork)": ("process_map.py", ["fork"], 1.05),
    "asyncio 100,000 sleep(0) steps": ("asyncio_steps.py", [], 1.3),
    "thread sleeps 400 x 5 ms on 8": ("threads_sleep.py", [], 1.05),
}
MEMORY_CASE = ("shared_payload.py", [], 1.5)


def command(script: str, args: list[str], traced: bool, events: Path) -> list[str]:
    path = str(HERE / script)
    if not traced:
        return [sys.executable, path, *args]
    return [str(SCHEDVIZ), "trace", "--events-out", str(events), path, *args]


def run_once(script: str, args: list[str], traced: bool, workdir: Path) -> dict[str, Any]:
    """One whole process: its own time (the JSON line it prints), wall time and peak RSS."""
    events = workdir / "events.jsonl"
    env = {**os.environ, "SCHEDVIZ_DATA_DIR": str(workdir / "library")}
    out_path, err_path = workdir / "stdout", workdir / "stderr"
    with out_path.open("w") as out_f, err_path.open("w") as err_f:
        t0 = time.perf_counter()
        proc = subprocess.Popen(command(script, args, traced, events), stdout=out_f,
                                stderr=err_f, env=env)
        # wait4: the process's own resource use, with the largest RSS of it and its children.
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    out, err = out_path.read_text(), err_path.read_text()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command(script, args, traced, events))} failed:\n{err}")
    line = next(x for x in reversed(out.splitlines()) if x.startswith("{"))
    return {"s": json.loads(line)["s"], "wall_s": wall, "max_rss_mb": usage.ru_maxrss / 1024}


def measure(rounds: int) -> list[dict[str, Any]]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="schedviz-trace-bench-") as tmp:
        work = Path(tmp)
        for name, (script, args, goal) in CASES.items():
            plain: list[float] = []
            traced: list[float] = []
            run_once(script, args, False, work)  # warm the file cache and the imports
            for i in range(rounds):
                # Alternate which goes first, so a drift in the machine's speed hits both.
                for is_traced in ((False, True) if i % 2 == 0 else (True, False)):
                    r = run_once(script, args, is_traced, work)
                    (traced if is_traced else plain).append(r["s"])
                print(f"\r{name}: round {i + 1}/{rounds}", end="", file=sys.stderr, flush=True)
            print(file=sys.stderr)
            ratio = statistics.median(traced) / statistics.median(plain)
            rows.append({"case": name, "plain_s": round(statistics.median(plain), 4),
                         "traced_s": round(statistics.median(traced), 4),
                         "ratio": round(ratio, 3), "goal": goal, "met": ratio <= goal,
                         "rounds": rounds})
        script, args, goal = MEMORY_CASE
        print("memory case: 80 tasks sharing 5,000,000 floats (about a minute)", file=sys.stderr)
        plain_run = run_once(script, args, False, work)
        traced_run = run_once(script, args, True, work)
        ratio = traced_run["max_rss_mb"] / plain_run["max_rss_mb"]
        rows.append({"case": "peak memory, 80 x 5,000,000 floats (fork)",
                     "plain_mb": round(plain_run["max_rss_mb"], 1),
                     "traced_mb": round(traced_run["max_rss_mb"], 1),
                     "ratio": round(ratio, 3), "goal": goal, "met": ratio <= goal, "rounds": 1})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7, help="pairs of runs per case (default 7)")
    parser.add_argument("--out", default="bench-results/trace-overhead.json")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if not SCHEDVIZ.exists():
        parser.error(f"no schedviz command at {SCHEDVIZ}: install the project (make install)")
    rows = measure(args.rounds)
    write_table(args.out, rows, goal="traced / plain: pools <= 1.05, asyncio <= 1.3, "
                                      "peak memory <= 1.5")
    print(f"{'case':44} {'plain':>9} {'traced':>9} {'ratio':>6} {'goal':>5}  met")
    for r in rows:
        unit = "MB" if "plain_mb" in r else "s"
        p = r.get("plain_mb", r.get("plain_s"))
        t = r.get("traced_mb", r.get("traced_s"))
        print(f"{r['case']:44} {p:>8}{unit[0]} {t:>8}{unit[0]} {r['ratio']:>6} {r['goal']:>5}  "
              f"{'yes' if r['met'] else 'NO'}")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
