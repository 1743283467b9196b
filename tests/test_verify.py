"""tei_tools.verify and `tei-tools verify`: completeness and fixity; and hostile or damaged
zips refused (tei_tools.safe_zip), through verify as a user meets them."""
from __future__ import annotations

import hashlib
import os
import shutil
import stat
import struct
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from tei_tools import safe_zip
from tei_tools.cli import main
from tei_tools.package import package
from tei_tools.verify import altered_message, tag_file_named_in, verify

from deposit_project import FIXTURE, small_build

PAYLOAD = "data/dist/deposit-sample.txt"


@pytest.fixture(scope="module")
def packaged(tmp_path_factory) -> Path:
    """One package of the fixture project (bag and zip), made once for this module."""
    root = tmp_path_factory.mktemp("verify") / "project"
    shutil.copytree(FIXTURE, root)
    package(root, make_zip=True, build=small_build)
    return root / "build" / "deposit"


@pytest.fixture
def bag(packaged, tmp_path) -> Path:
    """A fresh copy of the bag that a test may tamper with."""
    return Path(shutil.copytree(packaged / "deposit-sample", tmp_path / "deposit-sample"))


def run_verify(path: Path):
    return CliRunner().invoke(main, ["verify", str(path)])


def zip_folder(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, f"{folder.name}/{path.relative_to(folder).as_posix()}")
    return target


# ----------------------------------------------------------------------------- intact


def test_intact_bag_folder_passes(bag):
    result = run_verify(bag)
    assert result.exit_code == 0, result.output
    payload = len([p for p in (bag / "data").rglob("*") if p.is_file()])
    tags = len([p for p in bag.iterdir() if p.is_file() and not p.name.startswith("tagmanifest-")])
    assert result.output == f"{bag}: intact ({payload} payload files and {tags} tag files, SHA-256 and SHA-512)\n"


def test_intact_zip_passes(packaged):
    result = run_verify(packaged / "deposit-sample.zip")
    assert result.exit_code == 0, result.output
    assert "deposit-sample.zip!/deposit-sample: intact" in result.output


# ----------------------------------------------------------------------------- tampering


def test_one_flipped_byte_in_a_payload_file_is_named(bag):
    target = bag / PAYLOAD
    data = bytearray(target.read_bytes())
    data[0] ^= 0x01
    target.write_bytes(bytes(data))
    result = run_verify(bag)
    assert result.exit_code == 1
    assert f"{bag}/{PAYLOAD}:0:0: error: altered: SHA-256 and SHA-512 checksums differ" in result.output
    assert result.output.count("error:") == 1


def test_a_deleted_payload_file_is_named(bag):
    (bag / "data/edition/source/000_sample.txt").unlink()
    result = run_verify(bag)
    assert result.exit_code == 1
    assert f"{bag}/data/edition/source/000_sample.txt:0:0: error: missing" in result.output
    assert result.output.count("error:") == 1


def test_an_added_payload_file_is_named(bag):
    (bag / "data/dist/extra.html").write_text("<p>not part of the deposit</p>")
    result = run_verify(bag)
    assert result.exit_code == 1
    assert f"{bag}/data/dist/extra.html:0:0: error: added" in result.output
    assert result.output.count("error:") == 1


def test_a_changed_tag_file_is_named(bag):
    info = bag / "bag-info.txt"
    info.write_text(info.read_text().replace("External-Identifier: deposit-sample", "External-Identifier: forged"))
    result = run_verify(bag)
    assert result.exit_code == 1
    assert f"{bag}/bag-info.txt:0:0: error: altered" in result.output
    assert result.output.count("error:") == 1


@pytest.mark.parametrize("name", ["extra-tag.txt", "notes/about-the-bag.txt"])
def test_a_tag_file_in_no_tag_manifest_is_a_warning_not_damage(bag, name):
    """RFC 8493 does not require a tag manifest to list every tag file, and bagit calls such
    a bag valid: it was reported as "added", and the bag as not intact."""
    (bag / name).parent.mkdir(exist_ok=True)
    (bag / name).write_text("an unlisted tag file")
    result = verify(bag)
    assert result.intact, result.problems
    assert [str(w) for w in result.warnings] == [f"{bag}/{name}:0:0: warning: in no tag manifest, so not checked: "
                                                 "RFC 8493 lets a bag leave tag files out of its tag manifests, "
                                                 "but any change to this file goes unseen"]
    shown = run_verify(bag)
    assert shown.exit_code == 0 and f"{bag}: intact" in shown.stdout
    assert f"{bag}/{name}:0:0: warning: in no tag manifest" in shown.stderr


