"""tei_tools.package: validate and build, plan every bag before writing any, the CLI command.

The tests package a small project tree (tests/deposit_project.py); one runs the real build pipeline.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil

import bagit
import pytest
from click.testing import CliRunner
from lxml import etree

from deposit_project import REPO, STEM, add_edition, bag_info, manifest, package_named, payload_files, small_build
from tei_tools import package as package_module
from tei_tools.cli import main
from tei_tools.errors import BuildError, OutputError, PackageError, UsageError, ValidationError
from tei_tools.package import package
from tei_tools.payload import EDITION_ROLES


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


def test_a_zip_that_cannot_be_written_leaves_the_old_bag_and_zip_a_pair(made, project):
    """The bag was replaced before its zip was written: a zip that could not be written
    left a new bag beside the old zip."""
    before = {p: p.read_bytes() for p in made.bag.parent.rglob("*") if p.is_file()}
    master = project / "edition" / f"{STEM}.xml"
    master.write_text(master.read_text().replace("Checked against the source.", "Checked against the source again."))
    made.zip.unlink()
    made.zip.mkdir()  # a folder where the zip should go
    with pytest.raises(OutputError, match="a folder has its name"):
        package(project, make_zip=True, build=small_build)
    after = {p: p.read_bytes() for p in made.bag.parent.rglob("*") if p.is_file()}
    assert after == {p: b for p, b in before.items() if p != made.zip}
    assert sorted(p.name for p in made.bag.parent.iterdir()) == ["deposit-sample", "deposit-sample.zip"]


def test_two_masters_with_one_identifier_are_refused(project):
    shutil.copy(project / "edition" / f"{STEM}.xml", project / "edition" / "copy-of-sample.xml")
    # each is valid (validation warns), but their bags would have one name: refused before
    # anything is built, located at the second's idno
    first, second = project / "edition" / "copy-of-sample.xml", project / "edition" / f"{STEM}.xml"  # in name order
    with pytest.raises(PackageError, match=f'identifier "deposit-sample" is also that of {first}') as refused:
        package(project, build=small_build)
    line = next(n for n, text in enumerate(second.read_text().splitlines(), 1) if '<idno type="edition">' in text)
    assert str(refused.value).startswith(f"{second}:{line}:")
    assert not (project / "build").exists()


def test_the_bag_bears_the_identifier_its_own_descriptions_give(project):
    """A comment inside the idno: package took only the text before it ("deposit") for the
    bag's name, while dc.xml and bag-info gave the identifier as the stylesheets and
    validate read it ("deposit-sample")."""
    master = project / "edition" / f"{STEM}.xml"
    text = master.read_text(encoding="utf-8")
    assert text.count(">deposit-sample<") == 1
    master.write_text(text.replace(">deposit-sample<", ">deposit<!-- the project's name -->-sample<"), encoding="utf-8")
    [made] = package(project, build=small_build)
    assert made.bag.name == "deposit-sample"
    dc = etree.parse(str(made.bag / "data/metadata/dc.xml"))
    assert dc.xpath("string(//dc:identifier)", namespaces={"dc": "http://purl.org/dc/elements/1.1/"}) == "deposit-sample"
    assert bag_info(made.bag)["External-Identifier"] == ["deposit-sample"]


def test_an_identifier_that_cannot_name_a_bag_is_refused_at_its_idno(project, tmp_path):
    """Validation refuses such an identifier first (edition.sch); the package's own check
    is for a caller that did not validate, and names the idno's place too."""
    from tei_tools.parsing import parse_file

    text = (project / "edition" / f"{STEM}.xml").read_text(encoding="utf-8")
    master = tmp_path / f"{STEM}.xml"
    master.write_text(text.replace(">deposit-sample<", ">deposit sample<"), encoding="utf-8")
    with pytest.raises(PackageError, match="edition identifier 'deposit sample' cannot name a package") as refused:
        package_module.edition_identifier(parse_file(master), master)
    line = next(n for n, text in enumerate(master.read_text().splitlines(), 1) if '<idno type="edition">' in text)
    assert str(refused.value).startswith(f"{master}:{line}:")


