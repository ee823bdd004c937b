"""The Future API: a future is pending, then running, then finished with a result or an exception.
result(timeout) waits (and can time out), exception() returns what the task raised, cancel()
works only while the future is pending, and a done-callback runs in the worker thread that
finished the task, or at once in the adding thread when the task had already finished.

    python examples/lesson_future_api.py
    schedviz trace examples/lesson_future_api.py
"""

import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, TimeoutError

started = threading.Event()
gate = threading.Event()


def hold() -> str:
    started.set()
    gate.wait(5.0)  # keeps the pool's only worker busy until the main thread opens the gate
    return "held"


def square(x: int) -> int:
    time.sleep(0.05)
    return x * x


def fail() -> int:
    time.sleep(0.05)
    raise ValueError("bad input")


def slow() -> str:
    time.sleep(0.3)
    return "slow result"


def state(future: Future[object]) -> str:
    if future.cancelled():
        return "cancelled"
    if future.done():
        return "finished"
    return "running" if future.running() else "pending"


def say_where(label: str) -> None:
    # The thread that runs the callback, in Python's own words (compared with the trace's).
    thread = threading.current_thread()
    line = f"callback {label}: thread={thread.name} ident={threading.get_ident()}\n"
    sys.stdout.write(line)  # one write: a line of its own beside the main thread's prints
    sys.stdout.flush()


def added_before_done(future: Future[int]) -> None:
    say_where("added_before_done")


def added_after_done(future: Future[int]) -> None:
    say_where("added_after_done")


def main() -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(hold)
        started.wait(5.0)
        second = pool.submit(square, 7)
        doomed = pool.submit(square, 8)
        print(f"first is {state(first)}, second is {state(second)}")
        print(f"cancel() of the running first: {first.cancel()}")
        print(f"cancel() of a pending one: {doomed.cancel()}; it is {state(doomed)}")
        second.add_done_callback(added_before_done)
        gate.set()
        print(f"second.result() = {second.result()}; second is {state(second)}")

        failing = pool.submit(fail)
        print(f"failing.exception() = {failing.exception()!r}; failing is {state(failing)}")
        try:
            failing.result()
        except ValueError as exc:
            print(f"failing.result() raised {exc!r}")

        late = pool.submit(slow)
        try:
            late.result(timeout=0.05)
        except TimeoutError:
            print(f"late.result(timeout=0.05) timed out; late is {state(late)}")
        print(f"late.result() = {late.result()!r}")

        second.add_done_callback(added_after_done)  # already finished: runs now, right here
    print(f"main thread: ident={threading.get_ident()}")


if __name__ == "__main__":
    main()
