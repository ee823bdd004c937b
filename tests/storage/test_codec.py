"""The batch codec: every event of real runs and of random ones comes back exactly."""

from __future__ import annotations

import enum
import math
import random
import zlib
from typing import Any

import pytest
from storeutil import assert_same_events

from schedviz.protocol import FIELDS
from schedviz.storage.codec import (
    CODEC_VERSION,
    CodecError,
    InflateLimit,
    StringTable,
    decode_batch,
    decode_strings,
    encode_batch,
    encode_strings,
    wire_event,
)

Event = dict[str, Any]


def round_trip(events: list[Event], size: int) -> tuple[list[Event], int]:
    """The events through blobs of `size` events and a string table; and the bytes used."""
    table = StringTable()
    blobs = [encode_batch(events[i:i + size], table) for i in range(0, len(events), size)]
    strings = decode_strings(encode_strings(table.strings))
    out = [ev for blob in blobs for ev in decode_batch(blob, strings)]
    return out, sum(map(len, blobs)) + len(encode_strings(table.strings))


@pytest.mark.parametrize("run", ["threads", "processes", "crash", "asyncio", "gil"])
def test_real_runs_come_back_exactly(real_runs: dict[str, list[Event]], run: str) -> None:
    events = real_runs[run]
    assert events[0]["kind"] == "run_started" and events[-1]["kind"] == "run_ended"
    for size in (1, 7, 500, 2048):
        part = events[:300] if size == 1 else events
        got, _ = round_trip(part, size)
        assert_same_events(got, part)


def test_real_runs_are_small(real_runs: dict[str, list[Event]]) -> None:
    for run, events in real_runs.items():
        _, size = round_trip(events, 2048)
        assert size / len(events) <= 16, f"{run}: {size / len(events):.1f} B/event"


def test_the_real_runs_cover_the_common_kinds(real_runs: dict[str, list[Event]]) -> None:
    kinds = {ev["kind"] for events in real_runs.values() for ev in events}
    assert {"run_started", "task_finished", "serialized", "gil", "thread_state", "aio_step",
            "pool_broken", "worker_exited", "memory"} <= kinds


# -- random events of every kind ---------------------------------------------------------------


def random_value(rng: random.Random, depth: int = 0) -> Any:
    pick = rng.randrange(12 if depth < 2 else 9)
    if pick == 0:
        return None
    if pick == 1:
        return rng.random() < 0.5
    if pick == 2:
        return rng.randrange(-300, 300)
    if pick == 3:
        return rng.choice([0, -1, 2**63 - 1, -(2**63), 2**63, -(2**63) - 1, 2**64, 10**40,
                           -(10**40), rng.getrandbits(200) - 2**199])
    if pick == 4:
        return rng.randrange(-(2**62), 2**62)
    if pick == 5:
        return rng.choice([0.0, -0.0, 1.0, -2.5, 1e308, 5e-324, math.inf, -math.inf, math.nan,
                           rng.random() * 1e9])
    if pick in (6, 7):
        alphabet = "ab é ü 日本 🙂 \x00 \n \ud800 \udfff"
        return "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 12)))
    if pick == 8:
        return rng.choice(["", "sleep(0.1)", "pool0_1", "x" * 5000])
    if pick == 9:
        return [random_value(rng, depth + 1) for _ in range(rng.randrange(0, 5))]
    if pick == 10:
        return tuple(random_value(rng, depth + 1) for _ in range(rng.randrange(0, 4)))
    return {f"k{i}é": random_value(rng, depth + 1) for i in range(rng.randrange(0, 4))}


def random_events(rng: random.Random, n: int) -> list[Event]:
    kinds = sorted(FIELDS)
    t = rng.randrange(-(10**6), 10**6)
    out = []
    for seq in range(n):
        kind = rng.choice(kinds)
        t += rng.choice([0, 1, -5, 300_000, -(10**9), 10**12, 2**62]) if seq else 0
        ev: Event = {"seq": seq, "t": t, "kind": kind}
        # A field keeps one type most of the time (as in real runs), with strays.
        for name in FIELDS[kind]:
            ev[name] = rng.randrange(1000) if rng.random() < 0.4 else random_value(rng)
        out.append(ev)
    return out


@pytest.mark.parametrize("seed", range(40))
def test_random_events_of_every_kind_come_back_exactly(seed: int) -> None:
    rng = random.Random(seed)
    events = random_events(rng, rng.choice([1, 2, 5, 60, 400]))
    got, _ = round_trip(events, rng.choice([1, 3, 64, 4096]))
    assert_same_events(got, events)


def test_one_field_of_many_types_and_huge_ints() -> None:
    values = [None, True, False, 0, -1, 1.0, -0.0, math.nan, "", "é", 2**64, -(2**300),
              [1, [2.5, None]], (), {"a": {"b": (1, "c")}}, 2**63 - 1, -(2**63), 7]
    events = [{"seq": 100 + i, "t": -i * 10**15, "kind": "warning", "message": v}
              for i, v in enumerate(values)]
    got, _ = round_trip(events, 64)
    assert_same_events(got, events)