def test_a_stylesheet_that_does_not_compile_is_named_with_its_line(project, tmp_path, monkeypatch):
    """package's descriptions (mets.xsl) are made outside the build's report, whose lines
    are located: a compile error there said only "cannot compile mets.xsl"."""
    from tei_tools import saxon

    xslt = tmp_path / "xslt"
    shutil.copytree(saxon.XSLT_DIR, xslt, ignore=shutil.ignore_patterns("__pycache__"))
    lines = (xslt / "mets.xsl").read_text(encoding="utf-8").splitlines(keepends=True)
    broken = next(n for n, line in enumerate(lines) if re.search(r'select="[^"]*"\s*/>', line))  # on one line
    lines[broken] = lines[broken].replace('select="', 'select="((', 1)
    (xslt / "mets.xsl").write_text("".join(lines), encoding="utf-8")
    monkeypatch.setattr(saxon, "XSLT_DIR", xslt)
    with pytest.raises(BuildError) as refused:
        package(project, build=small_build)
    message = str(refused.value)
    assert message.startswith(f"{xslt / 'mets.xsl'}:{broken + 1}:") and ": error: " in message, message
    assert "\n" not in message


def test_a_committed_edition_that_differs_from_the_deposited_one_is_a_warning(project):
    """The package builds its editions afresh and never writes dist/; a released file there
    that differs from the bag's (dist/ not rebuilt after an edit) is named, on stderr, and
    left as it is. Equal files, or none, give no warning."""
    first = package(project, build=small_build)[0]
    assert first.warnings == ()
    deposited = (first.bag / "data" / "dist" / f"{STEM}.html").read_bytes()
    dist = project / "dist"
    dist.mkdir(exist_ok=True)
    (dist / f"{STEM}.html").write_bytes(deposited)
    assert package(project, build=small_build)[0].warnings == ()
    (dist / f"{STEM}.html").write_bytes(deposited + b"<!-- an older build -->")
    [warning] = package(project, build=small_build)[0].warnings
    assert warning.startswith(f"{dist / STEM}.html:0:0: warning: differs from the reading edition this package holds")
    assert (dist / f"{STEM}.html").read_bytes().endswith(b"<!-- an older build -->")  # never rewritten
    shown = CliRunner().invoke(main, ["package", "--root", str(project)])
    assert shown.exit_code == 0 and warning in shown.stderr and warning not in shown.stdout


def test_a_header_that_names_no_source_file_is_warned_of_where_it_describes_the_source(project):
    """Without idno type='file' the bag takes every file of edition/source/ as this
    edition's source, which is wrong for an edition whose source is not there: a warning at
    sourceDesc says so, on stderr. A header that names its file, or an empty
    edition/source/, gives none."""
    master = project / "edition" / f"{STEM}.xml"
    text = master.read_text(encoding="utf-8")
    named = '<idno type="file">000_sample.txt</idno>'
    assert package(project, build=small_build)[0].warnings == ()
    master.write_text(text.replace(named, ""), encoding="utf-8")
    made = package(project, build=small_build)[0]
    [warning] = made.warnings
    lines = master.read_text(encoding="utf-8").splitlines()
    line = next(n for n, t in enumerate(lines, 1) if "<sourceDesc" in t)
    assert warning.startswith(f"{master}:{line}:{lines[line - 1].index('<sourceDesc') + 1}: warning: sourceDesc names no source file")
    assert any(name.startswith("data/edition/source/") for name in payload_files(made.bag))
    shown = CliRunner().invoke(main, ["package", "--root", str(project)])
    assert shown.exit_code == 0 and warning in shown.stderr
    shutil.rmtree(project / "edition" / "source")
    assert package(project, build=small_build)[0].warnings == ()


def test_a_source_text_changed_since_it_was_received_is_refused(project):
    """The header records the source file's SHA-256 as received (idno type='sha256'): a
    package of a changed source would hold a master and README that describe another text,
    under the same version. Refused before anything is built, located at that idno."""
    master = project / "edition" / f"{STEM}.xml"
    source = project / "edition" / "source" / "000_sample.txt"
    text = master.read_text(encoding="utf-8")
    named = '<idno type="file">000_sample.txt</idno>'
    assert text.count(named) == 1
    checksum = hashlib.sha256(source.read_bytes()).hexdigest()
    master.write_text(text.replace(named, f'{named}<idno type="sha256">{checksum}</idno>'), encoding="utf-8")
    assert package(project, build=small_build)  # as received: packaged
    source.write_bytes(source.read_bytes() + b" ")
    with pytest.raises(PackageError) as refused:
        package(project, project / "second", build=small_build)
    line = next(n for n, t in enumerate(master.read_text(encoding="utf-8").splitlines(), 1) if 'type="sha256"' in t)
    message = str(refused.value)
    assert message.startswith(f"{master}:{line}:") and "has changed since it was received" in message
    assert hashlib.sha256(source.read_bytes()).hexdigest() in message and checksum in message
    assert not (project / "second").exists()


