"""Checks the storage tests share: events equal value for value and type for type."""

from __future__ import annotations

from typing import Any


def assert_same(got: Any, want: Any, where: str = "") -> None:
    """Equal, and of the same type all the way down (1 is not 1.0 nor True)."""
    assert type(got) is type(want), f"{where}: {type(got).__name__} instead of " \
                                    f"{type(want).__name__} ({got!r} vs {want!r})"
    if isinstance(want, dict):
        assert list(got) == list(want), f"{where}: keys {list(got)} vs {list(want)}"
        for k in want:
            assert_same(got[k], want[k], f"{where}.{k}")
    elif isinstance(want, (list, tuple)):
        assert len(got) == len(want), f"{where}: length {len(got)} vs {len(want)}"
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            assert_same(g, w, f"{where}[{i}]")
    elif isinstance(want, float) and want != want:
        assert got != got, f"{where}: {got!r} is not NaN"
    else:
        assert got == want, f"{where}: {got!r} vs {want!r}"
        if isinstance(want, float):
            assert str(got) == str(want), f"{where}: {got!r} vs {want!r} (sign of zero)"


def assert_same_events(got: list[dict[str, Any]], want: list[dict[str, Any]]) -> None:
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert_same(g, w, f"seq {w.get('seq')}")
