"""Nothing lost, nothing invented: the source's words against the edition's source reading.

The source is `edition/source/000_81dcb08b3cb23004.txt` (see its README): one line per
paragraph or footnote, `page N` closing each printed page, the web site's boilerplate
after `page 215`. Its words must be the words of the edition's source reading
(`sic`/`orig`, not the corrections), in the same order, the body and the notes apart;
and its punctuation marks must be the edition's, in the same places among the words.
"""
from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest
from lxml import etree

from readings import NS, author_notes, source_reading, tokens, words

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "edition" / "source" / "000_81dcb08b3cb23004.txt"
EDITION = ROOT / "edition" / "mopr-1922-1924.xml"
LAST_PAGE_LINE = "page 215"

# The footnote numbers of the running text are anchors, not words: each becomes the
# place of a <note>. Every deliberate difference between source and edition is listed
# here with its reason; anything else fails the test.
ANCHORS = {
    "Markhlevsky 1 .": "Markhlevsky .",
    'Red Cross" 2 .': 'Red Cross" .',
    'capital..." 3 So': 'capital..." So',
    "(IOPR)4 .": "(IOPR) .",
    'help. " 5': 'help. "',
    'death." 6 The': 'death." The',
    "IOPRA7 .": "IOPRA .",
    "camps8 .": "camps .",
    "Foundation .9": "Foundation .",
    "capital .10": "capital .",
    "prisons, 11 and": "prisons, and",
    "gold .12": "gold .",
}
# Footnote 1 continues on page 213 in a line without a number (source README).
NOTE_CONTINUATIONS = ("by the Government of Poland",)
FOOTNOTE_LINE = re.compile(r"(\d+) ")
PAGE_LINE = re.compile(r"page \d+")


def article_lines() -> list[str]:
    lines = SOURCE.read_text(encoding="utf-8").split("\n")
    return lines[: lines.index(LAST_PAGE_LINE) + 1]


def source_words(split=words) -> tuple[list[str], list[str]]:
    """The words of the source article (or its tokens, by `split`): (running text, footnotes)."""
    body, notes = [], []
    for line in article_lines():
        if PAGE_LINE.fullmatch(line):
            continue
        number = FOOTNOTE_LINE.match(line)
        if number:
            notes += split(line[number.end():])
        elif line.startswith(NOTE_CONTINUATIONS):
            notes += split(line)
        else:
            for anchored, plain in ANCHORS.items():
                line = line.replace(anchored, plain)
            body += split(line)
    return body, notes


@pytest.fixture(scope="module")
def edition():
    return etree.parse(str(EDITION))


def edition_words(tree, split=words) -> tuple[list[str], list[str]]:
    body = tree.find(".//{http://www.tei-c.org/ns/1.0}body")
    notes = []
    for note in author_notes(tree):
        notes += split(source_reading(note))
    return split(source_reading(body)), notes


def differences(expected: list[str], actual: list[str]) -> list[str]:
    matcher = difflib.SequenceMatcher(None, expected, actual, autojunk=False)
    return [
        f"{op}: source {expected[i1:i2]} edition {actual[j1:j2]} (source word {i1})"
        for op, i1, i2, j1, j2 in matcher.get_opcodes()
        if op != "equal"
    ]


def test_every_anchor_in_the_allowlist_occurs_once_in_the_source():
    text = SOURCE.read_text(encoding="utf-8")
    for anchored in ANCHORS:
        assert text.count(anchored) == 1, anchored


def test_body_words_are_the_source_words_in_order(edition):
    expected, _ = source_words()
    actual, _ = edition_words(edition)
    assert differences(expected, actual) == []


def test_note_words_are_the_source_words_in_order(edition):
    _, expected = source_words()
    _, actual = edition_words(edition)
    assert differences(expected, actual) == []


def test_body_punctuation_is_the_source_punctuation(edition):
    """Every mark in place among the words: a comma the markup drops is a loss too."""
    expected, _ = source_words(tokens)
    actual, _ = edition_words(edition, tokens)
    assert differences(expected, actual) == []


def test_note_punctuation_is_the_source_punctuation(edition):
    """In the notes, e.g. the commas between the parts of the archival reference in note 1."""
    _, expected = source_words(tokens)
    _, actual = edition_words(edition, tokens)
    assert differences(expected, actual) == []


def test_the_boilerplate_after_the_last_page_is_not_in_the_text(edition):
    text = source_reading(edition.find(".//{http://www.tei-c.org/ns/1.0}text"), keep_notes=True)
    for boilerplate in ("New publications", "Libmonster", "BIBLIO.VN", "Editorial Contacts"):
        assert boilerplate not in text


def test_the_omission_of_the_boilerplate_is_declared_in_the_header(edition):
    sampling = edition.xpath("string(//tei:samplingDecl)", namespaces=NS)
    assert "navigation and footer" in sampling


def test_a_lost_comma_would_be_caught(edition):
    """The punctuation comparison is not vacuous: one mark left out is reported."""
    _, expected = source_words(tokens)
    _, actual = edition_words(edition, tokens)
    actual.remove(",")
    assert len(differences(expected, actual)) == 1


def test_a_changed_word_would_be_caught(edition):
    """The comparison is not vacuous: one altered word in the edition is reported."""
    expected, _ = source_words()
    actual, _ = edition_words(edition)
    actual[100] = actual[100] + "x"
    assert len(differences(expected, actual)) == 1


def test_the_source_is_the_file_received_by_its_recorded_checksum():
    """The words are compared with the source; the source itself must be the file the
    editors received, whose SHA-256 its README records (fixity since receipt)."""
    import hashlib

    readme = (SOURCE.parent / "README.md").read_text(encoding="utf-8")
    recorded = re.search(r"SHA-256 of the file as received.*?`([0-9a-f]{64})`", readme, re.S)
    assert recorded, "edition/source/README.md records no SHA-256"
    assert hashlib.sha256(SOURCE.read_bytes()).hexdigest() == recorded.group(1)
    # and the header records the same checksum beside the file's name (tei-tools package compares them)
    header = etree.parse(str(EDITION)).findtext(".//tei:sourceDesc/tei:bibl/tei:idno[@type='sha256']", namespaces=NS)
    assert header == recorded.group(1)
