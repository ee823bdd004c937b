"""Threads on I/O-bound work: while one thread waits, the others run.

Eight downloads that each wait 0.2 s (time.sleep stands in for the network) on a pool of four
threads take about 0.4 s, not 1.6 s: concurrency fills the idle waiting.

    python examples/threads_io.py
    schedviz trace examples/threads_io.py
"""

import time
from concurrent.futures import ThreadPoolExecutor


def download(page: int) -> str:
    time.sleep(0.2)  # waiting on I/O releases the GIL: another thread runs meanwhile
    return f"page {page}: 200 OK"


def main() -> None:
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=4) as pool:
        for line in pool.map(download, range(8)):
            print(line)
    print(f"8 downloads on 4 threads took {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
