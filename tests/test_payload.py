"""tei_tools.payload: what a deposit package holds, and what it leaves out."""
from __future__ import annotations

import re
import shutil

import bagit
import pytest
from lxml import etree

from deposit_project import STEM, payload_files, small_build, tool_files
from tei_tools import saxon, validate
from tei_tools.errors import PackageError
from tei_tools.package import package


def test_payload_holds_master_source_schema_xslt_editions_and_metadata(made):
    schema = tool_files(validate.RNG_PATH.parent, "data/schema")
    stylesheets = tool_files(saxon.XSLT_DIR, "data/xslt")
    assert {"data/schema/edition.rng", "data/schema/edition.sch"} <= schema
    assert {"data/xslt/html.xsl", "data/xslt/common.xsl", "data/xslt/text.xsl"} <= stylesheets
    assert set(payload_files(made.bag)) == schema | stylesheets | {
        f"data/edition/{STEM}.xml",
        "data/edition/source/000_sample.txt",
        "data/edition/source/README.md",
        "data/LICENSE",
        "data/CITATION.cff",
        f"data/dist/{STEM}.html",
        f"data/dist/{STEM}.epub",
        f"data/dist/{STEM}.txt",
        "data/README.md",
        "data/metadata/dc.xml",
        "data/metadata/mets.xml",
    }


def test_payload_copies_are_byte_identical_to_the_project(made, project):
    files = payload_files(made.bag)
    assert files[f"data/edition/{STEM}.xml"] == (project / "edition" / f"{STEM}.xml").read_bytes()
    assert files["data/edition/source/000_sample.txt"] == (project / "edition/source/000_sample.txt").read_bytes()
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


def test_each_master_gets_its_own_bag_with_its_own_editions(project):
    second = project / "edition" / "second-sample.xml"
    text = (project / "edition" / f"{STEM}.xml").read_text()
    second.write_text(text.replace(">deposit-sample<", ">second-sample<"))
    made = {m.identifier: m for m in package(project, build=small_build)}
    assert set(made) == {"deposit-sample", "second-sample"}
    first_dist = {p for p in payload_files(made["deposit-sample"].bag) if p.startswith("data/dist/")}
    assert first_dist == {f"data/dist/{STEM}.{ext}" for ext in ("html", "epub", "txt")}
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
    assert first == {f"data/dist/{STEM}.{ext}" for ext in ("html", "epub", "txt")}
    second = {p for p in payload_files(made["deposit-sample-v2"].bag) if p.startswith("data/dist/")}
    assert second == {f"data/dist/{STEM}.v2.{ext}" for ext in ("html", "epub", "txt")}


def test_only_the_master_s_reading_editions_go_in_from_dist(project):
    """A file in dist/ that the build did not make for the master (an editor's notes, a
    leftover stylesheet, a PDF made by hand) is left out, whatever its name or suffix."""
    small_build(project, [project / "edition" / f"{STEM}.xml"])
    strays = ["Überarbeitung – Notizen.pdf", "edition.css", f"{STEM}.xhtml", f"{STEM}.html.zip", "bilder/titel.png"]
    for name in strays:
        (project / "dist" / name).parent.mkdir(exist_ok=True)
        (project / "dist" / name).write_bytes(b"not a reading edition")
    [made] = package(project, build=lambda root, masters: None)
    dist = {p for p in payload_files(made.bag) if p.startswith("data/dist/")}
    assert dist == {f"data/dist/{STEM}.{ext}" for ext in ("html", "epub", "txt")}
    assert bagit.Bag(str(made.bag)).is_valid()


def test_a_missing_reading_edition_is_an_error_naming_it(project):
    small_build(project, [project / "edition" / f"{STEM}.xml"])
    (project / "dist" / f"{STEM}.epub").unlink()
    with pytest.raises(PackageError, match=rf"reading editions of it missing from .*dist: {STEM}\.epub; build first"):
        package(project, build=lambda root, masters: None)


def test_the_source_text_keeps_its_project_path_so_the_header_s_reference_resolves(project):
    """The header names its source as a path from the project's root (edition/source/…, as the
    repository's edition does): the bag's data/ mirrors the project, so it resolves there."""
    master = project / "edition" / f"{STEM}.xml"
    master.write_text(master.read_text().replace(">000_sample.txt<", ">edition/source/000_sample.txt<"))
    [made] = package(project, build=small_build)
    named = etree.parse(str(made.bag / "data" / "edition" / f"{STEM}.xml")).findtext(
        ".//{http://www.tei-c.org/ns/1.0}sourceDesc//{http://www.tei-c.org/ns/1.0}idno[@type='file']")
    assert named == "edition/source/000_sample.txt"
    assert (made.bag / "data" / named).read_bytes() == (project / named).read_bytes()
    assert "data/edition/source/README.md" in payload_files(made.bag)


def test_stale_editions_of_removed_masters_stay_out(project):
    small_build(project, [project / "edition" / "removed-long-ago.xml"])
    [made] = package(project, build=small_build)
    assert not [p for p in payload_files(made.bag) if "removed-long-ago" in p]


def test_missing_reading_editions_are_an_error(project):
    with pytest.raises(PackageError, match="no reading editions"):
        package(project, build=lambda root, masters: None)


def test_a_project_without_a_licence_is_refused_before_anything_is_built(project):
    """An archive must find the terms of use in the bag itself."""
    (project / "LICENSE").unlink()
    built = []
    with pytest.raises(PackageError, match=r"LICENSE:0:0: error: no such file, or an empty or unreadable one; a deposit must carry the terms"):
        package(project, build=lambda root, masters: built.append(masters))
    assert built == [] and not (project / "build").exists()


@pytest.mark.parametrize(("linked", "said"), [
    ("LICENSE", "a symbolic link"),
    ("dist/deposit-sample.txt", "a symbolic link"),
    ("edition/source/000_sample.txt", "is not in"),  # the source named in the header must be in edition/source/
])
def test_a_symbolic_link_in_the_project_is_refused_not_followed(project, tmp_path, linked, said):
    """`LICENSE -> /etc/shadow` would put the secret in the bag."""
    small_build(project, [project / "edition" / f"{STEM}.xml"])
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the archive\n")
    target = project / linked
    target.unlink()
    target.symlink_to(secret)
    with pytest.raises(PackageError, match=said):
        package(project, build=lambda root, masters: None)
    assert not (project / "build" / "deposit" / STEM).exists()


def test_an_empty_licence_is_refused_before_anything_is_built(project):
    (project / "LICENSE").write_text("")
    built = []
    with pytest.raises(PackageError, match="an empty or unreadable one"):
        package(project, build=lambda root, masters: built.append(masters))
    assert built == []
