"""Lesson: pure-Python CPU work on threads does not go faster with more threads."""

from schedviz.protocol import RunConfig
from schedviz.scenarios import Scenario

SCENARIO = Scenario(
    id="cpu-threads",
    title="CPU-bound tasks on threads: the GIL",
    description=(
        "12 tasks that each spin a pure-Python loop for 100 ms of wall time on 4 threads. Bars "
        "overlap on the timeline, but only one thread runs Python bytecode at a time: each "
        "loop gets fewer iterations (see the result on hover) than it would alone. Compare the "
        "results with 1 worker."
    ),
    config=RunConfig(workload="cpu", n_tasks=12, task_ms=100, max_workers=4),
)
