"""The lesson registry: every lNN_*.py module is listed under its own number, each number of
1–15 once, and every lesson refuses the events of another kind of run with a message."""

from __future__ import annotations

import pkgutil
import re
from typing import Any

import pytest

from schedviz import lessons
from schedviz.lessons import Lesson, NotObservable
from schedviz.protocol import LIVE_FIELDS, RunConfig

MODULES = sorted(m.name for m in pkgutil.iter_modules(lessons.__path__)
                 if m.name[0] == "l" and m.name[1:3].isdigit())
#: the concepts whose lessons run a preset of the lab
PRESET_NUMBERS = range(1, 9)


def test_every_lesson_module_is_listed_under_its_files_number() -> None:
    listed = lessons.all_lessons()
    assert [f"l{x.number:02d}" for x in listed] == [m[:3] for m in MODULES]
    numbers = [x.number for x in listed]
    assert len(set(numbers)) == len(numbers), f"a number is used twice: {numbers}"
    assert all(1 <= n <= 15 for n in numbers)
    assert len({x.id for x in listed}) == len(listed)


def test_the_preset_lessons_are_all_there_in_order() -> None:
    numbers = [x.number for x in lessons.all_lessons()]
    assert [n for n in numbers if n in PRESET_NUMBERS] == list(PRESET_NUMBERS)


def test_get_finds_a_lesson_and_names_the_known_ones_otherwise() -> None:
    assert lessons.get("threads-io").number == 1
    with pytest.raises(KeyError, match="known: threads-io, threads-cpu"):
        lessons.get("nope")


@pytest.mark.parametrize("lesson", lessons.all_lessons(), ids=lambda x: x.id)
def test_a_lessons_texts_and_knobs(lesson: Lesson) -> None:
    for text in (lesson.title, lesson.concept, lesson.explanation, lesson.prediction):
        assert text.strip() == text and text
    assert lesson.prediction.endswith("?")
    config = lesson.preset or lesson.compare
    fields = set(RunConfig.model_fields) | set(LIVE_FIELDS)
    if config is not None:
        assert set(lesson.knobs) <= fields, f"knobs that are no RunConfig field: {lesson.knobs}"


def run_of(**config: Any) -> list[dict[str, Any]]:
    full = RunConfig(**config).model_dump()
    return [
        {"seq": 0, "t": 0, "kind": "run_started", "run_id": "r", "wall_time_ns": 0,
         "schema_version": 6, "config": full},
        {"seq": 1, "t": 5, "kind": "run_ended", "reason": "completed", "message": None},
    ]


@pytest.mark.parametrize("lesson", [x for x in lessons.all_lessons()
                                    if x.number in PRESET_NUMBERS], ids=lambda x: x.id)
def test_a_preset_lesson_refuses_a_run_of_another_kind(lesson: Lesson) -> None:
    assert lesson.preset is not None
    other = ({"executor": "threads", "workload": "mixed"} if lesson.preset.executor != "threads"
             else {"executor": "asyncio", "workload": "queue"})
    with pytest.raises(NotObservable, match=re.escape(f"{lesson.title} reads a run of")):
        lesson.observe(run_of(**other))
    unfinished = run_of(**lesson.preset.model_dump())[:1]
    with pytest.raises(NotObservable, match="has not ended"):
        lesson.observe(unfinished)
    with pytest.raises(NotObservable, match="no run_started"):
        lesson.observe([])


@pytest.mark.parametrize("lesson", [x for x in lessons.all_lessons()
                                    if x.number in PRESET_NUMBERS], ids=lambda x: x.id)
def test_a_preset_lesson_says_so_when_its_run_has_nothing_to_measure(lesson: Lesson) -> None:
    assert lesson.preset is not None
    with pytest.raises(NotObservable) as refused:
        lesson.observe(run_of(**lesson.preset.model_dump()))  # started and ended, nothing ran
    assert "run" in str(refused.value)
