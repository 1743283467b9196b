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
