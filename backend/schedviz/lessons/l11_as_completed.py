"""Lesson 11: submit + as_completed (completion order, each task handled on its own) vs map
(input order)."""

from __future__ import annotations

from typing import Any

from schedviz.lessons import Events, Lesson, NotObservable, Observation
from schedviz.lessons import observe as ob
from schedviz.lessons import summary as sm
from schedviz.lessons import traced as tr

TITLE = "submit + as_completed vs map"
EXAMPLE = "lesson_as_completed"


def phases(events: Events) -> tuple[list[int], list[int]]:
    """The tasks the first as_completed() waited on, and those submitted after the last
    timed-out wait (map's), each in submit order."""
    waits = tr.in_order(events, "future_wait")
    first = next((w for w in waits if w["call"] == "as_completed"), None)
    if first is None:
        raise NotObservable("no as_completed() wait was recorded: this run is not the "
                            "example's, or its futures were not instrumented")
    timed_out = {e["wait"]: e["t"] for e in tr.in_order(events, "future_wait_ended")
                 if e["outcome"] == "timeout"}
    after = max(timed_out.values(), default=None)
    submitted = tr.in_order(events, "task_submitted")
    mapped = [e["task"] for e in submitted if after is not None and e["t"] > after]
    return sorted(first["tasks"]), mapped


def finish_order(spans: list[ob.TaskSpan], tasks: list[int]) -> list[int]:
    """Positions in input order (0 = first submitted) of `tasks`, in the order they finished."""
    position = {task: i for i, task in enumerate(tasks)}
    return [position[t] for t in ob.completion_order(spans) if t in position]


def observe(events: Events) -> list[Observation]:
    """Completion order vs input order, the failure handled, the timeout, map's order."""
    tr.expect_example(events, TITLE, EXAMPLE)
    spans = ob.task_spans(events)
    by_id = {s.task: s for s in spans}
    completed, mapped = phases(events)
    order = finish_order(spans, completed)
    failed = [i for i, t in enumerate(completed) if by_id[t].ok is False]
    out = [
        Observation("as_completed_order", "as_completed: the finishing order",
                    " ".join(map(str, order)), "",
                    f"downloads by their input position (input order: "
                    f"{' '.join(map(str, range(len(completed))))}): each as soon as it was "
                    "done"),
        Observation("handled", "Failed and handled", len(failed), "",
                    (f"download {', '.join(map(str, failed))} raised; the run went on to its "
                     "end: its own try/except took the exception") if failed else
                    "no download failed"),
    ]
    timeouts = [(w, e) for w, e in _ended_waits(events) if e["outcome"] == "timeout"]
    if timeouts:
        w, e = timeouts[0]
        out.append(Observation("timeout", "Waited before the timeout", sm.ms(e["t"] - w["t"]),
                               "ms", f"result(timeout={w['timeout_s']:g}) gave up "
                               "(TimeoutError); the task itself ran on to its end"))
    if mapped:
        map_order = finish_order(spans, mapped)
        first_done = by_id[mapped[0]].finished
        held = sum(1 for t in mapped[1:] if (by_id[t].finished or 0) < (first_done or 0))
        out += [
            Observation("map_finish_order", "map's tasks finished in the order",
                        " ".join(map(str, map_order)), "",
                        "by input position; map still yields them in input order"),
            Observation("map_held_back", "Results map held back", held, "",
                        "later inputs already done while map waited for the first one "
                        f"({sm.ms((first_done or 0) - (by_id[mapped[0]].submitted or 0))} ms)"),
        ]
    return out


def _ended_waits(events: Events) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(future_wait, its future_wait_ended) pairs, by the wait's start."""
    ended = {e["wait"]: e for e in events if e["kind"] == "future_wait_ended"}
    return [(w, ended[w["wait"]]) for w in tr.in_order(events, "future_wait")
            if w["wait"] in ended]


LESSON = Lesson(
    id="as-completed-vs-map",
    number=11,
    concept="submit + as_completed vs map: completion order vs input order; try/except, "
            "timeouts",
    title=TITLE,
    explanation=(
        "submit() gives you a future per task; as_completed() hands those futures back as "
        "they finish, fastest first, so each one is handled on its own: its own try/except "
        "(one failure does not stop the others), a timeout for a task that takes too long. "
        "map() gives the results in input order: the first result holds up all the later "
        "ones, even those already done. The example downloads five pages that take 120, 30, "
        "80, 10 and 50 ms; the third fails."
    ),
    prediction=(
        "In which order does as_completed hand out the five downloads, and in which order "
        "does map? How many finished results does map hold back while it waits for the first?"
    ),
    observe=observe,
    example=EXAMPLE,
)
