"""A store for the storage tests (their real runs: tests/realruns.py, via tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from schedviz.storage.recordings import RecordingStore


@pytest.fixture
def store(tmp_path: Path) -> Iterator[RecordingStore]:
    with RecordingStore(tmp_path / "recordings.sqlite3", commit_interval_s=0.05) as s:
        yield s
