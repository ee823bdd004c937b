"""The `schedviz` command: `serve` the web app, `run` a scenario headless into JSON Lines, or
work with the library of recorded runs: `record` a scenario into it, list the `recordings`,
`export` one (or a session's runs, as one offline page), `import` a file.

Exit codes: 0 done; 1 a file or an id refused, the library held by another schedviz, or the
run failed; 2 a usage error (the message names the allowed values).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import shlex
import sys
import threading
import time
import webbrowser
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from schedviz import scenarios
from schedviz.protocol import CompactEvent, RunConfig, expand
from schedviz.storage import archive, datadir
from schedviz.storage.errors import (
    InvalidValue,
    RefusedFile,
    StorageError,
    UnknownRecording,
    UnknownSession,
)
from schedviz.storage.exports import GZIP_FORMATS, write_export
from schedviz.storage.jsonl import event_line
from schedviz.storage.offline_html import FrontendError, write_offline_html
from schedviz.storage.recordings import (
    DEFAULT_KEEP_LAST,
    FILE_NAME,
    KEEP_LAST_RANGE,
    RecordingStore,
)
from schedviz.storage.records import Recording, check_name, default_name
from schedviz.storage.sources import workload_source
from schedviz.validation import describe

EXPORT_FORMATS = ("perfetto", "html", "jsonl", "recording")


class UsageError(Exception):
    """The arguments do not make a command: exit 2 with the command's usage."""


class Refused(Exception):
    """A file, an id or the library refused, with what to do: exit 1."""


# -- arguments ---------------------------------------------------------------------------------


def _scenario_id(value: str) -> str:
    try:
        scenarios.get(value)
    except KeyError as exc:
        raise argparse.ArgumentTypeError(exc.args[0]) from None
    return value


def _name(value: str) -> str:
    try:
        return check_name(value)
    except InvalidValue as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _path(value: str) -> str:
    if not value.strip():
        raise argparse.ArgumentTypeError("a path cannot be empty")
    return value


def _keep_last(value: str) -> int:
    lo, hi = KEEP_LAST_RANGE
    try:
        n = int(value)
    except ValueError:
        n = None
    if n is None or not lo <= n <= hi:
        raise argparse.ArgumentTypeError(f"must be a whole number from {lo} to {hi}; got {value!r}")
    return n


def _load_config(path: str | None, scenario: str | None) -> RunConfig:
    """The run config from a JSON file, a preset, or a preset overridden by a file."""
    if not path and not scenario:
        raise UsageError("give --config FILE.json and/or --scenario ID")
    data: dict[str, Any] = {}
    if scenario:
        try:
            data = scenarios.get(scenario).config.model_dump()
        except KeyError as exc:
            raise SystemExit(f"schedviz: {exc.args[0]}") from exc
    if path:
        try:
            loaded = json.loads(Path(path).read_text())
        except OSError as exc:
            raise SystemExit(f"schedviz: cannot read config {path}: {exc.strerror}") from exc
        except json.JSONDecodeError as exc:
            raise SystemExit(f"schedviz: config {path} is not valid JSON: {exc}") from exc
        if not isinstance(loaded, dict):
            raise SystemExit(f"schedviz: config {path} must be a JSON object of RunConfig fields")
        data.update(loaded)
    try:
        return RunConfig.model_validate(data)
    except ValidationError as exc:
        lines = "\n".join(f"  - {e['message']}" for e in describe(exc))
        raise SystemExit(f"schedviz: invalid config:\n{lines}") from exc


# -- a run in this process ---------------------------------------------------------------------

#: Where a run's events go: each batch as the lab sends it, and as wire dicts.
Forward = Callable[[list[CompactEvent], list[dict[str, Any]]], None]