def test_a_payload_file_in_no_manifest_stays_damage_beside_an_unlisted_tag_file(bag):
    (bag / "extra-tag.txt").write_text("an unlisted tag file")
    (bag / "data" / "extra.txt").write_text("an unlisted payload file")
    result = verify(bag)
    assert [str(p) for p in result.problems] == [f"{bag}/data/extra.txt:0:0: error: added: in the bag but in no manifest"]
    assert [w.path for w in result.warnings] == [f"{bag}/extra-tag.txt"]


def write_fetch(bag: Path, *paths: str) -> None:
    (bag / "fetch.txt").write_text("".join(f"https://example.org/{p} 12 {p}\n" for p in paths), encoding="utf-8")


def test_a_bag_with_files_to_fetch_is_not_complete(bag):
    """fetch.txt lists payload files to fetch from elsewhere (RFC 8493, 2.2.3): until they
    are, the bag is not complete; this tool fetches nothing, and says so once, on fetch.txt."""
    (bag / PAYLOAD).unlink()
    write_fetch(bag, PAYLOAD)
    result = run_verify(bag)
    assert result.exit_code == 1
    assert result.output == (f"{bag}/fetch.txt:0:0: error: the bag lists 1 file to fetch that it does not hold "
                             f"({PAYLOAD}): it is not complete, and this tool verifies complete bags only; "
                             "fetch them into the bag, then verify it\n")


def test_a_fetch_txt_whose_files_are_all_there_is_an_unlisted_tag_file(bag):
    write_fetch(bag, PAYLOAD)
    result = verify(bag)
    assert result.intact, result.problems
    assert [w.path for w in result.warnings] == [f"{bag}/fetch.txt"]


def test_an_unreadable_fetch_txt_is_named(bag):
    (bag / "fetch.txt").write_text("just-a-url\n", encoding="utf-8")
    assert [str(p) for p in verify(bag).problems] == [
        f"{bag}/fetch.txt:0:0: error: not a readable bag: a line is not 'url length path'"]


def test_a_link_in_a_bag_folder_is_named_and_not_followed(bag, tmp_path):
    secret = tmp_path / "outside.txt"
    secret.write_text("outside the bag")
    target = bag / PAYLOAD
    target.unlink()
    target.symlink_to(secret)
    result = run_verify(bag)
    assert result.exit_code == 1
    assert f"{bag}/{PAYLOAD}:0:0: error: link" in result.output


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
def test_a_pipe_in_a_bag_folder_is_named_as_such_and_not_read(bag):
    """bagit counted it as a file of the wrong size ("Payload-Oxum validation failed")."""
    os.mkfifo(bag / "data" / "pipe")
    result = run_verify(bag)
    assert result.exit_code == 1
    assert f"{bag}/data/pipe:0:0: error: not a regular file (a pipe, a socket or a device): a bag holds files" in result.output
    assert "Oxum" not in result.output


def test_every_problem_is_named_at_once(bag):
    (bag / PAYLOAD).write_text("changed")
    (bag / "data/README.md").unlink()
    (bag / "data/new.txt").write_text("new")
    problems = {p.path: p.message.split(":")[0] for p in verify(bag).problems}
    assert problems == {f"{bag}/{PAYLOAD}": "altered", f"{bag}/data/README.md": "missing", f"{bag}/data/new.txt": "added"}


def test_a_tampered_zip_names_the_file_inside_it(bag, tmp_path):
    (bag / PAYLOAD).write_text("changed")
    archive = zip_folder(bag, tmp_path / "tampered.zip")
    result = run_verify(archive)
    assert result.exit_code == 1
    assert f"{archive}!/deposit-sample/{PAYLOAD}:0:0: error: altered" in result.output


