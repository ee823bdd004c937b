"""Lesson: the convoy effect: an I/O thread waits for the GIL after every wake-up."""

from schedviz.protocol import RunConfig
from schedviz.scenarios import Scenario

SCENARIO = Scenario(
    id="convoy",
    title="The convoy effect: I/O next to a CPU-bound thread",
    description=(
        "Two threads for one second: one CPU-bound, one doing I/O-like work (a 0.5 ms wait, "
        "then a little Python). Each time the I/O thread wakes up it needs the GIL, and the "
        "CPU-bound thread only lets go at the end of its switch interval (5 ms): the I/O "
        "thread gets a tenth of the rounds it would alone (hover its bar for the count). "
        "Lower the switch interval to 0.5 ms and run again (Beazley, 2010; bpo-7946)."
    ),
    config=RunConfig(workload="convoy", n_tasks=2, task_ms=1000, max_workers=2),
)
