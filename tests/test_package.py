"""tei_tools.package: the deposit bag, its metadata (bag-info, oai_dc, METS) and its zip.

The tests package a small project tree (tests/fixtures/package/project) copied into
tmp_path. Its reading editions are written by `small_build`, which stands in for the
build pipeline so that these tests stay fast; one test runs the real pipeline.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import zipfile
from pathlib import Path

import bagit
import pytest
from click.testing import CliRunner
from lxml import etree

from tei_tools import __version__, saxon, validate
from tei_tools import package as package_module
from tei_tools.cli import main
from tei_tools.errors import BuildError, PackageError, ValidationError
from tei_tools.fsutil import build_datetime, reproducible_zip
from tei_tools.package import package

FIXTURE = Path(__file__).parent / "fixtures" / "package" / "project"
REPO = Path(__file__).resolve().parent.parent
NS = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "mets": "http://www.loc.gov/METS/",
    "xlink": "http://www.w3.org/1999/xlink",
    "tei": "http://www.tei-c.org/ns/1.0",
}
STEM = "deposit-sample"


def small_build(root: Path, masters) -> None:
    """Write a small HTML, EPUB and text edition of each master, and a shared stylesheet."""
    dist = Path(root) / "dist"
    dist.mkdir(exist_ok=True)
    for master in masters:
        title = f"The reading edition of {master.stem}"
        (dist / f"{master.stem}.html").write_text(f"<!DOCTYPE html><html><head><title>{title}</title></head></html>\n")
        (dist / f"{master.stem}.txt").write_text(f"{title}\n")
        epub = reproducible_zip([("mimetype", b"application/epub+zip", False)], build_datetime(None))
        (dist / f"{master.stem}.epub").write_bytes(epub)
    (dist / "edition.css").write_text("body { margin: 0 }\n")


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    return root


@pytest.fixture
def made(project):
    """The package of the fixture project, with its zip."""
    [result] = package(project, make_zip=True, build=small_build)
    return result


def payload_files(bag: Path) -> dict[str, bytes]:
    return {p.relative_to(bag).as_posix(): p.read_bytes() for p in sorted((bag / "data").rglob("*")) if p.is_file()}


def manifest(bag: Path, algorithm: str) -> dict[str, str]:
    lines = (bag / f"manifest-{algorithm}.txt").read_text().splitlines()
    return {name: digest for digest, name in (line.split(None, 1) for line in lines)}


def bag_info(bag: Path) -> dict[str, list[str]]:
    info: dict[str, list[str]] = {}
    for line in (bag / "bag-info.txt").read_text().splitlines():
        key, value = line.split(": ", 1)
        info.setdefault(key, []).append(value)
    return info


# ----------------------------------------------------------------------------- the bag


def test_package_is_a_valid_bag_with_sha256_and_sha512(made):
    bag = bagit.Bag(str(made.bag))
    assert bag.validate()
    assert sorted(bag.algorithms) == ["sha256", "sha512"]
    for name in ("manifest-sha256.txt", "manifest-sha512.txt", "tagmanifest-sha256.txt", "tagmanifest-sha512.txt"):
        assert (made.bag / name).is_file(), name
    assert (made.bag / "bagit.txt").read_text().startswith("BagIt-Version: 1.0\n")
    assert made.bag == made.bag.parent / "deposit-sample"
    assert made.bag.parent.name == "deposit" and made.bag.parent.parent.name == "build"


def tool_files(folder: Path, prefix: str) -> set[str]:
    """The deposited files of one of the tool's folders (schema/, xslt/)."""
    return {f"{prefix}/{p.relative_to(folder).as_posix()}" for p in folder.rglob("*")
            if p.is_file() and package_module.is_deposited(p.relative_to(folder))}


