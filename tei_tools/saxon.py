"""One Saxon processor per process; each stylesheet compiled once and reused.

Saxon-HE runs in-process through saxonche. Creating the processor and compiling a
stylesheet are the expensive steps, so both are cached for the life of the process
(and so once per worker of a parallel build). Before the processor, Saxon's runtime is
made with a bounded young generation where saxonche allows it (tei_tools.saxon_runtime).
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from tei_tools.errors import BuildError, Finding

XSLT_DIR = Path(__file__).resolve().parent.parent / "xslt"

_lock = threading.Lock()
_processor = None
_compiled: dict[Path, Any] = {}
# The same executables by the name they were asked for (and the xslt/ folder then in use):
# resolving the path costs a system call per folder level, and a build asks for a
# stylesheet nine times per document.
_by_name: dict[tuple[str | Path, Path], Any] = {}


def processor():
    """The process's single PySaxonProcessor (created on first use; importing is cheap)."""
    global _processor
    with _lock:
        if _processor is None:
            from saxonche import PySaxonProcessor

            from tei_tools import saxon_runtime

            saxon_runtime.start()
            _processor = PySaxonProcessor(license=False)
        return _processor


def started() -> bool:
    """Whether this process has created its Saxon processor (whose runtime runs threads)."""
    return _processor is not None


def stylesheet(name_or_path: str | Path):
    """The compiled executable for a stylesheet in xslt/ (by file name) or at a path."""
    known = _by_name.get((name_or_path, XSLT_DIR))
    if known is not None:
        return known
    path = Path(name_or_path)
    if not path.is_absolute() and path.parent == Path("."):
        path = XSLT_DIR / path
    path = path.resolve()
    with _lock:
        cached = _compiled.get(path)
        if cached is not None:
            _by_name[(name_or_path, XSLT_DIR)] = cached
    if cached is not None:
        return cached
    proc = processor()
    compiler = proc.new_xslt30_processor()
    try:
        executable = compiler.compile_stylesheet(stylesheet_file=str(path))
    except Exception as exc:  # saxonche raises PySaxonApiError with Saxon's text
        raise _compile_error(saxon_findings(str(exc), str(path))) from None
    if executable is None:
        raise _compile_error([Finding(str(path), 0, 0, "error", "Saxon returned no executable")])
    with _lock:
        _compiled.setdefault(path, executable)
        _by_name[(name_or_path, XSLT_DIR)] = _compiled[path]
        return _compiled[path]


def _compile_error(findings: list[Finding]) -> BuildError:
    """A stylesheet that does not compile, said as its located findings (a command that
    reports the error's message, such as package, names the file, line and column)."""
    return BuildError("\n".join(str(f) for f in findings), findings)


def forget_compiled() -> None:
    """Drop every compiled stylesheet, so edited ones are compiled again (tei-tools watch)."""
    with _lock:
        _compiled.clear()
        _by_name.clear()
        _modal_executables.clear()


@dataclass
class TransformResult:
    """What one transformation produced: the principal output, secondary outputs, messages."""

    output: str
    documents: dict[str, str] = field(default_factory=dict)  # href relative to the base URI -> text
    messages: list[str] = field(default_factory=list)
    tree: Any = None  # the principal result as an XDM node, when asked for (as_tree=True)


BASE_OUTPUT_URI = "file:///tei-tools-output/"


def transform(
    stylesheet_name: str | Path,
    source: str | Path,
    params: Mapping[str, Any] | None = None,
    *,
    source_node: Any = None,
    as_tree: bool = False,
    document_mode: str | None = None,
) -> TransformResult:
    """Run a compiled stylesheet on a TEI file; parameters go through the API (strings or XDM values).

    Secondary `xsl:result-document` outputs are captured in memory (no scratch folder),
    keyed by their href relative to the output base. Errors become a BuildError whose
    findings are `path:line:col` lines: the native library writes its diagnostics (with
    the file, which may be an imported stylesheet) to stderr, so they are captured and
    used to locate the error. With `as_tree` the principal result is kept as a tree
    (`TransformResult.tree`, e.g. for another stylesheet) instead of being serialised.
    A result document that is a tree (not text) is written with the stylesheet's own
    xsl:output through `document_mode` (see `serialize`), or else as indented XML.
    """
    with _captured_stderr() as captured:
        try:
            result, captured_documents = _transform(stylesheet_name, source, params, source_node, as_tree)
        except BuildError as error:
            raise _located(error, captured.text(), str(stylesheet_name)) from None
    for key, value in captured_documents.items():
        text = _text_only(value)
        if text is None:
            text = serialize(stylesheet_name, value, document_mode) if document_mode else str(value)
        result.documents[key] = text
    return result