def test_events_under_another_layout_keep_their_fields() -> None:
    """A recording of an older schema keeps its fields as it had them, order included."""
    events = [{"seq": 0, "t": 5, "kind": "task_started", "task": 1},
              {"seq": 1, "t": 6, "kind": "task_started", "worker": 2, "task": 1, "extra": None},
              {"seq": 2, "t": 7, "kind": "no_such_kind_any_more"}]
    got, _ = round_trip(events, 10)
    assert_same_events(got, events)


def test_a_batch_decodes_on_its_own() -> None:
    events = random_events(random.Random(7), 300)
    table = StringTable()
    blobs = [encode_batch(events[i:i + 100], table) for i in range(0, 300, 100)]
    assert_same_events(decode_batch(blobs[1], table.strings), events[100:200])


# -- refusals -----------------------------------------------------------------------------------


def test_wire_event_refuses_an_unknown_kind_by_name() -> None:
    with pytest.raises(CodecError, match=r"seq 3 has unknown kind 'gil_2'; known kinds: .*task_"):
        wire_event({"seq": 3, "t": 0, "kind": "gil_2"})
    with pytest.raises(CodecError, match="unknown kind None"):
        wire_event([3, 0, None])


def test_wire_event_refuses_missing_or_extra_fields() -> None:
    with pytest.raises(CodecError, match="must have the fields seq, t, kind, task, worker; "
                                         "it has task"):
        wire_event({"seq": 1, "t": 0, "kind": "task_started", "task": 1})
    with pytest.raises(CodecError, match="it has task, worker, colour"):
        wire_event({"seq": 1, "t": 0, "kind": "task_started", "task": 1, "worker": 0,
                    "colour": "red"})
    with pytest.raises(CodecError, match="takes 2 fields"):
        wire_event([1, 0, "task_started", 1])


def test_wire_event_expands_a_compact_event_and_keeps_a_dict() -> None:
    assert wire_event([4, 10, "task_started", 1, 2]) == {
        "seq": 4, "t": 10, "kind": "task_started", "task": 1, "worker": 2}
    ev = {"seq": 4, "t": 10, "kind": "queue_depth", "depth": 3}
    assert wire_event(ev) is ev


class Colour(enum.IntEnum):
    RED = 1


@pytest.mark.parametrize("value", [{1, 2}, b"bytes", object(), Colour.RED, {1: "int key"},
                                   [complex(1, 2)]])
def test_values_of_other_types_are_refused_not_changed(value: Any) -> None:
    event = {"seq": 0, "t": 0, "kind": "warning", "message": value}
    with pytest.raises(CodecError, match=r"warning\.message: (cannot store a value of type|"
                                         r"dict keys must be strings)"):
        encode_batch([event], StringTable())


def test_gaps_and_bad_seq_or_t_are_refused() -> None:
    a = {"seq": 0, "t": 0, "kind": "queue_depth", "depth": 1}
    with pytest.raises(CodecError, match="gap-free: expected 1, got 2"):
        encode_batch([a, {**a, "seq": 2}], StringTable())
    with pytest.raises(CodecError, match="t must be an int"):
        encode_batch([{**a, "t": 1.5}], StringTable())
    with pytest.raises(CodecError, match="seq must be an int ≥ 0"):
        encode_batch([{**a, "seq": True}], StringTable())
    with pytest.raises(CodecError, match="at least one event"):
        encode_batch([], StringTable())


def test_corrupt_blobs_are_refused_with_codec_error() -> None:
    events = random_events(random.Random(3), 200)
    table = StringTable()
    blob = encode_batch(events, table)
    body = zlib.decompress(blob[2:])
    bad = [
        blob[:1],
        blob[:-3],
        bytes([CODEC_VERSION + 1]) + blob[1:],
        blob[:1] + b"\x07" + blob[2:],
        blob[:2] + b"garbage",
        blob[:2] + zlib.compress(body[: len(body) // 2]),
        blob[:2] + zlib.compress(body + b"\x00"),
        blob[:2] + zlib.compress(bytes([body[0] + 5]) + body[1:]),
    ]
    for b in bad:
        with pytest.raises(CodecError):
            decode_batch(b, table.strings)
    with pytest.raises(CodecError):
        decode_batch(blob, table.strings[:3])  # strings it refers to are missing


def test_decompression_is_bounded() -> None:
    table = StringTable()
    blob = encode_batch([{"seq": i, "t": 0, "kind": "queue_depth", "depth": i % 7}
                         for i in range(50_000)], table)
    assert len(blob) < 1000
    with pytest.raises(InflateLimit, match="more than 10000 bytes"):
        decode_batch(blob, table.strings, max_bytes=10_000)
    big = encode_strings(["y" * 100_000])
    assert len(big) < 1000
    with pytest.raises(InflateLimit):
        decode_strings(big, max_bytes=1000)


def test_string_tables_keep_every_string() -> None:
    strings = ["", "\x00", "é", "日本", "🙂", "\ud800", "a\udfffb", "x" * 70_000]
    assert decode_strings(encode_strings(strings)) == strings
    table = StringTable(["a", "b"])
    assert table.intern("b") == 1 and table.intern("c") == 2 and len(table) == 3
