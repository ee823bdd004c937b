"""The `schedviz` command: `serve` the web app, or `run` a scenario headless into JSON Lines."""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
import webbrowser
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from schedviz import scenarios
from schedviz.protocol import CompactEvent, RunConfig, expand
from schedviz.storage.jsonl import event_line
from schedviz.validation import describe


def _load_config(path: str | None, scenario: str | None) -> RunConfig:
    """The run config from a JSON file, a preset, or a preset overridden by a file."""
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


class _JsonlSink:
    """Writes each event as one JSON line and keeps the counts for a progress line."""

    def __init__(self, out: TextIO, progress: TextIO | None) -> None:
        self.out = out
        self.progress = progress
        self.events = 0
        self.submitted = 0
        self.finished = 0
        self.failed = 0
        self.cancelled = 0
        self.aio_tasks = 0
        self.aio_steps = 0
        self.aio_blocked = 0
        self._last_progress = 0.0

    def __call__(self, batch: list[CompactEvent]) -> None:
        for compact in batch:
            ev = expand(compact)
            self.out.write(event_line(ev))
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
        self.events += len(batch)
        now = time.monotonic()
        if self.progress is not None and now - self._last_progress > 0.5:
            self._last_progress = now
            self.progress.write(f"\r{self.summary()}   ")
            self.progress.flush()

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


def cmd_run(args: argparse.Namespace) -> int:
    from schedviz.lab.driver import Driver

    if not args.config and not args.scenario:
        raise SystemExit("schedviz run: give --config FILE.json and/or --scenario ID")
    config = _load_config(args.config, args.scenario)
    out_path = Path(args.events_out)
    progress = sys.stderr if sys.stderr.isatty() else None
    with out_path.open("w") as out:
        sink = _JsonlSink(out, progress)
        driver = Driver(config, sink)
        # The run goes on in a thread so Ctrl-C here can stop it cleanly (run_ended: stopped).
        # Its end is waited for on an Event, not by join(): on Python 3.11 a join that Ctrl-C
        # interrupts marks the thread as ended while it still runs, and a later join() returns
        # at once, so the file was closed under the run still writing to it.
        result: list[str] = []
        ended = threading.Event()

        def run() -> None:
            try:
                result.append(driver.run())
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
                driver.stop()
        worker.join()
    if progress is not None:
        progress.write("\r")
    reason = result[0] if result else "error"
    sys.stderr.write(f"run {driver.run_id} {reason}: {sink.summary()} -> {out_path}\n")
    return 0 if reason in ("completed", "stopped") else 1


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
    uvicorn.run(create_app(), host=args.host, port=args.port, log_level=args.log_level)
    return 0


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
    serve.set_defaults(func=cmd_serve)
    run = sub.add_parser("run", help="run a scenario headless and write its events as JSON Lines")
    run.add_argument("--config", help="JSON file of RunConfig fields (see /api/schema)")
    run.add_argument("--scenario", help="a preset id: " + ", ".join(
        s.id for s in scenarios.all_scenarios()))
    run.add_argument("--events-out", required=True, help="where to write the events (.jsonl)")
    run.set_defaults(func=cmd_run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.func(args)
    return code
