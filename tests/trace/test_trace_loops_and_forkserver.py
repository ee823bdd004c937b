"""More ways a program gets its loop or its workers, traced: `asyncio.Runner` and a loop from
`asyncio.new_event_loop()` run directly are instrumented (their steps yield at the program's own
lines), and forkserver workers run functions defined in the script."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

LOOPS = textwrap.dedent("""\
    import asyncio

    async def hop(n):
        for _ in range(n):
            await asyncio.sleep(0.001)
        return n

    async def both():
        return await asyncio.gather(hop(2), hop(1))

    with asyncio.Runner() as runner:
        print(runner.run(hop(3)))
    loop = asyncio.new_event_loop()
    try:
        print(loop.run_until_complete(both()))
    finally:
        loop.close()
""")

FORKSERVER = textwrap.dedent("""\
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    def triple(x):
        return 3 * x

    if __name__ == "__main__":
        ctx = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(2, mp_context=ctx) as pool:
            print(sum(pool.map(triple, range(12), chunksize=4)))
""")


def traced(tmp: Path, source: str) -> tuple[str, list[dict[str, Any]], Path]:
    script = tmp / "prog.py"
    script.write_text(source)
    out = tmp / "events.jsonl"
    schedviz = Path(sys.executable).with_name("schedviz")
    proc = subprocess.run([str(schedviz), "trace", "--events-out", str(out), str(script)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout, [json.loads(line) for line in out.open()], script


def test_runner_and_new_event_loop_are_traced(tmp_path: Path) -> None:
    stdout, events, script = traced(tmp_path, LOOPS)
    assert stdout.splitlines() == ["3", "[2, 1]"]
    tasks = [e for e in events if e["kind"] == "aio_task"]
    assert len({e["task"] for e in tasks}) == len(tasks) >= 4  # ids never shared by the loops
    hop_line = LOOPS.splitlines().index("        await asyncio.sleep(0.001)") + 1
    yields = [e for e in events if e["kind"] == "aio_step" and e["outcome"] == "yield"]
    assert len(yields) >= 6  # 3 + 2 + 1 sleeps
    assert {(e["file"], e["line"]) for e in yields} >= {(str(script), hop_line)}


def test_forkserver_workers_run_the_scripts_functions(tmp_path: Path) -> None:
    stdout, events, _ = traced(tmp_path, FORKSERVER)
    assert stdout.strip() == str(3 * sum(range(12)))
    finished = [e for e in events if e["kind"] == "task_finished"]
    assert len(finished) == 3 and all(e["ok"] for e in finished)
    assert sum(e["kind"] == "worker_ready" for e in events) == 2
