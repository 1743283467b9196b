"""Read a zip defensively: refuse what could escape the folder it is unpacked into or
exhaust the machine, and report damage by entry, before anything is unpacked.

Entry names that are absolute, climb with `..`, hold a backslash or NUL, or are links are
refused (zip-slip); the number of entries, their total size and their compression ratio
are bounded (zip bomb), and the bytes actually inflated are counted against the bound. A
damaged zip is named as such: bytes after its end, an entry whose local header disagrees
with the table of contents, data that cannot be inflated or whose CRC-32 does not match.
tei_tools.verify unpacks a bag's zip with it.
"""
from __future__ import annotations

import os
import re
import stat
import struct
import zipfile
import zlib
from pathlib import Path

from tei_tools.errors import PackageError

# Bounds for reading a zip. A package of this edition is a few megabytes; the bounds
# leave room for editions a thousand times larger and still stop a zip bomb early.
MAX_ENTRIES = 10_000
MAX_TOTAL_BYTES = 2 * 1024**3
MAX_RATIO = 200  # uncompressed / compressed; text deflates about 3-10 times
# The ratio is checked only for entries larger than this. A file of repeated bytes (5 MB
# of line ends, a blank page) deflates a thousand times and is harmless at that size: a
# bomb harms by the size it unpacks to, and MAX_TOTAL_BYTES, counted as the entries are
# inflated, bounds that whatever their ratio. The ratio refuses early, before anything is
# inflated, an entry big enough to matter: 64 MiB is more than any file of an edition (the
# article's largest is under 1 MB) and a thirty-second of the total allowed.
RATIO_CHECK_FROM = 64 * 1024**2
CHUNK = 64 * 1024

_DRIVE = re.compile(r"^[A-Za-z]:")

ZIP_SIGNATURE = b"PK\x03\x04"


def refuse_data_after_the_end(path: Path) -> None:
    """Bytes after a zip's end are damage (a copy that went wrong, data appended): the file
    is no longer the one whose checksum was published, although zipfile reads past them."""
    extra = bytes_after_the_end(path)
    if extra:
        raise PackageError(f"{path}:0:0: error: a damaged zip: {extra} bytes after its end (data appended to it)")


END_SIGNATURE = b"PK\x05\x06"  # the end of central directory record (APPNOTE 4.3.16)
_END_RECORD = struct.Struct("<4s4H2LH")  # signature, disks, entries, size and offset of the directory, comment length
ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"  # APPNOTE 4.3.15
_ZIP64_LOCATOR = struct.Struct("<4sLQL")  # signature, disk, offset of the zip64 end record, disks
ZIP64_END_SIGNATURE = b"PK\x06\x06"  # APPNOTE 4.3.14
_ZIP64_END_RECORD = struct.Struct("<4sQ2H2L4Q")  # …, entries (2), size and offset of the directory


