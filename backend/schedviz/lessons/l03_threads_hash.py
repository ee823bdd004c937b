"""Lesson 3: threads on C code that releases the GIL (hashlib): real parallelism in threads."""

from __future__ import annotations

from schedviz.lessons import Events, Lesson, Observation
from schedviz.lessons import observe as ob
from schedviz.lessons import summary as sm
from schedviz.protocol import RunConfig

TITLE = "Threads on GIL-releasing C code: hashlib"


def observe(events: Events) -> list[Observation]:
    """The speedup of the hashing tasks, and how little of the time the workers held the GIL."""
    sm.expect_run(events, TITLE, "threads", ("hash",))
    spans = sm.need_tasks(ob.task_spans(events), TITLE)
    out = [sm.wall(spans), sm.task_time(spans), sm.speedup(spans), sm.cores_used(spans),
           *sm.parallelism(spans)[:1]]
    shares = sm.gil_shares(events, spans)
    if shares is not None:
        out.append(sm.workers_gil(shares))
    return out


LESSON = Lesson(
    id="threads-hash",
    number=3,
    concept="Threads on GIL-releasing C code (hashlib, zlib): real parallelism in threads",
    title=TITLE,
    explanation=(
        "The GIL only serializes Python bytecode. C code that does not touch Python objects "
        "can release it: hashlib does while it hashes a large buffer (zlib, file and socket "
        "I/O and time.sleep do too). Here 12 tasks each hash 16 MB with SHA-256 on 2 threads. "
        "While one thread hashes, the other can run, on another core: the GIL lane stays "
        "mostly empty, and the threads really run in parallel. On a machine with one core "
        "there is nothing to run them on at once."
    ),
    prediction=(
        "Two threads hashing on a machine with two or more cores: how many times faster than "
        "one after another, and how much of the time do the workers hold the GIL?"
    ),
    observe=observe,
    preset=RunConfig(workload="hash", n_tasks=12, hash_mb=16, max_workers=2),
    knobs=("max_workers", "n_tasks", "hash_mb"),
)
