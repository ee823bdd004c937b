"""The course: one lesson per concept of the lecture notes, each in a module of its own here.

A lesson is what a lecturer says over one run (title, explanation, a question for the class to
predict), what it runs (a preset RunConfig in the lab, a shipped example script run by
`schedviz trace`, or a comparison of executors) and how the run's own events answer the
question (`observe`: the observed summary, computed from the recorded events, never typed in).

Guarantees:
- Every module `lNN_*.py` of this package defines one `LESSON`; `all_lessons()` lists them by
  `number`, which is the concept's number in the notes (1–15), each number once.
- A lesson runs exactly one of: `preset`, `example` (the stem of a file in examples/) or
  `compare` (the RunConfig every executor of a comparison runs).
- `observe(events)` takes the wire events of a finished run (a comparison: of its runs, in
  order) and returns the observations the page shows; it raises `NotObservable` with a message
  for events that are not this lesson's run.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from schedviz.protocol import RunConfig

Events = Sequence[dict[str, Any]]


class NotObservable(ValueError):
    """These events cannot answer this lesson's question (another run, or an unfinished one)."""


@dataclass(frozen=True)
class Observation:
    """One number (or word) of an observed summary, with what it means in a sentence."""

    key: str  # stable id for tests and the page, e.g. "speedup"
    label: str  # what the class reads, e.g. "Speedup vs one after another"
    value: float | int | str
    unit: str = ""  # "×", "ms", "MB", "%", … ("" for counts and words)
    detail: str = ""  # the sentence that says what the number shows

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "value": self.value, "unit": self.unit,
                "detail": self.detail}


Observe = Callable[[Events], list[Observation]]


@dataclass(frozen=True)
class Lesson:
    """One concept of the course, as the page shows it and as its run answers it."""

    id: str  # the URL's ?lesson=…
    number: int  # the concept's number in the notes (1–15)
    concept: str  # the notes' words, short
    title: str
    explanation: str  # what the lecturer says before the run
    prediction: str  # the question the class answers before it runs
    observe: Observe
    preset: RunConfig | None = None
    example: str | None = None
    compare: RunConfig | None = None
    #: RunConfig fields a lecturer may move for this lesson (live where the field is live)
    knobs: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        given = [x for x in (self.preset, self.example, self.compare) if x is not None]
        if len(given) != 1:
            raise ValueError(f"lesson {self.id!r} must run exactly one of preset, example, "
                             f"compare; it gives {len(given)}")

    @property
    def kind(self) -> str:
        return "preset" if self.preset else "example" if self.example else "compare"


def all_lessons() -> list[Lesson]:
    """Every lesson of the package, by number."""
    lessons = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("l") and info.name[1:3].isdigit():
            module = importlib.import_module(f"{__name__}.{info.name}")
            lessons.append(module.LESSON)
    lessons.sort(key=lambda lesson: lesson.number)
    return lessons


def get(lesson_id: str) -> Lesson:
    """The lesson with this id; KeyError names the ones that exist."""
    for lesson in all_lessons():
        if lesson.id == lesson_id:
            return lesson
    known = ", ".join(lesson.id for lesson in all_lessons())
    raise KeyError(f"unknown lesson {lesson_id!r}; known: {known}")
