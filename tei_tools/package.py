"""Deposit packages: one BagIt bag (RFC 8493) per TEI master, optionally zipped.

A bag holds everything an archive needs to keep the edition and to rebuild it:

    data/edition/     the TEI master           data/dist/      HTML, EPUB and text editions
    data/source/      the source text          data/metadata/  dc.xml (oai_dc), mets.xml (METS)
    data/schema/      RELAX NG, Schematron     data/README.md  what the bag holds, how to rebuild
    data/xslt/        the stylesheets          data/LICENSE, data/CITATION.cff  licence, citation

The schema and the stylesheets are those that validated and built the editions (the
tool's own), and a master keeps its place under edition/, so that its relative
`<?xml-model?>` links resolve inside the bag as they do in the project.

The bag itself (manifests, tag manifests, bag-info.txt) is written by the `bagit`
library; this module plans the payload, writes the metadata and makes the result
reproducible: the same sources always give the same bytes, bag and zip.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable, Sequence

import bagit
from lxml import etree

from tei_tools import __version__, saxon
from tei_tools import validate as validation
from tei_tools.errors import PackageError, UsageError, ValidationError
from tei_tools.fsutil import atomic_write, build_datetime, remove_abandoned_temporaries, reproducible_zip
from tei_tools.parsing import TEI_NS, parse_file
from tei_tools.validate import validate_paths
from tei_tools.transform import revision_date

# bagit logs through `logging`; without a handler Python would print its warnings to
# stderr, and library code prints nothing.
logging.getLogger("bagit").addHandler(logging.NullHandler())

DEFAULT_OUT = Path("build") / "deposit"
CHECKSUMS = ("sha256", "sha512")
BAGIT_VERSION = "1.0"  # RFC 8493; the bagit library still writes 0.97
SOFTWARE_AGENT = f"tei-tools {__version__}"

DC_NS = "http://purl.org/dc/elements/1.1/"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

# MIME types by file suffix; the master TEI is told apart by its role.
MIME_TYPES = {
    ".xml": "application/xml",
    ".rng": "application/xml",
    ".sch": "application/xml",
    ".xsl": "application/xslt+xml",
    ".xslt": "application/xslt+xml",
    ".html": "text/html",
    ".xhtml": "application/xhtml+xml",
    ".css": "text/css",
    ".js": "text/javascript",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".woff2": "font/woff2",
    ".epub": "application/epub+zip",
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".json": "application/json",
}

# Derivative roles by suffix; any other file in dist/ (CSS, images) belongs to the web edition.
DERIVATIVE_ROLES = {".epub": "derivative-epub", ".txt": "derivative-text"}

# The reading editions a deposit holds: build format -> the suffix of the file it writes.
DEPOSIT_FORMATS = {"html": ".html", "epub": ".epub", "txt": ".txt"}

# Suffixes of reading editions; a dist/ file with another suffix (CSS, script, image) is shared.
EDITION_SUFFIXES = {".html", ".xhtml", ".epub", ".txt"}

# The project's licence and citation files, deposited with each edition: the bag's rights
# statement ("see LICENSE") must be answerable from the bag alone.
PROJECT_FILES = {"LICENSE": "licence", "CITATION.cff": "citation"}

# Files that are never deposited: editors' backups and swap files, caches, system files.
_JUNK_NAME = re.compile(r"(~|\.bak|\.orig|\.rej|\.swp|\.swo|\.tmp|\.pyc|\.pyo)$|^#.*#$|^(Thumbs\.db|desktop\.ini)$", re.IGNORECASE)
_JUNK_FOLDERS = {"__pycache__"}

Builder = Callable[[Path, Sequence[Path]], object]


@dataclass(frozen=True)
class PayloadFile:
    """One file to put in the bag: what it is, where it comes from, where it goes under data/."""

    role: str
    source: Path
    path: str


@dataclass(frozen=True)
class Package:
    """What `package` made for one TEI master."""

    identifier: str
    bag: Path
    zip: Path | None
    files: int
    bytes: int


@dataclass(frozen=True)
class Project:
    """The folders of a project tree (the repository, or a small tree in a test)."""

    root: Path

    @property
    def edition_dir(self) -> Path:
        return self.root / "edition"

    @property
    def source_dir(self) -> Path:
        return self.edition_dir / "source"

    @property
    def dist_dir(self) -> Path:
        return self.root / "dist"

    def editions(self) -> list[Path]:
        """Every TEI master under edition/ (never one hard-coded name): the files `tei-tools
        build` builds, in subfolders too, leaving out edition/source/ and hidden files."""
        from tei_tools.editions import edition_files

        return edition_files([self.edition_dir]) if self.edition_dir.is_dir() else []


# ----------------------------------------------------------------------------- entry point


def default_root() -> Path:
    """The project to package: the working directory when it has edition/, else this repository."""
    here = Path.cwd()
    return here if (here / "edition").is_dir() else Path(__file__).resolve().parent.parent


def package(
    root: str | Path,
    out: str | Path | None = None,
    *,
    make_zip: bool = False,
    editions: Iterable[str | Path] = (),
    build: Builder | None = None,
) -> list[Package]:
    """Validate and build the editions of the project at `root`, then bag each one.

    `out` defaults to build/deposit/ under `root`. `build` (re)builds dist/; it
    defaults to `tei-tools build`'s pipeline (tei_tools.parallel.build_many, incremental).
    """
    project = Project(Path(root))
    masters = [Path(p) for p in editions] or project.editions()
    if not masters:
        raise UsageError(f"{project.edition_dir}:0:0: error: no TEI files to package")
    validate_editions(masters)
    check_distinct_identifiers(masters)
    (build or build_editions)(project.root, masters)
    target = Path(out) if out is not None else project.root / DEFAULT_OUT
    # Every bag is planned (sources found, editions built) before any is written: a run
    # that fails on its second master leaves the output folder as it was.
    plans = [plan_package(project, master, target) for master in masters]
    if target.is_dir():
        remove_abandoned_temporaries(target)  # staging folders of a killed run
    return [write_package(plan, target, make_zip=make_zip) for plan in plans]


def validate_editions(masters: Sequence[Path]) -> None:
    """Refuse to package an invalid edition: raise ValidationError with every error found."""
    report = validate_paths(masters)
    if not report.valid:
        errors = [f for f in report.findings if f.severity == "error"]
        raise ValidationError(errors[0].path, errors)


def check_distinct_identifiers(masters: Sequence[Path]) -> None:
    """Two masters with one identifier would write one bag over the other."""
    seen: dict[str, Path] = {}
    for master in masters:
        identifier = edition_identifier(parse_file(master), master)
        if identifier in seen:
            raise PackageError(f"{master}:0:0: error: edition identifier '{identifier}' is also that of {seen[identifier]}")
        seen[identifier] = master


def build_editions(root: Path, masters: Sequence[Path]) -> None:
    """Build the reading editions a deposit holds into dist/; raise if any document failed.

    The build is incremental (tei_tools.manifest): outputs whose inputs — the master,
    the stylesheets, the schema, the tool — are unchanged since they were built are reused.
    """
    from tei_tools.parallel import build_many

    build_many(masters, Path(root) / "dist", list(DEPOSIT_FORMATS)).raise_for_failures()


@dataclass(frozen=True)
class PackagePlan:
    """One master's bag, planned: what goes in it and what it is called and dated."""

    master: Path
    identifier: str
    moment: datetime
    files: list[PayloadFile]


