"""tei_tools.validate: RELAX NG then Schematron, with findings located at line:column."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import etree

from conftest import EDITION_DIR, FIXTURES, column_of, edition_xml_files, line_of
from tei_tools import validate
from tei_tools.errors import InputError
from tei_tools.parsing import SourceLines, parse_file

RNG_NS = "http://relaxng.org/ns/structure/1.0"
ANNOTATION_NS = "http://relaxng.org/ns/compatibility/annotations/1.0"


def test_valid_fixtures_have_no_findings():
    assert validate.validate_file(FIXTURES / "valid-minimal.xml") == []
    assert validate.validate_file(FIXTURES / "valid-article.xml") == []


@pytest.mark.parametrize(("fixture", "needle", "words"), [
    ("sch-name-without-ref.xml", "<text>", None),  # (located at the name: see below)
])
def test_editorial_warnings(fixture, needle, words):
    """A name that links to no entry is a warning (a name may be left unidentified on purpose)."""
    path = FIXTURES / fixture
    findings = validate.validate_file(path)
    assert validate.is_valid(findings)
    if words is None:
        [warning] = [f for f in findings if "points to no register entry" in f.message]
        needle = "<placeName>Moscow"
        assert '<placeName> "Moscow" in the text points to no register entry' in warning.message
    else:
        [warning] = [f for f in findings if words in f.message]
    assert warning.severity == "warning"
    line = line_of(path, needle)
    assert (warning.line, warning.column) == (line, column_of(path, line, needle.split()[0].split(">")[0]))


def _master_variant(tmp_path, old: str, new: str) -> list:
    text = (EDITION_DIR / "mopr-1922-1924.xml").read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    source = tmp_path / "master.xml"
    source.write_text(text.replace(old, new), encoding="utf-8")
    return validate.validate_file(source)


def test_an_incomplete_element_is_named_with_what_it_holds(tmp_path):
    """libxml2 says only "Expecting an element , got nothing" for a choice without its sic:
    the message names the element and what edition.rng says it holds."""
    errors = [f for f in _master_variant(tmp_path, '<choice xml:id="c-he"><sic>He</sic>', '<choice xml:id="c-he">') if f.severity == "error"]
    [error] = [f for f in errors if "the element ends too early" in f.message]
    assert "; <choice>: An editorial intervention: sic (the source's reading) with one corr" in error.message


@pytest.mark.parametrize(("old", "new", "said"), [
    # a value not in the list: the attribute's documentation and its values
    ('cert="low"', 'cert="Low"', "@cert of <corr>: How certain the intervention or identification is"),
    # a required attribute missing: libxml2 names none
    ('<pb n="213"/>', '<pb/>', '<pb> needs @n: The number printed on the page that begins here (e.g. "212") (a whole number from 1)'),
    # xml:lang and xml:id, which libxml2 calls "lang" and "id"
    ('<foreign xml:lang="ru-Latn">uyezd</foreign>', '<foreign xml:lang="ru_RU">uyezd</foreign>', "@xml:lang of <foreign>: Language of the content (BCP 47 tag"),
    ('xml:id="c-present"', 'xml:id="1c-present"', "@xml:id of <choice>: Identifier, unique in the file"),
])
def test_a_refused_attribute_is_explained_from_the_schema(tmp_path, old, new, said):
    """libxml2 says "Invalid attribute cert for element corr" or "Element pb failed to
    validate attributes"; Jing says what is missing or allowed: so does the message now,
    from the attribute's documentation and values in edition.rng."""
    errors = [f.message for f in _master_variant(tmp_path, old, new) if f.severity == "error"]
    assert any(said in message for message in errors), errors
    if "cert" in old:
        assert any("(one of: high, medium, low)" in message for message in errors), errors


def test_a_footnote_without_its_number_is_reported_once_not_at_every_later_one(tmp_path):
    findings = _master_variant(tmp_path, '<note place="foot" n="3" ', '<note place="foot" ')
    errors = [f.message for f in findings if f.severity == "error"]
    # the note itself, and the break in the numbering where it begins (footnote 4 is the third)
    assert len(errors) == 2, errors
    assert any("is neither" in m for m in errors) and any('Footnote n="4" is footnote number 3' in m for m in errors)


def test_a_page_break_without_a_number_is_reported_once(tmp_path):
    findings = _master_variant(tmp_path, '<pb n="213"/>', "<pb/>")
    errors = [f.message for f in findings if f.severity == "error"]
    assert len(errors) == 1 and "edition.rng" in errors[0], errors
    assert not [m for m in errors if "follows page" in m]


def test_the_master_without_its_first_page_break_is_invalid(tmp_path):
    findings = _master_variant(tmp_path, '<pb n="212"/>', "")
    errors = [f.message for f in findings if f.severity == "error"]
    assert len(errors) == 1 and 'comes before the first page break, n="213"' in errors[0], errors


def test_a_certainty_of_unknown_is_refused(tmp_path):
    """The edition's corrections are high, medium or low: "unknown" is no degree the
    reading editions print."""
    findings = _master_variant(tmp_path, 'cert="low"', 'cert="unknown"')
    errors = [f.message for f in findings if f.severity == "error"]
    assert len(errors) == 1 and "edition.rng" in errors[0] and "cert" in errors[0], errors


@pytest.mark.parametrize("path", edition_xml_files(), ids=lambda p: p.name)
def test_edition_is_valid(path):
    findings = validate.validate_file(path)
    assert validate.is_valid(findings), "\n".join(map(str, findings))


