"""Findings print as one `path:line:column: severity: message` line."""
from __future__ import annotations

from tei_tools.errors import Finding


def test_a_line_break_in_a_file_name_is_escaped_so_a_finding_stays_one_line():
    finding = Finding("edition/a\nb\r\u2028c.xml", 3, 4, "error", "not well-formed XML")
    assert str(finding) == "edition/a\\nb\\r\\u2028c.xml:3:4: error: not well-formed XML"
    assert len(str(finding).splitlines()) == 1
