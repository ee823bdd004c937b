"""Lesson 10: the Future API: pending → running → finished with a result or an exception;
result(timeout), exception(), cancel() only while pending, and which thread runs a
done-callback."""

from __future__ import annotations

from typing import Any

from schedviz.lessons import Events, Lesson, NotObservable, Observation
from schedviz.lessons import traced as tr

TITLE = "The Future API: states, waits, cancel and callbacks"
EXAMPLE = "lesson_future_api"


def task_states(events: Events) -> dict[int, list[str]]:
    """Task -> the states its future went through, from the pool's events."""
    states: dict[int, list[str]] = {}
    for e in tr.in_order(events, "task_submitted", "task_started", "task_finished",
                         "task_cancelled"):
        kind = e["kind"]
        if kind == "task_submitted":
            states.setdefault(e["task"], []).append("pending")
        elif kind == "task_started":
            states.setdefault(e["task"], []).append("running")
        elif kind == "task_finished":
            states.setdefault(e["task"], []).append(
                "finished (result)" if e["ok"] else f"finished (exception {e['error']})")
        else:
            states.setdefault(e["task"], []).append("cancelled")
    return states


def _callback(e: dict[str, Any], finished_on: dict[int, int], finished_t: dict[int, int],
              lanes: dict[int, str]) -> Observation:
    name = str(e["name"]).rsplit(".", 1)[-1]
    lane = e["worker"]
    where = lanes.get(lane, e["thread"]) if lane is not None else e["thread"]
    task = e["task"]
    if lane is not None and lane == finished_on.get(task):
        why = (f"the worker that finished task {task} ran it, right after setting the "
               "result")
    elif task in finished_t and e["t"] >= finished_t[task]:
        why = (f"task {task} had already finished when it was added, so it ran at once in "
               "the thread that added it")
    else:
        why = f"it ran in {where}"
    return Observation(f"callback_{name}", f"Callback {name} ran in", where,
                       detail=f"{why} (thread ident {e['thread_ident']})")


def observe(events: Events) -> list[Observation]:
    """Each future's states, the cancels, the waits' outcomes, and each callback's thread."""
    tr.expect_example(events, TITLE, EXAMPLE)
    states = task_states(events)
    callbacks = tr.in_order(events, "future_callback")
    if not states or not callbacks:
        raise NotObservable(f"{EXAMPLE}.py submits tasks and adds done-callbacks; this run "
                            "recorded no task or no callback")
    out = [Observation(f"task_{task}", f"Task {task}", " → ".join(seq),
                       detail="the states of its future, as the pool recorded them")
           for task, seq in sorted(states.items())]
    cancelled = sorted(t for t, seq in states.items() if seq[-1] == "cancelled")
    out.append(Observation(
        "cancelled", "Futures cancel() cancelled", len(cancelled),
        detail=(f"task {', '.join(map(str, cancelled))}: still pending, so it never ran; a "
                "running future's cancel() returns False and it runs to its end")
        if cancelled else "no cancel() succeeded: only a pending future can be cancelled"))
    ended = {e["wait"]: e["outcome"] for e in tr.in_order(events, "future_wait_ended")}
    waits = tr.in_order(events, "future_wait")
    timed_out = [w for w in waits if ended.get(w["wait"]) == "timeout"]
    out.append(Observation(
        "timeouts", "Waits that timed out", len(timed_out),
        detail="; ".join(f"{w['call']}(timeout={w['timeout_s']}) on task {w['tasks'][0]}: "
                         "TimeoutError, and the task went on" for w in timed_out)
        or "no wait timed out"))
    exception_waits = [w for w in waits if w["call"] == "exception"]
    if exception_waits:
        out.append(Observation(
            "exception_waits", "exception() calls that waited", len(exception_waits),
            detail="exception() waits like result(), then returns the task's exception "
                   "instead of raising it"))
    finished = tr.in_order(events, "task_finished")
    finished_on = {e["task"]: e["worker"] for e in finished}
    finished_t = {e["task"]: e["t"] for e in finished}
    lanes = {e["worker"]: e["name"] for e in events if e["kind"] == "worker_spawned"}
    out += [_callback(e, finished_on, finished_t, lanes) for e in callbacks]
    return out


LESSON = Lesson(
    id="future-api",
    number=10,
    concept="The Future API: states, result(timeout), exception(), cancel(), done-callbacks",
    title=TITLE,
    explanation=(
        "submit() returns a Future at once: a promise of the task's result. It is pending "
        "while queued, running on a worker, then finished with a result or an exception. "
        "result(timeout) waits and raises TimeoutError if the task takes longer (the task "
        "goes on). exception() returns what the task raised. cancel() only works while the "
        "future is pending. add_done_callback runs the callback when the future finishes: in "
        "the worker thread that finished it, or, if it had already finished, at once in the "
        "thread that adds it."
    ),
    prediction=(
        "One worker is busy; two more tasks are queued. Which cancel() returns True: the "
        "running task's or a pending one's? And which thread runs a callback added before the "
        "task finished, and one added after?"
    ),
    observe=observe,
    example=EXAMPLE,
)
