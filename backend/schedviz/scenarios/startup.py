"""Lesson: starting a worker process costs time, and spawn costs more than fork."""

from schedviz.protocol import RunConfig
from schedviz.scenarios import Scenario

SCENARIO = Scenario(
    id="process-startup",
    title="Starting worker processes: spawn vs fork",
    description=(
        "Each lane is a worker process. The hatched span is its start-up: from the moment "
        "the pool started it until it was ready. With spawn, a new interpreter starts and "
        "imports everything again (hundreds of ms); with fork, the child is a copy of the lab "
        "(a few ms). A worker's first task also unpickles its function, importing its module "
        "there: a longer unpickling block before the first bar. Run it, then switch "
        "start_method to fork and run again."
    ),
    config=RunConfig(
        executor="processes", start_method="spawn", n_tasks=8, workload="cpu", task_ms=50,
        max_workers=4,
    ),
)