def plan_package(project: Project, master: Path, out: Path) -> PackagePlan:
    """Everything one bag needs, checked (its source text, its editions), nothing written."""
    tree = parse_file(master)
    identifier = edition_identifier(tree, master)
    moment = build_datetime(revision_date(tree))
    return PackagePlan(master, identifier, moment, payload_plan(project, master, tree, exclude=out))


def write_package(plan: PackagePlan, out: Path, *, make_zip: bool = False) -> Package:
    """Write a planned bag into out/<identifier>/ and, if asked, out/<identifier>.zip.

    Without the zip, a zip left by an earlier package of the same edition is removed:
    beside the new bag it would be an older package under the same name.
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
        # The process id in the name lets a later run remove what a killed one left.
        staging = Path(tempfile.mkdtemp(prefix=f".{plan.identifier}.{os.getpid()}.", suffix=".tmp", dir=out))
    except OSError as exc:
        raise PackageError(f"{out}:0:0: error: cannot write the package: {exc.strerror or exc}") from None
    try:
        write_payload(staging, plan.files, plan.master, plan.moment)
        info = bag_info(staging / "metadata" / "dc.xml", plan.identifier, plan.moment, plan.files)
        size, count = make_bag(staging, info)
        normalize_modes(staging)
        bag = replace_dir(staging, out / plan.identifier)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    zip_path = out / f"{plan.identifier}.zip"
    if make_zip:
        archive = write_zip(bag, zip_path, plan.moment)
    else:
        archive = None
        _remove_stale(zip_path)
    return Package(plan.identifier, bag, archive, count, size)


def _remove_stale(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise PackageError(f"{path}:0:0: error: cannot remove the zip of an older package: {exc.strerror or exc}") from None


# ----------------------------------------------------------------------------- header facts


def edition_identifier(tree: etree._ElementTree, master: Path) -> str:
    """The edition's idno (names the bag and the zip), else the file's stem."""
    idno = tree.findtext(f".//{{{TEI_NS}}}publicationStmt/{{{TEI_NS}}}idno[@type='edition']")
    identifier = " ".join((idno or "").split()) or master.stem
    if not _SAFE_NAME.match(identifier):
        raise PackageError(
            f"{master}:0:0: error: edition identifier '{identifier}' cannot name a package "
            "(use letters, digits, '.', '_', '-')"
        )
    return identifier



def source_file_name(tree: etree._ElementTree) -> str | None:
    return tree.findtext(f".//{{{TEI_NS}}}sourceDesc/{{{TEI_NS}}}bibl/{{{TEI_NS}}}idno[@type='file']")


# ----------------------------------------------------------------------------- the payload


def payload_plan(project: Project, master: Path, tree: etree._ElementTree, exclude: Path | None = None) -> list[PayloadFile]:
    """Every file the bag of `master` holds, with its role and its place under data/.

    The schema and stylesheets are the tool's own (those that validated and built the
    editions, whatever the project tree holds); `exclude` (the output folder) is never
    deposited, should it lie inside a folder that is.
    """
    skip = exclude.resolve() if exclude is not None else None
    plan = [PayloadFile("master", master, master_path(project, master))]
    plan += [PayloadFile("source", p, f"source/{p.name}") for p in source_files(project, master, tree)]
    plan += _tree_files("schema", validation.RNG_PATH.parent, "schema", skip)
    plan += _tree_files("stylesheet", saxon.XSLT_DIR, "xslt", skip)
    plan += derivative_files(project, master, skip)
    plan += [PayloadFile(role, project.root / name, name) for name, role in PROJECT_FILES.items() if (project.root / name).is_file()]
    return plan


def master_path(project: Project, master: Path) -> str:
    """Where a master goes under data/: its place under edition/ (edition/1924/x.xml)."""
    try:
        relative = master.resolve().relative_to(project.edition_dir.resolve())
    except ValueError:  # a master from outside edition/
        relative = Path(master.name)
    return f"edition/{relative.as_posix()}"


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


def derivative_files(project: Project, master: Path, exclude: Path | None = None) -> list[PayloadFile]:
    """The reading editions of `master` in dist/ (<stem>.html, …) and the files they share (CSS, images).

    A reading edition belongs to the master whose name it bears whole (`a.b.html` is the
    edition of `a.b.xml`, not of `a.xml`); one of no master, a stale edition of a removed
    file, belongs to no bag.
    """
    own = {f"{master.stem}{suffix}" for suffix in EDITION_SUFFIXES}
    files = []
    for path in _visible_files(project.dist_dir, exclude):
        relative = path.relative_to(project.dist_dir)
        if path.suffix.lower() in EDITION_SUFFIXES and relative.as_posix() not in own:
            continue  # another master's edition, or a stale one
        role = DERIVATIVE_ROLES.get(path.suffix.lower(), "derivative-html")
        files.append(PayloadFile(role, path, f"dist/{relative.as_posix()}"))
    if not any(f.path in {f"dist/{name}" for name in own} for f in files):
        raise PackageError(f"{master}:0:0: error: no reading editions of it in {project.dist_dir}; build first")
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


def write_payload(staging: Path, plan: list[PayloadFile], master: Path, moment: datetime) -> None:
    """Copy the planned files, then write README.md, dc.xml and mets.xml (which lists them all)."""
    for item in plan:
        destination = staging / item.path
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(item.source, destination)
    metadata = staging / "metadata"
    metadata.mkdir()
    dc = saxon.transform("dc.xsl", master, {"stem": master.stem}).output
    (metadata / "dc.xml").write_text(dc, encoding="utf-8")
    (staging / "README.md").write_text(readme_text(dc, master, plan, moment), encoding="utf-8")
    roles = {item.path: item.role for item in plan}
    roles.update({"README.md": "documentation", "metadata/dc.xml": "metadata"})
    inventory = inventory_xml(staging, roles)
    (metadata / "mets.xml").write_text(mets_text(master, inventory, moment), encoding="utf-8")


# ----------------------------------------------------------------------------- metadata


def inventory_xml(staging: Path, roles: dict[str, str]) -> etree._Element:
    """<inventory><file id role path mime size sha256/>…</inventory> of the payload, in path order."""
    root = etree.Element("inventory")
    used: set[str] = set()
    for path in sorted(roles):
        data = (staging / path).read_bytes()
        role = roles[path]
        etree.SubElement(
            root, "file",
            id=_file_id(path, used),
            role=role,
            path=path,
            mime="application/tei+xml" if role == "master" else mime_type(path),
            size=str(len(data)),
            sha256=hashlib.sha256(data).hexdigest(),
        )
    return root


def mime_type(path: str) -> str:
    return MIME_TYPES.get(Path(path).suffix.lower(), "application/octet-stream")


def _file_id(path: str, used: set[str]) -> str:
    """An XML id (NCName) made from the path: stable and readable, unique within the METS."""
    base = "file-" + re.sub(r"[^A-Za-z0-9._-]", "-", path)
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}-{n}", n + 1
    used.add(candidate)
    return candidate


def mets_text(master: Path, inventory: etree._Element, moment: datetime) -> str:
    """Run mets.xsl on the master; the inventory goes in as a document node through the API."""
    inventory_node = saxon.processor().parse_xml(xml_text=etree.tostring(inventory, encoding="unicode"))
    params = {
        "inventory": inventory_node,
        "created": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "agent": SOFTWARE_AGENT,
        "stem": master.stem,
    }
    return saxon.transform("mets.xsl", master, params).output


def bag_info(dc_path: Path, identifier: str, moment: datetime, plan: list[PayloadFile]) -> dict:
    """bag-info.txt fields, read from the Dublin Core record (itself read from the teiHeader)."""
    dc = etree.parse(str(dc_path))

    def values(name: str) -> list[str]:
        return [" ".join(v.split()) for v in dc.xpath(f"//dc:{name}/text()", namespaces={"dc": DC_NS})]

    title = (values("title") or [identifier])[0]
    info = {
        "Source-Organization": values("publisher") or values("contributor"),
        "Contact-Name": values("contributor"),
        "External-Description": f"{title}. {contents_sentence(plan)}",
        "External-Identifier": identifier,
        "Bagging-Date": moment.date().isoformat(),  # bagit would put today's date: not reproducible
        "Bag-Software-Agent": SOFTWARE_AGENT,
    }
    return {key: value for key, value in info.items() if value}


def contents_sentence(plan: list[PayloadFile]) -> str:
    """What the bag holds, said from its plan (so it names only what is there)."""
    roles = {item.role for item in plan}
    editions = [name for role, name in (("derivative-html", "HTML"), ("derivative-epub", "EPUB 3"),
                                        ("derivative-text", "plain-text")) if role in roles]
    parts = ["TEI P5 master"] + [name for role, name in (("source", "source text"), ("schema", "schema"),
                                                       ("stylesheet", "XSLT stylesheets")) if role in roles]
    sentence = "Deposit package: " + ", ".join(parts)
    if editions:
        sentence += ", and the " + ", ".join(editions) + " reading editions"
    return sentence + "; Dublin Core and METS metadata."


def readme_text(dc_xml: str, master: Path, plan: list[PayloadFile], moment: datetime) -> str:
    """data/README.md: what the package holds and how to check and rebuild it."""
    dc = etree.fromstring(dc_xml.encode("utf-8"))
    ns = {"dc": DC_NS}
    title = (dc.xpath("string(//dc:title)", namespaces=ns) or master.stem).strip()
    identifier = dc.xpath("string(//dc:identifier)", namespaces=ns).strip() or master.stem
    rights = " — ".join(dc.xpath("//dc:rights/text()", namespaces=ns))
    listing = "\n".join(f"| `{item.path}` | {_role_name(item)} |" for item in plan)
    stylesheets = sorted(Path(i.path).name for i in plan if i.role == "stylesheet" and i.path.endswith(".xsl"))
    schemas = [i.path for i in plan if i.role == "schema"]
    return README_TEMPLATE.format(
        title=title,
        identifier=identifier,
        date=moment.date().isoformat(),
        build_date=moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        rights=rights or "see the teiHeader of the master",
        listing=listing,
        master=next((i.path for i in plan if i.role == "master"), f"edition/{master.name}"),
        stem=master.stem,
        version=__version__,
        stylesheets=", ".join(f"`{s}`" for s in stylesheets) or "(none)",
        schemas=", ".join(f"`{s}`" for s in schemas) or "(none)",
        agent=SOFTWARE_AGENT,
    )


def _role_name(item: PayloadFile) -> str:
    if item.role == "source" and item.path.endswith("README.md"):
        return "description of the source text"
    return ROLE_NAMES[item.role]


ROLE_NAMES = {
    "master": "TEI master (the edition)",
    "source": "source text",
    "schema": "schema",
    "stylesheet": "stylesheet",
    "derivative-html": "reading edition: HTML",
    "derivative-epub": "reading edition: EPUB 3",
    "derivative-text": "reading edition: plain text",
    "licence": "licence of the edition (text) and of the toolchain (code)",
    "citation": "how to cite the edition (Citation File Format)",
}

README_TEMPLATE = """\
# {title}

