"""The plain-text edition (tei_tools.text, xslt/text.xsl), read back as a reader would.

Built with the pipeline into tmp_path. The output is split into its sections (a heading is a
line underlined with "-" or "="); the running text and the notes are compared word for word
with the edition's reading text, the same comparison the fidelity test makes for the source.
"""
from __future__ import annotations

import copy
import itertools
import re
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from conftest import (EDITION_DIR, EDITORS_NOTE_LETTERS, FIXTURES, correction_context, filing_words, aside_text,
                      see_references)
from test_fidelity import differences
from tei_tools import text, transform
from tei_tools.cli import main
from readings import NS, reading_text, words

ARTICLE = EDITION_DIR / "mopr-1922-1924.xml"
LONG_WORDS = FIXTURES / "text" / "long-words.xml"
GAPS = FIXTURES / "text" / "gaps-and-supplied.xml"
SMALL = FIXTURES / "html" / "small-edition.xml"
PUNCTUATION = FIXTURES / "html" / "punctuation-corrections.xml"

PAGE_MARKER = re.compile(r"\[p\. ([^\]\s]+)\]")
AUTHOR_MARKER = re.compile(r"\[(\d+)\]")
EDITORIAL_MARKER = re.compile(r"\[([a-z]+)\]")
GAP_MARKER = "[…]"
UNCLEAR_MARK = "(?)"
ENTRY = re.compile(r"^\[(\w+)\] ")


# ---------------------------------------------------------------- building and reading


def build_txt(path: Path, out: Path, monkeypatch, epoch: str | None = None) -> bytes:
    if epoch is None:
        monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    else:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    report = transform.build([path], out, ["txt"])
    report.raise_for_failures()
    return (out / f"{path.stem}.txt").read_bytes()


@pytest.fixture(scope="module")
def article_txt(tmp_path_factory) -> str:
    with pytest.MonkeyPatch.context() as monkeypatch:
        data = build_txt(ARTICLE, tmp_path_factory.mktemp("txt"), monkeypatch)
    return data.decode("utf-8")


@pytest.fixture(scope="module")
def tei():
    return etree.parse(str(ARTICLE))


def sections(txt: str) -> list[tuple[str, str, str]]:
    """(heading, rule, text up to the next heading) in order: "=" marks the title, "-" a section."""
    lines = txt.split("\n")
    found, heading, rule, start = [], "", "", 0
    for i in range(1, len(lines)):
        line = lines[i]
        if line and len(set(line)) == 1 and line[0] in "-=" and len(line) == len(lines[i - 1]) and lines[i - 1].strip():
            found.append((heading, rule, "\n".join(lines[start:i - 1])))
            heading, rule, start = lines[i - 1], line[0], i + 1
    found.append((heading, rule, "\n".join(lines[start:])))
    return found


def section(txt: str, heading: str) -> str:
    matches = [body for title, rule, body in sections(txt) if title == heading and rule == "-"]
    assert len(matches) == 1, f"one section {heading!r} expected, found {len(matches)}"
    return matches[0]


def blocks(body: str) -> list[str]:
    """Paragraphs (blocks between blank lines), each as one line."""
    return [" ".join(block.split()) for block in body.split("\n\n") if block.strip()]


# "(p. 212) ", or "(pp. 212–213) " for a note that runs over to a later page
NOTE_PAGE = re.compile(r"\((?:p\.\s(\d+)|pp\.\s(\d+)–(\d+))\) ")


def note_entries(body: str, pages: dict[str, str] | None = None,
                 spans: dict[str, str] | None = None) -> dict[str, str]:
    """{label: text} of a notes section's entries "[label] (p. N) text"; the pages of their
    markers go to `pages`, what the parentheses give ("212", "212–213") to `spans`."""
    entries = {}
    for block in blocks(body):
        match = ENTRY.match(block)
        if match:
            assert match.group(1) not in entries, f"note {match.group(1)} listed twice"
            text = block[match.end():]
            page = NOTE_PAGE.match(text)
            if page:
                text = text[page.end():]
                if pages is not None:
                    pages[match.group(1)] = page.group(1) or page.group(2)
                if spans is not None:
                    spans[match.group(1)] = page.group(1) or f"{page.group(2)}–{page.group(3)}"
            entries[match.group(1)] = text
    return entries


def head_text(tree) -> str:
    return " ".join(tree.findtext(".//tei:body//tei:head", namespaces=NS).split())


def running_text(txt: str, tree) -> str:
    """The article's text: the section under the article's heading, up to the notes."""
    body = section(txt, head_text(tree))
    return body.removeprefix("(Title supplied by the editors.)")


def without_markers(value: str, pages_as: str | None = None) -> str:
    """The text with every marker removed; page markers kept as a word if asked."""
    value = PAGE_MARKER.sub(lambda m: f" {pages_as}{m.group(1)} " if pages_as else " ", value)
    value = AUTHOR_MARKER.sub(" ", value)
    value = EDITORIAL_MARKER.sub(" ", value)
    return value.replace(GAP_MARKER, " ")


def reading_with_pages(element, sentinel: str) -> str:
    """The element's reading text with each page break written as a word: <sentinel><n>."""
    element = copy.deepcopy(element)
    for pb in element.iter(f"{{{NS['tei']}}}pb"):
        pb.tail = f" {sentinel}{pb.get('n')} " + (pb.tail or "")
    return reading_text(element)


