"""ProcessPoolExecutor.map with chunksize: the iterable is chopped into chunks, each submitted
to the pool as a separate task; fewer, larger round trips between the processes.

40 items with chunksize 5 make 8 tasks on 2 worker processes. The function is defined in this
script: the workers (spawned, as on macOS and Windows) import it from here.

    python examples/process_map_chunks.py
    schedviz trace examples/process_map_chunks.py
"""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

ITEMS = 40
CHUNKSIZE = 5


def collatz_steps(n: int) -> int:
    """CPU-bound work in pure Python: steps of the Collatz sequence from n * 10_000 + 1."""
    n = n * 10_000 + 1
    steps = 0
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
    return steps


def main() -> None:
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=spawn) as pool:
        results = list(pool.map(collatz_steps, range(ITEMS), chunksize=CHUNKSIZE))
    print(f"{ITEMS} items in chunks of {CHUNKSIZE}: {len(results)} results, "
          f"longest {max(results)} steps")


if __name__ == "__main__":
    main()