@pytest.mark.parametrize(
    ("fixture", "needle", "words"),
    [
        ("sch-dangling-pointer.xml", '<persName ref="#pers-nobody"', 'Pointer "#pers-nobody" on <persName> names no xml:id'),
        ("sch-footnotes-out-of-sequence.xml", '<note place="foot" n="3"', "is footnote number 2"),
        ("sch-page-gap.xml", '<pb n="3"/>', "follows page 1"),
        ("sch-date-without-when.xml", "<date>last spring", "has no normalised value"),
        ("sch-date-range-reversed.xml", '<date from="1924-03"', '@from="1924-03" is later than @to="1923"'),
        ("sch-split-note-not-linked.xml", '<note place="foot" n="1" xml:id="fn1" next=', "does not point back"),
        ("sch-javascript-link.xml", '<ref target="javascript:', '"javascript:alert(1)"'),
        # every pointer attribute, on any element: build only warned of these
        ("sch-javascript-in-corresp.xml", '<ref corresp="JavaScript:', '"JavaScript:alert(1)"'),
        ("sch-javascript-in-a-correction.xml", '<corr resp="#editors" cert="high" corresp=', '"javascript:alert(1)" on <corr>'),
        ("sch-name-with-two-refs.xml", '<persName ref="#pers-zetkin #pers-lenin"', "points to several entries"),
        ("sch-text-without-page-break.xml", "<text>", "The text has no page break"),
        ("sch-footnote-by-the-editors-not-counted.xml", '<note place="foot" n="2"', "is footnote number 1"),
        ("sch-register-entry-without-name.xml", '<person xml:id="pers-unnamed"', 'Register entry xml:id="pers-unnamed" has no name'),
        ("sch-name-of-another-kind.xml", '<persName ref="#place-moscow"', 'which is a <place>: a <persName> names a person'),
        ("sch-link-to-a-paragraph.xml", '<ref target="#para-two"', 'which the reading editions do not write as a place to link to'),
        ("sch-continuation-with-a-number.xml", '<note place="foot" n="2" xml:id="fn1-cont"', "has no n: it bears the number"),
        ("sch-continuation-on-the-same-page.xml", '<note place="foot" xml:id="fn1-cont"', "stands on the same page as the part it continues"),
        ("sch-unanchored-note-that-continues-nothing.xml", '<note place="foot" n="1" xml:id="fn1" next="#fn1-cont" anchored="false"', 'Note anchored="false": only the continuation of a note'),
        ("sch-correction-without-certainty.xml", '<corr resp="#editors">', "<corr> without @cert"),
        ("sch-regularisation-without-resp.xml", "<reg>", "<reg> without @resp"),
        ("sch-correction-analysed-as-a-person.xml", '<corr resp="#editors" cert="high" ana=', '@ana="#pers-zetkin" is no category'),
        ("sch-source-checksum-not-sha256.xml", '<idno type="sha256">', 'The SHA-256 "E58D39F1" is not 64 lower-case hexadecimal digits'),
        ("sch-correction-analysed-as-a-heading.xml", '<corr resp="#editors" cert="high" ana=', '@ana="#mt-punctuation" is a category divided into kinds (the first: mt-apostrophe): point it to the kind'),
        ("sch-editors-note-by-a-place.xml", '<note type="editorial" resp="#place-moscow"', '@resp="#place-moscow" names no editor'),
        ("sch-empty-paragraph.xml", "<p/>", "An empty <p>"),
        ("sch-two-articles.xml", '<div type="article"><p>A second', "one article per file"),
        ("sch-edition-identifier-with-spaces.xml", '<idno type="edition">valid article', "names its deposit package"),
        # editorial rules that only the master file's tests used to check
        ("sch-regularisation-without-category.xml", '<reg resp="#editors">', "without @ana: the header commits every correction"),
        ("sch-correction-that-changes-nothing.xml", '<corr resp="#editors" cert="high"><orgName ref="#org-mopr">Mauprat', "reads exactly as its <sic>, so it corrects nothing"),
        ("sch-two-standard-names.xml", '<person xml:id="pers-zetkin"', 'has 2 names of type="standard"; keep one'),
        ("sch-person-with-source-names-only.xml", '<person xml:id="pers-zetkin"', 'has only the source\'s forms of its name (type="source")'),
        ("sch-born-after-death.xml", '<person xml:id="pers-zetkin"', "was born (1957) after dying (1933)"),
        ("sch-date-year-not-four-digits.xml", '<date when="19221101"', 'the year of "19221101" is not four digits'),
        # text before the first page break would be cited by no page (here: <pb n="12"/> left out)
        ("sch-text-before-first-page-break.xml", '<pb n="13"/>', 'Text ("A small test article") comes before the first page break, n="13"'),
        ("sch-note-between-paragraphs.xml", '<note type="editorial" resp="#editors" xml:id="en-stray"', "a note stands where its marker goes, inside the paragraph"),
        ("sch-endnote.xml", '<note place="end"', 'Note place="end": the reading editions print the author\'s notes as footnotes only; write place="foot"'),
        # organisations are named type="full" (the schema refuses type="standard" on orgName)
        ("sch-organisation-without-name.xml", '<org xml:id="org-mopr"', 'has no name: give it a <orgName type="full">'),
        # located at the element that has the id, not at the TEI root or at the page break
        ("sch-reserved-id-on-a-note.xml", '<note type="editorial" resp="#editors" xml:id="corrections"', 'xml:id="corrections" on <note> is also the id of a section'),
        ("sch-page-anchor-on-a-correction.xml", '<choice xml:id="p13"', 'xml:id="p13" on <choice> is also the anchor of printed page 13'),
    ],
)
def test_schematron_error_is_located_at_the_element(fixture, needle, words):
    path = FIXTURES / fixture
    findings = validate.validate_file(path)
    assert not validate.is_valid(findings)
    errors = [f for f in findings if f.severity == "error"]
    assert len(errors) == 1, errors
    error = errors[0]
    assert words in error.message
    line = line_of(path, needle)
    assert (error.line, error.column) == (line, column_of(path, line, needle.split()[0]))