def test_payload_holds_master_source_schema_xslt_editions_and_metadata(made):
    schema = tool_files(validate.RNG_PATH.parent, "data/schema")
    stylesheets = tool_files(saxon.XSLT_DIR, "data/xslt")
    assert {"data/schema/edition.rng", "data/schema/edition.sch"} <= schema
    assert {"data/xslt/html.xsl", "data/xslt/common.xsl", "data/xslt/text.xsl"} <= stylesheets
    assert set(payload_files(made.bag)) == schema | stylesheets | {
        f"data/edition/{STEM}.xml",
        "data/source/000_sample.txt",
        "data/source/README.md",
        "data/LICENSE",
        "data/CITATION.cff",
        f"data/dist/{STEM}.html",
        f"data/dist/{STEM}.epub",
        f"data/dist/{STEM}.txt",
        "data/dist/edition.css",
        "data/README.md",
        "data/metadata/dc.xml",
        "data/metadata/mets.xml",
    }


def test_payload_copies_are_byte_identical_to_the_project(made, project):
    files = payload_files(made.bag)
    assert files[f"data/edition/{STEM}.xml"] == (project / "edition" / f"{STEM}.xml").read_bytes()
    assert files["data/source/000_sample.txt"] == (project / "edition/source/000_sample.txt").read_bytes()
    assert files[f"data/dist/{STEM}.epub"] == (project / "dist" / f"{STEM}.epub").read_bytes()
    assert files["data/LICENSE"] == (project / "LICENSE").read_bytes()
    assert files["data/CITATION.cff"] == (project / "CITATION.cff").read_bytes()


def test_schema_and_stylesheets_are_those_that_validated_and_built(made, project):
    """The project tree's own schema/ and xslt/ (here stubs) are not what the tool used."""
    files = payload_files(made.bag)
    assert files["data/schema/edition.rng"] == validate.RNG_PATH.read_bytes()
    assert files["data/xslt/text.xsl"] == (saxon.XSLT_DIR / "text.xsl").read_bytes()
    assert files["data/xslt/text.xsl"] != (project / "xslt/text.xsl").read_bytes()


def test_editors_backups_caches_and_system_files_stay_out(project, tmp_path, monkeypatch):
    xslt = tmp_path / "xslt"
    shutil.copytree(saxon.XSLT_DIR, xslt)
    for junk in ("html.xsl~", "#text.xsl#", "common.xsl.bak", "__pycache__/x.cpython-311.pyc"):
        (xslt / junk).parent.mkdir(exist_ok=True)
        (xslt / junk).write_text("junk")
    monkeypatch.setattr(saxon, "XSLT_DIR", xslt)
    small_build(project, [project / "edition" / f"{STEM}.xml"])
    for junk in ("Thumbs.db", "desktop.ini", f"{STEM}.html.orig"):
        (project / "dist" / junk).write_text("junk")
    [made] = package(project, build=lambda root, masters: None)
    files = set(payload_files(made.bag))
    assert "data/xslt/html.xsl" in files
    assert not [f for f in files if f.endswith(("~", "#", ".bak", ".pyc", ".orig", "Thumbs.db", "desktop.ini"))], files


def test_an_output_folder_inside_dist_is_not_deposited(project):
    out = project / "dist" / "deposit"
    package(project, out, build=small_build)
    [again] = package(project, out, build=small_build)
    assert not [p for p in payload_files(again.bag) if p.startswith("data/dist/deposit/")]


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


def test_readme_says_what_the_package_holds_and_how_to_rebuild(made):
    readme = (made.bag / "data/README.md").read_text()
    for path in ("edition/deposit-sample.xml", "source/000_sample.txt", "dist/deposit-sample.epub", "metadata/mets.xml"):
        assert f"`{path}`" in readme
    assert "tei-tools verify" in readme and "Saxon-HE" in readme and "stem=deposit-sample" in readme
    # every parameter the editions were built with, so that a rebuild gives the same bytes
    assert f"tool-version={__version__}" in readme and "build-date=2024-05-03T00:00:00Z" in readme


# ----------------------------------------------------------------------------- metadata


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


# ----------------------------------------------------------------------------- reproducible, atomic


def test_zip_is_byte_identical_on_rebuild(made, project, tmp_path):
    first = made.zip.read_bytes()
    [again] = package(project, make_zip=True, build=small_build)
    assert again.zip == made.zip
    assert again.zip.read_bytes() == first
    [elsewhere] = package(project, tmp_path / "other", make_zip=True, build=small_build)
    assert elsewhere.zip.read_bytes() == first