def test_a_folder_that_is_not_a_bag_is_no_such_bag(tmp_path, monkeypatch):
    """Given from another working directory, the message named "/tmp/bagit.txt" (the
    folder's name cut out of bagit's absolute path) and the exit status was 1, not the
    documented 2 for no such bag."""
    (tmp_path / "vt" / "emptyd").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    result = run_verify(Path("vt/emptyd"))
    assert result.exit_code == 2
    assert result.output == ("vt/emptyd:0:0: error: no such bag: the folder has no bagit.txt "
                             "(give a bag's folder, the one with bagit.txt, or its zip)\n")


def test_a_bagit_error_names_paths_inside_the_bag_given_from_another_folder(bag, monkeypatch):
    """bagit names files by absolute path; taking out the folder as given ("sub/bag/") left
    the working directory's path ("/tmp/bagit.txt" for "/tmp/sub/bag/bagit.txt")."""
    (bag / "bagit.txt").unlink()
    (bag / "bagit.txt").mkdir()  # there, but not a file: bagit names the path it expected
    monkeypatch.chdir(bag.parent.parent)
    relative = bag.relative_to(bag.parent.parent)
    assert [str(p) for p in verify(relative).problems] == [
        f"{relative}/bagit.txt:0:0: error: not a readable bag: Expected bagit.txt does not exist: bagit.txt"]


def test_a_missing_path_is_a_usage_error(tmp_path):
    result = run_verify(tmp_path / "nowhere.zip")
    assert result.exit_code == 2
    assert "no such file" in result.output


# ----------------------------------------------------------------------------- hostile zips


