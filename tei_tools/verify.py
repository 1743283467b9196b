"""Verify a deposit package: completeness and fixity of a bag folder or of its zip.

Every problem is named by file: a payload or tag file whose checksum differs from the
manifest ("altered"), a listed file that is not there ("missing"), a payload file that
no manifest lists ("added"). A tag file that no tag manifest lists is a warning: RFC 8493
does not require a tag manifest to list every tag file. A bag whose fetch.txt names files
it does not hold is not complete, and is not intact here. A zip is read defensively before anything is checked
(tei_tools.safe_zip: zip-slip and zip bombs refused, damage reported by entry), and
unpacked into a temporary folder that is removed afterwards.
"""
from __future__ import annotations

import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import bagit

from tei_tools.bag import CHECKSUMS
from tei_tools.errors import Finding, PackageError, UsageError, counted
from tei_tools.safe_zip import refuse_data_after_the_end, safe_extract, starts_like_a_zip


# A tei-tools package has a payload manifest and a tag manifest for each algorithm it is
# made with: without a tag manifest, bag-info.txt and the manifests themselves could be
# changed unseen.
REQUIRED_ALGORITHMS = CHECKSUMS
# The longest line a tag file may have. A manifest line is a checksum and a path (at most
# a few hundred characters); bagit reads a line through `codecs` in time that grows with
# the square of its length (a 50 MB line took four minutes), so a longer one is refused
# before bagit reads the file.
MAX_TAG_LINE = 64 * 1024
# The files bagit parses line by line (any other tag file it only checksums).
PARSED_TAG_FILE = re.compile(r"bagit\.txt|bag-info\.txt|(tag)?manifest-\w+\.txt")


@dataclass
class Verification:
    """The outcome for one package: where it is, what is wrong, how many files were checked.

    `warnings` do not make it damaged (`intact` reads the problems only).
    """

    label: str
    problems: list[Finding] = field(default_factory=list)
    files_checked: int = 0
    tag_files_checked: int = 0  # of files_checked, those outside data/
    algorithms: list[str] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems

    def add(self, relative: str, message: str, line: int = 0) -> None:
        self.problems.append(Finding(f"{self.label}/{relative}", line, 0, "error", message))

    def warn(self, relative: str, message: str) -> None:
        self.warnings.append(Finding(f"{self.label}/{relative}", 0, 0, "warning", message))


def verify(path: str | Path) -> Verification:
    """Check the bag folder or bag zip at `path`; raise PackageError if a zip cannot be read safely."""
    target = Path(path)
    if not target.exists():
        raise UsageError(f"{target}:0:0: error: no such file or directory")
    if target.is_dir():
        marker = target / "bagit.txt"
        if not (marker.exists() or marker.is_symlink()):
            # The wrong folder given, like a path that does not exist: no bag to check.
            raise UsageError(f"{target}:0:0: error: no such bag: the folder has no bagit.txt "
                             "(give a bag's folder, the one with bagit.txt, or its zip)")
        return verify_bag(target, str(target).rstrip("/"))
    if not target.is_file():  # a pipe or a device would be read without end
        raise UsageError(f"{target}:0:0: error: not a regular file (a pipe or a device): neither a bag folder nor a zip file")
    if not zipfile.is_zipfile(target):
        if starts_like_a_zip(target):
            refuse_data_after_the_end(target)
            raise PackageError(f"{target}:0:0: error: a damaged zip: its table of contents, at its end, is missing (truncated?)")
        raise UsageError(f"{target}:0:0: error: no such bag: neither a bag folder nor a zip file")
    refuse_data_after_the_end(target)
    with tempfile.TemporaryDirectory(prefix="tei-tools-verify-") as scratch:
        safe_extract(target, Path(scratch))
        bag_dir = find_bag(target, Path(scratch))
        relative = bag_dir.relative_to(scratch).as_posix()
        label = f"{target}!" if relative == "." else f"{target}!/{relative}"
        return verify_bag(bag_dir, label)


# ----------------------------------------------------------------------------- bags