def test_zip_holds_the_bag_in_fixed_order_with_fixed_timestamps(made):
    with zipfile.ZipFile(made.zip) as archive:
        infos = archive.infolist()
        names = [i.filename for i in infos]
        assert names[0] == "deposit-sample/bagit.txt"
        assert names[1:] == sorted(names[1:])
        assert {i.date_time for i in infos} == {(2024, 5, 3, 0, 0, 0)}
        expected = {p.relative_to(made.bag.parent).as_posix() for p in made.bag.rglob("*") if p.is_file()}
        assert set(names) == expected
        assert archive.read("deposit-sample/data/metadata/dc.xml") == (made.bag / "data/metadata/dc.xml").read_bytes()


def test_rebuild_replaces_the_bag_and_leaves_no_temporary_folders(made, project):
    (made.bag / "data" / "stray.txt").write_text("left over from an earlier package")
    [again] = package(project, build=small_build)
    assert not (again.bag / "data" / "stray.txt").exists()
    # packaged without --zip: the older package's zip does not stay beside the new bag
    assert sorted(p.name for p in again.bag.parent.iterdir()) == ["deposit-sample"]
    [zipped] = package(project, make_zip=True, build=small_build)
    assert sorted(p.name for p in zipped.bag.parent.iterdir()) == ["deposit-sample", "deposit-sample.zip"]


def test_a_killed_run_s_staging_folders_are_removed_by_the_next(made, project):
    dead = 2**22 + 12345  # above the kernel's default pid_max: no such process
    staging = made.bag.parent / f".deposit-sample.{dead}.abcd1234.tmp"
    (staging / "data").mkdir(parents=True)
    alive = made.bag.parent / f".deposit-sample.{os.getpid()}.efgh5678.tmp"
    alive.mkdir()
    package(project, build=small_build)
    assert not staging.exists() and alive.exists()


def test_a_failure_on_a_later_master_leaves_the_earlier_bags_as_they_were(made, project):
    before = {p: p.read_bytes() for p in made.bag.rglob("*") if p.is_file()}
    first = project / "edition" / f"{STEM}.xml"
    text = first.read_text()
    first.write_text(text.replace("Checked against the source.", "Checked against the source again."))
    second = project / "edition" / "second-sample.xml"
    second.write_text(text.replace(">deposit-sample<", ">second-sample<").replace("000_sample.txt", "000_missing.txt"))
    with pytest.raises(PackageError, match="000_missing.txt"):
        package(project, make_zip=True, build=small_build)
    assert {p: p.read_bytes() for p in made.bag.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in made.bag.parent.iterdir()) == ["deposit-sample", "deposit-sample.zip"]


def test_bag_folders_and_files_are_readable_by_all_whatever_the_umask(project):
    old = os.umask(0o077)
    try:
        [made] = package(project, build=small_build)
    finally:
        os.umask(old)
    for path in [made.bag, *made.bag.rglob("*")]:
        assert stat.S_IMODE(path.stat().st_mode) == (0o755 if path.is_dir() else 0o644), path


def test_failure_leaves_no_half_made_bag(project):
    (project / "edition/source/000_sample.txt").unlink()
    with pytest.raises(PackageError, match="000_sample.txt"):
        package(project, build=small_build)
    deposit = project / "build" / "deposit"
    assert not deposit.exists() or list(deposit.iterdir()) == []


def test_each_master_gets_its_own_bag_with_its_own_editions(project):
    second = project / "edition" / "second-sample.xml"
    text = (project / "edition" / f"{STEM}.xml").read_text()
    second.write_text(text.replace(">deposit-sample<", ">second-sample<"))
    made = {m.identifier: m for m in package(project, build=small_build)}
    assert set(made) == {"deposit-sample", "second-sample"}
    first_dist = {p for p in payload_files(made["deposit-sample"].bag) if p.startswith("data/dist/")}
    assert first_dist == {f"data/dist/{STEM}.{ext}" for ext in ("html", "epub", "txt")} | {"data/dist/edition.css"}
    second_dist = {p for p in payload_files(made["second-sample"].bag) if p.startswith("data/dist/")}
    assert "data/dist/second-sample.html" in second_dist and f"data/dist/{STEM}.html" not in second_dist


