"""Which TEI files a command works on (tei_tools.editions)."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import EDITION_DIR, edition_xml_files
from tei_tools.editions import distinct_documents, edition_files
from tei_tools.errors import UsageError


def test_edition_files_default_and_directories(tmp_path: Path):
    (tmp_path / "edition" / "source").mkdir(parents=True)
    (tmp_path / "edition" / "b.xml").write_text("<x/>")
    (tmp_path / "edition" / "a.xml").write_text("<x/>")
    (tmp_path / "edition" / "notes.txt").write_text("not xml")
    (tmp_path / "edition" / "source" / "raw.xml").write_text("<x/>")
    folder = tmp_path / "edition"
    assert edition_files([folder]) == [folder / "a.xml", folder / "b.xml"]
    assert edition_files([folder / "b.xml"]) == [folder / "b.xml"]
    with pytest.raises(UsageError):
        edition_files([tmp_path / "missing"])


def test_hidden_files_and_folders_are_not_searched(tmp_path: Path):
    """macOS leaves `._a.xml` (binary resource forks) on other file systems; `.git/` and
    editors' backups hold copies. Named on the command line, a hidden file is still taken."""
    folder = tmp_path / "edition"
    (folder / ".git").mkdir(parents=True)
    (folder / "a.xml").write_text("<x/>")
    (folder / "._a.xml").write_bytes(b"\x00\x05\x16\x07Mac OS X")
    (folder / ".git" / "b.xml").write_text("<x/>")
    assert edition_files([folder]) == [folder / "a.xml"]
    assert edition_files([folder / "._a.xml"]) == [folder / "._a.xml"]


def test_edition_files_default_is_the_edition_folder(monkeypatch):
    monkeypatch.chdir(EDITION_DIR.parent)
    assert edition_files() == [Path("edition") / p.relative_to(EDITION_DIR) for p in edition_xml_files()]


def test_a_file_given_twice_is_built_once(tmp_path: Path):
    (tmp_path / "a.xml").write_text("<x/>")
    assert distinct_documents([tmp_path / "a.xml", tmp_path / "." / "a.xml"]) == [tmp_path / "a.xml"]


def test_two_files_with_the_same_outputs_are_a_usage_error(tmp_path: Path):
    """`1923/a.xml` and `1924/A.xml` would both write a.html (on a case-insensitive file system)."""
    for folder, name in (("1923", "a.xml"), ("1924", "A.xml")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / name).write_text("<x/>")
    with pytest.raises(UsageError, match="writes the same outputs"):
        distinct_documents([tmp_path / "1923" / "a.xml", tmp_path / "1924" / "A.xml"])


def test_without_paths_a_folder_without_edition_is_a_usage_error(tmp_path: Path, monkeypatch):
    """No fallback to another project's edition/ (the outputs would go to this folder's dist/)."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UsageError, match=r"^edition:0:0: error: no such folder in the working directory"):
        edition_files(required_for="build")


def test_a_file_name_that_is_not_utf8_is_a_usage_error(tmp_path: Path):
    """Outputs are named after the file: bytes another system wrote cannot name them."""
    path = tmp_path / "ok\udcfe.xml"  # the byte 0xFE, as Python shows an undecodable name
    path.write_text("<x/>")
    with pytest.raises(UsageError, match=r"ok\\udcfe\.xml:0:0: error: the file name is not UTF-8 text"):
        distinct_documents([path])


def test_a_folder_that_cannot_be_read_is_a_usage_error_not_skipped(tmp_path: Path, monkeypatch):
    """rglob skips a folder it cannot read in silence: its editions would be left out."""
    import os

    (tmp_path / "edition" / "1924").mkdir(parents=True)
    (tmp_path / "edition" / "a.xml").write_text("<x/>")
    locked = tmp_path / "edition" / "1924"
    real_scandir = os.scandir

    def scandir(path="."):  # as a folder without read permission answers (the tests run as root)
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(UsageError, match=rf"^{locked}:0:0: error: cannot read folder: Permission denied$"):
        edition_files([tmp_path / "edition"])


def test_a_link_that_leads_nowhere_in_a_folder_is_kept_to_be_reported(tmp_path):
    """Left out, its document would silently miss from a build or a deposit."""
    (tmp_path / "real.xml").write_text("<TEI/>", encoding="utf-8")
    (tmp_path / "gone.xml").symlink_to(tmp_path / "nothing.xml")
    loop = tmp_path / "loop.xml"
    loop.symlink_to(loop)
    assert [p.name for p in edition_files([tmp_path])] == ["gone.xml", "loop.xml", "real.xml"]


def test_a_named_link_in_a_loop_is_called_so(tmp_path):
    loop = tmp_path / "loop.xml"
    loop.symlink_to(loop)
    with pytest.raises(UsageError, match="a symbolic link that leads nowhere \\(or round in a loop\\)"):
        edition_files([loop])
