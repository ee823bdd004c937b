"""A trace pushed by `schedviz trace --live`: a user's own program, traced in its own process,
streams its wire events to the running server, which shows and records them like a lab run.

Who may push: the same user on this machine, never the network and never a browser page.
- When the server starts it writes `live.json` into its data directory (0700): its port and a
  fresh random token, in a file created 0600 (O_EXCL, then renamed into place, so it is never
  readable by others, not even half-written), removed when the server stops.
- `/ws/trace` takes a push only with `Authorization: Bearer <token>` (compared in constant
  time), only from a loopback address, and never with an Origin header (every browser sends
  one; the trace client is not a browser). The Host header is checked as for every request.

The push, one JSON text message at a time (at most MAX_MESSAGE_BYTES each):
- `{"type": "open", "run_id", "name", "config": {"program", "argv"}}` (the trace's meta, see
  trace/sinks.py) starts a run (refused while another run is going) and its recording, kept
  under `name` with `config` as what ran (as a trace into the library is); the server answers
  `{"type": "opened", "run_id"}`.
- `{"type": "events", "events": [...]}`: 1 to MAX_BATCH_EVENTS wire events (kinds and fields as
  protocol.py defines them), seq gap-free from 0, the first a run_started of this run_id,
  run_ended the last.
- `{"type": "close", "reason": "completed" | "stopped" | "error", "message": str | null,
  "source": {"files": {path: text}} | null}` ends it (the server adds the run_ended if the
  events had none; the source, storage/sources.py's shape, is kept with the recording) and is
  answered `{"type": "closed", "run_id", "events"}` before the server closes the socket (1000).

Guarantees:
- Every refusal is an `{"type": "error", "message"}` naming what is allowed, then a close with
  a code (1008 policy, 1007 bad data, 1009 too big, 1013 busy, 1011 no library) and the message
  as its reason (cut to the 123 bytes a close frame holds).
- A refused push leaves nothing in the library; a push refused or cut off after `open` keeps
  what it sent: it ends `error` on screen, and its recording `error` (refused) or `interrupted`
  (the program went away without `close`).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import ipaddress
import json
import logging
import os
import secrets
import time
from pathlib import Path, PurePath
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from starlette.websockets import WebSocket, WebSocketState

from schedviz.protocol import Event
from schedviz.storage.codec import CodecError, wire_event
from schedviz.storage.errors import StorageError, UnknownRecording
from schedviz.storage.recordings import RecordingStore
from schedviz.storage.records import MAX_NAME_CHARS, MAX_SOURCE_CHARS, check_source
from schedviz.web.runs import CurrentRun, RunConflict, RunManager

log = logging.getLogger("schedviz.tracepush")

LIVE_FILE_NAME = "live.json"
LIVE_FILE_VERSION = 1
TRACE_PATH = "/ws/trace"
MAX_MESSAGE_BYTES = 8 * 1024 * 1024
MAX_BATCH_EVENTS = 4096
MAX_ARGS = 256
MAX_ARG_CHARS = 4096
MAX_SOURCE_FILES = 64
MAX_CLOSE_REASON_BYTES = 123  # what a websocket close frame holds

# Close codes (RFC 6455 and the IANA registry).
NORMAL = 1000
BAD_DATA = 1007
POLICY = 1008
TOO_BIG = 1009
SERVER_ERROR = 1011
TRY_LATER = 1013


# -- the live file -----------------------------------------------------------------------------


def connect_host(bound: str) -> str:
    """The loopback address a client on this machine reaches a server bound to `bound` at."""
    if bound in ("::", "::1", "[::1]"):
        return "::1"
    if bound in ("", "0.0.0.0", "localhost"):
        return "127.0.0.1"
    return bound


def write_live_file(directory: Path, *, host: str, port: int, token: str) -> Path:
    """Write `live.json` into `directory`: created 0600 under a name of its own (O_EXCL, so no
    one else's file or link is written through), then renamed over any stale one."""
    path = directory / LIVE_FILE_NAME
    tmp = directory / f".{LIVE_FILE_NAME}.{os.getpid()}.tmp"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    host = connect_host(host)
    shown = f"[{host}]" if ":" in host else host
    body = json.dumps({
        "version": LIVE_FILE_VERSION, "pid": os.getpid(), "host": host, "port": port,
        "url": f"ws://{shown}:{port}{TRACE_PATH}", "token": token,
    }).encode()
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(tmp, flags, 0o600)
    try:
        view = memoryview(body)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    return path


def remove_live_file(path: Path, token: str) -> None:
    """Remove the live file if it is still this server's (it holds `token`)."""
    try:
        held = json.loads(path.read_text(encoding="utf-8")).get("token")
    except (OSError, ValueError, AttributeError):
        return
    if isinstance(held, str) and hmac.compare_digest(held.encode(), token.encode()):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


# -- the messages ------------------------------------------------------------------------------

_STRICT = ConfigDict(extra="forbid", strict=True)
Arg = Annotated[str, Field(max_length=MAX_ARG_CHARS)]
FilePath = Annotated[str, Field(min_length=1, max_length=MAX_ARG_CHARS)]


class TraceConfig(BaseModel):
    """What ran: the traced program as the user named it, and its argv."""

    model_config = _STRICT
    program: str = Field(min_length=1, max_length=MAX_ARG_CHARS)
    argv: list[Arg] = Field(default_factory=list, max_length=MAX_ARGS)


class TraceSource(BaseModel):
    """The traced code, as storage/sources.py keeps it: {"files": {path: text}}."""

    model_config = _STRICT
    files: dict[FilePath, str] = Field(max_length=MAX_SOURCE_FILES)


class OpenPush(BaseModel):
    model_config = _STRICT
    type: Literal["open"]
    run_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    name: str = Field(min_length=1, max_length=MAX_NAME_CHARS)
    config: TraceConfig


class EventsPush(BaseModel):
    model_config = _STRICT
    type: Literal["events"]
    events: list[dict[str, Any] | list[Any]] = Field(min_length=1, max_length=MAX_BATCH_EVENTS)


class ClosePush(BaseModel):
    model_config = _STRICT
    type: Literal["close"]
    reason: Literal["completed", "stopped", "error"]
    message: str | None = Field(None, max_length=2000)
    source: TraceSource | None = None


PushMessage = Annotated[OpenPush | EventsPush | ClosePush, Field(discriminator="type")]
PUSH_ADAPTER: TypeAdapter[PushMessage] = TypeAdapter(PushMessage)
EVENTS_ADAPTER: TypeAdapter[list[Event]] = TypeAdapter(list[Event])

#: field path -> (lowest, highest, unit), for messages that name the allowed range
_BOUNDS: dict[str, tuple[int, int, str]] = {
    "run_id": (1, 64, "characters"),
    "name": (1, MAX_NAME_CHARS, "characters"),
    "config.program": (1, MAX_ARG_CHARS, "characters"),
    "config.argv": (0, MAX_ARGS, "arguments"),
    "config.argv.": (0, MAX_ARG_CHARS, "characters"),
    "source.files": (0, MAX_SOURCE_FILES, "files"),
    "events": (1, MAX_BATCH_EVENTS, "events"),
    "message": (0, 2000, "characters"),
}
_TAGS = ("open", "events", "close")


class Refused(Exception):
    """A push refused: the close code and the message saying why and what is allowed."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def describe_push_error(exc: ValidationError) -> str:
    """A push message's validation errors in words, with the allowed range or values."""
    out = []
    for err in exc.errors(include_url=False):
        loc = [str(p) for p in err["loc"]]
        if loc and loc[0] in _TAGS:
            loc = loc[1:]
        path = ".".join(loc)
        kind = err["type"]
        ctx = err.get("ctx") or {}
        bounds = _BOUNDS.get(".".join("" if p.isdigit() else p for p in loc))
        if kind in ("union_tag_not_found", "union_tag_invalid"):
            got = err["input"].get("type") if isinstance(err["input"], dict) else None
            out.append(f"type must be one of 'open', 'events', 'close'; got {got!r}")
        elif kind == "model_type" and not loc:
            out.append("a push message is a JSON object with a type: 'open', 'events' or 'close'")
        elif bounds and kind in ("too_long", "too_short", "string_too_long", "string_too_short",
                                 "less_than_equal", "greater_than_equal"):
            lo, hi, unit = bounds
            got = ctx.get("actual_length")
            if got is None:
                got = len(err["input"]) if hasattr(err["input"], "__len__") else err["input"]
            out.append(f"{path} must have {lo} to {hi} {unit}; got {got}" if unit
                       else f"{path} must be between {lo} and {hi}; got {got!r}")
        elif kind == "string_pattern_mismatch" and path == "run_id":
            out.append("run_id is 1 to 64 of the characters A-Z a-z 0-9 _ . -")
        elif kind == "extra_forbidden":
            out.append(f"unknown field {path!r}")
        elif kind == "missing":
            out.append(f"{path} is required")
        else:
            out.append(f"{path}: {err['msg']}" if path else str(err["msg"]))
    return "; ".join(out)


def _describe_event_error(exc: ValidationError, events: list[dict[str, Any]]) -> str:
    err = exc.errors(include_url=False)[0]
    loc = [str(p) for p in err["loc"]]
    event = events[int(loc[0])] if loc and loc[0].isdigit() else {}
    field = ".".join(loc[2:]) or "kind"
    return (f"event seq {event.get('seq')!r} ({event.get('kind')}): {field}: {err['msg']}"
            + (f" (and {len(exc.errors()) - 1} more)" if len(exc.errors()) > 1 else ""))


# -- a pushed run --------------------------------------------------------------------------------


class PushedRun(CurrentRun):
    """A traced program's run: its events come from the push, not from a lab."""

    def __init__(self, run_id: str, name: str, config: TraceConfig) -> None:
        super().__init__(run_id)
        self.name = name
        self.config = config.model_dump()
        self.started = False  # its run_started arrived
        self.ended = False  # its run_ended arrived
        self.last_t = 0

    @property
    def program(self) -> str:
        return PurePath(self.config["program"]).name or self.config["program"]

    def status_wire(self) -> dict[str, Any]:
        # The config is the trace's own (no run-form field: the page's form is left as it is).
        return {
            "run_id": self.run_id, "state": self.state, "config": self.config,
            "events": self.events, "ended_reason": self.ended_reason, "lab_pid": None,
        }

    def busy(self) -> str:
        return (f"a trace of {self.program} is being pushed (run {self.run_id}); it ends "
                "when that program ends")


# -- the endpoint --------------------------------------------------------------------------------


class TracePush:
    """The /ws/trace endpoint of one server: its token, its live file."""

    def __init__(self, manager: RunManager) -> None:
        self.manager = manager
        self.token = secrets.token_urlsafe(32)
        self.live_path: Path | None = None

    def publish_live_file(self, directory: Path, host: str, port: int) -> Path:
        self.live_path = write_live_file(directory, host=host, port=port, token=self.token)
        return self.live_path

    def withdraw_live_file(self) -> None:
        if self.live_path is not None:
            remove_live_file(self.live_path, self.token)
            self.live_path = None

    def check_client(self, ws: WebSocket) -> None:
        """Refuse a browser, the network, or a client without this server's token."""
        if "origin" in ws.headers:
            raise Refused(POLICY, "a trace is not pushed from a web page (the request has an "
                                  "Origin header); push with `schedviz trace --live`")
        client = ws.client.host if ws.client else ""
        if not _is_loopback(client):
            raise Refused(POLICY, f"a trace is taken only from this machine (loopback); "
                                  f"{client or 'an unknown address'} is not")
        scheme, _, given = ws.headers.get("authorization", "").partition(" ")
        where = self.live_path or LIVE_FILE_NAME
        if scheme.lower() != "bearer" or not given:
            raise Refused(POLICY, f"a trace push needs the token of {where} "
                                  "(Authorization: Bearer <token>)")
        if not hmac.compare_digest(given.strip().encode(), self.token.encode()):
            raise Refused(POLICY, f"wrong token: it is not the one in {where} (was the server "
                                  "restarted? each start writes a new one)")

    async def endpoint(self, ws: WebSocket) -> None:
        # Accept first, refuse after: a close before accepting reaches the client as a bare
        # HTTP 403, without the reason.
        await ws.accept()
        run: PushedRun | None = None
        try:
            self.check_client(ws)
            while True:
                message = await ws.receive()
                if message["type"] == "websocket.disconnect":
                    return
                data = _parse(message)
                if isinstance(data, OpenPush):
                    if run is not None:
                        raise Refused(POLICY, "this push is open already: send events or close")
                    run = await self._open(data)
                    await ws.send_json({"type": "opened", "run_id": run.run_id})
                elif run is None:
                    raise Refused(POLICY, "a push starts with an open message (its meta)")
                elif isinstance(data, EventsPush):
                    self._events(run, data.events)
                else:
                    await self._close(run, data)
                    await ws.send_json({"type": "closed", "run_id": run.run_id,
                                        "events": run.events})
                    await ws.close(NORMAL)
                    return
        except Refused as refusal:
            if run is not None and run.state == "running":
                self._end(run, f"the trace was refused: {refusal.message}", "error")
            await _refuse(ws, refusal)
        finally:
            if run is not None and run.state == "running":
                self._end(run, f"the traced program {run.program} went away before it "
                               "closed its trace; what it sent is kept", "interrupted")

    async def _open(self, message: OpenPush) -> PushedRun:
        manager = self.manager
        store = manager.store
        if store is None:
            raise Refused(SERVER_ERROR, "the recordings library is not open yet; try again")
        if manager.current is not None and manager.current.state == "running":
            raise Refused(TRY_LATER, f"{manager.current.busy()}; push the trace after it ends")
        try:
            await asyncio.to_thread(store.get, message.run_id)
        except UnknownRecording:
            pass
        else:
            raise Refused(POLICY, f"the library has a recording {message.run_id!r} already: a "
                                  "trace pushes a new run id")
        run = PushedRun(message.run_id, message.name, message.config)
        try:
            manager.begin(run, run.config, name=message.name)
        except RunConflict as exc:
            raise Refused(TRY_LATER, f"{exc}; push the trace after it ends") from None
        except StorageError as exc:
            raise Refused(SERVER_ERROR, f"the library cannot record this trace: {exc}") from None
        manager.announce(run)
        # Kept, as a trace into the library is: a program traced on purpose is never pruned.
        with contextlib.suppress(StorageError):
            await asyncio.to_thread(store.keep, run.run_id)
        return run

    def _events(self, run: PushedRun, batch: list[dict[str, Any] | list[Any]]) -> None:
        events = _checked(run, batch)
        run.started = True
        run.last_t = max(run.last_t, max(e["t"] for e in events))
        self.manager.publish(run, events)
        if events[-1]["kind"] == "run_ended":
            run.ended = True
            self.manager.mark_ended(run, events[-1]["reason"])

    async def _close(self, run: PushedRun, message: ClosePush) -> None:
        source = json.dumps(message.source.model_dump()) if message.source else None
        if source is not None and len(source) > MAX_SOURCE_CHARS:
            raise Refused(TOO_BIG, f"source: at most {MAX_SOURCE_CHARS} characters (as JSON); "
                                   f"got {len(source)}")
        if not run.ended:
            self.manager.publish(run, [{
                "seq": run.events, "t": run.last_t, "kind": "run_ended",
                "reason": message.reason, "message": message.message,
            }])
            run.ended = True
            self.manager.mark_ended(run, message.reason)
        if source is not None and self.manager.store is not None:
            await asyncio.to_thread(_set_source, self.manager.store, run.run_id, source)

    def _end(self, run: PushedRun, why: str, recorded_as: str) -> None:
        """End a push that did not close: an error and run_ended(error) on its timeline."""
        if run.t0_wall_ns is not None:
            run.last_t = max(run.last_t, time.time_ns() - run.t0_wall_ns)
        log.warning("trace %s: %s", run.run_id, why)
        try:
            if not run.ended:
                seq = run.events
                self.manager.publish(run, [
                    {"seq": seq, "t": run.last_t, "kind": "error", "message": why},
                    {"seq": seq + 1, "t": run.last_t, "kind": "run_ended", "reason": "error",
                     "message": why},
                ])
            self.manager.mark_ended(run, "error", recorded_as=recorded_as)
        except Exception:  # shutting down: the store marks it interrupted when it closes
            log.exception("trace %s: could not end its recording", run.run_id)


def _set_source(store: RecordingStore, run_id: str, source: str) -> None:
    """Keep the trace's source with its recording (known only at its end, when its events
    have named the files it ran), through the store's writer, after the recording's insert."""
    text = check_source(source)
    store.submit(lambda conn, cycle: conn.execute(
        "UPDATE recordings SET source = ? WHERE id = ?", (text, run_id)))


def _is_loopback(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def _parse(message: Any) -> OpenPush | EventsPush | ClosePush:
    text = message.get("text")
    if text is None:
        raise Refused(BAD_DATA, "a push message is JSON text, not binary")
    if len(text) > MAX_MESSAGE_BYTES:
        raise Refused(TOO_BIG, f"message too large: at most {MAX_MESSAGE_BYTES} bytes; "
                               f"got {len(text)}")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Refused(BAD_DATA, f"not JSON: {exc}") from None
    try:
        return PUSH_ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise Refused(BAD_DATA, describe_push_error(exc)) from None


def _checked(run: PushedRun, batch: list[dict[str, Any] | list[Any]]) -> list[dict[str, Any]]:
    """The batch as wire dicts, refused unless every event is one protocol.py defines and the
    run goes on gap-free: run_started first, run_ended last."""
    if run.ended:
        raise Refused(POLICY, "the trace's run_ended came already: only close may follow")
    try:
        events = [wire_event(e) for e in batch]
    except CodecError as exc:
        raise Refused(BAD_DATA, str(exc)) from None
    for i, event in enumerate(events):
        seq = event.get("seq")
        if type(seq) is not int or seq != run.events + i:
            raise Refused(BAD_DATA, f"events go on at seq {run.events + i} (gap-free from 0); "
                                    f"got seq {seq!r}")
    try:
        EVENTS_ADAPTER.validate_python(events, strict=True)
    except ValidationError as exc:
        raise Refused(BAD_DATA, _describe_event_error(exc, events)) from None
    kinds = [e["kind"] for e in events]
    if not run.started and kinds[0] != "run_started":
        raise Refused(BAD_DATA, f"a trace's first event is run_started; got {kinds[0]}")
    if not run.started and events[0]["run_id"] != run.run_id:
        raise Refused(BAD_DATA, f"run_started names run {events[0]['run_id']!r}; this push "
                                f"opened {run.run_id!r}")
    if "run_started" in kinds[1 if not run.started else 0:]:
        raise Refused(BAD_DATA, "a trace has one run_started, its first event")
    if "run_ended" in kinds[:-1]:
        raise Refused(BAD_DATA, "run_ended is a trace's last event; events followed it")
    return events


async def _refuse(ws: WebSocket, refusal: Refused) -> None:
    """Say why, then close with the code and the reason (as much as a close frame holds)."""
    if ws.client_state != WebSocketState.CONNECTED:
        return
    reason = refusal.message.encode()[:MAX_CLOSE_REASON_BYTES].decode(errors="ignore")
    with contextlib.suppress(Exception):
        await ws.send_json({"type": "error", "message": refusal.message})
        await ws.close(refusal.code, reason)
