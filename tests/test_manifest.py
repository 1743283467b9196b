"""tei_tools.manifest: incremental builds skip what is up to date and rebuild what changed.

Stylesheet changes are made in a copy of xslt/ (tei_tools.saxon.XSLT_DIR pointed at it),
never in the repository's own.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tei_tools import saxon
from tei_tools.cli import main
from tei_tools.manifest import MANIFEST_NAME, stylesheet_closure
from tei_tools.parallel import build_many
from tei_tools.transform import FORMATS as FORMAT_REGISTRY

from test_parallel import make_corpus, visible_files

FORMATS = ("html", "epub", "txt")


@pytest.fixture(autouse=True)
def fixed_date(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


@pytest.fixture
def xslt_copy(tmp_path, monkeypatch) -> Path:
    """A copy of the stylesheets that the build uses instead of the repository's."""
    copy = tmp_path / "xslt"
    shutil.copytree(saxon.XSLT_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(saxon, "XSLT_DIR", copy)
    return copy


def rebuilt(report) -> dict[str, list[str]]:
    """Document stem -> the output files this build wrote."""
    return {r.path.stem: sorted(p.name for p in r.outputs) for r in report.results if r.outputs}


def mtimes(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir() if not p.name.startswith(".")}


def test_a_second_build_with_nothing_changed_writes_nothing(tmp_path):
    corpus = make_corpus(tmp_path / "edition", 3)
    out = tmp_path / "out"
    first = build_many(corpus, out, FORMATS, jobs=1)
    assert first.ok and first.skipped == []
    before = mtimes(out)
    second = build_many(corpus, out, FORMATS, jobs=1)
    assert second.ok
    assert second.skipped == corpus and rebuilt(second) == {}
    assert mtimes(out) == before


def test_an_edited_document_alone_is_rebuilt_and_a_touched_one_is_not(tmp_path):
    corpus = make_corpus(tmp_path / "edition", 3)
    out = tmp_path / "out"
    build_many(corpus, out, FORMATS, jobs=1)
    os.utime(corpus[0], ns=(corpus[0].stat().st_mtime_ns + 10**12,) * 2)  # touched, not changed
    edited = corpus[1]
    edited.write_text(edited.read_text(encoding="utf-8").replace("Red Aid, issue 1", "Red Aid, issue one"), encoding="utf-8")
    report = build_many(corpus, out, FORMATS, jobs=1)
    assert rebuilt(report) == {"issue-001": ["issue-001.epub", "issue-001.html", "issue-001.txt"]}
    assert report.skipped == [corpus[0], corpus[2]]
    assert b"Red Aid, issue one" in (out / "issue-001.html").read_bytes()


def test_force_rebuilds_everything(tmp_path):
    corpus = make_corpus(tmp_path / "edition", 2)
    out = tmp_path / "out"
    build_many(corpus, out, FORMATS, jobs=1)
    report = build_many(corpus, out, FORMATS, jobs=1, force=True)
    assert report.skipped == [] and len(report.outputs) == 6


def test_a_deleted_or_altered_output_is_rebuilt(tmp_path):
    corpus = make_corpus(tmp_path / "edition", 2)
    out = tmp_path / "out"
    build_many(corpus, out, FORMATS, jobs=1)
    expected = visible_files(out)
    (out / "issue-000.txt").unlink()
    (out / "issue-001.html").write_bytes(expected["issue-001.html"].replace(b"Red Aid", b"Red Aid!"))
    report = build_many(corpus, out, FORMATS, jobs=1)
    assert rebuilt(report) == {"issue-000": ["issue-000.txt"], "issue-001": ["issue-001.html"]}
    assert visible_files(out) == expected


def test_a_new_format_builds_only_that_format(tmp_path):
    corpus = make_corpus(tmp_path / "edition", 2)
    out = tmp_path / "out"
    build_many(corpus, out, ["html"], jobs=1)
    report = build_many(corpus, out, FORMATS, jobs=1)
    assert rebuilt(report) == {p.stem: [f"{p.stem}.epub", f"{p.stem}.txt"] for p in corpus}


def test_a_shared_stylesheet_change_rebuilds_every_format_that_uses_it(tmp_path, xslt_copy):
    corpus = make_corpus(tmp_path / "edition", 2)
    out = tmp_path / "out"
    build_many(corpus, out, FORMATS, jobs=1)
    common = xslt_copy / "common.xsl"
    common.write_text(common.read_text(encoding="utf-8") + "<!-- edited -->\n", encoding="utf-8")
    report = build_many(corpus, out, FORMATS, jobs=1)
    assert report.skipped == []
    assert rebuilt(report) == {p.stem: [f"{p.stem}.epub", f"{p.stem}.html", f"{p.stem}.txt"] for p in corpus}


def test_a_format_stylesheet_change_rebuilds_that_format_and_those_importing_it(tmp_path, xslt_copy):
    corpus = make_corpus(tmp_path / "edition", 2)
    out = tmp_path / "out"
    build_many(corpus, out, FORMATS, jobs=1)
    css = xslt_copy / "html.css"  # read by html.xsl, whose page the EPUB is made from
    css.write_text(css.read_text(encoding="utf-8") + "\n/* edited */\n", encoding="utf-8")
    report = build_many(corpus, out, FORMATS, jobs=1)
    assert rebuilt(report) == {p.stem: [f"{p.stem}.epub", f"{p.stem}.html"] for p in corpus}
    assert b"/* edited */" in (out / "issue-000.html").read_bytes()  # compiled again, not from the cache
    text = xslt_copy / "text.xsl"
    text.write_text(text.read_text(encoding="utf-8") + "<!-- edited -->\n", encoding="utf-8")
    report = build_many(corpus, out, FORMATS, jobs=1)
    assert rebuilt(report) == {p.stem: [f"{p.stem}.txt"] for p in corpus}


def test_a_data_file_no_stylesheet_names_rebuilds_every_format(tmp_path, xslt_copy):
    """A file of xslt/ that no stylesheet refers to (data a renderer may read itself) cannot
    be attributed to a format: a change to it rebuilds everything rather than nothing."""
    corpus = make_corpus(tmp_path / "edition", 1)
    out = tmp_path / "out"
    data = xslt_copy / "data" / "extra.json"
    data.write_text("{}", encoding="utf-8")
    build_many(corpus, out, FORMATS, jobs=1)
    assert rebuilt(build_many(corpus, out, FORMATS, jobs=1)) == {}
    data.write_text('{"edited": true}', encoding="utf-8")
    report = build_many(corpus, out, FORMATS, jobs=1)
    assert rebuilt(report) == {"issue-000": ["issue-000.epub", "issue-000.html", "issue-000.txt"]}


def test_source_date_epoch_is_an_input(tmp_path, monkeypatch):
    corpus = make_corpus(tmp_path / "edition", 1)
    out = tmp_path / "out"
    build_many(corpus, out, ["txt"], jobs=1)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert rebuilt(build_many(corpus, out, ["txt"], jobs=1)) == {"issue-000": ["issue-000.txt"]}


def test_the_manifest_is_hidden_and_a_damaged_one_means_a_full_rebuild(tmp_path):
    corpus = make_corpus(tmp_path / "edition", 2)
    out = tmp_path / "out"
    report = build_many(corpus, out, FORMATS, jobs=1)
    manifest = out / MANIFEST_NAME
    assert manifest.name.startswith(".") and manifest not in report.outputs
    data = json.loads(manifest.read_text(encoding="utf-8"))
    record = data["documents"]["issue-000"]["html"]
    assert set(record["outputs"]) == {"issue-000.html"}
    assert {"xslt/common.xsl", "xslt/html.xsl", "schema/edition.rng", "schema/edition.sch", "tool"} <= set(data["shared"]["html"])
    manifest.write_text("{ not json", encoding="utf-8")
    assert build_many(corpus, out, FORMATS, jobs=1).skipped == []


def test_stylesheet_closure_follows_imports_includes_and_files_read():
    def closure(*stylesheets):
        return {p.relative_to(saxon.XSLT_DIR.resolve()).as_posix() for p in stylesheet_closure(list(stylesheets), saxon.XSLT_DIR)}

    assert {"html.xsl", "common.xsl", "map.xsl", "html.css", "html.js", "data/land-110m.xml"} <= closure("html.xsl")
    assert {"epub.xsl", "common.xsl", "epub.css"} <= closure("epub.xsl") and "html.xsl" not in closure("epub.xsl")
    # The EPUB format runs both: its page is the HTML edition's.
    assert closure("html.xsl") | closure("epub.xsl") == closure(*FORMAT_REGISTRY["epub"].stylesheets)
    text = {p.name for p in stylesheet_closure(["text.xsl"], saxon.XSLT_DIR)}
    assert "common.xsl" in text and "html.xsl" not in text


def test_files_read_are_the_literal_arguments_of_reading_functions_only():
    from tei_tools.manifest import _files_read

    stylesheet = """<xsl:variable select="doc('a.xml'), fn:doc( "b.xml"), unparsed-text-lines('c.txt')"/>
      <xsl:variable select="json-doc('d.json'), document('e.xml'), unparsed-text('f.css')"/>
      <xsl:variable select="my-doc('no.xml'), $x.doc('no2.xml'), concat('no3', 'x'), ed:doc('no4')"/>"""
    assert _files_read(stylesheet) == ["a.xml", "b.xml", "c.txt", "d.json", "e.xml", "f.css"]


def test_cli_build_says_what_was_up_to_date_and_force_rebuilds(tmp_path):
    corpus = make_corpus(tmp_path / "edition", 2)
    out = tmp_path / "out"
    arguments = ["build", "-j", "1", "--format", "txt", "--out", str(out), str(tmp_path / "edition")]
    assert CliRunner().invoke(main, arguments).exit_code == 0
    again = CliRunner().invoke(main, arguments)
    assert again.exit_code == 0
    assert "2 of 2 documents up to date (--force rebuilds them)" in again.output
    assert str(out / "issue-000.txt") not in again.output
    forced = CliRunner().invoke(main, [*arguments, "--force"])
    assert forced.exit_code == 0
    assert all(str(out / f"{p.stem}.txt") in forced.output for p in corpus)


def test_two_builds_saving_at_once_keep_what_each_recorded(tmp_path):
    """An editor's watch and a build by hand into one folder: the last to save used to
    write its own records alone, and the other's documents were built again next time."""
    from tei_tools.manifest import Manifest

    first, second = Manifest.load(tmp_path), Manifest.load(tmp_path)
    first.record("a", "edition/a.xml", "txt", "digest-a", {})
    second.record("b", "edition/b.xml", "txt", "digest-b", {})
    first.save()
    second.save()
    saved = Manifest.load(tmp_path)
    assert saved.documents["a"]["txt"]["inputs"] == "digest-a" and saved.documents["b"]["txt"]["inputs"] == "digest-b"


# ---------------------------------------------------------------- sources that are gone


def test_the_outputs_of_a_deleted_source_are_removed_with_its_record(tmp_path):
    from tei_tools.manifest import Manifest

    edition = tmp_path / "edition"
    kept, gone = make_corpus(edition, 2)
    out = tmp_path / "out"
    assert build_many([kept, gone], out, FORMATS, jobs=1, prune_under=[edition]).ok
    gone.unlink()
    report = build_many([kept], out, FORMATS, jobs=1, prune_under=[edition])
    assert report.ok and report.skipped == [kept]
    assert sorted(output.name for output, _ in report.removed) == ["issue-001.epub", "issue-001.html", "issue-001.txt"]
    assert {source for _, source in report.removed} == {Path(os.path.abspath(gone))}
    assert sorted(visible_files(out)) == ["issue-000.epub", "issue-000.html", "issue-000.txt"]
    assert set(Manifest.load(out).documents) == {"issue-000"}


def test_a_renamed_source_leaves_only_the_new_names_outputs(tmp_path):
    edition = tmp_path / "edition"
    [old] = make_corpus(edition, 1)
    out = tmp_path / "out"
    assert build_many([old], out, ["txt"], jobs=1, prune_under=[edition]).ok
    new = old.rename(edition / "renamed.xml")
    report = build_many([new], out, ["txt"], jobs=1, prune_under=[edition])
    assert [output.name for output, _ in report.removed] == ["issue-000.txt"]
    assert sorted(visible_files(out)) == ["renamed.txt"]


def test_outputs_of_sources_elsewhere_or_not_searched_are_left_alone(tmp_path):
    """Only the folders searched by this build are judged: a document built from another
    folder, or a build of named files, never removes what it did not look for."""
    first, second = make_corpus(tmp_path / "edition", 2)
    other = make_corpus(tmp_path / "elsewhere", 3)[2]
    out = tmp_path / "out"
    assert build_many([first, second, other], out, ["txt"], jobs=1).ok
    second.unlink()
    other.unlink()
    assert build_many([first], out, ["txt"], jobs=1).removed == []  # named files: no folder searched
    report = build_many([first], out, ["txt"], jobs=1, prune_under=[tmp_path / "edition"])
    assert [output.name for output, _ in report.removed] == ["issue-001.txt"]
    assert (out / "issue-002.txt").exists()  # its source was in elsewhere/, not searched


def test_a_source_moved_to_another_searched_folder_keeps_its_outputs(tmp_path):
    edition = tmp_path / "edition"
    [path] = make_corpus(edition / "1923", 1)
    out = tmp_path / "out"
    assert build_many([path], out, ["txt"], jobs=1, prune_under=[edition]).ok
    (edition / "1924").mkdir()
    moved = path.rename(edition / "1924" / path.name)
    report = build_many([moved], out, ["txt"], jobs=1, prune_under=[edition])
    assert report.removed == [] and (out / "issue-000.txt").exists()


def test_an_output_changed_by_hand_is_left_with_a_warning(tmp_path):
    edition = tmp_path / "edition"
    kept, gone = make_corpus(edition, 2)
    out = tmp_path / "out"
    assert build_many([kept, gone], out, ["txt"], jobs=1, prune_under=[edition]).ok
    (out / "issue-001.txt").write_text("an editor's own notes\n", encoding="utf-8")
    gone.unlink()
    report = build_many([kept], out, ["txt"], jobs=1, prune_under=[edition])
    assert report.removed == []
    [warning] = report.warnings
    assert warning.startswith(f"{out / 'issue-001.txt'}:0:0: warning: left in place") and str(gone) in warning
    assert (out / "issue-001.txt").read_text(encoding="utf-8") == "an editor's own notes\n"
    assert build_many([kept], out, ["txt"], jobs=1, prune_under=[edition]).warnings == []  # said once


def test_cli_build_of_the_edition_folder_says_what_it_removed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    kept, gone = make_corpus(Path("edition"), 2)
    assert CliRunner().invoke(main, ["build", "-j", "1", "--format", "txt"]).exit_code == 0
    gone.unlink()
    result = CliRunner().invoke(main, ["build", "-j", "1", "--format", "txt"])
    assert result.exit_code == 0
    assert f"removed {Path('dist', 'issue-001.txt')} (its source {gone} is gone)" in result.output
    assert not (tmp_path / "dist" / "issue-001.txt").exists() and (tmp_path / "dist" / "issue-000.txt").exists()


def test_a_manifest_naming_files_outside_the_folder_removes_nothing_there(tmp_path):
    from tei_tools.manifest import Manifest, describe_output

    edition = tmp_path / "edition"
    [gone] = make_corpus(edition, 1)
    out = tmp_path / "out"
    assert build_many([gone], out, ["txt"], jobs=1, prune_under=[edition]).ok
    victim = tmp_path / "victim.txt"
    victim.write_text("not an output\n", encoding="utf-8")
    manifest = Manifest.load(out)
    record = manifest.documents["issue-000"]["txt"]
    for name in ("../victim.txt", str(victim)):
        record["outputs"][name] = describe_output(victim, victim.read_bytes())
    manifest.record("issue-000", str(os.path.abspath(gone)), "txt", record["inputs"], record["outputs"])
    manifest.save()
    gone.unlink()
    report = build_many([], out, ["txt"], jobs=1, prune_under=[edition])
    assert [output.name for output, _ in report.removed] == ["issue-000.txt"]
    assert report.warnings == []  # not even looked at
    assert victim.read_text(encoding="utf-8") == "not an output\n"


def test_a_manifest_naming_a_live_document_s_outputs_for_a_gone_one_removes_none_of_them(tmp_path):
    """An entry for a document whose source is gone, edited (or corrupted) to list another
    document's outputs: the build deleted the live edition and called it up to date."""
    from tei_tools.manifest import Manifest

    edition = tmp_path / "edition"
    kept, gone = make_corpus(edition, 2)
    out = tmp_path / "out"
    assert build_many([kept, gone], out, ["txt"], jobs=1, prune_under=[edition]).ok
    manifest = Manifest.load(out)
    record = manifest.documents[gone.stem]["txt"]
    record["outputs"][f"{kept.stem}.txt"] = manifest.documents[kept.stem]["txt"]["outputs"][f"{kept.stem}.txt"]
    manifest.record(gone.stem, str(os.path.abspath(gone)), "txt", record["inputs"], record["outputs"])
    manifest.save()
    gone.unlink()
    report = build_many([kept], out, ["txt"], jobs=1, prune_under=[edition])
    assert [output.name for output, _ in report.removed] == [f"{gone.stem}.txt"]
    assert (out / f"{kept.stem}.txt").exists()


def test_outputs_another_build_wrote_again_meanwhile_are_not_removed(tmp_path, monkeypatch):
    """Two builds into one folder: while this one found issue-001's source gone, another
    (from a folder of its own) built a document of that name again. Its outputs stay."""
    from tei_tools import manifest as manifest_module
    from tei_tools.manifest import Manifest

    edition, elsewhere = tmp_path / "edition", tmp_path / "elsewhere"
    kept, gone = make_corpus(edition, 2)
    out = tmp_path / "out"
    assert build_many([kept, gone], out, ["txt"], jobs=1, prune_under=[edition]).ok
    gone.unlink()
    [other] = [p for p in make_corpus(elsewhere, 2) if p.name == gone.name]
    found = manifest_module.orphans

    def found_then_rebuilt_elsewhere(*args):
        result = found(*args)
        monkeypatch.setattr(manifest_module, "orphans", found)  # the other build's own search
        assert build_many([other], out, ["txt"], jobs=1, force=True).ok  # the other build
        return result

    monkeypatch.setattr(manifest_module, "orphans", found_then_rebuilt_elsewhere)
    report = build_many([kept], out, ["txt"], jobs=1, prune_under=[edition])
    assert report.removed == [] and report.warnings == []
    assert (out / "issue-001.txt").is_file()
    assert Manifest.load(out).documents["issue-001"]["source"] == os.path.abspath(other)