def hostile_zip(path: Path, name: str, data: bytes = b"x", *, mode: int | None = None, compress: bool = False) -> Path:
    """A zip whose one entry `name` is hostile, next to a bagit.txt (so only the entry is wrong)."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("bag/bagit.txt", "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
        info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        if mode is not None:
            info.create_system = 3
            info.external_attr = mode << 16
        archive.writestr(info, data)
    return path


def assert_refused(result, name: str, reason: str) -> None:
    assert result.exit_code == 1, result.output
    assert f"refused entry '{name}'" in result.output and reason in result.output
    assert "Traceback" not in result.output


def test_zip_slip_with_dotdot_is_refused(tmp_path):
    marker = f"escaped-{uuid.uuid4().hex}.txt"
    result = run_verify(hostile_zip(tmp_path / "slip.zip", f"../{marker}"))
    assert_refused(result, f"../{marker}", "zip-slip")
    assert not (Path(tempfile.gettempdir()) / marker).exists()
    assert not (tmp_path / marker).exists()


def test_zip_slip_through_a_nested_dotdot_is_refused(tmp_path):
    result = run_verify(hostile_zip(tmp_path / "slip.zip", "bag/data/../../../outside.txt"))
    assert_refused(result, "bag/data/../../../outside.txt", "zip-slip")


def test_absolute_entry_path_is_refused(tmp_path):
    marker = f"/tmp/absolute-{uuid.uuid4().hex}.txt"
    result = run_verify(hostile_zip(tmp_path / "absolute.zip", marker))
    assert_refused(result, marker, "absolute path")
    assert not Path(marker).exists()


def test_symlink_entry_is_refused(tmp_path):
    archive = hostile_zip(tmp_path / "link.zip", "bag/data/passwd", b"/etc/passwd", mode=stat.S_IFLNK | 0o777)
    assert_refused(run_verify(archive), "bag/data/passwd", "symbolic link")


def test_zip_bomb_by_compression_ratio_is_refused(tmp_path):
    size = safe_zip.RATIO_CHECK_FROM + 1024**2
    archive = hostile_zip(tmp_path / "bomb.zip", "bag/data/zeros.bin", bytes(size), compress=True)
    assert archive.stat().st_size < size // 500  # zeros deflate about a thousand times
    assert_refused(run_verify(archive), "bag/data/zeros.bin", "zip bomb")


def test_a_small_file_that_compresses_very_well_is_no_zip_bomb(tmp_path):
    """5 MB of line ends deflate more than 200 times: the zip of a valid bag holding them was
    refused as a zip bomb."""
    from tei_tools.bag import make_bag, zip_bytes
    from tei_tools.fsutil import DEFAULT_MOMENT

    bag = tmp_path / "newlines"
    bag.mkdir()
    (bag / "blank.txt").write_bytes(b"\n" * 5_000_000)
    make_bag(bag, {"External-Identifier": "newlines"})  # moves the folder's files into data/
    archive = tmp_path / "newlines.zip"
    archive.write_bytes(zip_bytes(bag, "newlines", DEFAULT_MOMENT))
    with zipfile.ZipFile(archive) as opened:
        entry = opened.getinfo("newlines/data/blank.txt")
        assert entry.file_size > safe_zip.MAX_RATIO * entry.compress_size
    result = run_verify(archive)
    assert result.exit_code == 0, result.output


def test_zip_bomb_by_total_size_is_refused(packaged, monkeypatch):
    monkeypatch.setattr(safe_zip, "MAX_TOTAL_BYTES", 1000)
    result = run_verify(packaged / "deposit-sample.zip")
    assert result.exit_code == 1
    assert "more than the 1000 allowed (zip bomb?)" in result.output


def test_zip_bomb_by_entry_count_is_refused(packaged, monkeypatch):
    monkeypatch.setattr(safe_zip, "MAX_ENTRIES", 5)
    result = run_verify(packaged / "deposit-sample.zip")
    assert result.exit_code == 1
    assert "more than the 5 allowed (zip bomb?)" in result.output


def test_a_file_that_is_not_a_zip_is_no_such_bag(tmp_path):
    """Exit 2, as for a folder without bagit.txt: 1 would say a bag is there, not intact."""
    fake = tmp_path / "fake.zip"
    fake.write_text("not a zip")
    result = run_verify(fake)
    assert result.exit_code == 2
    assert result.output == f"{fake}:0:0: error: no such bag: neither a bag folder nor a zip file\n"


def test_an_empty_path_is_refused_not_taken_for_the_working_folder():
    result = CliRunner().invoke(main, ["verify", ""])
    assert result.exit_code == 2
    assert "verify: error: Invalid value for 'PATH': an empty path" in result.output and len(result.output.splitlines()) == 1


def test_a_truncated_zip_is_called_damaged(packaged, tmp_path):
    data = (packaged / "deposit-sample.zip").read_bytes()
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(data[: len(data) // 2])
    result = run_verify(truncated)
    assert result.exit_code == 1
    assert "a damaged zip" in result.output and "truncated" in result.output


@pytest.mark.parametrize("appended", [7, 100_000])
def test_data_appended_to_a_zip_is_damage_counted_in_bytes(packaged, tmp_path, appended):
    """zipfile reads past up to 64 kB of junk after the end (and no further): either way
    the file is no longer the one whose checksum was published."""
    damaged = tmp_path / "appended.zip"
    damaged.write_bytes((packaged / "deposit-sample.zip").read_bytes() + b"G" * appended)
    result = run_verify(damaged)
    assert result.exit_code == 1
    assert result.output.strip() == f"{damaged}:0:0: error: a damaged zip: {appended} bytes after its end (data appended to it)"


def test_the_end_of_a_zip_is_its_own_record_not_that_of_an_epub_inside_it(packaged, tmp_path):
    """The bag's EPUB, stored uncompressed, carries an end record of its own: a zip cut
    just after the EPUB must not be read as a whole zip with data appended."""
    data = (packaged / "deposit-sample.zip").read_bytes()
    assert safe_zip.bytes_after_the_end(packaged / "deposit-sample.zip") == 0
    inner = data.rfind(safe_zip.END_SIGNATURE, 0, data.rfind(safe_zip.END_SIGNATURE))
    assert inner > 0, "the fixture's bag holds an EPUB"
    cut = tmp_path / "cut.zip"
    cut.write_bytes(data[: inner + 22])
    assert safe_zip.bytes_after_the_end(cut) is None
    assert "truncated" in run_verify(cut).output


def test_a_zip_comment_is_part_of_the_zip(bag, tmp_path):
    archive = zip_folder(bag, tmp_path / "commented.zip")
    with zipfile.ZipFile(archive, "a") as handle:
        handle.comment = b"deposited by hand"
    assert safe_zip.bytes_after_the_end(archive) == 0
    assert run_verify(archive).exit_code == 0


def test_entries_beside_the_bag_in_a_zip_are_named(bag, tmp_path):
    archive = zip_folder(bag, tmp_path / "extra.zip")
    with zipfile.ZipFile(archive, "a") as handle:
        handle.writestr("stray.txt", "beside the bag")
    result = run_verify(archive)
    assert result.exit_code == 1
    assert "stray.txt" in result.output and "beside the bag deposit-sample/" in result.output


# ----------------------------------------------------------------------------- what a package must carry


@pytest.mark.parametrize("name", ["tagmanifest-sha256.txt", "tagmanifest-sha512.txt", "manifest-sha512.txt"])
def test_a_removed_manifest_is_named(bag, name):
    (bag / name).unlink()
    result = run_verify(bag)
    assert result.exit_code == 1
    assert f"{bag}/{name}:0:0: error: missing" in result.output


def test_a_forged_bag_info_without_tag_manifests_is_not_intact(bag):
    """Removing the tag manifests must not make an edited bag-info.txt pass."""
    info = bag / "bag-info.txt"
    info.write_text(info.read_text().replace("External-Identifier: deposit-sample", "External-Identifier: forged"))
    for name in ("tagmanifest-sha256.txt", "tagmanifest-sha512.txt"):
        (bag / name).unlink()
    result = run_verify(bag)
    assert result.exit_code == 1
    assert "intact" not in result.output


def test_an_edited_manifest_line_names_the_manifest_not_the_file(bag):
    manifest = bag / "manifest-sha256.txt"
    lines = manifest.read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if line.endswith(" data/README.md"))
    digest, name = lines[index].split(" ", 1)
    lines[index] = f"{'0' * len(digest)} {name}"
    manifest.write_text("\n".join(lines) + "\n")
    problems = {p.path: p.message for p in verify(bag).problems}
    assert problems[f"{bag}/data/README.md"] == ("checksum mismatch: SHA-256 differs from manifest-sha256.txt, but SHA-512 "
                                                 "agrees: the line in manifest-sha256.txt was changed, not the file")
    assert problems[f"{bag}/manifest-sha256.txt"].startswith("altered")  # as its tag manifests show


def test_an_added_empty_folder_is_named(bag):
    (bag / "data" / "empty" / "deeper").mkdir(parents=True)
    result = run_verify(bag)
    assert result.exit_code == 1
    assert f"{bag}/data/empty:0:0: error: added: an empty folder" in result.output


def test_a_tag_file_that_is_not_utf8_is_named_without_a_traceback(bag):
    info = bag / "bag-info.txt"
    info.write_bytes(info.read_bytes() + "Contact-Name: Jos\xe9\n".encode("latin-1"))
    result = run_verify(bag)
    assert result.exit_code == 1
    assert f"{bag}/bag-info.txt:0:0: error: not UTF-8 text" in result.output
    assert "Traceback" not in result.output


def test_entries_that_clash_as_file_and_folder_are_named(tmp_path):
    archive = tmp_path / "clash.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("bag/bagit.txt", "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
        handle.writestr("bag/data/q", "a file")
        handle.writestr("bag/data/q/r", "a file in a folder of the same name")
    result = run_verify(archive)
    assert result.exit_code == 1
    assert f"{archive}:0:0: error: refused entry 'bag/data/q/r': cannot be unpacked" in result.output
    assert "tei-tools-verify-" not in result.output  # no temporary path


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_a_device_is_refused_in_one_line_without_reading_it(device):
    """/dev/zero would be read until memory runs out; a pipe would block for ever."""
    if not Path(device).exists():
        pytest.skip(f"{device} does not exist here")
    result = CliRunner().invoke(main, ["verify", device])
    assert result.exit_code == 2
    assert result.output == f"{device}:0:0: error: not a regular file (a pipe or a device): neither a bag folder nor a zip file\n"


def test_a_pipe_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "bag.zip"
    os.mkfifo(fifo)
    result = CliRunner().invoke(main, ["verify", str(fifo)])
    assert result.exit_code == 2 and "not a regular file" in result.output


def test_a_checksum_message_agrees_in_number():
    assert altered_message("data/a", ["sha256"], ["sha512", "md5"]) == (
        "checksum mismatch: SHA-256 differs from manifest-sha256.txt, but SHA-512 and MD5 agree: "
        "the line in manifest-sha256.txt was changed, not the file")
    assert altered_message("data/a", ["sha256", "sha512"], []) == "altered: SHA-256 and SHA-512 checksums differ from the manifest"
    assert altered_message("bag-info.txt", ["sha256", "sha512"], []) == "altered: SHA-256 and SHA-512 checksums differ from the tagmanifest"


# ----------------------------------------------------------------------------- tag files bagit cannot read


def test_an_invalid_bag_info_line_names_bag_info_and_its_line(bag):
    info = bag / "bag-info.txt"
    lines = info.read_text().splitlines()
    info.write_text("\n".join([*lines[:2], "a line without a label", *lines[2:]]) + "\n")
    result = run_verify(bag)
    assert result.exit_code == 1
    assert result.output.startswith(f"{bag}/bag-info.txt:3:0: error: not a readable bag: the line 'a line without a label'")
    assert result.output.count("error:") == 1


def test_an_unsafe_manifest_path_names_the_manifest_and_its_line(bag):
    manifest = bag / "manifest-sha256.txt"
    lines = manifest.read_text().splitlines()
    manifest.write_text("\n".join([*lines, f"{'0' * 64}  data/../../outside.txt"]) + "\n")
    result = run_verify(bag)
    assert result.exit_code == 1
    assert result.output.startswith(
        f"{bag}/manifest-sha256.txt:{len(lines) + 1}:0: error: not a readable bag: the path 'data/../../outside.txt' is unsafe")


def test_a_payload_file_left_out_of_one_manifest_is_named(bag):
    """RFC 8493: every payload file is in every payload manifest. bagit checks their union,
    and passed the bag as intact (the tag manifests made to agree with the edit)."""
    manifest = bag / "manifest-sha256.txt"
    manifest.write_text("".join(line for line in manifest.read_text().splitlines(keepends=True)
                                if not line.rstrip("\n").endswith(" data/README.md")))
    for algorithm in ("sha256", "sha512"):
        tagmanifest = bag / f"tagmanifest-{algorithm}.txt"
        tagmanifest.write_text("".join(
            f"{hashlib.new(algorithm, (bag / name).read_bytes()).hexdigest()} {name}\n"
            for name in (line.split(" ", 1)[1].rstrip("\n") for line in tagmanifest.read_text().splitlines(keepends=True))))
    result = run_verify(bag)
    assert result.exit_code == 1
    assert result.output == (f"{bag}/data/README.md:0:0: error: not listed in manifest-sha256.txt: "
                             "every payload file is in every payload manifest\n")


@pytest.mark.parametrize("name", ["bag-info.txt", "manifest-sha256.txt"])
def test_a_tag_file_line_too_long_for_bagit_is_refused_at_once(bag, name):
    """bagit reads a line in time that grows with the square of its length: a 50 MB line
    in a manifest kept `verify` busy for four minutes. It is refused before bagit reads it."""
    target = bag / name
    lines = target.read_text().splitlines()
    target.write_text("\n".join([*lines, "a" * 20_000_000 + "  data/x"]) + "\n")
    started = time.monotonic()
    result = run_verify(bag)
    assert time.monotonic() - started < 10
    assert result.exit_code == 1
    assert result.output == (f"{bag}/{name}:{len(lines) + 1}:0: error: a line of 20,000,008 characters: "
                             "a tag file's lines are at most 65,536 (not read further)\n")


def test_a_path_listed_twice_names_the_manifest(bag):
    manifest = bag / "manifest-sha512.txt"
    lines = manifest.read_text().splitlines()
    manifest.write_text("\n".join([*lines, lines[0]]) + "\n")
    result = run_verify(bag)
    assert result.exit_code == 1
    assert f"{bag}/manifest-sha512.txt:{len(lines) + 1}:0: error: not a readable bag:" in result.output
    assert "listed twice" in result.output


def test_a_bagit_error_is_put_on_the_tag_file_its_message_names(bag):
    """What the checks before bagit do not catch is still put on the file bagit names."""
    assert tag_file_named_in(f'Path "../x" in manifest "{bag}/tagmanifest-sha256.txt" is unsafe', bag) == "tagmanifest-sha256.txt"
    assert tag_file_named_in('Path "../x" in manifest "manifest-sha256.txt" is unsafe', bag) == "manifest-sha256.txt"
    assert tag_file_named_in("bag-info.txt contains invalid tag: x", bag) == "bag-info.txt"
    assert tag_file_named_in("Unsupported bag version: 9.9", bag) == "bagit.txt"


# ----------------------------------------------------------------------------- damaged zips


def _central_header(data: bytes, name: str) -> int:
    """The offset of an entry's central directory header."""
    offset = data.find(b"PK\x01\x02")
    while offset >= 0:
        length, = struct.unpack_from("<H", data, offset + 28)
        if data[offset + 46:offset + 46 + length] == name.encode():
            return offset
        offset = data.find(b"PK\x01\x02", offset + 4)
    raise AssertionError(f"no central header for {name}")


