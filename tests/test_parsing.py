"""tei_tools.parsing: the one safe parser; hostile and unusable input is rejected, never defused silently."""
from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from lxml import etree

from conftest import FIXTURES, TEI_NS, xpath
from tei_tools.errors import Finding, InputError, UsageError
from tei_tools.parsing import TEI_NS as PARSING_TEI_NS, parse_file, safe_parser

SECRET = (FIXTURES / "xxe-secret.txt").read_text(encoding="utf-8").split(":")[0]


def rejection(name: str) -> InputError:
    with pytest.raises(InputError) as caught:
        parse_file(FIXTURES / name)
    return caught.value


def test_tei_namespace_constant():
    assert PARSING_TEI_NS == TEI_NS


def test_valid_file_parses_with_source_lines():
    tree = parse_file(FIXTURES / "valid-minimal.xml")
    assert tree.getroot().tag == f"{{{TEI_NS}}}TEI"
    first_pb = xpath(tree, "//tei:pb")[0]
    line = next(i for i, text in enumerate((FIXTURES / "valid-minimal.xml").read_text().splitlines(), 1) if "<pb " in text)
    assert first_pb.sourceline == line


def test_safe_parser_settings():
    parser = safe_parser()
    # lxml exposes no getters; prove the behaviour instead: an entity reference stays unexpanded.
    doc = etree.fromstring(b'<!DOCTYPE r [<!ENTITY e "expanded">]><r>&e;</r>', parser)
    assert "expanded" not in etree.tostring(doc).decode()


@pytest.mark.parametrize(
    ("fixture", "line", "words"),
    [
        ("hostile-xxe-local-file.xml", 3, "entity declarations are not allowed"),
        ("hostile-billion-laughs.xml", 3, "entity declarations are not allowed"),
        ("hostile-dtd-from-url.xml", 2, "external DTD"),
        ("hostile-xinclude-local-file.xml", 4, "XInclude"),
        ("encoding-latin1-declared-utf8.xml", 3, "not valid UTF-8"),
        ("binary-png.xml", 1, "binary"),
        ("empty.xml", 1, "empty"),
        ("not-tei-root-html.xml", 2, "not a TEI document"),
        ("tei-without-namespace.xml", 2, "has no namespace"),
        ("not-well-formed.xml", 31, "not well-formed"),
    ],
)
def test_bad_input_is_one_located_error(fixture, line, words):
    error = rejection(fixture)
    finding = error.finding
    assert finding.severity == "error"
    assert finding.path == str(FIXTURES / fixture)
    assert finding.line == line
    assert finding.column >= 1
    assert words in finding.message
    text = str(error)
    assert "\n" not in text
    assert text.startswith(f"{FIXTURES / fixture}:{line}:{finding.column}: error: ")
    assert SECRET not in text


def test_xxe_message_does_not_leak_the_file():
    assert SECRET not in str(rejection("hostile-xxe-local-file.xml"))
    assert SECRET not in str(rejection("hostile-xinclude-local-file.xml"))


def test_local_external_dtd_is_refused(tmp_path: Path):
    (tmp_path / "local.dtd").write_text('<!ENTITY secret "from the dtd">')
    doc = tmp_path / "doc.xml"
    doc.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE TEI SYSTEM "local.dtd">\n<TEI xmlns="{TEI_NS}"><p>&secret;</p></TEI>')
    with pytest.raises(InputError, match="external DTD"):
        parse_file(doc)


def test_doctype_without_entities_is_refused_too(tmp_path: Path):
    doc = tmp_path / "doc.xml"
    doc.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE TEI [<!ATTLIST TEI rend CDATA "injected">]>\n<TEI xmlns="{TEI_NS}"/>')
    with pytest.raises(InputError, match="DTD declarations are not allowed") as caught:
        parse_file(doc)
    assert caught.value.finding.line == 2


def test_missing_path_is_a_usage_error(tmp_path: Path):
    with pytest.raises(UsageError) as caught:
        parse_file(tmp_path / "nowhere.xml")
    assert caught.value.exit_code == 2
    assert "no such file" in str(caught.value)


def test_directory_is_a_usage_error():
    with pytest.raises(UsageError, match="is a directory"):
        parse_file(FIXTURES)