def test_masters_in_subfolders_are_packaged_as_they_are_built(project):
    """edition/1924/x.xml is built by `tei-tools build`, so it is deposited too; hidden
    files (an editor's backup) are neither."""
    (project / "edition" / "1924").mkdir()
    text = (project / "edition" / f"{STEM}.xml").read_text()
    (project / "edition" / "1924" / "second-sample.xml").write_text(text.replace(">deposit-sample<", ">second-sample<"))
    (project / "edition" / f".{STEM}.xml").write_text("<not-tei/>")
    made = {m.identifier: m for m in package(project, build=small_build)}
    assert set(made) == {"deposit-sample", "second-sample"}
    # the master keeps its place, so that its relative <?xml-model?> links still resolve
    assert "data/edition/1924/second-sample.xml" in payload_files(made["second-sample"].bag)


def test_a_master_s_schema_links_resolve_inside_its_bag(project):
    (project / "edition" / "1924").mkdir()
    text = (project / "edition" / f"{STEM}.xml").read_text()
    (project / "edition" / "1924" / "second-sample.xml").write_text(
        text.replace(">deposit-sample<", ">second-sample<").replace('href="../schema/', 'href="../../schema/'))
    for made in package(project, build=small_build):
        [master] = (made.bag / "data" / "edition").rglob("*.xml")
        links = etree.parse(str(master)).xpath("//processing-instruction('xml-model')")
        assert links
        for link in links:
            href = re.search(r'href="([^"]+)"', link.text).group(1)
            assert (master.parent / href).resolve().is_file(), (made.identifier, href)


def test_an_edition_belongs_to_the_master_whose_whole_name_it_bears(project):
    """`deposit-sample.v2.html` is the edition of `deposit-sample.v2.xml`, not of `deposit-sample.xml`."""
    text = (project / "edition" / f"{STEM}.xml").read_text()
    (project / "edition" / f"{STEM}.v2.xml").write_text(text.replace(">deposit-sample<", ">deposit-sample-v2<"))
    made = {m.identifier: m for m in package(project, build=small_build)}
    first = {p for p in payload_files(made["deposit-sample"].bag) if p.startswith("data/dist/")}
    assert first == {f"data/dist/{STEM}.{ext}" for ext in ("html", "epub", "txt")} | {"data/dist/edition.css"}
    second = {p for p in payload_files(made["deposit-sample-v2"].bag) if p.startswith("data/dist/")}
    assert second == {f"data/dist/{STEM}.v2.{ext}" for ext in ("html", "epub", "txt")} | {"data/dist/edition.css"}


def test_bagging_date_is_the_newest_change_wherever_it_stands(project):
    master = project / "edition" / f"{STEM}.xml"
    master.write_text(master.read_text().replace("</revisionDesc>", '<change when="2025-02-01">A later change, listed last.</change></revisionDesc>'))
    [made] = package(project, build=small_build)
    assert bag_info(made.bag)["Bagging-Date"] == ["2025-02-01"]


def test_two_masters_with_one_identifier_are_refused(project):
    shutil.copy(project / "edition" / f"{STEM}.xml", project / "edition" / "copy-of-sample.xml")
    with pytest.raises(PackageError, match="identifier 'deposit-sample' is also that of"):
        package(project, build=small_build)


def test_stale_editions_of_removed_masters_stay_out(project):
    small_build(project, [project / "edition" / "removed-long-ago.xml"])
    [made] = package(project, build=small_build)
    assert not [p for p in payload_files(made.bag) if "removed-long-ago" in p]


def test_an_invalid_master_is_refused_before_anything_is_built(project):
    master = project / "edition" / f"{STEM}.xml"
    master.write_text(master.read_text().replace('<div type="article">', '<div type="article"><unknownElement/>'))
    built = []
    with pytest.raises(ValidationError, match=f"{STEM}.xml:"):
        package(project, build=lambda root, masters: built.append(masters))
    assert built == []
    assert not (project / "build").exists()


def test_missing_reading_editions_are_an_error(project):
    with pytest.raises(PackageError, match="no reading editions"):
        package(project, build=lambda root, masters: None)


# ----------------------------------------------------------------------------- command line