def continuations(note, tree) -> list:
    parts, nxt = [], note.get("next")
    while nxt:
        part = tree.xpath("//tei:note[@xml:id=$id]", namespaces=NS, id=nxt.lstrip("#"))[0]
        parts.append(part)
        nxt = part.get("next")
    return parts


def author_notes(tree) -> list:
    return tree.xpath("//tei:text//tei:note[not(@type='editorial')][not(@prev)]", namespaces=NS)


def editorial_notes(tree) -> list:
    return tree.xpath("//tei:text//tei:note[@type='editorial']", namespaces=NS)


# ---------------------------------------------------------------- nothing lost


def test_the_running_text_is_the_reading_text_with_each_page_where_it_begins(article_txt, tei):
    """Every word of the body, in order, nothing added; each page marker between the right words."""
    body = tei.find(".//tei:body", namespaces=NS)
    head = body.find(".//tei:head", namespaces=NS)
    # A page break before the heading stands above it (tested below), not in the running text.
    before_head = len(head.xpath("preceding-sibling::tei:pb", namespaces=NS))
    sentinel = "PAGEBREAK"
    expected = words(reading_with_pages(body, sentinel))[before_head:]
    actual = words(without_markers(running_text(article_txt, tei), pages_as=sentinel))
    assert differences(expected, actual) == []


def test_the_first_page_marker_stands_above_the_heading_it_precedes(article_txt, tei):
    first = tei.xpath("//tei:body//tei:head/preceding-sibling::tei:pb/@n", namespaces=NS)
    lines = [line for line in article_txt.split("\n") if line.strip()]
    heading = next(i for i, line in enumerate(lines[:-1])
                   if line == head_text(tei) and lines[i + 1] == "-" * len(line))
    assert first, "the article's first page break precedes its heading"
    assert lines[heading - 1] == f"[p. {first[0]}]"


def test_the_four_page_markers_of_the_article(article_txt, tei):
    flat = " ".join(running_text(article_txt, tei).split())
    assert re.search(r"those present\.\[[a-z]\] \[p\. 213\] The society's Bureau", flat)
    assert re.search(r"helped in the implementation of\[[a-z]\] \[p\. 214\] fundraising\. In January", flat)
    assert re.search(r"from bourgeois\[[a-z]\] \[p\. 215\] \"justice\" hundreds", flat)
    assert [m.group(1) for m in PAGE_MARKER.finditer(flat)] == ["213", "214", "215"]  # 212: above the heading


def test_each_author_note_is_whole_with_its_continuation_and_page(article_txt, tei):
    entries = note_entries(section(article_txt, "Notes"))
    for note in author_notes(tei):
        parts = [note, *continuations(note, tei)]
        # a continuation begins on the page whose break precedes it
        expected = words(" ".join(
            (f"PAGEBREAK{part.xpath('string(preceding::tei:pb[1]/@n)', namespaces=NS)} " if part is not note else "")
            + reading_text(part) for part in parts))
        actual = words(without_markers(entries[note.get("n")], pages_as="PAGEBREAK"))
        assert differences(expected, actual) == [], f"note {note.get('n')}"


@pytest.mark.parametrize(("section_name", "notes"), [("Notes", author_notes), ("Editors’ notes", editorial_notes)])
def test_each_note_gives_the_page_of_its_marker(article_txt, tei, section_name, notes):
    """A note in the notes list is cited by the page given with it (the nearest page marker
    before it is no guide there)."""
    pages: dict[str, str] = {}
    entries = note_entries(section(article_txt, section_name), pages)
    assert list(pages) == list(entries)
    expected = [note.xpath("string(preceding::tei:pb[1]/@n)", namespaces=NS) for note in notes(tei)]
    assert list(pages.values()) == expected


@pytest.mark.parametrize(("section_name", "notes"), [("Notes", author_notes), ("Editors’ notes", editorial_notes)])
def test_a_note_that_runs_over_to_a_later_page_gives_its_pages(article_txt, tei, section_name, notes):
    """"[1] (pp. 212–213)": footnote 1 begins at the foot of page 212 and its continuation
    stands on page 213; a note on one page gives that page alone."""
    spans: dict[str, str] = {}
    note_entries(section(article_txt, section_name), spans=spans)
    expected = []
    for note in notes(tei):
        first = note.xpath("string(preceding::tei:pb[1]/@n)", namespaces=NS)
        last_part = ([note, *continuations(note, tei)])[-1]
        last = last_part.xpath("string((preceding::tei:pb | .//tei:pb)[last()]/@n)", namespaces=NS)
        expected.append(first if last == first else f"{first}–{last}")
    assert list(spans.values()) == expected
    if section_name == "Notes":
        assert spans["1"] == "212–213"
        assert sum("–" in span for span in spans.values()) == 1
        assert re.search(r"^\[1\] +\(pp\. 212–213\) CPA IML", section(article_txt, "Notes"), re.M)


def test_footnote_1_is_joined_and_marks_page_213_inside(article_txt):
    note = note_entries(section(article_txt, "Notes"))["1"]
    assert re.search(r"in August 1922\[[a-z]\] \[p\. 213\] by the Government of Poland\.", note)


