"""Generators: calling a generator function runs none of its body, it returns a generator
object; each next() runs it up to its next yield. A scheduler that calls next() on each
generator in turn, round after round, is cooperative multitasking by hand.

    python examples/lesson_generators.py
    schedviz trace examples/lesson_generators.py
"""

import time
from collections.abc import Generator

from schedviz.generators import round_robin


def work(ms: float) -> None:
    """Keep the CPU busy for `ms` (a stand-in for a step's real work)."""
    end = time.perf_counter() + ms / 1000
    while time.perf_counter() < end:
        pass


def download(name: str, parts: int) -> Generator[str, None, str]:
    for part in range(1, parts + 1):
        work(10)  # this step's work: nobody interrupts it
        print(f"{name}: part {part} of {parts}")
        yield f"{name} {part}"  # the yield point: hand the turn to the next generator
    return f"{name} done"


def main() -> None:
    gen = download("report", 2)
    print(gen)  # <generator object download at 0x…>: none of its body has run yet
    print(next(gen))  # runs it up to its first yield
    gen.close()

    # round_robin is the scheduler by hand (schedviz/generators.py), drawn when traced:
    #     while generators are left: next() each in turn; drop those that returned
    results = round_robin(a=download("a", 3), b=download("b", 2), c=download("c", 4))
    print(", ".join(results))


if __name__ == "__main__":
    main()
