"""Lesson 5: map(chunksize=k) on a process pool: items go out in chunks, one round trip each."""

from __future__ import annotations

from schedviz.lessons import Events, Lesson, NotObservable, Observation
from schedviz.lessons import observe as ob
from schedviz.lessons import summary as sm
from schedviz.protocol import RunConfig

TITLE = "map() on a process pool: chunksize"


def observe(events: Events) -> list[Observation]:
    """How many chunks (round trips) the map() calls made of their items, and what it cost."""
    sm.expect_run(events, TITLE, "processes", submit_mode="map")
    spans = ob.task_spans(events)
    sent = ob.chunks(spans)
    if sent is None:
        raise NotObservable("this run made no map() call (no task_submitted with a map_id)")
    out = [
        Observation("items", "Items mapped", sent.items, "",
                    f"in {sent.map_calls} map() call{'s' * (sent.map_calls != 1)}"),
        Observation("chunks", "Chunks sent (round trips)", sent.chunks, "",
                    "each chunk is one task: its items pickled in one call to a worker, their "
                    "results pickled back in one reply"),
        Observation("items_per_chunk", "Items per chunk, on average",
                    round(sent.items_per_chunk, 1), "", "items / chunks"),
        Observation("round_trips_saved", "Round trips saved vs chunksize 1",
                    sent.items - sent.chunks, "",
                    "with chunksize 1 every item would be a round trip of its own"),
    ]
    pickled = ob.serialization(events)
    if pickled is not None and sent.items:
        out.append(Observation(
            "serialization_per_item", "Pickling per item", round(pickled.ns / sent.items / 1e3,
                                                                 1), "µs",
            f"pickling and unpickling of calls and results ({sm.ms(pickled.ns)} ms in "
            f"{pickled.steps} steps) / items"))
    if ob.ran(spans):
        out.append(sm.wall(spans))
    return out


LESSON = Lesson(
    id="chunksize",
    number=5,
    concept="chunksize: the iterable is chopped into chunks submitted as separate tasks; "
            "fewer, larger round trips",
    title=TITLE,
    explanation=(
        "ProcessPoolExecutor.map() chops the iterable into chunks and submits each chunk to "
        "the pool as a separate task; chunksize, a positive integer, sets how many items go "
        "in one chunk (default 1). Every chunk is one round trip: pickled by the lab, "
        "unpickled by a worker, its results pickled back. With chunksize 1 each of the 48 "
        "short tasks pays that alone; with 8, six round trips carry them all. "
        "ThreadPoolExecutor.map() accepts chunksize too but ignores it: threads need no "
        "pickling. Each chunk is one bar, with a thin line where each item ended."
    ),
    prediction=(
        "48 items with chunksize 8 on 2 worker processes: how many round trips, and does "
        "the pickling per item go up or down compared with chunksize 1?"
    ),
    observe=observe,
    preset=RunConfig(executor="processes", start_method="fork", submit_mode="map",
                     workload="cpu", n_tasks=48, task_ms=5, chunksize=8, max_workers=2),
    knobs=("chunksize", "n_tasks", "max_workers", "task_ms"),
)
