"""The user's program, run in this process as `python script.py` or `python -m module` would.

The rule: the program cannot tell it is traced. It runs as `__main__` (as runpy does for python):
`sys.argv` is `[script, args…]` (for `-m`, the module's file first), `sys.path[0]` is the
script's folder (for `-m`, the working directory), `if __name__ == "__main__":` runs, and its
stdout and stderr are its own. Its end is python's: a `SystemExit` code becomes the exit code
(None → 0, an int, anything else printed → 1); an uncaught exception is printed by
`sys.excepthook` (without this module's frames) → 1; an uncaught
KeyboardInterrupt is printed and the process ends by SIGINT, as python does (`exit_by_signal`).

Multiprocessing's spawn and forkserver workers find functions defined in the script: while it
runs, `sys.modules["__main__"]` is its module (with `__file__`, or `__spec__` for `-m`), which
is what their main-module fix-up imports again as `__mp_main__`.

Guarantees:
- `run` returns an `Outcome` for every way the program ends; it never raises what the
  program raised.
- `finish_threads` waits for the program's non-daemon threads and pools, as the interpreter
  does at exit (its own `threading._shutdown`, idempotent, so the exit's call is a no-op).
"""

from __future__ import annotations

import builtins
import contextlib
import importlib.machinery
import importlib.util
import io
import os
import signal
import sys
import threading
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import CodeType, ModuleType, TracebackType

_HERE = os.path.dirname(os.path.abspath(__file__))


class ProgramNotFound(Exception):
    """The script or module does not exist: python's own message."""


@dataclass(frozen=True)
class Program:
    """What to run: a script path or a module name, and its arguments."""

    target: str
    args: tuple[str, ...] = ()
    module: bool = False

    @property
    def display(self) -> str:
        """How the program is named: its file name, or `-m module`."""
        return f"-m {self.target}" if self.module else os.path.basename(self.target)

    @property
    def root(self) -> Path:
        """The folder whose files are the program's own (sys.path[0] while it runs)."""
        if self.module:
            return Path.cwd()
        return Path(os.path.abspath(self.target)).parent

    def main_file(self) -> Path | None:
        """The file that runs as __main__ (for -m: the module's, or its package's __main__)."""
        if not self.module:
            return Path(os.path.abspath(self.target))
        try:
            spec = importlib.util.find_spec(self.target)
        except (ImportError, ValueError):
            return None
        if spec is None:
            return None
        if spec.submodule_search_locations is not None:  # a package: its __main__
            try:
                spec = importlib.util.find_spec(self.target + ".__main__")
            except (ImportError, ValueError):
                return None
        return Path(spec.origin) if spec is not None and spec.origin else None

    def check(self) -> None:
        """ProgramNotFound with python's words when there is nothing to run."""
        if not self.module:
            path = os.path.abspath(self.target)
            if not os.path.isfile(path):
                raise ProgramNotFound(
                    f"can't open file {path!r}: [Errno 2] No such file or directory")
            return
        saved = sys.path[0] if sys.path else None
        _set_path0(str(self.root))
        try:
            if self.main_file() is None:
                raise ProgramNotFound(f"No module named {self.target}")
        finally:
            if saved is not None:
                sys.path[0] = saved


@dataclass(frozen=True)
class Outcome:
    """How the program ended: its exit code and, for the trace, in words."""

    exit_code: int
    reason: str  # completed, stopped (Ctrl-C) or error (a failure or a non-zero exit)
    message: str | None = None
    interrupted: bool = False