class _Progress:
    """Counts a run's events for a progress line (on a terminal) and the summary at the end."""

    def __init__(self, out: TextIO | None) -> None:
        self.out = out
        self.events = 0
        self.submitted = 0
        self.finished = 0
        self.failed = 0
        self.cancelled = 0
        self.aio_tasks = 0
        self.aio_steps = 0
        self.aio_blocked = 0
        self._last_progress = 0.0

    def count(self, events: list[dict[str, Any]]) -> None:
        for ev in events:
            kind = ev["kind"]
            if kind == "task_submitted":
                self.submitted += 1
            elif kind == "task_finished":
                self.finished += 1
                self.failed += not ev["ok"]
            elif kind == "task_cancelled":
                self.cancelled += 1
            elif kind == "aio_task":
                self.aio_tasks += 1
            elif kind == "aio_step":
                self.aio_steps += 1
            elif kind == "aio_blocked" and not ev["ongoing"]:
                self.aio_blocked += 1
        self.events += len(events)
        now = time.monotonic()
        if self.out is not None and now - self._last_progress > 0.5:
            self._last_progress = now
            self.out.write(f"\r{self.summary()}   ")
            self.out.flush()

    def done(self) -> None:
        if self.out is not None:
            self.out.write("\r")

    def summary(self) -> str:
        if self.aio_tasks:
            pool = f", {self.finished} pool tasks" if self.submitted else ""
            return (
                f"{self.aio_tasks} asyncio tasks, {self.aio_steps} steps, {self.aio_blocked} "
                f"blocked the loop{pool}, {self.events} events"
            )
        return (
            f"{self.finished} finished ({self.failed} raised), {self.cancelled} cancelled, "
            f"{self.submitted} submitted, {self.events} events"
        )


class _Headless:
    """One run of a config in this process, its events forwarded as they come."""

    def __init__(self, config: RunConfig) -> None:
        from schedviz.lab.driver import Driver

        self.progress = _Progress(sys.stderr if sys.stderr.isatty() else None)
        self.driver = Driver(config, self._emit)
        self.run_id = self.driver.run_id
        self._forward: Forward | None = None

    def _emit(self, batch: list[CompactEvent]) -> None:
        events = [expand(compact) for compact in batch]
        assert self._forward is not None
        self._forward(batch, events)
        self.progress.count(events)

    def run(self, forward: Forward) -> str:
        """Run to the end (Ctrl-C stops it cleanly: run_ended stopped); returns the reason."""
        self._forward = forward
        # The run goes on in a thread so Ctrl-C here can stop it cleanly. Its end is waited
        # for on an Event, not by join(): on Python 3.11 a join that Ctrl-C interrupts marks
        # the thread as ended while it still runs, and a later join() returns at once.
        result: list[str] = []
        ended = threading.Event()

        def run() -> None:
            try:
                result.append(self.driver.run())
            finally:
                ended.set()

        worker = threading.Thread(target=run, name="run")
        worker.start()
        stopping = False
        while not ended.is_set():
            try:
                ended.wait(0.2)
            except KeyboardInterrupt:
                if stopping:
                    sys.stderr.write("\nstill stopping: the running tasks finish first\n")
                    continue
                stopping = True
                sys.stderr.write("\nstopping: running tasks finish, waiting ones are cancelled\n")
                self.driver.stop()
        worker.join()
        self.progress.done()
        return result[0] if result else "error"


def cmd_run(args: argparse.Namespace) -> int:
    config = _load_config(args.config, args.scenario)
    out_path = Path(args.events_out)
    try:
        out = out_path.open("w")
    except OSError as exc:
        raise Refused(f"cannot write {out_path}: {exc.strerror}") from None
    with out:
        run = _Headless(config)
        reason = run.run(lambda batch, events: out.writelines(map(event_line, events)))
    sys.stderr.write(f"run {run.run_id} {reason}: {run.progress.summary()} -> {out_path}\n")
    return 0 if reason in ("completed", "stopped") else 1


def _into(events: list[dict[str, Any]]) -> Forward:
    """A run's forward that keeps its wire events in `events`."""
    return lambda batch, evs: events.extend(evs)


def cmd_compare(args: argparse.Namespace) -> int:
    from schedviz import compare

    fields = {"workload": args.workload, "n_tasks": args.n_tasks, "task_ms": args.task_ms,
              "max_workers": args.max_workers, "start_method": args.start_method}
    try:
        the_plan = compare.plan(compare.config_of(fields))
    except compare.ComparisonError as exc:
        raise UsageError(str(exc)) from None
    out_dir = Path(args.events_out) if args.events_out else None
    if out_dir is not None:
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise Refused(f"cannot make {out_dir}: {exc.strerror}") from None
    for note in the_plan.notes:
        sys.stderr.write(f"note: {note}\n")
    runs: list[list[dict[str, Any]]] = []
    for i, (executor, config) in enumerate(the_plan.runs, 1):
        sys.stderr.write(f"[{i}/{len(the_plan.runs)}] {executor} …\n")
        events: list[dict[str, Any]] = []
        reason = _Headless(config).run(_into(events))
        if out_dir is not None:
            with (out_dir / f"{executor}.jsonl").open("w") as out:
                out.writelines(map(event_line, events))
        if reason != "completed":
            sys.stderr.write(f"schedviz compare: the {executor} run ended {reason}\n")
            return 1
        runs.append(events)
    rows = compare.summarize(runs)
    if args.json:
        print(json.dumps({**the_plan.as_json(), "summary": [r.as_json() for r in rows]}))
    else:
        print(compare.table(rows))
    return 0


