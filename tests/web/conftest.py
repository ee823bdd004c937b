"""A real app (real lab processes, real websockets) in Starlette's TestClient."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from schedviz.web.app import create_app

BASE = "http://127.0.0.1"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    """The app over a recordings library of its own."""
    with TestClient(create_app(data_dir=tmp_path / "data"), base_url=BASE) as c:
        yield c