def test_each_editorial_note_is_listed_whole(article_txt, tei):
    entries = note_entries(section(article_txt, "Editors’ notes"))
    assert len(entries) == len(editorial_notes(tei))
    for label, note in zip(entries, editorial_notes(tei)):
        assert differences(words(reading_text(note)), words(without_markers(entries[label]))) == [], label


# ---------------------------------------------------------------- markers and notes


def test_author_markers_are_1_to_n_in_order_each_with_its_note(article_txt, tei):
    markers = AUTHOR_MARKER.findall(running_text(article_txt, tei))
    numbers = [n.get("n") for n in author_notes(tei)]
    assert markers == numbers == [str(i) for i in range(1, 13)]
    assert list(note_entries(section(article_txt, "Notes"))) == numbers


def test_editorial_markers_are_lettered_in_order_each_with_its_note(article_txt, tei):
    """Markers stand in the text or inside an author's note; each letter once, a, b, c …"""
    notes_body = "\n".join(note_entries(section(article_txt, "Notes")).values())
    in_text = EDITORIAL_MARKER.findall(running_text(article_txt, tei))
    in_notes = EDITORIAL_MARKER.findall(notes_body)
    entries = list(note_entries(section(article_txt, "Editors’ notes")))
    assert sorted(in_text + in_notes) == entries == list(EDITORS_NOTE_LETTERS[: len(editorial_notes(tei))])
    assert len(in_notes) == len(tei.xpath("//tei:note[not(@type='editorial')]//tei:note[@type='editorial']", namespaces=NS))


def test_lost_text_has_its_marker(article_txt, tei):
    # a gap inside the source's reading of a correction is not in the reading text
    in_reading = tei.xpath("//tei:body//tei:gap[not(ancestor::tei:sic or ancestor::tei:orig)]", namespaces=NS)
    assert running_text(article_txt, tei).count(GAP_MARKER) == len(in_reading)


def test_the_conventions_are_explained_in_the_file(article_txt):
    conventions = section(article_txt, "How to read this text")
    for marker in ("[p. 213]", "[1]", "[a]", GAP_MARKER):
        assert marker in conventions
    # the index's locators in a note, explained by the document's first note
    assert "“212n1” means page 212, note 1." in " ".join(conventions.split())


@pytest.mark.parametrize(("fixture", "explained"), [
    # the article's only lost text is in the source's reading of a correction
    (ARTICLE, "[…] Text lost in the source, in a source’s reading quoted under Corrections; an editors’ note says what is known."),
    # lost text in the running text (and in a corrected reading, which is the text's)
    (GAPS, "[…] Text lost in the source; an editors’ note says what is known."),
    (FIXTURES / "valid-minimal.xml", None),
])
def test_the_mark_of_lost_text_is_explained_where_the_reader_meets_it(fixture, explained, tmp_path, monkeypatch):
    """"[…]" was explained as a marker of the running text, where the article has none: its
    one "[…]" is in a source's reading quoted under Corrections. A file without lost text
    does not explain the mark."""
    conventions = " ".join(section(build_txt(fixture, tmp_path, monkeypatch).decode("utf-8"), "How to read this text").split())
    if explained is None:
        assert GAP_MARKER not in conventions
    else:
        assert explained in conventions


# ---------------------------------------------------------------- title block, corrections, index


def test_the_title_block_names_title_source_editors_licence_identifier_citation(article_txt, tei):
    title, rule, front = sections(article_txt)[1]
    assert rule == "="
    assert title == " ".join(tei.findtext(".//tei:titleStmt/tei:title[@type='supplied']", namespaces=NS).split())
    fields = dict(re.findall(r"^(\w[\w ]*):\s+(.*)$", front, flags=re.MULTILINE))
    assert fields["Title"] == "supplied by the editors"
    assert fields["Identifier"] == tei.findtext(".//tei:publicationStmt/tei:idno[@type='edition']", namespaces=NS)
    flat = " ".join(front.split())
    assert tei.find(".//tei:licence", namespaces=NS).get("target") in flat
    assert "The tei-tools editors" in fields["Editors"]
    assert "BIBLIO.VN" in flat and "212–215" in flat
    assert "Cite as" in fields


def correction_entries(txt: str) -> list[str]:
    return [b for b in blocks(section(txt, "Corrections")) if re.match(r"\d+\. p\. ", b)]


def collapsed(value: str) -> str:
    """White space as the Corrections section shows it: runs collapsed, ends kept."""
    return re.sub(r"\s+", " ", value)


def as_published(element) -> str:
    """The source's reading as the editions print it: what the source lost as "[…]"."""
    parts = [element.text or ""]
    for child in element:
        parts.append(GAP_MARKER if etree.QName(child).localname == "gap" else as_published(child))
        parts.append(child.tail or "")
    return "".join(parts)


