"""A batch of events as one compressed blob of columns, decoded back to exactly the same events.

A blob is `CODEC_VERSION`, a compression byte, then the compressed body. The body holds the
batch's event count and first seq (seqs are gap-free, so no seq column), its layouts (a kind
and its field names, as ids into the recording's string table), then columns: the layout of
each event, its t, and one column per field of each layout. Every string (kinds, field names
and values) is interned in the recording's `StringTable`, stored once per recording.

A column is a tag per value (one tag for the whole column when all agree) and one sub-column
per tag that carries data: ints, string ids and floats as little-endian byte planes (the n
lowest bytes, then the n next ones, …), so zlib squeezes the high bytes of small numbers to
almost nothing; ints are delta-coded when that is smaller (ids, t). Lists, dicts, tuples and
ints beyond 64 bits are rarer: they are written value by value, tagged.

Guarantees:
- `decode_batch(encode_batch(events))` equals `events`, value for value and type for type
  (bool stays bool, 1.0 stays float, a tuple stays a tuple), for any ints, floats (NaN, -0.0),
  strings (lone surrogates too), None, and nested lists and dicts of them.
- A batch decodes on its own, given the string table: reading from the middle of a recording
  needs no earlier batch.
- A value of any other type is refused with `CodecError`, never stored as something else.
"""

from __future__ import annotations

import struct
import sys
import zlib
from array import array
from collections.abc import Iterator, Mapping, Sequence
from itertools import accumulate, pairwise
from typing import Any

from schedviz.protocol import FIELDS, expand
from schedviz.storage.errors import InvalidValue

CODEC_VERSION = 1
#: Body compressions a blob may use (the second byte of a blob).
ZLIB = 0
# Measured on a 63,000-event run: level 9 is 3× slower for 0.3 % less; lzma 7 % less, 10× slower.
ZLIB_LEVEL = 6

_COMMON = ("seq", "t", "kind")
_KEYS = {kind: frozenset((*_COMMON, *names)) for kind, names in FIELDS.items()}

# Value tags. INT is an int that fits in 64 bits (zigzag), OTHER anything written tagged.
T_NONE, T_FALSE, T_TRUE, T_INT, T_STR, T_FLOAT, T_OTHER = range(7)
_MIXED = 0xFF  # a column's first byte: a tag per value follows

# Tags of a value written whole (inside OTHER).
V_NONE, V_FALSE, V_TRUE, V_INT, V_FLOAT, V_STR, V_LIST, V_DICT, V_TUPLE = range(9)

# Int sub-column modes.
I_PLAIN, I_DELTA = 0, 1

_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1
_U64 = next(code for code in "BHILQ" if array(code).itemsize == 8)
_F64 = struct.Struct("<d")


class CodecError(InvalidValue):
    """An event or blob that cannot be stored or read, with what is wrong with it."""


class InflateLimit(CodecError):
    """A blob decompresses to more than the caller allows."""


class StringTable:
    """A recording's interned strings: id -> string and string -> id; ids grow from 0."""

    def __init__(self, strings: Sequence[str] = ()) -> None:
        self.strings: list[str] = list(strings)
        self._ids = {s: i for i, s in enumerate(self.strings)}

    def __len__(self) -> int:
        return len(self.strings)

    def intern(self, s: str) -> int:
        i = self._ids.get(s)
        if i is None:
            i = self._ids[s] = len(self.strings)
            self.strings.append(s)
        return i

    def extend(self, strings: Sequence[str]) -> None:
        """Add strings read from storage (they continue the ids)."""
        for s in strings:
            self.intern(s)


# ---------------------------------------------------------------------------------------------
# Events in, events out
# ---------------------------------------------------------------------------------------------