@pytest.mark.parametrize(
    ("doctype", "words"),
    [
        ('<!DOCTYPE TEI [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>', "entity declarations are not allowed"),
        ('<!DOCTYPE TEI SYSTEM "local.dtd">', "external DTD"),
    ],
)
def test_doctype_in_utf16_is_refused_after_parsing(tmp_path: Path, doctype, words):
    """The check reads the parsed tree, so a DOCTYPE in UTF-16 is refused and located too."""
    (tmp_path / "local.dtd").write_text('<!ENTITY b "from the dtd">')
    doc = tmp_path / "doc.xml"
    text = f'<?xml version="1.0" encoding="UTF-16"?>\n{doctype}\n<TEI xmlns="{TEI_NS}"><p>&b;</p></TEI>'
    doc.write_bytes(text.encode("utf-16"))
    with pytest.raises(InputError, match=words) as caught:
        parse_file(doc)
    assert "from the dtd" not in str(caught.value)
    assert caught.value.finding.line == 2


def opened_files(code: str) -> list[str]:
    """The files a Python snippet opens, by strace; skips where strace is missing."""
    import shutil
    import subprocess
    import sys

    from conftest import require_tool

    require_tool("strace", shutil.which("strace"), "install the Debian package strace (.ci/run does)")
    result = subprocess.run(["strace", "-f", "-e", "trace=open,openat", sys.executable, "-c", code],
                            capture_output=True, text=True, timeout=300)  # strace slows a Python start several times over
    return result.stderr.splitlines()


@pytest.mark.parametrize("before", ["", "<!-- an example: <!DOCTYPE x> -->\n"])
def test_an_external_dtd_is_never_opened(tmp_path: Path, before):
    """libxml2 loads an external subset when lxml's collect_ids=False is set, whatever
    load_dtd says; a comment mentioning a DOCTYPE must not hide the real one either."""
    dtd = tmp_path / "never-opened.dtd"
    dtd.write_text('<!ENTITY e "x">')
    doc = tmp_path / "doc.xml"
    doc.write_text(f'<?xml version="1.0"?>\n{before}<!DOCTYPE TEI SYSTEM "{dtd}">\n<TEI xmlns="{TEI_NS}"/>')
    code = ("from tei_tools.parsing import parse_file\n"
            "try:\n    parse_file(%r)\nexcept Exception as e:\n    print(e)\n" % str(doc))
    opened = opened_files(code)
    assert [line for line in opened if "doc.xml" in line], "strace saw no file opened: it did not trace"
    assert not [line for line in opened if "never-opened.dtd" in line]
    with pytest.raises(InputError, match="external DTD") as caught:
        parse_file(doc)
    assert caught.value.finding.line == (3 if before else 2)


def test_a_doctype_mentioned_in_a_comment_is_not_refused(tmp_path: Path):
    doc = tmp_path / "doc.xml"
    text = (FIXTURES / "valid-minimal.xml").read_text(encoding="utf-8")
    doc.write_text(text.replace("<TEI ", '<!-- e.g. <!DOCTYPE TEI SYSTEM "x.dtd"> or <!ENTITY x "y"> -->\n<TEI ', 1))
    assert parse_file(doc).getroot().tag == f"{{{TEI_NS}}}TEI"


def test_utf32_is_refused_with_a_reason(tmp_path: Path):
    doc = tmp_path / "doc.xml"
    doc.write_bytes((FIXTURES / "valid-minimal.xml").read_text(encoding="utf-8").encode("utf-32"))
    with pytest.raises(InputError, match="UTF-32"):
        parse_file(doc)


def _minimal_in(encoding: str, declared: str, bom: bytes = b"") -> bytes:
    text = (FIXTURES / "valid-minimal.xml").read_text(encoding="utf-8").split("?>", 1)[1]
    return bom + f'<?xml version="1.0" encoding="{declared}"?>{text}'.encode(encoding, errors="xmlcharrefreplace")