def damaged_copy(packaged: Path, tmp_path: Path, name: str, change) -> tuple[Path, str]:
    """A copy of the package's zip with one entry changed by `change(data, info, central)`,
    which gets the zip's bytes (a bytearray), the entry and the offset of its central header."""
    source = packaged / "deposit-sample.zip"
    with zipfile.ZipFile(source) as archive:
        info = archive.getinfo(f"deposit-sample/{name}")
    data = bytearray(source.read_bytes())
    change(data, info, _central_header(bytes(data), info.filename))
    target = tmp_path / "damaged.zip"
    target.write_bytes(bytes(data))
    return target, info.filename


def _data_offset(data: bytearray, info: zipfile.ZipInfo) -> int:
    name_length, extra_length = struct.unpack_from("<HH", data, info.header_offset + 26)
    return info.header_offset + 30 + name_length + extra_length


def test_corrupt_deflate_data_is_damage_naming_the_zip_and_the_entry(packaged, tmp_path):
    def corrupt(data, info, central):
        assert info.compress_type == zipfile.ZIP_DEFLATED
        data[_data_offset(data, info)] = 0xFF  # a final block of the reserved type 3: "invalid block type"

    archive, entry = damaged_copy(packaged, tmp_path, "data/xslt/html.xsl", corrupt)
    result = run_verify(archive)
    assert result.exit_code == 1
    assert result.output == (f"{archive}:0:0: error: a damaged zip: entry '{entry}' cannot be inflated: its compressed "
                             "data are corrupt (Error -3 while decompressing data: invalid block type)\n")