def wire_event(event: dict[str, Any] | Sequence[Any]) -> dict[str, Any]:
    """An event (wire dict or compact list) as a wire dict, refused unless the schema knows it.

    The kind must be one `protocol.FIELDS` knows and the fields exactly its own; a dict is
    returned as it is (not copied), a list expanded.
    """
    if isinstance(event, dict):
        kind = event.get("kind")
        keys = _KEYS.get(kind) if isinstance(kind, str) else None
        if keys is None:
            raise CodecError(_unknown_kind(kind, event.get("seq")))
        if event.keys() != keys:
            names = FIELDS[str(kind)]
            given = [k for k in event if k not in _COMMON]
            raise CodecError(
                f"event seq {event.get('seq')!r} of kind {kind!r} must have the fields seq, t, "
                f"kind, {', '.join(names) or '(no others)'}; it has {', '.join(given) or 'none'}"
            )
        return event
    if isinstance(event, (list, tuple)) and len(event) >= 3:
        kind = event[2]
        known = FIELDS.get(kind) if isinstance(kind, str) else None
        if known is None:
            raise CodecError(_unknown_kind(kind, event[0]))
        names = known
        if len(event) != len(names) + 3:
            raise CodecError(
                f"event seq {event[0]!r} of kind {kind!r} takes {len(names)} fields "
                f"({', '.join(names)}); got {len(event) - 3}"
            )
        return expand(list(event))
    raise CodecError(
        f"an event is a dict {{seq, t, kind, ...}} or a list [seq, t, kind, ...]; got {event!r:.80}"
    )


def _unknown_kind(kind: object, seq: object) -> str:
    return (
        f"event seq {seq!r} has unknown kind {kind!r}; known kinds: {', '.join(sorted(FIELDS))}"
    )


def encode_batch(events: Sequence[Mapping[str, Any]], strings: StringTable) -> bytes:
    """Wire events with gap-free seqs as one blob; new strings are interned into `strings`.

    An event's layout is its kind and its own field names in order (checking them against the
    schema is `wire_event`'s job), so a recording made under another schema version decodes
    into the events it had.
    """
    if not events:
        raise CodecError("a batch needs at least one event")
    first = events[0].get("seq")
    if type(first) is not int or first < 0:
        raise CodecError(f"seq must be an int ≥ 0; got {first!r}")
    layouts: dict[tuple[str, tuple[str, ...]], int] = {}
    layout_of: list[int] = []
    ts: list[Any] = []
    rows: list[list[list[Any]]] = []  # per layout: its events' field values
    for i, ev in enumerate(events):
        if ev.get("seq") != first + i or type(ev.get("seq")) is not int:
            raise CodecError(
                f"seqs must be gap-free: expected {first + i}, got {ev.get('seq')!r}"
            )
        kind = ev.get("kind")
        t = ev.get("t")
        if type(kind) is not str:
            raise CodecError(f"event seq {first + i}: kind must be a string; got {kind!r}")
        if type(t) is not int:
            raise CodecError(f"event seq {first + i}: t must be an int (ns); got {t!r}")
        names = tuple(k for k in ev if k not in _COMMON)
        key = (kind, names)
        index = layouts.get(key)
        if index is None:
            index = layouts[key] = len(layouts)
            rows.append([])
        layout_of.append(index)
        ts.append(t)
        rows[index].append([ev[n] for n in names])
    out = bytearray()
    _uvarint(out, len(events))
    _uvarint(out, first)
    _uvarint(out, len(layouts))
    for kind, names in layouts:
        _uvarint(out, strings.intern(kind))
        _uvarint(out, len(names))
        for name in names:
            _uvarint(out, strings.intern(name))
    _int_column(out, layout_of)
    _column(out, ts, strings)  # (a t beyond 64 bits is unlikely, not impossible)
    for (kind, names), layout_rows in zip(layouts, rows, strict=True):
        for j, name in enumerate(names):
            try:
                _column(out, [row[j] for row in layout_rows], strings)
            except CodecError as exc:
                raise CodecError(f"{kind}.{name}: {exc}") from None
    return bytes((CODEC_VERSION, ZLIB)) + zlib.compress(out, ZLIB_LEVEL)