def test_each_correction_is_listed_with_both_readings_certainty_and_reason(article_txt, tei):
    choices = tei.xpath("//tei:text//tei:choice[(tei:sic and tei:corr) or (tei:orig and tei:reg)]", namespaces=NS)
    entries = correction_entries(article_txt)
    assert len(entries) == len(choices)
    for entry, choice in zip(entries, choices):
        source = choice.find("tei:sic", NS) if choice.find("tei:sic", NS) is not None else choice.find("tei:orig", NS)
        fixed = choice.find("tei:corr", NS) if choice.find("tei:corr", NS) is not None else choice.find("tei:reg", NS)
        before, after = correction_context(choice) or ("", "")
        assert "“" + collapsed(before + as_published(source) + after) + "”" in entry
        assert "“" + collapsed(before + reading_text(fixed) + after) + "”" in entry
        if fixed.get("cert"):
            assert f"(certainty: {fixed.get('cert')})" in entry
        for pointer in (fixed.get("ana") or "").split():
            reason = tei.xpath("//tei:category[@xml:id=$id]/tei:catDesc", namespaces=NS, id=pointer.lstrip("#"))[0]
            assert " ".join(words(reading_text(reason))) in " ".join(words(entry))
        for note in tei.xpath("//tei:note[@target=$t]", namespaces=NS, t=f"#{choice.get('{http://www.w3.org/XML/1998/namespace}id')}"):
            assert " ".join(words(reading_text(note))) in " ".join(words(entry))



def test_a_gap_is_its_marker_and_supplied_letters_keep_their_marks_in_text_and_corrections(tmp_path):
    """The editors' description of a gap (gap/desc) is not the source's text: a correction's
    reading and a paragraph of lost lines show "[…]"; supplied letters keep ⟨ ⟩, and lost
    letters stay inside their word ("para[…]graph"), in the running text as in the list of
    corrections; a word the editors read with doubt is marked."""
    variant = tmp_path / GAPS.name
    source = GAPS.read_text(encoding="utf-8")
    assert source.count("paragraph goes on") == 1 and source.count("grew<note") == 1
    variant.write_text(source.replace("paragraph goes on", 'para<gap reason="lost" unit="chars" extent="unknown"/>graph goes on')
                       .replace("grew<note", "<unclear>grew</unclear><note"), encoding="utf-8")
    report = transform.build([variant], tmp_path / "out", ["txt"])
    report.raise_for_failures()
    txt = report.results[0].outputs[0].read_text(encoding="utf-8")
    assert "torn" not in txt
    flat = " ".join(txt.split())
    assert "“1923 the […] t⟨h⟩ing”" in flat
    assert "\n\n[…]\n\n" in txt  # the lost lines: a paragraph of their own
    text = " ".join(running_text(txt, etree.parse(str(variant))).split())
    assert "1923 the […] t⟨h⟩ing[b]" in text, text
    assert "para[…]graph goes on" in text and f"grew{UNCLEAR_MARK}" in text


def test_a_correction_of_punctuation_is_quoted_with_the_words_beside_it(tmp_path):
    """"-" corrected to "–" says nothing alone: the entry quotes the word on either side
    (none before a paragraph's first word); other corrections are quoted alone."""
    report = transform.build([PUNCTUATION], tmp_path, ["txt"])
    entries = [" ".join(e.split()) for e in correction_entries(report.results[0].outputs[0].read_text(encoding="utf-8"))]
    assert entries[0].startswith("1. p. 12: “Zetkin , and” corrected to “Zetkin, and” (certainty: high).")
    assert entries[3].startswith("4. p. 12: “- Across” corrected to “– Across” (certainty: high).")
    assert entries[4].startswith("5. p. 13: “1823” corrected to “1923” (certainty: medium).")

def note_label(note, tree) -> str:
    """A note as the edition labels it: the author's by its number (a continuation by its
    first part's), the editors' by their letter in the order of the text."""
    while note.get("prev"):
        note = tree.xpath("//tei:note[@xml:id=$id]", namespaces=NS, id=note.get("prev").lstrip("#"))[0]
    if note.get("type") == "editorial" or note.get("resp"):
        return EDITORS_NOTE_LETTERS[tree.xpath("//tei:text//tei:note[@type='editorial' or @resp]", namespaces=NS).index(note)]
    return note.get("n")


def expected_pages(entry, tree) -> list[str]:
    """The index's locators for a register entry, worked out from the TEI, in the Chicago
    style: "212", "212n1" (page 212, note 1; the innermost note) …, each once, page by page
    with the text's before the notes' (these in the order of the text)."""
    pages: list[str] = []
    first_page = tree.xpath("string((//tei:body//tei:pb)[1]/@n)", namespaces=NS)
    for name in tree.xpath("//tei:text//*[@ref=$ref]", namespaces=NS, ref=f"#{entry.get('{http://www.w3.org/XML/1998/namespace}id')}"):
        page = name.xpath("string(preceding::tei:pb[1]/@n)", namespaces=NS) or first_page
        notes = name.xpath("ancestor::tei:note[1]", namespaces=NS)
        token = page + (f"n{note_label(notes[0], tree)}" if notes else "")
        if token not in pages:
            pages.append(token)
    return sorted(pages, key=lambda t: (int(t.split("n")[0]), "n" in t))


def entry_label(entry) -> str:
    standard = entry.xpath("*[@type='standard' or @type='full'][1]", namespaces=NS)[0]
    whole = " ".join("".join(standard.itertext()).split())
    surname = standard.findtext("tei:surname", namespaces=NS)
    if not surname:
        return whole
    rest = " ".join(whole.replace(surname, " ", 1).split())  # forenames or initials
    return f"{surname}, {rest}" if rest else surname


