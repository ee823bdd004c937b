"""Entry point of a lab process: one run, commanded over the socket inherited as `--fd N`."""

from __future__ import annotations

import argparse
import socket
import sys
import threading
from typing import Any

from pydantic import ValidationError

from schedviz.lab import channel
from schedviz.lab.driver import Driver
from schedviz.protocol import LiveChange, RunConfig


class _Sender:
    """Writes frames from any thread (the flusher and the main thread both send)."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._lock = threading.Lock()
        self.broken = False

    def send(self, message: dict[str, Any]) -> None:
        if self.broken:
            return
        data = channel.pack(message)
        with self._lock:
            try:
                self._sock.sendall(data)
            except OSError:
                # The web process is gone; the command reader will see EOF and stop the run.
                self.broken = True


def _serve_commands(sock: socket.socket, driver: Driver, sender: _Sender) -> None:
    """Apply commands until the web process closes the socket, which stops the run."""
    while True:
        try:
            message = channel.recv(sock)
        except (OSError, channel.ChannelError):
            message = None
        if message is None:
            driver.stop()
            return
        cmd = message.get("cmd")
        try:
            if cmd == "stop":
                driver.stop()
            elif cmd == "set":
                # The web process sends the LiveChange it validated; it is not checked again.
                change = message["change"]
                if not isinstance(change, LiveChange):
                    raise TypeError(f"set carries a LiveChange, not {type(change).__name__}")
                driver.apply(change)
            else:
                raise ValueError(f"unknown command {cmd!r}")
        except (ValueError, KeyError, TypeError) as exc:
            sender.send({"type": "command_error", "message": str(exc)})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m schedviz.lab")
    parser.add_argument("--fd", type=int, required=True, help="inherited socket to the web process")
    args = parser.parse_args(argv)
    sock = socket.socket(fileno=args.fd)
    sender = _Sender(sock)
    start = channel.recv(sock)
    if start is None:
        return 0
    try:
        config = RunConfig.model_validate(start.get("config"))
    except ValidationError as exc:
        sender.send({"type": "command_error", "message": str(exc)})
        return 2
    driver = Driver(config, lambda batch: sender.send({"type": "events", "events": batch}),
                    run_id=start.get("run_id"))
    threading.Thread(
        target=_serve_commands, args=(sock, driver, sender), name="lab-commands", daemon=True
    ).start()
    driver.run()
    sender.send({"type": "done"})
    sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
