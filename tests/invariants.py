"""Checks every run's event stream must pass, whatever produced it (driver, lab, CLI, server).

`check_run` asserts the invariants and returns what it derived, so tests can assert more.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schedviz.protocol import validate_event


@dataclass
class TaskLife:
    task: int
    submitted: list[tuple[int, int]] = field(default_factory=list)  # (t, pool)
    moved: list[tuple[int, int, int]] = field(default_factory=list)  # (t, from, to)
    started: tuple[int, int] | None = None  # (t, worker)
    finished: dict[str, Any] | None = None
    cancelled: dict[str, Any] | None = None


@dataclass
class RunSummary:
    events: list[dict[str, Any]]
    tasks: dict[int, TaskLife]
    workers: dict[int, dict[str, Any]]  # worker id -> spawned event (+ "exited_t")
    limits: list[tuple[int, int]]  # (t, max_workers) in force from t on
    max_running: int
    ended: dict[str, Any]

    def kinds(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["kind"] == kind]

    @property
    def finished(self) -> list[TaskLife]:
        return [t for t in self.tasks.values() if t.finished is not None]


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def check_run(events: list[dict[str, Any]]) -> RunSummary:
    """Assert every run invariant on one run's events (in any order) and return the derivation."""
    events = sorted(events, key=lambda e: e["seq"])
    assert [e["seq"] for e in events] == list(range(len(events))), "seq must be gap-free from 0"
    for e in events:
        validate_event(e)
    assert events[0]["kind"] == "run_started" and events[0]["t"] == 0
    early = [e for e in events if e["t"] < 0]
    assert not early, f"events stamped before the run started: {early[:3]}"
    ends = [e for e in events if e["kind"] == "run_ended"]
    assert len(ends) == 1 and events[-1] is ends[0], "exactly one run_ended, and it is last"
    config = events[0]["config"]

    tasks: dict[int, TaskLife] = {}
    workers: dict[int, dict[str, Any]] = {}
    # By time: a worker process's events reach the lab after the parent's later ones.
    for e in sorted(events, key=lambda e: (e["t"], e["seq"])):
        k = e["kind"]
        if k == "worker_spawned":
            assert e["worker"] not in workers, f"worker {e['worker']} spawned twice"
            workers[e["worker"]] = dict(e)
        elif k == "worker_exited":
            assert "exited_t" not in workers[e["worker"]], f"worker {e['worker']} exited twice"
            workers[e["worker"]]["exited_t"] = e["t"]
        elif k == "task_submitted":
            tasks.setdefault(e["task"], TaskLife(e["task"])).submitted.append((e["t"], e["pool"]))
        elif k == "task_moved":
            tasks[e["task"]].moved.append((e["t"], e["from_pool"], e["to_pool"]))
        elif k == "task_started":
            life = tasks[e["task"]]
            assert life.started is None, f"task {e['task']} started twice"
            life.started = (e["t"], e["worker"])
        elif k == "task_finished":
            life = tasks[e["task"]]
            assert life.finished is None, f"task {e['task']} finished twice"
            life.finished = e
        elif k == "task_cancelled":
            life = tasks[e["task"]]
            assert life.cancelled is None, f"task {e['task']} cancelled twice"
            life.cancelled = e

    for life in tasks.values():
        # Each move is followed by a submit to the new pool, unless the run stopped first.
        assert len(life.submitted) in (len(life.moved), len(life.moved) + 1), (
            f"task {life.task}: one submit, then one per move"
        )
        if len(life.submitted) == len(life.moved):
            assert life.cancelled is not None, f"task {life.task} moved and never resubmitted"
        for (t_sub, pool), (t_move, from_pool, to_pool) in zip(
            life.submitted, life.moved, strict=False
        ):
            assert pool == from_pool and t_sub <= t_move
            assert to_pool != from_pool
        outcome = [x for x in (life.finished, life.cancelled) if x is not None]
        assert len(outcome) == 1, f"task {life.task}: exactly one outcome, got {outcome}"
        if life.cancelled is not None:
            assert life.started is None, f"task {life.task} cancelled after it started"
            continue
        items = life.finished["item_ends"] if life.finished else None
        assert life.started is not None and life.finished is not None
        t_start, worker = life.started
        t_sub, pool = life.submitted[-1]
        assert life.submitted[0][0] <= t_sub <= t_start <= life.finished["t"], (
            f"task {life.task}: submitted <= started <= finished"
        )
        assert life.finished["worker"] == worker, f"task {life.task} finished on another worker"
        assert worker in workers, f"task {life.task} ran on unknown worker {worker}"
        w = workers[worker]
        assert w["pool"] == pool, f"task {life.task} ran in pool {w['pool']}, submitted to {pool}"
        assert w["t"] <= t_start, f"worker {worker} ran task {life.task} before it spawned"
        if "exited_t" in w:
            assert life.finished["t"] <= w["exited_t"], f"worker {worker} exited mid-task"
        if items is not None:
            span = life.finished["t"] - t_start
            assert items == sorted(items) and all(0 <= x <= span for x in items), (
                f"chunk {life.task}: its items lie inside its span"
            )

    # A worker runs one task at a time: its running intervals never overlap.
    by_worker: dict[int, list[tuple[int, int]]] = {}
    for life in tasks.values():
        if life.started and life.finished:
            by_worker.setdefault(life.started[1], []).append((life.started[0], life.finished["t"]))
    for worker, spans in by_worker.items():
        spans.sort()
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert end <= start, f"worker {worker} ran two tasks at once"

    # The cap: a task starts only while fewer than max_workers (in force then) are running.
    limits = [(0, config["max_workers"])] + [
        (e["t"], e["new"]) for e in events
        if e["kind"] == "config_changed" and e["field"] == "max_workers"
    ]
    points: list[tuple[int, int, int]] = []  # (t, order: finish before start, +1/-1)
    for life in tasks.values():
        if life.started and life.finished:
            points.append((life.started[0], 1, +1))
            points.append((life.finished["t"], 0, -1))
    running = max_running = 0
    for t, _, delta in sorted(points):
        running += delta
        max_running = max(max_running, running)
        if delta > 0:
            limit = [lim for (tl, lim) in limits if tl <= t][-1]
            assert running <= limit, f"{running} tasks running at t={t}, max_workers {limit}"
    return RunSummary(events, tasks, workers, limits, max_running, ends[0])


