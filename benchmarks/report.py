"""One way for every benchmark to write its results: a JSON table with the machine and the time
it ran, beside the numbers, so a reader knows where they come from."""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path
from typing import Any


def write_table(out: str | Path, rows: list[dict[str, Any]], **facts: Any) -> dict[str, Any]:
    """Write `facts`, the machine, the time and `rows` (as "results") to `out`; return the table."""
    table = {
        **facts,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "results": rows,
    }
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(table, indent=2) + "\n")
    return table
