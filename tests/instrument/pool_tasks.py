"""Task functions the executor tests submit; module-level so worker processes can import them."""

from __future__ import annotations

import os
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
