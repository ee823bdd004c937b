"""schedviz: live timelines of Python thread pools, processes and asyncio.

`schedviz.trace(name=…)` traces a block of your own program (`with schedviz.trace():`); it is
loaded on first use, so importing schedviz stays light.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "trace":
        import importlib

        return importlib.import_module("schedviz.trace")
    raise AttributeError(f"module 'schedviz' has no attribute {name!r}")
