"""Lessons on asyncio: one event loop, many coroutines, each running until it awaits.

The coroutines are in schedviz/aio_workloads.py, shown beside the timeline during the run.
"""

from schedviz.protocol import RunConfig
from schedviz.scenarios import Scenario

SCENARIOS = (
    Scenario(
        id="asyncio-sleepers",
        title="asyncio: many coroutines, one thread",
        description=(
            "Eight coroutines each sleep three times. Each step is a sliver on the loop's "
            "lane: a coroutine runs until its await, then the loop runs the next. Between "
            "the steps the loop sits idle in select: nothing is ready. Hover a tick for the "
            "line it yielded at."
        ),
        config=RunConfig(executor="asyncio", workload="sleep", n_tasks=8, task_ms=100),
    ),
    Scenario(
        id="asyncio-echo",
        title="asyncio: a TCP echo server and its clients",
        description=(
            "A real echo server on 127.0.0.1 and six clients, all on one loop. Every "
            "readline() waits for a socket read; the loop wakes when data arrives and runs "
            "whoever can go on. No threads: the waits overlap because nobody blocks."
        ),
        config=RunConfig(executor="asyncio", workload="echo", n_tasks=6, task_ms=50),
    ),
    Scenario(
        id="asyncio-blocking",
        title="asyncio: time.sleep blocks the whole loop",
        description=(
            "Tickers wake every 20 ms, but one coroutine calls time.sleep(0.3) instead of "
            "await asyncio.sleep. For 300 ms nothing else runs: the step is marked "
            "'blocked the loop' with its source line, and the tickers' lanes show the gap."
        ),
        config=RunConfig(executor="asyncio", workload="blocking", n_tasks=4, task_ms=300),
    ),
    Scenario(
        id="asyncio-cpu",
        title="asyncio: a coroutine that never yields",
        description=(
            "A coroutine computes for 300 ms with no await in its loop. It runs to its end "
            "in one step; the tickers wait for it. asyncio is cooperative: a task that does "
            "not await does not give the loop back."
        ),
        config=RunConfig(executor="asyncio", workload="cpu", n_tasks=4, task_ms=300),
    ),
    Scenario(
        id="asyncio-gather",
        title="asyncio: sequential awaits vs gather",
        description=(
            "The same three waits (0.1, 0.2, 0.3 s) first one after another (0.6 s), then "
            "with asyncio.gather (0.3 s: as long as the longest). Awaiting a coroutine "
            "does not start anything concurrently; making tasks does."
        ),
        config=RunConfig(executor="asyncio", workload="gather", n_tasks=3, task_ms=100),
    ),
    Scenario(
        id="asyncio-offload",
        title="asyncio: offloading work with run_in_executor",
        description=(
            "Four coroutines hand work to a thread pool (run_in_executor, to_thread) and "
            "await it; the loop stays free for the tickers. Each waiting task is linked to "
            "the pool task that served it on its worker lane."
        ),
        config=RunConfig(executor="asyncio", workload="offload", n_tasks=4, task_ms=200,
                         max_workers=2),
    ),
    Scenario(
        id="asyncio-queue",
        title="asyncio: a queue, a lock, a semaphore and an event",
        description=(
            "Producers wait for an Event, then put jobs on a Queue of three; consumers get "
            "them, at most two at once (a Semaphore), and take turns on a Lock. The tracks "
            "show the queue's size and who waits on what."
        ),
        config=RunConfig(executor="asyncio", workload="queue", n_tasks=9, task_ms=60),
    ),
)
