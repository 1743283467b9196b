"""The HTML reading edition: structure by XPath on the output, vnu, and headless Chromium.

Each test builds through the pipeline (tei_tools.transform) into pytest's tmp folders.
"""
from __future__ import annotations

import contextlib
import json
import re
import subprocess
from pathlib import Path

import pytest
from lxml import etree, html as lxml_html

from conftest import (EDITION_DIR, EDITORS_NOTE_LETTERS, FIXTURES, SPLIT_LOCATOR_GROUPS, aside_text, axe_core_path, axe_violations,
                      correction_context, require_tool, see_references, vnu_jar_path, which)
from tei_tools import transform
from readings import reading_text, words

TEI = {"tei": "http://www.tei-c.org/ns/1.0"}
SMALL = FIXTURES / "html" / "small-edition.xml"
PUNCTUATION = FIXTURES / "html" / "punctuation-corrections.xml"
# Markup the article lacks: a page break in a linked name, @ref on author, pubPlace and
# title, what the source lost in a correction and an editors' note, quote in the editors'
# prose, highlighting with several renditions, xml:lang on many kinds of element.
INLINE = FIXTURES / "html" / "inline-markup.xml"
ARTICLE = EDITION_DIR / "mopr-1922-1924.xml"
DOCUMENTS = [SMALL, ARTICLE]
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[Path, Path]:
    """Each document built once into a module-wide folder: {TEI path: HTML path}."""
    out = tmp_path_factory.mktemp("html")
    report = transform.build(DOCUMENTS, out, ["html"])
    assert report.ok, [m for r in report.failures for m in r.messages]
    return {Path(r.path): r.outputs[0] for r in report.results}


@pytest.fixture(params=DOCUMENTS, ids=lambda p: p.stem)
def pair(request, built):
    """(TEI tree, HTML tree, HTML path) for one document."""
    tei = etree.parse(str(request.param))
    page = built[request.param]
    return tei, lxml_html.parse(str(page)).getroot(), page


@pytest.fixture(scope="module")
def inline(tmp_path_factory):
    """(TEI tree, HTML tree, HTML path) for the fixture with the markup the article lacks."""
    report = transform.build([INLINE], tmp_path_factory.mktemp("inline"), ["html"])
    assert report.ok, [m for r in report.failures for m in r.messages]
    page = report.results[0].outputs[0]
    return etree.parse(str(INLINE)), lxml_html.parse(str(page)).getroot(), page


@pytest.fixture(params=[SMALL, ARTICLE, INLINE], ids=lambda p: p.stem)
def any_page(request, built, inline):
    """The HTML tree of each document, the fixture with the markup the article lacks too."""
    return inline[1] if request.param == INLINE else lxml_html.parse(str(built[request.param])).getroot()


@pytest.fixture(params=["article", "inline"])
def with_languages(request, built, inline):
    """(TEI tree, HTML tree) of the article and of the fixture with many languages."""
    if request.param == "inline":
        return inline[:2]
    return etree.parse(str(ARTICLE)), lxml_html.parse(str(built[ARTICLE])).getroot()


def ids(doc) -> set[str]:
    return set(doc.xpath("//@id"))


# ---------------------------------------------------------------- notes and pages


def test_every_note_marker_has_its_note_and_back(pair):
    tei, doc, _ = pair
    refs = doc.xpath("//a[@role='doc-noteref']")
    notes = doc.xpath("//aside[@role='doc-footnote']")
    author = tei.xpath("//tei:text//tei:note[not(@type='editorial')][not(@prev)]", namespaces=TEI)
    editorial = tei.xpath("//tei:text//tei:note[@type='editorial']", namespaces=TEI)
    assert len(refs) == len(notes) == len(author) + len(editorial)
    by_id = {n.get("id"): n for n in notes}
    for ref in refs:
        note = by_id[ref.get("href")[1:]]
        backlinks = note.xpath(".//a[@role='doc-backlink']/@href")
        assert backlinks == ["#" + ref.get("id")]
        # the marker is a superscript in the markup, an editors' letter in brackets (a reader
        # view without the page's style keeps both: "forward[a] by", not "forwarda by")
        label = note.xpath("normalize-space(.//span[@class='note-label'])")
        editorial = "ed" in ref.getparent().get("class").split()
        assert [(child.tag, child.text) for child in ref] == [("sup", f"[{label}]" if editorial else label)]
        assert ref.text_content() == (f"[{label}]" if editorial else label)


def test_author_notes_are_numbered_and_editors_notes_lettered_apart(pair):
    tei, doc, _ = pair
    numbers = [n.strip() for n in doc.xpath("//section[@id='notes']//span[@class='note-label']/text()")]
    assert numbers == [str(i) for i in range(1, len(numbers) + 1)]
    letters = [n.strip() for n in doc.xpath("//section[@id='editorial-notes']//span[@class='note-label']/text()")]
    assert letters == list(EDITORS_NOTE_LETTERS[: len(letters)])
    assert doc.xpath("//section[@id='notes']//aside[contains(@class, 'ed')]") == []


def test_split_note_is_joined_with_its_page_marked(pair):
    tei, doc, _ = pair
    for first in tei.xpath("//tei:text//tei:note[@next]", namespaces=TEI):
        cont = tei.xpath(f"//tei:note[@xml:id='{first.get('next')[1:]}']", namespaces=TEI)[0]
        note = doc.xpath(f"//aside[@id='{first.get('{http://www.w3.org/XML/1998/namespace}id')}']")[0]
        text = " ".join(note.text_content().split())
        cont_words = words(reading_text(cont))
        assert " ".join(cont_words[:4]) in " ".join(words(text))
        assert note.xpath(".//span[@class='pb-in-note']")


def test_a_note_gives_its_page_or_the_pages_it_runs_over(pair):
    """"(p. 215)" after a note; "(pp. 212–213)" after footnote 1, whose continuation
    stands on page 213, as the text edition's notes give it."""
    tei, doc, page = pair
    notes = tei.xpath("//tei:text//tei:note[not(@prev)]", namespaces=TEI)
    expected = {}
    for note in notes:
        last = note
        while last.get("next"):
            last = tei.xpath(f"//tei:note[@xml:id='{last.get('next')[1:]}']", namespaces=TEI)[0]
        first = note.xpath("string(preceding::tei:pb[1]/@n)", namespaces=TEI)
        end = last.xpath("string((preceding::tei:pb | .//tei:pb)[last()]/@n)", namespaces=TEI)
        # "p." and its number never part at a line's end: a no-break space
        expected[note.get(XML_ID)] = f"(p.\u00a0{first})" if end == first else f"(pp.\u00a0{first}–{end})"
    shown = {aside.get("id"): aside.xpath("string(.//span[@class='note-where'])") for aside in doc.xpath("//aside[@role='doc-footnote']")}
    assert shown == expected
    assert sum("pp." in where for where in shown.values()) == 1  # footnote 1 of each
    if page.stem == ARTICLE.stem:
        assert shown["fn1"] == "(pp.\u00a0212–213)"


def test_every_page_has_a_linkable_anchor(pair):
    tei, doc, _ = pair
    pages = tei.xpath("//tei:text//tei:pb/@n", namespaces=TEI)
    anchors = doc.xpath("//span[@class='pb']/@id")
    assert anchors == ["p" + n for n in pages]
    for n in pages:
        assert doc.xpath(f"//span[@id='p{n}']/a[@href='#p{n}']")
        assert doc.xpath(f"//p[@class='cite-pages']/a[@href='#p{n}']")


def test_the_article_has_pages_212_to_215_and_twelve_notes(built):
    doc = lxml_html.parse(str(built[ARTICLE])).getroot()
    assert doc.xpath("//span[@class='pb']/@id") == ["p212", "p213", "p214", "p215"]
    assert doc.xpath("//section[@id='notes']//aside/@id") == [f"fn{i}" for i in range(1, 13)]


# ---------------------------------------------------------------- links, registers, corrections


def test_every_fragment_link_resolves(pair):
    _, doc, _ = pair
    known = ids(doc)
    targets = [h[1:] for h in doc.xpath("//a/@href") if h.startswith("#")]
    assert targets
    assert sorted(set(t for t in targets if t not in known)) == []
    assert len(doc.xpath("//@id")) == len(known), "ids are unique"


def test_every_name_links_to_its_register_entry_and_every_occurrence_is_listed(pair):
    every_occurrence_has_its_id_and_link(*pair[:2])


def test_what_names_an_entry_without_being_a_name_is_an_occurrence_too(inline):
    """The schema allows @ref on author, pubPlace, title …, and the register counts them:
    each has its occurrence's id and links to its entry, as a name does, keeping its own
    element (a title its <cite>) inside the link."""
    tei, doc, _ = inline
    every_occurrence_has_its_id_and_link(tei, doc)
    rendered = {"author": "span[@class='author']", "pubPlace": "span[@class='pubPlace']", "title": "cite[@class='title j']"}
    for element, inner in rendered.items():
        [source] = tei.xpath(f"//tei:text//tei:{element}[@ref]", namespaces=TEI)
        entry = source.get("ref")[1:]
        [link] = doc.xpath(f"//aside[@id='fn1']//a[@href='#{entry}'][{inner}]")
        assert link.get("id", "").startswith(f"occ-{entry}-")
        assert " ".join(link.text_content().split()) == " ".join("".join(source.itertext()).split())


def every_occurrence_has_its_id_and_link(tei, doc) -> None:
    # a name in the source's reading of a correction (sic, orig) is no occurrence: the corrected reading carries it
    names = tei.xpath("//tei:text//*[@ref][not(ancestor::tei:sic or ancestor::tei:orig)]", namespaces=TEI)
    occurrences = doc.xpath("//*[starts-with(@id, 'occ-')]")
    assert len(occurrences) == len(names)
    # a locator's own link, or one of its letters (sup) when the page names the entry more than once
    listed = doc.xpath("//section[@id='registers']//span[@class='occurrences']//a/@href")
    assert sorted(listed) == sorted("#" + o.get("id") for o in occurrences)
    for occurrence in occurrences:
        entry = re.match(r"occ-(.+)-\d+$", occurrence.get("id")).group(1)
        assert doc.xpath(f"//li[@id='{entry}']//a[@href='#{occurrence.get('id')}']")
        if occurrence.tag == "a":
            assert occurrence.get("href") == "#" + entry


def test_register_pages_are_the_print_pages(pair):
    tei, doc, _ = pair
    pages = set(tei.xpath("//tei:text//tei:pb/@n", namespaces=TEI))
    labels = [label for span in doc.xpath("//span[@class='occurrences'][*]") for label, _ in register_locators(span)]
    assert labels
    for label in labels:
        assert LOCATOR.fullmatch(label).group("page") in pages, label


# "213" or, Chicago style, "215n8": page 215, note 8 (a note's label as the edition shows it)
LOCATOR = re.compile(r"(?P<page>\d+)(?:n(?P<note>\w+))?")


def register_locators(span) -> list[tuple[str, list]]:
    """An entry's locators as the HTML shows them, [(label, links)]: a locator named once
    is its link; one named more often is plain text followed by a sup of letter links."""
    found: list[tuple[str, list]] = []

    def labels(text: str | None) -> None:
        for part in (text or "").split(","):
            part = re.sub(r"^pp?\.", "", part.replace("\xa0", " ").strip()).strip()
            if part:
                found.append((part, []))

    labels(span.text)
    for child in span:
        if child.tag == "a":
            found.append((child.text_content(), [child]))
        else:
            assert child.tag == "sup" and child.get("class") == "mentions" and found and not found[-1][1]
            found[-1][1].extend(child.xpath("a"))
        labels(child.tail)
    return found


