"""What a deposit package holds: the files of one TEI master's bag, planned, nothing written.

    data/edition/          the TEI master     data/dist/      HTML, EPUB and text editions
    data/edition/source/   the source text    data/schema/    RELAX NG, Schematron
    data/xslt/             the stylesheets    data/LICENSE, data/CITATION.cff

data/ mirrors the project: the schema and the stylesheets are the tool's own (those that
validated and built the editions), a master keeps its place under edition/ and its source
text its place under edition/source/, so that the master's relative `<?xml-model?>` links
and the path of its source text (sourceDesc's idno type="file", from the project's root)
resolve inside the bag as they do in the project. From dist/ only the master's own
reading editions go in; editors' backups, caches, hidden and system files never do.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from tei_tools import saxon
from tei_tools import validate as validation
from tei_tools.editions import EDITION_DIRNAME, SOURCE_DIRNAME, Project
from tei_tools.errors import PackageError
from tei_tools.parsing import TEI_NS


# The reading editions the build writes for a master, dist/<stem><suffix>, by their role in
# the package. The HTML is one self-contained page (CSS, script and map inline), so nothing
# else in dist/ belongs to an edition: any other file there (notes, a stale or foreign
# file) is left out.
EDITION_ROLES = {".html": "derivative-html", ".epub": "derivative-epub", ".txt": "derivative-text"}

# The project's licence and citation files, deposited with each edition: an archive must
# find the terms of use in the bag itself, so the licence is required.
PROJECT_FILES = {"LICENSE": "licence", "CITATION.cff": "citation"}
REQUIRED_PROJECT_FILES = {"LICENSE"}

# The tool's own files (its schema and stylesheets) are not the project's.
TOOL_ROLES = {"schema", "stylesheet"}

# Files that are never deposited: editors' backups and swap files, caches, system files.
_JUNK_NAME = re.compile(r"(~|\.bak|\.orig|\.rej|\.swp|\.swo|\.tmp|\.pyc|\.pyo)$|^#.*#$|^(Thumbs\.db|desktop\.ini)$", re.IGNORECASE)
_JUNK_FOLDERS = {"__pycache__"}


@dataclass(frozen=True)
class PayloadFile:
    """One file to put in the bag: what it is, where it comes from, where it goes under data/."""

    role: str
    source: Path
    path: str


def source_file_name(tree: etree._ElementTree) -> str | None:
    return tree.findtext(f".//{{{TEI_NS}}}sourceDesc/{{{TEI_NS}}}bibl/{{{TEI_NS}}}idno[@type='file']")


def payload_plan(project: Project, master: Path, tree: etree._ElementTree, exclude: Path | None = None) -> list[PayloadFile]:
    """Every file the bag of `master` holds, with its role and its place under data/.

    The schema and stylesheets are the tool's own (those that validated and built the
    editions, whatever the project tree holds); `exclude` (the output folder) is never
    deposited, should it lie inside a folder that is.
    """
    skip = exclude.resolve() if exclude is not None else None
    plan = [PayloadFile("master", master, master_path(project, master))]
    plan += [PayloadFile("source", p, source_path(project, p)) for p in source_files(project, master, tree)]
    plan += _tree_files("schema", validation.RNG_PATH.parent, "schema", skip)
    plan += _tree_files("stylesheet", saxon.XSLT_DIR, "xslt", skip)
    plan += derivative_files(project, master)
    plan += [PayloadFile(role, project.root / name, name) for name, role in PROJECT_FILES.items() if (project.root / name).is_file()]
    for item in plan:
        if item.role not in TOOL_ROLES:
            _check_inside(project, item.source)
    return plan


def _check_inside(project: Project, path: Path) -> None:
    """A link in the project (`LICENSE -> /etc/shadow`) would put what it leads to in the bag:
    the project's files must be files of the project."""
    if path.is_symlink() or not path.resolve().is_relative_to(project.root.resolve()):
        raise PackageError(f"{path}:0:0: error: a symbolic link (or a file reached through one, outside the project); "
                           "a deposit holds the project's own files: copy the file in")


