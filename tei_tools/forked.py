"""One document's formats rendered by two processes at once: this one and a forked child.

A single document is built without a pool (starting worker interpreters would cost more
than the build), but on a machine with two cores its build is still mostly waiting on one:
compiling the stylesheets is the largest part of it, and each format's stylesheets compile
separately. So the heaviest group of formats (by the size of their stylesheets; formats
that share a stylesheet stay together, like the HTML and EPUB editions, which share the
rendered page) is compiled and rendered in a child forked from this process, while this
process validates the document and renders the others (if any: with one format, this
process only validates). Forking costs about a
millisecond — the interpreter and the imported modules are shared — and each process
then holds only its own compiled stylesheets, which also lowers the peak memory of either.

Forking is safe only before Saxon's runtime has started threads in this process, so
`can_split` asks for exactly that; otherwise the caller builds in-process as usual. The
child never writes a file: it sends the rendered bytes back through a pipe, and this
process writes every output only once the document is valid and all formats rendered.
"""
from __future__ import annotations

import os
import pickle
import signal
import sys
from pathlib import Path
from typing import Sequence

from tei_tools.errors import BuildError, TeiToolsError, freeze_error, internal_error, thaw_error


def can_split(formats: Sequence, jobs: int) -> bool:
    """A format to render, two or more jobs allowed, and forking safe.

    One format is worth a child too: this process validates the document meanwhile
    (a cold validation, schemas loaded, is about a tenth of a one-format build).
    """
    return len(formats) >= 1 and jobs >= 2 and safe_to_fork()


def safe_to_fork() -> bool:
    """Fork available, Saxon's runtime not started here, and no other thread running."""
    from tei_tools import saxon

    return hasattr(os, "fork") and sys.platform.startswith("linux") and not saxon.started() and _single_threaded()


def _single_threaded() -> bool:
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def load_and_render(path: Path, formats: Sequence):
    """Validate `path` here and render its formats here and in a child; (document, {format: files})."""
    from tei_tools.transform import load_document, render_formats

    heavy = max(_groups(formats), key=lambda group: sum(map(_weight, group)))
    here = [f for f in formats if f not in heavy]
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child, which reports through the pipe
        os.close(reader)
        _child(path, heavy, writer)
    os.close(writer)
    try:
        document = load_document(path)
        rendered = render_formats(document, here)
    except BaseException:
        os.kill(child, signal.SIGKILL)
        _collect(reader, child, path)
        raise
    status, value = _collect(reader, child, path)
    if status != "ok":
        raise thaw_error(value)
    rendered.update(value)
    return document, {f.name: rendered[f.name] for f in formats}


def _groups(formats: Sequence) -> list[list]:
    """The formats in groups that share a stylesheet (rendered in one process), in order."""
    groups: list[list] = []
    for output_format in formats:
        sharing = [g for g in groups if any(set(output_format.stylesheets) & set(other.stylesheets) for other in g)]
        merged = [f for g in sharing for f in g] + [output_format]
        groups = [g for g in groups if g not in sharing] + [merged]
    return groups


def _weight(output_format) -> int:
    """How much there is to compile: the size of the format's stylesheets and what they import."""
    from tei_tools import saxon
    from tei_tools.manifest import stylesheet_closure

    return sum(p.stat().st_size for p in stylesheet_closure(output_format.stylesheets, saxon.XSLT_DIR) if p.suffix == ".xsl")


def _child(path: Path, formats: Sequence, writer: int) -> None:  # pragma: no cover - child process
    """Render some formats of the (unvalidated) document, send the bytes or the error, exit."""
    try:
        from tei_tools.parsing import parse_file
        from tei_tools.transform import SourceDocument, render_formats

        message = ("ok", render_formats(SourceDocument(Path(path), parse_file(path)), formats))
    except TeiToolsError as error:
        message = ("error", freeze_error(error))
    except BaseException as exc:
        message = ("error", freeze_error(BuildError(internal_error(f"{path}:0:0", exc))))
    try:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(writer, "wb") as pipe:
            pipe.write(data)
    finally:
        os._exit(0)  # no atexit handlers, no flushing of the parent's buffers a second time


def _collect(reader: int, child: int, path: Path):
    """Everything the child sent, once it has exited."""
    with os.fdopen(reader, "rb") as pipe:
        data = pipe.read()
    os.waitpid(child, 0)
    if not data:
        message = f"{path}:0:0: error: the process rendering a format ended without an answer"
        return "error", freeze_error(BuildError(message))
    return pickle.loads(data)


