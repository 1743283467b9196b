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

A project may hold several editions but has one LICENSE, one CITATION.cff and one
edition/source/README.md: LICENSE (the project's terms) goes into every bag, the other two
only into the bag of the edition they are about (`cites_edition`, `describes_source`).
"""
from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from tei_tools import saxon
from tei_tools import validate as validation
from tei_tools.editions import EDITION_DIRNAME, SOURCE_DIRNAME, Project
from tei_tools.errors import PackageError
from tei_tools.parsing import TEI_NS, element_location


# The reading editions the build writes for a master, dist/<stem><suffix>, by their role in
# the package. The HTML is one self-contained page (CSS, script and map inline), so nothing
# else in dist/ belongs to an edition: any other file there (notes, a stale or foreign
# file) is left out.
EDITION_ROLES = {".html": "derivative-html", ".epub": "derivative-epub", ".txt": "derivative-text"}

# The project's licence and citation files. The licence goes into every bag (an archive must
# find the terms of use in the bag itself, so it is required); the citation file only into
# the bag of the edition it cites (`cites_edition`).
PROJECT_FILES = {"LICENSE": "licence", "CITATION.cff": "citation"}
REQUIRED_PROJECT_FILES = {"LICENSE"}

# The description of the source texts, edition/source/README.md: it goes into a bag only
# when it names that edition's source text (`describes_source`).
SOURCE_README = "README.md"

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
    idno = source_idno(tree, "file")
    return idno.text if idno is not None else None


def source_idno(tree: etree._ElementTree, kind: str) -> etree._Element | None:
    """The source description's idno of that type: "file" (the source text's path),
    "sha256" (its checksum as received)."""
    return tree.find(f".//{{{TEI_NS}}}sourceDesc/{{{TEI_NS}}}bibl/{{{TEI_NS}}}idno[@type='{kind}']")


def payload_plan(project: Project, master: Path, tree: etree._ElementTree, exclude: Path | None = None,
                 editions_dir: Path | None = None) -> list[PayloadFile]:
    """Every file the bag of `master` holds, with its role and its place under data/.

    The schema and stylesheets are the tool's own (those that validated and built the
    editions, whatever the project tree holds); `exclude` (the output folder) is never
    deposited, should it lie inside a folder that is. The reading editions come from
    `editions_dir` (the folder the package built them into), else from the project's dist/.
    """
    skip = exclude.resolve() if exclude is not None else None
    plan = [PayloadFile("master", master, master_path(project, master))]
    plan += [PayloadFile("source", p, source_path(project, p)) for p in source_files(project, master, tree)]
    plan += _tree_files("schema", validation.RNG_PATH.parent, "schema", skip)
    plan += _tree_files("stylesheet", saxon.XSLT_DIR, "xslt", skip)
    editions = derivative_files(project, master, editions_dir)
    plan += editions
    plan += project_files(project, tree)
    # The tool's files are not the project's, nor are editions the package built itself
    # (in a temporary folder): only the project's own files must lie inside the project.
    own = set(TOOL_ROLES) | ({item.role for item in editions} if editions_dir is not None else set())
    for item in plan:
        if item.role not in own:
            _check_inside(project, item.source)
        check_bagit_name(item)
    return plan


# Characters RFC 8493 (§2.1.3) lets a manifest hold only percent-encoded: CR, LF and `%`
# itself. bagit-python, which writes the manifests, encodes the line ends but not `%`, so
# a name with one would be read back as another name (`a%0Ab` as `a`, LF, `b`); a name with
# a line end, as encoded, is read back by few tools. They are refused, not written.
_BAGIT_UNSAFE = {"%": "'%'", "\r": "a carriage return (CR)", "\n": "a line feed (LF)"}


def check_bagit_name(item: PayloadFile) -> None:
    """Refuse a payload file whose name a bag's manifest cannot hold as it is (`_BAGIT_UNSAFE`)."""
    found = [said for character, said in _BAGIT_UNSAFE.items() if character in item.path]
    if found:
        shown = str(item.source).translate({ord("\n"): "\\n", ord("\r"): "\\r"})
        raise PackageError(f"{shown}:0:0: error: its name holds {' and '.join(found)}, which a BagIt manifest "
                           "cannot list as it is (RFC 8493, 2.1.3): rename the file")


def project_files(project: Project, tree: etree._ElementTree) -> list[PayloadFile]:
    """LICENSE, and CITATION.cff when it cites this edition (`cites_edition`): a project with
    several editions has one citation file, and the bag of another edition must not carry
    a citation (title, version, identifier, licence) of a work it does not hold."""
    files = []
    for name, role in PROJECT_FILES.items():
        path = project.root / name
        if not path.is_file():
            continue
        if role == "citation" and not cites_edition(_read_project_text(project, path), tree, path):
            continue
        files.append(PayloadFile(role, path, name))
    return files