# -- the library -------------------------------------------------------------------------------


@contextmanager
def _library(data_dir: str | None) -> Iterator[RecordingStore]:
    """The recordings store of the data directory, refused clearly when another process has it."""
    try:
        store = RecordingStore.in_data_dir(data_dir)
    except StorageError:
        folder = datadir.choose(data_dir)
        holder = _lock_holder(folder / FILE_NAME)
        if holder is None:
            raise
        raise Refused(
            f"the library in {folder} is open in {holder}; stop it or use --data-dir DIR "
            "for another library"
        ) from None
    with store:
        yield store


def _lock_holder(path: Path) -> str | None:
    """Who holds the store's lock file (a phrase naming the process), or None if nobody does."""
    try:
        fd = os.open(path.with_name(path.name + ".lock"), os.O_RDONLY)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = os.pread(fd, 32, 0).decode(errors="replace").strip()
        else:
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None
    finally:
        os.close(fd)
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except (OSError, ValueError):
        argv = []
    if "serve" in argv:
        return f"a running schedviz server (pid {pid})"
    if "record" in argv:
        return f"a running `schedviz record` (pid {pid})"
    return f"another running schedviz (pid {pid or '?'})"


def _dir_option(data_dir: str | None) -> str:
    """The --data-dir option to repeat in a command shown to the user."""
    return f" --data-dir {shlex.quote(data_dir)}" if data_dir else ""


def cmd_record(args: argparse.Namespace) -> int:
    config = _load_config(args.config, args.scenario)
    with _library(args.data_dir) as store:
        run = _Headless(config)
        rid = run.run_id
        store.create_recording(rid, config.model_dump(), name=args.name,
                               source=workload_source(config.model_dump()))
        store.keep(rid)  # now, so that even a recording cut short is never pruned
        sys.stderr.write(f"recording run {rid} as {args.name!r} in {store.path.parent} "
                         "(Ctrl-C stops it, keeping what was recorded)\n")
        reason = run.run(lambda batch, events: store.append(rid, events))
        store.finish(rid, reason)
        store.flush()
        rec = store.get(rid)
        problem = store.last_error
    sys.stderr.write(f"run {rid} {reason}: {run.progress.summary()}\n")
    if problem:
        sys.stderr.write(f"schedviz record: the library could not store everything: {problem}\n")
    sys.stderr.write(
        f"recorded {rid} {rec.name!r} (kept): {rec.events} events, {_size(rec.bytes)}\n"
        f"export it: schedviz export {rid} --format perfetto -o {rid}.json.gz --gzip"
        f"{_dir_option(args.data_dir)}\n"
    )
    print(rid)
    return 0 if reason in ("completed", "stopped") and not problem else 1