SEE = re.compile(r"^(.+), see (.+)\.$")


def index_lines(txt: str, title: str) -> list[str]:
    """An index's lines, each whole (an entry or a "see" reference)."""
    index = section(txt, f"Index of {title}").strip().split("\n\n")[0]  # one entry a line
    return index.replace("\n    ", " ").split("\n")


@pytest.mark.parametrize("kind, title", [("person", "persons"), ("place", "places"), ("org", "organisations")])
def test_the_index_files_the_text_s_other_names_with_see(article_txt, tei, kind, title):
    """"Leninakan, see Aleksandropol.": a name the text uses is filed where a reader looks
    it up, among the entries in alphabetical order."""
    lines = index_lines(article_txt, title)
    see = {m.group(1): m.group(2).split("; ") for m in map(SEE.match, lines) if m}
    assert see == see_references(tei, kind)
    if kind == "place":
        assert see["Leninakan"] == ["Aleksandropol"]
    # filed by the name before the page numbers, or before ", see"
    names = [m.group(1) if (m := SEE.match(line)) else line.split(":")[0] for line in lines]
    # letter by letter, as the collation of lang="en" files ("Internationale" before
    # "International Organisation"): spaces and full stops do not count ("U.S.S.R." by "USSR")
    keys = ["".join(filing_words(name)) for name in names]
    assert keys == sorted(keys)


@pytest.mark.parametrize("kind, title", [("person", "persons"), ("place", "places"), ("org", "organisations")])
def test_the_index_lists_every_entry_with_its_pages(article_txt, tei, kind, title):
    lines = [line for line in index_lines(article_txt, title) if not SEE.match(line)]
    register = tei.xpath(f"//tei:standOff//tei:{kind}[@xml:id]", namespaces=NS)
    assert len(lines) == len(register)
    for entry in register:
        label = entry_label(entry)
        matching = [line for line in lines if line.startswith(label) and re.match(r"(?: \(.*?\))?: ", line[len(label):])]
        assert len(matching) == 1, label
        pages = re.match(r"(?: \(.*?\))?: ([^.]*)\.", matching[0][len(label):]).group(1).split(", ")
        assert pages == expected_pages(entry, tei), label
        standard = " ".join(entry.xpath("string(*[@type='standard' or @type='full'][1])", namespaces=NS).split())
        for form in entry.xpath("*[@type='source']", namespaces=NS):
            form = " ".join("".join(form.itertext()).split())
            assert form == standard or form in matching[0], (label, form)


@pytest.mark.parametrize("kind, title", [("person", "persons"), ("place", "places"), ("org", "organisations")])
def test_the_index_says_what_the_other_editions_registers_say_of_an_entry(article_txt, tei, kind, title):
    """The HTML and EPUB registers give each entry's notes, and a place's country and
    coordinates; the text edition's index gave its pages alone, and lost the editors'
    statements ("the entry's name is the editors' description")."""
    lines = [line for line in index_lines(article_txt, title) if not SEE.match(line)]
    words = lambda text: re.findall(r"\w+", text)
    checked = 0
    for entry in tei.xpath(f"//tei:standOff//tei:{kind}[@xml:id]", namespaces=NS):
        label = entry_label(entry)
        [line] = [line for line in lines if line.startswith(label) and re.match(r"(?: \(.*?\))?: ", line[len(label):])]
        after_pages = line.split(": ", 1)[1]
        for note in entry.xpath("tei:note", namespaces=NS):
            assert " ".join(words("".join(note.itertext()))) in " ".join(words(after_pages)), label
            checked += 1
        country = entry.xpath("normalize-space(tei:country)", namespaces=NS)
        modern = [" ".join(n.xpath("string()").split()) for n in entry.xpath("tei:placeName[@type='modern']", namespaces=NS)]
        if country and country not in modern:  # "(now Russia)" names it already
            assert f". {country}" in after_pages, label
            checked += 1
        geo = entry.xpath("normalize-space(tei:location/tei:geo)", namespaces=NS)
        if geo:
            lat, lon = (float(v) for v in geo.split())
            assert f"{abs(lat):.2f}° {'N' if lat >= 0 else 'S'}, {abs(lon):.2f}° {'E' if lon >= 0 else 'W'}." in after_pages, label
    assert checked > 10


@pytest.mark.parametrize("kind, title", [("place", "places"), ("org", "organisations")])
def test_the_names_in_parentheses_follow_an_entry_s_name_in_the_index(article_txt, tei, kind, title):
    """"Petrograd (Leningrad, January 1924 – 1991; now Saint Petersburg, since 1991): 215.",
    "Central Bureau of MOPR (CB of MOPR; Central Committee of MOPR, from 2 March 1923): …":
    the entry is filed under its name alone; its other names, with their dates, follow it in
    one pair of parentheses, as a person's years do."""
    lines = index_lines(article_txt, title)
    entries = [e for e in tei.xpath(f"//tei:standOff//tei:{kind}", namespaces=NS) if aside_text(e)]
    assert len(entries) >= 4
    for entry in entries:
        # the name alone: nothing printed in the parentheses is inside the name as well
        names = [" ".join("".join(n.itertext()).split()) for n in entry.xpath(
            "tei:placeName | tei:orgName", namespaces=NS) if n.get("type") not in ("standard", "source")]
        assert not [n for n in names if n and f"({n}" in entry_label(entry)], entry_label(entry)
        assert sum(line.startswith(f"{entry_label(entry)} ({aside_text(entry)}): ") for line in lines) == 1, entry_label(entry)


