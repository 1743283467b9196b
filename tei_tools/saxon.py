"""One Saxon processor per process; each stylesheet compiled once and reused.

Saxon-HE runs in-process through saxonche. Creating the processor and compiling a
stylesheet are the expensive steps, so both are cached for the life of the process
(and so once per worker of a parallel build).
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from tei_tools.errors import BuildError, Finding

XSLT_DIR = Path(__file__).resolve().parent.parent / "xslt"

_lock = threading.Lock()
_processor = None
_compiled: dict[Path, Any] = {}


def processor():
    """The process's single PySaxonProcessor (created on first use; importing is cheap)."""
    global _processor
    with _lock:
        if _processor is None:
            from saxonche import PySaxonProcessor

            _processor = PySaxonProcessor(license=False)
        return _processor


def started() -> bool:
    """Whether this process has created its Saxon processor (whose runtime runs threads)."""
    return _processor is not None


def stylesheet(name_or_path: str | Path):
    """The compiled executable for a stylesheet in xslt/ (by file name) or at a path."""
    path = Path(name_or_path)
    if not path.is_absolute() and path.parent == Path("."):
        path = XSLT_DIR / path
    path = path.resolve()
    with _lock:
        cached = _compiled.get(path)
    if cached is not None:
        return cached
    proc = processor()
    compiler = proc.new_xslt30_processor()
    try:
        executable = compiler.compile_stylesheet(stylesheet_file=str(path))
    except Exception as exc:  # saxonche raises PySaxonApiError with Saxon's text
        raise BuildError(f"cannot compile {path.name}", saxon_findings(str(exc), str(path))) from None
    if executable is None:
        raise BuildError(f"cannot compile {path.name}", [Finding(str(path), 0, 0, "error", "Saxon returned no executable")])
    with _lock:
        _compiled.setdefault(path, executable)
        return _compiled[path]


def forget_compiled() -> None:
    """Drop every compiled stylesheet, so edited ones are compiled again (tei-tools watch)."""
    with _lock:
        _compiled.clear()


@dataclass
class TransformResult:
    """What one transformation produced: the principal output, secondary outputs, messages."""

    output: str
    documents: dict[str, str] = field(default_factory=dict)  # href relative to the base URI -> text
    messages: list[str] = field(default_factory=list)


BASE_OUTPUT_URI = "file:///tei-tools-output/"


def transform(
    stylesheet_name: str | Path,
    source: str | Path,
    params: Mapping[str, str] | None = None,
    *,
    source_node: Any = None,
) -> TransformResult:
    """Run a compiled stylesheet on a TEI file; parameters go through the API as strings.

    Secondary `xsl:result-document` outputs are captured in memory (no scratch folder),
    keyed by their href relative to the output base. Errors become a BuildError whose
    findings are `path:line:col` lines.
    """
    executable = stylesheet(stylesheet_name)
    proc = processor()
    executable.clear_parameters()
    for name, value in (params or {}).items():
        executable.set_parameter(name, proc.make_string_value(str(value)))
    executable.set_capture_result_documents(True)
    executable.set_save_xsl_message(True)
    executable.set_base_output_uri(BASE_OUTPUT_URI)
    try:
        if source_node is None:
            source_node = proc.parse_xml(xml_file_name=str(Path(source).resolve()))
        output = executable.transform_to_string(xdm_node=source_node)
    except Exception as exc:
        raise BuildError(f"{source}: transformation failed", saxon_findings(str(exc), str(source))) from None
    documents = {}
    for uri, value in (executable.get_result_documents() or {}).items():
        key = uri.split("tei-tools-output/", 1)[-1]
        documents[key] = _document_text(value)
    messages = _messages(executable)
    return TransformResult(output or "", documents, messages)


def _document_text(value) -> str:
    """A captured result document as text.

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
    return str(value)


def _messages(executable) -> list[str]:
    value = executable.get_xsl_messages()
    if value is None:
        return []
    return [str(item) for item in value] if hasattr(value, "__iter__") else [str(value)]


_LOCATION = re.compile(r"line (\d+)(?: column (\d+))?(?: of (\S+?))?:?$", re.MULTILINE)


def saxon_findings(text: str, default_path: str) -> list[Finding]:
    """Turn Saxon's error text into findings located by line and column where Saxon says."""
    text = text.strip()
    match = _LOCATION.search(text)
    line = int(match.group(1)) if match else 0
    column = int(match.group(2)) if match and match.group(2) else 0
    path = default_path
    if match and match.group(3) and match.group(3).startswith("file:"):
        path = match.group(3).replace("file://", "").rstrip(":")
    message = " ".join(part.strip() for part in text.splitlines() if part.strip())
    return [Finding(path, line, column, "error", message)]
