"""Lesson: every argument and result crosses to a worker process by pickling."""

from schedviz.protocol import RunConfig
from schedviz.scenarios import Scenario

SCENARIO = Scenario(
    id="pickling",
    title="Sending big arguments to processes: pickling cost",
    description=(
        "Each task gets a list of 500,000 floats as an argument. A thread would just get a "
        "reference; a worker process gets a copy: the lab pickles it (~4.5 MB), the worker "
        "unpickles it, before the task can start. Hover the blocks before each bar for the "
        "time and bytes, and compare with payload_numbers 0."
    ),
    config=RunConfig(
        executor="processes", start_method="fork", n_tasks=12, workload="cpu", task_ms=20,
        payload_numbers=500_000, max_workers=2,
    ),
)
