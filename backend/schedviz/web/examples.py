"""The shipped examples (examples/*.py of the checkout) run from the page by name: the server
starts `schedviz trace --live` of the named file as a process of its own, which pushes the
trace back to this server (web/tracepush.py) like any traced program, so it is shown live and
recorded.

Guarantees:
- Only a shipped example runs, chosen by its bare name from the folder's listing: a name is
  never joined into a path the client chose, so no other file can be named ("../x", "/etc/…").
- One example runs at a time, and not while another run is going (the push is refused then,
  and the example's process ends with it); its process is reaped when it ends.
- The server runs no code it is sent: the files are the checkout's own.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException


def examples_dir() -> Path:
    """examples/ of the checkout ($SCHEDVIZ_EXAMPLES overrides it, as for the frontend)."""
    configured = os.environ.get("SCHEDVIZ_EXAMPLES")
    return Path(configured) if configured else Path(__file__).resolve().parents[3] / "examples"


def shipped() -> dict[str, Path]:
    """name (the file's stem) -> its path, for every example there is."""
    folder = examples_dir()
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.glob("*.py")) if p.stem.isidentifier()}


def summary(path: Path) -> dict[str, Any]:
    """An example's name, title (its docstring's first line) and the commands it documents."""
    try:
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    except (OSError, SyntaxError):
        doc = ""
    title = doc.split("\n\n")[0].replace("\n", " ").strip()
    return {"name": path.stem, "file": path.name, "title": title}


class ExampleRunner:
    """Starts one example at a time as `schedviz trace --live` into this server's library."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self.name: str | None = None

    def running(self) -> bool:
        with self._lock:
            return self._proc is not None and self._proc.poll() is None

    def start(self, name: str, data_dir: Path) -> None:
        examples = shipped()
        if name not in examples:
            known = ", ".join(examples) or "none"
            raise HTTPException(404, f"no shipped example {name!r}; the examples are: {known}")
        with self._lock:
            if self._proc is not None and self._proc.poll() is None:
                raise HTTPException(409, f"the example {self.name} is still running; wait for it "
                                    "to end")
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "schedviz", "trace", "--live", "--data-dir", str(data_dir),
                 str(examples[name])],
                cwd=examples[name].parent, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, start_new_session=True,
            )
            self.name = name
            proc = self._proc
        threading.Thread(target=proc.wait, name=f"example-{name}", daemon=True).start()

    def stop(self) -> None:
        """End a running example (the server is stopping)."""
        with self._lock:
            proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def router(runner: ExampleRunner, data_dir: Any) -> APIRouter:
    """GET /api/examples, POST /api/examples/{name}/run; `data_dir()` is the library's folder."""
    api = APIRouter()

    @api.get("/api/examples")
    async def list_examples() -> list[dict[str, Any]]:
        return [summary(p) for p in shipped().values()]

    @api.post("/api/examples/{name}/run", status_code=202)
    async def run_example(name: str) -> dict[str, Any]:
        runner.start(name, data_dir())
        return {"example": name, "running": True}

    return api
