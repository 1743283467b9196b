"""The build pipeline: validate each TEI file, render its formats, write the outputs.

For each document: parse safely and validate (an invalid document stops there, nothing is
written for it); check its links; render every requested format in memory; only then write
each output atomically (temporary file + rename), so a failed or killed build leaves the
previous outputs intact. Dates in outputs come from SOURCE_DATE_EPOCH or the edition's
revision date (fsutil.build_datetime), passed to the stylesheets as parameters.

Formats are registered in FORMATS; a format's renderer is named "module:function" and
imported on first use, so `tei-tools` starts fast; its stylesheets are listed so that the
build manifest knows which outputs a stylesheet's change makes stale:

    FORMATS["epub"] = OutputFormat("epub", "tei_tools.epub:render", ("html.xsl", "epub.xsl"))

A renderer takes a SourceDocument and returns {file name: bytes} for the output folder.
`tei-tools build` runs this pipeline through tei_tools.parallel (in this process or in
worker processes), which adds what a command needs around it: the SOURCE_DATE_EPOCH
check, the manifest that lets the next build skip what is up to date, the clean-up of
abandoned temporaries and of outputs whose source is gone. `build` here is that same
pipeline in this process, every output rebuilt, for callers that want the outputs of
some documents (the tests of each format, a script): what they get is what the command
writes.
"""
from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Callable, Iterable, Sequence

from tei_tools import __version__
from tei_tools.errors import (
    BROKEN_LINK,
    BuildError,
    Finding,
    InputError,
    OutputError,
    TeiToolsError,
    UsageError,
    ValidationError,
)

# Not imported from tei_tools.parsing, which imports lxml: `tei-tools` starts without it.
TEI_NS = "http://www.tei-c.org/ns/1.0"


# ---------------------------------------------------------------- formats


@dataclass(frozen=True)
class OutputFormat:
    """One kind of output: its name on the command line, its renderer, its stylesheets."""

    name: str
    renderer: str  # "module:function"; the function takes a SourceDocument, returns {name: bytes}
    stylesheets: tuple[str, ...] = ()  # in xslt/; compiled once per process
    suffix: str = ""  # the output's name is <stem><suffix>; checked against the inputs' names

    def render(self, document: "SourceDocument") -> dict[str, bytes]:
        return _resolve(self.renderer)(document)


# The order in which formats are built and listed (a registered format not named here
# comes after these).
KNOWN_FORMATS: tuple[str, ...] = ("html", "epub", "txt")

FORMATS: dict[str, OutputFormat] = {
    "html": OutputFormat("html", "tei_tools.transform:render_html", ("html.xsl",), ".html"),
    # The EPUB is made from the HTML edition's page (html.xsl, then epub.xsl).
    "epub": OutputFormat("epub", "tei_tools.epub:render", ("html.xsl", "epub.xsl"), ".epub"),
    "txt": OutputFormat("txt", "tei_tools.text:render", ("text.xsl",), ".txt"),
}


def register_format(output_format: OutputFormat) -> None:
    """Add (or replace) a format (a plug-in format, or a test's)."""
    FORMATS[output_format.name] = output_format


def resolve_formats(names: Iterable[str]) -> list[OutputFormat]:
    """The formats asked for, in a stable order; "all" (or nothing) means every registered one."""
    wanted = list(dict.fromkeys(names)) or ["all"]
    if "all" in wanted:
        return [FORMATS[name] for name in _ordered(FORMATS)]
    missing = [name for name in wanted if name not in FORMATS]
    if missing:
        known = ", ".join(_ordered(FORMATS))
        raise UsageError(f"format {', '.join(missing)}:0:0: error: no such output format (available: {known})")
    return [FORMATS[name] for name in _ordered(wanted)]


def _ordered(names: Iterable[str]) -> list[str]:
    order = {name: i for i, name in enumerate(KNOWN_FORMATS)}
    return sorted(names, key=lambda name: (order.get(name, len(order)), name))


def _resolve(dotted: str) -> Callable:
    module, _, function = dotted.partition(":")
    return getattr(importlib.import_module(module), function)


# ---------------------------------------------------------------- the source document


