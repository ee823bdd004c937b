"""Cooperative multitasking by hand: a round-robin scheduler of generators, seen like asyncio.

The rule: each `next()` of a generator is one step, and its `yield` hands the turn to the next
generator in the round; nobody is interrupted, a generator runs until it yields or ends. That is
an event loop written by hand, so under `schedviz trace` (or inside `with schedviz.trace():`)
its generators are drawn as asyncio tasks are: a row each, every step on the event loop's lane
(the scheduler's thread), a yield tick at the line of each `yield`. Outside a trace it records
nothing and costs nothing but the loop itself.

    from schedviz.generators import round_robin
    results = round_robin(count_to(3), spell("abc"))     # or RoundRobin(...).run()

Events (protocol.py), when a trace records: aio_task per generator as the run begins; per step
aio_step (t = the step's start, dur_ns, the `yield`'s file:line, awaiting "its next turn
(yielded …)", outcome yield / done / error / cancelled); aio_task_done when a generator ends;
aio_ready (generators still in the round) at the start of each round in which it changed.
Task ids come from the trace's one counter, shared with its asyncio loops.

Guarantees:
- The order is fixed: round after round, the generators still running, in the order given;
  a generator that ends leaves the round, the others keep their order.
- Traced or not, the generators run the same steps and `run()` returns the same thing: each
  generator's return value (`StopIteration.value`), in the order given.
- A generator that raises ends the run: the others are closed (their `finally` blocks run,
  recorded as a cancelled last step) and the exception propagates out of `run()`.
- Under a trace every generator gets aio_task and exactly one aio_task_done, and its last step
  says how it ended; steps never overlap (one scheduler, one thread).
"""

from __future__ import annotations

import reprlib
import sys
import time
from collections.abc import Generator, Iterable
from dataclasses import dataclass, field
from types import GeneratorType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from schedviz.instrument.recorder import Recorder

_now = time.monotonic_ns
_short = reprlib.Repr()
_short.maxstring = 30
_short.maxother = 30


@dataclass
class _Turn:
    """One generator in the round: its name, its trace task id and what it returned."""

    gen: GeneratorType[Any, Any, Any]
    name: str
    task: int = 0
    steps: int = 0
    result: Any = None
    done: bool = field(default=False)


class RoundRobin:
    """Runs generators in turns, one `next()` each per round, until all of them have ended."""

    def __init__(self, *gens: Generator[Any, Any, Any],
                 **named: Generator[Any, Any, Any]) -> None:
        """Positional generators are named after their function; keywords name them."""
        given: list[tuple[object, str | None]] = [(g, None) for g in gens]
        given += [(g, n) for n, g in named.items()]
        checked = [(_generator(g), n) for g, n in given]
        self._turns = [_Turn(gen, n or gen.__name__) for gen, n in checked]
        _number_repeated_names(self._turns)

    @property
    def names(self) -> list[str]:
        """The generators' names, in the order given (their rows' labels)."""
        return [t.name for t in self._turns]

    def run(self) -> list[Any]:
        """Run every generator to its end; their return values, in the order given (a second
        run steps nothing: every generator has ended, or was closed when one raised)."""
        alive = [turn for turn in self._turns if not turn.done]
        trace = _Trace.begin(alive) if alive else None
        try:
            while alive:
                if trace is not None:
                    trace.round(len(alive))
                alive = [turn for turn in alive if _step(turn, trace)]
        except BaseException:
            for turn in alive:
                if not turn.done:
                    _close(turn, trace)
            raise
        return [t.result for t in self._turns]


def round_robin(*gens: Generator[Any, Any, Any], **named: Generator[Any, Any, Any]) -> list[Any]:
    """`RoundRobin(*gens, **named).run()`: each generator's return value, in the order given."""
    return RoundRobin(*gens, **named).run()


def _generator(gen: object) -> GeneratorType[Any, Any, Any]:
    """A generator object, else TypeError saying what to pass."""
    if not isinstance(gen, GeneratorType):
        hint = " (call the generator function: gen(), not gen)" if callable(gen) else ""
        raise TypeError(f"round_robin takes generator objects, not {type(gen).__name__}{hint}")
    return gen