Deposit package of the digital edition `{identifier}`, made by {agent} on {date}.
Rights: {rights}

This folder is the payload of a BagIt bag (RFC 8493). The bag's manifests list a
SHA-256 and a SHA-512 checksum for every file here; `metadata/dc.xml` is the Dublin
Core (oai_dc) record and `metadata/mets.xml` the METS document (descriptive metadata,
source and rights, every file with its MIME type, size and SHA-256 checksum).

## Contents

| file | what it is |
| --- | --- |
{listing}
| `README.md` | this file |
| `metadata/dc.xml` | Dublin Core (oai_dc) record |
| `metadata/mets.xml` | METS document |

## Checking the package

From the folder above `data/` (the bag): `tei-tools verify .` recomputes every checksum
and names each altered, missing or added file; `bagit.py --validate .` also checks the bag.

## Validating and rebuilding

The master `{master}` is TEI P5. Its `<?xml-model?>` instructions point to the schema in
`schema/` ({schemas}); validate it with Jing (RELAX NG) and an ISO Schematron processor.

The reading editions in `dist/` are made from the master by the XSLT 3.0 stylesheets in
`xslt/` ({stylesheets}) with Saxon-HE 12 or later, with the stylesheet parameters
`stem={stem}`, `build-date={build_date}` and `tool-version={version}` (the colophon
names the version of the tool that built the editions), for example:

    java -jar saxon-he.jar -s:{master} -xsl:xslt/html.xsl -o:dist/{stem}.html stem={stem} build-date={build_date} tool-version={version}

