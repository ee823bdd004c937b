"""What every instrumented executor shares: run-wide id sources and bounded, cheap reprs."""

from __future__ import annotations

import itertools
import reprlib

MAX_REPR = 120

_repr = reprlib.Repr()
_repr.maxstring = MAX_REPR
_repr.maxother = MAX_REPR
_repr.maxlist = _repr.maxtuple = _repr.maxdict = _repr.maxset = 8
_repr.maxlevel = 3

_SCALARS = frozenset({int, float, bool, type(None), complex})
_SEQUENCES = frozenset({list, tuple})


def _flat(obj: object) -> bool:
    """A scalar, a short string, or a short tuple of scalars: safe for the builtin repr."""
    kind = type(obj)
    if kind in _SCALARS:
        return True
    if kind is str or kind is bytes:
        return len(obj) <= MAX_REPR  # type: ignore[arg-type]
    if kind is tuple and len(obj) <= 4:  # type: ignore[arg-type]
        return all(type(x) in _SCALARS for x in obj)  # type: ignore[attr-defined]
    return False


def short_repr(obj: object) -> str:
    """A repr that stays short and quick however large the object is.

    The builtin repr (C, fast) for flat values and for the first items of a sequence of them;
    reprlib (Python, slower, bounded) for everything else.
    """
    try:
        if _flat(obj):
            text = repr(obj)
        elif type(obj) in _SEQUENCES and all(_flat(x) for x in obj[:8]):  # type: ignore[index]
            head = obj[:8]  # type: ignore[index]
            text = repr(head)
            if len(obj) > 8:  # type: ignore[arg-type]
                text = f"{text[:-1]}, … {len(obj) - 8} more{text[-1]}"  # type: ignore[arg-type]
        else:
            text = _repr.repr(obj)
    except Exception as exc:  # a broken __repr__ must not break the task's bookkeeping
        return f"<unrepresentable {type(obj).__name__}: {exc!r}>"
    return text if len(text) <= MAX_REPR else text[: MAX_REPR - 1] + "…"


class Deferred:
    """A value whose short repr is taken later, by the flusher, off the workers' hot path.

    Holding the object until the next flush (~30 ms) costs less than a repr per task; the
    repr then shows the object as it was at flush time.
    """

    __slots__ = ("obj",)

    def __init__(self, obj: object) -> None:
        self.obj = obj


class RunIds:
    """Id sources shared by every pool of one run, so ids stay unique across live resizes."""

    def __init__(self) -> None:
        # next() on itertools.count is atomic in CPython: no lock needed from many threads.
        self.tasks = itertools.count()
        self.workers = itertools.count()
        self.pools = itertools.count()
        self.maps = itertools.count()