def decode_batch(
    blob: bytes, strings: Sequence[str], max_bytes: int | None = None
) -> list[dict[str, Any]]:
    """The events of one blob, as wire dicts in seq order (`max_bytes`: see `inflate`)."""
    return decode_body(inflate(blob, max_bytes), strings)


def inflate(blob: bytes, max_bytes: int | None = None) -> bytes:
    """A blob's body, decompressed; more than `max_bytes` raises InflateLimit.

    An untrusted file must not inflate without limit.
    """
    d = zlib.decompressobj()
    try:
        body = d.decompress(_body_of(blob), 0 if max_bytes is None else max(1, max_bytes))
    except zlib.error as exc:
        raise CodecError(f"a batch of events is corrupt ({exc})") from None
    if d.unconsumed_tail:
        raise InflateLimit(f"a batch of events decompresses to more than {max_bytes} bytes")
    if not d.eof or d.unused_data:
        raise CodecError("a batch of events is cut short or has bytes after its end")
    return body


def decode_body(body: bytes, strings: Sequence[str]) -> list[dict[str, Any]]:
    """The events of an inflated body; CodecError says what is wrong with a corrupt one."""
    try:
        return _decode_body(body, strings)
    except (IndexError, ValueError, struct.error) as exc:
        if isinstance(exc, CodecError):
            raise
        raise CodecError(f"a batch of events is corrupt ({exc})") from None


def _body_of(blob: bytes) -> bytes:
    if len(blob) < 2:
        raise CodecError("a batch of events is empty or cut short")
    if blob[0] != CODEC_VERSION:
        raise CodecError(
            f"a batch of events is in codec version {blob[0]}; this schedviz reads version "
            f"{CODEC_VERSION}"
        )
    if blob[1] != ZLIB:
        raise CodecError(f"a batch of events uses unknown compression {blob[1]}")
    return blob[2:]


def _decode_body(body: bytes, strings: Sequence[str]) -> list[dict[str, Any]]:
    r = _Reader(body)
    n = r.uvarint()
    first = r.uvarint()
    layouts: list[tuple[str, list[str]]] = []
    for _ in range(r.uvarint()):
        kind = strings[r.uvarint()]
        layouts.append((kind, [strings[r.uvarint()] for _ in range(r.uvarint())]))
    layout_of = r.int_column(n)
    ts = r.column(n, strings)
    counts = [0] * len(layouts)
    for index in layout_of:
        counts[index] += 1
    rows: list[Iterator[tuple[Any, ...]]] = []
    for (_, names), count in zip(layouts, counts, strict=True):
        columns = [r.column(count, strings) for _ in names]
        rows.append(iter(zip(*columns, strict=True)) if columns else iter([()] * count))
    if r.pos != len(body):
        raise CodecError(f"a batch of events has {len(body) - r.pos} bytes after its end")
    events: list[dict[str, Any]] = []
    for seq, index, t in zip(range(first, first + n), layout_of, ts, strict=True):
        kind, names = layouts[index]
        ev: dict[str, Any] = {"seq": seq, "t": t, "kind": kind}
        ev.update(zip(names, next(rows[index]), strict=True))
        events.append(ev)
    return events


# ---------------------------------------------------------------------------------------------
# Columns
# ---------------------------------------------------------------------------------------------


def _tag(v: Any) -> int:
    tv = type(v)
    if tv is int:
        return T_INT if _INT64_MIN <= v <= _INT64_MAX else T_OTHER
    if tv is str:
        return T_STR
    if v is None:
        return T_NONE
    if tv is bool:
        return T_TRUE if v else T_FALSE
    if tv is float:
        return T_FLOAT
    if tv in (list, dict, tuple):
        return T_OTHER
    raise CodecError(f"cannot store a value of type {tv.__name__}: {v!r:.60}")


