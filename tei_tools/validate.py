"""Validate edition files: well-formedness, the schema links, then RELAX NG, then Schematron.

Both schemas are compiled once per process and cached: compiling is the expensive
step, validating the article afterwards takes milliseconds.
"""
from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from lxml import etree

if TYPE_CHECKING:  # imported when the rules are compiled (_compiled_schematron): it costs 6 ms
    from lxml import isoschematron

from tei_tools.editions import edition_files, file_name_problem, output_name, same_file_key
from tei_tools.errors import Finding, InputError, SchemaError, counted, shown_path
from tei_tools.languages import language_findings
from tei_tools.parsing import TEI_NS, SourceLines, element_location, node_at_path, parse_file, schema_parser
from tei_tools.rng_messages import explained_errors, forget_schema_documentation

REPO_ROOT = Path(__file__).resolve().parent.parent  # the tool's own schema/ is beside the package
SCHEMA_DIR = REPO_ROOT / "schema"
RNG_PATH = SCHEMA_DIR / "edition.rng"
SCH_PATH = SCHEMA_DIR / "edition.sch"

SVRL_NS = "http://purl.oclc.org/dsdl/svrl"
WARNING_ROLES = {"warning", "warn", "info", "information"}

_lock = threading.Lock()
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_relaxng: etree.RelaxNG | None = None
_schematron: isoschematron.Schematron | None = None


def relaxng() -> etree.RelaxNG:
    """The edition's RELAX NG schema, compiled on first use; SchemaError if it cannot be."""
    global _relaxng
    with _lock:
        if _relaxng is None:
            try:
                _relaxng = etree.RelaxNG(etree.parse(str(RNG_PATH), schema_parser()))
            except (OSError, etree.LxmlError) as exc:
                raise _schema_error(RNG_PATH, "RELAX NG schema", exc) from None
        return _relaxng


def _schema_error(path: Path, what: str, exc: Exception) -> SchemaError:
    """A broken schema (an editor's edit of schema/) as one located line, not a traceback."""
    entries = [e for e in getattr(exc, "error_log", None) or [] if e.message]
    entry = entries[-1] if entries else None
    line = (entry.line if entry is not None else None) or getattr(exc, "lineno", None) or 0
    column = (entry.column if entry is not None else None) or 0
    message = " ".join((entry.message if entry is not None else str(exc)).split()) or type(exc).__name__
    if not line:  # a Schematron compiles to XSLT first: find the expression it quotes in the file
        line, column = _quoted_in(path, message)
    return SchemaError(Finding(str(path), line, column, "error", f"cannot compile the {what}: {message}"))


def _quoted_in(path: Path, message: str) -> tuple[int, int]:
    """(line, column) of the first text quoted in `message` ('…') found in the file, or (0, 0)."""
    quoted = re.findall(r"'([^']{3,})'", message)
    try:
        lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return 0, 0
    for text in quoted:
        for number, content in enumerate(lines, 1):
            at = content.find(text)
            if at >= 0:
                return number, at + 1
    return 0, 0


def schematron() -> isoschematron.Schematron:
    """The edition's Schematron rules, compiled to XSLT on first use; SchemaError if they cannot be."""
    global _schematron
    with _lock:
        if _schematron is None:
            try:
                _schematron = _compiled_schematron()
            except (OSError, etree.LxmlError) as exc:
                raise _schema_error(SCH_PATH, "Schematron rules", exc) from None
        return _schematron


def _compiled_schematron() -> isoschematron.Schematron:
    # Imported here, not with the module (6 ms): a single-document build forks its
    # rendering process before it validates, and the import would delay the fork.
    from lxml import isoschematron

    document = etree.parse(str(SCH_PATH), schema_parser())
    return isoschematron.Schematron(
        document,
        store_report=True,
        error_finder=isoschematron.Schematron.ASSERTS_AND_REPORTS,
        # Every rule's context is an element: the skeleton need not try the rules
        # on attributes, text and comments (it would, since contexts mention "@").
        # Findings are read from failed asserts and successful reports only: without
        # a fired-rule element for every element a rule matched, a valid article's
        # report is 0.7 kB instead of 220 kB (a quarter of a millisecond less).
        compile_params={"attributes": "'false'", "only-child-elements": "'true'", "generate-fired-rule": "'false'"},
    )


