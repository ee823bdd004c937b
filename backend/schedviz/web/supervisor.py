"""Starts a lab process for a run and carries frames between it and the web process.

The lab gets one end of a socket pair as an inherited file descriptor; its stdout and stderr
stay the server's, so a task's prints and the lab's tracebacks show in the server's console.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from typing import Any

from schedviz.lab import channel


class LabProcess:
    """One running lab process and its command/event channel."""

    def __init__(
        self,
        proc: asyncio.subprocess.Process,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        self._proc = proc
        self._reader = reader
        self._writer = writer

    @classmethod
    async def spawn(cls, start: dict[str, Any]) -> LabProcess:
        """Start `python -m schedviz.lab` and send it the start command."""
        ours, theirs = socket.socketpair()
        try:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "schedviz.lab", "--fd", str(theirs.fileno()),
                pass_fds=(theirs.fileno(),),
                stdin=asyncio.subprocess.DEVNULL,
            )
        finally:
            theirs.close()
        reader, writer = await asyncio.open_connection(sock=ours)
        lab = cls(proc, reader, writer)
        await lab.send(start)
        return lab

    @property
    def pid(self) -> int:
        return self._proc.pid

    async def send(self, message: dict[str, Any]) -> bool:
        """Send a command; False if the lab is gone."""
        try:
            self._writer.write(channel.pack(message))
            await self._writer.drain()
        except (ConnectionError, OSError):
            return False
        return True

    async def messages(self) -> AsyncIterator[dict[str, Any]]:
        """Every message from the lab until it closes its end."""
        while True:
            try:
                message = await channel.recv_async(self._reader)
            except channel.ChannelError:
                return
            if message is None:
                return
            yield message

    async def wait(self) -> int:
        """Wait for the process to exit and release the channel; returns the exit code."""
        code = await self._proc.wait()
        self._writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await self._writer.wait_closed()
        return code

    async def terminate(self, grace_s: float = 5.0) -> None:
        """End the process: SIGTERM, then SIGKILL after `grace_s`."""
        if self._proc.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            self._proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self._proc.wait(), grace_s)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._proc.pid, signal.SIGKILL)
            await self._proc.wait()


def describe_exit(code: int) -> str:
    """A lab exit code in words (negative = killed by a signal)."""
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"the lab process was killed by {name}"
    return f"the lab process exited with code {code}"
