"""Two threads of your own (no pool): each gets a lane of its own beside the main thread's.
One computes (holds the GIL), one sleeps (waits); the GIL lane shows them taking turns.

    python examples/two_threads.py
    schedviz trace examples/two_threads.py
"""

import threading
import time


def compute() -> None:
    total = 0
    for i in range(3_000_000):
        total += i * i
    print(f"compute: {total}")


def wait() -> None:
    for _ in range(3):
        time.sleep(0.05)
    print("wait: done")


def main() -> None:
    threads = [threading.Thread(target=compute, name="compute"),
               threading.Thread(target=wait, name="wait")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


if __name__ == "__main__":
    main()
