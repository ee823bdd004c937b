"""submit + as_completed vs map. as_completed hands you each future as soon as it is done, in
completion order, so every task is handled on its own (its own try/except, a timeout); map
gives the results in input order, each one waiting for the ones before it.

    python examples/lesson_as_completed.py
    schedviz trace examples/lesson_as_completed.py
"""

import time
from concurrent.futures import ThreadPoolExecutor, as_completed

DELAYS = [0.12, 0.03, 0.08, 0.01, 0.05]  # how long each download takes, in input order
FAILS = 2  # this download fails


def download(i: int) -> str:
    time.sleep(DELAYS[i])  # waiting for the network
    if i == FAILS:
        raise ConnectionError(f"download {i} failed")
    return f"page {i}"


def download_or_error(i: int) -> str:
    try:
        return download(i)
    except ConnectionError as exc:
        return f"error: {exc}"


def main() -> None:
    with ThreadPoolExecutor(max_workers=5) as pool:
        # submit + as_completed: each result as soon as it is ready, whatever its place.
        futures = {pool.submit(download, i): i for i in range(len(DELAYS))}
        for future in as_completed(futures):
            i = futures[future]
            try:
                print(f"as_completed: download {i} -> {future.result()}")
            except ConnectionError as exc:  # one task failed; the others go on
                print(f"as_completed: download {i} failed ({exc}), handled")

        # A timeout: do not wait for ever on one slow task.
        slow = pool.submit(time.sleep, 0.2)
        try:
            slow.result(timeout=0.05)
        except TimeoutError:
            print("timeout: the slow task was not done after 0.05 s, moving on")

        # map: results in input order; the slow first download holds up all the others.
        for i, result in enumerate(pool.map(download_or_error, range(len(DELAYS)))):
            print(f"map: download {i} -> {result}")


if __name__ == "__main__":
    main()
