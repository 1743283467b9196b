"""The edition's schema is a TEI subset: Jing with the TEI Consortium's tei_all agrees.

Also: every edition file names its schemas in two <?xml-model?> processing instructions,
so that XML editors validate while editing.
"""
from __future__ import annotations

import pytest
from lxml import etree

from conftest import FIXTURES, REPO_ROOT, edition_xml_files
from tei_tools import validate
from tei_tools.parsing import parse_file

VALID_FIXTURES = sorted(FIXTURES.glob("valid-*.xml"))
RNG_NS = "http://relaxng.org/ns/structure/1.0"
SCH_NS = "http://purl.oclc.org/dsdl/schematron"


def test_there_are_valid_fixtures():
    assert [p.name for p in VALID_FIXTURES] == ["valid-article.xml", "valid-minimal.xml"]


@pytest.mark.external
@pytest.mark.parametrize("path", VALID_FIXTURES + edition_xml_files(), ids=lambda p: p.name)
def test_valid_for_edition_schema_and_for_tei_all(path, tei_all):
    findings = validate.validate_file(path)
    assert validate.is_valid(findings), "\n".join(map(str, findings))
    result = tei_all.validate(path)
    assert result.ok, "\n".join(result.messages)


@pytest.mark.external
def test_jing_rejects_what_tei_does_not_allow(tei_all):
    """Proves the Jing check can fail: an element TEI does not know."""
    result = tei_all.validate(FIXTURES / "tei-without-namespace.xml")
    assert not result.ok and result.messages


# Documents that edition.rng and edition.sch once accepted but TEI does not allow: the first
# five break tei_all's RELAX NG (Jing), the others the Schematron rules TEI's ODD carries
# (which Jing does not run). The edition's schema must refuse them all.
NOT_TEI = sorted((FIXTURES / "not-tei").glob("*.xml"))
REFUSED_BY_JING = {"bibl-with-xml-names.xml", "msidentifier-parts-with-supplied.xml", "funder-and-authority-with-supplied.xml",
                   "catdesc-with-quote.xml", "datetime-hour-24-and-offset-minus-14.xml"}


def test_there_are_documents_tei_does_not_allow():
    assert len(NOT_TEI) == 10 and REFUSED_BY_JING <= {p.name for p in NOT_TEI}


@pytest.mark.parametrize("path", NOT_TEI, ids=lambda p: p.name)
def test_the_edition_schema_refuses_what_tei_does_not_allow(path):
    findings = validate.validate_file(path)
    assert not validate.is_valid(findings), f"{path.name} is not TEI, yet edition.rng and edition.sch accept it"


@pytest.mark.external
@pytest.mark.parametrize("path", [p for p in NOT_TEI if p.name in REFUSED_BY_JING], ids=lambda p: p.name)
def test_tei_all_refuses_them_too(path, tei_all):
    """The fixtures are what they claim: Jing with tei_all refuses them as well."""
    assert not tei_all.validate(path).ok


@pytest.mark.parametrize("path", edition_xml_files(), ids=lambda p: p.name)
def test_edition_file_starts_with_xml_model_pis(path):
    tree = parse_file(path)
    pis = []
    node = tree.getroot().getprevious()
    while node is not None:
        if isinstance(node, etree._ProcessingInstruction):
            pis.insert(0, node)
        node = node.getprevious()
    # the schema's files, by a path relative to this file (one ../ per folder level: a file
    # in edition/1924/ links ../../schema/), the RELAX NG first
    models = [(pi.target, (path.parent / pi.get("href", "")).resolve(), pi.get("schematypens")) for pi in pis]
    assert models[:2] == [
        ("xml-model", (REPO_ROOT / "schema" / "edition.rng").resolve(), RNG_NS),
        ("xml-model", (REPO_ROOT / "schema" / "edition.sch").resolve(), SCH_NS),
    ]
    assert all(not pi.get("href").startswith("/") for pi in pis[:2])

