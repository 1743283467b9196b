"""The edition's TEI files: which files a command works on, and that their outputs do not collide.

`edition/` may hold many documents (in subfolders too); every command takes files or
folders, or else the edition folder, through `edition_files`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from tei_tools.errors import BROKEN_LINK, UsageError, shown_path

EDITION_DIRNAME = "edition"
SOURCE_DIRNAME = "source"  # edition/source/ holds the plain-text originals, never TEI


def edition_files(paths: Iterable[str | Path] = (), required_for: str | None = None) -> list[Path]:
    """The TEI files to work on: the given files, the *.xml in given folders, or edition/.

    With `required_for` ("validate", "build"), finding no file is a usage error that says so;
    so is a missing `edition/` when no path is given.

    Folders are searched recursively, leaving out `source/` (plain-text originals) and
    hidden files and folders (`.git/`, the `._name.xml` that macOS leaves on other file
    systems, editors' backups), as `tei-tools watch` ignores their changes; a hidden file
    named on the command line is still taken. A path that does not exist is a usage error.
    """
    given = [Path(p) for p in paths]
    if not given:
        given = [default_edition_dir()]
    files: list[Path] = []
    for path in given:
        if path.is_dir():
            files.extend(_xml_files_under(path))
        elif path.exists():
            files.append(path)
        elif path.is_symlink():
            raise UsageError(f"{shown_path(path)}:0:0: error: {BROKEN_LINK}")
        else:
            raise UsageError(f"{shown_path(path)}:0:0: error: no such file or directory")
    if not files and required_for:
        where = ", ".join(shown_path(p) for p in given)
        raise UsageError(f"{where}:0:0: error: no *.xml files to {required_for}")
    return files


def searched_folders(paths: Iterable[str | Path] = ()) -> list[Path]:
    """The folders edition_files searches for these paths: the given folders, or edition/."""
    given = [Path(p) for p in paths]
    return [p for p in given if p.is_dir()] if given else [default_edition_dir()]


def default_edition_dir() -> Path:
    """`edition/` in the working directory: the project is the folder a command runs in.

    No fallback to another project's folder (this package's own repository, say): the
    outputs go to `dist/` here, and building one project's edition into another's folder
    would be a surprise. A UsageError says what to do instead.
    """
    here = Path(EDITION_DIRNAME)
    if not here.is_dir():
        raise UsageError(f"{here}:0:0: error: no such folder in the working directory ({Path.cwd()}); "
                         "run in the project's folder (the one with edition/) or name the TEI files or folders")
    return here


def _xml_files_under(folder: Path) -> list[Path]:
    def wanted(path: Path) -> bool:
        parts = path.relative_to(folder).parts
        return SOURCE_DIRNAME not in parts[:-1] and not any(part.startswith(".") for part in parts)

    _check_folders_readable(folder)
    # A link that leads nowhere is kept: it is reported (tei_tools.parsing) rather than its
    # document left out in silence.
    return sorted(p for p in folder.rglob("*.xml") if wanted(p) and (p.is_file() or p.is_symlink()))


def _check_folders_readable(folder: Path) -> None:
    """A folder that cannot be read would be skipped in silence (rglob skips it), and its
    editions left out of a build or a deposit: a usage error names it instead."""
    def unreadable(error: OSError) -> None:
        raise UsageError(f"{error.filename}:0:0: error: cannot read folder: {error.strerror or error}")

    for _ in os.walk(folder, onerror=unreadable):
        pass


def same_file_key(path: Path) -> Path:
    """The path with links and `..` resolved, to tell when two names are one file; a link
    that goes round in a loop is its own key (Path.resolve raises on it), and is reported
    when it is read."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):
        return path.absolute()


def output_name(path: str | Path) -> str:
    """What a document's outputs are named by: its file's name without the suffix, compared
    regardless of case (on a case-insensitive file system, A.html is a.html)."""
    return Path(path).stem.casefold()


def distinct_documents(paths: Iterable[str | Path]) -> list[Path]:
    """The documents to build, each once and in order; a UsageError if two share outputs.

    Outputs are named by the file's name (`<stem>.html`), so `edition/1923/a.xml` and
    `edition/1924/a.xml` cannot be built into one folder: one would silently replace the
    other's files. Names are compared regardless of case, as on a case-insensitive file
    system (macOS, Windows), where the archive may be read. A file given twice (by
    itself and inside a folder) is built once.
    """
    documents: list[Path] = []
    seen: set[Path] = set()
    by_stem: dict[str, Path] = {}
    for path in map(Path, paths):
        check_file_name(path)
        resolved = same_file_key(path)
        if resolved in seen:
            continue
        seen.add(resolved)
        other = by_stem.setdefault(output_name(path), path)
        if other is not path:
            raise UsageError(
                f"{shown_path(path)}:0:0: error: {shown_path(other)} writes the same outputs ({path.stem}.html, .epub, .txt: "
                "outputs are named by the file's name); rename one of the two files"
            )
        documents.append(path)
    return documents


def check_outputs_spare_inputs(documents: Iterable[Path], out: Path, suffixes: Iterable[str]) -> None:
    """A UsageError when an output would replace one of the inputs: a TEI file `a.txt` (or
    `a.html`) built into its own folder would be overwritten by its own text edition.

    Outputs are `<stem><suffix>` in `out`, so only an input in `out` whose own suffix is an
    output's can be one; just those are resolved (case aside, as a file system may be).
    """
    wanted = {suffix.casefold() for suffix in suffixes}
    out_key: Path | None = None
    for document in documents:
        if document.suffix.casefold() not in wanted:
            continue
        out_key = out_key or same_file_key(out)
        if same_file_key(document.parent) == out_key:
            raise UsageError(f"{shown_path(document)}:0:0: error: the build would write {document.stem}{document.suffix.lower()} over "
                             "this input file; build into another folder (--out) or rename the file to .xml")


def check_file_name(path: Path) -> None:
    """A UsageError for a file name that cannot name outputs (file_name_problem)."""
    problem = file_name_problem(path)
    if problem is not None:
        shown = str(path).encode("utf-8", "backslashreplace").decode("utf-8")
        raise UsageError(f"{shown_path(shown)}:0:0: error: {problem}")


def file_name_problem(path: Path) -> str | None:
    """Why the file's name cannot name its outputs, or None. Outputs, ids and links are
    named after the file: a name that is no UTF-8 text (bytes another system wrote) cannot
    name them, and one with a line break would split every message that names them."""
    try:
        path.name.encode("utf-8")
    except UnicodeEncodeError:
        return "the file name is not UTF-8 text, and the outputs are named after it; rename the file"
    if shown_path(path.name) != path.name:
        return ("the file name holds a line break, and the outputs are named after it (each message naming them "
                "would be split in two); rename the file")
    return None


@dataclass(frozen=True)
class Project:
    """The folders of a project tree (the working directory, or a small tree in a test)."""

    root: Path

    @property
    def edition_dir(self) -> Path:
        return self.root / EDITION_DIRNAME

    @property
    def source_dir(self) -> Path:
        return self.edition_dir / SOURCE_DIRNAME

    @property
    def dist_dir(self) -> Path:
        return self.root / "dist"

    def editions(self) -> list[Path]:
        """Every TEI master under edition/ (never one hard-coded name): the files `tei-tools
        build` builds, in subfolders too, leaving out edition/source/ and hidden files."""
        return edition_files([self.edition_dir]) if self.edition_dir.is_dir() else []
