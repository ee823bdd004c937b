"""README's table of the course lists every lesson of the registry, in order, with its id."""

from __future__ import annotations

import re
from pathlib import Path

from schedviz.lessons import all_lessons

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_lists_each_lesson_with_its_number_title_and_id() -> None:
    rows = re.findall(r"^\| (\d+) \| (.+?) \| `([a-z0-9-]+)` \|", README.read_text(), re.M)
    assert rows == [(str(lesson.number), lesson.title, lesson.id) for lesson in all_lessons()]
