"""How every browser test and benchmark launches Chromium: Debian's (or $CHROMIUM_PATH) when
there is one, else Playwright's own; without a sandbox and without background DNS lookups."""

from __future__ import annotations

import os
import shutil
from typing import Any

# Stops Chromium's background lookups; both EXCLUDEs are needed for the loopback servers.
HOST_RULES = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost"


def launch_args(base: dict[str, Any] | None = None) -> dict[str, Any]:
    """Keyword arguments for `BrowserType.launch`, added to `base` (e.g. pytest-playwright's)."""
    args = dict(base or {})
    executable = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if executable:
        args["executable_path"] = executable
    args["args"] = [*args.get("args", []), "--no-sandbox", HOST_RULES]
    return args