def mention_letters(n: int) -> list[str]:
    """a … z without i, l and o, then aa, ab …: the letters of a locator's n occurrences,
    as the editors' notes are lettered (a raised "l" after "213" reads as "2131")."""
    def label(k: int) -> str:
        base = EDITORS_NOTE_LETTERS
        return (label((k - 1) // len(base)) if k > len(base) else "") + base[(k - 1) % len(base)]
    return [label(k) for k in range(1, n + 1)]


def tei_page(name) -> str:
    """The printed page a name stands on: that of the last page break before it or within
    it (a name across pages is on the later one), or the first page."""
    page = name.xpath("(preceding::tei:pb[@n] | descendant::tei:pb[@n])[last()]/@n", namespaces=TEI)
    return (page or name.xpath("(//tei:text//tei:pb[@n])[1]/@n", namespaces=TEI))[0]


def expected_locators(tei, doc, entry_id: str) -> list[tuple[str, str, str | None, list[str]]]:
    """[(label, page, note, occurrence ids)] worked out from the TEI and the page's notes:
    page by page in the order of the text; on a page the text's locator first, then the
    notes' in the order of their first occurrence; a note is the innermost note around the
    occurrence as the page shows it (a continuation's is the note it continues)."""
    names = tei.xpath(f"//tei:text//*[@ref='#{entry_id}'][not(ancestor::tei:sic or ancestor::tei:orig)]", namespaces=TEI)
    keys: dict[tuple[str, str | None], list[str]] = {}
    for number, name in enumerate(names, 1):
        occurrence = f"occ-{entry_id}-{number}"
        [shown] = doc.xpath(f"//*[@id='{occurrence}']")
        note = shown.xpath("normalize-space(ancestor::aside[contains(concat(' ', @class, ' '), ' note ')][1]//span[@class='note-label'][1])") or None
        keys.setdefault((tei_page(name), note), []).append(occurrence)
    pages = list(dict.fromkeys(page for page, _ in keys))
    ordered = sorted(keys, key=lambda key: (pages.index(key[0]), key[1] is not None))  # stable: notes by first occurrence
    return [(page + (f"n{note}" if note else ""), page, note, keys[(page, note)]) for page, note in ordered]


def test_a_focusable_correction_is_described_by_the_source_s_reading(any_page):
    """A screen reader on a focused correction hears its words, "correction", and "The
    source reads: …"; on a link
    around corrections (a corrected name, a link out of the edition, which takes the focus
    instead), the same for each of them. That is the page as it loads, and without the
    script (which describes by the corrected reading in the source view): both readings
    have ids."""
    doc = any_page
    choices = doc.xpath("//main//span[starts-with(@class, 'choice ')]")
    focusable = [c for c in choices if c.get("tabindex") == "0"]
    assert focusable
    for choice in choices:
        [corr] = choice.xpath("span[@class='corr'][@id]")
        [sic] = choice.xpath("span[@class='sic'][@id]")
        assert sic.text_content().startswith("The source reads: ")
        # A regularisation corrects no error: it is said to be one.
        kind = choice.get("class").split()[1]
        assert corr.text_content().startswith({"correction": "Corrected", "regularisation": "Regularised"}[kind] + " by the editors: ")
        if choice in focusable:
            assert choice.get("aria-describedby") == sic.get("id") and not choice.xpath("ancestor::a")
            # Named by the reading shown: a focusable span without a role has no name.
            assert (choice.get("role"), choice.get("aria-roledescription"), choice.get("aria-labelledby")) == (
                "group", kind, corr.get("id"))
        else:
            [link] = choice.xpath("ancestor::a[@href]")
            assert sic.get("id") in link.get("aria-describedby", "").split()
    for link in doc.xpath("//main//a[@aria-describedby]"):
        assert link.get("aria-describedby").split() == [
            c.xpath("string(span[@class='sic']/@id)") for c in link.xpath(".//span[starts-with(@class, 'choice ')]")]


def test_a_correction_s_pop_up_says_why_and_how_sure(pair):
    """The reason (the kinds of error, as the list of corrections gives them) and the
    certainty were in the list of corrections only: a reader on a corrected word could not
    learn them there. Both pop-ups carry them, the source's reading and the corrected one."""
    tei, doc, _ = pair
    checked = 0
    for choice in tei.xpath("//tei:text//tei:choice[@xml:id][tei:corr[@ana]]", namespaces=TEI):
        [corr] = choice.xpath("tei:corr", namespaces=TEI)
        spans = doc.xpath(f"//main//span[@id='{choice.get('{http://www.w3.org/XML/1998/namespace}id')}']")
        if not spans:
            continue  # a correction in a note: its pop-up is the note's
        kinds = [" ".join(tei.xpath(f"string(//tei:category[@xml:id='{token[1:]}']/tei:catDesc)", namespaces=TEI).split())
                 for token in corr.get("ana").split()]
        for reading in spans[0].xpath("span[@class='corr' or @class='sic']"):
            [why] = reading.xpath("span[@class='tip-label'][br]")
            said = " ".join(why.text_content().split())
            assert all(kind in said for kind in kinds), said
            assert said.endswith(f"Certainty: {corr.get('cert')}.") if corr.get("cert") else "Certainty" not in said
        checked += 1
    assert checked or not tei.xpath("//tei:text//tei:choice/tei:corr[@ana]", namespaces=TEI)


def test_a_date_range_is_a_time_only_for_what_its_ends_share(built):
    """datetime names one moment: "summer of 1921" is 1921, not its first day (1921-06-01)."""
    doc = lxml_html.parse(str(built[ARTICLE])).getroot()
    dates = {" ".join(e.text_content().split()): (e.tag, e.get("datetime")) for e in doc.xpath("//article//*[@class='date']")}
    assert dates["summer of 1921"] == ("time", "1921")
    assert dates["December 23-27, 1922"] == ("time", "1922-12")
    assert dates["1920-1921"] == ("span", None)
    assert dates["January 22, 1923"] == ("time", "1923-01-22")


def test_a_sum_s_normalised_value_is_data_not_a_hover_text(built):
    """A hover text "48265 USD money" or "pood grain" said nothing a reader does not read:
    a measure's quantity, unit and commodity are data attributes, each from the TEI."""
    tei = etree.parse(str(ARTICLE))
    doc = lxml_html.parse(str(built[ARTICLE])).getroot()
    measures = tei.xpath("//tei:text//tei:measure", namespaces=TEI)
    shown = doc.xpath("//article//span[@class='measure']")
    assert len(shown) == len(measures) >= 6
    for measure, span in zip(measures, shown):
        assert span.get("title") is None
        assert {k: v for k, v in span.attrib.items() if k.startswith("data-")} == {
            "data-" + name: measure.get(name) for name in ("quantity", "unit", "commodity") if measure.get(name)}
        assert " ".join(span.text_content().split()) == " ".join("".join(measure.itertext()).split()) or measure.find(".//tei:choice", TEI) is not None


def test_the_map_is_a_described_group_of_links(built):
    """Its markers are links: an image's children would be hidden from assistive technology."""
    doc = lxml_html.parse(str(built[ARTICLE])).getroot()
    [svg] = doc.xpath("//figure[@class='map']/*[local-name()='svg']")
    assert svg.get("role") == "group"
    assert svg.get("aria-labelledby") == "map-title" and svg.get("aria-describedby") == "map-desc"
    assert doc.xpath("string(//*[@id='map-desc'])")


def test_places_with_coordinates_link_to_a_map_and_are_on_the_svg_map(pair):
    tei, doc, _ = pair
    places = tei.xpath("//tei:place[tei:location/tei:geo]", namespaces=TEI)
    for place in places:
        pid = place.get("{http://www.w3.org/XML/1998/namespace}id")
        lat, lon = place.findtext(".//{*}geo").split()
        link = doc.xpath(f"//li[@id='{pid}']//a[@class='maplink']/@href")
        assert link == [f"https://www.openstreetmap.org/?mlat={float(lat):g}&mlon={float(lon):g}#map=8/{float(lat):g}/{float(lon):g}"]
        # the coordinates end their sentence: "40.79° N, 43.85° E. In the source: …"
        assert doc.xpath(f"//li[@id='{pid}']//a[@class='maplink']")[0].tail.startswith(".")
    markers = doc.xpath("//figure[@class='map']//*[local-name()='a']/@href")
    assert sorted(markers) == sorted("#" + p.get("{http://www.w3.org/XML/1998/namespace}id") for p in places)
    assert doc.xpath("//figure[@class='map']//*[local-name()='path'][@class='land']/@d")[0].startswith("M")


def test_the_map_s_links_are_in_the_register_s_order(pair):
    """Tab goes through the map's places in the order of the list below it (alphabetical),
    not in the order in which their labels were placed (by latitude)."""
    _, doc, _ = pair
    markers = doc.xpath("//figure[@class='map']//*[local-name()='a']/@href")
    on_map = set(markers)
    listed = ["#" + i for i in doc.xpath("//section[@id='register-place']//li[@class='entry']/@id") if "#" + i in on_map]
    assert markers == listed


def row_reading(row, column: int) -> str:
    """A corrections table cell's reading, without the words quoted beside it."""
    return "".join(row.xpath(f"td[{column}]//text()[not(ancestor::span[@class='context'])]"))


def row_context(row) -> list[list[str]]:
    """The words quoted beside the reading in the source's and the corrected column."""
    return [row.xpath(f"td[{column}]/span[@class='context']/text()") for column in (2, 3)]


def expected_context(choice) -> list[list[str]]:
    context = correction_context(choice)
    quoted = [words for words in context or () if words]
    return [quoted, quoted]


def test_corrections_table_lists_every_choice(pair):
    tei, doc, _ = pair
    choices = tei.xpath("//tei:text//tei:choice[tei:corr or tei:reg]", namespaces=TEI)
    rows = doc.xpath("//section[@id='corrections']//tbody/tr")
    assert len(rows) == len(choices)
    for choice, row in zip(choices, rows):
        reading = choice.find("{*}sic") if choice.find("{*}sic") is not None else choice.find("{*}orig")
        # what the source lost shows as "[…]"
        source = "".join(t if not isinstance(t, etree._Element) else "[…]" for t in reading.xpath(".//text() | .//*[local-name()='gap']"))
        assert row_reading(row, 2).split() == source.split()
        assert row_context(row) == expected_context(choice)
    in_text = doc.xpath("//article//span[contains(@class, 'choice')] | //section[contains(@class, 'notes')]//span[contains(@class, 'choice')]")
    assert len(in_text) == len(choices)
    assert all(c.xpath("span[@class='corr']") and c.xpath("span[@class='sic']") for c in in_text)



def test_the_switch_counts_corrections_and_regularisations_apart(pair):
    """The switch's hint counts what it swaps as the header does: corrections (sic/corr)
    and regularisations (orig/reg) apart, "67 changes (48 corrections, 19 regularisations)"."""
    tei, doc, _ = pair
    corrections = len(tei.xpath("//tei:text//tei:choice[tei:sic and tei:corr]", namespaces=TEI))
    regularisations = len(tei.xpath("//tei:text//tei:choice[tei:orig and tei:reg]", namespaces=TEI))
    assert corrections and regularisations  # both documents have both kinds
    plural = lambda n, noun: f"{n} {noun}" + ("s" if n != 1 else "")
    hint = " ".join(doc.xpath("string(//*[@id='show-source-hint'])").split())
    assert hint == (f"Swaps each of the editors’ {plural(corrections + regularisations, 'change')} "
                    f"({plural(corrections, 'correction')}, {plural(regularisations, 'regularisation')}) back to the source’s reading.")


def test_the_front_matter_says_what_the_page_is_once(any_page):
    """"A digital edition" above the title, unless the subtitle begins with it already."""
    front = " ".join(any_page.xpath("string(//header[contains(@class, 'front')])").split())
    assert front.lower().count("a digital edition") == 1


def test_a_correction_of_punctuation_is_shown_with_the_words_beside_it(tmp_path):
    """"-" corrected to "–" says nothing alone: the table quotes the words on either side
    (none before a paragraph's first word), set apart from the readings."""
    report = transform.build([PUNCTUATION], tmp_path, ["html"])
    doc = lxml_html.parse(str(report.results[0].outputs[0])).getroot()
    rows = {row.xpath("string(td[1]/a/@href)"): row for row in doc.xpath("//section[@id='corrections']//tbody/tr")}
    comma, dash, misprint = rows["#choice-comma"], rows["#choice-dash"], rows["#choice-year"]
    assert [row_reading(comma, 2), row_reading(comma, 3)] == [" ,", ","]
    assert row_context(comma) == [["Zetkin", " and"], ["Zetkin", " and"]]
    assert "".join(comma.xpath("td[2]//text()")) == "Zetkin , and"
    assert row_context(dash) == [[" Across"], [" Across"]]
    assert "".join(dash.xpath("td[3]//text()")) == "– Across"
    assert row_context(misprint) == [[], []]

def test_every_word_of_the_reading_text_is_in_the_page_in_order(pair):
    tei, doc, _ = pair
    body = tei.xpath("//tei:text/tei:body", namespaces=TEI)[0]
    expected = words(reading_text(body))
    article = doc.xpath("//article")[0]
    for hidden in article.xpath(".//span[@class='sic'] | .//span[@class='tip-label'] | .//span[contains(@class, 'noteref-wrap')] | .//span[@class='pb']"):
        hidden.drop_tree()
    got = words(article.text_content())
    assert len(expected) >= 20, "the reading text was not found: comparing nothing proves nothing"
    position = 0
    for number, word in enumerate(expected, 1):
        try:
            position = got.index(word, position) + 1
        except ValueError:
            pytest.fail(f"word {number} of the reading text, {word!r}, is missing from the page or out of order")


# ---------------------------------------------------------------- self-contained, safe, accessible


def test_no_external_resource(pair):
    _, doc, page = pair
    assert doc.xpath("//*[@src] | //link[@rel='stylesheet'] | //link[@rel='preload'] | //iframe | //object | //embed | //img") == []
    css = " ".join(doc.xpath("//style/text()"))
    assert "@import" not in css and "url(" not in css and "@font-face" not in css
    for href in doc.xpath("//a/@href | //*[local-name()='a']/@href"):
        assert re.match(r"^(https?://|mailto:|#)", href), href
    assert "javascript:" not in page.read_text(encoding="utf-8").lower().replace("a test article with a javascript: link", "")


def test_accessibility_basics(pair):
    tei, doc, _ = pair
    assert doc.get("lang") == tei.xpath("string(//tei:langUsage/tei:language[1]/@ident)", namespaces=TEI)
    assert len(doc.xpath("//h1")) == 1
    levels = [int(h.tag[1]) for h in doc.xpath("//h1 | //h2 | //h3 | //h4 | //h5 | //h6")]
    assert levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:]))
    assert doc.xpath("//main") and doc.xpath("//header") and doc.xpath("//nav[@aria-label]") and doc.xpath("//footer")
    foreign = tei.xpath("//tei:text//tei:foreign[not(ancestor::tei:note)]/@xml:lang", namespaces=TEI)
    assert sorted(doc.xpath("//article//i[@class='foreign'][not(ancestor::span[@class='note-pop'])]/@lang")) == sorted(foreign)
    assert "outline" in " ".join(doc.xpath("//style/text()"))
    assert doc.xpath("//input[@id='show-source'][@type='checkbox']") and doc.xpath("//label[@for='show-source']")