def check_required_files(project: Project) -> None:
    """Refuse a project without a licence before anything is built: a deposit must carry
    the terms on which it may be kept and used."""
    for name in sorted(REQUIRED_PROJECT_FILES):
        path = project.root / name
        if not path.is_file() or not os.access(path, os.R_OK) or path.stat().st_size == 0:
            raise PackageError(f"{path}:0:0: error: no such file, or an empty or unreadable one; a deposit must carry "
                               "the terms on which it may be kept and used: add the project's licence")
        _check_inside(project, path)


def master_path(project: Project, master: Path) -> str:
    """Where a master goes under data/: its place under edition/ (edition/1924/x.xml)."""
    try:
        relative = master.resolve().relative_to(project.edition_dir.resolve())
    except ValueError:  # a master from outside edition/
        relative = Path(master.name)
    return f"edition/{relative.as_posix()}"


def source_path(project: Project, source: Path) -> str:
    """Where a source file goes under data/: its place under edition/source/, as in the project,
    so that the master's reference to it (a path from the project's root) resolves in the bag."""
    return f"{EDITION_DIRNAME}/{SOURCE_DIRNAME}/{source.relative_to(project.source_dir).as_posix()}"


def source_files(project: Project, master: Path, tree: etree._ElementTree) -> list[Path]:
    """The source text the header names (idno type='file') and the sources' README.

    Without such an idno every file of edition/source/ goes in: nothing is left out.
    """
    name = (source_file_name(tree) or "").strip()
    if not name:
        return _visible_files(project.source_dir)
    source = _named_source(project, name)
    if source is None:
        raise PackageError(f"{master}:0:0: error: the source text '{name}' named in sourceDesc is not in {project.source_dir}")
    readme = project.source_dir / "README.md"
    return [source] + ([readme] if readme.is_file() else [])


def _named_source(project: Project, name: str) -> Path | None:
    """The file an idno names: a path from the project root or a name in edition/source/."""
    folder = project.source_dir.resolve()
    for candidate in (project.root / name, project.source_dir / name):
        if candidate.is_file() and candidate.resolve().parent == folder:
            return candidate
    return None


def derivative_files(project: Project, master: Path) -> list[PayloadFile]:
    """The reading editions the build made of `master`: dist/<stem>.html, .epub and .txt.

    Only these go in: a reading edition belongs to the master whose name it bears whole
    (`a.b.html` is the edition of `a.b.xml`, not of `a.xml`), and any other file in dist/
    (another master's edition, a stale one, an editor's note) belongs to no bag. All three
    must be there, or the package would describe editions it does not hold.
    """
    files = [PayloadFile(role, project.dist_dir / f"{master.stem}{suffix}", f"dist/{master.stem}{suffix}")
             for suffix, role in EDITION_ROLES.items()]
    missing = [f.source.name for f in files if not (f.source.is_file() or f.source.is_symlink())]
    if len(missing) == len(EDITION_ROLES):
        raise PackageError(f"{master}:0:0: error: no reading editions of it in {project.dist_dir}; build first")
    if missing:
        raise PackageError(f"{master}:0:0: error: reading editions of it missing from {project.dist_dir}: "
                           f"{', '.join(missing)}; build first")
    return files


def _tree_files(role: str, folder: Path, prefix: str, exclude: Path | None = None) -> list[PayloadFile]:
    return [PayloadFile(role, p, f"{prefix}/{p.relative_to(folder).as_posix()}") for p in _visible_files(folder, exclude)]


def _visible_files(folder: Path, exclude: Path | None = None) -> list[Path]:
    """Files under `folder`, sorted, leaving out hidden files and folders, editors' backups,
    caches and system files (`is_deposited`), and anything under `exclude`."""
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.rglob("*")
        if p.is_file() and is_deposited(p.relative_to(folder))
        and not (exclude is not None and p.resolve().is_relative_to(exclude))
    )


def is_deposited(relative: Path) -> bool:
    """Whether a file found in a deposited folder belongs in the bag."""
    if any(part.startswith(".") or part in _JUNK_FOLDERS for part in relative.parts):
        return False
    return not _JUNK_NAME.search(relative.name)
