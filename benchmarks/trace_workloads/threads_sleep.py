"""400 sleeps of 5 ms on a thread pool of 8; prints its own time."""

import json
import time
from concurrent.futures import ThreadPoolExecutor

if __name__ == "__main__":
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(time.sleep, [0.005] * 400))
    print(json.dumps({"s": time.perf_counter() - t0}))