def test_compressed_data_that_end_early_are_damage(packaged, tmp_path):
    """Sizes in both headers agree, but the deflate stream is cut short."""
    def shorten(data, info, central):
        shorter = info.compress_size // 2
        struct.pack_into("<I", data, info.header_offset + 18, shorter)
        struct.pack_into("<I", data, central + 20, shorter)

    archive, entry = damaged_copy(packaged, tmp_path, "data/xslt/html.xsl", shorten)
    result = run_verify(archive)
    assert result.exit_code == 1
    assert f"{archive}:0:0: error: a damaged zip: entry '{entry}' " in result.output
    assert "Traceback" not in result.output and "internal error" not in result.output


def test_data_that_do_not_match_their_crc_are_damage(packaged, tmp_path):
    """Both headers agree, but the (stored) data were changed: zipfile's CRC-32 check."""
    def flip(data, info, central):
        assert info.compress_type == zipfile.ZIP_STORED
        data[_data_offset(data, info) + info.compress_size - 1] ^= 0x01

    archive, entry = damaged_copy(packaged, tmp_path, "data/dist/deposit-sample.epub", flip)
    result = run_verify(archive)
    assert result.exit_code == 1
    assert result.output == (f"{archive}:0:0: error: a damaged zip: entry '{entry}' does not match its CRC-32: "
                             "its data were altered or damaged\n")