def bytes_after_the_end(path: Path) -> int | None:
    """How many bytes follow the zip's end of central directory record and its comment;
    None when no record ends a zip that begins at the file's first byte.

    The file is read backwards in chunks, so that data appended beyond zipfile's reach
    (64 kB) is measured too. A record counts only when the directory it describes ends
    where the record begins: an EPUB stored in the bag has its own record, with offsets
    counted from the EPUB's first byte, and is not taken for the zip's end.
    """
    try:
        with open(path, "rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            position = size
            tail = b""
            while position > 0:
                start = max(0, position - CHUNK)
                handle.seek(start)
                block = handle.read(position - start) + tail[: _END_RECORD.size - 1]
                found = block.rfind(END_SIGNATURE)
                while found >= 0:
                    end = _end_of_zip(handle, start + found, size)
                    if end is not None:
                        return size - end
                    found = block.rfind(END_SIGNATURE, 0, found)
                tail, position = block, start
    except OSError:
        return None
    return None


def _end_of_zip(handle, offset: int, size: int) -> int | None:
    """Where the zip ends if an end record starts at `offset`; None if it is not one.

    A zip64 archive (more than 65,535 entries, or 4 GiB) puts a zip64 end record and its
    locator before the end record: the directory then ends where the zip64 record begins.
    """
    handle.seek(offset)
    raw = handle.read(_END_RECORD.size)
    if len(raw) < _END_RECORD.size:
        return None
    _, _, _, _, _, directory_size, directory_offset, comment_length = _END_RECORD.unpack(raw)
    end = offset + _END_RECORD.size + comment_length
    if end > size:
        return None
    if offset >= _ZIP64_LOCATOR.size:
        handle.seek(offset - _ZIP64_LOCATOR.size)
        signature, _, record_offset, _ = _ZIP64_LOCATOR.unpack(handle.read(_ZIP64_LOCATOR.size))
        if signature == ZIP64_LOCATOR_SIGNATURE:
            handle.seek(record_offset)
            record = handle.read(_ZIP64_END_RECORD.size)
            if len(record) < _ZIP64_END_RECORD.size:
                return None
            fields = _ZIP64_END_RECORD.unpack(record)
            if fields[0] != ZIP64_END_SIGNATURE:
                return None
            directory_size, directory_offset = fields[-2], fields[-1]
            return end if directory_offset + directory_size == record_offset else None
    return end if directory_offset + directory_size == offset else None


def starts_like_a_zip(path: Path) -> bool:
    """Whether the file begins as a zip does (a local file header), whatever its end."""
    try:
        with open(path, "rb") as handle:
            return handle.read(4) == ZIP_SIGNATURE
    except OSError:
        return False


def safe_extract(archive_path: Path, dest: Path) -> None:
    """Unpack the zip into `dest` after checking every entry (PackageError when one is
    refused or damaged: nothing is unpacked then, or the caller removes `dest`)."""
    try:
        with zipfile.ZipFile(archive_path) as archive:
            entries = archive.infolist()
            if entries and min(e.header_offset for e in entries) != 0:
                # The table of contents found is not this file's: that of a zip stored
                # inside it (an EPUB), read because the file's own end is missing.
                raise PackageError(f"{archive_path}:0:0: error: a damaged zip: its table of contents does not "
                                   "describe it from its first byte (truncated, or data before the zip?)")
            refusals = entry_refusals(entries)
            if refusals:
                raise PackageError("\n".join(f"{archive_path}:0:0: error: {r}" for r in refusals))
            damage = local_header_mismatches(archive_path, entries)
            if damage:
                raise PackageError("\n".join(f"{archive_path}:0:0: error: a damaged zip: {d}" for d in damage))
            budget = [MAX_TOTAL_BYTES]
            for entry in entries:
                try:
                    extract_entry(archive, entry, dest, budget)
                except UNREADABLE_ENTRY as exc:
                    raise _Damaged(entry.filename, unreadable_reason(entry, exc)) from None
                except OSError as exc:  # e.g. a file and a folder of one name ("a" and "a/b")
                    raise _Refused(entry.filename, f"cannot be unpacked ({exc.strerror or exc}): "
                                   "another entry has the same name as a file or a folder") from None
    except zipfile.BadZipFile as exc:
        raise PackageError(f"{archive_path}:0:0: error: not a readable zip: {exc}") from None
    except _Refused as exc:
        name, reason = exc.args
        raise PackageError(f"{archive_path}:0:0: error: refused entry '{name}': {reason}") from None
    except _Damaged as exc:
        name, reason = exc.args
        raise PackageError(f"{archive_path}:0:0: error: a damaged zip: entry '{name}' {reason}") from None


class _Refused(Exception):
    """An entry found hostile while unpacking: (entry name, reason)."""


class _Damaged(Exception):
    """An entry whose data cannot be read back: (entry name, what is wrong)."""


# What zipfile raises when an entry's data cannot be read: a CRC that does not match
# (BadZipFile), corrupt deflate data (zlib.error), data that ends early (EOFError), a
# compression method it does not implement (NotImplementedError: Deflate64, which
# Windows uses for large files), an encrypted entry (RuntimeError).
UNREADABLE_ENTRY = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError)