@pytest.mark.parametrize(("attributes", "in_order"), [
    ('from="1922" to="1922-03"', True),  # a year, then a month of it: in order
    ('from="1922-03-18" to="1922-03-18"', True),
    ('notBefore="--03-18" notAfter="--03-20"', True),  # a recurring day, every year
    ('from="1922-03-19" to="1922-03-18"', False),
    ('notBefore="1923" notAfter="1922-12-31"', False),
    ('notBefore="1922-01-01T10:00:00" notAfter="1921"', False),
    ('from="-0100" to="-0044"', True),  # years before 1 are not compared (no false alarm)
    ('from="-0044" to="0010"', True),
    ('from="1923Z" to="1922Z"', False),  # a time zone is left out
    ('from="1923-05+03:00" to="1922-01+03:00"', False),
    ('from="1923-05:00" to="1922"', False),  # a year with the zone -05:00, not May
    ('from="1922-05-05:00" to="1922-05"', True),  # May 1922 with the zone -05:00, within May
    ('from="1924" notAfter="1923"', False),  # a start and an end of the other kind
    ('notBefore="1924" to="1923"', False),
    ('from=" 1924" to="1923"', False),  # spaces around a value are allowed, and left out
])
def test_a_range_that_ends_before_it_begins_is_an_error(tmp_path, attributes, in_order):
    """In the text's dates, the registers' births and deaths, places' and organisations'
    later names and the header's dates alike."""
    text = (FIXTURES / "sch-date-range-reversed.xml").read_text(encoding="utf-8")
    in_text = text.replace('from="1924-03" to="1923"', attributes)
    in_register = text.replace('from="1924-03" to="1923"', 'when="1923"').replace(
        '<persName type="standard">Clara Zetkin</persName>',
        f'<persName type="standard">Clara Zetkin</persName><birth {attributes}>in 1857</birth>')
    in_header = text.replace('from="1924-03" to="1923"', 'when="1923"').replace(
        '<p>Invented for the test suite.</p>', f'<p>Invented for the test suite on <date {attributes}>a day</date>.</p>')
    variants = [("text.xml", in_text), ("register.xml", in_register), ("header.xml", in_header)]
    if "notBefore" not in attributes and "notAfter" not in attributes:  # a name's period is @from/@to only
        # a later name with an id of its own (its pointer checks) is checked as well
        variants += [
            ("place.xml", text.replace('from="1924-03" to="1923"', 'when="1923"').replace(
                '</listPerson>', '</listPerson><listPlace><place xml:id="place-petrograd"><placeName type="standard">'
                f'Petrograd</placeName><placeName type="later" {attributes}>Leningrad</placeName></place></listPlace>')),
            ("org.xml", text.replace('from="1924-03" to="1923"', 'when="1923"').replace(
                '</listPerson>', '</listPerson><listOrg><org xml:id="org-cb"><orgName type="full">Central Bureau</orgName>'
                f'<orgName type="later" xml:id="org-cb-later" {attributes}>Central Committee</orgName></org></listOrg>'))]
    for name, variant in variants:
        path = tmp_path / name
        path.write_text(variant, encoding="utf-8")
        errors = [f for f in validate.validate_file(path) if f.severity == "error"]
        assert (errors == []) is in_order, (name, errors)
        assert all("is later than" in f.message for f in errors)


@pytest.mark.parametrize("attribute", ['when="1931"', 'notBefore="1931"', 'notAfter="1990"'])
def test_a_register_name_is_dated_by_from_and_to_only(tmp_path, attribute):
    """The editions print a name's period from @from and @to: another date attribute would
    be lost from them, so the schema refuses it."""
    text = (FIXTURES / "sch-date-range-reversed.xml").read_text(encoding="utf-8").replace(
        'from="1924-03" to="1923"', 'when="1923"').replace(
        '</listPerson>', '</listPerson><listPlace><place xml:id="place-tver"><placeName type="standard">Tver</placeName>'
        f'<placeName type="later" {attribute}>Kalinin</placeName></place></listPlace>')
    path = tmp_path / "name.xml"
    path.write_text(text, encoding="utf-8")
    errors = [f for f in validate.validate_file(path) if f.severity == "error"]
    assert len(errors) == 1 and attribute.split("=")[0] in errors[0].message
    assert "is dated, with @from and @to" in errors[0].message


@pytest.mark.parametrize("entry", [
    '<listPlace><place xml:id="place-tver"><placeName type="standard" from="1920">Tver</placeName></place></listPlace>',
    '<listPlace><place xml:id="place-tver"><placeName type="source" to="1931">Tver</placeName></place></listPlace>',
    '<listOrg><org xml:id="org-cb"><orgName type="full" from="1922-12-10">Central Bureau</orgName></org></listOrg>',
])
def test_only_a_later_or_modern_name_is_dated(tmp_path, entry):
    """The editions print the dates of later and modern names only: a date on the name of
    the article's years, or on a form the source uses, would be lost, so the schema
    refuses it."""
    text = (FIXTURES / "sch-date-range-reversed.xml").read_text(encoding="utf-8").replace(
        'from="1924-03" to="1923"', 'when="1923"').replace('</listPerson>', '</listPerson>' + entry)
    path = tmp_path / "name.xml"
    path.write_text(text, encoding="utf-8")
    errors = [f for f in validate.validate_file(path) if f.severity == "error"]
    assert len(errors) == 1, errors
    assert 'only a name borne later (type="later") or today' in errors[0].message and "@from and @to" in errors[0].message


def test_duplicate_id_is_reported_at_both_elements():
    path = FIXTURES / "sch-duplicate-id.xml"
    findings = validate.validate_file(path)
    assert [f.severity for f in findings] == ["error", "error"]
    assert all('xml:id="fn1" is used 2 times' in f.message for f in findings)
    assert [f.line for f in findings] == [line_of(path, 'n="1" xml:id="fn1"'), line_of(path, 'n="2" xml:id="fn1"')]


def test_unreferenced_register_entry_is_only_a_warning():
    path = FIXTURES / "sch-unreferenced-register-entry.xml"
    findings = validate.validate_file(path)
    assert [f.severity for f in findings] == ["warning"]
    assert 'xml:id="pers-unused"' in findings[0].message
    assert findings[0].line == line_of(path, 'xml:id="pers-unused"')
    assert validate.is_valid(findings)


