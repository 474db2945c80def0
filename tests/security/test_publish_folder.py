"""One atomic folder publish (``desktop.storage.atomic.publish_folder``), used by models,
adapters and training checkpoints: the folder in place is always a whole old one or a
whole new one, and a kill between the two renames is undone by ``recover_folder``."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.storage.atomic import aside, publish_folder, recover_folder


def _folder(path: Path, text: str) -> Path:
    path.mkdir(parents=True)
    (path / "weights").write_text(text)
    return path


def test_publish_replaces_the_previous_folder_and_leaves_nothing_aside(tmp_path: Path) -> None:
    final = _folder(tmp_path / "model", "old")
    publish_folder(_folder(tmp_path / ".model.tmp", "new"), final)
    assert (final / "weights").read_text() == "new"
    assert not aside(final).exists() and not (tmp_path / ".model.tmp").exists()
    publish_folder(_folder(tmp_path / ".fresh.tmp", "first"), tmp_path / "fresh")  # nothing to replace
    assert (tmp_path / "fresh" / "weights").read_text() == "first"


def test_a_kill_between_the_renames_is_undone(tmp_path: Path) -> None:
    final = tmp_path / "adapter"
    _folder(aside(final), "previous")  # moved aside, the new one never renamed in
    assert recover_folder(final) is True
    assert (final / "weights").read_text() == "previous" and not aside(final).exists()
    _folder(aside(final), "stale")  # killed after publishing, before deleting the old one
    assert recover_folder(final) is False
    assert (final / "weights").read_text() == "previous" and not aside(final).exists()


def test_a_failed_rename_puts_the_previous_folder_back(tmp_path: Path) -> None:
    final = _folder(tmp_path / "ckpt", "previous")
    with pytest.raises(OSError):
        publish_folder(tmp_path / "missing", final)
    assert (final / "weights").read_text() == "previous" and not aside(final).exists()