@dataclass
class SourceDocument:
    """A validated TEI file, parsed once and shared by every format that renders it."""

    path: Path
    tree: object  # lxml ElementTree
    warnings: list[Finding] = field(default_factory=list)
    # Formats rendered together: the HTML and EPUB editions share one rendering of the page.
    formats: tuple[str, ...] = ()
    _saxon_node: object = None
    _html_page: object = None

    @property
    def stem(self) -> str:
        return self.path.stem

    @property
    def identifier(self) -> str | None:
        """The edition's identifier: a build compares them across its documents."""
        from tei_tools.validate import edition_identifier

        return edition_identifier(self.tree)

    @property
    def params(self) -> dict[str, str]:
        """Stylesheet parameters (strings, passed through the Saxon API, never spliced)."""
        return {
            "build-date": self.build_date,
            "tool-version": __version__,
            "stem": self.stem,
        }

    # Cached: every format asks, and finding the date walks the tree (a document is built
    # once, so SOURCE_DATE_EPOCH cannot change in between).
    @cached_property
    def build_date(self) -> str:
        from tei_tools.fsutil import build_datetime

        return build_datetime(self.revision_date).strftime("%Y-%m-%dT%H:%M:%SZ")

    @cached_property
    def revision_date(self) -> str | None:
        return revision_date(self.tree)

    def saxon_node(self):
        """The document as Saxon's tree, parsed once for all formats."""
        if self._saxon_node is None:
            from tei_tools import saxon

            self._saxon_node = saxon.parse_document(self.path)
        return self._saxon_node

    def transform(self, stylesheet: str, extra_params: dict | None = None, *, as_tree: bool = False, document_mode: str | None = None):
        """Run one stylesheet of xslt/ on this document; returns saxon.TransformResult.

        Errors come back as one `path:line:col: error:` line, located in the stylesheet
        where Saxon says (see saxon.transform).
        """
        from tei_tools import saxon

        params = {**self.params, **(extra_params or {})}
        return saxon.transform(stylesheet, self.path, params, source_node=self.saxon_node(), as_tree=as_tree, document_mode=document_mode)

    def html_page(self):
        """The HTML edition's page as a tree (html.xsl with page-tree), rendered once.

        epub.xsl makes the EPUB from it, and the HTML edition is this tree written out
        when both are built, so the text, notes and registers are rendered only once.
        Which formats are built (self.formats) must be known before it is asked for.
        """
        if self._html_page is None:
            from tei_tools import saxon

            proc = saxon.processor()
            params = {
                "page-tree": proc.make_boolean_value(True),
                # Without the HTML edition, only what the EPUB keeps (no map, no pop-ups).
                "epub-only": proc.make_boolean_value("html" not in self.formats),
            }
            self._html_page = self.transform(HTML_STYLESHEET, params, as_tree=True).tree
        return self._html_page


def revision_date(tree) -> str | None:
    """The newest revision: the latest `@when` of revisionDesc's changes, the date a build claims.

    The Guidelines leave the order of changes open (most editions put the newest first),
    so the latest date wins wherever it stands; of equal dates, the first. A date without
    a year (`--11-28`) counts only when no change has a year. A header without a dated
    change gives its publication date (publicationStmt/date/@when), if it has one.
    """
    from tei_tools.fsutil import first_moment

    # revisionDesc is a child of the teiHeader: a direct path, not a search of the whole tree.
    whens = [change.get("when") for change in tree.getroot().iterfind(_CHANGES)]
    if not whens:
        published = tree.getroot().find(_PUBLICATION_DATE)
        return published.get("when") if published is not None else None
    dated = [(moment, -index) for index, when in enumerate(whens) if (moment := first_moment(when)) is not None]
    return whens[-max(dated)[1]] if dated else whens[0]


# Changes directly in revisionDesc or in its listChange.
_CHANGES = f"{{{TEI_NS}}}teiHeader/{{{TEI_NS}}}revisionDesc//{{{TEI_NS}}}change[@when]"
_PUBLICATION_DATE = f"{{{TEI_NS}}}teiHeader/{{{TEI_NS}}}fileDesc/{{{TEI_NS}}}publicationStmt/{{{TEI_NS}}}date[@when]"


