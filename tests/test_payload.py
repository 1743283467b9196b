"""tei_tools.payload: what a deposit package holds, and what it leaves out."""
from __future__ import annotations

import re
import shutil

import bagit
import pytest
from lxml import etree

from deposit_project import FIXTURE, STEM, add_edition, payload_files, small_build, tool_files, write_citation
from tei_tools import saxon, validate
from tei_tools.errors import PackageError
from tei_tools.package import package


def building_also(*extra: str, removing: str | None = None):
    """A builder that writes the reading editions (small_build) into its folder's dist/, then
    the files `extra` beside them (an editor's strays), or removes `removing`."""
    def build(root, masters):
        small_build(root, masters)
        for name in extra:
            (root / "dist" / name).parent.mkdir(parents=True, exist_ok=True)
            (root / "dist" / name).write_bytes(b"not a reading edition")
        if removing:
            (root / "dist" / removing).unlink()
    return build


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


def test_payload_copies_are_byte_identical_to_the_project(made, project, tmp_path):
    files = payload_files(made.bag)
    assert files[f"data/edition/{STEM}.xml"] == (project / "edition" / f"{STEM}.xml").read_bytes()
    assert files["data/edition/source/000_sample.txt"] == (project / "edition/source/000_sample.txt").read_bytes()
    small_build(tmp_path, [project / "edition" / f"{STEM}.xml"])  # the editions the package built
    assert files[f"data/dist/{STEM}.epub"] == (tmp_path / "dist" / f"{STEM}.epub").read_bytes()
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
    for junk in ("html.xsl~", "#text.xsl#", "common.xsl.bak", "__pycache__/x.cpython-311.pyc", ".DS_Store", ".cache/x.xsl"):
        (xslt / junk).parent.mkdir(exist_ok=True)
        (xslt / junk).write_text("junk")
    monkeypatch.setattr(saxon, "XSLT_DIR", xslt)
    [made] = package(project, build=building_also("Thumbs.db", "desktop.ini", f"{STEM}.html.orig"))
    files = set(payload_files(made.bag))
    assert "data/xslt/html.xsl" in files
    assert not [f for f in files if f.endswith(("~", "#", ".bak", ".pyc", ".orig", "Thumbs.db", "desktop.ini"))], files
    # hidden files and folders (a Finder's .DS_Store, an editor's .cache/) neither
    assert not [f for f in files if any(part.startswith(".") for part in f.split("/"))], files


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
    strays = ["Überarbeitung – Notizen.pdf", "edition.css", f"{STEM}.xhtml", f"{STEM}.html.zip", "bilder/titel.png"]
    [made] = package(project, build=building_also(*strays))
    dist = {p for p in payload_files(made.bag) if p.startswith("data/dist/")}
    assert dist == {f"data/dist/{STEM}.{ext}" for ext in ("html", "epub", "txt")}
    assert bagit.Bag(str(made.bag)).is_valid()


def test_a_missing_reading_edition_is_an_error_naming_it(project):
    with pytest.raises(PackageError, match=rf"reading editions of it missing from .*dist: {STEM}\.epub; build first"):
        package(project, build=building_also(removing=f"{STEM}.epub"))


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
    # the source named in the header must be in edition/source/ itself, and the message says why
    ("edition/source/000_sample.txt", "is a symbolic link in .* to a file elsewhere; a deposit holds the file itself"),
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


# ----------------------------------------------------------------------------- several editions, one project


def test_a_second_edition_gets_no_citation_or_source_readme_of_another(project):
    """The project's CITATION.cff cites the first edition (its identifier, title, licence) and
    edition/source/README.md describes the first's source: neither goes into the bag of a
    second edition, not even one with the same title (the identifier decides). LICENSE, the
    project's terms, goes into both."""
    citation = write_citation(project, STEM, "A deposit sample on Red Aid")
    add_edition(project, "other-sample", title="A deposit sample on Red Aid")  # another identifier, licence, source
    made = {m.identifier: m for m in package(project, build=small_build)}
    first, second = payload_files(made[STEM].bag), payload_files(made["other-sample"].bag)
    assert first["data/CITATION.cff"] == citation
    assert first["data/edition/source/README.md"] == (project / "edition/source/README.md").read_bytes()
    assert "data/CITATION.cff" not in second
    assert "data/edition/source/README.md" not in second
    assert "data/edition/source/other-sample.txt" in second and "data/edition/source/000_sample.txt" not in second
    assert first["data/LICENSE"] == second["data/LICENSE"] == (project / "LICENSE").read_bytes()
    assert bagit.Bag(str(made["other-sample"].bag)).is_valid()


def test_a_citation_without_identifiers_goes_to_the_edition_whose_title_it_gives(project):
    """The fixture's CITATION.cff names no identifier; its title, "A deposit sample", is the
    first words of the first edition's title and no part of the second's."""
    add_edition(project, "lantern-sample", title="The annual report of a lantern society")
    made = {m.identifier: m for m in package(project, build=small_build)}
    assert payload_files(made[STEM].bag)["data/CITATION.cff"] == (project / "CITATION.cff").read_bytes()
    assert "data/CITATION.cff" not in payload_files(made["lantern-sample"].bag)


