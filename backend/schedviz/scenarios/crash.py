"""Lesson: a worker process that dies breaks the whole pool."""

from schedviz.protocol import RunConfig
from schedviz.scenarios import Scenario

SCENARIO = Scenario(
    id="worker-crash",
    title="A worker process dies: BrokenProcessPool",
    description=(
        "Every 7th task kills its worker with os._exit(1), as a segfault would. The pool "
        "cannot know what that worker was doing, so it fails every pending Future with "
        "BrokenProcessPool and terminates the other workers (SIGTERM). schedviz then starts a "
        "fresh pool and submits the tasks that never started again (on_broken=restart); "
        "choose on_broken=end to stop the run instead."
    ),
    config=RunConfig(
        executor="processes", start_method="fork", n_tasks=20, workload="sleep", task_ms=60,
        kill_every=7, max_workers=3, on_broken="restart",
    ),
)