def forget_schemas() -> None:
    """Drop the compiled schemas, so edited ones are compiled again (tei-tools watch)."""
    global _relaxng, _schematron
    with _lock:
        _relaxng = None
        _schematron = None
        forget_schema_documentation()


def validate_file(path: str | Path) -> list[Finding]:
    """Every finding for one file (errors and warnings).

    Raises InputError when the file cannot be parsed safely, UsageError for a
    missing path or a directory.
    """
    tree = parse_file(path)
    return validate_tree(tree, path)


def validate_tree(tree: etree._ElementTree, path: str | Path) -> list[Finding]:
    """The schema links' findings, then RELAX NG's, then Schematron's, for an already parsed tree."""
    name = str(path)
    findings = schema_link_findings(tree, name)
    findings.extend(relaxng_findings(tree, name))
    findings.extend(schematron_findings(tree, name))
    findings.extend(language_findings(tree, name))
    return findings


def schema_link_findings(tree: etree._ElementTree, path: str) -> list[Finding]:
    """A warning for each `<?xml-model?>` whose relative href leads to no file, and for links
    that check less than the command line does (_schema_kind_findings).

    Oxygen and VS Code validate while typing through these links; a file copied into a
    subfolder keeps `../schema/…`, which then leads nowhere, and the editor silently stops
    validating. The href is resolved as editors resolve a URI, by its text (`..` removes a
    folder of the path as written, even through a symbolic link), and only stat()ed.
    Links with a scheme (http:, file:) or a host (//server/…) are not followed: no network
    access, not even to a Windows share.
    """
    folder = os.path.dirname(os.path.abspath(path))
    findings = []
    links = []  # (line, schematypens) of each link
    for node in tree.getroot().itersiblings(preceding=True):
        if not isinstance(node, etree._ProcessingInstruction) or node.target != "xml-model":
            continue
        first_line = (node.sourceline or 0) - (node.text or "").count("\n")  # lxml gives the line it ends on
        links.append((max(first_line, 1), (node.get("schematypens") or "").strip()))
        href = _unescaped(node.get("href") or "").strip()
        target = href.split("#", 1)[0].split("?", 1)[0]
        if not target or _not_local(href) or _leads_to_a_file(folder, target):
            continue  # "#id": this document (embedded Schematron)
        shown = href.encode("unicode_escape").decode("ascii") if not href.isprintable() else href
        findings.append(Finding(path, max(first_line, 1), 1, "warning",
                                f'<?xml-model?> href="{shown}" leads to no file from {folder}: editors will not validate '
                                "while typing; give the schema's path relative to this file (one ../ per folder level)"))
    findings.extend(_schema_kind_findings(links, path))
    return sorted(findings, key=lambda f: f.line)


RELAX_NG_NS = "http://relaxng.org/ns/structure/1.0"
ISO_SCHEMATRON_NS = "http://purl.oclc.org/dsdl/schematron"
OLD_SCHEMATRON_NS = "http://www.ascc.net/xml/schematron"


def _schema_kind_findings(links: list[tuple[int, str]], path: str) -> list[Finding]:
    """Warnings for links that make an editor check less than `tei-tools validate` does: the
    Schematron 1.5 namespace (Oxygen then runs the rules without ISO Schematron's features,
    which edition.sch uses), or one schema linked without the other. A file with no link at
    all is left alone (it may be meant for the command line only)."""
    findings = [Finding(path, line, 1, "warning",
                        f'<?xml-model?> schematypens="{OLD_SCHEMATRON_NS}" is Schematron 1.5: editors run ISO '
                        f'Schematron rules with schematypens="{ISO_SCHEMATRON_NS}"')
                for line, kind in links if kind == OLD_SCHEMATRON_NS]
    kinds = {kind for _, kind in links}
    for present, missing, name in ((RELAX_NG_NS, ISO_SCHEMATRON_NS, "Schematron rules (edition.sch)"),
                                   (ISO_SCHEMATRON_NS, RELAX_NG_NS, "RELAX NG schema (edition.rng)")):
        if present in kinds and missing not in kinds:
            findings.append(Finding(path, min(line for line, kind in links if kind == present), 1, "warning",
                                    f"no <?xml-model?> links the {name}: editors will not check it while typing; "
                                    f'add one with schematypens="{missing}"'))
    return findings


