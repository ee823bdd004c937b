"""A run's events as JSON Lines: one compact JSON object a line, as `schedviz run` writes them.

Rules this module keeps:
- A line is the wire event (`seq`, `t`, `kind`, then the kind's fields, in that order) as
  `json.dumps` with no spaces, then a newline: `event_line` is the one place that says so, and
  the CLI's `--events-out` writes through it.
- Reading gives back equal dicts in file order; blank lines are skipped, and a line that is not
  a JSON object is refused with its line number, never skipped.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TextIO


def event_line(event: Mapping[str, Any]) -> str:
    """One event as its JSON Lines line, newline included."""
    return json.dumps(event, separators=(",", ":")) + "\n"


def write_events(events: Iterable[Mapping[str, Any]], out: TextIO) -> int:
    """Write each event as a line; returns how many were written."""
    n = 0
    for event in events:
        out.write(event_line(event))
        n += 1
    return n


def read_events(source: str | os.PathLike[str] | Iterable[str]) -> Iterator[dict[str, Any]]:
    """The events of a JSON Lines file (a path) or of its lines; ValueError names a bad line."""
    if isinstance(source, (str, os.PathLike)):
        with open(source, encoding="utf-8") as f:
            yield from read_events(f)
        return
    for number, line in enumerate(source, 1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"line {number} is not JSON: {exc}") from exc
        if not isinstance(event, dict):
            raise ValueError(f"line {number} is not an event object: {line[:80]!r}")
        yield event
