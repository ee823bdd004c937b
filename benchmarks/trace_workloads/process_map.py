"""ProcessPoolExecutor.map of 20,000 small items, chunksize 100, on 2 workers started by the
method named on the command line; timed from pool creation to the last result."""

import json
import multiprocessing
import sys
import time
from concurrent.futures import ProcessPoolExecutor


def square(x: int) -> int:
    return x * x


if __name__ == "__main__":
    ctx = multiprocessing.get_context(sys.argv[1] if len(sys.argv) > 1 else "spawn")
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as pool:
        total = sum(pool.map(square, range(20_000), chunksize=100))
    print(json.dumps({"s": time.perf_counter() - t0, "total": total}))
