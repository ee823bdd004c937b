"""Why a pool: a new thread for every task, or a few workers reused for all of them. Each
thread costs a start-up (the OS creates it, Python sets it up) and its memory (a stack);
10,000 tasks would be 10,000 OS threads. A pool starts at most max_workers threads, keeps
the waiting tasks in a queue and gives each to the next idle worker.

    python examples/lesson_why_a_pool.py
    schedviz trace examples/lesson_why_a_pool.py
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

TASKS = 20


def task(i: int) -> int:
    time.sleep(0.01)  # a short wait, as for a small request
    return i


def main() -> None:
    # A new thread per task: TASKS threads started, each used once.
    start = time.perf_counter()
    threads = [threading.Thread(target=task, args=(i,), name=f"task-{i}") for i in range(TASKS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"{TASKS} tasks on {TASKS} new threads: {time.perf_counter() - start:.3f} s")

    # A pool: 4 workers started once, each running task after task from the queue.
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(task, range(TASKS)))
    print(f"{len(results)} tasks on a pool of 4 workers: {time.perf_counter() - start:.3f} s")


if __name__ == "__main__":
    main()
