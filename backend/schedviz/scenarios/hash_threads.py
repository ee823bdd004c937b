"""Lesson: C code that releases the GIL runs in parallel on threads."""

from schedviz.protocol import RunConfig
from schedviz.scenarios import Scenario

SCENARIO = Scenario(
    id="hash-threads",
    title="hashlib on threads: C code that releases the GIL",
    description=(
        "12 tasks that each hash 16 MB with SHA-256 on 2 threads. hashlib releases the GIL "
        "while it hashes large buffers, so on a machine with two or more cores two threads "
        "finish in about half the time of one. Try max_workers 1 and 2."
    ),
    config=RunConfig(workload="hash", n_tasks=12, hash_mb=16, max_workers=2),
)
