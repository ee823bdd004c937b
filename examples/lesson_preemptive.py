"""Preemptive vs cooperative multitasking. Two CPU-bound threads: the interpreter takes the GIL
from one and gives it to the other every switch interval (5 ms), wherever it is in its work.
Then the same work as two generators under a round-robin scheduler: they switch only where
they yield, when their step is done.

    python examples/lesson_preemptive.py
    schedviz trace examples/lesson_preemptive.py
"""

import sys
import threading
import time
from collections.abc import Generator

from schedviz.generators import round_robin

N = 1_200_000  # squares to add up per worker: about 0.1 s of pure Python


def crunch(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i  # no yield anywhere: the interpreter decides when this thread pauses
    return total


def crunch_in_steps(steps: int) -> Generator[int, None, int]:
    total = 0
    for step in range(steps):
        total += crunch(N // steps)
        yield step  # the only place this generator lets the other one run
    return total


def main() -> None:
    print(f"switch interval: {sys.getswitchinterval() * 1000:g} ms")

    # Preemptive: two threads, the GIL switches between them every switch interval.
    start = time.perf_counter()
    threads = [threading.Thread(target=crunch, args=(N,), name=f"cpu-{i}") for i in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"two threads: {time.perf_counter() - start:.2f} s")

    # Cooperative: one thread, two generators, a switch at each yield and nowhere else.
    start = time.perf_counter()
    round_robin(one=crunch_in_steps(8), two=crunch_in_steps(8))
    print(f"two generators: {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