# Compression methods (APPNOTE 4.4.5) that zipfile cannot read, by name for the message.
_METHOD_NAMES = {1: "Shrink", 6: "Implode", 9: "Deflate64", 10: "PKWARE DCL Implode", 93: "Zstandard",
                 95: "XZ", 98: "PPMd", 99: "AES encryption"}


def unreadable_reason(entry: zipfile.ZipInfo, exc: Exception) -> str:
    """Why an entry cannot be read, said of the entry (the zip is named by the caller)."""
    if isinstance(exc, NotImplementedError):
        method = entry.compress_type
        name = f" ({_METHOD_NAMES[method]})" if method in _METHOD_NAMES else ""
        return (f"cannot be unpacked: compression method {method}{name} is not supported "
                "(a package's zip is stored or deflated)")
    if isinstance(exc, zlib.error):
        return f"cannot be inflated: its compressed data are corrupt ({exc})"
    if isinstance(exc, EOFError):
        return "ends before its compressed data do (truncated or corrupt)"
    if isinstance(exc, RuntimeError):
        return f"cannot be unpacked: {exc}"
    if "CRC" in str(exc):
        return "does not match its CRC-32: its data were altered or damaged"
    return f"cannot be read: {exc}"


def entry_refusals(entries: list[zipfile.ZipInfo]) -> list[str]:
    """Why each hostile entry is refused; empty when the zip may be unpacked."""
    if len(entries) > MAX_ENTRIES:
        return [f"{len(entries)} entries, more than the {MAX_ENTRIES} allowed (zip bomb?)"]
    refusals = []
    total = sum(e.file_size for e in entries)
    if total > MAX_TOTAL_BYTES:
        refusals.append(f"{total} bytes uncompressed, more than the {MAX_TOTAL_BYTES} allowed (zip bomb?)")
    seen: set[str] = set()
    for entry in entries:
        reason = entry_refusal(entry, seen)
        if reason:
            refusals.append(f"refused entry '{entry.filename}': {reason}")
    return refusals


def entry_refusal(entry: zipfile.ZipInfo, seen: set[str]) -> str | None:
    name = entry.filename
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        return "absolute path (zip-slip)"
    if "\\" in name or "\x00" in name:
        return "backslash or NUL in the name"
    parts = name.rstrip("/").split("/")
    if ".." in parts:
        return "'..' leaves the folder (zip-slip)"
    if any(part in ("", ".") for part in parts):
        return "empty or '.' path segment"
    kind = stat.S_IFMT(entry.external_attr >> 16)
    if kind == stat.S_IFLNK:
        return "symbolic link (zip-slip)"
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        return "not a regular file or folder"
    if entry.flag_bits & 0x1:
        return "encrypted"
    if name.rstrip("/") in seen:
        return "appears twice"
    seen.add(name.rstrip("/"))
    if entry.file_size > RATIO_CHECK_FROM and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
        return f"compression ratio above {MAX_RATIO}:1 (zip bomb?)"
    return None


def extract_entry(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, dest: Path, budget: list[int]) -> None:
    """Write one checked entry under `dest`, counting the bytes actually inflated."""
    target = dest.joinpath(*entry.filename.rstrip("/").split("/"))
    if not target.resolve().is_relative_to(dest.resolve()):
        raise _Refused(entry.filename, "path leaves the folder (zip-slip)")
    if entry.is_dir():
        target.mkdir(parents=True, exist_ok=True)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with archive.open(entry) as source, open(target, "xb") as sink:
        while chunk := source.read(CHUNK):
            written += len(chunk)
            budget[0] -= len(chunk)
            if written > entry.file_size or budget[0] < 0:
                raise _Refused(entry.filename, "inflates beyond its stated or the allowed size (zip bomb?)")
            sink.write(chunk)


