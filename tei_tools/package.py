"""Deposit packages: one BagIt bag (RFC 8493) per TEI master, optionally zipped.

A bag holds everything an archive needs to keep the edition and to rebuild it: the
master, its source, the schema and stylesheets, the reading editions, the licence
(tei_tools.payload lists them) and their descriptions (README.md, dc.xml, mets.xml).

This module validates the editions and builds their reading editions into a temporary
folder (never into the project's dist/), then plans every bag before it writes any
(tei_tools.payload: what goes in), and writes each: the payload copied, its descriptions
(tei_tools.deposit_metadata), the bag and its zip (tei_tools.bag, with the `bagit`
library). The same sources always give the same bytes, bag and zip.

Two dates: the reading editions claim the edition's own date (its revision date, as a
`tei-tools build` without SOURCE_DATE_EPOCH makes them), so that the deposited editions
are the released ones; the bag claims its bagging date (SOURCE_DATE_EPOCH, else the same
revision date) in bag-info.txt, the METS, the README and the zip's timestamps.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable, Sequence

from lxml import etree

from tei_tools.bag import make_bag, normalize_modes, replace_dir, zip_bytes
from tei_tools.deposit_metadata import bag_info, saxon_version, write_descriptions
from tei_tools.editions import Project
from tei_tools.errors import PackageError, UsageError, ValidationError
from tei_tools.fsutil import (
    build_datetime,
    commit_staged,
    remove_abandoned_temporaries,
    revision_datetime,
    source_date_epoch,
    stage_file,
)
from tei_tools.parsing import TEI_NS, element_location, parse_file
from tei_tools.payload import EDITION_ROLES, PayloadFile, check_required_files, payload_plan, unnamed_source_warnings
from tei_tools.transform import FORMATS, KNOWN_FORMATS, revision_date
from tei_tools.validate import edition_identifier as identifier_in_header
from tei_tools.validate import edition_identifier_element, edition_identifier_location, shared_identifier_message, validate_paths

DEFAULT_OUT = Path("build") / "deposit"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

# The reading editions a deposit holds: build format -> the suffix of the file it writes
# (the formats the tool knows, not a plug-in's, whose files payload.EDITION_ROLES would not place).
DEPOSIT_FORMATS = {name: FORMATS[name].suffix for name in KNOWN_FORMATS}

# build(folder, masters) writes the masters' reading editions into folder/dist/.
Builder = Callable[[Path, Sequence[Path]], object]


@dataclass(frozen=True)
class Package:
    """What `package` made for one TEI master."""

    identifier: str
    bag: Path
    zip: Path | None
    files: int
    bytes: int
    # "path:line:col: warning: …" lines: a header that names no source file (the bag took
    # every file of edition/source/), a committed reading edition that differs from the one
    # the bag holds (the project's dist/ is out of date with its sources)
    warnings: tuple[str, ...] = ()


# ----------------------------------------------------------------------------- entry point


def default_root() -> Path:
    """The project to package: the working directory (tei_tools.editions.default_edition_dir)."""
    return Path.cwd()


def check_out_of_edition(project: Project, target: Path) -> None:
    """Refuse a package folder inside edition/: the bags' copies of the masters, their
    metadata and stylesheets would then be taken for edition files, and every later
    build, validation and package of the project would fail on them."""
    edition = project.edition_dir.resolve()
    where = target.resolve()
    if where == edition or edition in where.parents:
        raise UsageError(f"{target}:0:0: error: the package folder is inside {project.edition_dir}, whose every "
                         "XML file is taken for an edition; give a folder outside it (default: build/deposit)")


def package(
    root: str | Path,
    out: str | Path | None = None,
    *,
    make_zip: bool = False,
    editions: Iterable[str | Path] = (),
    build: Builder | None = None,
) -> list[Package]:
    """Validate the editions of the project at `root`, build their reading editions, then bag each one.

    The reading editions are built into a temporary folder, with the edition's own date
    whatever SOURCE_DATE_EPOCH says (`editions_built_as_released`): the project's dist/,
    whose files are the released editions, is never written, and the bag's editions are
    the bytes a `tei-tools build` of the same sources writes there. SOURCE_DATE_EPOCH dates
    the bag only.

    `out` defaults to build/deposit/ under `root`. `build(folder, masters)` writes the
    reading editions into folder/dist/; it defaults to `tei-tools build`'s pipeline
    (tei_tools.parallel.build_many).
    """
    project = Project(Path(root))
    masters = [Path(p) for p in editions] or project.editions()
    if not masters and not project.edition_dir.is_dir():
        raise UsageError(f"{project.edition_dir}:0:0: error: no such folder; run in the project's folder "
                         "(the one with edition/) or give it with --root")
    if not masters:
        raise UsageError(f"{project.edition_dir}:0:0: error: no TEI files to package")
    target = Path(out) if out is not None else project.root / DEFAULT_OUT
    check_out_of_edition(project, target)
    validate_editions(masters)
    check_distinct_identifiers(masters)
    check_required_files(project)
    source_date_epoch()  # an unusable bagging date stops the run before anything is built
    with tempfile.TemporaryDirectory(prefix="tei-tools-package-") as scratch:
        with editions_built_as_released():
            (build or build_editions)(Path(scratch), masters)
        # Every bag is planned (sources found, editions built) before any is written: a run
        # that fails on its second master leaves the output folder as it was.
        plans = [plan_package(project, master, target, Path(scratch) / "dist") for master in masters]
        if target.is_dir():
            remove_abandoned_temporaries(target)  # staging folders of a killed run
        return [replace(write_package(plan, target, make_zip=make_zip),
                        warnings=plan.warnings + stale_release_warnings(project, plan))
                for plan in plans]


def stale_release_warnings(project: Project, plan: PackagePlan) -> tuple[str, ...]:
    """A warning for each reading edition in the project's dist/ that differs from the one
    the bag holds, built from the same sources: the released files (what readers have,
    what the repository archives) are then not what was deposited. dist/ is never
    rewritten here; a file missing from it is no warning (a project may not keep one)."""
    warnings = []
    for item in plan.files:
        if item.role not in EDITION_ROLES.values():
            continue
        released = project.dist_dir / Path(item.path).name
        try:
            differs = released.is_file() and released.read_bytes() != item.source.read_bytes()
        except OSError:
            continue
        if differs:
            warnings.append(f"{released}:0:0: warning: differs from the reading edition this package holds, built "
                            "from the same sources: dist/ is out of date; run tei-tools build and commit it")
    return tuple(warnings)


@contextmanager
def editions_built_as_released():
    """SOURCE_DATE_EPOCH unset while the reading editions are built, and set again after.

    It is the documented way to date a bag (the transfer's day), but the build dates the
    editions with it (their colophon, the EPUB's modification date): a package made with it
    held editions that were not the released ones. Unset, the build dates them with the
    edition's revision date (fsutil.build_datetime), as `tei-tools build` made dist/. The
    build reads the variable from the environment, in this process and in its worker
    processes (which inherit it), so it is taken out of the environment itself.
    """
    saved = os.environ.pop("SOURCE_DATE_EPOCH", None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ["SOURCE_DATE_EPOCH"] = saved


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
            line, column = edition_identifier_location(master)
            raise PackageError(f"{master}:{line}:{column}: error: {shared_identifier_message(identifier, seen[identifier])}")
        seen[identifier] = master


def build_editions(root: Path, masters: Sequence[Path]) -> None:
    """Build the reading editions a deposit holds into root/dist/; raise if any document failed.

    `package` gives it a fresh temporary folder, never the project: every edition is built
    (the build's incremental record, tei_tools.manifest, starts empty there).
    """
    from tei_tools.parallel import build_many

    build_many(masters, Path(root) / "dist", list(DEPOSIT_FORMATS)).raise_for_failures()


@dataclass(frozen=True)
class PackagePlan:
    """One master's bag, planned: what goes in it, what it is called, and its two dates."""

    master: Path
    identifier: str
    version: str | None
    moment: datetime  # the bagging date: SOURCE_DATE_EPOCH, else the revision date
    files: list[PayloadFile]
    editions_date: datetime  # the date the reading editions claim: the revision date
    warnings: tuple[str, ...] = ()  # what the planning noticed ("path:line:col: warning: …")


def plan_package(project: Project, master: Path, out: Path, editions_dir: Path | None = None) -> PackagePlan:
    """Everything one bag needs, checked (its source text, its editions), nothing written.

    `editions_dir` holds the reading editions built for the package (default: dist/).
    """
    tree = parse_file(master)
    identifier = edition_identifier(tree, master)
    revised = revision_date(tree)
    files = payload_plan(project, master, tree, exclude=out, editions_dir=editions_dir)
    return PackagePlan(master, identifier, edition_version(tree), build_datetime(revised), files, revision_datetime(revised),
                       unnamed_source_warnings(project, master, tree))


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
    zip_path = out / f"{plan.identifier}.zip"
    staged_zip = None
    try:
        write_payload(staging, plan.files)
        release = saxon_version()  # named in the README and bag-info.txt alike
        write_descriptions(staging, plan.files, plan.master, plan.moment, editions_date=plan.editions_date,
                           saxon_release=release)
        info = bag_info(staging / "metadata" / "dc.xml", plan.identifier, plan.moment, plan.files, plan.version,
                        saxon_version=release)
        size, count = make_bag(staging, info)
        normalize_modes(staging)
        # The zip is written before the bag replaces the old one, and put in place right
        # after it: a zip that cannot be written leaves the old bag and zip as they were,
        # not a new bag beside an old zip.
        if make_zip:
            staged_zip = stage_file(zip_path, zip_bytes(staging, plan.identifier, plan.moment))
        else:
            _remove_stale(zip_path)
        bag = replace_dir(staging, out / plan.identifier)
        archive = commit_staged(staged_zip, zip_path) if staged_zip else None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if staged_zip is not None:
            staged_zip.unlink(missing_ok=True)
        raise
    return Package(plan.identifier, bag, archive, count, size)


def _remove_stale(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise PackageError(f"{path}:0:0: error: cannot remove the zip of an older package: {exc.strerror or exc}") from None


def write_payload(staging: Path, plan: list[PayloadFile]) -> None:
    """Copy the planned files to their places under data/."""
    for item in plan:
        destination = staging / item.path
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(item.source, destination)


# ----------------------------------------------------------------------------- header facts


def edition_identifier(tree: etree._ElementTree, master: Path) -> str:
    """The edition's idno (names the bag and the zip), else the file's stem. Read as
    validate, build and the stylesheets read it, so that the bag bears the identifier its
    own descriptions (dc.xml, the EPUB) give."""
    identifier = identifier_in_header(tree) or master.stem
    if not _SAFE_NAME.match(identifier):
        idno = edition_identifier_element(tree)
        line, column = element_location(idno) if idno is not None else (0, 0)
        raise PackageError(
            f"{master}:{line}:{column}: error: edition identifier '{identifier}' cannot name a package "
            "(use letters, digits, '.', '_', '-')"
        )
    return identifier


def edition_version(tree: etree._ElementTree) -> str | None:
    """The edition's version (editionStmt/edition/@n, e.g. "1.1"), as common.xsl's
    ed:edition-version reads it; None when the header gives none."""
    found = tree.xpath("(//tei:editionStmt/tei:edition/@n)[1]", namespaces={"tei": TEI_NS})
    version = " ".join(str(found[0]).split()) if found else ""
    return version or None
