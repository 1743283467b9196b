"""tei_tools.fsutil: the date a build claims (SOURCE_DATE_EPOCH, else the revision date)."""
from __future__ import annotations

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