def test_an_invalid_master_is_refused_before_anything_is_built(project):
    master = project / "edition" / f"{STEM}.xml"
    master.write_text(master.read_text().replace('<div type="article">', '<div type="article"><unknownElement/>'))
    built = []
    with pytest.raises(ValidationError, match=f"{STEM}.xml:"):
        package(project, build=lambda root, masters: built.append(masters))
    assert built == []
    assert not (project / "build").exists()


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


def test_real_edition_packages_with_the_build_pipeline(tmp_path, monkeypatch):
    """The repository's edition, schema and stylesheets, built by tei_tools.transform."""
    from tei_tools import transform

    assert set(package_module.DEPOSIT_FORMATS) <= set(transform.FORMATS)
    assert set(package_module.DEPOSIT_FORMATS.values()) == set(EDITION_ROLES)  # built, then deposited
    root = tmp_path / "repo"
    for folder in ("edition", "schema", "xslt"):
        shutil.copytree(REPO / folder, root / folder)
    shutil.copy(REPO / "LICENSE", root / "LICENSE")
    released = tmp_path / "released"  # what `tei-tools build` writes, without SOURCE_DATE_EPOCH
    package_module.build_editions(released, [root / "edition" / "mopr-1922-1924.xml"])
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the transfer's day dates the bag only
    made = package_named(package(root, make_zip=True), "mopr-1922-1924")  # edition/ may hold more editions
    assert bagit.Bag(str(made.bag)).is_valid()
    assert not (root / "dist").exists()  # the project's dist/ is never written
    files = payload_files(made.bag)
    for ext in ("html", "epub", "txt"):
        assert files[f"data/dist/mopr-1922-1924.{ext}"] == (released / "dist" / f"mopr-1922-1924.{ext}").read_bytes()
    assert bag_info(made.bag)["Bagging-Date"] == ["2023-11-14"]
    source = hashlib.sha256((REPO / "edition/source/000_81dcb08b3cb23004.txt").read_bytes()).hexdigest()
    assert manifest(made.bag, "sha256")["data/edition/source/000_81dcb08b3cb23004.txt"] == source
    # the header names its source as a path from the project's root: it resolves in data/ too
    master = etree.parse(str(made.bag / "data/edition/mopr-1922-1924.xml"))
    named = master.findtext(".//{http://www.tei-c.org/ns/1.0}sourceDesc//{http://www.tei-c.org/ns/1.0}idno[@type='file']")
    assert (made.bag / "data" / named).is_file(), named
    # the edition's version (editionStmt/edition/@n) is in every description of it
    version = master.find(".//{http://www.tei-c.org/ns/1.0}editionStmt/{http://www.tei-c.org/ns/1.0}edition").get("n")
    assert bag_info(made.bag)["Edition-Version"] == [version]
    assert f"(version {version})" in (made.bag / "data/README.md").read_text(encoding="utf-8")
    again = package_named(package(root, tmp_path / "again", make_zip=True), "mopr-1922-1924")  # outputs reused: same bytes
    assert again.zip.read_bytes() == made.zip.read_bytes()


def test_the_real_edition_keeps_its_citation_and_source_readme_beside_another_edition(tmp_path):
    """The repository's CITATION.cff (which cites mopr-1922-1924) and edition/source/README.md
    (which describes its source) stay in its bag, byte for byte the same bag as without a second
    edition; a second edition under another licence gets neither, and both LICENSE."""
    root = tmp_path / "repo"
    for folder in ("edition", "schema", "xslt"):
        shutil.copytree(REPO / folder, root / folder)
    for name in ("LICENSE", "CITATION.cff"):
        shutil.copy(REPO / name, root / name)
    alone = package_named(package(root, tmp_path / "alone", make_zip=True, build=small_build), "mopr-1922-1924")
    add_edition(root, "kestrel-sample", title="The annual report of a lantern society")
    made = {m.identifier: m for m in package(root, make_zip=True, build=small_build)}
    assert made["mopr-1922-1924"].zip.read_bytes() == alone.zip.read_bytes()
    mopr, other = payload_files(made["mopr-1922-1924"].bag), payload_files(made["kestrel-sample"].bag)
    assert mopr["data/CITATION.cff"] == (REPO / "CITATION.cff").read_bytes()
    assert mopr["data/edition/source/README.md"] == (REPO / "edition/source/README.md").read_bytes()
    readme = mopr["data/README.md"].decode("utf-8")
    assert "| `CITATION.cff` | how to cite the edition (Citation File Format) |" in readme
    assert "data/CITATION.cff" not in other and "data/edition/source/README.md" not in other
    assert other["data/LICENSE"] == (REPO / "LICENSE").read_bytes()


