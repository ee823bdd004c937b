"""Lesson: an exception in a task is kept in its Future; the worker carries on."""

from schedviz.protocol import RunConfig
from schedviz.scenarios import Scenario

SCENARIO = Scenario(
    id="failures",
    title="Tasks that raise",
    description=(
        "Every 4th task raises ValueError. The exception does not kill the worker thread: it "
        "is stored in the task's Future and re-raised by result(). Hover a red bar to read it."
    ),
    config=RunConfig(workload="mixed", n_tasks=16, task_ms=80, hash_mb=4, max_workers=3,
                     fail_every=4),
)