def verify_bag(bag_dir: Path, label: str) -> Verification:
    """Completeness and fixity of the bag in `bag_dir`, findings labelled `label/<file>`."""
    result = Verification(label)
    for link in sorted(p for p in bag_dir.rglob("*") if p.is_symlink()):
        result.add(link.relative_to(bag_dir).as_posix(), "link: a bag holds files, not links (not followed)")
    if not result.intact:
        return result  # a link may point anywhere: nothing is read through it
    # A pipe would be read without end, a device is no file of the deposit: named as such
    # (bagit counted a pipe as a file of the wrong size, "Payload-Oxum validation failed").
    for special in sorted(p for p in bag_dir.rglob("*") if not p.is_dir() and not p.is_file()):
        result.add(special.relative_to(bag_dir).as_posix(), "not a regular file (a pipe, a socket or a device): a bag holds files")
    if not result.intact:
        return result
    for name in tag_files_not_utf8(bag_dir):
        result.add(name, "not UTF-8 text: a bag's tag files are UTF-8 (RFC 8493), so its lines cannot be read")
    if not result.intact:
        return result
    for name, line, message in tag_file_problems(bag_dir):
        result.add(name, message, line)
    if not result.intact:
        return result  # bagit would stop at the first of these, and name no line
    try:
        bag = bagit.Bag(str(bag_dir))
    except bagit.BagError as exc:
        message = _within_bag(str(exc), bag_dir)  # no temporary path of an unpacked zip
        result.add(tag_file_named_in(message, bag_dir), f"not a readable bag: {message}")
        return result
    result.algorithms = sorted(bag.algorithms)
    if not check_fetched(bag_dir, bag, result):
        return result  # the files still to fetch would each be reported missing
    check_manifests_present(bag_dir, result)
    missing, added = bag.compare_manifests_with_fs()
    for name in sorted(missing):
        result.add(name, "missing: listed in a manifest but not in the bag")
    for name in sorted(added):
        result.add(name, "added: in the bag but in no manifest")
    for name in sorted(unlisted_tag_files(bag_dir, bag)):
        result.warn(name, "in no tag manifest, so not checked: RFC 8493 lets a bag leave tag files out of its "
                          "tag manifests, but any change to this file goes unseen")
    for name in empty_folders(bag_dir):
        result.add(name, "added: an empty folder, which no manifest can list")
    check_every_manifest_lists_every_file(bag, result)
    check_fixity(bag_dir, bag, result)
    if result.intact:
        confirm_with_bagit(bag, result)
    return result


def _within_bag(message: str, bag_dir: Path) -> str:
    """A bagit message with the bag's own folder taken out of its paths ("bag-info.txt", not
    "/tmp/tei-tools-verify-x/bag/bag-info.txt"). bagit names files by absolute path, so the
    absolute folder is what is taken out: removing the folder as given ("vt/bag/") from
    "/tmp/vt/bag/bagit.txt" left "/tmp/bagit.txt", a file that is not the one meant."""
    return message.replace(f"{os.path.abspath(bag_dir)}{os.sep}", "")


def check_fetched(bag_dir: Path, bag: bagit.Bag, result: Verification) -> bool:
    """False (and the problem added) when fetch.txt names files the bag does not hold.

    RFC 8493 (2.2.3, 3) lets a bag list in fetch.txt payload files to be fetched from
    elsewhere; until they are, the bag is not complete, and its fixity cannot be checked.
    This tool fetches nothing (a verification reads only what it is given), so such a bag
    is not intact. A fetch.txt whose files are all in the bag is a tag file like any other.
    """
    if not (bag_dir / "fetch.txt").is_file():
        return True
    try:
        unfetched = sorted(bag.compare_fetch_with_fs())
    except bagit.BagError as exc:  # a path leaving the bag
        result.add("fetch.txt", f"not a readable bag: {_within_bag(str(exc), bag_dir)}")
        return False
    except ValueError:  # bagit's reading of a line that is not "url length path"
        result.add("fetch.txt", "not a readable bag: a line is not 'url length path'")
        return False
    if unfetched:
        result.add("fetch.txt", f"the bag lists {counted(len(unfetched), 'file')} to fetch that it does not hold "
                                f"({_shown(unfetched[0])}{', …' if len(unfetched) > 1 else ''}): it is not complete, and "
                                "this tool verifies complete bags only; fetch them into the bag, then verify it")
        return False
    return True


def tag_files_not_utf8(bag_dir: Path) -> list[str]:
    """The text files at the bag's top (bagit.txt, bag-info.txt, manifests) that are not UTF-8."""
    names = []
    for path in sorted(bag_dir.glob("*.txt")):
        try:
            path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            names.append(path.name)
        except OSError:
            pass  # a folder or an unreadable file: reported by the checks that follow
    return names


