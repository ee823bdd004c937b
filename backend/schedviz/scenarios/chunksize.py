"""Lesson: map(chunksize=k) trades per-item IPC for fewer, larger round trips."""

from schedviz.protocol import RunConfig
from schedviz.scenarios import Scenario

SCENARIO = Scenario(
    id="chunksize",
    title="map() on a process pool: chunksize",
    description=(
        "ProcessPoolExecutor.map sends items to the workers in chunks. With chunksize 1 every "
        "item is its own round trip: pickled by the lab, unpickled by a worker, its result "
        "pickled back (the small marks at each bar's ends and on the lab lane). Items arrive "
        "at 400 per second in map() calls of 64; move chunksize to 16 while it runs and watch "
        "the bars grow and the pickling marks thin out. Hover a chunk to see its items."
    ),
    config=RunConfig(
        executor="processes", start_method="fork", submit_mode="map", arrival="rate",
        rate=400, map_batch=64, n_tasks=6000, duration_s=20, chunksize=1, workload="cpu",
        task_ms=1, max_workers=2,
    ),
)
