"""Task functions the executor tests submit; module-level so worker processes can import them."""

from __future__ import annotations

import os
import pickle
import sys
import time


def square(x: int) -> int:
    return x * x


def boom(msg: str) -> None:
    raise KeyError(msg)


def wait_for_file(path: str, timeout: float = 20.0) -> bool:
    """Block in the worker until the test creates `path`: a release that crosses processes."""
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


def die(code: int) -> None:
    os._exit(code)


def die_after_file(path: str) -> None:
    wait_for_file(path)
    os._exit(7)


def _raise_value_error(message: str) -> None:
    raise ValueError(message)


class ErrorAtUnpickle:
    """An argument whose unpickling in the worker raises (cf. CPython's test_deadlock)."""

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return _raise_value_error, ("unpickling failed on purpose",)


class ExitAtUnpickle:
    """An argument whose unpickling in the worker calls sys.exit() (cf. CPython's test_deadlock)."""

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return sys.exit, ()


class ErrorAtPickle:
    """An argument that cannot be pickled at all."""

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        raise pickle.PicklingError("pickling failed on purpose")
