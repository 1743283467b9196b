"""tei_tools.saxon: errors are located in the file Saxon names, imported stylesheets included."""
from __future__ import annotations

import pytest

from conftest import FIXTURES
from tei_tools import saxon
from tei_tools.errors import BuildError

STYLESHEET = '<xsl:stylesheet version="3.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">\n{}\n</xsl:stylesheet>\n'
SOURCE = FIXTURES / "valid-minimal.xml"


def test_a_compile_error_in_an_imported_stylesheet_names_that_stylesheet(tmp_path):
    (tmp_path / "part.xsl").write_text(
        STYLESHEET.format('  <xsl:template match="/">\n    <xsl:value-of select="concat("/>\n  </xsl:template>'),
        encoding="utf-8")
    main = tmp_path / "main.xsl"
    main.write_text(STYLESHEET.format('  <xsl:import href="part.xsl"/>'), encoding="utf-8")
    with pytest.raises(BuildError) as caught:
        saxon.transform(main, SOURCE)
    finding = caught.value.findings[0]
    assert (finding.path, finding.line) == (str(tmp_path / "part.xsl"), 3)


def test_a_run_time_error_is_located_in_the_stylesheet(tmp_path):
    broken = tmp_path / "broken.xsl"
    broken.write_text(
        STYLESHEET.format('  <xsl:template match="/">\n    <xsl:sequence select="error((), \'gave up\')"/>\n  </xsl:template>'),
        encoding="utf-8")
    with pytest.raises(BuildError) as caught:
        saxon.transform(broken, SOURCE)
    finding = caught.value.findings[0]
    assert (finding.path, finding.line) == (str(broken), 3)
    assert "gave up" in finding.message


def test_a_tree_written_with_the_stylesheets_own_output_equals_its_direct_output():
    """saxon.serialize: html.xsl's page as a tree (page-tree), written in mode html:serialize,
    is byte for byte the page html.xsl writes itself; also after parameterised runs, which
    once made saxonche crash when the stylesheet was copied for the mode."""
    params = {"build-date": "2025-01-01T00:00:00Z", "stem": "valid-minimal"}
    direct = saxon.transform("html.xsl", SOURCE, params).output
    flag = saxon.processor().make_boolean_value(True)
    for _ in range(2):
        tree = saxon.transform("html.xsl", SOURCE, {**params, "page-tree": flag}, as_tree=True).tree
        assert saxon.serialize("html.xsl", tree, "{urn:tei-tools:html}serialize") == direct
    assert direct.lower().startswith("<!doctype html>")


def test_a_parse_error_is_one_finding_where_saxon_says_and_nothing_reaches_stderr(tmp_path, capfd):
    """Saxon's parser wrote its lines to stderr besides the exception, and the finding had
    no position. (tei_tools.parsing refuses this document first; Saxon's own report is the
    last line of defence.)"""
    from test_parsing import nested

    doc = tmp_path / "deep.xml"
    doc.write_text(nested(96), encoding="utf-8")
    with pytest.raises(BuildError) as caught:
        saxon.parse_document(doc)
    [finding] = caught.value.findings
    line = next(n for n, text in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1) if "<hi" in text)
    assert (finding.path, finding.line) == (str(doc), line) and finding.column > 0
    assert "depth" in finding.message and "\n" not in finding.message
    assert capfd.readouterr().err == ""

