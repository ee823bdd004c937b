#!/usr/bin/env python3
"""CPython's own test_concurrent_futures, run with schedviz's instrumented executors swapped in.

    .venv/bin/python scripts/cpython_futures_suite.py            # or: make test-cpython-futures
    .venv-3.13/bin/python scripts/cpython_futures_suite.py -k Deadlock --timeout 60

Before the test module is imported, `concurrent.futures.ThreadPoolExecutor` and
`ProcessPoolExecutor` (and `concurrent.futures.thread.ThreadPoolExecutor`,
`concurrent.futures.process.ProcessPoolExecutor`) are replaced by subclasses of
`InstrumentedThreadPoolExecutor` / `InstrumentedProcessPoolExecutor` that keep the stdlib's class
names and give every pool its own Recorder; a daemon thread drains all live recorders every
20 ms, so memory stays bounded however many events the suite makes. Every test of the module then
runs against the instrumented pools (their count and the events recorded are printed at the end,
as proof that the swap took).

Where the tests come from. The tests are those of the interpreter that runs them:
- CPython 3.12+ built from source (pyenv) ships them in Lib/test (3.12.1's pyenv build here
  lacks them; 3.13's has them): `python -c "import test.test_concurrent_futures"` says.
- Debian ships 3.11's in `libpython3.11-testsuite` (`apt-get install -y
  libpython3.11-testsuite`), installed into /usr/lib/python3.11/test: only Debian's own
  /usr/bin/python3.11 imports them, not the project's .venv (pyenv's 3.11 has its own stdlib).
  Adding that directory to `test.__path__` of the venv's interpreter imports the module, but the
  tests that start a child interpreter (`-I`, isolated: no PYTHONPATH) import
  test.test_concurrent_futures there and would fail. So when the running interpreter lacks the
  tests and /usr/bin/python3.X (same minor version) has them, the tests run under that
  interpreter, with the project's backend and this interpreter's site-packages (the .venv's:
  same minor version, same ABI) on PYTHONPATH. `--python` picks the interpreter by hand.
When no interpreter has the tests, the script says what to install and exits with status 2.

How it runs. The parent starts a worker process (the chosen interpreter running this script with
--worker) in a session of its own; the worker runs the tests one by one and writes each start
and outcome as a JSON line. Each test has a deadline (`--timeout`, default 180 s): past it
faulthandler dumps every thread's stack to stderr and ends the worker; the parent records the
test as hung, kills what is left of the worker's session, and starts a new worker with the tests
not run yet. After each test the worker waits (up to 10 s) for the child processes and threads
the test started to end; any still running fail the test ("left ... running") and are killed.

ALLOWED lists the tests that may differ from the stdlib's result, with why: they start a child
interpreter that imports the executor class by name from concurrent.futures, which there is the
stdlib's own. Exit status: 0 when every other test passed or was skipped, 1 otherwise.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import faulthandler
import importlib.util
import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import unittest
import weakref
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MODULE = "test.test_concurrent_futures"
LEFTOVER_GRACE_S = 10.0
_MP_HELPERS = (b"multiprocessing.forkserver", b"multiprocessing.resource_tracker")

#: test method name -> why its result may differ from the stdlib's (it does not test ours)
ALLOWED: dict[str, str] = {
    "test_interpreter_shutdown":
        "a child interpreter imports the executor by name from concurrent.futures (the stdlib's)",
    "test_submit_after_interpreter_shutdown":
        "a child interpreter imports the executor by name from concurrent.futures (the stdlib's)",
    "test_hang_gh83386":
        "a child interpreter imports the executor by name from concurrent.futures (the stdlib's)",
    "test_cancel_futures_wait_false":
        "a child interpreter imports ThreadPoolExecutor from concurrent.futures (the stdlib's)",
}


# -- the swap (worker side) ----------------------------------------------------------------------

_recorders: weakref.WeakSet[Any] = weakref.WeakSet()
_stats = {"pools": 0, "events": 0}


def _new_recorder() -> Any:
    from schedviz.instrument.recorder import Recorder

    rec = Recorder()
    _recorders.add(rec)
    _stats["pools"] += 1
    return rec


def _drain_forever() -> None:
    while True:
        time.sleep(0.02)
        for rec in list(_recorders):
            _stats["events"] += len(rec.drain())


def install_instrumented() -> None:
    """Swap the stdlib executors for instrumented ones, each pool with a drained Recorder."""
    import concurrent.futures
    import concurrent.futures.process
    import concurrent.futures.thread

    from schedviz.instrument.processes import InstrumentedProcessPoolExecutor
    from schedviz.instrument.threads import InstrumentedThreadPoolExecutor

    class ThreadPoolExecutor(InstrumentedThreadPoolExecutor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, recorder=_new_recorder(), **kwargs)

    class ProcessPoolExecutor(InstrumentedProcessPoolExecutor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, recorder=_new_recorder(), **kwargs)

    concurrent.futures.ThreadPoolExecutor = ThreadPoolExecutor  # type: ignore[misc]
    concurrent.futures.thread.ThreadPoolExecutor = ThreadPoolExecutor  # type: ignore[misc]
    concurrent.futures.ProcessPoolExecutor = ProcessPoolExecutor  # type: ignore[misc]
    concurrent.futures.process.ProcessPoolExecutor = ProcessPoolExecutor  # type: ignore[misc]
    threading.Thread(target=_drain_forever, name="suite-recorder-drain", daemon=True).start()


# -- running tests (worker side) -----------------------------------------------------------------


def _child_pids() -> set[int]:
    pids: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        try:
            pids.update(int(p) for p in (task / "children").read_text().split())
        except OSError:
            continue
    return {p for p in pids if not any(h in _cmdline(p) for h in _MP_HELPERS)}


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _describe(pid: int) -> str:
    return _cmdline(pid).replace(b"\0", b" ").decode(errors="replace").strip()[:80]


def _leftovers(threads_before: set[threading.Thread], children_before: set[int]) -> str | None:
    """What the test left running, once a grace period is over; kills the child processes."""
    deadline = time.monotonic() + LEFTOVER_GRACE_S
    while True:
        threads = [t for t in threading.enumerate() if t not in threads_before and t.is_alive()]
        children = _child_pids() - children_before
        if (not threads and not children) or time.monotonic() > deadline:
            break
        for t in threads:
            t.join(0.05)
        if children and not threads:
            time.sleep(0.05)  # a grandchild's exit has no handle to wait on from here
    parts = []
    if threads:
        parts.append(f"threads left running: {sorted(t.name for t in threads)}")
    if children:
        names = [f"{p} ({_describe(p)})" for p in sorted(children)]
        parts.append(f"child processes left running: {names}")
        for p in children:
            with contextlib.suppress(OSError):
                os.kill(p, signal.SIGKILL)
                os.waitpid(p, 0)
    return "; ".join(parts) or None


class _Result(unittest.TestResult):
    """Writes one JSON line per test start and outcome; arms the per-test deadline."""

    def __init__(self, out: Any, timeout: float) -> None:
        super().__init__()
        self._out = out
        self._timeout = timeout
        self._outcome: tuple[str, str] | None = None
        self._before: tuple[set[threading.Thread], set[int]] = (set(), set())

    def _write(self, **fields: Any) -> None:
        self._out.write(json.dumps(fields) + "\n")
        self._out.flush()

    def startTest(self, test: unittest.TestCase) -> None:
        super().startTest(test)
        self._outcome = None
        self._before = (set(threading.enumerate()), _child_pids())
        self._write(event="start", id=test.id())
        faulthandler.dump_traceback_later(self._timeout, exit=True, file=sys.stderr)

    def stopTest(self, test: unittest.TestCase) -> None:
        faulthandler.cancel_dump_traceback_later()
        outcome, detail = self._outcome or ("passed", "")
        left = _leftovers(*self._before)
        if left and outcome in ("passed", "skipped"):
            outcome, detail = "failed", left
        elif left:
            detail = f"{detail}\n({left})"
        self._write(event="end", id=test.id(), outcome=outcome, detail=detail)
        super().stopTest(test)

    def _set(self, outcome: str, detail: str) -> None:
        if self._outcome is None or self._outcome[0] in ("passed", "skipped"):
            self._outcome = (outcome, detail)

    def addSuccess(self, test: unittest.TestCase) -> None:
        super().addSuccess(test)

    def addFailure(self, test: unittest.TestCase, err: Any) -> None:
        super().addFailure(test, err)
        self._set("failed", self._exc_info_to_string(err, test))

    def addError(self, test: unittest.TestCase, err: Any) -> None:
        super().addError(test, err)
        text = self._exc_info_to_string(err, test)
        if not isinstance(test, unittest.TestCase):  # a setUpClass/module fixture failed
            self._write(event="end", id=str(test), outcome="error", detail=text)
            return
        self._set("error", text)

    def addSkip(self, test: unittest.TestCase, reason: str) -> None:
        super().addSkip(test, reason)
        if self._outcome is None:
            self._outcome = ("skipped", reason)

    def addExpectedFailure(self, test: unittest.TestCase, err: Any) -> None:
        super().addExpectedFailure(test, err)
        self._set("passed", "expected failure")

    def addUnexpectedSuccess(self, test: unittest.TestCase) -> None:
        super().addUnexpectedSuccess(test)
        self._set("failed", "unexpected success")

    def addSubTest(self, test: Any, subtest: Any, err: Any) -> None:
        super().addSubTest(test, subtest, err)
        if err is not None:
            kind = "failed" if issubclass(err[0], test.failureException) else "error"
            self._set(kind, f"{subtest}: {self._exc_info_to_string(err, test)}")


def _flatten(suite: unittest.TestSuite) -> list[unittest.TestCase]:
    out: list[unittest.TestCase] = []
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            out.extend(_flatten(item))
        else:
            out.append(item)
    return out


def worker_main(args: argparse.Namespace) -> int:
    install_instrumented()
    loader = unittest.TestLoader()
    if args.list:
        tests = _flatten(loader.loadTestsFromName(MODULE))
        for t in tests:
            print(t.id())
        return 0
    ids = Path(args.ids).read_text().split()
    with open(args.out, "a", buffering=1) as out:
        suite = loader.loadTestsFromNames(ids)
        result = _Result(out, args.timeout)
        suite.run(result)
        out.write(json.dumps({"event": "stats", **_stats}) + "\n")
    return 0


# -- parent side ---------------------------------------------------------------------------------


def _has_tests(python: str) -> bool:
    probe = f"import importlib.util as u; raise SystemExit(u.find_spec({MODULE!r}) is None)"
    return subprocess.run([python, "-c", probe], capture_output=True).returncode == 0


def choose_interpreter(explicit: str | None) -> tuple[str, dict[str, str]] | None:
    """The interpreter to run the tests with and the environment it needs, or None."""
    env = dict(os.environ)
    if explicit:
        return (explicit, env) if _has_tests(explicit) else None
    if importlib.util.find_spec(MODULE) is not None:
        return sys.executable, env
    minor = f"{sys.version_info.major}.{sys.version_info.minor}"
    system = f"/usr/bin/python{minor}"
    if os.path.exists(system) and _has_tests(system):
        paths = [str(ROOT / "backend")]
        paths += [p for p in sys.path if p.endswith("site-packages")]
        old = env.get("PYTHONPATH")
        env["PYTHONPATH"] = os.pathsep.join(paths + ([old] if old else []))
        return system, env
    return None


def _install_hint() -> str:
    minor = f"{sys.version_info.major}.{sys.version_info.minor}"
    return (
        f"CPython {minor}'s test_concurrent_futures is not installed for {sys.executable}.\n"
        f"  Debian: apt-get install -y libpython{minor}-testsuite "
        f"(then /usr/bin/python{minor} has it and this script uses it)\n"
        f"  pyenv: its build of {minor} ships Lib/test unless the tests were left out; "
        f"reinstall with `pyenv install --force {sys.version.split()[0]}`\n"
        "  or pass --python with an interpreter whose stdlib has test.test_concurrent_futures."
    )


def _kill_session(pgid: int) -> list[str]:
    """Kill every process left in the worker's session; describe them."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == pgid:  # pgrp
            pid = int(stat.parent.name)
            found.append(f"{pid} ({_describe(pid)})")
    if found:
        with contextlib.suppress(OSError):
            os.killpg(pgid, signal.SIGKILL)
    return found