def _transform(stylesheet_name, source, params, source_node, as_tree=False) -> tuple[TransformResult, dict]:
    """The result without its result documents, and those as Saxon's values by href."""
    executable = stylesheet(stylesheet_name)
    proc = processor()
    executable.clear_parameters()
    for name, value in (params or {}).items():
        # Strings become xs:string; an XDM value (e.g. a parsed document) goes in as it is.
        executable.set_parameter(name, proc.make_string_value(value) if isinstance(value, str) else value)
    executable.set_capture_result_documents(True)
    executable.set_save_xsl_message(True)
    executable.set_base_output_uri(BASE_OUTPUT_URI)
    try:
        if source_node is None:
            source_node = proc.parse_xml(xml_file_name=str(Path(source).resolve()))
        if as_tree:
            value = executable.transform_to_value(xdm_node=source_node)
            tree, output = (value.head if value is not None else None), ""
        else:
            tree, output = None, executable.transform_to_string(xdm_node=source_node)
    except Exception as exc:
        # A stylesheet that stops with xsl:message terminate="yes" says why in the message.
        said = " ".join(_messages(executable))
        raise BuildError(f"{source}: transformation failed", saxon_findings(f"{exc} {said}", str(source))) from None
    documents = {uri.split("tei-tools-output/", 1)[-1]: value for uri, value in (executable.get_result_documents() or {}).items()}
    return TransformResult(output or "", {}, _messages(executable), tree), documents


def serialize(stylesheet_name: str | Path, tree: Any, mode: str) -> str:
    """A tree written with a stylesheet's own xsl:output, by applying its `mode` to it.

    The mode is a Clark name ("{uri}local"); in that mode the stylesheet returns the tree
    as it is (e.g. html.xsl's html:serialize), so the text is what the stylesheet would
    have written had it serialised the tree itself.
    """
    with _captured_stderr() as captured:
        try:
            return _modal(stylesheet_name, mode).apply_templates_returning_string(xdm_value=tree) or ""
        except Exception as exc:
            error = BuildError(f"{stylesheet_name}: cannot write the result", saxon_findings(str(exc), str(stylesheet_name)))
            raise _located(error, captured.text(), str(stylesheet_name)) from None


_modal_executables: dict[tuple[Path, str], Any] = {}


def _modal(stylesheet_name: str | Path, mode: str):
    """A copy of the compiled stylesheet that starts in `mode` (the shared one is not changed)."""
    executable = stylesheet(stylesheet_name)
    key = (Path(str(stylesheet_name)), mode)
    with _lock:
        modal = _modal_executables.get(key)
        if modal is None or modal[0] is not executable:
            # saxonche (13.1) crashes cloning an executable that has parameters set.
            executable.clear_parameters()
            copy = executable.clone()
            uri, _, local = mode[1:].partition("}")
            copy.set_initial_mode(f"Q{{{uri}}}{local}")
            modal = _modal_executables[key] = (executable, copy)
        return modal[1]


def _text_only(value) -> str | None:
    """A captured result document's text, if it holds only text; None for markup.

    saxonche keeps result documents as unserialised trees: their xsl:result-document
    serialisation attributes are not applied, and str() writes a tree as indented XML, so
    the text of a `method="text"` document would come back with `<` and `&` escaped. A
    document that holds only text (method="text", or markup the stylesheet serialised
    itself with serialize()) is therefore returned as its string value, exactly.
    """
    node = value.head if hasattr(value, "head") else value
    children = getattr(node, "children", None) or []
    if getattr(node, "node_kind", None) == 9 and children and all(c.node_kind == 3 for c in children):
        return node.string_value
    return None


