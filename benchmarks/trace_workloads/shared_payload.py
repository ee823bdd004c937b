"""80 tasks sharing one list of 5,000,000 floats on 2 fork workers: what the parent holds while
calls wait (the memory case); prints its own time."""

import json
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor


def length(numbers: list[float]) -> int:
    return len(numbers)


if __name__ == "__main__":
    numbers = [0.5] * 5_000_000
    ctx = multiprocessing.get_context("fork")
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as pool:
        sizes = [f.result() for f in [pool.submit(length, numbers) for _ in range(80)]]
    print(json.dumps({"s": time.perf_counter() - t0, "tasks": len(sizes)}))
