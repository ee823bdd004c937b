"""A synthetic process-pool run for frontend tests: map() over n items in chunks of k on a few
worker processes, with the four pickling spans of every chunk, per-item end times, memory
samples, and optionally a worker that dies and breaks the pool.

It emits wire events exactly as the backend's schema v2 describes them and keeps its own record
of what it did, so tests compare the browser's derivation with an independent answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MS = 1_000_000
US = 1_000


@dataclass
class Chunk:
    task: int
    first: int
    items: int
    worker: int
    started: int
    finished: int
    item_ends: list[int]  # ns from start
    args_bytes: int
    result_bytes: int
    pickling_ns: int  # the four spans together
    lost: bool = False


@dataclass
class ProcessRun:
    run_id: str
    events: list[dict[str, Any]]
    chunks: dict[int, Chunk]
    cancelled: list[int]
    memory: dict[str, list[tuple[int, int, int | None]]]  # "lab" / "w<id>" -> (t, rss, uss)
    exits: dict[int, int]  # worker -> exit code
    lab_pid: int
    broken_at: int | None = None
    culprit: int | None = None
    parent_spans: list[tuple[int, str]] = field(default_factory=list)  # (t, what)


def process_run(
    n_items: int,
    chunksize: int,
    workers: int = 2,
    item_ns: int = 20 * MS,
    *,
    kill_chunk: int | None = None,
    run_id: str = "proc-a",
) -> ProcessRun:
    """Simulate map(fn, range(n_items), chunksize) on `workers` processes; `kill_chunk` dies."""
    raw: list[tuple[int, str, dict[str, Any]]] = []

    def emit(t: int, kind: str, **fields: Any) -> None:
        raw.append((t, kind, fields))

    lab_pid = 5000
    config = {"executor": "processes", "workload": "sleep", "n_tasks": n_items,
              "task_ms": item_ns / MS, "max_workers": workers, "submit_mode": "map",
              "chunksize": chunksize, "start_method": "fork"}
    emit(0, "run_started", run_id=run_id, wall_time_ns=1_700_000_000_000_000_000,
         schema_version=2, config=config)
    emit(1 * MS, "pool_created", pool=0, max_workers=workers, executor="processes")
    free_at = {}
    for w in range(workers):
        spawned = 2 * MS + w * MS
        emit(spawned, "worker_spawned", worker=w, pool=0, name=f"ForkProcess-{w + 1}",
             native_id=lab_pid + 1 + w)
        ready = spawned + 8 * MS
        emit(ready, "worker_ready", worker=w, pid=lab_pid + 1 + w)
        free_at[w] = ready
    chunks: dict[int, Chunk] = {}
    parent_spans: list[tuple[int, str]] = []
    cancelled: list[int] = []
    broken_at: int | None = None
    culprit: int | None = None
    n_chunks = -(-n_items // chunksize)
    for task in range(n_chunks):
        first = task * chunksize
        items = min(chunksize, n_items - first)
        sub = 1 * MS + 10 * US * task
        args_repr = repr([(i,) for i in range(first, first + items)])
        emit(sub, "task_submitted", task=task, pool=0, args=args_repr, map_id=0,
             first_item=first, items=items)
        args_bytes = 40 + 12 * items
        emit(sub, "serialized", task=task, side="parent", what="args", op="dumps",
             duration_ns=30 * US, nbytes=args_bytes)
        parent_spans.append((sub, "args"))
        if broken_at is not None:
            cancelled.append(task)
            emit(broken_at + 100 * US, "task_cancelled", task=task, reason="pool_broken")
            continue
        w = min(free_at, key=lambda x: (free_at[x], x))
        loads_t = free_at[w] + 200 * US
        start = loads_t + 50 * US
        emit(loads_t, "serialized", task=task, side="worker", what="args", op="loads",
             duration_ns=50 * US, nbytes=args_bytes)
        emit(start, "task_started", task=task, worker=w)
        if task == kill_chunk:
            # The worker dies halfway through its first item.
            died = start + item_ns // 2
            broken_at = died + 2 * MS
            culprit = w
            chunks[task] = Chunk(task, first, items, w, start, died, [], args_bytes, 0,
                                 80 * US, lost=True)
            free_at[w] = died
            continue
        ends = [item_ns * (i + 1) for i in range(items)]
        finished = start + ends[-1]
        result_bytes = 20 + 9 * items
        chunks[task] = Chunk(task, first, items, w, start, finished, ends, args_bytes,
                             result_bytes, 30 * US + 50 * US + 20 * US + 10 * US)
        free_at[w] = finished + 20 * US
    if culprit is not None:
        # A broken pool terminates its other workers: what they were running is lost too.
        died = free_at[culprit]
        for c in chunks.values():
            if not c.lost and c.finished > died:
                c.lost, c.finished, c.item_ends = True, died + MS, []
                c.result_bytes, c.pickling_ns = 0, 80 * US
                free_at[c.worker] = c.finished
    for c in chunks.values():
        if c.lost:
            continue
        emit(c.finished, "task_finished", task=c.task, worker=c.worker, ok=True,
             result="[0.02]", error=None, item_ends=c.item_ends)
        emit(c.finished, "serialized", task=c.task, side="worker", what="result", op="dumps",
             duration_ns=20 * US, nbytes=c.result_bytes)
        back = c.finished + 300 * US
        emit(back, "serialized", task=c.task, side="parent", what="result", op="loads",
             duration_ns=10 * US, nbytes=c.result_bytes)
        parent_spans.append((back, "result"))
    exits: dict[int, int] = {}
    end = max(free_at.values()) + 5 * MS
    if broken_at is not None and culprit is not None:
        exits[culprit] = 1
        emit(died, "worker_exited", worker=culprit, pool=0, exitcode=1)
        for w in free_at:
            if w != culprit:
                exits[w] = -15
                emit(died + MS, "worker_exited", worker=w, pool=0, exitcode=-15)
        emit(broken_at, "pool_broken", pool=0,
             message=f"worker {culprit} (pid {lab_pid + 1 + culprit}) exited with code 1",
             worker=culprit, pid=lab_pid + 1 + culprit, exitcode=1)
        for c in chunks.values():
            if c.lost:
                emit(c.finished, "task_finished", task=c.task, worker=c.worker, ok=False,
                     result=None, error=f"BrokenProcessPool: worker {culprit} exited with code 1",
                     item_ends=None)
        end = broken_at + 5 * MS
    else:
        for w in free_at:
            exits[w] = 0
            emit(end - MS, "worker_exited", worker=w, pool=0, exitcode=0)
    memory: dict[str, list[tuple[int, int, int | None]]] = {"lab": []}
    t = 5 * MS
    k = 0
    while t < end:
        rss = 30_000_000 + 100_000 * k
        memory["lab"].append((t, rss, rss // 3))
        emit(t, "memory", pid=lab_pid, worker=None, rss=rss, uss=rss // 3)
        for w in free_at:
            if t > 2 * MS + w * MS + 8 * MS and (exits.get(w) is None or t < end - MS):
                wrss = 20_000_000 + 1_000_000 * w + 50_000 * k
                memory.setdefault(f"w{w}", []).append((t, wrss, None if w else wrss // 2))
                emit(t, "memory", pid=lab_pid + 1 + w, worker=w, rss=wrss,
                     uss=None if w else wrss // 2)
        t += 25 * MS
        k += 1
    emit(end, "run_ended", reason="completed", message=None)
    raw.sort(key=lambda e: e[0])
    events = [{"seq": n, "t": t, "kind": kind, **f} for n, (t, kind, f) in enumerate(raw)]
    return ProcessRun(run_id, events, chunks, cancelled, memory, exits, lab_pid, broken_at,
                      culprit, parent_spans)
