"""The round-robin scheduler of generators (schedviz/generators.py), in real processes: run by
python it prints what it prints traced; under `schedviz trace` its steps are asyncio steps with
the exact order a round robin fixes, each yield at its own line, task ids shared with asyncio's.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from invariants import check_aio, load_jsonl
from schedviz.generators import RoundRobin, round_robin
from schedviz.storage.recordings import RecordingStore

PROGRAM = """\
    import asyncio
    from schedviz.generators import round_robin

    def letters(word):
        for ch in word:
            yield ch  # LETTER
        return word.upper()

    def count(n):
        for i in range(n):
            yield i  # COUNT
        return n

    def inner():
        yield "deep"  # INNER

    def outer():
        yield from inner()
        return "outer"

    async def tick():
        await asyncio.sleep(0)  # AWAIT

    asyncio.run(tick())
    print(round_robin(letters("ab"), count(1), outer()))
    """


def python(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=cwd,
                          timeout=90, check=False)


def trace(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return python("-m", "schedviz", "trace", *args, cwd=cwd)


def line_of(mark: str) -> int:
    lines = textwrap.dedent(PROGRAM).splitlines()
    return next(i for i, text in enumerate(lines, 1) if text.endswith(f"# {mark}"))


@pytest.fixture(scope="module")
def traced(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("generators")
    (folder / "prog.py").write_text(textwrap.dedent(PROGRAM))
    plain = python("prog.py", cwd=folder)
    run = trace("--events-out", "e.jsonl", "prog.py", cwd=folder)
    assert plain.returncode == run.returncode == 0, run.stderr
    return {"plain": plain, "run": run, "events": load_jsonl(folder / "e.jsonl"),
            "file": str(folder / "prog.py")}


def test_a_traced_program_prints_what_it_prints_alone(traced: dict[str, Any]) -> None:
    assert traced["run"].stdout == traced["plain"].stdout == "['AB', 1, 'outer']\n"


def test_the_steps_are_asyncio_steps_in_round_robin_order(traced: dict[str, Any]) -> None:
    events = sorted(traced["events"], key=lambda e: e["seq"])
    check_aio(events)
    # The scheduler's events: from its first task on (task 1 is asyncio.run's, before it).
    first = next(e["seq"] for e in events if e["kind"] == "aio_task" and e["task"] != 1)
    gen = [e for e in events if e["seq"] >= first and e["kind"] in (
        "aio_task", "aio_step", "aio_task_done", "aio_ready")]
    ids = {e["name"]: e["task"] for e in gen if e["kind"] == "aio_task"}
    assert list(ids) == ["letters", "count", "outer"]
    names = {v: k for k, v in ids.items()}
    file = traced["file"]

    def shown(e: dict[str, Any]) -> tuple[Any, ...]:
        if e["kind"] == "aio_ready":
            return ("ready", e["ready"])
        if e["kind"] == "aio_task":
            return ("task", e["name"], e["coro"], e["parent"])
        if e["kind"] == "aio_task_done":
            return ("done", names[e["task"]], e["outcome"], e["steps"])
        site = (e["file"] == file and e["line"]) if e["outcome"] == "yield" else e["file"]
        return ("step", names[e["task"]], e["outcome"], site)

    assert [shown(e) for e in gen] == [
        ("task", "letters", "letters", None),
        ("task", "count", "count", None),
        ("task", "outer", "outer", None),
        ("ready", 3),
        ("step", "letters", "yield", line_of("LETTER")),
        ("step", "count", "yield", line_of("COUNT")),
        ("step", "outer", "yield", line_of("INNER")),  # the innermost yield, through yield from
        ("step", "letters", "yield", line_of("LETTER")),
        ("step", "count", "done", None),
        ("done", "count", "done", 2),
        ("step", "outer", "done", None),
        ("done", "outer", "done", 2),
        ("ready", 1),
        ("step", "letters", "done", None),
        ("done", "letters", "done", 3),
    ]
    steps = [e for e in gen if e["kind"] == "aio_step"]
    assert all(e["dur_ns"] > 0 for e in steps)
    yielded = [e["awaiting"] for e in steps if e["outcome"] == "yield"]
    assert yielded == ["its next turn (yielded 'a')", "its next turn (yielded 0)",
                       "its next turn (yielded 'deep')", "its next turn (yielded 'b')"]


def test_task_ids_are_shared_with_the_traced_asyncio_loop(traced: dict[str, Any]) -> None:
    created = [e for e in traced["events"] if e["kind"] == "aio_task"]
    assert created[0]["coro"] == "tick" and created[0]["task"] == 1
    assert [e["task"] for e in created] == [1, 2, 3, 4]


def test_a_file_named_by_a_yield_is_kept_as_the_traces_source(tmp_path: Path) -> None:
    (tmp_path / "helper.py").write_text("def gen():\n    yield 1  # HELPER\n")
    (tmp_path / "prog.py").write_text("from helper import gen\n"
                                      "from schedviz.generators import round_robin\n"
                                      "round_robin(gen())\n")
    run = trace("--data-dir", str(tmp_path / "data"), "prog.py", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    with RecordingStore.in_data_dir(tmp_path / "data") as store:
        [rec] = store.list_recordings()
    assert rec.source is not None
    files = json.loads(rec.source)["files"]
    assert [Path(f).name for f in files] == ["prog.py", "helper.py"]


RAISES = """\
    from schedviz.generators import round_robin

    def fine(name):
        try:
            for i in range(3):
                yield i
        finally:
            print(f"{name} closed")

    def broken():
        yield 1
        raise ValueError("broken generator")

    try:
        round_robin(fine("x"), broken(), fine("y"))
    except ValueError as exc:
        print("raised", exc)
    """


def test_a_generator_that_raises_closes_the_others_and_propagates(tmp_path: Path) -> None:
    (tmp_path / "prog.py").write_text(textwrap.dedent(RAISES))
    plain = python("prog.py", cwd=tmp_path)
    run = trace("--events-out", "e.jsonl", "prog.py", cwd=tmp_path)
    expected = "x closed\ny closed\nraised broken generator\n"
    assert plain.stdout == run.stdout == expected, run.stderr
    events = load_jsonl(tmp_path / "e.jsonl")
    check_aio(events)
    done = {e["task"]: (e["outcome"], e["error"]) for e in events
            if e["kind"] == "aio_task_done"}
    assert done == {1: ("cancelled", None), 2: ("error", "ValueError('broken generator')"),
                    3: ("cancelled", None)}


def test_plain_round_robin_returns_the_return_values_in_the_order_given() -> None:
    ran: list[str] = []

    def gen(name: str, n: int) -> Any:
        for i in range(n):
            ran.append(f"{name}{i}")
            yield
        return name * n

    scheduler = RoundRobin(gen("a", 2), gen("b", 3), c=gen("c", 1))
    assert scheduler.run() == ["aa", "bbb", "c"]
    assert ran == ["a0", "b0", "c0", "a1", "b1", "b2"]
    assert scheduler.run() == ["aa", "bbb", "c"]  # nothing left to run: the same results
    assert len(ran) == 6
    assert RoundRobin(gen("a", 1), gen("a", 1), gen("b", 1)).names == ["gen-1", "gen-2", "gen-3"]
    assert RoundRobin(x=gen("a", 1)).names == ["x"]


def test_a_generator_function_instead_of_a_generator_is_refused_with_what_to_do() -> None:
    def gen() -> Any:
        yield

    with pytest.raises(TypeError, match=r"call the generator function: gen\(\), not gen"):
        round_robin(gen)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="takes generator objects, not list"):
        round_robin([1, 2])  # type: ignore[arg-type]


def test_importing_the_scheduler_loads_no_tracing() -> None:
    code = ("import sys, schedviz.generators; "
            "print(sorted(m for m in sys.modules if m.startswith('schedviz')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "['schedviz', 'schedviz.generators']"
