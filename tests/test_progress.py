"""tei_tools.progress: a build's progress for the command line, a bar on a terminal and
plain lines elsewhere (the CLI's use of it is in test_parallel.py)."""
from __future__ import annotations

import io
import re
from pathlib import Path

from tei_tools.errors import ValidationError
from tei_tools.progress import Progress, bar_line
from tei_tools.transform import DocumentResult


def test_the_bar_line_says_how_far_the_build_is():
    assert bar_line(5, 10, 1, 2.04, width=10) == "[#####-----]  5/10 documents, 1 failed, 2.0 s"
    assert bar_line(0, 0, 0, 0.0, width=4) == "[####] 0/0 documents, 0.0 s"


def test_progress_draws_a_bar_on_a_terminal_and_lines_elsewhere():
    screen = io.StringIO()
    bar = Progress(screen, tty=True)
    bar(DocumentResult(Path("a.xml"), [Path("a.html")]), 1, 2)
    bar(DocumentResult(Path("b.xml"), error=ValidationError("b.xml", [])), 2, 2)
    bar.finish()
    assert re.search(r"\[#{24}\] 2/2 documents, 1 failed, \d+\.\d s\n$", screen.getvalue())
    assert "\r" in screen.getvalue()
    log = io.StringIO()
    lines = Progress(log, tty=False)
    lines(DocumentResult(Path("a.xml"), [Path("a.html")]), 1, 3)
    lines(DocumentResult(Path("b.xml")), 2, 3)  # up to date: not worth a line
    lines(DocumentResult(Path("c.xml"), error=ValidationError("c.xml", [])), 3, 3)
    assert log.getvalue() == "[1/3] built a.xml\n[3/3] FAILED c.xml\n"


def test_a_single_document_gets_no_progress():
    """Its result is the command's report itself: a bar or a line would say it twice."""
    for tty in (True, False):
        stream = io.StringIO()
        progress = Progress(stream, tty=tty)
        progress(DocumentResult(Path("a.xml"), [Path("a.html")]), 1, 1)
        progress.finish()
        assert stream.getvalue() == ""
