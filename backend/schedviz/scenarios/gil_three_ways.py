"""Lesson: who holds the GIL: CPU-bound, hashing and sleeping threads side by side."""

from schedviz.protocol import RunConfig
from schedviz.scenarios import Scenario

SCENARIO = Scenario(
    id="gil-three-ways",
    title="The GIL: CPU-bound vs hashlib vs sleeping threads",
    description=(
        "12 threads at once: 4 spin a pure-Python loop, 4 hash 64 MB with hashlib, 4 sleep. "
        "The GIL lane at the top shows who holds the GIL: only the CPU-bound threads, taking "
        "turns every switch interval (5 ms). hashlib releases the GIL while it hashes and "
        "sleeping releases it too, so those threads run in parallel with everyone. Hover the "
        "lane for each thread's share; move the switch interval and watch the turns change."
    ),
    config=RunConfig(workload="mixed", n_tasks=12, task_ms=600, hash_mb=64, max_workers=12),
)