def test_every_note_pop_up_holds_its_note(pair):
    """A pop-up is the note's text, not only its label: an editors' note on an author's
    note (note a in note 1) once came out empty; quotation marks and both readings of a
    correction are kept, as in the notes list."""
    _, doc, _ = pair
    listed = {a.get("id"): a for a in doc.xpath("//aside[@role='doc-footnote']")}
    for wrap in doc.xpath("//span[starts-with(@class, 'noteref-wrap')]"):
        pop = wrap.find("span[@class='note-pop']")
        note = listed[wrap.find("a").get("href")[1:]]
        label = pop.findtext("span[@class='note-pop-label']")
        assert len(pop.text_content().strip()) > len(label) + 3, f"pop-up of note {label} is empty"
        in_list = note.xpath(".//q[not(ancestor::span[contains(@class, 'noteref-wrap')])]")
        assert len(pop.xpath(".//q")) == len(in_list), f"quotation marks lost in the pop-up of note {label}"
        corrections = note.xpath(".//span[starts-with(@class, 'choice ')][not(ancestor::span[contains(@class, 'noteref-wrap')])]")
        readings = pop.xpath(".//span[@class='reading']")
        assert len(readings) == len(corrections)
        assert all(r.xpath("span[@class='corr'] and span[@class='sic']") for r in readings)


def test_register_page_links_in_notes_have_names_that_say_so(pair):
    """"pp. 212, 213" explains its numbers; "213n4" may not: a screen reader is told
    "213n4: page 213, note 4", a name that begins with the text shown (WCAG 2.5.3: speech
    input users say what they see), and a pointer "In note 4"."""
    _, doc, _ = pair
    links = doc.xpath("//span[@class='occurrences']/a")
    assert links and any(LOCATOR.fullmatch(link.text_content()).group("note") for link in links)
    for link in links:
        text = link.text_content()
        page, note = LOCATOR.fullmatch(text).group("page", "note")
        if note:
            assert link.get("aria-label") == f"{text}: page {page}, note {note}"
            assert link.get("title") == f"In note {note}"
        else:
            assert link.get("aria-label") is None and link.get("title") is None and text.isdigit()


def test_register_locators_are_chicago_once_each_with_letters_for_several_occurrences(pair):
    """Each locator once, "213" or "215n8", page by page (the text's before the notes'); a
    locator named once links its occurrence, one named k times is followed by letters a, b …
    linking each occurrence in the order of the text, named "b: page 213, mention 2 of 6"."""
    tei, doc, path = pair
    repeated = in_notes = 0
    for entry in doc.xpath("//section[@id='registers']//li[@class='entry']"):
        [span] = entry.xpath("span[@class='occurrences']")
        expected = expected_locators(tei, doc, entry.get("id"))
        shown = register_locators(span) if expected else []
        assert [label for label, _ in shown] == [label for label, *_ in expected], entry.get("id")
        for (label, links), (_, page, note, occurrences) in zip(shown, expected):
            assert [a.get("href") for a in links] == ["#" + o for o in occurrences], label
            in_notes += note is not None
            if len(occurrences) == 1:
                assert links[0].getparent() is span and links[0].text_content() == label
                continue
            repeated += 1
            [sup] = {a.getparent() for a in links}
            assert sup.text == "\u00a0"  # the first letter stays with its locator
            where = f"page {page}" + (f", note {note}" if note else "")
            letters = mention_letters(len(occurrences))
            assert [a.text_content() for a in links] == letters
            assert [a.get("aria-label") for a in links] == [
                f"{letter}: {where}, mention {k} of {len(links)}" for k, letter in enumerate(letters, 1)]
        # "pp." for two locators or more, even on one page ("pp. 213, 213n3")
        assert span.text.startswith("pp.\u00a0" if len(expected) > 1 else "p.\u00a0") or not expected
    assert in_notes and (repeated or path.stem != ARTICLE.stem)


MOSCOW = '<placeName ref="#place-moscow">Moscow</placeName>'
# Moscow three times in the text of page 12; once in footnote 1's continuation on page 13,
# before it is named in the text of page 13; twice in footnote 2 (page 13).
REPEATED = (
    (f"was founded in {MOSCOW}", f"was founded in {MOSCOW} ({MOSCOW}, {MOSCOW})"),
    ("paragraph goes on, and", f"paragraph goes on in {MOSCOW}, and"),
    ('see <ref target', f"in {MOSCOW} and {MOSCOW} see <ref target"),
)


def small_variant(tmp_path, *changes: tuple[str, str]):
    """(TEI tree, HTML tree) of the small fixture changed."""
    text = SMALL.read_text(encoding="utf-8")
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    variant = tmp_path / SMALL.name
    variant.write_text(text, encoding="utf-8")
    report = transform.build([variant], tmp_path / "out", ["html"])
    assert report.ok, [m for r in report.failures for m in r.messages]
    return etree.parse(str(variant)), lxml_html.parse(str(report.results[0].outputs[0])).getroot()


def test_a_locator_named_several_times_links_each_occurrence_by_a_letter(tmp_path):
    tei, doc = small_variant(tmp_path, *REPEATED)
    every_occurrence_has_its_id_and_link(tei, doc)
    [span] = doc.xpath("//li[@id='place-moscow']/span[@class='occurrences']")
    assert " ".join(span.text_content().replace("\xa0", " ").split()) == "pp. 12 a b c, 13, 13n1, 13n2 a b"
    shown = {label: links for label, links in register_locators(span)}
    hrefs = {label: [a.get("href") for a in links] for label, links in shown.items()}
    assert hrefs == {"12": ["#occ-place-moscow-1", "#occ-place-moscow-2", "#occ-place-moscow-3"],
                     "13": ["#occ-place-moscow-5"], "13n1": ["#occ-place-moscow-4"],
                     "13n2": ["#occ-place-moscow-6", "#occ-place-moscow-7"]}
    assert [a.get("aria-label") for a in shown["12"]] == [
        "a: page 12, mention 1 of 3", "b: page 12, mention 2 of 3", "c: page 12, mention 3 of 3"]
    assert [a.get("aria-label") for a in shown["13n2"]] == ["a: page 13, note 2, mention 1 of 2", "b: page 13, note 2, mention 2 of 2"]
    assert all(a.xpath("parent::sup[@class='mentions']") and a.get("title") is None for a in shown["12"] + shown["13n2"])
    [in_note] = shown["13n1"]
    assert (in_note.get("title"), in_note.get("aria-label")) == ("In note 1", "13n1: page 13, note 1")
    assert shown["13"][0].get("aria-label") is None
    # the letters lead to the places named, and these back to the entry
    for a in shown["13n2"]:
        [target] = doc.xpath(f"//*[@id='{a.get('href')[1:]}']")
        assert target.get("href") == "#place-moscow" and target.xpath("ancestor::aside[@id='fn2']")


def test_more_than_23_occurrences_on_a_locator_go_on_with_two_letters(tmp_path):
    tei, doc = small_variant(tmp_path, (f"was founded in {MOSCOW}", "was founded in " + ", ".join([MOSCOW] * 28)))
    every_occurrence_has_its_id_and_link(tei, doc)
    [span] = doc.xpath("//li[@id='place-moscow']/span[@class='occurrences']")
    [(label, links), (in_note, _)] = register_locators(span)
    assert (label, in_note) == ("12", "13n1")
    assert [a.text_content() for a in links] == list("abcdefghjkmnpqrstuvwxyz") + ["aa", "ab", "ac", "ad", "ae"]
    assert [a.get("href") for a in links] == [f"#occ-place-moscow-{k}" for k in range(1, 29)]
    assert links[-1].get("aria-label") == "ae: page 12, mention 28 of 28"
    # no-break spaces keep the first letter with the page and the last with the one before
    separators = [a.getprevious().tail if a.getprevious() is not None else a.getparent().text for a in links]
    assert separators[0] == "\u00a0" and separators[-1] == "\u00a0" and set(separators[1:-1]) == {" "}


def test_a_register_entry_s_first_page_stays_with_p(pair):
    """"p. 213" is one unit: a no-break space keeps it on one line (the rest of the list
    may break after its commas)."""
    _, doc, _ = pair
    lists = doc.xpath("//span[@class='occurrences'][*]")
    assert lists
    assert [o.text for o in lists if not re.match(r"pp?\.\u00a0", o.text)] == []


def test_a_year_known_within_bounds_keeps_its_bounds_in_the_register(inline):
    """birth/death with @notBefore/@notAfter (att.datable) are not shown as unknown ("?")."""
    _, page, _ = inline
    facts = {" ".join(li.xpath("string(span[@class='entry-name'])").split()): " ".join(li.text_content().split())
             for li in page.xpath("//li[@class='entry']")}
    assert "Lenin, Vladimir (1869/1871–1924)." in facts["Lenin, Vladimir"]
    assert "Zetkin, Clara (? – not after 1940). German communist." in facts["Zetkin, Clara"]


def test_a_register_entry_shows_every_note_with_its_language(inline):
    _, page, _ = inline
    entry = page.xpath("//li[@class='entry'][span[@class='entry-name'] = 'Zetkin, Clara']")[0]
    notes = entry.xpath("span[@class='entry-note']")
    assert [" ".join(n.text_content().split()) for n in notes] == ["German communist", "Internationale Rote Hilfe."]
    assert notes[1].get("lang") == "de"
    assert "German communist. Internationale Rote Hilfe. " in " ".join(entry.text_content().split())


def test_a_register_s_own_heading_is_its_title(tmp_path):
    variant = tmp_path / SMALL.name
    variant.write_text(SMALL.read_text(encoding="utf-8").replace("<listPerson>", "<listPerson><head>People of the report</head>", 1), encoding="utf-8")
    report = transform.build([variant], tmp_path / "out", ["html"])
    assert report.ok, [m for r in report.failures for m in r.messages]
    page = lxml_html.parse(str(report.results[0].outputs[0])).getroot()
    assert page.xpath("string(//section[@id='register-person']/h3)") == "People of the report"
    assert "People of the report" in page.xpath("//nav//a[@href='#register-person']/text()")
    assert page.xpath("string(//section[@id='register-place']/h3)") == "Places"


def test_a_correction_in_an_author_s_note_names_the_note_in_the_table(built):
    """"p. 213, n. 4", as the text edition cites it: the page alone does not say where."""
    tei = etree.parse(str(ARTICLE))
    in_notes = tei.xpath("count(//tei:text//tei:note[not(@type='editorial' or @resp)]//tei:choice)", namespaces=TEI)
    page = lxml_html.parse(str(built[ARTICLE])).getroot()
    cells = [c.text_content() for c in page.xpath("//section[@id='corrections']//tbody/tr/td[1]")]
    assert in_notes and sum(", n.\xa0" in c for c in cells) == in_notes
    assert "p.\xa0212, n.\xa01" in cells


def test_the_contents_list_the_divisions_with_headings_and_lead_to_them(inline):
    """Nested under "Text" as in the TEI; a heading's correction reads corrected there."""
    _, page, _ = inline
    [text_entry] = page.xpath("//nav[@class='toc']/ul/li[a[@href='#text']]")
    links = text_entry.xpath(".//ul//a")
    assert [(a.text, len(a.xpath("ancestor::ul")) - 1) for a in links] == [
        ("The first section", 1), ("A part of it", 2), ("A part of the section without a heading", 1)]
    for a in links:
        [section] = page.xpath(f"//section[@id='{a.get('href')[1:]}']")
        heading = "".join(section[0].xpath(".//text()[not(ancestor::span[@class='sic' or @class='tip-label'])]"))
        assert section.xpath("name(*[1])") in ("h3", "h4") and a.text == " ".join(heading.split())


def test_an_entry_s_pages_run_in_order_the_text_before_the_notes_on_each(pair):
    """As in a printed index: "215, 215n8", never "215n8, 215" where a note's anchor comes
    first; and each locator once."""
    _, page, _ = pair
    seen_in_notes = False
    for entry in page.xpath("//li[@class='entry']"):
        labels = [label for label, _ in register_locators(entry.xpath("span[@class='occurrences']")[0])]
        assert len(labels) == len(set(labels)), labels
        keys = [(int(m.group("page")), m.group("note") is not None) for m in map(LOCATOR.fullmatch, labels)]
        assert keys == sorted(keys), (entry.xpath("string(span[@class='entry-name'])"), labels)
        seen_in_notes = seen_in_notes or any(in_note for _, in_note in keys)
    assert seen_in_notes


