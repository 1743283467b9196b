"""tei_tools.bag: the bag (RFC 8493) and its zip, reproducible and put in place whole."""
from __future__ import annotations

import os
import shutil
import stat
import sys
import zipfile
from pathlib import Path

import bagit
import pytest

from deposit_project import small_build
from tei_tools.errors import PackageError
from tei_tools.package import package


def test_package_is_a_valid_bag_with_sha256_and_sha512(made):
    bag = bagit.Bag(str(made.bag))
    assert bag.validate()
    assert sorted(bag.algorithms) == ["sha256", "sha512"]
    for name in ("manifest-sha256.txt", "manifest-sha512.txt", "tagmanifest-sha256.txt", "tagmanifest-sha512.txt"):
        assert (made.bag / name).is_file(), name
    assert (made.bag / "bagit.txt").read_text().startswith("BagIt-Version: 1.0\n")
    assert made.bag == made.bag.parent / "deposit-sample"
    assert made.bag.parent.name == "deposit" and made.bag.parent.parent.name == "build"


def test_zip_is_byte_identical_on_rebuild(made, project, tmp_path):
    first = made.zip.read_bytes()
    [again] = package(project, make_zip=True, build=small_build)
    assert again.zip == made.zip
    assert again.zip.read_bytes() == first
    [elsewhere] = package(project, tmp_path / "other", make_zip=True, build=small_build)
    assert elsewhere.zip.read_bytes() == first


def test_zip_holds_the_bag_in_fixed_order_with_fixed_timestamps(made):
    with zipfile.ZipFile(made.zip) as archive:
        infos = archive.infolist()
        names = [i.filename for i in infos]
        assert names[0] == "deposit-sample/bagit.txt"
        assert names[1:] == sorted(names[1:])
        assert {i.date_time for i in infos} == {(2024, 5, 3, 0, 0, 0)}
        expected = {p.relative_to(made.bag.parent).as_posix() for p in made.bag.rglob("*") if p.is_file()}
        assert set(names) == expected
        assert archive.read("deposit-sample/data/metadata/dc.xml") == (made.bag / "data/metadata/dc.xml").read_bytes()


def test_rebuild_replaces_the_bag_and_leaves_no_temporary_folders(made, project):
    (made.bag / "data" / "stray.txt").write_text("left over from an earlier package")
    [again] = package(project, build=small_build)
    assert not (again.bag / "data" / "stray.txt").exists()
    # packaged without --zip: the older package's zip does not stay beside the new bag
    assert sorted(p.name for p in again.bag.parent.iterdir()) == ["deposit-sample"]
    [zipped] = package(project, make_zip=True, build=small_build)
    assert sorted(p.name for p in zipped.bag.parent.iterdir()) == ["deposit-sample", "deposit-sample.zip"]


def test_the_old_bag_is_in_place_until_the_new_one_takes_its_place(made, project, monkeypatch):
    """No moment without a bag: the two folders are swapped in one step, so whoever reads
    the bag meanwhile (an archive's transfer) finds the old one or the new one."""
    from tei_tools import bag as bag_module

    seen = []
    swap = bag_module.exchange_paths
    (made.bag / "data" / "old.txt").write_text("only in the old bag")

    def watched(first, second):
        seen.append((made.bag / "data" / "old.txt").is_file())  # the old bag, just before
        swapped = swap(first, second)
        # at once the new bag, whole: never a moment without one
        seen.append((swapped, (made.bag / "data" / "old.txt").is_file(), (made.bag / "bag-info.txt").is_file()))
        return swapped

    monkeypatch.setattr(bag_module, "exchange_paths", watched)
    package(project, build=small_build)
    if sys.platform.startswith("linux"):
        assert seen == [True, (True, False, True)]
    assert sorted(p.name for p in made.bag.parent.iterdir()) == ["deposit-sample"]  # the old one is gone


def test_a_bag_folder_that_is_a_link_is_replaced_without_leaving_the_link_behind(made, project, tmp_path):
    """Swapping a link would move the link into the staging folder's place, where the
    clean-up of temporaries (which leaves links alone) would never remove it."""
    kept_elsewhere = tmp_path / "elsewhere"
    made.bag.rename(kept_elsewhere)
    made.bag.symlink_to(kept_elsewhere, target_is_directory=True)
    [again] = package(project, build=small_build)
    assert again.bag.is_dir() and not again.bag.is_symlink()
    assert sorted(p.name for p in again.bag.parent.iterdir()) == ["deposit-sample"]
    assert (kept_elsewhere / "bagit.txt").is_file()  # what the link led to is not touched


def test_a_killed_run_s_staging_folders_are_removed_by_the_next(made, project):
    dead = 2**22 + 12345  # above the kernel's default pid_max: no such process
    staging = made.bag.parent / f".deposit-sample.{dead}.abcd1234.tmp"
    (staging / "data").mkdir(parents=True)
    alive = made.bag.parent / f".deposit-sample.{os.getpid()}.efgh5678.tmp"
    alive.mkdir()
    package(project, build=small_build)
    assert not staging.exists() and alive.exists()


def test_bag_folders_and_files_are_readable_by_all_whatever_the_umask(project):
    old = os.umask(0o077)
    try:
        [made] = package(project, build=small_build)
    finally:
        os.umask(old)
    for path in [made.bag, *made.bag.rglob("*")]:
        assert stat.S_IMODE(path.stat().st_mode) == (0o755 if path.is_dir() else 0o644), path


def test_a_missing_source_is_refused_before_anything_is_written(project):
    (project / "edition/source/000_sample.txt").unlink()
    with pytest.raises(PackageError, match="000_sample.txt"):
        package(project, build=small_build)
    deposit = project / "build" / "deposit"
    assert not deposit.exists() or list(deposit.iterdir()) == []


def test_a_failure_while_the_bag_is_written_leaves_the_old_bag_and_no_half_made_one(made, project, monkeypatch):
    """The disk fills while the payload is copied into the new bag: the old bag and zip stay
    as they were, and nothing of the new one is left beside them."""
    import errno

    deposit = made.bag.parent
    before = {p: p.read_bytes() for p in deposit.rglob("*") if p.is_file()}
    master = project / "edition" / "deposit-sample.xml"
    master.write_text(master.read_text().replace("Checked against the source.", "Checked against the source again."))
    real_copy, copied = shutil.copyfile, []

    def filling(source, destination, *args, **kwargs):
        if len(copied) == 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(destination))
        copied.append(destination)
        return real_copy(source, destination, *args, **kwargs)

    monkeypatch.setattr(shutil, "copyfile", filling)
    with pytest.raises(OSError, match="No space left on device"):
        package(project, make_zip=True, build=small_build)
    assert len(copied) == 2 and all(deposit in Path(d).parents for d in copied)  # it failed writing the new bag
    assert {p: p.read_bytes() for p in deposit.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in deposit.iterdir()) == ["deposit-sample", "deposit-sample.zip"]