def parse_document(path: str | Path):
    """Saxon's tree of the file at `path`. Saxon writes a parse error to stderr as well as
    in the exception: the diagnostics are captured, and the error becomes one finding at
    the line and column Saxon names ("Error on line 31 column 1725 of doc.xml")."""
    with _captured_stderr() as captured:
        try:
            return processor().parse_xml(xml_file_name=str(Path(path).resolve()))
        except Exception as exc:  # saxonche reports parse errors as PySaxonApiError
            findings = saxon_findings(str(exc), str(path), diagnostics=captured.text())
    raise BuildError(str(findings[0]), findings)


def _messages(executable) -> list[str]:
    value = executable.get_xsl_messages()
    if value is None:
        return []
    return [str(item) for item in value] if hasattr(value, "__iter__") else [str(value)]


# "… on line 212 column 79 of common.xsl:" — the file as a bare name or a file: URI.
_LOCATION = re.compile(r"line (\d+)(?: column (\d+))? of (\S+?):?(?=\s|$)")


def _location(text: str, near: str) -> tuple[str, int, int] | None:
    """(path, line, column) of the first place Saxon's text names, or None.

    Saxon names an imported stylesheet or the source by its bare file name: it is looked
    for beside `near` (the stylesheet or document being run), then in xslt/.
    """
    match = _LOCATION.search(text)
    if match is None:
        return None
    name = match.group(3)
    if name.startswith("file:"):
        from urllib.parse import unquote, urlparse

        path = unquote(urlparse(name).path)
    else:
        candidates = [Path(near).parent / Path(name).name, XSLT_DIR / Path(name).name]
        path = str(next((c for c in candidates if c.is_file()), Path(name)))
    return path, int(match.group(1)), int(match.group(2) or 0)


def saxon_findings(text: str, default_path: str, diagnostics: str = "") -> list[Finding]:
    """Turn Saxon's error text into findings located by line and column where Saxon says
    (in its `diagnostics` on stderr, where given, else in the text)."""
    text = text.strip()
    path, line, column = _location(diagnostics, default_path) or _location(text, default_path) or (default_path, 0, 0)
    message = " ".join(part.strip() for part in text.splitlines() if part.strip())
    return [Finding(path, line, column, "error", message)]


# ---------------------------------------------------------------- diagnostics


class _Captured:
    def __init__(self, handle):
        self._handle = handle

    def text(self) -> str:
        self._handle.flush()
        self._handle.seek(0)
        return self._handle.read().decode("utf-8", "replace")


_capture_file = None  # one scratch file per process, emptied for each transform


@contextlib.contextmanager
def _captured_stderr():
    """Redirect file descriptor 2 (where the native Saxon library writes) to a temporary file.

    The file is made once per process and truncated before each use: a corpus build runs
    three transforms per document, and creating a file for each was a measurable cost.
    """
    global _capture_file
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no usable stderr (embedded use): nothing to capture
        yield _Captured(io.BytesIO())
        return
    if _capture_file is None or _capture_file.closed:
        _capture_file = tempfile.TemporaryFile()
    handle = _capture_file
    handle.seek(0)
    handle.truncate()
    os.dup2(handle.fileno(), 2)
    try:
        yield _Captured(handle)
    finally:
        os.dup2(saved, 2)
        os.close(saved)


_SAXON_CODE = re.compile(r"^\s+([A-Z]{4}\d{4}|XTMM9000|SXXP\d{4})\s+(.+)$", re.MULTILINE)


def _located(error: BuildError, diagnostics: str, stylesheet: str) -> BuildError:
    """The error with the stylesheet's path, line and column taken from Saxon's diagnostics."""
    near = stylesheet if Path(stylesheet).is_absolute() else str(XSLT_DIR / stylesheet)
    where = _location(diagnostics, near)
    if where is None:
        return error
    path, line, column = where
    code = _SAXON_CODE.search(diagnostics)
    message = " ".join(f.message for f in error.findings) or str(error)
    if code and code.group(1) not in message:
        message = f"{code.group(1)}: {message}"
    finding = Finding(str(path), line, column, "error", message)
    return BuildError(str(finding), [finding])
