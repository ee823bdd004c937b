"""What every instrumented executor shares: run-wide id sources and bounded reprs."""

from __future__ import annotations

import itertools
import reprlib

_repr = reprlib.Repr()
_repr.maxstring = 120
_repr.maxother = 120
_repr.maxlist = _repr.maxtuple = _repr.maxdict = _repr.maxset = 8
_repr.maxlevel = 3


def short_repr(obj: object) -> str:
    """A repr that stays short however large the object is (results can be huge lists)."""
    try:
        return _repr.repr(obj)
    except Exception as exc:  # a broken __repr__ must not break the task's bookkeeping
        return f"<unrepresentable {type(obj).__name__}: {exc!r}>"


class RunIds:
    """Id sources shared by every pool of one run, so ids stay unique across live resizes."""

    def __init__(self) -> None:
        # next() on itertools.count is atomic in CPython: no lock needed from many threads.
        self.tasks = itertools.count()
        self.workers = itertools.count()
        self.pools = itertools.count()
        self.maps = itertools.count()