@pytest.mark.parametrize(
    ("fixture", "needle", "words"),
    [
        ("invalid-schema-unknown-element.xml", "<seg>", "seg"),
        ("invalid-schema-bad-date.xml", 'when="30.11.1922"', "when"),
        # a page the editions would anchor, cite and index does not exist: "i" is no number
        ("invalid-schema-page-number-not-a-number.xml", '<pb n="i"/>', "n"),
        # valid TEI (tei_all), but text the reading editions would not render
        ("invalid-schema-back-matter.xml", "<back>", "back"),
        ("invalid-schema-paragraph-in-note.xml", "<p>See", "Did not expect element p"),
        ("invalid-schema-quotation-beside-paragraphs.xml", "<quote>Workers", "Did not expect element quote"),
        ("invalid-schema-settlement-in-a-place.xml", "<settlement>", "Did not expect element settlement"),
    ],
)
def test_relaxng_errors_carry_line_and_column(fixture, needle, words):
    path = FIXTURES / fixture
    findings = validate.validate_file(path)
    line = line_of(path, needle)
    first = findings[0]
    assert first.severity == "error"
    assert "edition.rng" in first.message and words in first.message
    assert first.line == line
    assert first.column > 1


@pytest.mark.parametrize(("original", "padded", "attribute"), [
    ('type="supplied"', 'type=" supplied "', 'type'),  # an enumerated value
    ('ident="en"', 'ident=" en "', 'ident'),  # a language tag
    ('cert="high"', 'cert="high "', 'cert'),
])
def test_a_value_compared_as_written_may_not_have_spaces_around_it(tmp_path, original, padded, attribute):
    """RELAX NG's token type would accept " supplied ", and the stylesheets would not take it
    for "supplied": such values are strings with a pattern, and the message says why."""
    source = tmp_path / "padded.xml"
    text = (FIXTURES / "html" / "small-edition.xml").read_text(encoding="utf-8")
    assert original in text
    source.write_text(text.replace(original, padded, 1), encoding="utf-8")
    errors = [f for f in validate.validate_file(source) if f.severity == "error"]
    assert len(errors) == 1, errors
    line = next(number for number, content in enumerate(text.splitlines(), 1) if original in content)
    assert errors[0].line == line
    assert f'{attribute}="{padded.split(chr(34))[1]}" has spaces around its value' in errors[0].message


@pytest.mark.parametrize(("original", "changed", "words"), [
    # an author's note without a number would be numbered by position, like footnote 2
    ("grew<note place=\"foot\" n=\"2\" xml:id=\"fn2\">", "grew<note>An aside.</note><note place=\"foot\" n=\"2\" xml:id=\"fn2\">",
     "is neither: add place and n, or type and resp"),
    # a note inside a name that links to its register entry: a link inside a link
    ("<placeName ref=\"#place-moscow\">Moscow</placeName> on", "<placeName ref=\"#place-moscow\">Moscow<note type=\"editorial\" resp=\"#editors\">Then the capital.</note></placeName> on",
     "A note inside <placeName> would put its marker, a link, inside a link"),
    # a link inside a name that links to its entry would lose its target
    ("<persName ref=\"#pers-zetkin\">K. Zetkin</persName>", "<persName ref=\"#pers-zetkin\">K. <ref target=\"https://example.org/\">Zetkin</ref></persName>",
     "A <ref> inside <persName> would be a link inside a link"),
])
def test_what_the_reading_editions_could_not_render_is_an_error(tmp_path, original, changed, words):
    text = (FIXTURES / "html" / "small-edition.xml").read_text(encoding="utf-8")
    assert original in text
    source = tmp_path / "note.xml"
    source.write_text(text.replace(original, changed, 1), encoding="utf-8")
    errors = [f for f in validate.validate_file(source) if f.severity == "error"]
    assert [f.message for f in errors if words in f.message], errors
    line = next(number for number, content in enumerate(text.splitlines(), 1) if original in content)
    assert all(f.line == line for f in errors)


@pytest.mark.parametrize(("old_id", "new_id"), [
    ("pers-zetkin", "notes"),  # the notes section of the HTML edition
    ("choice-mopr", "p13"),  # the anchor of printed page 13
    ("en-year", "registers"),
    ("en-gap", "map-desc"),  # the map's description
])
def test_an_id_the_reading_editions_use_for_their_own_parts_is_an_error(tmp_path, old_id, new_id):
    text = (FIXTURES / "html" / "small-edition.xml").read_text(encoding="utf-8")
    source = tmp_path / "reserved.xml"
    source.write_text(text.replace(f'xml:id="{old_id}"', f'xml:id="{new_id}"').replace(f"#{old_id}", f"#{new_id}"), encoding="utf-8")
    errors = [f for f in validate.validate_file(source) if f.severity == "error"]
    assert len(errors) == 1 and f'xml:id="{new_id}"' in errors[0].message and "choose another" in errors[0].message, errors
    # located at the element that has the id (not at the TEI root, nor at the page break)
    assert errors[0].line == line_of(source, f'xml:id="{new_id}"')


def test_an_id_the_reading_editions_do_not_write_may_look_like_theirs(tmp_path):
    """A paragraph's xml:id is not written into the outputs: "p1" is fine there."""
    text = (FIXTURES / "html" / "small-edition.xml").read_text(encoding="utf-8")
    source = tmp_path / "paragraph.xml"
    source.write_text(text.replace("<p>The idea came from", '<p xml:id="p1">The idea came from', 1), encoding="utf-8")
    assert validate.is_valid(validate.validate_file(source))


