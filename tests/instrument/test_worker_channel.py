"""The workers-to-parent pipe: atomic frames, reassembled per worker, without a lock."""

from __future__ import annotations

import multiprocessing

from schedviz.instrument.worker import FRAME_PAYLOAD, FrameReader, WorkerChannel


def test_signals_and_large_messages_interleaved_from_two_workers_come_out_whole() -> None:
    channel = WorkerChannel(multiprocessing.get_context("fork"))
    try:
        big = [("warning", i, f"{i:04d}" * 75) for i in range(40)]  # several frames
        # Interleave by hand what two workers could write at the same time.
        a = _frames(channel, 101, big)
        b = _frames(channel, 202, [("warning", 1, "small")])
        assert len(a) > 2
        for frame in [a[0], b[0], a[1], *a[2:]]:
            channel.writer.send_bytes(frame)
        channel.signal(1, 303, 7, 1_000, 50, 64)
        reader = FrameReader(channel)
        got = []
        while reader.poll():
            item = reader.read()
            if item is not None:
                got.append(item)
        assert got == [
            ("message", (202, [("warning", 1, "small")])),
            ("message", (101, big)),
            ("signal", (1, 303, 7, 1_000, 50, 64)),
        ]
        assert all(len(f) <= FRAME_PAYLOAD + 9 for f in a)  # each fits one atomic write
    finally:
        channel.close()


def _frames(channel: WorkerChannel, pid: int, events: list[tuple[object, ...]]) -> list[bytes]:
    """The frames `put` would write, captured instead of sent."""
    sent: list[bytes] = []
    real = channel.writer.send_bytes
    channel.writer.send_bytes = sent.append  # type: ignore[method-assign]
    try:
        channel.put((pid, events))  # type: ignore[arg-type]
    finally:
        channel.writer.send_bytes = real  # type: ignore[method-assign]
    return sent
