"""Deadlock: a task that waits on a future of its own pool, with no worker free to finish it.
Case 1: one worker, a task submits a second task and waits for it; the second can never start.
Case 2: two workers, two tasks that wait on each other. Every wait has a timeout, so each case
ends itself: the timeout breaks the deadlock, and the program says so.

    python examples/lesson_deadlock.py
    schedviz trace examples/lesson_deadlock.py
    python examples/lesson_deadlock.py 0.5     # a shorter timeout (seconds)
"""

import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, TimeoutError

TIMEOUT = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0


def inner() -> str:
    time.sleep(0.05)
    return "inner result"


def outer(pool: ThreadPoolExecutor) -> str:
    future = pool.submit(inner)  # queued behind this task, on the pool's only worker
    try:
        return f"outer got {future.result(timeout=TIMEOUT)!r}"
    except TimeoutError:
        return f"outer gave up after {TIMEOUT} s: its inner task was still pending (deadlock)"


def one_worker() -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        print(f"case 1, one worker: {pool.submit(outer, pool).result()}")


def wait_on_the_other(me: str, futures: dict[str, Future[str]], ready: threading.Event) -> str:
    ready.wait(TIMEOUT)  # until both futures exist
    other = "b" if me == "a" else "a"
    try:
        return f"{me} got {futures[other].result(timeout=TIMEOUT)!r}"
    except TimeoutError:
        return f"{me} gave up after {TIMEOUT} s waiting on {other} (deadlock)"


def each_other() -> None:
    futures: dict[str, Future[str]] = {}
    ready = threading.Event()
    with ThreadPoolExecutor(max_workers=2) as pool:
        for name in ("a", "b"):
            futures[name] = pool.submit(wait_on_the_other, name, futures, ready)
        ready.set()
        for name in ("a", "b"):
            print(f"case 2, two tasks wait on each other: {futures[name].result()}")


def main() -> None:
    one_worker()
    each_other()
    print("both deadlocks ended by their timeouts; nothing is left running")


if __name__ == "__main__":
    main()
