"""Lesson: threads overlap while they wait."""

from schedviz.protocol import RunConfig
from schedviz.scenarios import Scenario

SCENARIO = Scenario(
    id="io-threads",
    title="Sleeping (I/O-like) tasks on threads",
    description=(
        "12 tasks that each sleep 100 ms on 3 worker threads. time.sleep releases the GIL, so "
        "the three workers really wait at the same time: the run takes about 12/3 × 100 ms = "
        "400 ms, not 1.2 s. Each lane is one thread; the queue track shows tasks waiting for a "
        "free worker."
    ),
    config=RunConfig(workload="sleep", n_tasks=12, task_ms=100, max_workers=3),
)