# ---------------------------------------------------------------- the file's form


@pytest.mark.parametrize("path", [ARTICLE, SMALL, LONG_WORDS], ids=lambda p: p.stem)
def test_no_line_is_longer_than_72_characters(path, tmp_path, monkeypatch):
    lines = build_txt(path, tmp_path, monkeypatch).decode("utf-8").split("\n")
    assert max(len(line) for line in lines) <= text.LINE_WIDTH
    assert not [line for line in lines if line != line.rstrip()], "no line ends in white space"


@pytest.mark.parametrize("padding", range(0, 72, 3))
def test_a_page_marker_is_never_split_across_lines(tmp_path, monkeypatch, padding):
    """"[p. 13]" stays whole on its line wherever the wrapping meets it: words put before
    the page break move the marker across every position of a line."""
    text = SMALL.read_text(encoding="utf-8").replace("<p>Across the page the", "<p>" + "x" * padding + " Across the page the", 1)
    variant = tmp_path / SMALL.name
    variant.write_text(text, encoding="utf-8")
    txt = build_txt(variant, tmp_path / "out", monkeypatch).decode("utf-8")
    lines = txt.split("\n")
    assert not [line for line in lines if re.search(r"\[p\.(?![\s\u00a0](\d+|…)\])", line)]  # "[p. …]": the citation's hint
    assert sum(line.count("[p. 13]") for line in lines) == 3  # the conventions' example, the text, note 1


def test_a_word_longer_than_a_line_is_cut_without_losing_a_character(tmp_path, monkeypatch):
    url = etree.parse(str(LONG_WORDS)).xpath("string(//tei:ref/@target)", namespaces=NS)
    assert len(url) > text.LINE_WIDTH
    txt = build_txt(LONG_WORDS, tmp_path, monkeypatch).decode("utf-8")
    note = next(block for block in section(txt, "Notes").split("\n\n") if block.startswith("[2] "))
    assert f"<{url}>" in "".join(line.strip() for line in note.split("\n"))  # cut only by line breaks


def test_utf8_nfc_lf_one_final_newline_and_single_blank_lines(article_txt):
    data = article_txt.encode("utf-8")
    assert data.decode("utf-8") == unicodedata.normalize("NFC", article_txt)
    assert b"\r" not in data
    assert data.endswith(b"\n") and not data.endswith(b"\n\n")
    assert b"\n\n\n" not in data
    assert "’" in article_txt and "–" in article_txt and "МОПР" in article_txt  # typographic characters kept


def test_as_plain_text_fixes_line_ends_normal_form_and_final_newline():
    decomposed = "Mic\u0301kevic\u030cius\r\nline\n\n\n"
    assert text.as_plain_text(decomposed) == "Mićkevičius\nline\n".encode("utf-8")


# ---------------------------------------------------------------- reproducibility and the command


def test_two_builds_are_byte_identical(tmp_path, monkeypatch):
    first = build_txt(ARTICLE, tmp_path / "one", monkeypatch)
    second = build_txt(ARTICLE, tmp_path / "two", monkeypatch)
    assert first == second


def test_the_build_date_is_source_date_epoch_else_the_revision_date(tmp_path, monkeypatch, tei):
    revised = tei.xpath("string(//tei:revisionDesc/tei:change[1]/@when)", namespaces=NS)
    assert f"Built on {revised} " in build_txt(ARTICLE, tmp_path / "a", monkeypatch).decode("utf-8")
    stamped = build_txt(ARTICLE, tmp_path / "b", monkeypatch, epoch="1700000000").decode("utf-8")
    assert "Built on 2023-11-14 " in stamped
    assert f"Built on {revised} " not in stamped


