"""Outputs appear whole or not at all."""

import os
import stat

import pytest

from frankenmodels.io import atomic_directory, atomic_path, read_json, write_json


def test_failed_write_leaves_no_file(tmp_path):
    target = tmp_path / "out.json"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("interrupted")
    assert not target.exists()
    assert os.listdir(tmp_path) == []


def test_failed_directory_keeps_the_old_one(tmp_path):
    target = tmp_path / "model"
    target.mkdir()
    (target / "weights").write_text("old")
    with pytest.raises(RuntimeError), atomic_directory(target) as folder:
        (folder / "weights").write_text("new, incomplete")
        raise RuntimeError("interrupted")
    assert (target / "weights").read_text() == "old"
    assert sorted(os.listdir(tmp_path)) == ["model"]


def test_written_files_are_readable_by_others(tmp_path):
    old = os.umask(0o022)
    try:
        write_json(tmp_path / "x.json", {"a": 1})
    finally:
        os.umask(old)
    mode = stat.S_IMODE((tmp_path / "x.json").stat().st_mode)
    assert mode == 0o644
    assert read_json(tmp_path / "x.json") == {"a": 1}
