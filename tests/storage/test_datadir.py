"""The data directory: which one applies, created private, and refused with the way out."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from schedviz.storage.datadir import DataDirError, choose, data_dir


def test_which_directory_applies() -> None:
    env = {"SCHEDVIZ_DATA_DIR": "/env/dir", "XDG_DATA_HOME": "/xdg", "HOME": "/home/u"}
    assert choose("/given", env) == Path("/given")
    assert choose(None, env) == Path("/env/dir")
    assert choose(None, {**env, "SCHEDVIZ_DATA_DIR": ""}) == Path("/xdg/schedviz")
    assert choose(None, {"HOME": "/home/u"}) == Path("/home/u/.local/share/schedviz")
    # The XDG spec: a relative XDG_DATA_HOME is invalid and ignored.
    assert choose(None, {"XDG_DATA_HOME": "rel", "HOME": "/h"}) == Path("/h/.local/share/schedviz")
    assert choose("~/x", {"HOME": "/h"}) == Path("~/x").expanduser()


def test_it_is_created_private(tmp_path: Path) -> None:
    path = data_dir(None, {"XDG_DATA_HOME": str(tmp_path / "xdg")})
    assert path == tmp_path / "xdg" / "schedviz" and path.is_dir()
    assert stat.S_IMODE(path.stat().st_mode) == 0o700
    assert data_dir(path) == path  # an existing one is fine


def test_a_file_in_the_way_is_named(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("x")
    with pytest.raises(DataDirError, match=r"data directory .*taken \(as given\) exists but is "
                                           "not a folder.*SCHEDVIZ_DATA_DIR"):
        data_dir(tmp_path / "taken")
    with pytest.raises(DataDirError, match=r"cannot create the data directory .*taken/sub "
                                           r"\(from \$SCHEDVIZ_DATA_DIR\).*Set SCHEDVIZ_DATA_DIR"):
        data_dir(None, {"SCHEDVIZ_DATA_DIR": str(tmp_path / "taken" / "sub")})


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in a read-only folder anyway")
def test_a_folder_without_write_permission_is_named(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        with pytest.raises(DataDirError, match=r"cannot write in the data directory .*locked"):
            data_dir(locked)
    finally:
        locked.chmod(0o700)


def test_a_folder_that_cannot_be_written_is_named() -> None:
    with pytest.raises(DataDirError, match=r"cannot (create|write in) the data directory "
                                           r"/proc/schedviz"):
        data_dir("/proc/schedviz")


def test_the_write_check_names_the_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    """(Root writes anywhere, so the refusal is made to happen.)"""
    def refuse(**kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("schedviz.storage.datadir.tempfile.TemporaryFile", refuse)
    with pytest.raises(DataDirError, match=r"cannot write in the data directory .*: Permission "
                                           r"denied\. Give yourself write permission"):
        data_dir(tmp_path)