@pytest.mark.parametrize("declared, codec", [("UTF-7", "utf-7"), ("ISO-8859-10", "iso8859-10"), ("HZ-GB-2312", "hz")])
def test_an_encoding_saxon_cannot_read_is_refused_at_its_declaration(tmp_path: Path, declared, codec):
    """libxml2 read these, so the file validated; Saxon's parser does not, so the build
    failed with its own lines and no position."""
    doc = tmp_path / "doc.xml"
    doc.write_bytes(_minimal_in(codec, declared))
    with pytest.raises(InputError, match=f"encoding '{declared}' is not one that every XML tool here reads") as caught:
        parse_file(doc)
    assert (caught.value.finding.line, caught.value.finding.column) == (1, 31)


@pytest.mark.parametrize("declared, codec", [("ISO-8859-5", "iso8859-5"), ("windows-1251", "cp1251"), ("KOI8-R", "koi8-r")])
def test_an_encoding_both_tools_read_is_accepted(tmp_path: Path, declared, codec):
    doc = tmp_path / "doc.xml"
    doc.write_bytes(_minimal_in(codec, declared))
    assert parse_file(doc).getroot().tag == f"{{{TEI_NS}}}TEI"


@pytest.mark.parametrize("bom, codec, declared, said", [
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-8", "UTF-16"),
    (codecs.BOM_UTF8, "utf-8", "ISO-8859-1", "UTF-8"),
])
def test_a_byte_order_mark_that_contradicts_the_declaration_is_refused(tmp_path: Path, bom, codec, declared, said):
    """libxml2 believes the mark, Saxon the declaration ("Content is not allowed in prolog")."""
    doc = tmp_path / "doc.xml"
    doc.write_bytes(_minimal_in(codec, declared, bom))
    with pytest.raises(InputError, match=f"begins with a {said} byte order mark but declares encoding '{declared}'"):
        parse_file(doc)


def nested(levels: int) -> str:
    """valid-minimal.xml with `levels` <hi> nested in a paragraph (itself 5 deep: TEI, text, body, div, p)."""
    text = (FIXTURES / "valid-minimal.xml").read_text(encoding="utf-8")
    return text.replace("<p>More text.", "<p>More " + '<hi rend="italic">' * levels + "deep" + "</hi>" * levels + " text.", 1)


def test_elements_nested_deeper_than_saxon_reads_are_refused_at_the_first_too_deep(tmp_path: Path):
    """libxml2 reads 256 levels, Saxon 100: a document 101 deep validated, then failed to build."""
    doc = tmp_path / "doc.xml"
    doc.write_text(nested(95), encoding="utf-8")  # 100 deep: read by both
    assert parse_file(doc).getroot().tag == f"{{{TEI_NS}}}TEI"
    doc.write_text(nested(96), encoding="utf-8")
    with pytest.raises(InputError, match="<hi> is nested 101 elements deep") as caught:
        parse_file(doc)
    lines = doc.read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "<hi" in text)
    column = lines[line - 1].rindex("<hi") + 1  # the innermost, 96th <hi> of the line
    assert (caught.value.finding.line, caught.value.finding.column) == (line, column)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_read(tmp_path: Path, codec):
    """XML recognises it by its "<?" (appendix F), and libxml2 and Saxon both read it: it
    was refused as "binary content (NUL bytes)"."""
    doc = tmp_path / "doc.xml"
    doc.write_bytes(_minimal_in(codec, codec.upper().replace("-LE", "LE").replace("-BE", "BE")))
    assert parse_file(doc).getroot().tag == f"{{{TEI_NS}}}TEI"


def test_a_pipe_is_refused_without_reading_it(tmp_path: Path):
    import os

    fifo = tmp_path / "pipe.xml"
    os.mkfifo(fifo)
    with pytest.raises(UsageError, match="not a regular file"):
        parse_file(fifo)


def test_a_dangling_link_is_named_as_such(tmp_path: Path):
    """Found in a folder, it is that file's error (the others are still read); named on the
    command line, tei_tools.editions refuses it first, as a usage error."""
    link = tmp_path / "loop.xml"
    link.symlink_to(link)
    with pytest.raises(InputError, match="symbolic link"):
        parse_file(link)


