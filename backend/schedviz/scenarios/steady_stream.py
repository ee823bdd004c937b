"""Lesson: a pool under a steady arrival rate, and what resizing it live really does."""

from schedviz.protocol import RunConfig
from schedviz.scenarios import Scenario

SCENARIO = Scenario(
    id="steady-stream",
    title="A steady stream of requests: resize the pool live",
    description=(
        "Sleep tasks of 300 ms arrive at 20 per second on 3 workers, which can serve only "
        "10 per second: the queue grows. Move max_workers to 6 while it runs. A real "
        "ThreadPoolExecutor cannot resize, so schedviz starts a new pool of 6, moves the "
        "waiting tasks to it and retires the old pool, whose threads finish their current "
        "task and exit: all of it shows on the timeline."
    ),
    config=RunConfig(
        workload="sleep", arrival="rate", rate=20, task_ms=300, n_tasks=600, duration_s=30,
        max_workers=3,
    ),
)