def _step(turn: _Turn, trace: _Trace | None) -> bool:
    """One turn of one generator: True while it goes on (it yielded)."""
    t0 = _now()
    try:
        value = next(turn.gen)
    except StopIteration as stop:
        turn.result, turn.done = stop.value, True
        if trace is not None:
            trace.ended(turn, t0, "done", None)
        return False
    except BaseException as exc:
        turn.done = True
        if trace is not None:
            trace.ended(turn, t0, "error", exc)
        raise
    if trace is not None:
        trace.yielded(turn, t0, value)
    return True


def _close(turn: _Turn, trace: _Trace | None) -> None:
    """Close a generator the run leaves behind (its finally blocks run): a last step."""
    t0 = _now()
    turn.done = True
    try:
        turn.gen.close()
    finally:
        if trace is not None:
            trace.ended(turn, t0, "cancelled", None)


def _number_repeated_names(turns: list[_Turn]) -> None:
    """Two generators of one function are `worker-1`, `worker-2`: rows need telling apart."""
    counts: dict[str, int] = {}
    for t in turns:
        counts[t.name] = counts.get(t.name, 0) + 1
    seen: dict[str, int] = {}
    for t in turns:
        if counts[t.name] > 1:
            seen[t.name] = seen.get(t.name, 0) + 1
            t.name = f"{t.name}-{seen[t.name]}"


class _Trace:
    """What a scheduler records into the active trace's recorder (see the module's events)."""

    def __init__(self, rec: Recorder) -> None:
        self.rec = rec
        self._ready = -1

    @classmethod
    def begin(cls, turns: Iterable[_Turn]) -> _Trace | None:
        """The recording of this run, or None when no trace is active (then nothing is)."""
        # A trace cannot be active unless its module is loaded: a plain program imports
        # nothing more than this module.
        session_module = sys.modules.get("schedviz.trace.session")
        session = session_module.active() if session_module is not None else None
        if session is None:
            return None
        trace = cls(session.recorder)
        for turn in turns:
            turn.task = session.loops.policy.next_task_id()
            trace.rec.record("aio_task", turn.task, turn.name, turn.gen.__qualname__, None)
        return trace

    def round(self, ready: int) -> None:
        if ready != self._ready:
            self._ready = ready
            self.rec.record("aio_ready", ready)

    def yielded(self, turn: _Turn, t0: int, value: Any) -> None:
        dur_ns = _now() - t0
        file, line = _yield_site(turn.gen)
        turn.steps += 1
        self.rec.record_at("aio_step", t0, turn.task, dur_ns, file, line,
                           f"its next turn (yielded {_safe_repr(value)})", None, "yield")

    def ended(self, turn: _Turn, t0: int, outcome: str, exc: BaseException | None) -> None:
        dur_ns = _now() - t0
        turn.steps += 1
        self.rec.record_at("aio_step", t0, turn.task, dur_ns, None, None, "", None, outcome)
        error = repr(exc)[:200] if exc is not None else None
        self.rec.record("aio_task_done", turn.task, outcome, error, turn.steps)


def _yield_site(gen: GeneratorType[Any, Any, Any]) -> tuple[str | None, int | None]:
    """Where a suspended generator waits: the innermost `yield` of the program's own code
    (through `yield from`), file and line."""
    from schedviz.instrument.aio.sites import is_user_code

    frame = gen.gi_frame
    inner = gen.gi_yieldfrom
    while isinstance(inner, GeneratorType) and inner.gi_frame is not None \
            and is_user_code(inner.gi_frame.f_code):
        frame, inner = inner.gi_frame, inner.gi_yieldfrom
    if frame is None:
        return None, None
    return frame.f_code.co_filename, frame.f_lineno


def _safe_repr(value: Any) -> str:
    try:
        return _short.repr(value)
    except Exception:  # a broken __repr__ of the program's must not break its run
        return f"a {type(value).__name__}"