def test_too_deep_nesting_is_explained_without_libxml2_s_advice(tmp_path: Path):
    doc = tmp_path / "deep.xml"
    doc.write_text(f'<TEI xmlns="{TEI_NS}">' + "<p>" * 300 + "</p>" * 300 + "</TEI>")
    with pytest.raises(InputError, match="nested more than 256 deep") as caught:
        parse_file(doc)
    assert "XML_PARSE_HUGE" not in str(caught.value)


@pytest.mark.parametrize("control", ["\u0085", "&#x85;", "&#133;"])
def test_a_c1_control_character_is_refused_with_its_place(tmp_path: Path, control):
    """XML allows U+0085 (NEL), but no HTML may hold it: a conversion left-over to resolve."""
    doc = tmp_path / "doc.xml"
    doc.write_text(f'<?xml version="1.0"?>\n<TEI xmlns="{TEI_NS}"><p>a{control}b</p></TEI>', encoding="utf-8")
    with pytest.raises(InputError, match="control character") as caught:
        parse_file(doc)
    assert (caught.value.finding.line, caught.value.finding.column) == (2, 46)


def test_a_text_too_long_is_explained_without_libxml2_s_advice(tmp_path: Path):
    doc = tmp_path / "long.xml"
    doc.write_text(f'<TEI xmlns="{TEI_NS}"><p>' + "a" * 10_000_010 + "</p></TEI>")
    with pytest.raises(InputError, match="text node too long: beyond what the parser accepts") as caught:
        parse_file(doc)
    assert "XML_PARSE_HUGE" not in str(caught.value)


def refused_with_paragraph(tmp_path: Path, paragraph: str) -> tuple[str, Finding]:
    """The minimal valid file with `paragraph` for its "More text.", and what its
    parse is refused with: (the file's text, the finding)."""
    source = (FIXTURES / "valid-minimal.xml").read_text(encoding="utf-8").replace("More text.", paragraph)
    path = tmp_path / "refused.xml"
    path.write_text(source, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        parse_file(path)
    return source, caught.value.finding


@pytest.mark.parametrize("written", ["Tom & Jerry", "Tom &Jerry and"])
def test_a_bare_ampersand_is_explained(tmp_path: Path, written):
    """libxml2 says "xmlParseEntityRef: no name" or "EntityRef: expecting ';'"; the editor
    is told what that means and what to write."""
    source, finding = refused_with_paragraph(tmp_path, f"More {written}.")
    line = next(n for n, text in enumerate(source.splitlines(), 1) if written in text)
    assert finding.line == line
    assert "an & that begins no entity or character reference" in finding.message and "&amp;" in finding.message


def test_an_element_left_open_is_located_at_its_start_tag_on_a_long_line(tmp_path: Path):
    """libxml2 gives the unclosed element's line only: a paragraph written on one long line
    holds many start tags of that name, and the column says which one is left open."""
    names = " ".join(f'<persName ref="#pers-zetkin">Zetkin {n}</persName>' for n in range(3))
    left_open = '<persName ref="#pers-zetkin">Zetkin again'
    source, refused = refused_with_paragraph(tmp_path, f"{names} {left_open} {names}.")
    lines = source.splitlines()
    line = next(n for n, text in enumerate(lines, 1) if left_open in text)
    column = lines[line - 1].index(left_open) + 1
    assert refused.message.endswith(f"<persName> opened at line {line}, column {column} is not closed before </p>")


@pytest.mark.parametrize("break_after", ['<persName', '<persName ', '<persName ref="#pers-zetkin"'])
def test_an_element_left_open_is_located_where_its_start_tag_goes_on_to_the_next_line(tmp_path: Path, break_after: str):
    """An editor may break a start tag between its attributes: the tag that begins at the
    end of the line is still the one found."""
    closed = '<persName ref="#pers-zetkin">Zetkin</persName>'
    left_open = '<persName ref="#pers-zetkin">Zetkin again'
    broken = break_after + "\n  " + left_open[len(break_after):].lstrip()
    source, refused = refused_with_paragraph(tmp_path, f"{closed} {broken}.")
    lines = source.splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.endswith(break_after))
    column = len(lines[line - 1]) - len(break_after) + 1
    assert refused.message.endswith(f"<persName> opened at line {line}, column {column} is not closed before </p>")