def run(program: Program) -> Outcome:
    """Run `program` as __main__ in this thread, to its end.

    Its module stays `sys.modules["__main__"]`, and `sys.argv` and `sys.path[0]` stay its own,
    after it returns: its threads and pools may still run (and pickle its functions) until
    the process exits, as under python.
    """
    try:
        code, module = _main_module(program)
        exec(code, module.__dict__)
    except SystemExit as exc:
        return _exited(exc.code)
    except KeyboardInterrupt as exc:
        _print_uncaught(exc)
        return Outcome(130, "stopped", "interrupted (Ctrl-C)", interrupted=True)
    except BaseException as exc:
        _print_uncaught(exc)
        raised = traceback.format_exception_only(exc)[-1].strip()
        return Outcome(1, "error", f"the program raised {raised}")
    return Outcome(0, "completed")


def _main_module(program: Program) -> tuple[CodeType, ModuleType]:
    """The program's code and the fresh `__main__` module it runs in, put in place.

    What runpy does for `python script.py` and `python -m module`, in a module of its own (not
    runpy's temporary one, which it takes back when the code returns).
    """
    module = ModuleType("__main__")
    module.__dict__["__builtins__"] = builtins
    if program.module:
        _set_path0(os.getcwd())
        spec = importlib.util.find_spec(program.target)
        if spec is not None and spec.submodule_search_locations is not None:
            spec = importlib.util.find_spec(program.target + ".__main__")
        if spec is None or spec.loader is None or spec.origin is None:
            raise ImportError(f"No module named {program.target}")
        code = spec.loader.get_code(spec.name)  # type: ignore[attr-defined]
        if code is None:
            raise ImportError(f"No code object available for {program.target}")
        module.__spec__ = spec
        module.__file__ = spec.origin
        module.__loader__ = spec.loader
        module.__package__ = spec.parent
        module.__dict__["__cached__"] = spec.cached
        sys.argv = [spec.origin, *program.args]
    else:
        path = os.path.abspath(program.target)
        _set_path0(os.path.dirname(path))
        with io.open_code(path) as f:
            code = compile(f.read(), path, "exec", dont_inherit=True)
        module.__file__ = path
        module.__dict__["__cached__"] = None
        module.__loader__ = importlib.machinery.SourceFileLoader("__main__", path)
        module.__package__ = None
        module.__spec__ = None
        sys.argv = [program.target, *program.args]
    sys.modules["__main__"] = module
    return code, module


def _set_path0(folder: str) -> None:
    if sys.path:
        sys.path[0] = folder
    else:
        sys.path.insert(0, folder)


def _exited(code: object) -> Outcome:
    """A SystemExit's code as python turns it into an exit status."""
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code & 0xFF  # what the OS keeps of it, as for python
    else:
        sys.stderr.write(f"{code}\n")
        status = 1
    if status == 0:
        return Outcome(0, "completed")
    return Outcome(status, "error", f"the program exited with code {status}")


def _print_uncaught(exc: BaseException) -> None:
    """What python prints for an uncaught exception: through sys.excepthook, our frames cut."""
    tb = _program_frames(exc.__traceback__)
    exc.__traceback__ = tb  # the default hook prints the exception's own traceback
    try:
        sys.excepthook(type(exc), exc, tb)
    except Exception:  # a broken hook: python falls back to the default print
        traceback.print_exception(type(exc), exc, tb)


def _program_frames(tb: TracebackType | None) -> TracebackType | None:
    """The traceback from the program's first frame on (this package's left out)."""
    while tb is not None:
        path = os.path.abspath(tb.tb_frame.f_code.co_filename)
        if os.path.dirname(path) != _HERE:
            break
        tb = tb.tb_next
    return tb


def finish_threads() -> None:
    """Wait for the program's non-daemon threads (and its pools) as the interpreter's exit does.

    `threading._shutdown` is what the interpreter calls next (CPython 3.11-3.13, idempotent):
    it runs threading's exit hooks (which shut idle executors down) and joins the threads.
    """
    shutdown = getattr(threading, "_shutdown", None)
    if shutdown is not None and threading.current_thread() is threading.main_thread():
        shutdown()


def exit_by_signal() -> None:
    """End the process by SIGINT, as python does after an uncaught KeyboardInterrupt."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            stream.flush()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGINT)