def _column(out: bytearray, values: list[Any], strings: StringTable) -> None:
    tags = bytes(_tag(v) for v in values)
    present = set(tags)
    if len(present) == 1:
        out.append(tags[0])
    else:
        out.append(_MIXED)
        out += tags
    if T_INT in present:
        _int_column(out, [v for v, t in zip(values, tags, strict=True) if t == T_INT])
    if T_STR in present:
        _int_column(
            out, [strings.intern(v) for v, t in zip(values, tags, strict=True) if t == T_STR]
        )
    if T_FLOAT in present:
        floats = [v for v, t in zip(values, tags, strict=True) if t == T_FLOAT]
        _planes(out, struct.pack(f"<{len(floats)}d", *floats), 8)
    if T_OTHER in present:
        for v, t in zip(values, tags, strict=True):
            if t == T_OTHER:
                _value(out, v, strings)


def _int_column(out: bytearray, values: list[int]) -> None:
    """Ints that fit in 64 bits: delta-coded if smaller, zigzagged, as byte planes."""
    plain = [(v << 1) ^ (v >> 63) for v in values]
    deltas = [b - a for a, b in pairwise(values)]
    delta = [(d << 1) ^ (d >> 63) for d in deltas]
    if delta and max(delta) < 1 << 64 and min(deltas) >= _INT64_MIN and (
        sum(v.bit_length() for v in delta) < sum(v.bit_length() for v in plain[1:])
    ):
        out.append(I_DELTA)
        _uvarint(out, plain[0])
        zigzag = delta
    else:
        out.append(I_PLAIN)
        zigzag = plain
    width = (max(zigzag, default=0).bit_length() + 7) // 8
    out.append(width)
    if width:
        raw = array(_U64, zigzag)
        if sys.byteorder == "big":
            raw.byteswap()
        _planes(out, raw.tobytes(), 8, width)


def _planes(out: bytearray, raw: bytes, size: int, width: int | None = None) -> None:
    """Items of `size` bytes as their `width` lowest byte planes, lowest first."""
    for i in range(width or size):
        out += raw[i::size]


def _value(out: bytearray, v: Any, strings: StringTable) -> None:
    """One value, tagged, with what it holds (lists, dicts and tuples nest)."""
    tv = type(v)
    if v is None:
        out.append(V_NONE)
    elif tv is bool:
        out.append(V_TRUE if v else V_FALSE)
    elif tv is int:
        out.append(V_INT)
        _uvarint(out, (v << 1) if v >= 0 else ((-v << 1) - 1))
    elif tv is float:
        out.append(V_FLOAT)
        out += _F64.pack(v)
    elif tv is str:
        out.append(V_STR)
        _uvarint(out, strings.intern(v))
    elif tv is list or tv is tuple:
        out.append(V_LIST if tv is list else V_TUPLE)
        _uvarint(out, len(v))
        for item in v:
            _value(out, item, strings)
    elif tv is dict:
        out.append(V_DICT)
        _uvarint(out, len(v))
        for key, item in v.items():
            if type(key) is not str:
                raise CodecError(f"dict keys must be strings; got {key!r:.60}")
            _uvarint(out, strings.intern(key))
            _value(out, item, strings)
    else:
        raise CodecError(f"cannot store a value of type {tv.__name__}: {v!r:.60}")


def _uvarint(out: bytearray, n: int) -> None:
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


