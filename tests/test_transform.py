"""The build pipeline (tei_tools.transform) and `tei-tools build`: validation first, atomic and
reproducible outputs, one-line errors, the committed dist/ equal to a fresh build."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile

import pytest
from lxml import etree, html as lxml_html
from click.testing import CliRunner

from conftest import FIXTURES, REPO_ROOT, edition_xml_files
from tei_tools import transform
from tei_tools.cli import main
from tei_tools.errors import BuildError, OutputError, UsageError
from tei_tools.manifest import MANIFEST_NAME
from tei_tools.parsing import parse_file

HTML_FIXTURES = FIXTURES / "html"
SMALL = HTML_FIXTURES / "small-edition.xml"
ARTICLE = REPO_ROOT / "edition" / "mopr-1922-1924.xml"
INVALID = HTML_FIXTURES / "invalid-unknown-element.xml"
UNSAFE = HTML_FIXTURES / "unsafe-link.xml"
FINDING = re.compile(r"^(?P<path>.+):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning): (?P<message>.+)$")


@pytest.fixture(autouse=True)
def no_source_date_epoch(monkeypatch):
    """Builds here take their date from the edition, as dist/ was built."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


def run_build(*args: str):
    return CliRunner().invoke(main, ["build", *args])


def build_variant(tmp_path, text: str):
    """Build a changed copy of the small fixture (same file name) into tmp_path/out."""
    source = tmp_path / SMALL.name
    source.write_text(text, encoding="utf-8")
    result = run_build("--out", str(tmp_path / "out"), str(source))
    assert result.exit_code == 0, result.output
    return tmp_path / "out"


def assert_ids_unique_and_links_resolve(html: str) -> None:
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert {target for target in re.findall(r'href="#([^"]+)"', html)} <= set(ids)


# ---------------------------------------------------------------- formats


def test_all_means_every_registered_format_in_a_stable_order():
    names = [f.name for f in transform.resolve_formats(["all"])]
    assert names == [n for n in transform.KNOWN_FORMATS if n in transform.FORMATS]
    assert "html" in names


def test_a_format_that_is_not_registered_is_an_error_not_a_skip(monkeypatch):
    monkeypatch.setattr(transform, "FORMATS", {"html": transform.FORMATS["html"]})
    with pytest.raises(UsageError, match="format txt:0:0: error: no such output format"):
        transform.resolve_formats(["html", "txt"])


def test_a_registered_format_is_built_by_the_pipeline(tmp_path, monkeypatch):
    """A plug-in format: register a renderer, and the pipeline writes its files."""
    formats = dict(transform.FORMATS)
    monkeypatch.setattr(transform, "FORMATS", formats)
    transform.register_format(transform.OutputFormat("txt", "test_transform:render_title_as_text"))
    report = transform.build([SMALL], tmp_path, ["txt"])
    assert report.ok
    assert (tmp_path / "small-edition.txt").read_text(encoding="utf-8") == "A small test article on Red Aid\n"


def render_title_as_text(document) -> dict[str, bytes]:
    title = document.tree.findtext(".//{http://www.tei-c.org/ns/1.0}title[@type='supplied']")
    return {f"{document.stem}.txt": (title + "\n").encode("utf-8")}


# ---------------------------------------------------------------- building


def test_build_writes_stem_html(tmp_path):
    report = transform.build([SMALL], tmp_path, ["html"])
    assert report.ok
    assert report.outputs == [tmp_path / "small-edition.html"]
    assert (tmp_path / "small-edition.html").read_bytes().startswith(b"<!DOCTYPE HTML>")
    # no temporary file left; the build's record of its outputs beside them (tei_tools.manifest)
    assert sorted(p.name for p in tmp_path.iterdir()) == [MANIFEST_NAME, "small-edition.html"]


@pytest.mark.parametrize(("declared", "codec"), [("UTF-16LE", "utf-16-le"), ("ISO-8859-5", "iso8859-5"), ("KOI8-R", "koi8-r")])
def test_an_encoding_every_tool_reads_gives_the_edition_of_its_utf8_original(tmp_path, declared, codec):
    """What validation accepts, Saxon builds, and to the same text (UTF-16 without a byte
    order mark was refused as binary; encodings Saxon cannot read are refused, see
    test_parsing)."""
    text = SMALL.read_text(encoding="utf-8").split("?>", 1)[1]
    encoded = tmp_path / "in" / SMALL.name
    encoded.parent.mkdir()
    encoded.write_bytes(f'<?xml version="1.0" encoding="{declared}"?>{text}'.encode(codec, errors="xmlcharrefreplace"))
    assert transform.build([encoded], tmp_path / "encoded", ["txt"]).ok
    assert transform.build([SMALL], tmp_path / "original", ["txt"]).ok
    name = f"{SMALL.stem}.txt"
    assert (tmp_path / "encoded" / name).read_bytes() == (tmp_path / "original" / name).read_bytes()


