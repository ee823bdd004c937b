"""Lesson 5 (chunksize) on a real run of its preset: items, chunks and items per chunk against
the map() chunks the run submitted."""

from __future__ import annotations

import math
from typing import Any

from lessonruns import of, preset_run
from schedviz.lessons import get

LESSON = get("chunksize")
run = preset_run(LESSON, n_tasks=30, chunksize=4)


def test_chunks_are_the_submitted_chunks(run: dict[str, Any]) -> None:
    chunks = of(run["events"], "task_submitted")
    assert all(c["map_id"] is not None for c in chunks)
    seen = run["observed"]
    assert seen["chunks"].value == len(chunks) == math.ceil(30 / 4)
    assert seen["items"].value == sum(c["items"] for c in chunks) == 30
    assert seen["items_per_chunk"].value == round(30 / len(chunks), 1)
    assert seen["items"].detail == "in 1 map() call"
    assert seen["round_trips_saved"].value == 30 - len(chunks)


def test_pickling_per_item_is_the_serialized_time_over_the_items(run: dict[str, Any]) -> None:
    steps = of(run["events"], "serialized")
    assert len(steps) == 4 * run["observed"]["chunks"].value  # one round trip per chunk
    per_item_us = sum(e["duration_ns"] for e in steps) / 30 / 1e3
    assert run["observed"]["serialization_per_item"].value == round(per_item_us, 1)