def test_an_unsupported_compression_method_is_named(packaged, tmp_path):
    """Deflate64 (method 9), which Windows writes for large files, and zipfile cannot read."""
    def deflate64(data, info, central):
        struct.pack_into("<H", data, info.header_offset + 8, 9)
        struct.pack_into("<H", data, central + 10, 9)

    archive, entry = damaged_copy(packaged, tmp_path, "data/xslt/html.xsl", deflate64)
    result = run_verify(archive)
    assert result.exit_code == 1
    assert result.output == (f"{archive}:0:0: error: a damaged zip: entry '{entry}' cannot be unpacked: compression "
                             "method 9 (Deflate64) is not supported (a package's zip is stored or deflated)\n")


@pytest.mark.parametrize(("field", "offset", "said"), [
    ("CRC-32", 14, "CRC-32"),
    ("size", 22, "size"),
    ("compression method", 8, "compression method"),
])
def test_a_local_header_that_disagrees_with_the_table_of_contents_is_damage(packaged, tmp_path, field, offset, said):
    """The reviewer's damage: a CRC-32 changed in the local header only. zipfile checks the
    data against the table of contents and unpacks it cleanly; unzip -t says "bad CRC"."""
    def change_local(data, info, central):
        fmt = "<H" if offset == 8 else "<I"
        value, = struct.unpack_from(fmt, data, info.header_offset + offset)
        struct.pack_into(fmt, data, info.header_offset + offset, value ^ 0x8)

    archive, entry = damaged_copy(packaged, tmp_path, "data/edition/deposit-sample.xml", change_local)
    result = run_verify(archive)
    assert result.exit_code == 1
    assert result.output == (f"{archive}:0:0: error: a damaged zip: entry '{entry}': its local header and the zip's "
                             f"table of contents disagree on its {said}\n")