def tag_file_problems(bag_dir: Path) -> list[tuple[str, int, str]]:
    """(file, line, message) for each line of a tag file that bagit would refuse to read.

    bagit stops at the first such line with a message that names the file only sometimes;
    these checks name the file and the line: a line of bagit.txt or bag-info.txt that is
    neither "Label: value" nor the continuation of one, and a manifest line that is not
    "checksum path", lists a path twice or names a path outside the bag.
    """
    problems = []
    for path in sorted(bag_dir.glob("*.txt")):
        if not path.is_file() or not PARSED_TAG_FILE.fullmatch(path.name):
            continue
        try:
            lines = path.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError):
            continue  # reported by the checks before and after
        too_long = [(path.name, n, f"a line of {len(line):,} characters: a tag file's lines are at most "
                                   f"{MAX_TAG_LINE:,} (not read further)")
                    for n, line in enumerate(lines, 1) if len(line) > MAX_TAG_LINE]
        if too_long:
            problems += too_long
        elif path.name in ("bagit.txt", "bag-info.txt"):
            problems += [(path.name, n, m) for n, m in _tag_line_problems(lines)]
        elif re.fullmatch(r"(tag)?manifest-\w+\.txt", path.name):
            problems += [(path.name, n, m) for n, m in _manifest_line_problems(bag_dir, lines)]
    return problems


def _tag_line_problems(lines: list[str]) -> list[tuple[int, str]]:
    problems = []
    labelled = False
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        if line[0] in " \t" and labelled:
            continue  # a folded value's continuation
        if ":" not in line:
            problems.append((number, f"not a readable bag: the line '{_shown(line.strip())}' is neither 'Label: value' "
                                     "nor the continuation of one (which begins with a space or a tab)"))
        labelled = True
    return problems


def _manifest_line_problems(bag_dir: Path, lines: list[str]) -> list[tuple[int, str]]:
    problems = []
    seen: set[str] = set()
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue  # bagit skips them
        parts = line.split(None, 1)
        if len(parts) != 2:
            problems.append((number, f"a malformed line, which bagit would skip: '{_shown(line)}' is not 'checksum path'"))
            continue
        name = _decoded_path(os.path.normpath(parts[1].lstrip("*")))
        if _leaves_bag(bag_dir, name):
            problems.append((number, f"not a readable bag: the path '{_shown(parts[1])}' is unsafe: absolute, or leaving the bag"))
        elif name in seen:
            problems.append((number, f"not a readable bag: '{name}' is listed twice"))
        seen.add(name)
    return problems


def _shown(text: str) -> str:
    """A tag file's text as a message quotes it: control characters escaped (a NUL or an
    escape sequence went to the terminal as it was), and at most 200 characters."""
    shown = re.sub(r"[\x00-\x1f\x7f-\x9f]", lambda found: f"\\x{ord(found.group()):02x}", text)
    return shown if len(shown) <= 200 else shown[:200] + "…"


def _decoded_path(name: str) -> str:
    """A manifest's path with RFC 8493's percent-encoded line ends and percent signs decoded (as bagit does)."""
    return re.sub(r"%0A|%0D|%25", lambda m: {"%0A": "\n", "%0D": "\r", "%25": "%"}[m.group().upper()], name, flags=re.IGNORECASE)


def _leaves_bag(bag_dir: Path, name: str) -> bool:
    """Whether bagit would refuse a manifest path as unsafe (absolute, `~` or `$`, or outside the bag)."""
    if os.path.isabs(name) or os.path.expandvars(name) != name or os.path.expanduser(name) != name:
        return True
    inside = os.path.normpath(os.path.realpath(bag_dir))
    return os.path.commonpath([inside, os.path.normpath(os.path.realpath(os.path.join(bag_dir, name)))]) != inside


def tag_file_named_in(message: str, bag_dir: Path) -> str:
    """The tag file a bagit error is about, as its message names it; else bagit.txt, which
    bagit reads first (a message about the bag as a whole)."""
    names = sorted((p.name for p in bag_dir.glob("*.txt")), key=len, reverse=True)
    return next((name for name in names if re.search(rf"(?<![\w-]){re.escape(name)}", message)), "bagit.txt")


def check_manifests_present(bag_dir: Path, result: Verification) -> None:
    """Each required algorithm's manifest and tag manifest (bagit needs only one manifest)."""
    for algorithm in REQUIRED_ALGORITHMS:
        label = algorithm_name(algorithm)
        if not (bag_dir / f"manifest-{algorithm}.txt").is_file():
            result.add(f"manifest-{algorithm}.txt", f"missing: a tei-tools package lists every file with its {label} checksum")
        if not (bag_dir / f"tagmanifest-{algorithm}.txt").is_file():
            result.add(f"tagmanifest-{algorithm}.txt",
                       f"missing: without it, bag-info.txt and the manifests could be changed unseen ({label})")


def check_every_manifest_lists_every_file(bag: bagit.Bag, result: Verification) -> None:
    """RFC 8493 (3): every payload file is listed in every payload manifest. bagit checks
    the union of the manifests, so a file left out of one of them passed as intact."""
    for relative, listed in sorted(bag.entries.items()):
        if not relative.startswith("data/"):
            continue
        for algorithm in sorted(set(bag.algorithms) - set(listed)):
            result.add(relative, f"not listed in manifest-{algorithm}.txt: every payload file is in every payload manifest")