def _unescaped(value: str) -> str:
    """A pseudo-attribute's value with its references resolved ("a&amp;b.rng"). The html
    module is imported only for a value that has one: importing it costs 2.4 ms, in every
    process that validates."""
    if "&" not in value:
        return value
    import html

    return html.unescape(value)


def _not_local(href: str) -> bool:
    """A URI with a scheme (http:, file:, C: counts too) or a host (//server, \\\\server)."""
    return href.startswith(("//", "\\\\")) or ":" in href.split("/", 1)[0]


def _leads_to_a_file(folder: str, target: str) -> bool:
    from urllib.parse import unquote

    relative = unquote(target)
    # isfile() answers False instead of raising for a name too long or with a NUL byte.
    return os.path.isfile(os.path.normpath(os.path.join(folder, relative)))


def is_valid(findings: Iterable[Finding]) -> bool:
    """Valid means: no errors (warnings are allowed)."""
    return not any(f.severity == "error" for f in findings)


@dataclass
class FileResult:
    """The findings for one file."""

    path: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return is_valid(self.findings)


@dataclass
class ValidationReport:
    """The findings for every file validated, with the counts of the summary line."""

    files: list[FileResult]

    @property
    def findings(self) -> list[Finding]:
        return [finding for result in self.files for finding in result.findings]

    @property
    def valid(self) -> bool:
        return all(result.valid for result in self.files)

    def count(self, severity: str) -> int:
        return sum(1 for finding in self.findings if finding.severity == severity)

    def summary(self) -> str:
        """E.g. "2 files: 1 valid, 1 invalid (3 errors, 1 warning)"."""
        valid = sum(1 for result in self.files if result.valid)
        text = f"{counted(len(self.files), 'file')}: {valid} valid, {len(self.files) - valid} invalid"
        return f"{text} ({counted(self.count('error'), 'error')}, {counted(self.count('warning'), 'warning')})"

    def to_json(self) -> str:
        """The report as JSON. A file name that is not UTF-8, which Python keeps as lone
        surrogates, is written with \\u escapes (Python's os.fsencode gives its bytes back):
        raw, it made the output invalid UTF-8 and so invalid JSON."""
        import json

        text = json.dumps(self.as_dict(), ensure_ascii=False, indent=2)
        return _LONE_SURROGATE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)

    def as_dict(self) -> dict:
        return {
            "valid": self.valid,
            "summary": {
                "files": len(self.files),
                "valid": sum(1 for result in self.files if result.valid),
                "invalid": sum(1 for result in self.files if not result.valid),
                "errors": self.count("error"),
                "warnings": self.count("warning"),
            },
            "files": [
                {"path": r.path, "valid": r.valid, "findings": [f.as_dict() for f in r.findings]}
                for r in self.files
            ],
        }


def validate_paths(paths: Iterable[str | Path] = ()) -> ValidationReport:
    """Validate the files `edition_files(paths)` names; unreadable files count as invalid.

    Raises UsageError when a path does not exist or no file is found.
    """
    # Each file once, where it is first named (a file named and inside a named folder is one file).
    named: dict[Path, Path] = {}
    for path in edition_files(paths, required_for="validate"):
        named.setdefault(same_file_key(path), path)
    results = []
    identifiers: dict[str, list[tuple[int, etree._Element]]] = {}
    for path in named.values():
        try:
            tree = parse_file(path)
            findings = validate_tree(tree, path)
        except InputError as exc:
            findings = [exc.finding]
        else:
            for idno in tree.iterfind(_EDITION_IDNO):
                identifiers.setdefault(_identifier_text(idno), []).append((len(results), idno))
        results.append(FileResult(str(path), findings))
    _shared_identifier_findings(results, identifiers)
    _file_name_findings(results)
    return ValidationReport(results)