def test_an_encrypted_entry_is_refused_before_it_is_read(packaged, tmp_path):
    """The encryption flag (bit 0), in the local header and the table of contents: refused,
    not read with a password nobody has (zipfile would raise RuntimeError)."""
    def encrypt(data, info, central):
        for offset in (info.header_offset + 6, central + 8):
            flags, = struct.unpack_from("<H", data, offset)
            struct.pack_into("<H", data, offset, flags | 0x1)

    archive, entry = damaged_copy(packaged, tmp_path, "data/xslt/html.xsl", encrypt)
    assert_refused(run_verify(archive), entry, "encrypted")


def test_a_zip_streamed_with_data_descriptors_is_read(bag, tmp_path):
    """A zip written to a stream puts each entry's CRC-32 and sizes after its data (bit 3):
    that is no damage."""
    archive = tmp_path / "streamed.zip"
    with open(archive, "wb") as raw:
        class Unseekable:
            def write(self, b):
                return raw.write(b)

            def flush(self):
                raw.flush()

        with zipfile.ZipFile(Unseekable(), "w", zipfile.ZIP_DEFLATED) as handle:
            for path in sorted(bag.rglob("*")):
                if path.is_file():
                    handle.write(path, f"{bag.name}/{path.relative_to(bag).as_posix()}")
    with zipfile.ZipFile(archive) as handle:
        assert all(info.flag_bits & 0x08 for info in handle.infolist())
    result = run_verify(archive)
    assert result.exit_code == 0, result.output


def test_data_appended_to_a_zip64_archive_is_found(tmp_path):
    """More than 65,535 entries make a zip64 archive, whose directory ends where its zip64
    end record begins, not where the end record does."""
    archive = tmp_path / "many.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for number in range(65_600):
            handle.writestr(f"f{number}", b"")
    assert safe_zip.bytes_after_the_end(archive) == 0
    with open(archive, "ab") as handle:
        handle.write(b"GARBAGE")
    assert safe_zip.bytes_after_the_end(archive) == 7


def test_control_characters_in_a_tag_file_are_shown_escaped(bag):
    """A NUL and an escape sequence in bag-info.txt went to the terminal as they were."""
    info = bag / "bag-info.txt"
    info.write_text(info.read_text() + "bad\x00line \x1b[31mred\n")
    result = run_verify(bag)
    assert result.exit_code == 1
    assert "\x00" not in result.output and "\x1b" not in result.output
    assert "the line 'bad\\x00line \\x1b[31mred'" in result.output