@dataclass
class AioSummary:
    tasks: dict[int, dict[str, Any]]  # task id -> aio_task event (+ "done": aio_task_done)
    steps: list[dict[str, Any]]  # by time
    blocked: list[dict[str, Any]]
    warnings: list[str]


def check_aio(events: list[dict[str, Any]]) -> AioSummary:
    """Assert the asyncio invariants of one run (after `check_run`) and return the derivation.

    - One loop, one thread: steps never overlap.
    - Every step ends at a recorded yield site (file and line) or ends its task, and a task's
      ending step agrees with its aio_task_done; every created task ends exactly once.
    - A task's steps come after its creation; offloads name pool tasks that exist.
    """
    tasks: dict[int, dict[str, Any]] = {}
    steps = sorted((e for e in events if e["kind"] == "aio_step"), key=lambda e: e["t"])
    for e in sorted(events, key=lambda e: e["seq"]):
        if e["kind"] == "aio_task":
            assert e["task"] not in tasks, f"asyncio task {e['task']} created twice"
            tasks[e["task"]] = dict(e)
        elif e["kind"] == "aio_task_done":
            assert "done" not in tasks[e["task"]], f"asyncio task {e['task']} ended twice"
            tasks[e["task"]]["done"] = e
    for a, b in itertools.pairwise(steps):
        assert a["t"] + a["dur_ns"] <= b["t"], f"steps overlap: {a} and {b}"
    ends: dict[int, dict[str, Any]] = {}
    count: dict[int, int] = {}
    for s in steps:
        task = tasks[s["task"]]
        assert task["t"] <= s["t"], f"task {s['task']} stepped before it was created"
        assert s["task"] not in ends, f"task {s['task']} stepped after it ended"
        count[s["task"]] = count.get(s["task"], 0) + 1
        if s["outcome"] == "yield":
            assert s["file"] and s["line"] and s["line"] > 0, f"a yield with no site: {s}"
        else:
            ends[s["task"]] = s
    for tid, task in tasks.items():
        done = task.get("done")
        assert done is not None, f"asyncio task {tid} ({task['name']}) never ended"
        assert ends[tid]["outcome"] == done["outcome"], f"task {tid}: its last step disagrees"
        assert done["steps"] == count[tid], f"task {tid}: steps counted {done['steps']}"
    pool_tasks = {e["task"] for e in events if e["kind"] == "task_submitted"}
    for e in events:
        if e["kind"] == "aio_offload":
            assert e["pool_task"] in pool_tasks, f"offload to unknown pool task: {e}"
    return AioSummary(
        tasks, steps, [e for e in events if e["kind"] == "aio_blocked"],
        [e["message"] for e in events if e["kind"] == "warning"],
    )