def test_tei_tools_build_format_txt_writes_stem_txt(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    result = CliRunner().invoke(main, ["build", "--format", "txt", "--out", str(tmp_path), str(SMALL)])
    assert result.exit_code == 0, result.output
    outputs = [p.name for p in tmp_path.iterdir() if not p.name.startswith(".")]  # the pipeline's own records are hidden
    assert outputs == ["small-edition.txt"]
    assert (tmp_path / "small-edition.txt").read_text(encoding="utf-8").startswith("A small test article on Red Aid\n===")


def test_unicode_line_separators_read_as_spaces():
    """U+2028 and U+2029 would end a line for some readers: the lines are already made."""
    assert text.as_plain_text("one\u2028two\u2029three") == b"one two three\n"


def _small_text(tmp_path, *changes: tuple[str, str]) -> str:
    source = FIXTURES / "html" / "small-edition.xml"
    text = source.read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text
        text = text.replace(old, new)
    variant = tmp_path / source.name
    variant.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--format", "txt", "--out", str(tmp_path / "out"), str(variant)])
    assert result.exit_code == 0, result.output
    return (tmp_path / "out" / "small-edition.txt").read_text(encoding="utf-8")


def test_a_year_known_within_bounds_keeps_its_bounds_in_the_index(tmp_path):
    txt = _small_text(tmp_path, ('<birth when="1857"/><death when="1933"/>', '<birth notBefore="1857" notAfter="1857-12"/><death from="1933" to="1934"/>'))
    assert "Zetkin, Clara (1857–1933/1934)" in " ".join(section(txt, "Index of persons").split())


def test_two_statements_of_responsibility_are_one_editors_field(tmp_path):
    txt = _small_text(tmp_path, ("</respStmt>", "</respStmt>\n        <respStmt><resp>Encoded by</resp><persName>A. Tester</persName></respStmt>"))
    assert [line for line in txt.splitlines() if line.startswith("Editors:")] == [
        "Editors:    The test editors (Edited by); A. Tester (Encoded by)"]


def test_the_citation_example_is_the_document_s_own_first_note(tmp_path):
    """Not the article's "p. 212, n. 1" in every edition."""
    txt = _small_text(tmp_path, ('<pb n="12"/>', '<pb n="40"/>'), ('<pb n="13"/>', '<pb n="41"/>'),
                      ('from="12" to="13">12–13', 'from="40" to="41">40–41'))
    assert "for a note, the page given with it (p. 40, n. 1)." in " ".join(txt.split())
    assert "212" not in txt


def test_the_index_gives_each_locator_once_in_the_chicago_style(tmp_path):
    """Moscow three times in the text of page 12, in footnote 1's continuation on page 13
    before it is named in the text there, twice in footnote 2: "12, 13, 13n1, 13n2"; the key
    explains "n" by the document's own first note."""
    moscow = '<placeName ref="#place-moscow">Moscow</placeName>'
    txt = _small_text(tmp_path, (f"was founded in {moscow}", f"was founded in {moscow} ({moscow}, {moscow})"),
                      ("paragraph goes on, and", f"paragraph goes on in {moscow}, and"),
                      ("see <ref target", f"in {moscow} and {moscow} see <ref target"))
    assert "Moscow: 12, 13, 13n1, 13n2. Soviet Russia, 55.76° N, 37.62° E." in index_lines(txt, "places")
    assert "Zetkin, Clara (1857–1933): 12, 13n2. German communist, a founder of German Red Aid. In the source: “K. Zetkin”." in index_lines(txt, "persons")
    assert "; “12n1” means page 12, note 1." in " ".join(section(txt, "How to read this text").split())


def test_a_register_s_own_heading_follows_the_index_s_name(tmp_path):
    txt = _small_text(tmp_path, ("<listPerson>", "<listPerson>\n      <head>People of the report</head>"),
                      ("<listPlace>", "<listPlace>\n      <head>Places</head>"))
    headings = [title for title, _, _ in sections(txt)]
    assert "Index of persons: People of the report" in headings and "Index of places" in headings


def test_a_division_s_heading_is_underlined_by_its_level(tmp_path):
    """The article's heading with "-", a division inside it with "~", one deeper with "."."""
    out = tmp_path / "out"
    transform.build([FIXTURES / "html" / "inline-markup.xml"], out, ["txt"]).raise_for_failures()
    lines = (out / "inline-markup.txt").read_text(encoding="utf-8").split("\n")
    rules = {lines[i - 1]: lines[i][0] for i in range(1, len(lines))
             if lines[i] and len(set(lines[i])) == 1 and lines[i][0] in "-~." and len(lines[i]) == len(lines[i - 1])}
    assert rules["A test of markup inside the text"] == "-"
    assert rules["The first section"] == "~"
    assert rules["A part of it"] == "." and rules["A part of the section without a heading"] == "."


def test_a_page_label_too_long_for_its_column_stands_on_its_own_line(tmp_path):
    txt = _small_text(tmp_path, ('<pb n="12"/>', '<pb n="123456789012"/>'), ('<pb n="13"/>', '<pb n="123456789013"/>'),
                      ('from="12" to="13">12–13', 'from="123456789012" to="123456789013">123456789012–13'))
    conventions = section(txt, "How to read this text")
    assert "\n[p. 123456789013]\n            Printed page 123456789013 of the original" in conventions
    assert all(len(line) <= 72 for line in txt.splitlines())


def test_a_quotation_inside_a_quotation_gets_single_marks(tmp_path):
    txt = _small_text(tmp_path, ("<q>Mauprat</q>", "<q>Mau<q>pr</q>at</q>"))
    assert "“Mau‘pr’at”" in " ".join(txt.split())


# ---------------------------------------------------------------- line breaks, citation, corrections in notes

_BOUND_BEFORE = [
    (re.compile(r"(?:\b(?:p|pp|No|l|f|d|S)\.|\bNN?)$"), re.compile(r"^\d")),  # "p. 213", "N 24", "l. 24"
    (re.compile(r"\b[IVX]+\.$"), re.compile(r"^\d")),  # "III. 1923"
    (re.compile(r"\b\d+\.$"), re.compile(r"^[IVX]+\.")),  # "18. III."
    (re.compile(r"(?:^|(?<!°)\s)[“‘(]?[A-Z]\.$"), re.compile(r"^[A-Z]")),  # "V. I. Lenin", “A. Gramsci” (not "37.62° E." closing an index entry)
]


def test_no_line_separates_a_number_from_its_abbreviation_an_initial_from_its_name_or_begins_with_a_dash(article_txt):
    lines = [line.strip() for line in article_txt.splitlines()]
    broken = [(a, b) for a, b in zip(lines, lines[1:]) if b and any(end.search(a) and start.search(b) for end, start in _BOUND_BEFORE)]
    assert broken == []
    assert [line for line in lines if line.startswith("- ")] == []


def test_the_title_block_names_the_version_and_the_citation_cites_it(article_txt, tei):
    version = tei.xpath("string(//tei:editionStmt/tei:edition/@n)", namespaces=NS)
    statement = " ".join(tei.xpath("string(//tei:editionStmt/tei:edition)", namespaces=NS).split())
    head = " ".join(article_txt.split("How to read this text")[0].split())
    assert f"Edition: {statement}" in head
    assert f"Digital edition, version {version}, " in head
    assert "Based on: " in head and ", pages 212–215 of the printed original." in head


def test_a_correction_in_an_author_s_note_gives_the_note(article_txt, tei):
    entries = blocks(section(article_txt, "Corrections"))[1:]
    choices = tei.xpath("//tei:text//tei:choice[tei:sic or tei:orig]", namespaces=NS)
    assert len(entries) == len(choices)
    for entry, choice in zip(entries, choices):
        note = choice.xpath("ancestor::tei:note[not(@type='editorial')][1]", namespaces=NS)
        if note:
            first = note[0] if note[0].get("n") else tei.xpath(f"//tei:note[@xml:id='{note[0].get('prev')[1:]}']", namespaces=NS)[0]
            assert re.match(rf"\d+\. p\. \d+, n\. {first.get('n')}: ", " ".join(entry.split())), entry
        else:
            assert re.match(r"\d+\. p\. \d+: ", " ".join(entry.split())), entry


def test_the_sections_have_the_names_the_html_edition_gives_them(article_txt, tmp_path):
    """A reader who quotes "see Editors’ notes" from one edition finds it in the other."""
    from lxml import html as lxml_html

    [result] = transform.build([ARTICLE], tmp_path, ["html"]).results
    page = lxml_html.parse(str(result.outputs[0])).getroot()
    for section_id in ("notes", "editorial-notes", "corrections"):
        [heading] = page.xpath(f"//section[@id='{section_id}']/h2")
        section(article_txt, heading.text_content().strip())  # exactly one text section of that name


@pytest.mark.parametrize(("editors", "cited"), [
    ("<orgName>The test editors</orgName>", "The test editors"),
    ("<orgName>Editorial Board of the Test</orgName>", "Editorial Board of the Test"),
    ("<orgName>Institute of History</orgName>", "Institute of History (eds.)"),
    ("<persName>Anna Petrova</persName>", "Anna Petrova (ed.)"),
    ("<persName>Anna Petrova</persName> <persName>Ivan Petrov</persName>", "Anna Petrova, Ivan Petrov (eds.)"),
])
def test_the_citation_abbreviates_editor_for_one_person_and_editors_otherwise(editors, cited, tmp_path, monkeypatch):
    """"Test Editor (eds.)" cited one person as several; "The test editors (eds.)" said
    "editors" twice: a body named as editors gets no abbreviation."""
    source = SMALL.read_text(encoding="utf-8")
    assert source.count("<orgName>The test editors</orgName>") == 1
    document = tmp_path / "small-edition.xml"
    document.write_text(source.replace("<orgName>The test editors</orgName>", editors), encoding="utf-8")
    lines = build_txt(document, tmp_path / "out", monkeypatch).decode("utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Cite as:"))
    field = [lines[start]] + list(itertools.takewhile(lambda line: line.startswith(" ") and line.strip(), lines[start + 1:]))
    citation = " ".join(" ".join(field).removeprefix("Cite as:").split())
    assert citation.startswith(cited + ". "), citation


def test_the_text_drops_an_unsafe_target_and_keeps_a_safe_one(tmp_path):
    """Defence in depth, as html.xsl: even a document that never passed validation gets no
    javascript: target printed; an https target is shown after its words."""
    from tei_tools import saxon

    unsafe = FIXTURES / "html" / "unsafe-link.xml"
    text = " ".join(saxon.transform("text.xsl", unsafe, {"build-date": "2024-01-01T00:00:00Z"}).output.split())
    assert "javascript:" not in text.replace("A test article with a javascript: link", "")
    assert "see a hostile link." in text
    safe = saxon.transform("text.xsl", GAPS, {"build-date": "2024-01-01T00:00:00Z"}).output
    assert "Wikidata <https://www.wikidata.org/wiki/Q76666>" in " ".join(safe.split())


def test_hyphens_are_plain_hyphens_a_search_finds(article_txt):
    """The header writes "‑a, ‑u" with non-breaking hyphens (U+2011) for the HTML's lines;
    the text's lines never break at a hyphen, and "-a" must find them."""
    assert "\u2011" not in article_txt
    assert "(-a, -u, -e)" in article_txt