The EPUB stylesheet writes the files of the EPUB container; zip them with `mimetype` first
and stored. The `tei-tools` toolchain does all of this in one command: `tei-tools build`.
"""


# ----------------------------------------------------------------------------- the bag


def make_bag(staging: Path, info: dict) -> tuple[int, int]:
    """Turn `staging` into a bag with the bagit library; return the payload's bytes and files.

    bagit writes BagIt-Version 0.97 and lists tag files in directory order; the bag is
    then declared RFC 8493 (1.0) and re-saved, and tag manifest lines are sorted, so that
    two packages of the same sources are byte-identical.
    """
    try:
        bag = bagit.make_bag(str(staging), dict(info), checksums=list(CHECKSUMS))
        (staging / "bagit.txt").write_text(
            f"BagIt-Version: {BAGIT_VERSION}\nTag-File-Character-Encoding: UTF-8\n", encoding="utf-8"
        )
        bag = bagit.Bag(str(staging))
        bag.save()
    except (bagit.BagError, RuntimeError) as exc:
        raise PackageError(f"{staging}:0:0: error: cannot make the bag: {exc}") from None
    for algorithm in CHECKSUMS:
        _sort_lines(staging / f"tagmanifest-{algorithm}.txt")
    size, count = bag.info["Payload-Oxum"].split(".")
    return int(size), int(count)


def _sort_lines(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("".join(f"{line}\n" for line in sorted(lines, key=lambda l: l.split(" ", 1)[-1])), encoding="utf-8")


def normalize_modes(folder: Path) -> None:
    """Folders 755 and files 644 throughout the bag, whatever the umask and mkdtemp's 700:
    an archive's transfer account must be able to read it, and the same sources give the
    same bag."""
    os.chmod(folder, 0o755)
    for path in folder.rglob("*"):
        if not path.is_symlink():
            os.chmod(path, 0o755 if path.is_dir() else 0o644)


def replace_dir(staging: Path, target: Path) -> Path:
    """Move the finished bag into place: a reader sees the old bag or the new one, never half a bag."""
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.{os.getpid()}.", suffix=".tmp", dir=target.parent))
        os.rename(target, old / target.name)
    os.rename(staging, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return target


def write_zip(bag: Path, target: Path, moment: datetime) -> Path:
    """<identifier>.zip of the bag: entries under <identifier>/, bagit.txt first, then in path order.

    Fixed timestamps and permissions (fsutil.reproducible_zip) make it byte-identical on rebuild.
    """
    names = sorted((p.relative_to(bag).as_posix() for p in bag.rglob("*") if p.is_file()),
                   key=lambda name: (name != "bagit.txt", name))
    entries = [(f"{bag.name}/{name}", (bag / name).read_bytes(), not name.endswith(".epub")) for name in names]
    return atomic_write(target, reproducible_zip(entries, moment))