def _file_name_findings(results: list[FileResult]) -> None:
    """A warning on each file whose name the build refuses: a name an earlier file has
    (regardless of case; `tei-tools build` names outputs by the file's name and refuses the
    pair), or one that cannot name outputs (not UTF-8 text, a line break in it). The files
    themselves may be valid."""
    first: dict[str, str] = {}
    for result in results:
        problem = file_name_problem(Path(result.path))
        if problem is not None:
            result.findings.append(Finding(result.path, 1, 1, "warning", f"`tei-tools build` refuses this file: {problem}"))
        other = first.setdefault(output_name(result.path), result.path)
        if other != result.path:
            result.findings.append(Finding(result.path, 1, 1, "warning",
                f"{shown_path(other)} has the same name: `tei-tools build` writes both to {Path(result.path).stem}.html, .epub, "
                ".txt and refuses the pair; rename one of the two files"))


_EDITION_IDNO = f"{{{TEI_NS}}}teiHeader/{{{TEI_NS}}}fileDesc/{{{TEI_NS}}}publicationStmt/{{{TEI_NS}}}idno[@type='edition']"


def _shared_identifier_findings(results: list[FileResult], identifiers: dict[str, list[tuple[int, etree._Element]]]) -> None:
    """A warning on every file after the first that gives an edition identifier another file
    validated with it gives. Each file is valid TEI all the same, and `tei-tools build`
    builds both (with the same warning): only their deposit packages, named by it, clash,
    and `tei-tools package` refuses them."""
    for identifier, holders in identifiers.items():
        first = results[holders[0][0]].path
        for index, idno in holders[1:]:
            result = results[index]
            line, column = element_location(idno)
            result.findings.append(Finding(result.path, line, column, "warning", shared_identifier_message(identifier, first)))


def shared_identifier_message(identifier: str, first: str | Path) -> str:
    """What validate, build and package say of a second edition with another's identifier."""
    return (f"The edition identifier \"{identifier}\" is also that of {first}: their EPUBs would be taken for "
            "one book, and they cannot be packaged together; give each edition its own idno[@type='edition'].")


def edition_identifier(tree: etree._ElementTree) -> str | None:
    """The edition's identifier (publicationStmt/idno[@type='edition']), spaces normalized:
    its text, comments left out, as the stylesheets read it (common.xsl, ed:identifier)."""
    idno = edition_identifier_element(tree)
    return _identifier_text(idno) if idno is not None else None


def edition_identifier_element(tree: etree._ElementTree) -> etree._Element | None:
    """The idno that holds the edition's identifier, if the header has one."""
    return tree.getroot().find(_EDITION_IDNO)


def _identifier_text(idno: etree._Element) -> str:
    return " ".join("".join(idno.itertext()).split())


def edition_identifier_location(path: str | Path) -> tuple[int, int]:
    """Line and column of a file's edition identifier; (0, 0) when it cannot be found."""
    try:
        tree = parse_file(path)
    except InputError:
        return 0, 0
    idno = edition_identifier_element(tree)
    return element_location(idno) if idno is not None else (0, 0)


def relaxng_findings(tree: etree._ElementTree, name: str) -> list[Finding]:
    schema = relaxng()
    if schema.validate(tree):
        return []
    return explained_errors(tree, name, list(schema.error_log), RNG_PATH)


def schematron_findings(tree: etree._ElementTree, name: str) -> list[Finding]:
    rules = schematron()
    rules.validate(tree)
    report = rules.validation_report
    if report is None:
        return []
    lines = SourceLines(tree)
    findings = []
    for failure in report.iter(f"{{{SVRL_NS}}}failed-assert", f"{{{SVRL_NS}}}successful-report"):
        role = (failure.get("role") or "error").strip().lower()
        severity = "warning" if role in WARNING_ROLES else "error"
        text = " ".join("".join(failure.itertext()).split())
        element, attribute = node_at_path(tree, failure.get("location", ""))
        line = (element.sourceline if element is not None else None) or 1
        column = lines.column_of_element(element, attribute) or lines.column_of(
            line, etree.QName(element).localname if element is not None else None)
        findings.append(Finding(name, line, column, severity, text))
    findings.sort(key=lambda f: (f.line, f.column))
    return findings