def cmd_recordings(args: argparse.Namespace) -> int:
    with _library(args.data_dir) as store:
        recs = store.list_recordings()
        folder = store.path.parent
    if args.json:
        listed = [{**rec.as_json(), "scenario": _preset_of(rec.config)} for rec in recs]
        json.dump(listed, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    if not recs:
        sys.stderr.write(f"no recordings in {folder} yet: `schedviz record --scenario ID "
                         "--name NAME` records one\n")
        return 0
    head = ("id", "name", "kept", "date", "what ran", "duration", "ended", "events", "size")
    rows = [head, *(_row(rec) for rec in recs)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    numeric = {"duration", "events", "size"}
    for row in rows:
        cells = [cell.rjust(w) if name in numeric else cell.ljust(w)
                 for cell, w, name in zip(row, widths, head, strict=True)]
        print("  ".join(cells).rstrip())
    sys.stderr.write(f"{len(recs)} recording{'s' * (len(recs) != 1)} in {folder}\n")
    return 0


def _row(rec: Recording) -> tuple[str, ...]:
    name = rec.name if len(rec.name) <= 40 else rec.name[:39] + "…"
    date = time.strftime("%Y-%m-%d %H:%M", time.localtime(rec.created_ns / 1e9))
    span = None if rec.first_t is None or rec.last_t is None else rec.last_t - rec.first_t
    return (rec.id, name, "kept" if rec.kept else "", date,
            _preset_of(rec.config) or default_name(rec.config),
            "" if span is None else _duration(span),
            "live" if rec.live else rec.ended_reason or "", str(rec.events), _size(rec.bytes))


def _preset_of(config: dict[str, Any]) -> str | None:
    """The preset whose config this is, unchanged; None for any other config."""
    for preset in scenarios.all_scenarios():
        if json.loads(preset.config.model_dump_json()) == config:
            return preset.id
    return None


def _duration(ns: int) -> str:
    if ns < 1_000_000_000:
        return f"{ns / 1e6:.0f} ms"
    if ns < 60_000_000_000:
        return f"{ns / 1e9:.1f} s"
    minutes, seconds = divmod(round(ns / 1e9), 60)
    return f"{minutes} min {seconds:02d} s"


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n / 2**20:.1f} MiB"


def cmd_export(args: argparse.Namespace) -> int:
    fmt = args.format
    if (args.id is None) == (args.session is None):
        raise UsageError("give the recording's ID or --session N (not both)")
    if args.session is not None and fmt != "html":
        raise UsageError("a --session exports only as --format html (its runs on one page); "
                         "export its recordings one by one for the other formats")
    if args.gzip and fmt not in GZIP_FORMATS:
        raise UsageError("--gzip applies to --format perfetto or jsonl; a recording file and "
                         "an html page are compressed already")
    out = Path(args.output)
    if out.is_dir():
        raise Refused(f"{out} is a folder: give -o the path of the file to write")
    if not out.parent.is_dir():
        raise Refused(f"cannot write {out}: the folder {out.parent} does not exist")
    frontend = _frontend() if fmt == "html" else None
    with _library(args.data_dir) as store:
        if args.session is None:
            recs = [store.get(args.id)]
            what = f"{recs[0].id} {recs[0].name!r}"
        else:
            recs, title = _session_runs(store, args.session, args.data_dir)
            what = f"session {args.session} ({len(recs)} recording{'s' * (len(recs) != 1)})"
        # Written beside the target and moved over it at the end: never a half-written file.
        part = out.with_name(f".{out.name}.{os.getpid()}.part")
        try:
            with part.open("wb") as f:
                if args.session is None:
                    write_export(store, recs[0].id, fmt, f, gzip=args.gzip, frontend=frontend)
                else:
                    assert frontend is not None  # a session is html only
                    write_offline_html(store, [r.id for r in recs], f, frontend, title)
            os.replace(part, out)
        except OSError as exc:
            raise Refused(f"cannot write {out}: {exc.strerror}") from None
        except FrontendError as exc:
            raise Refused(f"the offline page cannot be made from this install: {exc}") from None
        finally:
            part.unlink(missing_ok=True)
    after = {"perfetto": "open it in https://ui.perfetto.dev",
             "jsonl": "one event a line, as `schedviz run --events-out` writes them",
             "recording": "`schedviz import` or the web app's import bring it back",
             "html": "open it in a browser, no server needed"}[fmt]
    events = sum(r.events for r in recs)
    sys.stderr.write(f"exported {what} ({events} events) as {fmt} to {out} "
                     f"({_size(out.stat().st_size)}): {after}\n")
    return 0


def _session_runs(store: RecordingStore, session: int, data_dir: str | None
                  ) -> tuple[list[Recording], str]:
    """A session's recordings in order and its name; Refused with what to do."""
    listing = f"`schedviz recordings --json{_dir_option(data_dir)}` shows each one's session"
    try:
        name = store.sessions.get(session).name
        recs = store.sessions.runs(session)
    except UnknownSession:
        raise Refused(f"no session has the id {session}; {listing}") from None
    if not recs:
        raise Refused(f"session {session} has no recordings; {listing}")
    return recs, name or f"session {session}"


def _frontend() -> Path:
    """The frontend folder an html export inlines (the one `schedviz serve` serves)."""
    from schedviz.web.app import frontend_dir

    try:
        return frontend_dir()
    except RuntimeError as exc:
        raise Refused(str(exc)) from None


def cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        what = "no such file" if not path.exists() else "not a file"
        raise Refused(f"cannot read {path}: {what}")
    with _library(args.data_dir) as store:
        try:
            rec = archive.import_any(store, path)
        except RefusedFile as exc:
            raise Refused(f"{path} was not imported, the library is unchanged: {exc}") from None
        except OSError as exc:
            raise Refused(f"cannot read {path}: {exc.strerror}") from None
        if args.name is not None:
            rec = store.rename(rec.id, args.name)
    sys.stderr.write(f"imported {path} as {rec.id} {rec.name!r}: {rec.events} events\n")
    print(rec.id)
    return 0


# -- tracing a program ------------------------------------------------------------------------


def cmd_trace(args: argparse.Namespace) -> int:
    from schedviz.trace.command import TraceOptions, trace_program
    from schedviz.trace.program import Program

    rest = list(args.program)
    if args.module is None:
        if not rest:
            raise UsageError("give the script to run (schedviz trace script.py [args…]) or "
                             "-m module [args…]")
        target, rest = rest[0], rest[1:]
    else:
        target = args.module
    program = Program(target, tuple(rest), module=args.module is not None)
    return trace_program(TraceOptions(program, name=args.name, events_out=args.events_out,
                                      data_dir=args.data_dir, open_browser=args.open,
                                      live=args.live))


# -- the web app -------------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from schedviz.web.app import create_app

    url = f"http://{args.host}:{args.port}/"
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        sys.stderr.write(
            f"schedviz: serving on {args.host}, not only this machine: anyone who can reach "
            "it can start runs. Set SCHEDVIZ_ALLOWED_HOSTS to the names browsers will use.\n"
        )
    if args.open:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    keep_last = DEFAULT_KEEP_LAST if args.keep_last is None else args.keep_last
    # The live file (web/tracepush.py) tells `schedviz trace --live` where to push a trace.
    app = create_app(data_dir=args.data_dir, keep_last=keep_last, live_host=args.host,
                     live_port=args.port)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
    return 0


# -- the parser --------------------------------------------------------------------------------


def _run_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--config", type=_path, metavar="FILE",
                     help="JSON file of RunConfig fields (see /api/schema); with --scenario, "
                          "they override the preset's")
    presets = ", ".join(s.id for s in scenarios.all_scenarios())
    cmd.add_argument("--scenario", type=_scenario_id, metavar="ID", help=f"a preset id: {presets}")