def undated_findings(document: SourceDocument) -> list[Finding]:
    """A warning when nothing dates the reading editions: no dated change, no publication
    date and no SOURCE_DATE_EPOCH. They then claim 1980-01-01 (fsutil.DEFAULT_MOMENT), which
    a reader would take for the edition's date. (The document's revision date, looked up
    here, is kept for the build.)"""
    from tei_tools.fsutil import source_date_epoch
    from tei_tools.parsing import element_location

    if document.revision_date is not None or source_date_epoch() is not None:
        return []
    root = document.tree.getroot()
    header = root.find(f"{{{TEI_NS}}}teiHeader")
    line, column = element_location(header if header is not None else root)
    return [Finding(str(document.path), line, column, "warning",
                    "nothing dates the reading editions (no revisionDesc/change/@when, no publicationStmt/date/@when, "
                    "no SOURCE_DATE_EPOCH): they say 1980-01-01; add <change when=\"…\"> to revisionDesc")]


def load_document(path: str | Path) -> SourceDocument:
    """Parse and validate one TEI file; raise ValidationError when it has errors.

    Warnings (the validator's and unsafe links, which the stylesheets drop) travel with
    the document so the command can show them.
    """
    from tei_tools.parsing import parse_file
    from tei_tools.validate import validate_tree

    tree = parse_file(path)
    findings = validate_tree(tree, path)
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        raise ValidationError(path, findings)
    document = SourceDocument(Path(path), tree, [f for f in findings if f.severity != "error"] + unsafe_link_findings(tree, path))
    document.warnings += undated_findings(document)
    return document


# ---------------------------------------------------------------- links

# Attributes whose values can become links in an output.
LINK_ATTRIBUTES = ("target", "url", "ref", "facs", "href", "corresp")
_SAFE_LINK = re.compile(r"^(https?://|mailto:|#)\S*$", re.IGNORECASE)
# Control characters: browsers ignore them inside a scheme ("java\tscript:"), and the
# stylesheets (ed:safe-url) drop a link that holds one.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def is_safe_link(value: str) -> bool:
    """Only http(s), mailto and fragment links without control characters are written to
    outputs: the judgement of ed:safe-url in xslt/common.xsl, so that every link the
    stylesheets drop is reported."""
    link = value.strip(" \t\r\n")
    return bool(_SAFE_LINK.match(link)) and not _CONTROL.search(link)


def unsafe_link_findings(tree, path: str | Path) -> list[Finding]:
    """A warning, located by line and column, for each link target the outputs will drop."""
    name = str(path)
    lines = None  # the file's lines (parsing.SourceLines), read only when there is something to locate
    findings = []
    for value in tree.xpath(_LINK_VALUES):  # one XPath: a Python loop over every element cost more
        for token in value.split():
            # Most pointers are "#id": safe at once, without the regular expressions.
            if token[0] != "#" and not is_safe_link(token):
                if lines is None:
                    from tei_tools.parsing import SourceLines

                    lines = SourceLines(tree)
                attribute = value.attrname
                element = value.getparent()
                # This element's own attribute (the second facs of a line, not the first);
                # a start tag over several lines is searched from its first line.
                line, column = element.sourceline or 1, lines.column_of_element(element, attribute)
                if not column:  # a start tag over several lines: the attribute on a later one
                    line, column = lines.attribute_position(line, attribute) or (line, 1)
                findings.append(Finding(
                    name, line, column, "warning",
                    f"link target '{_shorten(token)}' in @{attribute} is dropped from the outputs "
                    "(only http(s), mailto and #fragment links are written)",
                ))
    return findings


_LINK_VALUES = " | ".join(f"//@{attribute}" for attribute in LINK_ATTRIBUTES)


def _shorten(value: str, limit: int = 60) -> str:
    printable = "".join(ch if ch.isprintable() else "?" for ch in value)
    return printable if len(printable) <= limit else printable[: limit - 1] + "…"


# ---------------------------------------------------------------- renderers


HTML_STYLESHEET = "html.xsl"
HTML_SERIALIZE_MODE = "{urn:tei-tools:html}serialize"


def render_html(document: SourceDocument) -> dict[str, bytes]:
    """dist/<stem>.html: one self-contained page (CSS, script and map inline).

    Alone, the page is written as it is rendered (the fastest way); with the EPUB, the
    page's tree, which the EPUB is made from, is written out instead.
    """
    if "epub" in document.formats:
        from tei_tools import saxon

        text = saxon.serialize(HTML_STYLESHEET, document.html_page(), HTML_SERIALIZE_MODE)
    else:
        text = document.transform(HTML_STYLESHEET).output
    return {f"{document.stem}.html": text.encode("utf-8")}


