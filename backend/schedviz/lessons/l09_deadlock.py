"""Lesson 9: deadlock: a task waits on a future of its own pool, and no worker is free to
finish it (one worker and a task that waits on a task it submitted; two tasks that wait on
each other)."""

from __future__ import annotations

from typing import Any

from schedviz.lessons import Events, Lesson, NotObservable, Observation
from schedviz.lessons import traced as tr

TITLE = "Deadlock: a future waiting on its own pool"
EXAMPLE = "lesson_deadlock"
CASES = ("Case 1 (one worker)", "Case 2 (each other)")


def chain_in_words(chain: list[list[int]]) -> str:
    """[[0, 1], [1, 0]] -> "task 0 → task 1 → task 0"; a pair that does not go on from the one
    before it starts a new path after "; "."""
    paths: list[list[int]] = []
    for waiting, awaited in chain:
        if paths and paths[-1][-1] == waiting:
            paths[-1].append(awaited)
        else:
            paths.append([waiting, awaited])
    return "; ".join(" → ".join(f"task {t}" for t in path) for path in paths)


def _ending(pool_waits: list[dict[str, Any]], ended: dict[int, dict[str, Any]]) -> str:
    """How the pool's tasks' waits ended, in order: "task 0 timed out after 1.0 s", …"""
    words = []
    for wait in pool_waits:
        end = ended.get(wait["wait"])
        outcome = end["outcome"] if end else "never ended"
        if outcome == "timeout":
            words.append(f"task {wait['task']} timed out after {wait['timeout_s']} s")
        elif outcome == "done":
            words.append(f"task {wait['task']} got its result")
        else:
            words.append(f"task {wait['task']}: {outcome}")
    return ", then ".join(words) or "no task waited"


def _case(label: str, key: str, pool: int, events: Events) -> list[Observation]:
    tasks = {e["task"] for e in events if e["kind"] == "task_submitted" and e["pool"] == pool}
    waits = [e for e in tr.in_order(events, "future_wait") if e["task"] in tasks]
    ended = {e["wait"]: e for e in tr.in_order(events, "future_wait_ended")}
    waits_by_end = sorted(waits, key=lambda w: (ended[w["wait"]]["t"] if w["wait"] in ended
                                                 else float("inf")))
    found = [e for e in tr.in_order(events, "deadlock") if e["pool"] == pool]
    out = [Observation(f"{key}_detected", f"{label}: deadlock detected",
                       "yes" if found else "no",
                       detail=found[0]["message"] if found else
                       "no moment came when every worker of the pool waited on the pool")]
    if found:
        deadlock = found[0]
        began = [w["t"] for w in waits if w["t"] <= deadlock["t"]]
        delay_ms = round((deadlock["t"] - max(began)) / 1e6, 3) if began else None
        out.append(Observation(f"{key}_chain", f"{label}: who waits on whom",
                               chain_in_words(deadlock["chain"]),
                               detail="each task waits on the next; the last is pending "
                               "(no free worker) or closes the circle"))
        if delay_ms is not None:
            out.append(Observation(f"{key}_delay", f"{label}: detected after the last wait "
                                   "began", delay_ms, "ms",
                                   detail="the moment the pool's last free worker began "
                                   "to wait, the warning was recorded"))
    ending = _ending(waits_by_end, ended)
    first_end = min((ended[w["wait"]]["t"] for w in waits if w["wait"] in ended), default=None)
    if first_end is not None:
        later = [e["task"] for e in tr.in_order(events, "task_started")
                 if e["task"] in tasks and e["t"] > first_end]
        if later:
            ending += f"; task {later[0]} could start only then"
    out.append(Observation(f"{key}_ended", f"{label}: how it ended", ending,
                           detail="a timeout is the only way out: the wait that times out "
                           "frees its worker, and the rest can then finish"))
    return out


def observe(events: Events) -> list[Observation]:
    """For each case: detected or not, the chain, how soon, how it ended; what was left."""
    tr.expect_example(events, TITLE, EXAMPLE)
    pools = [e["pool"] for e in tr.in_order(events, "pool_created")]
    if len(pools) < 2:
        raise NotObservable(f"{EXAMPLE}.py makes two pools (one per case); this run made "
                            f"{len(pools)}")
    out: list[Observation] = []
    for (label, pool), key in zip(zip(CASES, pools, strict=False), ("case1", "case2"),
                                  strict=True):
        out += _case(label, key, pool, events)
    spawned = {e["worker"] for e in events if e["kind"] == "worker_spawned"
               and e["pool"] in pools}
    exited = {e["worker"] for e in events if e["kind"] == "worker_exited"}
    out.append(Observation("left_running", "Pool workers still running at the end",
                           len(spawned - exited),
                           detail=f"{len(spawned)} worker threads started, "
                           f"{len(spawned & exited)} ended: the timeouts ended both cases"))
    return out


LESSON = Lesson(
    id="deadlock",
    number=9,
    concept="Deadlock: a future that waits on the result of another future in the same pool",
    title=TITLE,
    explanation=(
        "A task may submit work to its own pool and wait for the result. But a waiting task "
        "still holds its worker. Case 1: the pool has one worker; its task submits a second "
        "task and calls result() on it. The second task is queued behind the first, which "
        "will not finish before the second does: neither can go on. Case 2: two workers, "
        "two tasks, each waiting on the other's future: a cycle. schedviz warns with the "
        "chain of who waits on whom; here every wait has a timeout, so the program ends "
        "itself. Without one it would hang for ever."
    ),
    prediction=(
        "Case 1 uses result(timeout=1.0). What happens to the first task, and when does the "
        "second one run? In case 2, do both waits time out, or only one?"
    ),
    observe=observe,
    example=EXAMPLE,
)