# The fixed part of a local file header (APPNOTE 4.3.7): signature, version needed, flags,
# method, time, date, CRC-32, compressed size, uncompressed size, name and extra lengths.
_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
_LOCAL_SIGNATURE = b"PK\x03\x04"
_DESCRIPTOR_SIGNATURE = b"PK\x07\x08"
_ZIP64_EXTRA = 0x0001
_ZIP64_MARK = 0xFFFFFFFF


def local_header_mismatches(archive_path: Path, entries: list[zipfile.ZipInfo]) -> list[str]:
    """Each entry whose local header disagrees with the table of contents (name, compression
    method, CRC-32, sizes), one line each.

    zipfile reads the sizes and the CRC-32 from the table of contents only, and checks the
    data against those, so a CRC-32 changed in the local header alone unpacks cleanly;
    unzip, and archives' tools, read the local header, and report the entry as damaged.
    """
    found = []
    with open(archive_path, "rb") as handle:
        for entry in entries:
            fields = _local_header_differences(handle, entry)
            if fields is None:
                found.append(f"entry '{entry.filename}': no local header where the zip's table of contents puts it")
            elif fields:
                found.append(f"entry '{entry.filename}': its local header and the zip's table of contents "
                             f"disagree on its {', '.join(fields)}")
    return found


def _local_header_differences(handle, entry: zipfile.ZipInfo) -> list[str] | None:
    """The fields on which an entry's local header differs from the table of contents;
    None when there is no local header where the table of contents puts it."""
    handle.seek(entry.header_offset)
    raw = handle.read(_LOCAL_HEADER.size)
    if len(raw) < _LOCAL_HEADER.size or raw[:4] != _LOCAL_SIGNATURE:
        return None
    _sig, _version, flags, method, _time, _date, crc, compressed, size, name_length, extra_length = _LOCAL_HEADER.unpack(raw)
    raw_name = handle.read(name_length)
    extra = handle.read(extra_length)
    differences = []
    if raw_name.decode("utf-8" if flags & 0x800 else "cp437", "replace") != entry.orig_filename:
        differences.append("name")
    if method != entry.compress_type:
        differences.append("compression method")
    if flags & 0x08:  # sizes and CRC-32 follow the data, in a data descriptor (a streamed zip)
        handle.seek(entry.header_offset + _LOCAL_HEADER.size + name_length + extra_length + entry.compress_size)
        crc, compressed, size = _data_descriptor(handle.read(24), zip64=entry.file_size >= _ZIP64_MARK
                                                 or entry.compress_size >= _ZIP64_MARK)
    elif _ZIP64_MARK in (compressed, size):
        size, compressed = _zip64_sizes(extra)
    if crc != entry.CRC:
        differences.append("CRC-32")
    if compressed != entry.compress_size:
        differences.append("compressed size")
    if size != entry.file_size:
        differences.append("size")
    return differences


def _data_descriptor(raw: bytes, zip64: bool) -> tuple[int | None, int | None, int | None]:
    """(CRC-32, compressed size, size) of a data descriptor, whose signature is optional."""
    if raw[:4] == _DESCRIPTOR_SIGNATURE:
        raw = raw[4:]
    layout = struct.Struct("<IQQ" if zip64 else "<III")
    if len(raw) < layout.size:
        return None, None, None
    return layout.unpack(raw[:layout.size])


def _zip64_sizes(extra: bytes) -> tuple[int | None, int | None]:
    """The sizes of a local header's Zip64 extra field (a local header carries both)."""
    offset = 0
    while offset + 4 <= len(extra):
        kind, length = struct.unpack_from("<HH", extra, offset)
        if kind == _ZIP64_EXTRA and length >= 16:
            return struct.unpack_from("<QQ", extra, offset + 4)
        offset += 4 + length
    return None, None