def run_suite(python: str, env: dict[str, str], args: argparse.Namespace) -> int:
    me = str(Path(__file__).resolve())
    base = [python, me, "--worker", "--timeout", str(args.timeout)]
    listed = subprocess.run([*base, "--list"], env=env, capture_output=True, text=True)
    if listed.returncode != 0:
        print(listed.stdout, listed.stderr, sep="\n")
        print("could not list the tests", file=sys.stderr)
        return 1
    ids = [i for i in listed.stdout.split() if not args.k or any(k in i for k in args.k)]
    version = subprocess.run([python, "-c", "import sys; print(sys.version.split()[0])"],
                             capture_output=True, text=True).stdout.strip()
    print(f"CPython {version} ({python}): {len(ids)} tests of {MODULE}, instrumented executors,"
          f" {args.timeout:.0f} s per test", flush=True)
    outcomes: dict[str, tuple[str, str]] = {}
    stats = collections.Counter[str]()
    remaining = list(ids)
    t_start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="cpython-futures-") as tmp:
        while remaining:
            ids_file, out_file = Path(tmp, "ids"), Path(tmp, "out.jsonl")
            ids_file.write_text("\n".join(remaining))
            out_file.write_text("")
            err_file = Path(tmp, "stderr")
            current: str | None = None
            since = time.monotonic()
            with open(err_file, "w") as err, open(out_file) as results:
                proc = subprocess.Popen([*base, "--ids", str(ids_file), "--out", str(out_file)],
                                        env=env, stdout=err, stderr=subprocess.STDOUT,
                                        start_new_session=True)
                while True:
                    exited = proc.poll() is not None
                    for line in results.readlines():  # as the worker writes them: live
                        ev = json.loads(line)
                        if ev["event"] == "start":
                            current, since = ev["id"], time.monotonic()
                        elif ev["event"] == "end":
                            outcomes[ev["id"]] = (ev["outcome"], ev["detail"])
                            if args.verbose or ev["outcome"] not in ("passed", "skipped"):
                                print(f"  {ev['outcome']:8} {ev['id']}", flush=True)
                            current = None
                        elif ev["event"] == "stats":
                            stats.update({k: v for k, v in ev.items() if k != "event"})
                    if exited:
                        break
                    if current is not None and time.monotonic() - since > args.timeout + 30:
                        os.killpg(proc.pid, signal.SIGKILL)  # faulthandler did not end it
                    time.sleep(0.2)
            left = _kill_session(proc.pid)
            tail = err_file.read_text()[-6000:]
            if current is not None:
                hung = "Timeout (" in tail or proc.returncode == -signal.SIGKILL
                why = "hung" if hung else "crashed"
                detail = f"no outcome (worker exit status {proc.returncode})\n{tail}"
                detail += f"\nleft running: {left}" if left else ""
                outcomes[current] = (why, detail)
                print(f"  {why:8} {current}", flush=True)
            elif left:
                print(f"  processes left behind by the worker: {left}", flush=True)
            done = set(outcomes)
            rest = [i for i in remaining if i not in done]
            if current is None and rest and rest == remaining:
                for i in rest:  # the worker could not run them at all
                    outcomes[i] = ("error", tail)
                rest = []
            remaining = rest
    return report(ids, outcomes, stats, time.monotonic() - t_start)