SEE_LINE = re.compile(r"^(.+), see (.+)\.$")


@pytest.fixture(scope="module")
def article_index(tmp_path_factory) -> dict[str, list[str]]:
    """The text edition's index of the article: {kind: its lines, each whole}."""
    report = transform.build([ARTICLE], tmp_path_factory.mktemp("txt"), ["txt"])
    report.raise_for_failures()
    text = report.results[0].outputs[0].read_text(encoding="utf-8")
    index = {}
    for kind, name in (("person", "persons"), ("place", "places"), ("org", "organisations")):
        body = text.split(f"\nIndex of {name}\n", 1)[1].split("\n\n", 2)[1]  # after the underline
        index[kind] = body.replace("\n    ", " ").split("\n")
    return index


@pytest.mark.parametrize("kind", ["person", "place", "org"])
def test_the_registers_send_the_text_s_other_names_to_their_entries_as_the_index_does(built, article_index, kind):
    """"Leningrad, see Petrograd.": a name the text uses that is filed elsewhere has an item
    of its own among the entries, where the text edition's index has its "see" line, with
    a link to each entry it names; it is no entry (class "see")."""
    tei = etree.parse(str(ARTICLE))
    doc = lxml_html.parse(str(built[ARTICLE])).getroot()
    [register] = doc.xpath(f"//section[@id='register-{kind}']")
    items = register.xpath("ul[@class='entries']/li")
    entries = {li.get("id"): li for li in items if li.get("class") == "entry"}
    assert len(entries) == len(tei.xpath(f"//tei:standOff//tei:{kind}[@xml:id]", namespaces=TEI))
    shown = {}
    for li in items:
        if li.get("class") == "entry":
            continue
        assert li.get("class") == "see" and li.get("id") is None
        assert not li.xpath(".//span[@class='occurrences']")
        name = " ".join(li.xpath("string(span[@class='entry-name'])").split())
        assert li.xpath("string(i)") == "see"
        links = li.xpath("a")
        assert " ".join(li.text_content().split()) == f"{name}, see " + "; ".join(
            " ".join(a.text_content().split()) for a in links) + "."
        for a in links:  # each to an entry of the register, named as the entry is
            entry = entries[a.get("href")[1:]]
            assert " ".join(a.text_content().split()) == " ".join(entry.xpath("string(span[@class='entry-name'])").split())
        shown[name] = [" ".join(a.text_content().split()) for a in links]
    assert shown == see_references(tei, kind)
    if kind == "place":
        assert shown["Leningrad"] == ["Petrograd"] and shown["Kirov"] == ["Vyatka"] and shown["Leninakan"] == ["Aleksandropol"]
        [warszawa] = register.xpath("ul/li[@class='see']/span[@class='entry-name'][. = 'Warszawa']")
        assert warszawa.get("lang") == "pl"
    if kind == "org":
        assert shown["Comintern"] == ["Communist International"]
    # in the order of the text edition's index, line by line
    lines = article_index[kind]
    assert len(lines) == len(items)
    for line, li in zip(lines, items):
        name = " ".join(li.xpath("string(span[@class='entry-name'])").split())
        match = SEE_LINE.match(line)
        if li.get("class") == "see":
            assert match and match.group(1) == name, (line, name)
        else:
            assert not match and line.startswith(name), (line, name)


@pytest.mark.parametrize("kind", ["place", "org"])
def test_the_names_in_parentheses_follow_an_entry_s_name_in_the_register_and_its_titles(built, kind):
    """The register's name is the name alone ("Petrograd", "Central Bureau of MOPR"); its
    other names, with their dates, follow it in one pair of parentheses, and the text's
    names say them on hover, so that "Leningrad" in the text is explained."""
    tei = etree.parse(str(ARTICLE))
    doc = lxml_html.parse(str(built[ARTICLE])).getroot()
    entries = [e for e in tei.xpath(f"//tei:standOff//tei:{kind}", namespaces=TEI) if aside_text(e)]
    assert len(entries) >= 4
    titled = 0
    for entry in entries:
        entry_id = entry.get("{http://www.w3.org/XML/1998/namespace}id")
        standard = " ".join(entry.xpath("string(*[@type='standard' or @type='full'][1])", namespaces=TEI).split())
        [item] = doc.xpath(f"//li[@id='{entry_id}']")
        assert item.xpath("string(span[@class='entry-name'])") == standard
        assert " ".join(item.text_content().split()).startswith(f"{standard} ({aside_text(entry)})")
        titles = set(doc.xpath(f"//main//a[@href='#{entry_id}']/@title"))
        assert titles <= {f"{standard} ({aside_text(entry)})"}
        titled += bool(titles)
    assert titled >= 4


def test_a_name_in_another_language_is_marked_alone_not_the_editors_words_around_it(tmp_path):
    """"now Kirov, since 1934" with a Russian "Kirov": only the name is in Russian; "now"
    and the date are the editors' English."""
    _, doc = small_variant(tmp_path, ('<placeName type="modern">Kirov</placeName>',
                                      '<placeName type="modern" from="1934" xml:lang="ru-Latn">Kirov</placeName>'))
    [entry] = doc.xpath("//li[@id='place-vyatka']")
    [name] = entry.xpath(".//span[@lang='ru-Latn']")
    assert name.text == "Kirov" and not name.getchildren()
    assert " ".join(entry.text_content().split()).startswith("Vyatka (now Kirov, since 1934)")


def test_no_register_entry_has_a_double_full_stop(pair):
    """A name that ends with a full stop ("Schumacher, H.") is followed by no second one."""
    _, doc, _ = pair
    doubled = [" ".join(e.text_content().split())[:60] for e in doc.xpath("//li[@class='entry']")
               if re.search(r"(?<!\.)\.\.(?!\.)", e.text_content())]
    assert doubled == []


def test_a_name_ending_with_a_full_stop_takes_no_second_one(built):
    doc = lxml_html.parse(str(built[ARTICLE])).getroot()
    [entry] = doc.xpath("//li[@id='pers-schumacher']")
    assert " ".join(entry.text_content().split()).startswith("Schumacher, H. Historian,")


def test_back_links_ask_for_the_text_form_of_their_arrow(pair):
    """U+21A9 alone is drawn as an emoji on iOS: U+FE0E asks for the text form."""
    _, doc, _ = pair
    arrows = [a.text for a in doc.xpath("//a[@role='doc-backlink']")]
    assert arrows and set(arrows) == {"\u21a9\ufe0e"}


def test_the_corrections_table_is_no_tab_stop_or_landmark(pair):
    """The table never scrolls sideways (its readings break, on a phone each row is a
    block): a focusable region around it was a useless tab stop whose ring surrounded the
    whole table, and a landmark more."""
    _, doc, _ = pair
    [wrap] = doc.xpath("//section[@id='corrections']/div[@class='table-wrap']")
    assert (wrap.get("tabindex"), wrap.get("role"), wrap.get("aria-label")) == (None, None, None)
    assert doc.xpath("//section[@id='corrections']//*[@tabindex or @role='region']") == []


def test_the_corrections_table_is_named_by_its_heading(pair):
    """A screen reader's list of tables said "table" and nothing more."""
    _, doc, _ = pair
    [table] = doc.xpath("//section[@id='corrections']//table")
    [heading] = doc.xpath(f"//*[@id='{table.get('aria-labelledby')}']")
    assert heading.tag == "h2" and heading.text_content() == "Corrections"


def test_the_reading_switch_is_in_a_landmark_of_its_own(pair):
    """Outside the header and main, the switch was outside every landmark."""
    _, doc, _ = pair
    [toolbar] = doc.xpath("//body/div[@class='toolbar']")
    assert toolbar.get("role") == "region" and toolbar.get("aria-label") == "Reading options"
    assert toolbar.xpath("input[@id='show-source']")
    # what is shown on screen is in a landmark: header, the switch, main, footer
    outside = [e.tag + "." + (e.get("class") or "") for e in doc.xpath("//body/*")
               if e.tag not in ("header", "main", "footer", "script") and e.get("role") != "region"
               and e.get("class") not in ("skip", "print-state front")]
    assert outside == []


def test_each_correction_s_row_has_an_id(pair):
    """The EPUB's correction marks link to the rows."""
    _, doc, _ = pair
    rows = doc.xpath("//section[@id='corrections']//tbody/tr")
    assert rows
    for row in rows:
        assert row.get("id") == "row-" + row.xpath("string(td[1]/a/@href)")[1:]


def test_the_licence_is_shown_with_what_the_header_says_beside_it(pair):
    tei, doc, _ = pair
    statements = [" ".join(p.xpath("string(.)").split()) for p in tei.xpath("//tei:availability/tei:p", namespaces=TEI)]
    licence_row = " ".join(doc.xpath("string(//dt[.='Licence']/following-sibling::dd[1])").split())
    for statement in statements:
        assert statement in licence_row


def test_every_russian_word_is_marked_as_russian(pair):
    """Screen readers and hyphenation need lang="ru" on Cyrillic text: the editors' notes,
    the corrections' reasons and the registers quote the Russian (МОПР, сборы, День МОПР)."""
    _, doc, _ = pair
    cyrillic = re.compile("[\u0400-\u04FF]")
    unmarked = []
    for element in doc.xpath("//body//*"):
        for text, owner in ((element.text, element), (element.tail, element.getparent())):
            if text and cyrillic.search(text) and not owner.xpath("ancestor-or-self::*[@lang][1][starts-with(@lang, 'ru')]"):
                unmarked.append(text.strip()[:40])
    assert unmarked == []


# The text an element shows as it reads: without what the page hides or sets into it (the
# other reading of a correction and the pop-up's labels, note markers, page numbers).
SHOWN_TEXT = (".//text()[not(ancestor::span[@class='sic' or @class='tip-label' or @class='pb'"
              " or starts-with(@class, 'noteref-wrap')])]")


def test_every_language_of_the_text_is_marked_in_the_page(with_languages):
    """WCAG 3.1.2: xml:lang on any element of the text (a title, a name, a quotation, a
    paragraph, highlighting …), not only on foreign, gives its HTML element lang; and the
    register's forms "in the source" keep theirs ("Warszawa", pl)."""
    tei, doc = with_languages
    elements = tei.xpath("//tei:text//*[@xml:lang][not(ancestor-or-self::tei:sic or ancestor-or-self::tei:orig)]", namespaces=TEI)
    assert {etree.QName(e).localname for e in elements} - {"foreign"}
    for element in elements:
        lang = element.get(XML_LANG)
        marked = {" ".join("".join(e.xpath(SHOWN_TEXT)).split())
                  for e in doc.xpath(f"//main//*[@lang='{lang}'][not(ancestor::span[@class='note-pop'])]")}
        assert " ".join(reading_text(element).split()) in marked, (etree.QName(element).localname, lang)
    forms = tei.xpath("//tei:standOff//*[@type='source'][@xml:lang]", namespaces=TEI)
    assert forms
    for form in forms:
        entry = form.getparent().get(XML_ID)
        shown = doc.xpath(f"//li[@id='{entry}']/span[@class='forms']")
        if shown:  # listed only when a form differs from the standard name
            in_lang = shown[0].xpath(f"span[@lang='{form.get(XML_LANG)}']/text()")
            assert " ".join(form.text.split()) in in_lang, entry


def test_what_the_source_lost_shows_as_a_gap_mark_in_pop_ups_and_the_table(inline):
    """A gap in a correction's reading or an editors' note: "[…]" wherever the page shows
    it, its description (for the editors) nowhere."""
    _, doc, page = inline
    assert "GAP-DESCRIPTION" not in page.read_text(encoding="utf-8")
    pop = doc.xpath("//a[@href='#en-help']/following-sibling::span[@class='note-pop']")[0]
    assert pop.xpath("span[@class='gap']/text()") == ["[…]"]
    [row] = doc.xpath("//tr[td[1]/a/@href='#choice-lost']")
    assert row.xpath("td[3]/span[@class='gap']/text()") == ["[…]"]


def test_quotations_in_the_editors_prose_get_quotation_marks(pair, inline):
    """As in the text edition: quote, like q, in the editors' notes (the source keeps its
    own marks, the editors' prose leaves them to the outputs), in the notes list and in the
    pop-ups."""
    for tei, doc, _ in (pair, inline):
        for note in tei.xpath("//tei:text//tei:note[@type='editorial']", namespaces=TEI):
            quoted = [" ".join(reading_text(q).split()) for q in note.xpath(".//tei:q | .//tei:quote", namespaces=TEI)]
            aside = doc.xpath(f"//aside[@id='{note.get(XML_ID)}']")[0]
            assert [" ".join(q.text_content().split()) for q in aside.xpath(".//q")] == quoted
            pop = doc.xpath(f"//a[@href='#{note.get(XML_ID)}']/following-sibling::span[@class='note-pop']")[0]
            assert [" ".join(q.text_content().split()) for q in pop.xpath(".//q")] == quoted
    assert inline[1].xpath("//aside[@id='en-help']//q[. = 'Hilfe']")