def _data_dir_option(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--data-dir", type=_path, metavar="DIR",
                     help=f"the library's folder (default: ${datadir.ENV_VAR}, else "
                          "$XDG_DATA_HOME/schedviz, else ~/.local/share/schedviz)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="schedviz", description="Live timelines of Python thread pools, processes and asyncio."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve the web app")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument("--open", action="store_true", help="open the page in a browser")
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    _data_dir_option(serve)
    serve.add_argument("--keep-last", type=_keep_last, metavar="N",
                       help="how many of the newest recordings nobody kept to keep; older "
                            f"ones are deleted ({KEEP_LAST_RANGE[0]}–{KEEP_LAST_RANGE[1]}, "
                            "default 20)")
    serve.set_defaults(func=cmd_serve)

    run = sub.add_parser("run", help="run a scenario headless and write its events as JSON Lines")
    _run_options(run)
    run.add_argument("--events-out", type=_path, required=True, metavar="FILE",
                     help="where to write the events (.jsonl)")
    run.set_defaults(func=cmd_run)

    from schedviz.compare import MAX_WORKERS, N_TASKS, TASK_MS, WORKLOADS
    comp = sub.add_parser("compare", help="run one workload on each executor (sequential, "
                                          "threads, processes, asyncio) and compare wall "
                                          "time, CPU time and speedup")
    comp.add_argument("--workload", choices=WORKLOADS, default="cpu",
                      help="what each task does (default cpu)")
    comp.add_argument("--n-tasks", type=int, default=8,
                      help=f"tasks ({N_TASKS[0]}–{N_TASKS[1]}, default 8)")
    comp.add_argument("--task-ms", type=float, default=100.0,
                      help=f"each task's length in ms ({TASK_MS[0]:g}–{TASK_MS[1]:g}, "
                           "default 100)")
    comp.add_argument("--max-workers", type=int, default=2,
                      help=f"the pools' size ({MAX_WORKERS[0]}–{MAX_WORKERS[1]}, default 2)")
    comp.add_argument("--start-method", choices=("spawn", "fork", "forkserver"),
                      default="spawn", help="how the process pool starts its workers")
    comp.add_argument("--events-out", type=_path, metavar="DIR",
                      help="also write each run's events as DIR/<executor>.jsonl")
    comp.add_argument("--json", action="store_true", help="the plan and summary as JSON")
    comp.set_defaults(func=cmd_compare)

    record = sub.add_parser("record", help="run a scenario headless into the library, kept "
                                           "under a name")
    _run_options(record)
    record.add_argument("--name", type=_name, required=True,
                        help="the recording's name (at most 200 characters)")
    _data_dir_option(record)
    record.set_defaults(func=cmd_record)

    listing = sub.add_parser("recordings", help="list the library's recordings")
    _data_dir_option(listing)
    listing.add_argument("--json", action="store_true", help="as JSON, one object a recording")
    listing.set_defaults(func=cmd_recordings)

    export = sub.add_parser("export", help="write a recording (or a session's) to a file")
    export.add_argument("id", nargs="?", help="the recording's id (`schedviz recordings` lists "
                                              "them)")
    export.add_argument("--session", type=int, metavar="N",
                        help="instead of one recording, every recording of session N in order "
                             "(html only; `schedviz recordings --json` shows each one's session)")
    export.add_argument("--format", required=True, choices=EXPORT_FORMATS,
                        help="perfetto: a trace for ui.perfetto.dev; jsonl: its events as JSON "
                             "Lines; recording: the one file `schedviz import` takes back; "
                             "html: one page that replays it in a browser, offline")
    export.add_argument("-o", "--output", type=_path, required=True, metavar="FILE",
                        help="the file to write (replaced if it exists)")
    export.add_argument("--gzip", action="store_true", help="gzip it (perfetto and jsonl)")
    _data_dir_option(export)
    export.set_defaults(func=cmd_export)

    imp = sub.add_parser("import", help="add a recording file or JSON Lines of events to the "
                                        "library")
    imp.add_argument("file", type=_path, help="a .schedviz recording file or a .jsonl of events")
    imp.add_argument("--name", type=_name, help="name it (default: the name it was saved with)")
    _data_dir_option(imp)
    imp.set_defaults(func=cmd_import)

    trace = sub.add_parser(
        "trace", help="run your own program (a script or -m module) and record its pools, "
                      "threads and event loops",
        usage="schedviz trace [options] (script.py | -m module) [args …]")
    trace.add_argument("-m", dest="module", metavar="MODULE",
                       help="run a module as `python -m MODULE` does")
    trace.add_argument("--name", type=_name,
                       help="the recording's name (default: the script's file name)")
    trace.add_argument("--events-out", type=_path, metavar="FILE",
                       help="write the events as JSON Lines to FILE instead of the library")
    trace.add_argument("--open", action="store_true",
                       help="open the recording in the browser when the program ends (with "
                            "a running server), else say how to see it")
    trace.add_argument("--live", action="store_true",
                       help="stream it to the running local server (`make run`) as it runs: "
                            "the page shows it live, and the server records it")
    _data_dir_option(trace)
    trace.add_argument("program", nargs=argparse.REMAINDER,
                       help="the script and its arguments (after -m: the module's arguments)")
    trace.set_defaults(func=cmd_trace)

    for cmd in (serve, run, comp, record, listing, export, imp, trace):
        cmd.set_defaults(parser=cmd)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except UsageError as exc:
        args.parser.error(str(exc))  # exits 2
    except UnknownRecording as exc:
        sys.stderr.write(f"schedviz {args.command}: {exc}; `schedviz recordings"
                         f"{_dir_option(getattr(args, 'data_dir', None))}` lists them\n")
        return 1
    except (Refused, StorageError, datadir.DataDirError) as exc:
        sys.stderr.write(f"schedviz {args.command}: {exc}\n")
        return 1
    return code