def _reason(detail: str) -> str:
    lines = [ln for ln in detail.strip().splitlines() if ln.strip()]
    if not lines:
        return ""
    for ln in reversed(lines):  # the exception line of a traceback
        if not ln.startswith((" ", "\t", "Traceback", "During handling", "The above")):
            return ln.strip()[:300]
    return lines[-1].strip()[:300]


def _main_stack(dump: str) -> str:
    """The main thread's stack from a faulthandler dump (its last thread block), shortened."""
    blocks = [b for b in dump.split("\n\n") if "most recent call first" in b]
    return "\n".join(blocks[-1].strip().splitlines()[:10]) if blocks else ""


def report(ids: list[str], outcomes: dict[str, tuple[str, str]],
           stats: collections.Counter[str], elapsed: float) -> int:
    counts = collections.Counter(o for o, _ in outcomes.values())
    bad = {i: o for i, o in outcomes.items() if o[0] not in ("passed", "skipped")}
    allowed = {i: o for i, o in outcomes.items() if i.rsplit(".", 1)[-1] in ALLOWED}
    print()
    print("Allowed to differ (they run the stdlib's class in a child interpreter):")
    for name, why in ALLOWED.items():
        runs = sorted(f"{o[0]}" for i, o in allowed.items() if i.endswith("." + name))
        summary = ", ".join(f"{n} {k}" for k, n in collections.Counter(runs).items()) or "not run"
        print(f"  {name}: {why} [{summary}]")
    unexpected = {i: o for i, o in bad.items() if i not in allowed}
    if bad:
        print()
        print("Not passed:")
        for i, (outcome, detail) in sorted(bad.items()):
            mark = " (allowed)" if i in allowed else ""
            print(f"  {outcome}{mark}: {i}\n      {_reason(detail)}")
            if outcome == "hung":  # where the test's main thread was stuck
                print(textwrap.indent(_main_stack(detail), "        "))
    skipped = {i: o for i, o in outcomes.items() if o[0] == "skipped"}
    if skipped:
        print()
        print("Skipped:")
        for i, (_, why) in sorted(skipped.items()):
            print(f"  {i}: {why}")
    print()
    print(f"instrumented pools: {stats['pools']}, events recorded and drained: {stats['events']}")
    total = len(ids)
    print(f"{total} tests in {elapsed:.0f} s: {counts['passed']} passed, "
          f"{counts['failed']} failed, {counts['skipped']} skipped, {counts['error']} errors, "
          f"{counts['hung']} hung, {counts['crashed']} crashed"
          f"; {len(unexpected)} not passed outside the allow-list")
    missing = [i for i in ids if i not in outcomes]
    if missing:
        print(f"{len(missing)} tests never ran: {missing[:5]}…")
    return 0 if not unexpected and not missing else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--python", help="interpreter whose stdlib has the tests")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds per test")
    parser.add_argument("-k", action="append", help="run only tests whose id contains this")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every outcome")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--list", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--ids", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker_main(args)
    chosen = choose_interpreter(args.python)
    if chosen is None:
        print(_install_hint(), file=sys.stderr)
        return 2
    return run_suite(*chosen, args)


if __name__ == "__main__":
    sys.exit(main())