def test_metadata_dublin_core_highwire_and_json_ld(pair):
    tei, doc, _ = pair
    title = " ".join(tei.xpath("string(//tei:titleStmt/tei:title[@type='supplied'])", namespaces=TEI).split())
    assert doc.xpath("//meta[@name='dcterms.title']/@content") == [title]
    assert doc.xpath("//meta[@name='citation_title']/@content") == [title]
    assert doc.xpath("/html/head/title/text()") == [title]
    pages = tei.xpath("//tei:text//tei:pb/@n", namespaces=TEI)
    assert doc.xpath("//meta[@name='citation_firstpage']/@content") == [pages[0]]
    data = json.loads(doc.xpath("//script[@type='application/ld+json']/text()")[0])
    assert data["@type"] == "ScholarlyArticle" and data["name"] == title
    source_title = " ".join(tei.xpath("string(//tei:sourceDesc/tei:bibl[@xml:id='source']/tei:title)", namespaces=TEI).split())
    assert data["isBasedOn"]["name"] == source_title
    # The source's status keeps the quotation marks its <q>s are shown with everywhere.
    [note] = tei.xpath("//tei:sourceDesc/tei:bibl[@xml:id='source']/tei:note", namespaces=TEI)
    for q in note.xpath(".//tei:q", namespaces=TEI):
        assert f"“{' '.join(q.xpath('string()').split())}”" in data["isBasedOn"]["description"]


def test_json_ld_cannot_close_its_script(built):
    """The fixture's source title contains </script>: it stays inside the JSON string."""
    text = built[SMALL].read_text(encoding="utf-8")
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', text, re.S).group(1)
    assert "<" not in block
    assert json.loads(block)["isBasedOn"]["name"] == 'A test source <with> "quotes" & a </script> in its title'


# ---------------------------------------------------------------- vnu


@pytest.mark.external
def test_vnu_reports_no_errors(built, inline):
    java = require_tool("java", which("java"), "install a Java runtime (apt-get install -y default-jre-headless)")
    jar = require_tool("vnu.jar", vnu_jar_path(), "npm install vnu-jar (or set VNU_JAR)")
    pages = [str(p) for p in built.values()] + [str(inline[2])]
    run = subprocess.run([str(java), "-jar", str(jar), "--errors-only", "--format", "json", *pages],
                         capture_output=True, text=True, timeout=300)
    messages = json.loads(run.stderr or run.stdout or '{"messages": []}')["messages"]
    assert messages == [], json.dumps(messages, indent=1)[:3000]


# ---------------------------------------------------------------- Chromium

# The `browser` fixture (Debian chromium, headless, through Playwright) is in conftest.py.


@contextlib.contextmanager
def opened(browser, path: Path, width: int, height: int, requests: list | None = None, still: bool = False,
           scheme: str = "light"):
    """The page at `path` in a new browser context of that size, closed afterwards.

    `requests` collects every URL the page asks for; `still` turns smooth scrolling off,
    so that what a key press scrolls is where it ends; `scheme` is the colour scheme the
    reader's system asks for.
    """
    options = {"reduced_motion": "reduce"} if still else {}
    options["color_scheme"] = scheme
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    try:
        page = context.new_page()
        if requests is not None:
            page.on("request", lambda request: requests.append(request.url))
        page.goto(path.resolve().as_uri())
        page.wait_for_load_state("load")
        yield page
    finally:
        context.close()


def scrolled_to_rest(page) -> None:
    """Wait until the page stops scrolling (smooth scrolling, a jump to an anchor): the
    scroll position unchanged over ten animation frames, at most 3 s. A fixed pause
    measured too early on a loaded machine."""
    page.evaluate("""() => new Promise(done => {
        let last = [scrollX, scrollY], still = 0, frames = 0;
        const look = () => {
            const now = [scrollX, scrollY];
            still = now[0] === last[0] && now[1] === last[1] ? still + 1 : 0;
            last = now;
            if (still >= 10 || ++frames > 180) done(); else requestAnimationFrame(look);
        };
        requestAnimationFrame(look);
    })""")


def in_view(page, selector: str) -> bool:
    return page.eval_on_selector(selector, """e => { const r = e.getBoundingClientRect();
        return r.bottom > 0 && r.top < window.innerHeight; }""")