def empty_folders(bag_dir: Path) -> list[str]:
    """Folders that hold no file at any depth: a bag lists files only, so these are additions."""
    folders = [p for p in bag_dir.rglob("*") if p.is_dir() and not p.is_symlink()]
    return sorted(p.relative_to(bag_dir).as_posix() for p in folders if not any(q.is_file() for q in p.rglob("*")))


def unlisted_tag_files(bag_dir: Path, bag: bagit.Bag) -> set[str]:
    """Files outside data/ that no tag manifest lists (bagit itself lets these pass)."""
    listed = set(bag.tagfile_entries())
    if not listed:
        return set()  # a bag without tag manifests lists no tag files at all
    found = set()
    for path in bag_dir.rglob("*"):
        relative = path.relative_to(bag_dir).as_posix()
        if not path.is_file() or relative.startswith("data/"):
            continue
        if relative not in listed and not re.fullmatch(r"tagmanifest-\w+\.txt", relative):
            found.add(relative)
    return found


def check_fixity(bag_dir: Path, bag: bagit.Bag, result: Verification) -> None:
    """Recompute every listed file's checksums (payload and tag files) against the manifests."""
    for relative, expected in sorted(bag.entries.items()):
        path = bag_dir / relative
        if not path.is_file():
            continue  # reported as missing
        try:
            lines = bagit.generate_manifest_lines(str(path), algorithms=sorted(expected))
        except ValueError as exc:  # a manifest named for an algorithm hashlib does not know
            result.add(relative, f"cannot check: {exc}")
            continue
        result.files_checked += 1
        result.tag_files_checked += not relative.startswith("data/")
        altered = sorted(alg for alg, digest, _name, _size in lines if digest != expected[alg].lower())
        if altered:
            result.add(relative, altered_message(relative, altered, sorted(set(expected) - set(altered))))


def altered_message(relative: str, altered: list[str], agreeing: list[str]) -> str:
    """What a checksum mismatch says: when another algorithm still agrees, the file is as
    it was and the manifest line was changed, so the message names the manifest."""
    names = " and ".join(algorithm_name(a) for a in altered)
    kind = "manifest" if relative.startswith("data/") else "tagmanifest"
    if not agreeing:
        return f"altered: {names} {'checksums differ' if len(altered) > 1 else 'checksum differs'} from the {kind}"
    manifests = " and ".join(f"{kind}-{a}.txt" for a in altered)
    agree = "agree" if len(agreeing) > 1 else "agrees"
    lines = "the lines in" if len(altered) > 1 else "the line in"
    were = "were" if len(altered) > 1 else "was"
    return (f"checksum mismatch: {names} {'differ' if len(altered) > 1 else 'differs'} from {manifests}, but "
            f"{' and '.join(algorithm_name(a) for a in agreeing)} {agree}: {lines} {manifests} {were} changed, not the file")


def algorithm_name(algorithm: str) -> str:
    """An algorithm as prose names it: "sha256" is SHA-256, "md5" MD5."""
    return re.sub(r"^SHA(\d+)$", r"SHA-\1", algorithm.upper())


def confirm_with_bagit(bag: bagit.Bag, result: Verification) -> None:
    """The bagit library's own full validation (structure, Payload-Oxum, fixity) as the last word."""
    try:
        bag.validate()
    except bagit.BagError as exc:
        result.add("bag-info.txt" if "Oxum" in str(exc) else "bagit.txt", f"invalid bag: {exc}")


# ----------------------------------------------------------------------------- zips


def find_bag(archive_path: Path, dest: Path) -> Path:
    """The bag in an unpacked zip: at its top, or in its single top-level folder."""
    if (dest / "bagit.txt").is_file():
        return dest
    tops = sorted(dest.iterdir())
    if len(tops) == 1 and (tops[0] / "bagit.txt").is_file():
        return tops[0]
    bags = [p.name for p in tops if (p / "bagit.txt").is_file()]
    listing = ", ".join(p.name + ("/" if p.is_dir() else "") for p in tops[:10]) + (", …" if len(tops) > 10 else "")
    if bags:
        raise PackageError(f"{archive_path}:0:0: error: the zip holds {listing} beside the bag {bags[0]}/: "
                           "a package's zip holds the bag's folder alone")
    raise PackageError(f"{archive_path}:0:0: error: no bag in the zip (no bagit.txt at its top or in its one folder; it holds {listing or 'nothing'})")