class _Reader:
    """Reads a body front to back."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        end = self.pos + n
        if end > len(self.data):
            raise CodecError("a batch of events is cut short")
        chunk = self.data[self.pos:end]
        self.pos = end
        return chunk

    def byte(self) -> int:
        return self.take(1)[0]

    def uvarint(self) -> int:
        data, pos, shift, n = self.data, self.pos, 0, 0
        while True:
            b = data[pos]
            pos += 1
            n |= (b & 0x7F) << shift
            if b < 0x80:
                self.pos = pos
                return n
            shift += 7

    def planes(self, count: int, size: int, width: int) -> bytes:
        if width > size:
            raise CodecError(f"a column claims {width} bytes per value (at most {size})")
        raw = bytearray(count * size)
        for i in range(width):
            raw[i::size] = self.take(count)
        return bytes(raw)

    def int_column(self, count: int) -> list[int]:
        mode = self.byte()
        first = self.uvarint() if mode == I_DELTA else 0
        width = self.byte()
        if mode == I_DELTA:
            count -= 1
        elif mode != I_PLAIN:
            raise CodecError(f"unknown int column mode {mode}")
        if width:
            raw = array(_U64)
            raw.frombytes(self.planes(count, 8, width))
            if sys.byteorder == "big":
                raw.byteswap()
            zigzag = raw.tolist()
        else:
            zigzag = [0] * count
        values = [(z >> 1) ^ -(z & 1) for z in zigzag]
        if mode == I_DELTA:
            return list(accumulate(values, initial=(first >> 1) ^ -(first & 1)))
        return values

    def column(self, count: int, strings: Sequence[str]) -> list[Any]:
        head = self.byte()
        if head == _MIXED:
            tags = self.take(count)
        elif head <= T_OTHER:
            tags = bytes((head,)) * count
        else:
            raise CodecError(f"unknown column tag {head}")
        present = set(tags)
        ints = iter(self.int_column(tags.count(T_INT))) if T_INT in present else iter(())
        strs = iter([strings[i] for i in self.int_column(tags.count(T_STR))]) if (
            T_STR in present) else iter(())
        floats: Iterator[float] = iter(())
        if T_FLOAT in present:
            n = tags.count(T_FLOAT)
            floats = iter(struct.unpack(f"<{n}d", self.planes(n, 8, 8)))
        out: list[Any] = []
        for tag in tags:
            if tag == T_INT:
                out.append(next(ints))
            elif tag == T_STR:
                out.append(next(strs))
            elif tag == T_NONE:
                out.append(None)
            elif tag == T_FALSE:
                out.append(False)
            elif tag == T_TRUE:
                out.append(True)
            elif tag == T_FLOAT:
                out.append(next(floats))
            elif tag == T_OTHER:
                out.append(self.value(strings))
            else:
                raise CodecError(f"unknown value tag {tag}")
        return out

    def value(self, strings: Sequence[str]) -> Any:
        tag = self.byte()
        if tag == V_NONE:
            return None
        if tag == V_FALSE:
            return False
        if tag == V_TRUE:
            return True
        if tag == V_INT:
            z = self.uvarint()
            return (z >> 1) ^ -(z & 1)
        if tag == V_FLOAT:
            return _F64.unpack(self.take(8))[0]
        if tag == V_STR:
            return strings[self.uvarint()]
        if tag in (V_LIST, V_TUPLE):
            items = [self.value(strings) for _ in range(self.uvarint())]
            return items if tag == V_LIST else tuple(items)
        if tag == V_DICT:
            return {strings[self.uvarint()]: self.value(strings) for _ in range(self.uvarint())}
        raise CodecError(f"unknown value tag {tag}")


# ---------------------------------------------------------------------------------------------
# The string table's stored form
# ---------------------------------------------------------------------------------------------


def encode_strings(strings: Sequence[str]) -> bytes:
    """Strings (a chunk of a recording's table) as one compressed blob."""
    out = bytearray()
    _uvarint(out, len(strings))
    for s in strings:
        data = s.encode("utf-8", "surrogatepass")
        _uvarint(out, len(data))
        out += data
    return bytes((CODEC_VERSION, ZLIB)) + zlib.compress(out, ZLIB_LEVEL)


def decode_strings(blob: bytes, max_bytes: int | None = None) -> list[str]:
    """The strings of one `encode_strings` blob."""
    body = inflate(blob, max_bytes)
    r = _Reader(body)
    try:
        out = [r.take(r.uvarint()).decode("utf-8", "surrogatepass") for _ in range(r.uvarint())]
    except (IndexError, UnicodeDecodeError) as exc:
        raise CodecError(f"a string table is corrupt ({exc})") from None
    if r.pos != len(body):
        raise CodecError("a string table has bytes after its end")
    return out