def test_cli_package_writes_bag_and_zip(project, tmp_path, monkeypatch):
    monkeypatch.setattr(package_module, "build_editions", small_build)
    out = tmp_path / "deposit"
    result = CliRunner().invoke(main, ["package", "--root", str(project), "--out", str(out), "--zip"])
    assert result.exit_code == 0, result.output
    assert f"{out / 'deposit-sample'}: bag of deposit-sample" in result.output
    assert (out / "deposit-sample.zip").is_file()
    assert bagit.Bag(str(out / "deposit-sample")).is_valid()


def test_cli_package_reports_a_bad_master_in_one_line(project, monkeypatch):
    monkeypatch.setattr(package_module, "build_editions", small_build)
    (project / "edition" / f"{STEM}.xml").write_text("<TEI xmlns='http://www.tei-c.org/ns/1.0'>")
    result = CliRunner().invoke(main, ["package", "--root", str(project)])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert f"{STEM}.xml:" in result.output and ": error: " in result.output


# ----------------------------------------------------------------------------- the real edition


def test_real_edition_packages_with_the_build_pipeline(tmp_path, monkeypatch):
    """The repository's edition, schema and stylesheets, built by tei_tools.transform."""
    from tei_tools import transform

    assert set(package_module.DEPOSIT_FORMATS) <= set(transform.FORMATS)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    root = tmp_path / "repo"
    for folder in ("edition", "schema", "xslt"):
        shutil.copytree(REPO / folder, root / folder)
    [made] = package(root, make_zip=True)
    assert bagit.Bag(str(made.bag)).is_valid()
    files = payload_files(made.bag)
    for ext in ("html", "epub", "txt"):
        assert files[f"data/dist/mopr-1922-1924.{ext}"] == (root / "dist" / f"mopr-1922-1924.{ext}").read_bytes()
    source = hashlib.sha256((REPO / "edition/source/000_81dcb08b3cb23004.txt").read_bytes()).hexdigest()
    assert manifest(made.bag, "sha256")["data/source/000_81dcb08b3cb23004.txt"] == source
    [again] = package(root, tmp_path / "again", make_zip=True)  # outputs reused: same bytes
    assert again.zip.read_bytes() == made.zip.read_bytes()


def test_build_editions_reuses_up_to_date_outputs_and_rebuilds_edited_ones(project):
    """build_editions is the incremental build: unchanged inputs write nothing, an edited master is rebuilt."""
    master = project / "edition" / f"{STEM}.xml"
    outputs = [project / "dist" / f"{STEM}.{ext}" for ext in ("html", "epub", "txt")]
    package_module.build_editions(project, [master])
    first = [p.stat().st_mtime_ns for p in outputs]
    package_module.build_editions(project, [master])
    assert [p.stat().st_mtime_ns for p in outputs] == first  # up to date: not written again
    text = master.read_text(encoding="utf-8")
    master.write_text(text.replace("</title>", " (revised)</title>", 1), encoding="utf-8")
    package_module.build_editions(project, [master])
    assert all(p.stat().st_mtime_ns != t for p, t in zip(outputs, first))
    assert "(revised)" in outputs[0].read_text(encoding="utf-8")


def test_build_editions_raises_when_a_document_fails(project):
    master = project / "edition" / f"{STEM}.xml"
    master.write_text("<TEI xmlns='http://www.tei-c.org/ns/1.0'>", encoding="utf-8")
    with pytest.raises(BuildError, match=f"{STEM}.xml:1:"):
        package_module.build_editions(project, [master])
    assert not (project / "dist" / f"{STEM}.html").exists()


def test_the_rights_statement_reaches_dublin_core_without_a_licence(project):
    """The header's words on the rights are in dc:rights whether or not there is a licence."""
    master = project / "edition" / f"{STEM}.xml"
    text = master.read_text()
    start, end = text.index("<licence "), text.index("</licence>") + len("</licence>")
    master.write_text(text[:start] + text[end:])
    [made] = package(project, build=small_build)
    dc = etree.parse(str(made.bag / "data/metadata/dc.xml"))
    assert dc.xpath("//dc:rights/text()", namespaces=NS) == ["The rights in the sample source are not known."]