def _read_project_text(project: Project, path: Path) -> str:
    """The text of a project's file that decides what goes in (CITATION.cff, the sources'
    README): read only when it is the project's own (`_check_inside`), and readable."""
    _check_inside(project, path)
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise PackageError(f"{path}:0:0: error: cannot read it: {exc.strerror or exc}") from None


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
    """The source text the header names (idno type='file') and the sources' README, when
    that README names this source text (`describes_source`): edition/source/ may hold the
    sources of several editions, and a README about another's is no description of this one.

    Without such an idno every file of edition/source/ goes in: nothing is left out.
    """
    name = (source_file_name(tree) or "").strip()
    if not name:
        return _visible_files(project.source_dir)
    source = _named_source(project, name)
    if source is None:
        idno = source_idno(tree, "file")
        line, column = element_location(idno) if idno is not None else (0, 0)
        link = project.source_dir / name
        if link.is_symlink():
            raise PackageError(f"{master}:{line}:{column}: error: the source text '{name}' named in sourceDesc is a "
                               f"symbolic link in {project.source_dir} to a file elsewhere; a deposit holds the file "
                               "itself: put the file in place of the link")
        raise PackageError(f"{master}:{line}:{column}: error: the source text '{name}' "
                           f"named in sourceDesc is not in {project.source_dir}")
    check_source_fixity(master, tree, source)
    readme = project.source_dir / SOURCE_README
    if not readme.is_file() or readme.resolve() == source.resolve():
        return [source]
    return [source] + ([readme] if describes_source(_read_project_text(project, readme), source.name) else [])


def unnamed_source_warnings(project: Project, master: Path, tree: etree._ElementTree) -> tuple[str, ...]:
    """A warning when the header names no source file while edition/source/ holds some: the
    bag then takes them all as this edition's source (source_files), which is true of a
    project with one edition and false of the others' sources in a project with several."""
    if (source_file_name(tree) or "").strip():
        return ()
    found = _visible_files(project.source_dir)
    if not found:
        return ()
    source_desc = tree.find(f".//{{{TEI_NS}}}sourceDesc")
    line, column = element_location(source_desc) if source_desc is not None else (1, 1)
    return (f"{master}:{line}:{column}: warning: sourceDesc names no source file (bibl/idno type=\"file\"), so "
            f"every file of {project.source_dir} ({len(found)}) goes into this edition's bag as its source; "
            "name the edition's own source text there",)


def check_source_fixity(master: Path, tree: etree._ElementTree, source: Path) -> None:
    """The source text as the editors received it, or no package: where the header records
    the file's SHA-256 (sourceDesc's idno type='sha256'), the file must still have it. A
    changed source would be deposited beside a master and a README that describe another
    text, under the same version and identifier."""
    idno = source_idno(tree, "sha256")
    if idno is None:
        return
    recorded = " ".join("".join(idno.itertext()).split())
    try:
        actual = hashlib.sha256(source.read_bytes()).hexdigest()
    except OSError as error:
        raise PackageError(f"{source}:0:0: error: cannot read the source text: {error.strerror or error}") from None
    if actual != recorded:
        line, column = element_location(idno)
        raise PackageError(f"{master}:{line}:{column}: error: the source text {source} has changed since it was "
                           f"received: its SHA-256 is {actual}, the header records {recorded}; restore the file "
                           "as received (git can), or, if the editors received a new one, record its checksum")


def describes_source(readme: str, name: str) -> bool:
    """Whether the sources' README names the source file `name` (`000_x.txt`, alone or in a
    path) as a whole name: `a.txt` is not named by `data.txt` or `a.txt.bak`."""
    return re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w-]|\.\w)", readme) is not None


def _named_source(project: Project, name: str) -> Path | None:
    """The file an idno names: a path from the project root or a name in edition/source/."""
    folder = project.source_dir.resolve()
    for candidate in (project.root / name, project.source_dir / name):
        if candidate.is_file() and candidate.resolve().parent == folder:
            return candidate
    return None


