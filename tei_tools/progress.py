"""Progress of a build, for the command line: a bar on a terminal, plain lines elsewhere.

The library reports each finished document through a callback (tei_tools.parallel's
`on_result`); this module turns those calls into output on a stream (stderr), so the
library itself never prints.

On a terminal one line is redrawn in place:

    [##########----------]  250/500 documents, 1 failed, 4.2 s

Elsewhere (a log, CI, a pipe) each document gets one line when it is done:

    [250/500] built edition/a.xml
"""
from __future__ import annotations

import sys
import time
from typing import TextIO

from tei_tools.errors import shown_path

BAR_WIDTH = 24
# Redraw at most this often: redrawing for each of 500 fast documents would cost more than it shows.
REDRAW_SECONDS = 0.05


class Progress:
    """A callback for `build_many(on_result=...)` that shows the build's progress."""

    def __init__(self, stream: TextIO | None = None, *, tty: bool | None = None):
        self.stream = stream or sys.stderr
        self.tty = _is_tty(self.stream) if tty is None else tty
        self.failed = 0
        self.started = time.monotonic()
        self._drawn_at = 0.0
        self._drawn = False

    def __call__(self, result, done: int, total: int) -> None:
        if total <= 1:
            return  # one document: its result is the report itself
        if not result.ok:
            self.failed += 1
        if self.tty:
            self._redraw(done, total, force=done == total or not result.ok)
        elif result.outputs or not result.ok:  # a document already up to date is no news in a log
            self.stream.write(f"[{done}/{total}] {_verb(result)} {shown_path(result.path)}\n")
            self.stream.flush()

    def finish(self) -> None:
        """End the bar's line, so what is printed next starts on a line of its own."""
        if self.tty and self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False

    def _redraw(self, done: int, total: int, *, force: bool) -> None:
        now = time.monotonic()
        if not force and now - self._drawn_at < REDRAW_SECONDS:
            return
        self._drawn_at = now
        self.stream.write("\r\x1b[K" + bar_line(done, total, self.failed, now - self.started))
        self.stream.flush()
        self._drawn = True


def bar_line(done: int, total: int, failed: int, elapsed: float, width: int = BAR_WIDTH) -> str:
    """`[#####-----]  12/50 documents, 1 failed, 0.8 s`"""
    filled = width * done // total if total else width
    failures = f", {failed} failed" if failed else ""
    return f"[{'#' * filled}{'-' * (width - filled)}] {done:>{len(str(total))}}/{total} documents{failures}, {elapsed:.1f} s"


def _verb(result) -> str:
    if not result.ok:
        return "FAILED"
    return "built" if result.outputs else "up to date"


def _is_tty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
