"""File-system helpers: atomic writes, reproducible timestamps, reproducible zips."""
from __future__ import annotations

import os
import re
import stat
import sys
import tempfile
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from tei_tools.errors import OutputError, UsageError

TEMP_SUFFIX = ".tmp"
# The earliest and the latest timestamps a zip entry can hold (DOS time: 1980 to 2107,
# in steps of two seconds).
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
ZIP_LAST = (2107, 12, 31, 23, 59, 58)


def atomic_write(path: str | Path, data: bytes) -> Path:
    """Write `data` to `path` through a temporary file in the same folder, then rename.

    A build that fails or is killed half-way therefore never leaves a truncated file:
    readers see either the previous output or the new one.
    """
    return atomic_write_all([(path, data)])[0]


def atomic_write_all(files: Iterable[tuple[str | Path, bytes]]) -> list[Path]:
    """Write several outputs of one document all or none: every temporary file is written
    (and synced) first, and only then are they renamed into place.

    A write that fails (a full disk, a folder where an output should be) leaves every
    previous output as it was, so a document never ends with a new HTML beside an old text.
    """
    staged: list[tuple[Path, Path]] = []
    renamed = 0
    try:
        for path, data in files:
            staged.append((stage_file(path, data), Path(path)))
        for tmp, target in staged:
            commit_staged(tmp, target)
            renamed += 1
    finally:
        for tmp, _target in staged[renamed:]:  # after a failure: the temporaries not renamed
            _remove_quietly(str(tmp))
    return [target for _tmp, target in staged]


def stage_file(path: str | Path, data: bytes) -> Path:
    """`data` written and synced beside `path`, not yet in its place: commit_staged puts it
    there. For outputs that change together (a document's formats, a bag and its zip)."""
    target = Path(path)
    if target.is_dir():
        raise cannot_write(target, "a folder has its name")
    return Path(_write_temporary(target, data))


def cannot_write(target: Path, reason: str) -> OutputError:
    """The error of an output file that cannot be written, located at the file."""
    return OutputError(f"{target}:0:0: error: cannot write output: {reason}", reason)


def commit_staged(staged: Path, target: Path) -> Path:
    """Rename a staged file into its place; remove it if that fails."""
    try:
        os.replace(staged, target)
    except OSError as exc:
        _remove_quietly(str(staged))
        raise cannot_write(target, exc.strerror or str(exc)) from None
    return target


def _write_temporary(target: Path, data: bytes) -> str:
    """`data` in a synced temporary file beside `target` (named for atomic_write's clean-up)."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=TEMP_SUFFIX, dir=target.parent)
    except OSError as exc:
        raise cannot_write(target, exc.strerror or str(exc)) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
    except BaseException as exc:
        _remove_quietly(tmp)
        if isinstance(exc, OSError):
            raise cannot_write(target, exc.strerror or str(exc)) from None
        raise
    return tmp


def remove_abandoned_temporaries(folder: str | Path) -> list[Path]:
    """Delete the temporaries whose writer is no longer running: the files of atomic_write
    and the staging folders of a deposit package.

    A build killed between writing a temporary file and renaming it leaves the file
    behind (the output itself is intact). Those of a live process are left alone.
    """
    import shutil

    removed = []
    for candidate in Path(folder).glob(f".*{TEMP_SUFFIX}"):
        pid = _writer_pid(candidate.name)
        if pid is None or _running(pid) or candidate.is_symlink():
            continue
        if candidate.is_file():
            _remove_quietly(str(candidate))
        elif candidate.is_dir():
            shutil.rmtree(candidate, ignore_errors=True)
        removed.append(candidate)
    return removed


def _writer_pid(name: str) -> int | None:
    """The process id in `.<output name>.<pid>.<random>.tmp`, if the name has one."""
    parts = name[: -len(TEMP_SUFFIX)].split(".")
    return int(parts[-2]) if len(parts) >= 3 and parts[-2].isdigit() else None


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


_RENAME_EXCHANGE = 2  # linux/fs.h
_AT_FDCWD = -100


def exchange_paths(first: str | Path, second: str | Path) -> bool:
    """Swap two existing paths in one atomic step; False where the system cannot (not
    Linux, a Python without ctypes, an old C library or kernel, a file system without
    it): the caller falls back. A symbolic link is swapped as the link itself."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        renameat2 = ctypes.CDLL(None).renameat2
    except (ImportError, OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


# The last second a datetime can hold (31 December 9999).
LAST_EPOCH = 253402300799


def source_date_epoch() -> int | None:
    """The `SOURCE_DATE_EPOCH` of reproducible-builds.org; None when unset or empty.

    Raises UsageError when it is anything but a whole number of seconds since 1970 that a
    date can hold: the specification asks a build to stop rather than guess.
    """
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or int(value) > LAST_EPOCH:
        raise UsageError(
            f"SOURCE_DATE_EPOCH={value[:40]!r}: error: not a whole number of seconds since "
            "1970-01-01 up to the year 9999 (see reproducible-builds.org); unset it or fix it"
        )
    return int(value)


# The forms @when may take (xs:date, gYear, gYearMonth, dateTime; a time zone or not).
_W3C_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:T.*|Z|[+-]\d{2}:\d{2})?")


