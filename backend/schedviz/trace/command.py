"""`schedviz trace script.py [args…]` / `schedviz trace -m module [args…]`: the program, traced.

The rule: the program runs as under python (program.py), in this process, while a trace
(session.py) records it into the sinks the options choose: `--live` streams it to the running
local server (push.py), which shows it live and records it; `--events-out FILE.jsonl` writes JSON
Lines (beside a live push, or instead of the library); else a kept recording in the library
named after the program (`--name`). Our own words go to stderr,
prefixed `schedviz trace:`, only before the program starts (a refusal) and after it ended.

Guarantees:
- The exit code is the program's (a refusal before it ran: 1; nothing to run: 2, as python).
- The trace ends only after the program's threads and pools have (as python's exit waits for
  them); the program's atexit handlers run after that, untraced.
- `--open` opens the recording in the browser when a local server holds the library;
  otherwise it says how to see it.
"""

from __future__ import annotations

import sys
import webbrowser
from dataclasses import dataclass

from schedviz.trace import program as prog
from schedviz.trace.session import TraceSession
from schedviz.trace.sinks import JsonlSink, LibrarySink, Sink, SinkRefused


@dataclass(frozen=True)
class TraceOptions:
    program: prog.Program
    name: str | None = None
    events_out: str | None = None
    data_dir: str | None = None
    open_browser: bool = False
    live: bool = False


def sinks_for(options: TraceOptions) -> list[Sink]:
    """The sinks the options ask for."""
    sinks: list[Sink] = []
    if options.live:
        from schedviz.trace.push import LiveSink  # websockets: only for a live push

        sinks.append(LiveSink(options.data_dir))
    if options.events_out:
        sinks.append(JsonlSink(options.events_out))
    return sinks or [LibrarySink(options.data_dir)]


def trace_program(options: TraceOptions) -> int:
    """Run and trace the program; its exit code (see the module rule)."""
    program = options.program
    try:
        program.check()
    except prog.ProgramNotFound as exc:
        sys.stderr.write(f"schedviz trace: {exc}\n")
        return 2
    sinks = sinks_for(options)
    main_file = program.main_file()
    config = {"program": program.display, "argv": [program.target, *program.args]}
    session = TraceSession(options.name or program.display, sinks, config=config,
                           root=program.root, main_file=main_file)
    try:
        session.start()
    except SinkRefused as exc:
        sys.stderr.write(f"schedviz trace: {exc}\n")
        return 1
    outcome = prog.Outcome(1, "error", "the trace ended before the program did")
    try:
        outcome = prog.run(program)
        prog.finish_threads()
    except KeyboardInterrupt:  # Ctrl-C while waiting for the program's threads
        outcome = prog.Outcome(130, "stopped", "interrupted (Ctrl-C)", interrupted=True)
    finally:
        session.stop(outcome.reason, outcome.message)
    _report(session, sinks, options)
    if outcome.interrupted:
        prog.exit_by_signal()
    return outcome.exit_code


def _report(session: TraceSession, sinks: list[Sink], options: TraceOptions) -> None:
    for sink in sinks:
        said = sink.describe()
        if said:
            sys.stderr.write(f"schedviz trace: {said}\n")
    urls = [u for u in (getattr(sink, "url", lambda: None)() for sink in sinks) if u]
    if urls and options.open_browser:
        webbrowser.open(urls[0])
        return
    if not any(isinstance(s, LibrarySink) for s in sinks):
        return
    folder = f" --data-dir {options.data_dir}" if options.data_dir else ""
    sys.stderr.write(f"schedviz trace: see it: schedviz serve{folder}, then open "
                     f"http://127.0.0.1:8000/?recording={session.run_id}\n")
