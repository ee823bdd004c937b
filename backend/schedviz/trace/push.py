"""`schedviz trace --live`: the trace pushed to the running server, which shows it live and
records it (web/tracepush.py holds the server's side and the messages).

The server of a library writes `live.json` into its data directory (0600) while it serves: its
address and a token. `LiveSink` finds it there (the data directory as storage/datadir.py
chooses it: --data-dir, $SCHEDVIZ_DATA_DIR, …) and connects with the token.

Guarantees:
- Light in the traced program's process: the standard library and `websockets` (a dependency
  of uvicorn[standard]), imported when the sink opens; no FastAPI, no pydantic.
- `open` raises `SinkRefused` before the program runs when there is no server (no live file,
  or one a server that is gone left behind), when the live file is not private, or when the
  server refuses the push (a run is going, …), with the server's reason.
- `events` sends without waiting for an answer (the socket's buffers pace the program only
  when the server falls behind); a push the server ended raises `SinkRefused` with its reason.
- `close` waits until the server says it recorded everything.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from schedviz.storage import datadir
from schedviz.trace.sinks import SinkRefused

if TYPE_CHECKING:
    from websockets.sync.client import ClientConnection

    from schedviz.trace.sinks import TraceMeta

LIVE_FILE_NAME = "live.json"  # web.tracepush.LIVE_FILE_NAME (not imported: keep it light)
MAX_BATCH_EVENTS = 4096  # web.tracepush.MAX_BATCH_EVENTS: a longer batch goes in parts
OPEN_TIMEOUT_S = 10.0
CLOSE_TIMEOUT_S = 30.0


class NoServer(SinkRefused):
    """No schedviz server runs for the library: nothing to push to."""


def no_server(folder: Path, explicit: bool) -> NoServer:
    serve = f"schedviz serve --data-dir {folder}" if explicit else "schedviz serve"
    return NoServer(f"no schedviz server is running for the library in {folder}: start one "
                    f"with `make run` or `{serve}`")


def read_live_file(data_dir: str | Path | None = None,
                   env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The live file of the library's server: {url, token, pid, …}; NoServer if there is none,
    SinkRefused if it is not this user's private file."""
    folder = datadir.choose(data_dir, env)
    explicit = data_dir is not None and bool(str(data_dir))
    path = folder / LIVE_FILE_NAME
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        raise no_server(folder, explicit) from None
    except OSError as exc:
        raise SinkRefused(f"cannot read {path}: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if info.st_uid != os.getuid() or stat.S_IMODE(info.st_mode) & 0o077:
            raise SinkRefused(
                f"{path} is not private to you (owner uid {info.st_uid}, mode "
                f"{stat.S_IMODE(info.st_mode):o}): not using its token. Restart the server, "
                "which writes it 0600"
            )
        with os.fdopen(os.dup(fd), encoding="utf-8") as f:
            data = json.load(f)
    except ValueError:
        raise SinkRefused(f"{path} is not a schedviz live file: restart the server") from None
    finally:
        os.close(fd)
    if not isinstance(data, dict) or not all(
            isinstance(data.get(k), str) for k in ("url", "token")):
        raise SinkRefused(f"{path} is not a schedviz live file: restart the server")
    pid = data.get("pid")
    if isinstance(pid, int) and not _alive(pid):
        raise no_server(folder, explicit)  # a server killed without its shutdown left it
    data["path"] = str(path)
    data["folder"] = str(folder)
    data["explicit"] = explicit
    return data


class LiveSink:
    """The trace pushed to the running server of the library in `data_dir` (None: the default
    one), shown live to its viewers and recorded in its library (kept)."""

    def __init__(self, data_dir: str | Path | None = None) -> None:
        self.data_dir = data_dir
        self.run_id: str | None = None
        self.ws_url: str | None = None
        self.closed = False
        self.summary = ""
        self._ws: ClientConnection | None = None
        self._stack = contextlib.ExitStack()

    def open(self, meta: TraceMeta) -> None:
        live = read_live_file(self.data_dir)
        self.ws_url = live["url"]
        ws = self._connect(live)
        self._ws = ws
        self._send({"type": "open", "run_id": meta.run_id, "name": meta.name,
                    "config": meta.config})
        reply = self._receive(OPEN_TIMEOUT_S)
        if reply.get("type") != "opened":
            self._drop()
            raise SinkRefused(f"the schedviz server refused the trace: {reply.get('message')}")
        self.run_id = str(reply["run_id"])

    def events(self, batch: list[dict[str, Any]]) -> None:
        for i in range(0, len(batch), MAX_BATCH_EVENTS):
            self._send({"type": "events", "events": batch[i : i + MAX_BATCH_EVENTS]})

    def close(self, reason: str, meta: TraceMeta) -> None:
        if self._ws is None:
            return
        try:
            source = json.loads(meta.source) if meta.source else None
            self._send({"type": "close", "reason": reason, "source": source})
            reply = self._receive(CLOSE_TIMEOUT_S)
            if reply.get("type") != "closed":
                raise SinkRefused(f"the schedviz server refused the trace: "
                                  f"{reply.get('message')}")
            self.summary = (f"pushed live to {self._page()} and recorded {reply['run_id']} "
                            f"{meta.name!r} (kept): {reply['events']} events")
            self.closed = True
        finally:
            self._drop()

    def describe(self) -> str:
        return self.summary

    def url(self) -> str | None:
        """The server's page of the recording, once the push closed (`--open` opens it)."""
        return f"{self._page()}?recording={self.run_id}" if self.closed else None

    def _page(self) -> str:
        """The server's page, from the push's ws://host:port/ws/trace."""
        assert self.ws_url is not None
        return self.ws_url.replace("ws://", "http://", 1).rsplit("/ws/", 1)[0] + "/"

    # -- the socket --------------------------------------------------------------------------

    def _connect(self, live: dict[str, Any]) -> ClientConnection:
        from websockets.exceptions import InvalidHandshake, InvalidStatus
        from websockets.sync.client import connect

        url, token = live["url"], live["token"]
        try:
            # Entered as a context (newer websockets want that), left in _drop.
            ws: ClientConnection = self._stack.enter_context(connect(
                url, additional_headers={"Authorization": f"Bearer {token}"},
                proxy=None,  # loopback: never through a proxy the environment names
                compression=None, open_timeout=OPEN_TIMEOUT_S, ping_interval=None,
                max_size=2**20,
            ))
            return ws
        except ConnectionRefusedError:
            # The file outlived its server (e.g. its pid was reused): nobody listens.
            raise no_server(Path(live["folder"]), live["explicit"]) from None
        except InvalidStatus as exc:
            raise SinkRefused(f"the schedviz server at {url} refused the connection: HTTP "
                              f"{exc.response.status_code}") from None
        except (OSError, InvalidHandshake, TimeoutError) as exc:
            raise SinkRefused(f"cannot reach the schedviz server at {url}: {exc}") from None

    def _send(self, message: dict[str, Any]) -> None:
        from websockets.exceptions import ConnectionClosed

        assert self._ws is not None
        try:
            self._ws.send(json.dumps(message, separators=(",", ":")))
        except ConnectionClosed as exc:
            raise SinkRefused(f"the schedviz server ended the push: {self._why(exc)}") from None

    def _receive(self, timeout: float) -> dict[str, Any]:
        from websockets.exceptions import ConnectionClosed

        assert self._ws is not None
        try:
            reply = json.loads(self._ws.recv(timeout=timeout))
        except ConnectionClosed as exc:
            raise SinkRefused(f"the schedviz server ended the push: {self._why(exc)}") from None
        except TimeoutError:
            raise SinkRefused(f"the schedviz server did not answer within {timeout:g} s") from None
        if not isinstance(reply, dict):
            raise SinkRefused(f"the schedviz server answered {reply!r}")
        return reply

    def _why(self, exc: Any) -> str:
        """The server's reason: its error message if one came, else the close frame's."""
        assert self._ws is not None
        with contextlib.suppress(Exception):
            while True:  # messages that arrived before the close are still to be read
                reply = json.loads(self._ws.recv(timeout=0))
                if isinstance(reply, dict) and reply.get("type") == "error":
                    return str(reply.get("message"))
        rcvd = getattr(exc, "rcvd", None)
        if rcvd is not None and rcvd.reason:
            return f"{rcvd.reason} (code {rcvd.code})"
        return "the connection closed"

    def _drop(self) -> None:
        self._ws = None
        with contextlib.suppress(Exception):
            self._stack.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process has that pid now; the connect will tell
    return True