def first_moment(w3c_date: str) -> datetime | None:
    """The first moment (UTC) of a date as TEI's @when writes it, or None.

    "2026" is 2026-01-01, "2026-11" is 2026-11-01, "2026-11-28" and "2026-11-28T09:30:00+02:00"
    are that day (the day as written: the outputs show days). A day recurring every year
    ("--11-28") has no year, so it is None, as is anything that is not a date.
    """
    match = _W3C_DATE.fullmatch(w3c_date.strip())
    if match is None:
        return None
    year, month, day = (int(part) if part else 1 for part in match.groups())
    try:
        return datetime(year, month, day, tzinfo=timezone.utc)
    except ValueError:  # no such day (the schema lets none through) or year 0
        return None


# The date a build claims when it has neither SOURCE_DATE_EPOCH nor a revision date.
DEFAULT_MOMENT = datetime(1980, 1, 1, tzinfo=timezone.utc)


def build_datetime(fallback_iso_date: str | None) -> datetime:
    """The moment a build claims to be made: SOURCE_DATE_EPOCH, else the edition's revision date.

    Never the clock: two builds of the same sources must be byte-identical. A revision
    date without a year (or none) gives 1980-01-01, the earliest date a zip can hold.
    """
    epoch = source_date_epoch()
    if epoch is not None:
        return datetime.fromtimestamp(epoch, tz=timezone.utc)
    return revision_datetime(fallback_iso_date)


def revision_datetime(revision_iso_date: str | None) -> datetime:
    """The edition's own date, whatever SOURCE_DATE_EPOCH says: its revision date, else
    1980-01-01. A deposit's reading editions claim it (tei_tools.package), so that they are
    the released ones, whichever day the package is made."""
    return (first_moment(revision_iso_date) if revision_iso_date else None) or DEFAULT_MOMENT


def zip_timestamp(moment: datetime) -> tuple[int, int, int, int, int, int]:
    """A zip date_time tuple for `moment`, clamped to what the zip format can hold."""
    stamp = moment.astimezone(timezone.utc).timetuple()[:6]
    return min(max(tuple(stamp), ZIP_EPOCH), ZIP_LAST)  # type: ignore[return-value]


ZIP_LEVEL = 3


def reproducible_zip(entries: Iterable[tuple[str, bytes, bool]], moment: datetime) -> bytes:
    """Zip `entries` (name, data, compress) in the given order with fixed metadata.

    Every entry gets the same timestamp, permissions and no extra fields, so the same
    input always gives the same bytes. Deflate level 3: the article's EPUB compresses in
    1.1 ms instead of 2.2 at zlib's default (6), for a file 10 % larger (28 kB, not 26);
    level 9 took a quarter longer than 6 for files 1 % smaller.
    """
    import io

    stamp = zip_timestamp(moment)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data, compress in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            info.external_attr = (stat.S_IFREG | 0o644) << 16  # a regular file, rw-r--r--
            info.create_system = 3  # Unix: the same on every builder
            archive.writestr(info, data, compresslevel=ZIP_LEVEL if compress else None)
    return buffer.getvalue()