@pytest.mark.external
@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.stem)
def test_in_chromium_notes_backlinks_switch_and_no_network(browser, built, document, tmp_path):
    html = built[document]
    requests: list[str] = []
    with opened(browser, html, 1280, 900, requests=requests) as page:
        page.screenshot(path=str(tmp_path / "desktop.png"), full_page=False)

        # A note marker leads to its note, the backlink leads back.
        marker = "a[role='doc-noteref'][href='#fn1']"
        page.click(marker)
        assert page.evaluate("location.hash") == "#fn1"
        page.wait_for_function("() => { const r = document.getElementById('fn1').getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; }")
        assert in_view(page, "#fn1")
        page.click("#fn1 a[role='doc-backlink']")
        back = page.evaluate("location.hash")
        assert back == "#" + page.get_attribute(marker, "id")
        page.wait_for_function(f"() => {{ const r = document.querySelector(\"{marker}\").getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }}")

        # Back by the link, the marker has the focus, but its pop-up does not cover the text
        # returned to; focused by the keyboard, it shows its note in place (CSS only).
        assert page.evaluate("document.activeElement.matches(\"" + marker + "\")")
        page.mouse.move(0, 0)
        assert page.eval_on_selector(f"{marker} + .note-pop", "e => getComputedStyle(e).display") == "none"
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.matches(\"" + marker + "\")")
        assert page.eval_on_selector(f"{marker} + .note-pop", "e => getComputedStyle(e).display") == "block"

        # The switch swaps every correction, in one go.
        # (not trimmed: a correction may be spacing alone, "Leningrad-Finnish" → "Leningrad - Finnish")
        corrected = page.eval_on_selector_all("article .choice", "cs => cs.map(c => c.innerText)")
        page.check("#show-source")
        published = page.eval_on_selector_all("article .choice", "cs => cs.map(c => c.innerText)")
        assert len(corrected) == len(published) > 0
        assert all(a != b for a, b in zip(corrected, published))
        assert page.evaluate("document.documentElement.classList.contains('source-view')")
        page.screenshot(path=str(tmp_path / "desktop-source-view.png"))
        page.uncheck("#show-source")
        assert page.eval_on_selector_all("article .choice", "cs => cs.map(c => c.innerText)") == corrected

    with opened(browser, html, 390, 844, requests=requests) as phone_page:
        phone_page.screenshot(path=str(tmp_path / "phone.png"))
        overflow = phone_page.evaluate("document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 1, "the page scrolls sideways on a phone"

    assert all(url.startswith("file://") for url in requests), requests
    assert len(requests) == 2  # the page itself, once per viewport: nothing else
    assert (tmp_path / "desktop.png").stat().st_size > 0 and (tmp_path / "phone.png").stat().st_size > 0


@pytest.mark.external
def test_in_chromium_hovering_a_correction_does_not_move_the_text(browser, built):
    """The label "The source reads:" belongs to the pop-up: shown in the line, it pushed the
    words under the pointer aside."""
    with opened(browser, built[ARTICLE], 1280, 900) as page:
        choice = "article .choice[tabindex='0']"
        before = page.eval_on_selector(choice, "e => e.querySelector('.corr').getBoundingClientRect().width")
        page.hover(choice)
        assert page.eval_on_selector(choice, "e => getComputedStyle(e.querySelector('.sic')).display") == "block"
        after = page.eval_on_selector(choice, "e => e.querySelector('.corr').getBoundingClientRect().width")
        assert after == before
        page.check("#show-source")  # in source view the corrected reading is the pop-up
        page.hover(choice)
        width = page.eval_on_selector(choice, "e => e.querySelector('.sic').getBoundingClientRect().width")
        page.mouse.move(0, 0)
        assert page.eval_on_selector(choice, "e => e.querySelector('.sic').getBoundingClientRect().width") == width


@pytest.mark.external
def test_in_chromium_the_map_s_labels_cover_no_other_label_or_marker(browser, built):
    with opened(browser, built[ARTICLE], 1280, 900) as page:
        overlaps = page.evaluate("""() => {
            const box = e => { const b = e.getBBox(); return [b.x, b.y, b.x + b.width, b.y + b.height]; };
            const meet = (a, b) => a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
            const labels = [...document.querySelectorAll('.map text')].map(t => [t.textContent, box(t)]);
            const dots = [...document.querySelectorAll('.map circle')].map(c => [c.parentNode.querySelector('text').textContent, box(c)]);
            const found = [];
            labels.forEach(([name, b], i) => {
              labels.slice(i + 1).forEach(([other, c]) => { if (meet(b, c)) found.push(name + ' / ' + other); });
              dots.forEach(([other, c]) => { if (other !== name && meet(b, c)) found.push(name + ' over the dot of ' + other); });
            });
            return found; }""")
        assert overlaps == []


@pytest.mark.external
def test_in_chromium_the_switch_swaps_the_readings_in_note_pop_ups_too(browser, built):
    with opened(browser, built[ARTICLE], 1280, 900) as page:
        shown = "() => [...document.querySelectorAll(\"a[href='#fn4'] + .note-pop .reading\")].map(r => r.innerText.trim())"
        page.focus("a[role='doc-noteref'][href='#fn4']")
        corrected = page.evaluate(shown)
        page.check("#show-source")
        page.focus("a[role='doc-noteref'][href='#fn4']")
        published = page.evaluate(shown)
        assert corrected and len(corrected) == len(published)
        assert all(a != b for a, b in zip(corrected, published))


@pytest.mark.external
@pytest.mark.parametrize("width", [320, 1280])
def test_in_chromium_a_locator_s_letters_are_targets_of_their_own(browser, built, width):
    """The letters after a locator named several times ("213 a b c") are small, but each is
    a target of its own, some 20px from the next (a finger or a pointer hits the one meant),
    and they raise no line. Printed, they lead nowhere and are left out."""
    with opened(browser, built[ARTICLE], width, 800, still=True) as page:
        boxes = page.evaluate("""() => [...document.querySelectorAll('.occurrences .mentions')].map(s =>
            [...s.querySelectorAll('a')].map(a => { const r = a.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; }))""")
        # an entry's lines are as far apart with letters as without
        gaps = page.evaluate("""() => [...document.querySelectorAll('.entry')].map(e => {
            const tops = [], walk = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
            for (let n; (n = walk.nextNode()); ) { if (n.parentElement.closest('.mentions')) continue;
                const r = document.createRange(); r.selectNodeContents(n); for (const b of r.getClientRects()) tops.push(Math.round(b.top)); }
            const u = [...new Set(tops)].sort((a, b) => a - b);
            return [!!e.querySelector('.mentions'), Math.max(0, ...u.slice(1).map((t, i) => t - u[i]).filter(g => g > 8 && g < 40))]; })""")
        page.emulate_media(media="print")
        printed = page.evaluate("[...document.querySelectorAll('.mentions')].filter(s => s.getClientRects().length).length")
    assert len(boxes) > 20 and printed == 0
    for letters in boxes:
        for left, top, right, bottom in letters:
            assert right - left >= 12 and bottom - top >= 16
        for (l1, t1, r1, _), (l2, t2, r2, _) in zip(letters, letters[1:]):
            if abs(t1 - t2) < 1:  # on one line
                # WCAG 2.2 (2.5.8): a target under 24px needs 24px to the next one's centre
                assert l2 >= r1 - 0.5 and (l2 + r2) / 2 - (l1 + r1) / 2 >= 24
    # (1px for rounding: the tops are rounded to whole pixels; a raised line would add several)
    assert max(gap for has, gap in gaps if has) <= max(gap for has, gap in gaps if not has) + 1


@pytest.mark.external
@pytest.mark.parametrize("width", [320, 390, 768])
def test_in_chromium_on_small_screens_links_land_in_view_and_nothing_scrolls_sideways(browser, built, width):
    with opened(browser, built[ARTICLE], width, 740) as page:
        assert page.evaluate("document.documentElement.scrollWidth - innerWidth") <= 1
        for link, target in ((".cite-pages a[href='#p213']", "p213"), ("a[role='doc-noteref'][href='#fn2']", "fn2")):
            page.click(link)
            page.wait_for_function(f"() => {{ const r = document.getElementById('{target}').getBoundingClientRect(); return r.top < innerHeight; }}")
            scrolled_to_rest(page)
            top = page.evaluate(f"document.getElementById('{target}').getBoundingClientRect().top")
            bar = page.evaluate("document.querySelector('.toolbar').getBoundingClientRect().bottom")
            assert top >= 0 and (top >= bar or bar <= 0), f"#{target} is under the toolbar at {width}px"


@pytest.mark.external
def test_in_chromium_where_a_link_lands_stands_out_from_its_neighbours(browser, built):
    """A correction is shaded and an editors' note tinted already: the one a link leads to
    (from the list of corrections, from a marker) must look different from the others."""
    look = "e => { const s = getComputedStyle(e); return [s.backgroundColor, s.outlineStyle]; }"
    with opened(browser, built[ARTICLE], 1280, 900) as page:
        rows = page.eval_on_selector_all(".corrections tbody tr td:first-of-type a", "as => as.map(a => a.getAttribute('href'))")
        target = rows[len(rows) // 2]
        other = page.eval_on_selector_all("article .choice[id]", "cs => cs.map(c => '#' + c.id)")
        neighbour = next(c for c in other if c != target)
        before = page.eval_on_selector(target, look)
        assert before == page.eval_on_selector(neighbour, look)
        page.click(f".corrections a[href='{target}']")
        assert page.evaluate("location.hash") == target
        # Its shade, not only the focus ring the click gives it, which goes with the focus.
        landed = page.eval_on_selector(target, look)
        assert landed[0] != page.eval_on_selector(neighbour, look)[0] and landed[1] != "none"

        notes = page.eval_on_selector_all("#editorial-notes .note[id]", "ns => ns.map(n => '#' + n.id)")
        assert len(notes) > 1
        untouched = page.eval_on_selector(notes[1], look)
        page.evaluate(f"location.hash = '{notes[0]}'")
        assert page.eval_on_selector(notes[0], look)[0] != untouched[0]


@pytest.mark.external
def test_in_chromium_a_printout_says_which_reading_it_shows(browser, built):
    with opened(browser, built[ARTICLE], 1280, 900) as page:
        sentence = "() => document.querySelector('.print-state').innerText.trim()"
        assert page.eval_on_selector(".print-state", "e => getComputedStyle(e).display") == "none"  # on screen
        page.emulate_media(media="print")
        assert page.evaluate(sentence).startswith("Printed with the editors’ corrections")
        page.emulate_media(media="screen")
        page.check("#show-source")  # the switch is not printed: it is set on screen
        page.emulate_media(media="print")
        assert page.evaluate(sentence).startswith("Printed as the source was published")


@pytest.mark.external
def test_in_chromium_a_printout_keeps_the_words_in_order_and_its_column_flush(browser, built):
    """Chromium paints a positioned box in a layer of its own, and a PDF saved from the page
    held those words out of their line ("an international , which"): in print no word or
    phrase of the running text is positioned but the page numbers in the margin (a whole
    paragraph may be: its words stay in order). The title block
    starts where the text does."""
    with opened(browser, built[ARTICLE], 1280, 900) as page:
        page.emulate_media(media="print")
        positioned = page.evaluate("""() => [...document.querySelectorAll('#text *')]
            .filter(e => e.getClientRects().length && getComputedStyle(e).display.startsWith('inline')
                && getComputedStyle(e).position !== 'static' && !e.closest('.pb-n'))
            .map(e => e.tagName + '.' + e.className)""")
        assert positioned == []
        lefts = page.evaluate("""() => ['.front h1', '#text p'].map(s =>
            Math.round(document.querySelector(s).getBoundingClientRect().left))""")
        assert lefts[0] == lefts[1]


@pytest.mark.external
def test_in_chromium_without_javascript_the_switch_still_works(browser, built):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(built[SMALL].resolve().as_uri())
        before = page.inner_text("#choice-mopr")
        page.check("#show-source")
        after = page.inner_text("#choice-mopr")
        assert before.strip() == "MOPR" and after.strip() == "Mauprat"
    finally:
        context.close()


# ---------------------------------------------------------------- Chromium: focus, pop-ups, small screens


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two computed colours "rgb(r, g, b)"."""
    def luminance(colour: str) -> float:
        channels = [int(c) / 255 for c in re.findall(r"\d+", colour)[:3]]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# The element whose pop-up an element's focus opens, and that pop-up's box (or null).
SHOWN_POP = """e => {
    const host = e.closest('.noteref-wrap, .choice') || (e.matches('a[href]') ? e.querySelector('.choice') : null);
    if (!host) return null;
    const pop = [...host.querySelectorAll(':scope > .note-pop, :scope > .sic, :scope > .corr')].find(p => {
        const s = getComputedStyle(p); return s.display !== 'none' && s.position !== 'static'; });
    if (!pop) return null;
    const r = pop.getBoundingClientRect(), h = host.getBoundingClientRect();
    return {id: host.id || e.id, top: r.top, bottom: r.bottom, left: r.left, right: r.right,
            hostTop: h.top, hostBottom: h.bottom, position: getComputedStyle(pop).position}; }"""


# Colours that must keep their contrast (WCAG 1.4.3 for text, 1.4.11 for the sign of a
# correction): the element, whose colour is read, and the element whose background is
# behind it (transparent backgrounds are the page's).
CONTRASTS = [
    ("#text p:not([class])", "color", "html", 7),           # the text
    (".toc a", "color", "html", 4.5),                       # links
    (".section-hint", "color", "html", 4.5),                # muted text
    ("article .noteref", "color", "html", 4.5),             # a note's marker
    ("#editorial-notes .note.ed", "color", "#editorial-notes .note.ed", 4.5),
    ("#editorial-notes .note.ed .note-label", "color", "#editorial-notes .note.ed", 4.5),
    ("article .choice", "color", "article .choice", 4.5),   # a corrected word on its shading
    ("article .choice", "border-bottom-color", "html", 3),  # the underline, the only sign of a correction
    ("article .choice", "border-bottom-color", "article .choice", 3),
    (".corrections .sic-cell", "color", "html", 4.5),
    (".corrections th", "color", ".corrections th", 4.5),
    ("article .note-pop", "color", "article .note-pop", 4.5),
    (".registers .entry", "color", "html", 4.5),
]


@pytest.mark.external
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_in_chromium_each_colour_scheme_keeps_its_contrasts(browser, built, scheme):
    """A reader whose system asks for a dark page gets one (the page was light whatever the
    setting, and a browser's forced darkening washed out the corrections' shading and
    underline), with the contrasts of the light page."""
    with opened(browser, built[ARTICLE], 1280, 800, scheme=scheme) as page:
        colour = """([s, p]) => { const e = document.querySelector(s); const c = getComputedStyle(e)[p];
            if (p !== 'background-color' || !/rgba\\(.*, 0\\)$/.test(c)) return c;
            return getComputedStyle(document.documentElement).backgroundColor; }"""
        paper = page.evaluate(colour, ["html", "background-color"])
        assert (contrast(paper, "rgb(0, 0, 0)") < 2) == (scheme == "dark"), paper
        low = []
        for element, prop, behind, minimum in CONTRASTS:
            ratio = contrast(page.evaluate(colour, [element, prop]), page.evaluate(colour, [behind, "background-color"]))
            if ratio < minimum:
                low.append((element, prop, round(ratio, 2)))
        assert low == []


@pytest.mark.external
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_in_chromium_a_focused_place_on_the_map_is_marked_on_its_label_not_by_a_ring(browser, built, scheme):
    """An outline is drawn in the map's units: 3px became a ring some 35px wide over the
    neighbouring labels. The label shows the focus instead: a band with 3:1 against the
    map, the label's text on it 4.5:1 (WCAG 1.4.3: it is text)."""
    with opened(browser, built[ARTICLE], 1280, 800, still=True, scheme=scheme) as page:
        page.focus(".map svg a")
        style = page.eval_on_selector(".map svg a", """a => { const t = a.querySelector('text'), s = getComputedStyle(t);
            return {outline: getComputedStyle(a).outlineStyle, stroke: s.stroke, fill: s.fill, width: parseFloat(s.strokeWidth),
                    font: parseFloat(t.getAttribute('font-size')), order: s.paintOrder,
                    sea: getComputedStyle(document.querySelector('.map .sea')).fill,
                    land: getComputedStyle(document.querySelector('.map .land')).fill}; }""")
        assert style["outline"] == "none"
        assert style["order"].startswith("stroke")  # the band is drawn under the letters
        assert 0 < style["width"] < style["font"]  # a band about the label, not a ring about the map
        assert contrast(style["stroke"], style["sea"]) >= 3 and contrast(style["stroke"], style["land"]) >= 3
        assert contrast(style["fill"], style["stroke"]) >= 4.5


@pytest.mark.external
def test_in_chromium_shift_tab_never_leaves_the_focus_under_the_sticky_switch(browser, built):
    """WCAG 2.4.11: going back through the page, what is focused is scrolled below the switch."""
    with opened(browser, built[ARTICLE], 1280, 800, still=True) as page:
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.evaluate("[...document.querySelectorAll('#registers .entry:last-child .occurrences a')].pop().focus()")
        hidden = []
        for _ in range(40):
            page.keyboard.press("Shift+Tab")
            state = page.evaluate("""() => { const e = document.activeElement, r = e.getBoundingClientRect(),
                bar = document.querySelector('.toolbar'), b = bar.getBoundingClientRect();
                return [e.id || e.getAttribute('href') || e.tagName, r.top, r.bottom, b.bottom, getComputedStyle(bar).position]; }""")
            name, top, bottom, bar, position = state
            if position == "sticky" and bottom > 0 and top < bar:
                hidden.append((name, round(top), round(bar)))
        assert hidden == []


@pytest.mark.external
def test_in_chromium_pop_ups_can_be_hovered_dismissed_and_open_above_near_the_foot(browser, built):
    """WCAG 1.4.13: the pointer can move from a marker or a correction onto its pop-up (no
    gap closes it), Escape closes a hovered one, and one near the foot of the window opens
    above its marker rather than below the fold."""
    shown = "s => getComputedStyle(document.querySelector(s)).display"
    with opened(browser, built[ARTICLE], 1280, 800, still=True) as page:
        for marker, pop in (("#ref-en-present", "#ref-en-present + .note-pop"), ("#ref-fn1", "#ref-fn1 + .note-pop"),
                            ("#c-present", "#c-present > .sic"), ("#c-he", "#c-he > .sic")):
            page.mouse.move(0, 0)
            page.evaluate(f"document.querySelector('{marker}').scrollIntoView({{block: 'center'}})")
            box = page.locator(marker).bounding_box()
            x, y = box["x"] + min(box["width"] / 2, 6), box["y"] + box["height"] / 2
            page.mouse.move(x, y)
            assert page.evaluate(shown, pop) == "block", marker
            target = page.locator(pop).bounding_box()["y"] + 6
            for step in range(1, 13):  # down onto the pop-up, a pixel or two at a time
                page.mouse.move(x, y + (target - y) * step / 12)
                assert page.evaluate(shown, pop) == "block", f"{pop} closed on the way from its marker"
            page.keyboard.press("Escape")
            assert page.evaluate(shown, pop) == "none", f"Escape leaves {pop} open"

        page.mouse.move(0, 0)
        for marker in ("#ref-fn1", "#ref-en-present", "#c-he"):
            page.evaluate(f"""() => {{ const r = document.querySelector('{marker}').getBoundingClientRect();
                window.scrollBy({{top: r.top - (innerHeight - 60), behavior: 'instant'}}); }}""")
            page.focus(marker)
            box = page.eval_on_selector(marker, SHOWN_POP)
            assert box and 0 <= box["top"] and box["bottom"] <= 800, f"the pop-up of {marker} opens below the fold"
            assert box["bottom"] <= box["hostTop"] + 1


@pytest.mark.external
def test_in_chromium_a_correction_over_two_lines_is_not_covered_by_its_pop_up(browser, built):
    """"those / present." on a phone: the pop-up opens below its last line (it opened 1.7em
    below the first, over the second), or above its first near the foot of the window."""
    with opened(browser, built[ARTICLE], 320, 800, still=True) as page:
        page.evaluate("document.querySelector('#c-present').scrollIntoView({block: 'center'})")
        lines = page.eval_on_selector("#c-present", "c => [...c.getClientRects()].map(r => [r.top, r.bottom, r.left])")
        assert len(lines) == 2, "the test needs the correction to wrap at this width"
        page.mouse.move(lines[0][2] + 4, lines[0][0] + 4)
        pop = page.locator("#c-present > .sic").bounding_box()
        assert pop["y"] >= lines[-1][1] - 1 or pop["y"] + pop["height"] <= lines[0][0] + 1, (lines, pop)


@pytest.mark.external
def test_in_chromium_a_margin_page_number_s_box_hugs_its_number_left_of_the_text(browser, built):
    """Its focus ring is drawn round "p. 213", not round the margin's width."""
    with opened(browser, built[ARTICLE], 1280, 800, still=True) as page:
        text = page.locator("#text").bounding_box()
        for anchor in ("p212", "p213", "p214", "p215"):
            box = page.locator(f"#{anchor} a.pb-n").bounding_box()
            width = page.eval_on_selector(f"#{anchor} a.pb-n", "a => { const r = document.createRange(); "
                                          "r.selectNodeContents(a); return r.getBoundingClientRect().width; }")
            assert box["width"] <= width + 2, (anchor, box, width)
            assert box["x"] + box["width"] <= text["x"] - 8, (anchor, box, text)


# A correction's two readings as shown: (display, position, top border) of each.
READINGS = """c => Object.fromEntries(['corr', 'sic'].map(r => { const e = c.querySelector(':scope > .' + r), s = getComputedStyle(e);
    return [r, {display: s.display, position: s.position, border: s.borderTopWidth, text: e.innerText}]; }))"""


@pytest.mark.external
def test_in_chromium_a_focused_name_shows_the_other_reading_as_its_pop_up_in_either_view(browser, built):
    """A name link around a correction (37 of the 66) takes the focus for it: focused, it
    shows the reading the view hides in the pop-up, with its label, and the reading in the
    line stays as it is: the source's reading in the source view (it was boxed in the line,
    "The source reads: W. Heywood", and the corrected reading never shown)."""
    with opened(browser, built[ARTICLE], 1280, 800, still=True) as page:
        links = page.eval_on_selector_all("main a[href]:has(.choice)", "as => as.map(a => a.id)")
        assert len(links) >= 30 and all(links)
        wrong = []
        for view, line, pop, label in (("corrected", "corr", "sic", ("The source reads: ",)),
                                       ("source", "sic", "corr", ("Corrected by the editors: ", "Regularised by the editors: "))):
            if view == "source":
                page.check("#show-source")
            for link in links:
                page.focus(f"#{link}")
                shown = page.eval_on_selector(f"#{link} .choice", READINGS)
                if ((shown[line]["display"], shown[line]["position"], shown[line]["border"]) != ("inline", "static", "0px")
                        or (shown[pop]["display"], shown[pop]["position"]) != ("block", "absolute")
                        or not shown[pop]["text"].startswith(label) or shown[line]["text"].startswith(("The ", "Corrected ", "Regularised "))):
                    wrong.append((view, link, shown))
        assert wrong == []


@pytest.mark.external
def test_in_chromium_each_correction_is_described_by_the_reading_the_view_hides(browser, built):
    """A focused correction is named by the reading on screen. A screen reader hears, as
    its description (or its link's, for a
    corrected name), the reading not on screen: the source's, and in the source view the
    corrected one. (It heard the reading it had just read in the source view, and nothing
    on a corrected name.)"""
    from playwright.sync_api import expect

    with opened(browser, built[ARTICLE], 1280, 800, still=True) as page:
        for view, labels, name in (("corrected", ("The source reads: He", "The source reads: W. Heywood"), "It"),
                                   ("source", ("Corrected by the editors: It", "Corrected by the editors: W. Haywood"), "He")):
            if view == "source":
                page.check("#show-source")
            described = page.evaluate("""() => [...document.querySelectorAll('main .choice')].map(c => {
                const owner = c.hasAttribute('tabindex') ? c : c.closest('a[href]');
                const ids = ((owner && owner.getAttribute('aria-describedby')) || '').split(' ');
                const hidden = [...c.querySelectorAll(':scope > .corr, :scope > .sic')].filter(r => getComputedStyle(r).display === 'none');
                return [c.id, hidden.length === 1 && ids.includes(hidden[0].id)]; })""")
            assert len(described) > 30 and [c for c, ok in described if not ok] == [], view
            # the reading, then why the editors changed it and how sure they are
            expect(page.locator("#c-he")).to_have_accessible_description(
                re.compile(rf"^{re.escape(labels[0])}\s+A pronoun of the wrong gender\b.*Certainty: high\.$"))
            expect(page.locator("#c-he")).to_have_accessible_name(name)  # the reading on screen
            expect(page.locator("#occ-pers-haywood-1")).to_have_accessible_description(re.compile(rf"^{re.escape(labels[1])}\s"))


@pytest.mark.external
def test_in_chromium_escape_closes_a_focused_pop_up_and_leaves_the_focus_where_it_is(browser, built):
    """WCAG 1.4.13 (dismissible) without moving the focus (it went to <body>, so that Tab
    began again at the top of the page): the pop-up of the focused correction, name or
    note marker closes, also where a more specific rule opens it (a focused link, the
    phone's note marker), and opens again when the focus comes back."""
    cases = [("corrected", 1280, "#c-he", "#c-he > .sic"), ("corrected", 1280, "#occ-pers-haywood-1", "#c-haywood > .sic"),
             ("source", 1280, "#c-he", "#c-he > .corr"), ("source", 1280, "#occ-pers-haywood-1", "#c-haywood > .corr"),
             ("corrected", 1280, "#ref-fn2", "#ref-fn2 + .note-pop"), ("corrected", 375, "#ref-fn2", "#ref-fn2 + .note-pop")]
    shown = "s => getComputedStyle(document.querySelector(s)).display"
    for view, width, opener, pop in cases:
        with opened(browser, built[ARTICLE], width, 700, still=True) as page:
            if view == "source":
                page.check("#show-source")
            page.focus(opener)
            assert page.evaluate(shown, pop) == "block", (view, width, opener)
            page.keyboard.press("Escape")
            assert page.evaluate("'#' + document.activeElement.id") == opener, (view, width, opener)
            assert page.evaluate(shown, pop) == "none", (view, width, opener)
            page.keyboard.press("Tab")
            page.keyboard.press("Shift+Tab")
            assert page.evaluate("'#' + document.activeElement.id") == opener
            assert page.evaluate(shown, pop) == "block", (view, width, opener, "not open again")


@pytest.mark.external
def test_in_chromium_in_the_source_view_a_name_in_a_correction_s_pop_up_keeps_it_open(browser, built):
    """In the source view the corrected reading is the pop-up, and may hold a name link
    (#c-mopr-day: "first MOPR Day"): Tab from the correction goes to it, and the pop-up
    stays open around the focus (it closed, and the focus fell to <body>)."""
    with opened(browser, built[ARTICLE], 1280, 800, still=True) as page:
        page.check("#show-source")
        choices = page.eval_on_selector_all("article .choice[tabindex='0']:has(> .corr a[href])", "cs => cs.map(c => c.id)")
        assert "c-mopr-day" in choices
        for choice in choices:
            page.focus(f"#{choice}")
            page.keyboard.press("Tab")
            state = page.evaluate("""id => { const a = document.activeElement, c = document.getElementById(id);
                return [c.querySelector(':scope > .corr').contains(a), a.getClientRects().length > 0,
                        getComputedStyle(c.querySelector(':scope > .corr')).display]; }""", choice)
            assert state == [True, True, "block"], choice


@pytest.mark.external
def test_in_chromium_highlighting_shows_every_rendition(browser, inline):
    """rend="bold italic" is bold and italic (it was <i> only); "spaced" and "caps", which
    the schema names, are letter-spaced and in small capitals."""
    with opened(browser, inline[2], 1280, 800, still=True) as page:
        style = "s => { const c = getComputedStyle(document.querySelector(s)); return [c.fontWeight, c.fontStyle, c.letterSpacing, c.fontVariantCaps]; }"
        weight, italic, _, _ = page.evaluate(style, ".hi.bold.italic")
        assert int(weight) >= 700 and italic == "italic"
        assert page.evaluate(style, ".hi.spaced")[2] not in ("normal", "0px")
        assert page.evaluate(style, ".hi.caps")[3] == "small-caps"


@pytest.mark.external
@pytest.mark.parametrize(("width", "scheme", "source_view"), [(1280, "light", False), (390, "dark", True)])
def test_in_chromium_axe_core_finds_no_wcag_a_or_aa_failure(browser, built, width, scheme, source_view):
    """Deque's axe-core (npm axe-core), an engine nobody here wrote, on the page as a reader
    has it: wide and light, and narrow, dark and showing the source as published."""
    script = require_tool("axe-core", axe_core_path(), "npm install --no-save --prefix . axe-core (or set AXE_CORE_JS)")
    with opened(browser, built[ARTICLE], width, 900, scheme=scheme) as page:
        if source_view:
            page.check("#show-source")
        assert axe_violations(page, script) == []


@pytest.mark.external
def test_in_chromium_using_the_sticky_switch_leaves_the_reader_where_they_read(browser, built):
    """A click on the switch's label focuses its box, which the page's scroll padding (kept
    clear of the sticky bar) would scroll to "reveal", moving the text by a screenful."""
    with opened(browser, built[ARTICLE], 1280, 900, still=True) as page:
        page.evaluate("document.getElementById('p214').scrollIntoView({block: 'center'})")
        before = page.evaluate("scrollY")
        # The mouse where the label is (page.click would first scroll it into view itself).
        label = page.locator("label[for='show-source']").bounding_box()
        for shown in (True, False):
            page.mouse.click(label["x"] + 5, label["y"] + label["height"] / 2)
            scrolled_to_rest(page)
            assert page.evaluate("document.documentElement.classList.contains('source-view')") is shown
            assert page.evaluate("scrollY") == before


@pytest.mark.external
@pytest.mark.parametrize(("width", "hint"), [(390, "inline"), (1280, "none")])
def test_in_chromium_a_map_wider_than_the_screen_keeps_its_caption_in_view(browser, built, width, hint):
    """On a phone the map scrolls sideways in its frame: its caption says so and stays in
    the frame when it does (it used to scroll away with the map)."""
    with opened(browser, built[ARTICLE], width, 800, still=True) as page:
        page.evaluate("document.querySelector('figure.map').scrollIntoView()")
        assert page.eval_on_selector(".map .narrow-only", "e => getComputedStyle(e).display") == hint
        page.evaluate("document.querySelector('figure.map').scrollLeft = 10000")
        left, right = page.eval_on_selector(".map figcaption", "e => { const r = e.getBoundingClientRect(); return [r.left, r.right]; }")
        assert 0 <= left and right <= width


@pytest.mark.external
def test_in_chromium_a_note_s_pop_up_inside_a_note_fits_its_box(browser, built):
    """The markers of editors' notes inside the author's notes: their pop-ups do not take the
    note's hanging indent, which ran the first line out of the box (a scroller, and so a
    Tab stop inside aria-hidden content)."""
    with opened(browser, built[ARTICLE], 1280, 900, still=True) as page:
        widths = page.evaluate("""[...document.querySelectorAll('.note .note-pop')].map(p => {
            p.style.display = 'block'; const w = [p.scrollWidth, p.clientWidth]; p.style.display = ''; return w; })""")
        assert widths and all(scroll <= client for scroll, client in widths), widths


@pytest.mark.external
def test_in_chromium_the_source_view_keeps_the_editors_back_links_working(browser, built):
    """Their markers are hidden in the source view, but their notes are listed: the
    back-link still moves the view to where the marker stands."""
    with opened(browser, built[ARTICLE], 1280, 800, still=True) as page:
        page.check("#show-source")
        assert page.eval_on_selector("#ref-en-present", "e => e.getBoundingClientRect().height") > 0
        page.evaluate("document.getElementById('en-present').scrollIntoView()")
        before = page.evaluate("scrollY")
        page.click("#en-present a[role='doc-backlink']")
        scrolled_to_rest(page)
        assert page.evaluate("scrollY") != before
        assert page.eval_on_selector("#ref-en-present", "e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }")
        assert page.eval_on_selector(".noteref-wrap.ed", "e => getComputedStyle(e).visibility") == "hidden"
        widths = page.evaluate("[...document.querySelectorAll('#text .noteref-wrap.ed')].map(e => e.offsetParent && getComputedStyle(e).position)")
        assert set(widths) == {"absolute"}  # hidden, and taking no room in the line


@pytest.mark.external
def test_in_chromium_page_references_are_not_broken_across_lines(browser, built):
    with opened(browser, built[ARTICLE], 320, 740, still=True) as page:
        split = page.evaluate("""() => [...document.querySelectorAll('.pb-in-note, .note-where')]
            .filter(e => e.getClientRects().length > 1).map(e => e.textContent)""")
        assert split == []
        assert page.eval_on_selector(".note-where", "e => getComputedStyle(e).whiteSpace") == "nowrap"


@pytest.mark.external
def test_in_chromium_on_a_phone_pop_ups_stay_on_screen_and_leave_the_focus_visible(browser, built):
    """At 375px: a correction's pop-up, shown on focus, lies within the window (in both
    views); a note's pop-up at the foot of the screen never covers the focused marker."""
    with opened(browser, built[ARTICLE], 375, 600, still=True) as page:
        page.mouse.move(0, 0)
        outside = []
        for view in ("corrected", "source"):
            if view == "source":
                page.evaluate("document.getElementById('show-source').click()")
                page.mouse.move(0, 0)
            for choice in page.eval_on_selector_all("article .choice[tabindex='0']", "cs => cs.map(c => c.id)"):
                page.focus(f"#{choice}")
                box = page.eval_on_selector(f"#{choice}", SHOWN_POP)
                assert box, f"#{choice} shows no pop-up on focus"
                if box["left"] < 0 or box["right"] > 375 or box["top"] < 0 or box["bottom"] > 600:
                    outside.append((view, choice, {k: round(v) for k, v in box.items() if isinstance(v, float)}))
        assert outside == []

        page.evaluate("document.getElementById('show-source').click()")
        page.evaluate("window.scrollTo(0, 0)")
        page.focus("#show-source")
        covered, seen = [], 0
        for _ in range(90):
            page.keyboard.press("Tab")
            box = page.evaluate(f"({SHOWN_POP})(document.activeElement)")
            if box and box["position"] == "fixed":
                seen += 1
                marker = page.evaluate("document.activeElement.getBoundingClientRect().bottom")
                if marker > box["top"]:
                    covered.append(box["id"])
        assert seen > 5 and covered == []


@pytest.mark.external
@pytest.mark.parametrize("width", [375, 800])
def test_in_chromium_on_a_phone_or_tablet_each_correction_is_a_labelled_block(browser, built, width):
    """At 375px the table's six columns would need sideways scrolling, and at 800px (below
    the width where it takes the margins) its reasons had a sixth of the width, sixteen
    screens of table: each row is a block, headed by its number ("Correction 1"), each
    cell labelled with its column's heading."""
    with opened(browser, built[ARTICLE], width, 740, still=True) as page:
        wrap = ".corrections .table-wrap"
        assert page.eval_on_selector(wrap, "e => e.scrollWidth - e.clientWidth") <= 0
        number, *headings = page.eval_on_selector_all(".corrections thead th", "ths => ths.map(th => th.textContent.trim())")
        labels = page.eval_on_selector_all(".corrections tbody tr:first-child td",
                                           "tds => tds.map(td => getComputedStyle(td, '::before').content)")
        assert number == "No." and labels == [f'"{h}: "' for h in headings]
        assert page.eval_on_selector(".corrections tbody tr:first-child th",
                                     "th => [getComputedStyle(th, '::before').content, th.textContent]") == ['"Correction "', "1"]
        assert page.eval_on_selector(".corrections tbody td:last-child", "e => e.getBoundingClientRect().right") <= width
        # Each label runs in with its cell's text, the reason's with its category too.
        tops = page.eval_on_selector_all(".corrections tbody tr:nth-child(3) td", """tds => tds.map(td => {
            const first = td.firstElementChild && td.firstElementChild.getClientRects()[0];
            return [td.getBoundingClientRect().top, first ? first.top : null]; })""")
        reason_top, category_top = tops[4]
        assert category_top is not None and category_top - reason_top < 8, tops[4]


@pytest.mark.external
def test_in_chromium_print_keeps_the_column_and_headings_with_what_follows(browser, built):
    with opened(browser, built[ARTICLE], 794, 1123, still=True) as page:
        page.emulate_media(media="print")
        state_left, text_left = page.evaluate("""() => { const m = document.querySelector('main');
            return [document.querySelector('.print-state').getBoundingClientRect().left,
                    m.getBoundingClientRect().left + parseFloat(getComputedStyle(m).paddingLeft)]; }""")
        assert abs(state_left - text_left) < 1
        hint = page.eval_on_selector("#registers > .section-hint", "e => [getComputedStyle(e).breakAfter, getComputedStyle(e).breakInside]")
        assert hint == ["avoid", "avoid"]
        assert page.eval_on_selector("#registers-h", "e => getComputedStyle(e).breakAfter") == "avoid"


def test_the_front_matter_names_the_edition_and_the_citation_its_version(pair):
    tei, doc, _ = pair
    statement = " ".join(tei.xpath("string(//tei:editionStmt/tei:edition)", namespaces=TEI).split())
    version = tei.xpath("string(//tei:editionStmt/tei:edition/@n)", namespaces=TEI)
    if not statement:
        assert doc.xpath("//dt[. = 'Edition']") == []
        return
    assert doc.xpath("string(//dt[. = 'Edition']/following-sibling::dd[1])") == statement
    assert f"version {version}" in doc.xpath("string(//p[@class = 'citation'])")


def test_a_page_link_is_named_by_what_it_shows(any_page):
    """Speech input needs the visible label in the accessible name (WCAG 2.5.3): "p. 212"."""
    links = any_page.xpath("//a[@class='pb-n']")
    assert links
    for link in links:
        shown = " ".join(link.text_content().split())
        assert re.fullmatch(r"p\. \d+", shown), shown
        assert link.get("aria-label") is None or shown in link.get("aria-label")


def test_one_lost_word_is_a_word(inline):
    """A gap's label counts in the singular when it counts one: "(1 word)", not "(1 words)"."""
    _, page, _ = inline
    labels = page.xpath("//span[@class='gap']/@aria-label")
    assert "Text lost in the source (1 word)" in labels
    assert not [label for label in labels if "(1 words)" in label]


def test_a_supplied_title_says_it_is_the_editors(pair):
    """head type="supplied": the source has no title; the page says who gave this one."""
    tei, doc, _ = pair
    supplied = tei.xpath("//tei:text//tei:div/tei:head[@type='supplied']", namespaces=TEI)
    notes = doc.xpath("//article//h2/following-sibling::*[1][self::p][. = 'Title supplied by the editors.']")
    assert len(notes) == len(supplied) > 0


def test_the_corrections_are_numbered_as_the_text_edition_numbers_them(built, tmp_path):
    """A correction cited by its number ("correction 46") is the same in every edition: each
    row is headed by its number (th scope="row"), in the order of the text edition's list,
    whose entry of that number gives the same place."""
    doc = lxml_html.parse(str(built[ARTICLE])).getroot()
    rows = doc.xpath("//section[@id='corrections']//tbody/tr")
    assert [r.xpath("string(th[@scope='row'])") for r in rows] == [str(n) for n in range(1, len(rows) + 1)]
    assert doc.xpath("string(//section[@id='corrections']//thead/tr/th[1])") == "No."
    report = transform.build([ARTICLE], tmp_path, ["txt"])
    assert report.ok
    listed = dict(re.findall(r"^(\d+)\. (p\. [^:]+):", report.results[0].outputs[0].read_text(encoding="utf-8"), flags=re.MULTILINE))
    assert len(listed) == len(rows)
    for row in rows:
        place = " ".join(row.xpath("string(td[1])").replace("\xa0", " ").split())
        assert listed[row.xpath("string(th)")] == place


def test_the_title_page_says_whose_title_it_is_and_what_is_known_of_the_original(built):
    """As the text edition's title block does: the title is the editors' ("Title"), and
    what is known of the original (author, title, pages, language) is a fact of its own
    ("Original"), not part of the web source's status."""
    doc = lxml_html.parse(str(built[ARTICLE])).getroot()
    facts = {" ".join(dt.text_content().split()): " ".join(dt.getnext().text_content().split())
             for dt in doc.xpath("//header//dl[@class='facts']/dt")}
    assert facts["Title"] == "Supplied by the editors."
    assert facts["Original"].startswith("author: not named in the source; title: not named in the source; pp. 212–215; "
                                        "year: between 1966 and 1991, by the editors’ inference; language: Russian.")
    assert "author:" not in facts["Status of the source"]
    # no stylesheet indentation inside the entry's text
    assert "  " not in doc.xpath("string(//dd[@class='original'])")


def test_no_class_attribute_has_stray_spaces(pair):
    """<cite class="title "> for a title without a level: a class list is its names alone."""
    _, doc, _ = pair
    assert [c for c in doc.xpath("//@class") if c != " ".join(c.split())] == []


def test_the_corrections_hint_explains_the_mark_of_lost_text_where_a_reading_has_it(built):
    hints = {path: " ".join(lxml_html.parse(str(page)).getroot().xpath("string(//section[@id='corrections']/p[@class='section-hint'])").split())
             for path, page in built.items()}
    assert hints[ARTICLE].endswith("In a source’s reading, […] marks text lost in the source.")
    assert "[…]" not in hints[SMALL]


@pytest.mark.external
def test_in_chromium_a_pop_up_above_its_marker_stays_below_the_sticky_switch(browser, built):
    """A pop-up that opens above its marker (it would pass the window's foot) opened under
    the sticky bar of the switch, its first lines hidden: it opens above only where it fits
    below the bar."""
    with opened(browser, built[ARTICLE], 1000, 560, still=True) as page:
        bar = page.eval_on_selector(".toolbar", "b => [getComputedStyle(b).position, b.getBoundingClientRect().height]")
        assert bar[0] == "sticky"
        checked = 0
        for marker in page.eval_on_selector_all("#text a.noteref", "as => as.map(a => '#' + a.id)"):
            page.mouse.move(0, 0)
            # the marker in the window's lower half, with less room below than its pop-up needs
            page.evaluate(f"""() => {{ const r = document.querySelector('{marker}').getBoundingClientRect();
                window.scrollBy({{top: r.top - 300, behavior: 'instant'}}); }}""")
            page.focus(marker)
            box = page.eval_on_selector(marker, SHOWN_POP)
            bar_bottom = page.eval_on_selector(".toolbar", "b => b.getBoundingClientRect().bottom")
            if box is None or bar_bottom <= 0:
                continue
            checked += 1
            assert box["top"] >= bar_bottom, f"the pop-up of {marker} opens under the switch's bar"
        assert checked >= 20


@pytest.mark.external
def test_in_chromium_in_a_short_window_the_switch_is_not_sticky(browser, built):
    """A phone held sideways (844×390): the bar took a fifth of the height."""
    with opened(browser, built[ARTICLE], 844, 390, still=True) as page:
        assert page.eval_on_selector(".toolbar", "b => getComputedStyle(b).position") == "static"


@pytest.mark.external
def test_in_chromium_the_source_view_shades_the_correction_an_editors_back_link_leads_to(browser, built):
    """In the source view the editors' markers are hidden: a note's back-link landed on
    nothing to see. The correction the marker follows stands out instead, and the hidden
    marker takes no width (at 414px it widened the page by 2px)."""
    with opened(browser, built[ARTICLE], 414, 800, still=True) as page:
        page.check("#show-source")
        assert page.evaluate("document.documentElement.scrollWidth") <= 414
        page.evaluate("location.hash = '#ref-en-nominated'")
        shaded = page.eval_on_selector("#c-nominated", "c => getComputedStyle(c).backgroundColor")
        page.evaluate("location.hash = '#ref-fn1'")
        plain = page.eval_on_selector("#c-nominated", "c => getComputedStyle(c).backgroundColor")
        assert shaded != plain


@pytest.mark.external
def test_in_chromium_a_note_s_first_line_starts_where_its_hanging_indent_starts_the_others(browser, built):
    """The label's box, then a space, set each note's first word 5px further in than its
    later lines."""
    with opened(browser, built[ARTICLE], 1280, 900, still=True) as page:
        offsets = page.evaluate("""() => [...document.querySelectorAll('aside.note p')].map(p => {
            const label = p.querySelector('.note-label');
            let node = label.nextSibling;
            while (node && node.nodeType === 3 && !node.data.trim()) node = node.nextSibling;
            const first = document.createRange();
            if (node.nodeType === 3) { const i = node.data.search(/\\S/); first.setStart(node, i); first.setEnd(node, i + 1); }
            else first.selectNodeContents(node);
            const start = first.getClientRects()[0];
            const all = document.createRange(); all.selectNodeContents(p);
            const later = [...all.getClientRects()].filter(r => r.top >= start.bottom - 1).map(r => r.left);
            return later.length ? Math.abs(start.left - Math.min(...later)) : null; }).filter(d => d !== null)""")
        assert len(offsets) > 10 and max(offsets) < 0.6, offsets


@pytest.mark.external
def test_in_chromium_the_first_page_number_stands_at_the_heading_s_first_line(browser, built):
    """"p. 212" stood beside the title's second line; every other number stands at the
    line where its page begins."""
    for media in ("screen", "print"):
        with opened(browser, built[ARTICLE], 1280, 900, still=True) as page:
            page.emulate_media(media=media)
            number, line = page.evaluate("""() => { const n = document.querySelector('.text > .pb:first-child .pb-n').getBoundingClientRect();
                const range = document.createRange(); range.selectNodeContents(document.querySelector('.text > h2'));
                const l = range.getClientRects()[0]; return [(n.top + n.bottom) / 2, [l.top, l.bottom]]; }""")
            assert line[0] <= number <= line[1], (media, number, line)


@pytest.mark.external
def test_in_chromium_tab_keeps_the_focus_ring_clear_of_the_window_s_foot(browser, built):
    """Tab scrolled each element below the fold just into view, its ring cut off at the
    window's lower edge (WCAG 2.4.7, 2.4.11): each stops at least its ring's width above it."""
    with opened(browser, built[ARTICLE], 1280, 900, still=True) as page:
        clipped = []
        for _ in range(150):
            page.keyboard.press("Tab")
            bottom, where = page.evaluate("""() => { const e = document.activeElement;
                return [e.getBoundingClientRect().bottom, e.closest('.toolbar') ? 'switch' : (e.id || e.getAttribute('href'))]; }""")
            if where != "switch" and bottom > 900 - 5:
                clipped.append(where)
        assert clipped == []


@pytest.mark.external
@pytest.mark.parametrize("width", [320, 390])
def test_in_chromium_a_page_s_few_letters_stay_on_its_line(browser, built, width):
    """"215 a" at a line's end and "b c d" beginning the next read as a page of their own:
    a group of fewer than eight letters stays with its page number."""
    with opened(browser, built[ARTICLE], width, 800, still=True) as page:
        assert page.evaluate(SPLIT_LOCATOR_GROUPS) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
