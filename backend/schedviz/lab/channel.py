"""Length-prefixed JSON frames between the web process and a lab process over a socket pair.

A frame is a 4-byte big-endian length and that many bytes of UTF-8 JSON. Commands go down
(`start`, `set`, `stop`), event batches come up (`events`, then `done`). One module holds both
ends' framing so they cannot drift apart.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
from typing import Any

HEADER = struct.Struct("!I")
MAX_FRAME_BYTES = 64 * 1024 * 1024


class ChannelError(RuntimeError):
    """The peer sent something that is not a frame of this protocol."""


def pack(message: dict[str, Any]) -> bytes:
    """One message as a frame."""
    body = json.dumps(message, separators=(",", ":")).encode()
    if len(body) > MAX_FRAME_BYTES:
        raise ChannelError(f"frame of {len(body)} bytes exceeds {MAX_FRAME_BYTES}")
    return HEADER.pack(len(body)) + body


def _unpack(body: bytes) -> dict[str, Any]:
    message = json.loads(body)
    if not isinstance(message, dict):
        raise ChannelError(f"expected a JSON object, got {type(message).__name__}")
    return message


def _recv_exact(sock: socket.socket, n: int) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < n:
        chunk = sock.recv(n - len(chunks))
        if not chunk:
            return None
        chunks.extend(chunk)
    return bytes(chunks)


def recv(sock: socket.socket) -> dict[str, Any] | None:
    """Blocking read of one message; None when the peer closed the connection."""
    header = _recv_exact(sock, HEADER.size)
    if header is None:
        return None
    (size,) = HEADER.unpack(header)
    if size > MAX_FRAME_BYTES:
        raise ChannelError(f"frame of {size} bytes exceeds {MAX_FRAME_BYTES}")
    body = _recv_exact(sock, size)
    if body is None:
        return None
    return _unpack(body)


async def recv_async(reader: asyncio.StreamReader) -> dict[str, Any] | None:
    """Read one message from an asyncio stream; None when the peer closed the connection."""
    try:
        header = await reader.readexactly(HEADER.size)
        (size,) = HEADER.unpack(header)
        if size > MAX_FRAME_BYTES:
            raise ChannelError(f"frame of {size} bytes exceeds {MAX_FRAME_BYTES}")
        body = await reader.readexactly(size)
    except (asyncio.IncompleteReadError, ConnectionResetError):
        return None
    return _unpack(body)