@pytest.fixture
def own_schemas(tmp_path, monkeypatch):
    """Copies of the schemas to break; the compiled ones are forgotten before and after."""
    rng, sch = tmp_path / "edition.rng", tmp_path / "edition.sch"
    rng.write_bytes(validate.RNG_PATH.read_bytes())
    sch.write_bytes(validate.SCH_PATH.read_bytes())
    validate.forget_schemas()
    monkeypatch.setattr(validate, "RNG_PATH", rng)
    monkeypatch.setattr(validate, "SCH_PATH", sch)
    yield rng, sch
    validate.forget_schemas()


@pytest.mark.parametrize(("which", "old", "new", "words"), [
    ("rng", '<define name="pb">', '<define name="pb"', "cannot compile the RELAX NG schema"),
    ("sch", '<rule context="tei:text">', '<rule context="tei:text[">', "cannot compile the Schematron rules"),
])
def test_a_broken_schema_is_one_located_error_not_a_traceback(own_schemas, which, old, new, words):
    from click.testing import CliRunner

    from tei_tools.cli import main
    from tei_tools.errors import SchemaError

    path = own_schemas[0] if which == "rng" else own_schemas[1]
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(SchemaError) as raised:
        validate.validate_file(EDITION_DIR / "mopr-1922-1924.xml")
    finding = raised.value.finding
    assert finding.path == str(path) and finding.line > 0 and words in finding.message
    result = CliRunner().invoke(main, ["validate", str(EDITION_DIR / "mopr-1922-1924.xml")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.strip().splitlines() == [str(finding)]


def test_a_register_entry_without_a_name_is_an_error(tmp_path):
    """The registers, the map and the names' hover titles show an entry by its name."""
    text = (FIXTURES / "html" / "small-edition.xml").read_text(encoding="utf-8")
    names = '<persName type="standard"><forename>Clara</forename> <surname>Zetkin</surname></persName>\n        <persName type="source">K. Zetkin</persName>'
    assert names in text
    source = tmp_path / "nameless.xml"
    source.write_text(text.replace(names, "", 1), encoding="utf-8")
    errors = [f for f in validate.validate_file(source) if f.severity == "error"]
    assert len(errors) == 1 and 'Register entry xml:id="pers-zetkin" has no name: give it a <persName type="standard">' in errors[0].message


@pytest.mark.parametrize("coordinates", ["95 37.6", "55.7 200", "55,7 37,6"])
def test_coordinates_off_the_globe_are_refused_with_what_the_schema_expects(tmp_path, coordinates):
    text = (FIXTURES / "html" / "small-edition.xml").read_text(encoding="utf-8")
    assert "<geo>55.7558 37.6173</geo>" in text
    source = tmp_path / "geo.xml"
    source.write_text(text.replace("<geo>55.7558 37.6173</geo>", f"<geo>{coordinates}</geo>", 1), encoding="utf-8")
    [error] = [f for f in validate.validate_file(source) if f.severity == "error"]
    line = next(number for number, content in enumerate(text.splitlines(), 1) if "<geo>55.7558" in content)
    assert (error.line, error.column) == (line, text.splitlines()[line - 1].index("<geo>") + 1)
    assert "<geo>: Coordinates" in error.message and "a latitude from -90 to 90" in error.message


def test_a_second_correction_in_one_choice_is_refused(tmp_path):
    """The reading editions show one correction per choice: a second would be lost, so the
    schema takes one (an alternative goes in an editors' note)."""
    text = (FIXTURES / "html" / "small-edition.xml").read_text(encoding="utf-8")
    corr = '<corr resp="#editors" cert="medium">1923</corr>'
    assert corr in text
    source = tmp_path / "two.xml"
    source.write_text(text.replace(corr, corr + '<corr resp="#editors" cert="low">1925</corr>', 1), encoding="utf-8")
    errors = [f for f in validate.validate_file(source) if f.severity == "error"]
    assert errors and all("edition.rng" in f.message for f in errors)
    assert any("corr" in f.message for f in errors)


def test_a_page_break_in_the_editors_own_text_is_an_error(tmp_path):
    """Printed pages are the source's: a page break inside an editors' note (or supplied
    text) would give the page an anchor in the editors' words."""
    text = (FIXTURES / "html" / "small-edition.xml").read_text(encoding="utf-8")
    text = text.replace('<pb n="13"/><note place="foot" xml:id="fn1-cont"', '<note place="foot" xml:id="fn1-cont"', 1)
    source = tmp_path / "pb.xml"
    source.write_text(text.replace("A misprint.</note>", 'A mis<pb n="13"/>print.</note>', 1), encoding="utf-8")
    errors = [f for f in validate.validate_file(source) if f.severity == "error"]
    # (the continuation that the page break no longer precedes is reported as well)
    assert any("stands in the editors' own text (note)" in f.message for f in errors), errors


def test_hostile_input_raises_input_error():
    with pytest.raises(InputError):
        validate.validate_file(FIXTURES / "hostile-xxe-local-file.xml")


def test_schemas_are_compiled_once():
    assert validate.relaxng() is validate.relaxng()
    assert validate.schematron() is validate.schematron()


def test_validate_tree_matches_validate_file():
    path = FIXTURES / "sch-page-gap.xml"
    assert validate.validate_tree(parse_file(path), path) == validate.validate_file(path)


def test_every_element_and_attribute_is_documented():
    schema = etree.parse(str(validate.RNG_PATH))
    undocumented = [
        f"{etree.QName(node).localname} {node.get('name')} (line {node.sourceline})"
        for node in schema.iter(f"{{{RNG_NS}}}element", f"{{{RNG_NS}}}attribute")
        if node.find(f"{{{ANNOTATION_NS}}}documentation") is None
    ]
    assert undocumented == []


def test_summary_line_counts_files_errors_and_warnings():
    report = validate.validate_paths([
        FIXTURES / "valid-minimal.xml",
        FIXTURES / "sch-duplicate-id.xml",
        FIXTURES / "sch-unreferenced-register-entry.xml",
        FIXTURES / "empty.xml",
    ])
    assert report.summary() == "4 files: 2 valid, 2 invalid (3 errors, 1 warning)"
    assert not report.valid
    assert report.as_dict()["summary"] == {"files": 4, "valid": 2, "invalid": 2, "errors": 3, "warnings": 1}


def test_an_empty_tei_element_says_what_is_wrong(tmp_path):
    from tei_tools.validate import validate_file

    doc = tmp_path / "bare.xml"
    doc.write_text('<TEI xmlns="http://www.tei-c.org/ns/1.0"/>\n')
    [finding] = validate_file(doc)
    assert "an element required here is missing" in finding.message
    assert "Expecting an element ," not in finding.message


def _small_variant(tmp_path, old: str, new: str) -> list:
    text = (FIXTURES / "html" / "small-edition.xml").read_text(encoding="utf-8")
    assert old in text
    source = tmp_path / "variant.xml"
    source.write_text(text.replace(old, new, 1), encoding="utf-8")
    return [f for f in validate.validate_file(source) if f.severity == "error"]


def test_a_note_inside_a_source_reading_is_an_error(tmp_path):
    """The editions print the source's reading as plain text: the note would be lost."""
    errors = _small_variant(tmp_path, "<sic>1823</sic>", '<sic>1823<note type="editorial" resp="#editors" xml:id="en-lost">Lost.</note></sic>')
    assert len(errors) == 1 and "would be lost from the reading editions" in errors[0].message


def test_a_correction_in_the_header_is_an_error(tmp_path):
    errors = _small_variant(tmp_path, "</licence>", '</licence><p>A <choice><sic>rong</sic><corr resp="#editors" cert="high">wrong</corr></choice> word.</p>')
    assert len(errors) == 1 and "belongs in the text" in errors[0].message


def test_a_page_break_inside_a_note_is_an_error(tmp_path):
    """A note over two pages is two notes (@next/@prev); a break inside one would give the
    page of the text after it."""
    errors = _small_variant(tmp_path, "which was read by</note>", 'which was read by<pb n="13"/> many</note>')
    assert any("A page break inside a note" in f.message for f in errors), errors


def _with_schema_links(folder: Path, name: str, href: str) -> Path:
    """valid-minimal.xml in `folder`, its two schema links pointing to `href` + edition.rng/.sch."""
    text = (FIXTURES / "valid-minimal.xml").read_text(encoding="utf-8").replace('href="../../schema/', f'href="{href}')
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def test_a_schema_link_that_leads_nowhere_is_a_warning(tmp_path: Path):
    """A file copied one folder deeper keeps ../schema/, and editors then validate nothing."""
    (tmp_path / "schema").symlink_to(validate.SCHEMA_DIR)
    here = _with_schema_links(tmp_path / "edition", "a.xml", "../schema/")
    deeper = _with_schema_links(tmp_path / "edition" / "1924", "b.xml", "../schema/")
    mended = _with_schema_links(tmp_path / "edition" / "1924", "c.xml", "../../schema/")
    assert validate.schema_link_findings(parse_file(here), str(here)) == []
    findings = validate.schema_link_findings(parse_file(deeper), str(deeper))
    assert [(f.line, f.column, f.severity) for f in findings] == [(2, 1, "warning"), (3, 1, "warning")]
    assert 'href="../schema/edition.rng" leads to no file' in findings[0].message
    assert validate.schema_link_findings(parse_file(mended), str(mended)) == []
    assert [f.severity for f in validate.validate_file(deeper)] == ["warning", "warning"]  # and the file is valid


def test_links_that_check_less_than_the_command_line_are_warnings(tmp_path: Path):
    """Oxygen silently stops applying the rules when the Schematron link is gone or names
    Schematron 1.5; a file without any link (for the command line only) is left alone."""
    (tmp_path / "schema").symlink_to(validate.SCHEMA_DIR)
    both = _with_schema_links(tmp_path / "edition", "both.xml", "../schema/")
    text = both.read_text(encoding="utf-8")
    rng_line, sch_line = (next(n for n, line in enumerate(text.splitlines(), 1) if f"edition.{kind}" in line) for kind in ("rng", "sch"))
    lines = text.splitlines(keepends=True)
    variants = {
        "no-rules.xml": "".join(line for n, line in enumerate(lines, 1) if n != sch_line),
        "no-grammar.xml": "".join(line for n, line in enumerate(lines, 1) if n != rng_line),
        "old-namespace.xml": text.replace("http://purl.oclc.org/dsdl/schematron", "http://www.ascc.net/xml/schematron"),
        "no-links.xml": "".join(line for n, line in enumerate(lines, 1) if n not in (rng_line, sch_line)),
    }
    found = {}
    for name, variant in variants.items():
        (tmp_path / "edition" / name).write_text(variant, encoding="utf-8")
        path = tmp_path / "edition" / name
        found[name] = [(f.line, f.severity, f.message) for f in validate.validate_file(path)]
    assert validate.validate_file(both) == [] and found["no-links.xml"] == []
    [(line, severity, message)] = found["no-rules.xml"]
    assert (line, severity) == (rng_line, "warning") and "no <?xml-model?> links the Schematron rules (edition.sch)" in message
    [(line, severity, message)] = found["no-grammar.xml"]
    assert (line, severity) == (rng_line, "warning") and "no <?xml-model?> links the RELAX NG schema (edition.rng)" in message
    messages = [m for _, _, m in found["old-namespace.xml"]]
    assert len(messages) == 2 and any("is Schematron 1.5" in m for m in messages)
    assert any("no <?xml-model?> links the Schematron rules" in m for m in messages)


@pytest.mark.parametrize("href", [
    "//server/share/",  # a host: never looked up (a Windows share would be a network access)
    "http://example.org/schema/",  # a scheme: not followed
    "file:///nowhere/",
])
def test_schema_links_elsewhere_are_not_followed(tmp_path: Path, href):
    path = _with_schema_links(tmp_path, "a.xml", href)
    assert validate.schema_link_findings(parse_file(path), str(path)) == []


def test_a_schema_link_is_resolved_by_its_text_with_fragment_and_query_left_out(tmp_path: Path):
    (tmp_path / "schema").symlink_to(validate.SCHEMA_DIR)
    path = _with_schema_links(tmp_path / "edition", "a.xml", "../schema/")
    text = path.read_text(encoding="utf-8").replace('edition.rng"', 'edition.rng#start"').replace('edition.sch"', 'edition.sch?phase=all"')
    path.write_text(text, encoding="utf-8")
    assert validate.schema_link_findings(parse_file(path), str(path)) == []


def test_an_overlong_schema_link_is_a_warning_not_a_crash(tmp_path: Path):
    path = _with_schema_links(tmp_path, "a.xml", "../" + "a" * 300 + "/")
    assert [f.severity for f in validate.schema_link_findings(parse_file(path), str(path))] == ["warning", "warning"]


def test_a_file_that_cannot_be_read_fails_alone(tmp_path: Path, monkeypatch):
    """Like a malformed file, an unreadable one is invalid; the other files are still checked."""
    good = _with_schema_links(tmp_path, "a.xml", "../../schema/")
    locked = _with_schema_links(tmp_path, "b.xml", "../../schema/")
    real_read = Path.read_bytes

    def read_bytes(self):  # as a file without read permission answers (the tests run as root)
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    report = validate.validate_paths([good, locked])
    assert [(r.path, r.valid) for r in report.files] == [(str(good), True), (str(locked), False)]
    assert [str(f) for f in report.findings if f.severity == "error"] == [f"{locked}:0:0: error: cannot read file: Permission denied"]


def test_a_schema_link_s_references_are_read_and_its_warning_is_one_line(tmp_path: Path):
    (tmp_path / "schema").symlink_to(validate.SCHEMA_DIR)
    path = _with_schema_links(tmp_path / "edition", "a.xml", "&#x2e;&#x2e;/schema/")  # "../schema/", as references
    assert validate.schema_link_findings(parse_file(path), str(path)) == []
    text = path.read_text(encoding="utf-8").replace('href="&#x2e;&#x2e;/schema/edition.rng"', 'href="../schema/\nedition.rng"')
    path.write_text(text, encoding="utf-8")
    [finding] = validate.schema_link_findings(parse_file(path), str(path))
    assert "\n" not in finding.message and 'href="../schema/\\nedition.rng"' in finding.message
    assert finding.line == 2  # where the instruction begins


def test_a_schema_link_to_this_document_is_not_followed(tmp_path: Path):
    path = _with_schema_links(tmp_path, "a.xml", "#embedded-")
    assert validate.schema_link_findings(parse_file(path), str(path)) == []


def _located_in_variant(tmp_path, old: str, new: str, needle: str) -> tuple[list, int, int]:
    """small-edition.xml with `old` replaced by `new`: its errors, and the line and column of `needle`."""
    text = (FIXTURES / "html" / "small-edition.xml").read_text(encoding="utf-8")
    assert old in text
    source = tmp_path / "located.xml"
    source.write_text(text.replace(old, new, 1), encoding="utf-8")
    line = line_of(source, needle)
    return [f for f in validate.validate_file(source) if f.severity == "error"], line, column_of(source, line, needle)


def test_a_finding_on_the_third_element_of_that_name_on_a_line_is_located_at_the_third(tmp_path):
    """A paragraph is one long line: the column is that of the element the rule is about,
    not of the first element of its name on the line."""
    errors, line, column = _located_in_variant(
        tmp_path, "paragraph goes on, and <orgName ref=\"#org-mopr\">MOPR</orgName> grew",
        'paragraph goes on, and <orgName ref="#org-mopr">MOPR</orgName>, <orgName ref="#org-mopr">Red Aid</orgName> '
        'and <orgName ref="#org-nowhere">Nobody</orgName> grew',
        '<orgName ref="#org-nowhere"')
    [error] = errors
    assert 'Pointer "#org-nowhere" on <orgName>' in error.message
    assert (error.line, error.column) == (line, column)


@pytest.mark.parametrize(("new", "needle", "words"), [
    # an attribute's value refused: the attribute, in the second <measure>'s start tag
    ('<measure unit="USD" quantity="250000">about 250 thousand dollars</measure> or '
     '<measure unit="RUB" quantity="1 000">a thousand roubles</measure>',
     'quantity="1 000"', "Invalid attribute quantity for element measure"),
    ('<measure unit="USD" quantity="250000">about 250 thousand dollars</measure> or '
     '<measure xml:lang="r u" unit="RUB">a thousand roubles</measure>',
     'xml:lang="r u"', "Invalid attribute lang for element measure"),  # libxml2 names xml:lang "lang"
    # libxml2 gives this at the <p>: the <orgName> it names is the second one of the line
    ('<measure unit="USD" quantity="250000">about 250 thousand dollars</measure> from <orgName ref="#org-mopr">MOPR</orgName> '
     'and <orgName ref="#org-mopr">Red Aid<p>A paragraph.</p></orgName>',
     '<orgName ref="#org-mopr">Red Aid', "Element orgName has extra content: p"),
])
def test_a_relaxng_error_on_the_second_element_of_that_name_on_a_line_is_located_there(tmp_path, new, needle, words):
    errors, line, column = _located_in_variant(
        tmp_path, '<measure unit="USD" quantity="250000">about 250 thousand dollars</measure>', new, needle)
    [error] = [f for f in errors if words in f.message]
    assert (error.line, error.column) == (line, column)


def test_a_start_tag_over_two_lines_does_not_shift_the_count(tmp_path):
    """lxml gives an element the line its start tag ends on: an element begun on the line
    before, or one begun on this line and ended on the next, is not counted on this line."""
    errors, line, column = _located_in_variant(
        tmp_path, "paragraph goes on, and <orgName ref=\"#org-mopr\">MOPR</orgName> grew",
        'paragraph goes on, and <orgName\n ref="#org-mopr">MOPR</orgName>, <orgName ref="#org-mopr">Red Aid</orgName>, '
        '<orgName ref="#org-nowhere">Nobody</orgName> and <orgName\n ref="#org-mopr">MOPR</orgName> grew',
        '<orgName ref="#org-nowhere"')
    [error] = errors
    assert (error.line, error.column) == (line, column)


def test_a_note_is_not_found_in_notes_stmt(tmp_path):
    """<note is the start of <notesStmt too: a name ends with white space, ">" or "/"."""
    errors, line, column = _located_in_variant(
        tmp_path, "</publicationStmt>",
        '</publicationStmt>\n      <notesStmt><note target="#nowhere">About this edition.</note></notesStmt>',
        '<note target="#nowhere"')
    [error] = errors
    assert 'Pointer "#nowhere" on <note>' in error.message
    assert (error.line, error.column) == (line, column)


def test_without_the_element_the_first_start_tag_of_its_name_is_taken(tmp_path):
    """The fallback, when libxml2 or the report points to no element: still a whole name."""
    source = tmp_path / "notes.xml"
    source.write_text('<TEI xmlns="http://www.tei-c.org/ns/1.0">\n'
                      '<fileDesc><notesStmt><!-- <note> --><note>A</note><note>B</note></notesStmt></fileDesc>\n</TEI>\n', encoding="utf-8")
    lines = SourceLines(parse_file(source))
    assert lines.column_of(2, "note") == column_of(source, 2, "<note>A")
    assert lines.column_of(2, "{http://www.tei-c.org/ns/1.0}note") == column_of(source, 2, "<note>A")
    assert lines.column_of(2, "notesStmt") == column_of(source, 2, "<notesStmt>")
    assert lines.column_of(2, "hi") == 1


def test_two_files_with_one_edition_identifier_are_a_warning_at_the_second_s_idno(tmp_path):
    """The identifier names each edition's deposit package and identifies its EPUB: two
    editions validated together should not share one (`tei-tools package` refuses them).
    Each is valid all the same, as `tei-tools build` builds both: a warning, as there."""
    text = (FIXTURES / "valid-article.xml").read_text(encoding="utf-8")
    for name in ("a.xml", "b.xml", "c.xml"):
        (tmp_path / name).write_text(text if name != "c.xml" else text.replace(
            '<idno type="edition">valid-article</idno>', '<idno type="edition">valid-article-c</idno>'), encoding="utf-8")
    report = validate.validate_paths([tmp_path])
    assert not [f for f in report.findings if f.severity == "error"]
    warnings = [f for f in report.findings if "edition identifier" in f.message]
    assert [(Path(f.path).name, f.line, f.severity) for f in warnings] == [
        ("b.xml", line_of(tmp_path / "b.xml", '<idno type="edition">'), "warning")]
    assert f'"valid-article" is also that of {tmp_path / "a.xml"}' in warnings[0].message
    assert warnings[0].column == column_of(tmp_path / "b.xml", warnings[0].line, "<idno")


def test_an_element_the_schema_does_not_have_at_all_is_named_so(tmp_path):
    """TEI's <list> is valid TEI, but not in the edition's schema: not "there", nowhere."""
    text = (FIXTURES / "valid-article.xml").read_text(encoding="utf-8")
    variant = tmp_path / "list.xml"
    variant.write_text(text.replace("<hi rend=\"italic\">help</hi>", "<list><item>help</item></list>", 1), encoding="utf-8")
    [error] = [f for f in validate.validate_file(variant) if f.severity == "error"]
    assert "Did not expect element list there; the edition's schema has no <list> anywhere" in error.message
    known = [f for f in validate.validate_file(FIXTURES / "invalid-schema-settlement-in-a-place.xml") if f.severity == "error"]
    assert known and all("anywhere" not in f.message for f in known)


def test_a_file_named_twice_is_validated_once(tmp_path):
    """In a folder and by itself: one file, which does not share its identifier with itself."""
    shutil.copy(FIXTURES / "valid-article.xml", tmp_path / "a.xml")
    report = validate.validate_paths([tmp_path, tmp_path / "a.xml", tmp_path / "." / "a.xml"])
    assert [Path(r.path).name for r in report.files] == ["a.xml"] and report.valid


def test_columns_in_a_utf16_file_are_counted_in_its_own_encoding(tmp_path):
    text = (FIXTURES / "sch-dangling-pointer.xml").read_text(encoding="utf-8")
    utf16 = tmp_path / "utf16.xml"
    utf16.write_bytes(text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"))
    [error] = [f for f in validate.validate_file(utf16) if f.severity == "error"]
    [expected] = [f for f in validate.validate_file(FIXTURES / "sch-dangling-pointer.xml") if f.severity == "error"]
    assert (error.line, error.column) == (expected.line, expected.column) and expected.column > 1


def test_two_files_of_one_name_are_valid_but_warned_of_as_the_build_refuses_them(tmp_path):
    """edition/a.xml and edition/1924/A.xml: each is valid, but their outputs would be one
    (dist/a.html): validate said "valid", and the build then refused the pair."""
    (tmp_path / "1924").mkdir()
    shutil.copy(FIXTURES / "valid-article.xml", tmp_path / "a.xml")
    shutil.copy(FIXTURES / "valid-article.xml", tmp_path / "1924" / "A.xml")
    report = validate.validate_paths([tmp_path / "a.xml", tmp_path / "1924" / "A.xml"])
    assert report.valid
    warnings = [f for f in report.findings if "same name" in f.message]
    assert [(Path(f.path).relative_to(tmp_path), f.line, f.column, f.severity) for f in warnings] == [
        (Path("1924", "A.xml"), 1, 1, "warning")]
    assert warnings[0].message.startswith(f"{tmp_path / 'a.xml'} has the same name: `tei-tools build` writes both to A.html")
