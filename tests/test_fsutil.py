"""tei_tools.fsutil: the date a build claims (SOURCE_DATE_EPOCH, else the revision date)."""
from __future__ import annotations

import sys
from datetime import datetime, timezone

import pytest

from tei_tools.errors import UsageError
from tei_tools.fsutil import DEFAULT_MOMENT, build_datetime, first_moment, source_date_epoch


def day(year: int, month: int, date: int) -> datetime:
    return datetime(year, month, date, tzinfo=timezone.utc)


@pytest.mark.parametrize(("when", "moment"), [
    ("2026-11-28", day(2026, 11, 28)),
    ("2026-11-28Z", day(2026, 11, 28)),
    ("2026-11-28-05:00", day(2026, 11, 28)),
    ("2026-11-28T23:30:00+02:00", day(2026, 11, 28)),  # the day as written, not moved to UTC
    ("2026-11", day(2026, 11, 1)),
    ("2026-11-05:00", day(2026, 11, 1)),  # a month with a time zone, not the 5th
    ("2026", day(2026, 1, 1)),
    ("2026+01:00", day(2026, 1, 1)),
    ("--11-28", None),  # every year: no year to claim
    ("0000", None),
    ("28 November 2026", None),
    ("", None),
])
def test_first_moment_of_each_form_of_w3c_date(when, moment):
    assert first_moment(when) == moment


def test_the_revision_date_dates_the_build_without_source_date_epoch(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert build_datetime("2024-05-02") == day(2024, 5, 2)
    assert build_datetime("2024") == day(2024, 1, 1)
    assert build_datetime("--05-02") == DEFAULT_MOMENT == day(1980, 1, 1)
    assert build_datetime(None) == DEFAULT_MOMENT


def test_source_date_epoch_wins_over_the_revision_date(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", " 1700000000 ")
    assert source_date_epoch() == 1700000000
    assert build_datetime("2024-05-02") == datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc)


def test_an_empty_source_date_epoch_is_unset(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "")
    assert source_date_epoch() is None


@pytest.mark.parametrize("value", ["soon", "-1", "1e9", "١٧٠٠٠٠٠٠٠٠", "253402300800"])
def test_an_unusable_source_date_epoch_is_a_usage_error(monkeypatch, value):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    with pytest.raises(UsageError, match="SOURCE_DATE_EPOCH="):
        build_datetime("2024-05-02")


def test_zip_entries_are_regular_files_readable_by_all():
    """The file type travels with the mode: `zipinfo` and unzip tools show `-rw-r--r--`."""
    import stat
    import zipfile
    from io import BytesIO

    from tei_tools.fsutil import DEFAULT_MOMENT, reproducible_zip

    data = reproducible_zip([("a.txt", b"a", True), ("b.bin", b"b", False)], DEFAULT_MOMENT)
    with zipfile.ZipFile(BytesIO(data)) as archive:
        for info in archive.infolist():
            mode = info.external_attr >> 16
            assert stat.S_ISREG(mode) and stat.S_IMODE(mode) == 0o644, info.filename


def test_a_failed_write_leaves_every_old_output_of_the_document(tmp_path):
    """All or none: the HTML and EPUB are not replaced when the text cannot be written."""
    from tei_tools.errors import OutputError
    from tei_tools.fsutil import atomic_write_all

    (tmp_path / "doc.html").write_bytes(b"old html")
    (tmp_path / "doc.epub").write_bytes(b"old epub")
    (tmp_path / "doc.txt").mkdir()  # a folder where the text edition should go
    with pytest.raises(OutputError, match="doc.txt:0:0: error: cannot write output"):
        atomic_write_all([(tmp_path / "doc.html", b"new html"), (tmp_path / "doc.epub", b"new epub"), (tmp_path / "doc.txt", b"new text")])
    assert (tmp_path / "doc.html").read_bytes() == b"old html"
    assert (tmp_path / "doc.epub").read_bytes() == b"old epub"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.epub", "doc.html", "doc.txt"]  # no temporaries left


def test_every_output_is_on_disk_before_any_is_renamed_into_place(tmp_path, monkeypatch):
    """A crash after a rename must not leave an empty file under an output's name: each
    temporary file is synced (fsync) before the first rename."""
    import os

    from tei_tools.fsutil import atomic_write_all

    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (events.append("replace"), real_replace(a, b))[1])
    atomic_write_all([(tmp_path / "doc.html", b"html"), (tmp_path / "doc.txt", b"text")])
    assert events == ["fsync", "fsync", "replace", "replace"]
    assert (tmp_path / "doc.html").read_bytes() == b"html" and (tmp_path / "doc.txt").read_bytes() == b"text"


def test_zip_timestamps_after_2107_are_clamped_to_the_last_a_zip_can_hold():
    """SOURCE_DATE_EPOCH may name a date up to 9999; a zip's DOS date ends in 2107."""
    from tei_tools.fsutil import zip_timestamp

    assert zip_timestamp(datetime(2200, 5, 1, tzinfo=timezone.utc)) == (2107, 12, 31, 23, 59, 58)
    assert zip_timestamp(datetime(1970, 1, 1, tzinfo=timezone.utc)) == (1980, 1, 1, 0, 0, 0)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")
def test_two_folders_are_swapped_in_one_step(tmp_path):
    from tei_tools.fsutil import exchange_paths

    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "a").write_text("new")
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "a").write_text("old")
    assert exchange_paths(tmp_path / "new", tmp_path / "old")
    assert (tmp_path / "old" / "a").read_text() == "new" and (tmp_path / "new" / "a").read_text() == "old"
    assert not exchange_paths(tmp_path / "new", tmp_path / "missing")  # nothing to swap with: the caller falls back


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_written_files_are_readable_by_all_whatever_the_umask(tmp_path, umask):
    """A temporary file is made private (0600) and renamed into place: without the mode set
    after, dist/ would be unreadable to a web server or a colleague. 0644 whatever the
    umask, so that two builds (and a deposit) hold the same modes."""
    import os
    import stat

    from tei_tools.fsutil import atomic_write, atomic_write_all

    previous = os.umask(umask)
    try:
        single = atomic_write(tmp_path / "one.txt", b"one")
        several = atomic_write_all([(tmp_path / "two.txt", b"two"), (tmp_path / "three.txt", b"three")])
    finally:
        os.umask(previous)
    for path in [single, *several]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path
