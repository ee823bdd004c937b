"""Tracing the user's own program: its pools, threads and event loops, live on the timeline.

`schedviz trace script.py` (command.py) runs a program traced; `with schedviz.trace(name=…):`
traces a block of a program that imports schedviz. Both use one machinery, a trace session
(session.py) whose events go to sinks (sinks.py):

- program.py: the program as `python script.py` / `python -m module` runs it.
- executors.py: the program's ThreadPoolExecutor and ProcessPoolExecutor, instrumented.
- aio.py: the program's asyncio event loops, instrumented.
- threads.py: a lane for every thread the program starts, and for its main thread.
- sources.py: the program's files its events name, kept as the recording's source.

This package is itself callable (`schedviz.trace(...)` is `trace_block(...)`): the inline API
and the package share the name `schedviz.trace`.

Guarantees:
- Importing this package imports nothing heavy; the machinery loads when a trace begins.
- A block inside a program that is traced already joins that trace (no second one starts).
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def trace_block(name: str | None = None, *, events_out: str | None = None,
                data_dir: str | None = None) -> Iterator[Any]:
    """Record what runs inside the block: pools, threads and event loops made in it.

    Events go to `events_out` (JSON Lines) if given, else to a kept recording in the library
    (`data_dir`, default as for `schedviz serve`) named `name`. Yields the trace session.
    """
    from pathlib import Path

    from schedviz.trace import session as sessions
    from schedviz.trace.sinks import JsonlSink, LibrarySink, Sink

    running = sessions.active()
    if running is not None:
        yield running
        return
    main = sys.modules.get("__main__")
    main_path = getattr(main, "__file__", None)
    main_file = Path(main_path).resolve() if isinstance(main_path, str) else None
    sinks: list[Sink] = [JsonlSink(events_out)] if events_out else [LibrarySink(data_dir)]
    label = name or (main_file.name if main_file else "traced block")
    trace = sessions.TraceSession(
        label, sinks, config={"program": label, "argv": list(sys.argv)},
        root=main_file.parent if main_file else Path.cwd(), main_file=main_file)
    trace.start()
    reason, message = "completed", None
    try:
        yield trace
    except KeyboardInterrupt:
        reason, message = "stopped", "interrupted (Ctrl-C)"
        raise
    except SystemExit as exc:
        if exc.code not in (None, 0):
            reason, message = "error", f"the block exited with code {exc.code!r}"[:500]
        raise
    except BaseException as exc:
        reason, message = "error", f"the block raised {exc!r}"[:500]
        raise
    finally:
        trace.stop(reason, message)
        for sink in sinks:
            said = sink.describe()
            if said:
                sys.stderr.write(f"schedviz trace: {said}\n")


class _CallableModule(types.ModuleType):
    """This package, callable as the inline API."""

    def __call__(self, name: str | None = None, *, events_out: str | None = None,
                 data_dir: str | None = None) -> Any:
        return trace_block(name, events_out=events_out, data_dir=data_dir)


sys.modules[__name__].__class__ = _CallableModule