def test_the_sources_readme_goes_with_each_edition_whose_source_it_names(project):
    add_edition(project, "other-sample", title="Another sample")
    readme = project / "edition/source/README.md"
    made = {m.identifier: m for m in package(project, build=small_build)}
    assert "data/edition/source/README.md" not in payload_files(made["other-sample"].bag)
    readme.write_text(readme.read_text() + "\n`other-sample.txt` is the source of the other sample.\n")
    made = {m.identifier: m for m in package(project, build=small_build)}
    for identifier in (STEM, "other-sample"):
        assert payload_files(made[identifier].bag)["data/edition/source/README.md"] == readme.read_bytes()


@pytest.mark.parametrize(("readme", "named"), [
    ("`other-sample.txt` is the text.", True),
    ("See edition/source/other-sample.txt.", True),  # in a path, before a full stop
    ("`another-sample.txt` is the text.", False),  # a longer name
    ("`other-sample.txt.bak` is a backup.", False),
    ("`000_sample.txt` is the text.", False),
])
def test_the_sources_readme_names_a_source_by_its_whole_name(readme, named):
    from tei_tools.payload import describes_source

    assert describes_source(readme, "other-sample.txt") is named


@pytest.mark.parametrize(("citation", "cited"), [
    # the identifiers decide when there are any: the edition's idno, a DOI with or without its resolver
    ('title: "Another work"\nidentifiers:\n  - type: other\n    value: deposit-sample\n', True),
    ("title: Another work\nidentifiers:\n- {type: doi, value: 'https://doi.org/10.1234/SAMPLE'}\n", True),
    ("title: Another work\ndoi: 10.1234/sample # the edition\n", True),
    ('title: "A deposit sample on Red Aid"\nidentifiers:\n  - type: other\n    value: "mopr-1922-1924"\n', False),
    # without identifiers the title decides: the edition's, continued, or its first words
    ("cff-version: 1.2.0\ntitle: 'A Deposit Sample on Red Aid: a digital edition'\n", True),
    ("title: >-\n  A deposit sample\n  on Red Aid, 1922\u20131924\n", True),
    ('title: "A deposit sample on Red Aid: Two printed pages, for the package tests"\n', True),
    ("title: A deposit sample\n", True),
    ("title: A deposit samples\n", False),  # not at a word's end
    ("title: The annual report of a lantern society\n", False),
    ("cff-version: 1.2.0\nmessage: Without title or identifiers.\n", False),
])
def test_a_citation_file_cites_the_edition_whose_identifier_or_title_it_gives(citation, cited):
    from tei_tools.payload import cites_edition

    text = (FIXTURE / "edition" / f"{STEM}.xml").read_text(encoding="utf-8")
    text = text.replace('<idno type="edition">', '<idno type="DOI">10.1234/sample</idno><idno type="edition">')
    assert cites_edition(citation, etree.ElementTree(etree.fromstring(text.encode("utf-8")))) is cited


@pytest.mark.parametrize(("citation", "where", "says"), [
    ("cff-version: 1.2.0\ntitle: [unclosed\n", ":3:1: error: not readable as YAML", "correct it, or remove it"),
    ("just one line of prose\n", ":1:1: error: not a Citation File Format file", "not a mapping"),
])
def test_a_citation_file_that_is_not_one_is_an_error_not_left_out(project, citation, where, says):
    """A CITATION.cff that YAML cannot read, or that holds no fields, was taken for the
    citation of another work and left out of the bag without a word."""
    from tei_tools.package import package

    (project / "CITATION.cff").write_text(citation, encoding="utf-8")
    with pytest.raises(PackageError) as caught:
        package(project, build=small_build)
    assert str(caught.value).startswith(f"{project / 'CITATION.cff'}{where}") and says in str(caught.value)


def test_a_missing_source_text_is_named_where_the_header_names_it(project):
    """The master's idno is the place to correct: the error gave no line (":0:0")."""
    master = project / "edition" / f"{STEM}.xml"
    (project / "edition" / "source" / "000_sample.txt").unlink()
    lines = master.read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if 'idno type="file"' in text)
    column = lines[line - 1].index("<idno") + 1
    with pytest.raises(PackageError, match=rf"{STEM}\.xml:{line}:{column}: error: the source text '[^']+' named in sourceDesc"):
        package(project, build=small_build)


# ----------------------------------------------------------------------------- names a manifest cannot hold


@pytest.mark.parametrize(("name", "shown", "said"), [
    ("100%.css", "100%.css", "'%'"),
    ("two\nlines.css", "two\\nlines.css", "a line feed (LF)"),
    ("carriage\rreturn.css", "carriage\\rreturn.css", "a carriage return (CR)"),
])
def test_a_file_name_a_bagit_manifest_cannot_hold_is_refused(project, tmp_path, monkeypatch, name, shown, said):
    """RFC 8493 (2.1.3) has a manifest percent-encode CR, LF and '%' in a path; bagit-python
    leaves '%' as it is, so "100%25.css" would be read back as "100%.css"."""
    xslt = tmp_path / "xslt"
    shutil.copytree(saxon.XSLT_DIR, xslt)
    (xslt / name).write_text("a stylesheet's CSS")
    monkeypatch.setattr(saxon, "XSLT_DIR", xslt)
    with pytest.raises(PackageError) as refused:
        package(project, build=small_build)
    assert str(refused.value) == (f"{xslt}/{shown}:0:0: error: its name holds {said}, which a BagIt manifest "
                                  "cannot list as it is (RFC 8493, 2.1.3): rename the file")
    assert not (project / "build" / "deposit" / STEM).exists()
