"""The code shown beside a lesson's timeline: the preset's workload function as it is in its
module, with its focus on the lines that do the work; an example lesson's whole file."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from schedviz import aio_workloads, lessons, workloads
from schedviz.lessons import Lesson
from schedviz.lessons.code import example_code, focus, preset_code
from schedviz.protocol import RunConfig

ROOT = Path(__file__).resolve().parents[2]
SOURCES = {"schedviz/workloads.py": Path(workloads.__file__),
           "schedviz/aio_workloads.py": Path(aio_workloads.__file__)}


@pytest.mark.parametrize("lesson", [x for x in lessons.all_lessons() if x.preset is not None],
                         ids=lambda x: x.id)
def test_a_presets_code_is_its_workload_function_with_a_focus(lesson: Lesson) -> None:
    assert lesson.preset is not None
    code = preset_code(lesson.preset)
    assert code is not None, f"no code for workload {lesson.preset.workload}"
    text = SOURCES[code["file"]].read_text().splitlines()
    first = code["first_line"]
    assert code["lines"] == text[first - 1:first - 1 + len(code["lines"])]
    assert code["lines"][0].lstrip().startswith(("def ", "async def "))
    assert code["focus"] is not None, f"no focus in {code['lines'][0]}"
    lo, hi = code["focus"]
    assert 1 < lo <= hi <= len(code["lines"])


def test_the_focus_of_the_cpu_loop_is_the_loop() -> None:
    code = preset_code(RunConfig(workload="cpu"))
    assert code is not None
    lo, hi = code["focus"]
    assert [line.strip() for line in code["lines"][lo - 1:hi]] == [
        "while time.perf_counter() < end:", "n += 1"]
    assert code["first_line"] == inspect.getsourcelines(workloads.cpu)[1]


def test_the_asyncio_workloads_code_is_the_coroutine() -> None:
    code = preset_code(RunConfig(executor="asyncio", workload="blocking"))
    assert code is not None and code["file"] == "schedviz/aio_workloads.py"
    assert code["lines"][0] == "async def blocking(run: Run) -> None:"
    lo, hi = code["focus"]
    assert "time.sleep(run.s)" in "\n".join(code["lines"][lo - 1:hi])


def test_no_focus_where_none_is_known() -> None:
    assert focus(["def f():", "    pass"], "f") is None
    assert focus(["def cpu():", "    pass"], "cpu") is None  # its marks are not there


def test_an_examples_code_is_the_whole_shipped_file() -> None:
    path = ROOT / "examples" / "threads_io.py"
    code = example_code(path)
    assert code == {"file": "examples/threads_io.py", "lines": path.read_text().splitlines(),
                    "focus": None, "first_line": 1}
