"""The bag itself (RFC 8493), written by the `bagit` library, and its zip: reproducible, put in place whole.

The same sources always give the same bytes: bag and zip.
"""
from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

import bagit

from tei_tools.errors import PackageError
from tei_tools.fsutil import exchange_paths, reproducible_zip

# bagit logs through `logging`; without a handler Python would print its warnings to
# stderr, and library code prints nothing.
logging.getLogger("bagit").addHandler(logging.NullHandler())

CHECKSUMS = ("sha256", "sha512")
BAGIT_VERSION = "1.0"  # RFC 8493; the bagit library still writes 0.97


def make_bag(staging: Path, info: dict) -> tuple[int, int]:
    """Turn `staging` into a bag with the bagit library; return the payload's bytes and files.

    bagit writes BagIt-Version 0.97 and lists tag files in directory order; the bag is
    then declared RFC 8493 (1.0) and re-saved, and the tag manifests are written again in
    path order, so that the bag is valid and two packages of the same sources are
    byte-identical. Each bag-info.txt value stays on one line, however long: RFC 8493
    (§2.2.2) only recommends folding lines over 79 characters, and bagit-python, which
    Archivematica uses, reads a folded value with its line breaks in it.
    """
    try:
        bag = bagit.make_bag(str(staging), dict(info), checksums=list(CHECKSUMS))
        (staging / "bagit.txt").write_text(
            f"BagIt-Version: {BAGIT_VERSION}\nTag-File-Character-Encoding: UTF-8\n", encoding="utf-8"
        )
        bag = bagit.Bag(str(staging))
        bag.info["Bag-Size"] = bag_size(staging)
        bag.save()
    except (bagit.BagError, RuntimeError) as exc:
        raise PackageError(f"{staging}:0:0: error: cannot make the bag: {exc}") from None
    write_tag_manifests(staging)
    size, count = bag.info["Payload-Oxum"].split(".")
    return int(size), int(count)


def bag_size(bag_dir: Path) -> str:
    """RFC 8493's Bag-Size, "intended for human consumption" beside Payload-Oxum: the bag's
    files (payload and tag files as they stand before this field is written) in kB or MB,
    decimal, as the RFC's examples ("42600 MB")."""
    total = sum(p.stat().st_size for p in bag_dir.rglob("*") if p.is_file())
    return f"{total / 1e6:.1f} MB" if total >= 1e6 else f"{max(1, round(total / 1e3))} kB"


def write_tag_manifests(bag_dir: Path) -> None:
    """tagmanifest-<algorithm>.txt: the checksum of every tag file (every file outside data/
    except the tag manifests themselves), in path order."""
    names = sorted(p.relative_to(bag_dir).as_posix() for p in bag_dir.rglob("*")
                   if p.is_file() and p.relative_to(bag_dir).parts[0] != "data"
                   and not (p.parent == bag_dir and p.name.startswith("tagmanifest-")))
    for algorithm in CHECKSUMS:
        lines = [f"{hashlib.new(algorithm, (bag_dir / name).read_bytes()).hexdigest()} {name}\n" for name in names]
        (bag_dir / f"tagmanifest-{algorithm}.txt").write_text("".join(lines), encoding="utf-8")


def normalize_modes(folder: Path) -> None:
    """Folders 755 and files 644 throughout the bag, whatever the umask and mkdtemp's 700:
    an archive's transfer account must be able to read it, and the same sources give the
    same bag."""
    os.chmod(folder, 0o755)
    for path in folder.rglob("*"):
        if not path.is_symlink():
            os.chmod(path, 0o755 if path.is_dir() else 0o644)


def replace_dir(staging: Path, target: Path) -> Path:
    """Move the finished bag into place: a reader sees the old bag or the new one, never half a bag.

    Where the system can swap two folders in one step (Linux's renameat2 with
    RENAME_EXCHANGE), the old bag is never missing; elsewhere it is moved aside first, and
    for that moment there is no bag at `target` (a run killed then leaves the new bag in
    its staging folder and the old one aside, both removed by the next run).
    """
    # Not for a link to a bag kept elsewhere: the swap would move the link, not the bag.
    if target.is_dir() and not target.is_symlink() and exchange_paths(staging, target):
        shutil.rmtree(staging, ignore_errors=True)  # the staging folder now holds the old bag
        return target
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.{os.getpid()}.", suffix=".tmp", dir=target.parent))
        os.rename(target, old / target.name)
    os.rename(staging, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return target


def zip_bytes(bag: Path, name: str, moment: datetime) -> bytes:
    """The zip of the bag in `bag`: entries under <name>/, bagit.txt first, then in path order.

    Fixed timestamps and permissions (fsutil.reproducible_zip) make it byte-identical on
    rebuild. `name` is the bag's name once in place (it is made in a staging folder).
    """
    names = sorted((p.relative_to(bag).as_posix() for p in bag.rglob("*") if p.is_file()),
                   key=lambda file: (file != "bagit.txt", file))
    entries = [(f"{name}/{file}", (bag / file).read_bytes(), not file.endswith(".epub")) for file in names]
    return reproducible_zip(entries, moment)