def test_packaging_never_writes_the_project_s_dist(project, tmp_path, monkeypatch):
    """With SOURCE_DATE_EPOCH (the documented way to date a bag), packaging rebuilt the
    project's dist/ with the transfer's day: the released editions were changed, even with
    --out elsewhere. The editions are built into a folder of the package's own, and
    SOURCE_DATE_EPOCH is unset meanwhile (and set again after)."""
    released = {}
    (project / "dist").mkdir()
    for ext in ("html", "epub", "txt"):
        released[ext] = f"the released {ext} edition".encode()
        (project / "dist" / f"{STEM}.{ext}").write_bytes(released[ext])
    seen = []

    def build(root, masters):
        seen.append((root, os.environ.get("SOURCE_DATE_EPOCH")))
        small_build(root, masters)

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    [made] = package(project, tmp_path / "deposit", build=build)
    assert {ext: (project / "dist" / f"{STEM}.{ext}").read_bytes() for ext in released} == released
    assert sorted(p.name for p in (project / "dist").iterdir()) == sorted(f"{STEM}.{ext}" for ext in released)
    [(root, epoch)] = seen
    assert epoch is None and not root.exists()  # built undated, in a folder since removed
    assert os.environ["SOURCE_DATE_EPOCH"] == "1700000000"
    assert payload_files(made.bag)[f"data/dist/{STEM}.txt"] == f"The reading edition of {STEM}\n".encode()


def test_deposited_editions_carry_the_edition_s_date_and_the_bag_the_bagging_date(project, tmp_path, monkeypatch):
    """The real build: the editions are those of a build without SOURCE_DATE_EPOCH (the
    revision date, 2024-05-03), the bag is dated by it, and the README's rebuild commands
    give the editions' date, which a rebuild needs to make the same bytes."""
    master = project / "edition" / f"{STEM}.xml"
    package_module.build_editions(tmp_path / "released", [master])
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14T22:13:20Z
    [made] = package(project, tmp_path / "deposit")
    files = payload_files(made.bag)
    for ext in ("html", "epub", "txt"):
        assert files[f"data/dist/{STEM}.{ext}"] == (tmp_path / "released" / "dist" / f"{STEM}.{ext}").read_bytes()
    assert bag_info(made.bag)["Bagging-Date"] == ["2023-11-14"]
    readme = files["data/README.md"].decode("utf-8")
    assert "on 2023-11-14" in readme and "build-date=2024-05-03T00:00:00Z" in readme
    assert "2023-11-14T22:13:20Z" not in readme
    assert not (project / "dist").exists()


def test_an_unusable_source_date_epoch_stops_packaging_before_the_build(project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    built = []
    with pytest.raises(UsageError, match="SOURCE_DATE_EPOCH='yesterday': error: not a whole number"):
        package(project, build=lambda root, masters: built.append(masters))
    assert built == []


@pytest.mark.parametrize("inside", ["edition", "edition/deposit"])
def test_a_package_folder_inside_edition_is_refused_before_anything_is_written(project, monkeypatch, inside):
    """The bags' copies of the master, their metadata and stylesheets would be taken for
    edition files: every later build, validation and package of the project failed."""
    monkeypatch.setattr(package_module, "build_editions", small_build)
    before = sorted(p.relative_to(project) for p in (project / "edition").rglob("*"))
    result = CliRunner().invoke(main, ["package", "--root", str(project), "--out", str(project / inside)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    [line] = result.output.splitlines()
    assert line.startswith(f"{project / inside}:0:0: error: the package folder is inside")
    assert sorted(p.relative_to(project) for p in (project / "edition").rglob("*")) == before


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


def test_the_default_project_is_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["package"])
    assert result.exit_code == 2
    assert result.output.startswith(f"{tmp_path / 'edition'}:0:0: error: no such folder")
    assert not (tmp_path / "build").exists()