def derivative_files(project: Project, master: Path, editions_dir: Path | None = None) -> list[PayloadFile]:
    """The reading editions the build made of `master`: dist/<stem>.html, .epub and .txt
    (from `editions_dir` when given, else from the project's dist/).

    Only these go in: a reading edition belongs to the master whose name it bears whole
    (`a.b.html` is the edition of `a.b.xml`, not of `a.xml`), and any other file in dist/
    (another master's edition, a stale one, an editor's note) belongs to no bag. All three
    must be there, or the package would describe editions it does not hold.
    """
    folder = editions_dir if editions_dir is not None else project.dist_dir
    files = [PayloadFile(role, folder / f"{master.stem}{suffix}", f"dist/{master.stem}{suffix}")
             for suffix, role in EDITION_ROLES.items()]
    missing = [f.source.name for f in files if not (f.source.is_file() or f.source.is_symlink())]
    if len(missing) == len(EDITION_ROLES):
        raise PackageError(f"{master}:0:0: error: no reading editions of it in {folder}; build first")
    if missing:
        raise PackageError(f"{master}:0:0: error: reading editions of it missing from {folder}: "
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


# ----------------------------------------------------------------------------- the citation file


def cites_edition(citation: str, tree: etree._ElementTree, path: str | Path = "CITATION.cff") -> bool:
    """Whether a CITATION.cff (its text; `path` names it in an error) cites the edition
    whose header is `tree`. A file that is not a YAML mapping is an error (PackageError at
    its line and column): left out silently, the bag lost its citation unseen.

    The identifiers decide when the file names any (`doi`, the values of `identifiers`): it
    cites the edition when one of them is one of the header's publicationStmt/idno (the
    edition's identifier, idno type='edition'; a DOI), letter case aside. A file naming
    none is compared by title: its `title` is one of the titleStmt's titles (the main
    title, or main title and subtitle) or the same words continued (`<title>: a digital
    edition`), or they are its first words, ending at a word's end; dashes, quotation
    marks, spacing, letter case and a final full stop aside. Anything else (another
    edition's citation, a file without title or identifiers) cites another work.
    """
    data = _cff_data(citation, str(path))
    identifiers = {_identifier_key(v) for v in _cff_identifiers(data)} - {""}
    if identifiers:
        return not identifiers.isdisjoint(_identifier_key(v) for v in _edition_identifiers(tree))
    title = _title_key(str(data.get("title") or ""))
    return bool(title) and any(_same_title(title, _title_key(t)) for t in _edition_titles(tree))


def _edition_identifiers(tree: etree._ElementTree) -> list[str]:
    return [" ".join(e.itertext()) for e in tree.iterfind(f".//{{{TEI_NS}}}publicationStmt/{{{TEI_NS}}}idno")]


def _edition_titles(tree: etree._ElementTree) -> list[str]:
    """The titleStmt's titles: each, and the main title with the first subtitle."""
    titles = [(e.get("type"), " ".join("".join(e.itertext()).split()))
              for e in tree.iterfind(f".//{{{TEI_NS}}}fileDesc/{{{TEI_NS}}}titleStmt/{{{TEI_NS}}}title")]
    found = [text for _, text in titles if text]
    main = next((text for kind, text in titles if kind != "sub" and text), None)
    sub = next((text for kind, text in titles if kind == "sub" and text), None)
    if main and sub:
        found.append(f"{main}: {sub}")
    return found


def _identifier_key(value: str) -> str:
    """An identifier as compared: spacing and letter case aside, a DOI with or without its
    resolver (`https://doi.org/10.x/y`, `doi:10.x/y`, `10.x/y`)."""
    key = " ".join(value.split()).casefold()
    return re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)(?=10\.)", "", key)


_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
_QUOTES = {ord("\u2018"): "'", ord("\u2019"): "'", ord("\u201c"): '"', ord("\u201d"): '"'}


def _title_key(title: str) -> str:
    text = unicodedata.normalize("NFKC", title).translate(_DASHES).translate(_QUOTES).casefold()
    return " ".join(text.split()).rstrip(" .")


def _same_title(a: str, b: str) -> bool:
    """One title is the other, or its first words (the longer goes on after a word's end)."""
    short, long = sorted((a, b), key=len)
    return bool(short) and long.startswith(short) and (len(long) == len(short) or not long[len(short)].isalnum())


def _cff_identifiers(data: dict) -> list[str]:
    """The values of `doi` and of the `identifiers` list."""
    identifiers = data.get("identifiers")
    listed = [item.get("value") for item in identifiers if isinstance(item, dict)] if isinstance(identifiers, list) else []
    return [str(value) for value in [data.get("doi"), *listed] if value is not None]


def _cff_data(citation: str, path: str) -> dict:
    """The Citation File Format's fields (it is YAML): a mapping, else a PackageError."""
    import yaml  # only a deposit reads it

    try:
        data = yaml.safe_load(citation)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
        reason = " ".join(str(getattr(exc, "problem", None) or exc).split())
        raise PackageError(f"{path}:{line}:{column}: error: not readable as YAML ({reason}); "
                           "a Citation File Format file is YAML: correct it, or remove it") from None
    if not isinstance(data, dict):
        raise PackageError(f"{path}:1:1: error: not a Citation File Format file: its YAML is not a mapping of "
                           "fields (cff-version, title, …); correct it, or remove it")
    return data
