"""A future that waits on another future in the same pool. With two workers it finishes: the
outer task waits while the inner one runs on the other worker. With max_workers=1 it would
deadlock (the only worker waits for a task that can never start), so this example times out
instead of hanging and says so.

    python examples/future_waits_on_future.py
    schedviz trace examples/future_waits_on_future.py
    python examples/future_waits_on_future.py 1     # one worker: the deadlock, ended by a timeout
"""

import sys
import time
from concurrent.futures import ThreadPoolExecutor, TimeoutError


def inner() -> str:
    time.sleep(0.1)
    return "inner result"


def outer(pool: ThreadPoolExecutor) -> str:
    future = pool.submit(inner)  # a second task in the same pool...
    try:
        return f"outer got {future.result(timeout=1.0)!r}"  # ...that this task waits on
    except TimeoutError:
        return "outer gave up after 1 s: every worker was waiting (a deadlock)"


def main() -> None:
    workers = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    with ThreadPoolExecutor(max_workers=workers) as pool:
        print(pool.submit(outer, pool).result())


if __name__ == "__main__":
    main()
