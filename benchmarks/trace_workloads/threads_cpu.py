"""2,000 tasks of 0.5 ms pure-Python CPU work on a thread pool of 4; prints its own time."""

import json
import time
from concurrent.futures import ThreadPoolExecutor


def spin(_: int) -> int:
    end = time.perf_counter() + 0.0005
    n = 0
    while time.perf_counter() < end:
        n += 1
    return n


if __name__ == "__main__":
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(spin, range(2000)))
    print(json.dumps({"s": time.perf_counter() - t0}))
