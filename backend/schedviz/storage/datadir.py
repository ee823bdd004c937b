"""Where schedviz keeps its files: a path given > $SCHEDVIZ_DATA_DIR > $XDG_DATA_HOME/schedviz
> ~/.local/share/schedviz, created private (0700) and checked writable before anything relies
on it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

ENV_VAR = "SCHEDVIZ_DATA_DIR"


class DataDirError(OSError):
    """The data directory cannot be created or written; the message names it and the fix."""


def choose(explicit: str | Path | None = None, env: Mapping[str, str] | None = None) -> Path:
    """The data directory that applies, without touching the disk."""
    env = os.environ if env is None else env
    if explicit is not None and str(explicit):
        return Path(explicit).expanduser()
    if env.get(ENV_VAR):
        return Path(env[ENV_VAR]).expanduser()
    xdg = env.get("XDG_DATA_HOME", "")
    if xdg and Path(xdg).is_absolute():  # the XDG spec: a relative value is to be ignored
        return Path(xdg) / "schedviz"
    home = env.get("HOME") or str(Path.home())
    return Path(home) / ".local" / "share" / "schedviz"


def data_dir(explicit: str | Path | None = None, env: Mapping[str, str] | None = None) -> Path:
    """The data directory, created (0700) if missing and checked writable."""
    path = choose(explicit, env)
    source = _source(explicit, env)
    existed = path.is_dir()
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not existed:
            path.chmod(0o700)  # mkdir's mode is masked by the umask
    except FileExistsError:
        raise DataDirError(
            f"the data directory {path} ({source}) exists but is not a folder: move that file "
            f"away, or set {ENV_VAR} to a folder schedviz may use"
        ) from None
    except OSError as exc:
        raise DataDirError(
            f"cannot create the data directory {path} ({source}): {exc.strerror}. Set "
            f"{ENV_VAR} to a folder schedviz may write, or create this one yourself"
        ) from None
    if not path.is_dir():
        raise DataDirError(
            f"the data directory {path} ({source}) is not a folder: set {ENV_VAR} to one"
        )
    try:
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise DataDirError(
            f"cannot write in the data directory {path} ({source}): {exc.strerror}. Give "
            f"yourself write permission on it, or set {ENV_VAR} to another folder"
        ) from None
    return path


def _source(explicit: str | Path | None, env: Mapping[str, str] | None) -> str:
    env = os.environ if env is None else env
    if explicit is not None and str(explicit):
        return "as given"
    if env.get(ENV_VAR):
        return f"from ${ENV_VAR}"
    if env.get("XDG_DATA_HOME", "") and Path(env["XDG_DATA_HOME"]).is_absolute():
        return "from $XDG_DATA_HOME"
    return "the default"
