"""Python's own warnings on the timeline: what the interpreter and asyncio report while a traced
program runs become `python_warning` events at the moment and the line they were reported.

- Warnings (`warnings.showwarning`): a coroutine that was never awaited (RuntimeWarning, at the
  line that created it), a ResourceWarning for an unclosed resource when the program's filters
  show it (`python -X dev`, `-W default`), any other warning shown.
- asyncio's exception handler (`call_exception_handler`, whichever handler the loop has): a
  task exception never retrieved (at the line that raised it), a task destroyed while pending
  (at the line it was suspended at), any other loop error.
- asyncio's debug-mode log of a slow callback ("Executing … took 0.120 seconds"), when the
  program runs asyncio in debug mode; schedviz's own blocked-loop reports show slow steps always.

Guarantees:
- What the program prints is unchanged: the original hooks still run, after the event is noted.
- `install` is idempotent and `uninstall` restores every hook it replaced.
- Recording never raises into the program: a failure to describe a report records it without
  a line rather than disturbing the program.
"""

from __future__ import annotations

import contextlib
import logging
import traceback
import warnings
from collections.abc import Callable
from types import TracebackType
from typing import Any, Protocol


class Recording(Protocol):
    def record(self, kind: str, *fields: Any) -> None: ...


_installed: dict[str, Any] = {}


def install(recorder: Recording, own_files: Callable[[str], bool] = lambda _: True) -> None:
    """Note every warning and asyncio report in `recorder` (fields: category, message, file,
    line). `own_files` says which files are the program's: a line is looked for there first."""
    if _installed:
        return
    original_show = warnings.showwarning

    def showwarning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                    file: Any = None, line: str | None = None) -> None:
        _safe(recorder, category.__name__, str(message), filename, lineno)
        original_show(message, category, filename, lineno, file, line)

    warnings.showwarning = showwarning
    _installed["showwarning"] = original_show

    import asyncio.base_events

    loop_cls = asyncio.base_events.BaseEventLoop
    original_call = loop_cls.call_exception_handler

    def call_exception_handler(self: Any, context: dict[str, Any]) -> None:
        where = _context_line(context, own_files)
        category = "asyncio"
        _safe(recorder, category, str(context.get("message", "asyncio reported an error")),
              *where)
        original_call(self, context)

    loop_cls.call_exception_handler = call_exception_handler  # type: ignore[method-assign]
    _installed["call_exception_handler"] = original_call

    # A filter, not a handler: a handler on asyncio's logger would stop Python's last-resort
    # printing of its messages (what the program shows would change).
    slow = _SlowCallbacks(recorder, own_files)
    logging.getLogger("asyncio").addFilter(slow)
    _installed["filter"] = slow


def uninstall() -> None:
    """Put back every hook `install` replaced."""
    if not _installed:
        return
    warnings.showwarning = _installed.pop("showwarning")
    import asyncio.base_events

    asyncio.base_events.BaseEventLoop.call_exception_handler = (  # type: ignore[method-assign]
        _installed.pop("call_exception_handler"))
    logging.getLogger("asyncio").removeFilter(_installed.pop("filter"))


class _SlowCallbacks(logging.Filter):
    """asyncio's debug-mode "Executing <Handle …> took N seconds" lines, let through as they are."""

    def __init__(self, recorder: Recording, own_files: Callable[[str], bool]) -> None:
        super().__init__()
        self.recorder = recorder
        self.own_files = own_files

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith("Executing"):
            self._note(record)
        return True  # the exception handler's own log was noted there already

    def _note(self, record: logging.LogRecord) -> None:
        where: tuple[str | None, int | None] = (None, None)
        handle = record.args[0] if isinstance(record.args, tuple) and record.args else None
        callback = getattr(handle, "_callback", None)
        task = getattr(callback, "__self__", None)
        coro = getattr(task, "get_coro", lambda: None)()
        frame = getattr(coro, "cr_frame", None)
        if frame is not None:
            where = (frame.f_code.co_filename, frame.f_lineno)
        _safe(self.recorder, "asyncio slow callback", record.getMessage(), *where)


def _context_line(context: dict[str, Any],
                  own_files: Callable[[str], bool]) -> tuple[str | None, int | None]:
    """Where an asyncio report is about: the raise of its exception, else where its task waits."""
    exc = context.get("exception")
    if isinstance(exc, BaseException) and exc.__traceback__ is not None:
        return _last_own_frame(exc.__traceback__, own_files)
    task = context.get("task") or context.get("future")
    coro = getattr(task, "get_coro", lambda: None)()
    frame = getattr(coro, "cr_frame", None)
    if frame is not None:
        return frame.f_code.co_filename, frame.f_lineno
    return None, None


def _last_own_frame(tb: TracebackType,
                    own_files: Callable[[str], bool]) -> tuple[str | None, int | None]:
    frames = traceback.extract_tb(tb)
    for fs in reversed(frames):
        if own_files(fs.filename):
            return fs.filename, fs.lineno
    last = frames[-1] if frames else None
    return (last.filename, last.lineno) if last else (None, None)


def _safe(recorder: Recording, category: str, message: str, file: str | None,
          line: int | None) -> None:
    # Never disturb the program for a note.
    with contextlib.suppress(Exception):
        recorder.record("python_warning", category, message[:500], file, line)