def test_building_twice_gives_identical_bytes(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    transform.build([SMALL], first, ["html"])
    transform.build([SMALL], second, ["html"])
    assert (first / "small-edition.html").read_bytes() == (second / "small-edition.html").read_bytes()


def test_the_html_is_the_same_built_alone_with_the_epub_or_split_over_two_processes(tmp_path):
    """With the EPUB, the page is rendered once as a tree and written from it; the bytes
    are those of the page written directly. A single-document CLI build renders the HTML
    and EPUB in a forked child (tei_tools.forked) and must give the same files again."""
    alone = transform.build([SMALL], tmp_path / "alone", ["html"])
    shared = transform.build([SMALL], tmp_path / "shared", ["html", "epub"])
    assert alone.ok and shared.ok
    # A fresh process (this one has started Saxon, so it would not fork).
    command = [sys.executable, "-m", "tei_tools", "build", "--jobs", "2", "--out", str(tmp_path / "cli"), str(SMALL)]
    completed = subprocess.run(command, capture_output=True, text=True, cwd=REPO_ROOT, timeout=120)
    assert completed.returncode == 0, completed.stderr
    html = (tmp_path / "alone" / "small-edition.html").read_bytes()
    assert html == (tmp_path / "shared" / "small-edition.html").read_bytes() == (tmp_path / "cli" / "small-edition.html").read_bytes()
    epub = (tmp_path / "shared" / "small-edition.epub").read_bytes()
    assert epub == (tmp_path / "cli" / "small-edition.epub").read_bytes()


def test_date_comes_from_revision_desc_or_source_date_epoch(tmp_path, monkeypatch):
    transform.build([SMALL], tmp_path / "rev", ["html"])
    assert b'<meta name="dcterms.modified" content="2024-05-02">' in (tmp_path / "rev" / "small-edition.html").read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14
    transform.build([SMALL], tmp_path / "epoch", ["html"])
    assert b'<meta name="dcterms.modified" content="2023-11-14">' in (tmp_path / "epoch" / "small-edition.html").read_bytes()


@pytest.mark.parametrize(("when", "claimed"), [
    ("2024", "2024-01-01"),  # xs:gYear: the year's first day
    ("2024-05", "2024-05-01"),  # xs:gYearMonth
    ("2024-05-02T10:30:00+02:00", "2024-05-02"),  # xs:dateTime: the day as written
    ("--05-02", "1980-01-01"),  # xs:gMonthDay has no year: the earliest date a zip holds
])
def test_every_form_of_revision_date_the_schema_allows_dates_the_build(tmp_path, when, claimed):
    text = SMALL.read_text(encoding="utf-8").replace('<change when="2024-05-01">First pass.</change>', "", 1)
    out = build_variant(tmp_path, text.replace('<change when="2024-05-02"', f'<change when="{when}"', 1))
    html = (out / "small-edition.html").read_text(encoding="utf-8")
    assert f'<meta name="dcterms.modified" content="{claimed}">' in html


def test_without_a_dated_change_the_publication_date_dates_the_build_and_without_either_a_warning(tmp_path):
    """A header with no revisionDesc is dated by publicationStmt/date/@when; with neither,
    the editions say 1980-01-01 and the build says so, at the teiHeader."""
    text = SMALL.read_text(encoding="utf-8")
    revisions = text[text.index("    <revisionDesc>"):text.index("</revisionDesc>") + len("</revisionDesc>\n")]
    undated_changes = text.replace(revisions, "")
    out = build_variant(tmp_path, undated_changes)
    assert '<meta name="dcterms.modified" content="2024-05-01">' in (out / "small-edition.html").read_text(encoding="utf-8")
    source = tmp_path / SMALL.name
    source.write_text(undated_changes.replace('<date when="2024-05-01">2024</date>', "<date>2024</date>"), encoding="utf-8")
    result = run_build("--format", "html", "--out", str(tmp_path / "undated"), str(source))
    assert result.exit_code == 0, result.output
    assert '<meta name="dcterms.modified" content="1980-01-01">' in (tmp_path / "undated" / "small-edition.html").read_text(encoding="utf-8")
    [warning] = [FINDING.match(line) for line in result.stderr.splitlines() if ": warning: " in line]
    header_line = next(n for n, t in enumerate(source.read_text(encoding="utf-8").splitlines(), 1) if "<teiHeader" in t)
    assert (warning["path"], int(warning["line"])) == (str(source), header_line)
    assert warning["message"].startswith("nothing dates the reading editions") and "1980-01-01" in warning["message"]


@pytest.mark.parametrize(("changes", "claimed"), [
    (("2024-05-01", "2024-05-02"), "2024-05-02"),  # oldest first: the newest still wins
    (("2024-05-02", "2024-05-01"), "2024-05-02"),  # newest first, as most editions list them
    (("--12-31", "2023"), "2023-01-01"),  # a day without a year counts only without a dated change
])
def test_the_build_claims_the_newest_revision_wherever_it_stands(tmp_path, changes, claimed):
    first, second = changes
    text = SMALL.read_text(encoding="utf-8").replace('<change when="2024-05-02"', f'<change when="{first}"', 1)
    out = build_variant(tmp_path, text.replace('<change when="2024-05-01"', f'<change when="{second}"', 1))
    html = (out / "small-edition.html").read_text(encoding="utf-8")
    assert f'<meta name="dcterms.modified" content="{claimed}">' in html


@pytest.mark.parametrize("written", [" 13 ", "013"])
def test_page_numbers_are_written_in_their_canonical_form(tmp_path, written):
    """pb/@n is an xs:positiveInteger: " 13 " and "013" are valid, and mean page 13."""
    import zipfile

    out = build_variant(tmp_path, SMALL.read_text(encoding="utf-8").replace('<pb n="13"/>', f'<pb n="{written}"/>', 1))
    html = (out / "small-edition.html").read_text(encoding="utf-8")
    assert 'id="p13"' in html and 'href="#p13"' in html
    assert not re.search(r'(id|href)="#?p[ 0]', html)
    assert "[p. 13]" in (out / "small-edition.txt").read_text(encoding="utf-8")
    with zipfile.ZipFile(out / "small-edition.epub") as epub:
        nav = epub.read("EPUB/nav.xhtml").decode("utf-8")
    assert re.search(r'href="[^"]*#p13">13</a>', nav), nav


def test_spaces_around_attribute_values_change_no_output(tmp_path):
    """Dates, page numbers and quantities are dates and numbers: their datatypes allow spaces
    around the value, which must not reach ids, links or the text. (Words, enumerated values
    and language tags may not have them: tests/test_validate.py.)"""
    padded = re.sub(r'\b(when|quantity)="([^"]*)"', r'\1=" \2 "', SMALL.read_text(encoding="utf-8"))
    padded = re.sub(r'<pb n="(\d+)"', r'<pb n=" \1 "', padded)
    assert padded.count('=" ') >= 6
    (tmp_path / "padded").mkdir()
    (tmp_path / "padded" / SMALL.name).write_text(padded, encoding="utf-8")
    for name, source in (("plain", SMALL), ("padded", tmp_path / "padded" / SMALL.name)):
        result = run_build("--out", str(tmp_path / f"out-{name}"), str(source))
        assert result.exit_code == 0, result.output
    for suffix in (".html", ".txt", ".epub"):
        output = f"small-edition{suffix}"
        assert (tmp_path / "out-padded" / output).read_bytes() == (tmp_path / "out-plain" / output).read_bytes(), output


@pytest.mark.parametrize(("birth", "death", "span"), [
    ("1857", "1933", "1857–1933"),
    ("1857-07-05", "1933-06-20T10:00:00Z", "1857–1933"),
    ("-0044", "0014-08-19", "-0044–0014"),  # XML Schema's year -44 is 45 BC: written as dated
    ("--07-05", "1933+03:00", "?–1933"),  # a day of every year has no year
])
def test_a_persons_years_are_read_from_every_form_of_date(tmp_path, birth, death, span):
    text = SMALL.read_text(encoding="utf-8").replace('<birth when="1857"', f'<birth when="{birth}"', 1).replace('<death when="1933"', f'<death when="{death}"', 1)
    out = build_variant(tmp_path, text)
    assert f"Zetkin, Clara ({span})" in (out / "small-edition.txt").read_text(encoding="utf-8")
    assert f"</span> ({span})" in (out / "small-edition.html").read_text(encoding="utf-8")


def test_a_note_in_the_editors_prose_is_read_where_it_stands(tmp_path):
    """Notes inside the header's source note or a register entry's note are in no notes
    list: a marker would lead nowhere (and take a numbered footnote's id). They are read
    in brackets, and none of their words is lost."""
    text = SMALL.read_text(encoding="utf-8")
    text = text.replace("the original is unknown.</note>", "the original is unknown<note>inner header remark</note>.</note>", 1)
    text = text.replace("a founder of German Red Aid.</note>", "a founder of German Red Aid<note>inner register remark</note>.</note>", 1)
    out = build_variant(tmp_path, text)
    html = (out / "small-edition.html").read_text(encoding="utf-8")
    assert "unknown<span class=\"note-inline\"> (inner header remark)</span>." in html
    assert "Red Aid<span class=\"note-inline\"> (inner register remark)</span>." in html
    assert_ids_unique_and_links_resolve(html)
    txt = (out / "small-edition.txt").read_text(encoding="utf-8")
    assert "unknown (inner header remark)." in " ".join(txt.split())


def test_every_edition_describes_the_source_in_the_same_words(tmp_path):
    """Title, publisher, printed pages (common.xsl, ed:source-parts): the front matter,
    the citation, the text's title block, the HTML's metadata and the EPUB's dc:source."""
    from lxml import etree

    tei = etree.parse(str(ARTICLE))
    ns = {"tei": "http://www.tei-c.org/ns/1.0"}
    source = tei.find(".//tei:sourceDesc/tei:bibl", ns)
    scope = source.find("tei:biblScope[@unit='page']", ns)
    described = ", ".join((" ".join(source.findtext("tei:title", namespaces=ns).split()),
                           " ".join(source.findtext("tei:publisher", namespaces=ns).split()),
                           f"pages {scope.get('from')}–{scope.get('to')} of the printed original"))
    report = transform.build([ARTICLE], tmp_path, ["html", "epub", "txt"])
    html, epub, txt = report.results[0].outputs
    page = lxml_html.parse(str(html)).getroot()
    assert page.xpath("//meta[@name='dcterms.source']/@content") == [described]
    assert described in " ".join(page.xpath("string(//dl[@class='facts']/dt[. = 'Source']/following-sibling::dd[1])").split())
    assert "Based on: " + described + "." in " ".join(page.text_content().split())
    flat = " ".join(txt.read_text(encoding="utf-8").split())
    assert "Source: " + described + " (the copy received is kept with the edition’s sources as edition/source/" in flat and "Based on: " + described + "." in flat
    with zipfile.ZipFile(epub) as book:
        opf = etree.fromstring(book.read("EPUB/package.opf"))
    assert opf.xpath("//*[local-name()='source']/text()") == [described]


def test_a_division_inside_the_article_has_a_heading_one_level_down(tmp_path):
    """Headings in order (WCAG 1.3.1): the article's is h2 under the edition's h1, its parts'
    h3, in the HTML and in the EPUB's text."""
    text = SMALL.read_text(encoding="utf-8")
    first = text.index("<p>The idea came from")
    end_first = text.index("</p>", first) + len("</p>")
    second = text.index("<p>Across the page")
    end_second = text.index("</p>", second) + len("</p>")
    text = (text[:first] + "<div><head>Part one</head>" + text[first:end_first] + "</div>\n        <div><head>Part two</head>"
            + text[second:end_second] + "</div>" + text[end_second:])
    out = build_variant(tmp_path, text)
    page = lxml_html.parse(str(out / "small-edition.html")).getroot()
    levels = [h.tag for h in page.xpath("//article//*[self::h2 or self::h3 or self::h4]")]
    assert levels[:3] == ["h2", "h3", "h3"]
    assert page.xpath("//article//h3/text()") == ["Part one", "Part two"]
    with zipfile.ZipFile(out / "small-edition.epub") as book:
        body = book.read("EPUB/text.xhtml").decode("utf-8")
    assert re.search(r"<h(\d)[^>]*>Part one</h\1>", body).group(1) > re.search(r"<h(\d)[^>]*>A small test article</h\1>", body).group(1)


def test_an_empty_language_tag_gives_way_to_english(tmp_path):
    """xml:lang="" is valid TEI and says nothing: the editions fall back to English instead
    of writing lang="" (and an empty dc:language, which EPUBCheck refuses)."""
    text = SMALL.read_text(encoding="utf-8").replace('<TEI xmlns="http://www.tei-c.org/ns/1.0" xml:lang="en">', '<TEI xmlns="http://www.tei-c.org/ns/1.0" xml:lang="">', 1)
    text = re.sub(r"<langUsage>.*?</langUsage>", "", text, count=1, flags=re.S)
    out = build_variant(tmp_path, text)
    assert lxml_html.parse(str(out / "small-edition.html")).getroot().get("lang") == "en"
    with zipfile.ZipFile(out / "small-edition.epub") as epub:
        assert "<dc:language>en</dc:language>" in epub.read("EPUB/package.opf").decode("utf-8")


def test_a_note_in_the_header_that_points_to_a_correction_is_not_its_argument(tmp_path):
    """Only the editors' notes in the text argue for a correction; a header note whose
    @target names one (valid TEI) is not listed with it, and stops no build."""
    text = SMALL.read_text(encoding="utf-8").replace("</publicationStmt>", '</publicationStmt>\n      <notesStmt><note type="editorial" resp="#editors" target="#choice-year">A remark on the year.</note></notesStmt>', 1)
    out = build_variant(tmp_path, text)
    assert "A remark on the year" not in (out / "small-edition.txt").read_text(encoding="utf-8").split("Corrections")[-1]


# The second part of small-edition.xml's note 1, which begins page 13 (a continuation
# follows the page break where the note goes on: the Schematron says so).
CONTINUATION = '<note place="foot" xml:id="fn1-cont" prev="#fn1">many workers in <placeName ref="#place-moscow">Moscow</placeName>.</note>'


def _without_page_13(text: str) -> str:
    """The fixture without its page break 13 and the note part that follows it."""
    assert '<pb n="13"/>' + CONTINUATION in text
    return text.replace('<pb n="13"/>' + CONTINUATION, "", 1)


def test_a_page_that_begins_inside_a_linked_name_keeps_its_anchor_without_a_link_in_a_link(tmp_path):
    """A name broken across two pages: the name links to its register entry, so the page's
    number in the margin cannot be a link too; its anchor (#p13) and number stay."""
    from lxml import html as lxml_html

    text = _without_page_13(SMALL.read_text(encoding="utf-8"))
    text = text.replace('goes on, and <orgName ref="#org-mopr">MOPR</orgName>', 'goes on, and <orgName ref="#org-mopr">MO<pb n="13"/>PR</orgName>' + CONTINUATION, 1)
    out = build_variant(tmp_path, text)
    page = lxml_html.parse(str(out / "small-edition.html")).getroot()
    assert not page.xpath("//a//a")
    [anchor] = page.xpath('//*[@id="p13"]')
    assert anchor.xpath("ancestor::a[contains(@class, 'ent')]") and "13" in anchor.text_content()
    assert page.xpath('//a[@href="#p13"]')  # the citation list still links to the page
    assert "MO [p. 13] PR" in (out / "small-edition.txt").read_text(encoding="utf-8")


def test_ids_the_editions_make_up_never_take_one_an_editor_chose(tmp_path):
    """A correction without an xml:id is "corr-N" and a note's marker "ref-…" in the HTML,
    unless an editor gave an element that xml:id: then the made-up id gives way."""
    text = SMALL.read_text(encoding="utf-8")
    text = text.replace('<choice xml:id="choice-mopr">', "<choice>", 1).replace(' target="#choice-mopr"', "", 1)
    text = text.replace('xml:id="en-year" target="#choice-year"', 'xml:id="corr-1" target="#choice-year"', 1)
    text = text.replace('xml:id="en-gap"', 'xml:id="ref-fn1"', 1)
    html = (build_variant(tmp_path, text) / "small-edition.html").read_text(encoding="utf-8")
    assert_ids_unique_and_links_resolve(html)
    assert {"corr-1", "corr-1-", "ref-fn1", "ref-fn1-"} <= set(re.findall(r' id="([^"]+)"', html))


def test_supplied_and_unclear_text_is_marked_in_every_edition(tmp_path):
    """Text the editors supply is not the source's: every edition sets it apart, and the
    source reading (and the HTML's source view) leaves it out."""
    import zipfile

    from lxml import etree

    from readings import reading_text, source_reading, words

    text = SMALL.read_text(encoding="utf-8").replace(
        "The idea came from", 'The <supplied reason="omitted">whole</supplied> idea <unclear reason="faded">came</unclear> from', 1)
    out = build_variant(tmp_path, text)
    html = (out / "small-edition.html").read_text(encoding="utf-8")
    assert '<span class="supplied" title="Supplied by the editors (omitted)">⟨whole⟩</span>' in html
    assert '<span class="unclear" title="Unclear in the source; the editors’ reading (faded)">came<span class="unclear-mark">(?)</span></span>' in html
    assert re.search(r"html:has\(#show-source:checked\) \.supplied \{ display: none; \}", html)  # the source view
    txt = (out / "small-edition.txt").read_text(encoding="utf-8")
    assert "The ⟨whole⟩ idea came(?) from" in " ".join(txt.split())
    assert "⟨word⟩      Supplied by the editors: not in the source." in txt
    with zipfile.ZipFile(out / "small-edition.epub") as epub:
        assert "⟨whole⟩" in epub.read("EPUB/text.xhtml").decode("utf-8")
    body = etree.parse(str(tmp_path / SMALL.name)).find(".//{http://www.tei-c.org/ns/1.0}body")
    assert "whole" in words(reading_text(body)) and "whole" not in words(source_reading(body))


def test_the_text_explains_only_the_marks_it_has():
    """The article has no supplied or unclear text: its "How to read" lists neither."""
    text = (REPO_ROOT / "dist" / "mopr-1922-1924.txt").read_text(encoding="utf-8")
    assert "⟨" not in text and "(?)" not in text


def test_an_empty_standard_name_gives_way_to_the_next_name(tmp_path):
    text = SMALL.read_text(encoding="utf-8").replace(
        '<persName type="standard"><forename>Clara</forename> <surname>Zetkin</surname></persName>', '<persName type="standard"> </persName>', 1)
    out = build_variant(tmp_path, text)
    assert '<li id="pers-zetkin" class="entry"><span class="entry-name">K. Zetkin</span>' in (out / "small-edition.html").read_text(encoding="utf-8")
    assert "\nK. Zetkin (1857–1933): 12, 13n2." in (out / "small-edition.txt").read_text(encoding="utf-8")


def test_a_line_break_inside_a_word_keeps_the_word_whole(tmp_path):
    """lb break="no" falls inside a word; any other lb parts two words (even with no space
    around it in the markup). Outputs and readings must agree on the words."""
    from lxml import etree

    from readings import reading_text, words

    text = SMALL.read_text(encoding="utf-8").replace("The idea came from", 'The id<lb break="no"/>ea came<lb/>from', 1)
    out = build_variant(tmp_path, text)
    html = (out / "small-edition.html").read_text(encoding="utf-8")
    assert "The idea came<br>from" in html
    txt = " ".join((out / "small-edition.txt").read_text(encoding="utf-8").split())
    assert "The idea came from" in txt
    body = etree.parse(str(tmp_path / SMALL.name)).find(".//{http://www.tei-c.org/ns/1.0}body")
    assert words(reading_text(body))[:4] == ["The", "idea", "came", "from"]


@pytest.mark.parametrize("inside", ["sic", "corr"])
def test_a_page_that_begins_inside_a_corrected_passage_keeps_its_marker(tmp_path, inside):
    """The reading editions show the correction, not the source's reading: a page break in
    the source's reading is put before the correction, so #p13 and [p. 13] still exist."""
    import zipfile

    text = _without_page_13(SMALL.read_text(encoding="utf-8"))
    if inside == "sic":
        text = text.replace("<sic>1823</sic>", '<sic>18<pb n="13"/>23</sic>', 1)
    else:
        text = text.replace('<corr resp="#editors" cert="medium">1923</corr>', '<corr resp="#editors" cert="medium">19<pb n="13"/>23</corr>', 1)
    text = text.replace("A misprint.</note>", "A misprint.</note>" + CONTINUATION, 1)
    out = build_variant(tmp_path, text)
    html = (out / "small-edition.html").read_text(encoding="utf-8")
    assert html.count('id="p13"') == 1 and 'href="#p13"' in html
    assert_ids_unique_and_links_resolve(html)
    running = (out / "small-edition.txt").read_text(encoding="utf-8").split("How to read this text")[1].split("\nNotes\n")[0]
    assert running.count("[p. 13]") == 2  # the conventions' example, then the running text
    with zipfile.ZipFile(out / "small-edition.epub") as epub:
        assert 'id="p13"' in epub.read("EPUB/text.xhtml").decode("utf-8")


@pytest.mark.parametrize("epoch", ["yesterday", "-1", "1.5", "99999999999999999"])
def test_an_unusable_source_date_epoch_stops_the_build_with_one_line(tmp_path, monkeypatch, epoch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    result = run_build("--out", str(tmp_path / "out"), str(SMALL))
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("SOURCE_DATE_EPOCH=") and "error:" in lines[0], result.output
    assert "Traceback" not in result.output
    assert not list((tmp_path / "out").glob("small-edition.*"))


def test_stylesheet_parameters_are_not_spliced(tmp_path):
    """A stem with XPath/markup characters reaches the output as escaped text only."""
    odd = tmp_path / "in" / "a'b<c>&d.xml"
    odd.parent.mkdir()
    shutil.copy(SMALL, odd)
    report = transform.build([odd], tmp_path / "out", ["html"])
    assert report.ok, report.failures and report.failures[0].messages
    html = (tmp_path / "out" / "a'b<c>&d.html").read_text(encoding="utf-8")
    assert "<code>a'b&lt;c&gt;&amp;d.xml</code>" in html


@pytest.mark.skipif(not edition_xml_files(), reason="no edition in edition/ yet")
@pytest.mark.parametrize("jobs", [1, 2])
def test_committed_dist_equals_a_fresh_build(tmp_path, jobs):
    """dist/ is committed; it must be what the sources build to today, by the path
    `tei-tools build` takes (parallel.build_many: in this process, or in worker processes)."""
    from tei_tools.parallel import build_many

    files = edition_xml_files()
    assert files, "edition/ holds no TEI file"
    report = build_many(files, tmp_path, transform.resolve_formats(["all"]), jobs=jobs, force=True)
    assert report.ok, [m for r in report.failures for m in r.messages]
    assert report.outputs
    for built in report.outputs:
        committed = REPO_ROOT / "dist" / built.name
        assert committed.is_file(), f"dist/{built.name} is missing: run `tei-tools build`"
        assert committed.read_bytes() == built.read_bytes(), f"dist/{built.name} is stale: run `tei-tools build`"


# ---------------------------------------------------------------- failures


def test_invalid_document_gets_no_output_and_validator_messages(tmp_path):
    result = run_build("--format", "html", "--out", str(tmp_path), str(INVALID))
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    findings = [FINDING.match(line) for line in lines[:-1]]
    assert findings and all(findings), result.output
    assert all(f.group("path") == str(INVALID) and f.group("severity") == "error" for f in findings)
    assert any("shout" in f.group("message") for f in findings)
    assert lines[-1] == "1 of 1 documents failed; no output written for them"
    assert list(tmp_path.iterdir()) == []


def test_one_invalid_document_does_not_stop_the_others(tmp_path):
    result = run_build("--format", "html", "--out", str(tmp_path), str(INVALID), str(SMALL))
    assert result.exit_code == 1
    # hidden files are the pipeline's own records (the build manifest, tei_tools.manifest)
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == ["small-edition.html"]
    assert str(tmp_path / "small-edition.html") in result.output


def test_malformed_input_is_one_located_line(tmp_path):
    result = run_build("--out", str(tmp_path), str(FIXTURES / "not-well-formed.xml"))
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert FINDING.match(first) and "Traceback" not in result.output


MUTANT_SEEDS = range(40)


def test_any_edit_of_the_article_builds_or_fails_with_located_findings(tmp_path):
    """Seeded random edits of the article (tests/mutations.py): each copy either builds all
    three editions, or is refused with findings that each name the copy, a line and a
    column, and nothing is written for it; never an internal error. Both kinds occur."""
    from mutations import mutated

    master = parse_file(ARTICLE)
    built = refused = 0
    for seed in MUTANT_SEEDS:
        path = tmp_path / f"mutant-{seed}.xml"
        mutated(master, seed).write(str(path), encoding="UTF-8", xml_declaration=True)
        out = tmp_path / f"out-{seed}"
        [result] = transform.build([path], out, ["html", "epub", "txt"]).results
        for message in result.messages:
            first_line = message.splitlines()[0]
            finding = FINDING.match(first_line)
            assert finding, (seed, message)
            assert finding.group("path") == str(path) and int(finding.group("line")) >= 1 and int(finding.group("col")) >= 1, (seed, message)
            assert "internal error" not in message, (seed, message)
        if result.ok:
            built += 1
            assert sorted(p.name for p in result.outputs) == [f"mutant-{seed}.{suffix}" for suffix in ("epub", "html", "txt")]
            assert lxml_html.fromstring((out / f"mutant-{seed}.html").read_bytes()).find(".//main") is not None
            assert zipfile.ZipFile(out / f"mutant-{seed}.epub").testzip() is None
        else:
            refused += 1
            assert not out.exists() or not any(out.iterdir()), seed
    assert built >= 5 and refused >= 5, (built, refused)


def test_unwritable_output_folder_is_one_line_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run_build("--format", "html", "--out", str(blocker / "dist"), str(SMALL))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "cannot write to the output folder" in lines[0], result.output
    assert lines[0].startswith(f"{blocker / 'dist'}:0:0: error:")


def test_unwritable_output_raises_output_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(OutputError):
        transform.build([SMALL], blocker, ["html"])


def test_missing_input_is_a_usage_error(tmp_path):
    result = run_build("--out", str(tmp_path), str(tmp_path / "nope.xml"))
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_a_failing_format_leaves_previous_outputs_intact(tmp_path, monkeypatch):
    transform.build([SMALL], tmp_path, ["html"])
    before = (tmp_path / "small-edition.html").read_bytes()
    formats = dict(transform.FORMATS)
    monkeypatch.setattr(transform, "FORMATS", formats)
    transform.register_format(transform.OutputFormat("txt", "test_transform:render_fails"))
    report = transform.build([SMALL], tmp_path, ["html", "txt"])
    assert not report.ok
    assert report.failures[0].messages == ["small-edition.xml:1:1: error: the text renderer broke"]
    assert (tmp_path / "small-edition.html").read_bytes() == before  # nothing written for it
    assert sorted(p.name for p in tmp_path.iterdir()) == [MANIFEST_NAME, "small-edition.html"]
    with pytest.raises(BuildError):
        report.raise_for_failures()


def render_fails(document):
    from tei_tools.errors import Finding

    raise BuildError("broken", [Finding("small-edition.xml", 1, 1, "error", "the text renderer broke")])


def test_saxon_errors_become_located_findings(tmp_path, monkeypatch):
    broken = tmp_path / "broken.xsl"
    broken.write_text(
        '<xsl:stylesheet version="3.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">\n'
        '  <xsl:template match="/">\n'
        '    <xsl:sequence select="error((), \'the stylesheet gave up\')"/>\n'
        "  </xsl:template>\n"
        "</xsl:stylesheet>\n",
        encoding="utf-8",
    )
    document = transform.load_document(SMALL)
    with pytest.raises(BuildError) as caught:
        document.transform(str(broken))
    finding = caught.value.findings[0]
    assert finding.line == 3 and "the stylesheet gave up" in finding.message
    assert FINDING.match(str(finding))


# ---------------------------------------------------------------- links


def test_unsafe_links_are_refused_by_validation_before_any_output(tmp_path):
    result = run_build("--format", "html", "--out", str(tmp_path), str(UNSAFE))
    assert result.exit_code == 1
    assert "javascript:alert(1)" in result.output
    assert list(tmp_path.iterdir()) == []


def test_unsafe_link_warning_names_its_line_and_column():
    findings = transform.unsafe_link_findings(parse_file(UNSAFE), UNSAFE)
    assert len(findings) == 1
    finding = findings[0]
    line = UNSAFE.read_text(encoding="utf-8").splitlines()[finding.line - 1]
    assert line[finding.column - 1:].startswith('target="javascript:alert(1)"')
    assert finding.severity == "warning" and "dropped" in finding.message


def test_an_unsafe_link_is_located_at_its_own_attribute_when_a_line_has_two(tmp_path):
    """The warning named the first target="…" of the line, a safe link's, not the one it
    reports: two refs on one line, the second unsafe."""
    text = UNSAFE.read_text(encoding="utf-8")
    hostile = '<ref target="javascript:alert(1)">a hostile link</ref>'
    assert text.count(hostile) == 1
    two = tmp_path / "two-links-on-a-line.xml"
    two.write_text(text.replace(hostile, '<ref target="https://example.org/a">a safe link</ref> and ' + hostile), encoding="utf-8")
    [finding] = transform.unsafe_link_findings(parse_file(two), two)
    line = two.read_text(encoding="utf-8").splitlines()[finding.line - 1]
    assert line.count('target="') >= 2
    assert line[finding.column - 1:].startswith('target="javascript:alert(1)"'), (finding.column, line)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_an_unsafe_link_in_a_start_tag_over_two_lines_is_located_in_any_encoding(tmp_path, encoding):
    """The attribute on the tag's second line was looked for in the file read as UTF-8,
    whatever its encoding: in a UTF-16 file it was not found (column 1)."""
    text = UNSAFE.read_text(encoding="utf-8")
    hostile = '<ref target="javascript:alert(1)">'
    assert text.count(hostile) == 1
    text = text.replace(hostile, '<ref\n     target="javascript:alert(1)">')
    if encoding != "utf-8":
        text = text.replace('encoding="UTF-8"', f'encoding="{encoding.upper()}"', 1)
    written = tmp_path / f"two-line-tag-{encoding}.xml"
    written.write_text(text, encoding=encoding)
    [finding] = transform.unsafe_link_findings(parse_file(written), written)
    line = text.splitlines()[finding.line - 1]
    assert line[finding.column - 1:].startswith('target="javascript:alert(1)"'), (finding.line, finding.column, line)


@pytest.mark.parametrize("value, safe", [
    ("https://example.org/a", True), ("http://x.y", True), ("mailto:a@b.c", True), ("#fn1", True),
    ("javascript:alert(1)", False), ("JavaScript:alert(1)", False), ("java\tscript:x", False),
    ("data:text/html,<b>", False), ("vbscript:x", False), ("file:///etc/passwd", False), ("relative.html", False),
    ("https://example.org/a\u007fb", False), ("https://example.org/a\u0085b", False), (" https://example.org/a ", True),
])
def test_only_http_mailto_and_fragments_are_safe(value, safe):
    assert transform.is_safe_link(value) is safe


def test_a_link_the_stylesheet_drops_is_one_the_warning_names(tmp_path):
    """A control character (DEL) in an http link: html.xsl drops the link, and the check
    that warns of dropped links names it (the two judge links alike)."""
    from tei_tools import saxon

    text = UNSAFE.read_text(encoding="utf-8").replace('target="javascript:alert(1)"', 'target="https://example.org/a&#x7f;b"')
    damaged = tmp_path / "del-in-link.xml"
    damaged.write_text(text, encoding="utf-8")
    findings = transform.unsafe_link_findings(parse_file(damaged), damaged)
    assert len(findings) == 1 and "dropped" in findings[0].message
    html = lxml_html.fromstring(saxon.transform("html.xsl", damaged, {"build-date": "2024-01-01T00:00:00Z"}).output.encode())
    assert not html.xpath("//a[contains(@href, 'example.org/a')]")
    assert html.xpath("//span[@class='link-dropped']")


def test_the_stylesheet_drops_unsafe_targets_too():
    """Defence in depth: even unvalidated input gets no javascript: link from html.xsl."""
    from tei_tools import saxon

    html = saxon.transform("html.xsl", UNSAFE, {"build-date": "2024-01-01T00:00:00Z"}).output
    assert "javascript:" not in html.replace("A test article with a javascript: link", "")
    assert '<span class="link-dropped">a hostile link</span>' in html


# ---------------------------------------------------------------- valid documents the fuzzer broke


def test_a_name_in_the_header_s_prose_links_but_is_no_occurrence(tmp_path):
    """It crashed the build: the occurrence numbers count the names in the text only."""
    text = SMALL.read_text(encoding="utf-8").replace(
        "</licence>", '</licence>\n          <p>Made with the help of <persName ref="#pers-zetkin">Clara Zetkin</persName>’s heirs.</p>', 1)
    html = (build_variant(tmp_path, text) / "small-edition.html").read_text(encoding="utf-8")
    assert_ids_unique_and_links_resolve(html)
    assert re.search(r'<a class="ent person" href="#pers-zetkin"[^>]*>Clara Zetkin</a>', html)


def test_names_and_corrections_in_a_source_reading_leave_no_dangling_link(tmp_path):
    """The source's reading is printed as plain text: a name or a correction there is no
    occurrence and no row of the table, or their links would lead nowhere."""
    import zipfile

    text = SMALL.read_text(encoding="utf-8").replace(
        "<sic>1823</sic>", '<sic><persName ref="#pers-zetkin">Z.</persName> <choice><sic>18</sic><corr resp="#editors" cert="high">19</corr></choice>23</sic>', 1)
    out = build_variant(tmp_path, text)
    html = (out / "small-edition.html").read_text(encoding="utf-8")
    assert_ids_unique_and_links_resolve(html)
    with zipfile.ZipFile(out / "small-edition.epub") as epub:
        documents = {n: epub.read(n).decode("utf-8") for n in epub.namelist() if n.endswith(".xhtml")}
    ids = {i for d in documents.values() for i in re.findall(r' id="([^"]+)"', d)}
    for name, document in documents.items():
        for target in re.findall(r'href="[^"#:]*#([^"]+)"', document):
            assert target in ids, f"{name} links to #{target}, which no document has"


def test_made_up_ids_give_way_to_an_editor_s_and_to_each_other(tmp_path):
    """An editor's xml:id shaped like an occurrence id, and a correction and a note whose
    made-up ids ("src-…", "ref-…") could meet."""
    text = SMALL.read_text(encoding="utf-8").replace('xml:id="en-year"', 'xml:id="occ-place-moscow-1"', 1)
    text = text.replace('target="#choice-year"', 'target="#ref-en-zz"').replace('xml:id="choice-year"', 'xml:id="ref-en-zz"', 1)
    text = text.replace('xml:id="en-gap"', 'xml:id="en-zz-source"', 1)
    html = (build_variant(tmp_path, text) / "small-edition.html").read_text(encoding="utf-8")
    assert_ids_unique_and_links_resolve(html)


def test_the_register_names_the_innermost_note_of_an_occurrence(tmp_path):
    """A name in an editors' note inside footnote 2 (page 13) is in that note ("13nb", note
    b), not in note 2; a name in footnote 2 outside it is "13n2"."""
    text = SMALL.read_text(encoding="utf-8").replace(
        "see <ref target", 'see <note type="editorial" resp="#editors" xml:id="en-inner">As <placeName ref="#place-vyatka">Vyatka</placeName> shows.</note><ref target', 1)
    text = text.replace("Wikidata</ref>.", 'Wikidata</ref>, and <placeName ref="#place-vyatka">Vyatka</placeName>.', 1)
    out = build_variant(tmp_path, text)
    doc = lxml_html.fromstring((out / "small-edition.html").read_bytes())
    inner = doc.xpath("normalize-space(//aside[@id='en-inner']//span[@class='note-label'])")
    assert inner not in ("", "2")
    links = doc.xpath("//li[@id='place-vyatka']//span[@class='occurrences']/a[@title]")
    assert [(a.text, a.get("title"), a.get("aria-label")) for a in links] == [
        (f"13n{inner}", f"In note {inner}", f"13n{inner}: page 13, note {inner}"),
        ("13n2", "In note 2", "13n2: page 13, note 2")]
    txt = CliRunner().invoke(main, ["build", "--format", "txt", "--out", str(out), str(tmp_path / SMALL.name)])
    assert txt.exit_code == 0, txt.output
    assert f"Vyatka (now Kirov): 12, 13n{inner}, 13n2." in " ".join((out / "small-edition.txt").read_text(encoding="utf-8").split())


def test_a_russian_surname_keeps_its_language_in_the_index(tmp_path):
    text = SMALL.read_text(encoding="utf-8").replace(
        "<surname>Zetkin</surname>", '<surname><foreign xml:lang="ru">Цеткин</foreign></surname>', 1)
    doc = lxml_html.fromstring((build_variant(tmp_path, text) / "small-edition.html").read_bytes())
    name = doc.xpath("//li[@id='pers-zetkin']/span[@class='entry-name']")[0]
    assert " ".join(name.text_content().split()) == "Цеткин, Clara"
    assert name.xpath(".//*[@lang='ru']/text()") == ["Цеткин"]


def test_an_output_folder_that_is_a_file_or_a_loop_is_called_so(tmp_path):
    from tei_tools.errors import OutputError

    afile = tmp_path / "out"
    afile.write_text("", encoding="utf-8")
    with pytest.raises(OutputError, match="it is a file, not a folder"):
        transform.check_output_dir(afile)
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    with pytest.raises(OutputError, match="a symbolic link that leads nowhere"):
        transform.check_output_dir(loop)


def test_letter_labels_are_a_bijective_numbering_without_i_l_and_o(tmp_path):
    """ed:letter-label (common.xsl) names the n-th editors' note or mention: a … z without
    i, l, o, then aa, ab …, as a spreadsheet names its columns; every number has its own
    label. Checked past the first two-letter and three-letter labels (the article's notes
    reach "v" only)."""
    from tei_tools import saxon

    letters = "abcdefghjkmnpqrstuvwxyz"

    def label(n: int) -> str:
        return (label((n - 1) // len(letters)) if n > len(letters) else "") + letters[(n - 1) % len(letters)]

    probe = tmp_path / "letter-labels.xsl"
    probe.write_text(f"""<xsl:stylesheet version="3.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
        xmlns:ed="urn:tei-tools:edition" exclude-result-prefixes="#all">
      <xsl:import href="{(REPO_ROOT / 'xslt' / 'common.xsl').as_uri()}"/>
      <xsl:output method="text"/>
      <xsl:template match="/"><xsl:value-of select="(1 to 1200) ! ed:letter-label(.)" separator=" "/></xsl:template>
    </xsl:stylesheet>""", encoding="utf-8")
    shown = saxon.transform(probe, FIXTURES / "valid-minimal.xml").output.split()
    expected = [label(n) for n in range(1, 1201)]
    assert shown == expected
    assert (shown[22], shown[23], shown[23 * 24 - 1], shown[23 * 24]) == ("z", "aa", "zz", "aaa")
    assert len(set(shown)) == 1200 and not any(set(s) & set("ilo") for s in shown)


def test_a_link_with_characters_a_url_cannot_hold_is_written_escaped(tmp_path):
    """`"`, `<`, `>` in a target passed validation and made the HTML (Nu checker) and the
    EPUB (EPUBCheck RSC-020) invalid; an upper-case scheme ("HTTPS://"), which RFC 3986
    allows, was refused."""
    text = SMALL.read_text(encoding="utf-8").replace(
        '<ref target="https://www.wikidata.org/wiki/Q76666"', '<ref target="HTTPS://example.org/a&quot;b&lt;c&gt;d{e}"', 1)
    out = build_variant(tmp_path, text)
    page = lxml_html.fromstring((out / "small-edition.html").read_bytes())
    assert "HTTPS://example.org/a%22b%3Cc%3Ed%7Be%7D" in page.xpath("//a/@href")
    with zipfile.ZipFile(out / "small-edition.epub") as epub:
        hrefs = [h for name in epub.namelist() if name.endswith(".xhtml")
                 for h in etree.fromstring(epub.read(name)).xpath("//*[local-name()='a']/@href")]
    assert "HTTPS://example.org/a%22b%3Cc%3Ed%7Be%7D" in hrefs
    assert "<HTTPS://example.org/a%22b%3Cc%3Ed%7Be%7D>" in (out / "small-edition.txt").read_text(encoding="utf-8")