# ---------------------------------------------------------------- building


@dataclass
class DocumentResult:
    """What building one document gave: the files written, or the error that stopped it."""

    path: Path
    outputs: list[Path] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    error: TeiToolsError | None = None
    identifier: str | None = None  # the edition's identifier, when the document was read

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def messages(self) -> list[str]:
        """One line per finding, `path:line:col: severity: message`."""
        lines = [str(f) for f in self.warnings]
        if self.error is not None:
            lines.extend(error_lines(self.error))
        return lines


@dataclass
class BuildReport:
    """The results of a build, one per document, in the order the documents were given."""

    results: list[DocumentResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)

    @property
    def outputs(self) -> list[Path]:
        return [p for r in self.results for p in r.outputs]

    @property
    def failures(self) -> list[DocumentResult]:
        return [r for r in self.results if not r.ok]

    def raise_for_failures(self) -> None:
        """A BuildError carrying every failed document's findings, if any failed."""
        if self.ok:
            return
        lines = [line for r in self.failures for line in error_lines(r.error)]  # type: ignore[arg-type]
        findings = [f for r in self.failures for f in _findings_of(r.error)]  # type: ignore[arg-type]
        raise BuildError("\n".join(lines), findings)


def error_lines(error: TeiToolsError) -> list[str]:
    """An error as `path:line:col: error: …` lines (findings when it has them)."""
    return [str(f) for f in _findings_of(error)] or [str(error)]


def _findings_of(error: TeiToolsError) -> list[Finding]:
    if isinstance(error, InputError):
        return [error.finding]
    return list(getattr(error, "findings", None) or [])


def render_formats(document: SourceDocument, formats: Sequence[OutputFormat]) -> dict[str, dict[str, bytes]]:
    """Each format's outputs of one document, in memory: {format name: {file name: bytes}}.

    The document is told which formats are rendered together first: the HTML and EPUB
    editions then share one rendering of the page.
    """
    document.formats = tuple(f.name for f in formats)
    return {f.name: f.render(document) for f in formats}


def render_document(document: SourceDocument, formats: Sequence[OutputFormat]) -> dict[str, bytes]:
    """Every output of one document, in memory: nothing is written until all succeeded."""
    outputs: dict[str, bytes] = {}
    for files in render_formats(document, formats).values():
        outputs.update(files)
    return outputs


def build(
    paths: Iterable[str | Path],
    out_dir: str | Path | None = None,
    formats: Sequence[OutputFormat] | Sequence[str] = (),
) -> BuildReport:
    """Build every document, in this process, by the command's own pipeline
    (parallel.build_many, every output rebuilt); one document's failure is recorded and
    does not stop the others.

    Raises only for problems of the whole build: an unknown format, a missing path, an
    output folder that cannot be written. Callers that need everything built call
    `report.raise_for_failures()`.
    """
    from tei_tools.parallel import build_many

    if out_dir is None:
        raise UsageError("no output folder given")
    return build_many(paths, out_dir, formats, jobs=1, force=True)


def check_output_dir(out_dir: str | Path) -> Path:
    """The output folder, created if needed; an OutputError when it cannot be written."""
    import os
    import tempfile

    target = Path(out_dir)
    if target.is_symlink() and not target.exists():
        raise OutputError(f"{target}:0:0: error: cannot write to the output folder: {BROKEN_LINK}")
    if target.exists() and not target.is_dir():
        raise OutputError(f"{target}:0:0: error: cannot write to the output folder: it is a file, not a folder")
    try:
        target.mkdir(parents=True, exist_ok=True)
        if not target.is_dir():
            raise NotADirectoryError(20, "not a directory")
        with tempfile.TemporaryFile(dir=target):
            pass
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise OutputError(f"{target}:0:0: error: cannot write to the output folder: {reason}") from None
    if not os.access(target, os.W_OK):
        raise OutputError(f"{target}:0:0: error: cannot write to the output folder: permission denied")
    return target


def as_formats(formats: Sequence[OutputFormat] | Sequence[str]) -> list[OutputFormat]:
    if formats and all(isinstance(f, OutputFormat) for f in formats):
        return list(formats)  # type: ignore[arg-type]
    return resolve_formats(formats)  # type: ignore[arg-type]
