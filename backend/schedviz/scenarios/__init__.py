"""Preset lessons: each module defines one `SCENARIO` (or a few, `SCENARIOS`) with a title, an
explanation and a config."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from schedviz.protocol import RunConfig


@dataclass(frozen=True)
class Scenario:
    """A named RunConfig with the text a lecturer would say over it."""

    id: str
    title: str
    description: str
    config: RunConfig

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "config": self.config.model_dump(),
        }


def all_scenarios() -> list[Scenario]:
    """Every preset, in the order a course would use them."""
    from schedviz.scenarios import (
        asyncio_lessons,
        chunksize,
        convoy,
        cpu_threads,
        crash,
        failures,
        gil_three_ways,
        hash_threads,
        io_threads,
        pickling,
        startup,
        steady_stream,
    )

    lessons = (io_threads, cpu_threads, hash_threads, steady_stream, failures,
               startup, chunksize, pickling, crash, gil_three_ways, convoy)
    return [*(m.SCENARIO for m in lessons), *asyncio_lessons.SCENARIOS]


def get(scenario_id: str) -> Scenario:
    """The preset with this id; KeyError names the ones that exist."""
    for s in all_scenarios():
        if s.id == scenario_id:
            return s
    known = ", ".join(s.id for s in all_scenarios())
    raise KeyError(f"unknown scenario {scenario_id!r}; known: {known}")
