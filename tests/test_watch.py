"""tei_tools.watch: rebuild on save, report problems as path:line:col, keep watching.

The watcher runs in a thread on a folder in tmp_path; the test edits files and waits for
the builds the watcher reports (with generous time limits: no timing is asserted).
"""
from __future__ import annotations

import queue
import re
import shutil
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from tei_tools import saxon
from tei_tools import watch as watch_module
from tei_tools.cli import main
from tei_tools.watch import watch

from test_parallel import make_corpus

WAIT = 30  # seconds: a limit for a stuck watcher, not a measure of speed
LOCATED = re.compile(r"^.+:\d+:\d+: error: ")


@pytest.fixture(autouse=True)
def fixed_date(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


@pytest.fixture(autouse=True)
def own_stylesheets(tmp_path_factory, monkeypatch):
    """The watcher listens to the stylesheet folder: give it a copy nobody else edits."""
    copy = tmp_path_factory.mktemp("tool") / "xslt"
    shutil.copytree(saxon.XSLT_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(saxon, "XSLT_DIR", copy)
    return copy


class Watcher:
    """`watch` in a thread; each build it reports is put on a queue."""

    def __init__(self, paths, out, formats=("txt",)):
        self.builds: queue.Queue = queue.Queue()
        self.stop = threading.Event()
        self.ready = threading.Event()
        self.thread = threading.Thread(
            target=watch, args=(paths, out, list(formats)),
            kwargs={"on_build": self.builds.put, "stop": self.stop, "ready": self.ready}, daemon=True,
        )

    def __enter__(self):
        self.thread.start()
        assert self.ready.wait(WAIT), "the watcher did not start"
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(WAIT)
        assert not self.thread.is_alive(), "the watcher did not stop"

    def next_build(self):
        return self.builds.get(timeout=WAIT)

    def build_for(self, path: Path):
        """The first build started by a change to `path` (builds set off by other events are passed over)."""
        while True:
            build = self.next_build()
            if path.resolve() in {p.resolve() for p in build.changed}:
                return build


def test_a_saved_document_is_rebuilt_and_an_error_does_not_stop_the_watcher(tmp_path):
    edition = tmp_path / "edition"
    first, second = make_corpus(edition, 2)
    out = tmp_path / "out"
    with Watcher([edition], out) as watcher:
        initial = watcher.next_build()
        assert initial.changed == [] and initial.report.ok
        assert "Red Aid, issue 0" in (out / "issue-000.txt").read_text(encoding="utf-8")

        first.write_text(first.read_text(encoding="utf-8").replace("Red Aid, issue 0", "Red Aid, issue zero"), encoding="utf-8")
        build = watcher.build_for(first)
        assert [r.path.name for r in build.report.results if r.outputs] == ["issue-000.xml"]
        assert second in build.report.skipped
        assert "Red Aid, issue zero" in (out / "issue-000.txt").read_text(encoding="utf-8")

        broken = edition / "issue-002.xml"
        broken.write_text("<TEI xmlns='http://www.tei-c.org/ns/1.0'>\n  <teiHeader>\n", encoding="utf-8")
        build = watcher.build_for(broken)
        [failure] = build.report.failures
        assert failure.path.name == "issue-002.xml"
        assert failure.messages and all(LOCATED.match(line) for line in failure.messages)
        assert failure.messages[0].startswith(f"{broken}:")

        broken.unlink()  # fixed by removing it: the watcher is still there
        second.write_text(second.read_text(encoding="utf-8").replace("Red Aid, issue 1", "Red Aid, issue one"), encoding="utf-8")
        build = watcher.build_for(second)
        assert build.report.ok
        assert "Red Aid, issue one" in (out / "issue-001.txt").read_text(encoding="utf-8")


def test_outputs_and_temporary_files_do_not_set_the_watcher_off(tmp_path):
    """Outputs written inside a watched folder must not start another build (no loop)."""
    [document] = make_corpus(tmp_path, 1)
    with Watcher([tmp_path], tmp_path / "out") as watcher:
        watcher.next_build()
        (tmp_path / ".issue-000.xml.swp").write_text("editor's scratch", encoding="utf-8")
        document.write_text(document.read_text(encoding="utf-8").replace("issue 0", "issue nought"), encoding="utf-8")
        build = watcher.build_for(document)
        assert build.report.ok
        assert all(p.suffix == ".xml" and not p.name.startswith(".") for p in build.changed)
        with pytest.raises(queue.Empty):  # nothing more happens once the build is written
            watcher.builds.get(timeout=1.0)


def test_a_saved_stylesheet_rebuilds_the_formats_that_use_it(tmp_path, own_stylesheets):
    corpus = make_corpus(tmp_path / "edition", 2)
    out = tmp_path / "out"
    with Watcher([tmp_path / "edition"], out, formats=("html", "txt")) as watcher:
        watcher.next_build()
        css = own_stylesheets / "html.css"
        css.write_text(css.read_text(encoding="utf-8") + "\n/* saved in the editor */\n", encoding="utf-8")
        build = watcher.build_for(css)
        assert sorted(p.name for p in build.report.outputs) == sorted(f"{p.stem}.html" for p in corpus)
        assert "/* saved in the editor */" in (out / "issue-000.html").read_text(encoding="utf-8")


def test_a_deleted_document_takes_its_outputs_with_it(tmp_path):
    """An editor who deletes or renames a file in the watched folder finds no edition of
    the old file left in the output folder."""
    edition = tmp_path / "edition"
    kept, gone = make_corpus(edition, 2)
    out = tmp_path / "out"
    with Watcher([edition], out) as watcher:
        watcher.next_build()
        assert (out / "issue-001.txt").is_file()
        gone.unlink()
        build = watcher.build_for(gone)
        assert build.report.ok and [output.name for output, _ in build.report.removed] == ["issue-001.txt"]
        assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["issue-000.txt"]


def test_a_folder_removed_and_made_again_is_watched_again(tmp_path):
    """`rm -rf edition; mkdir edition; cp …`: the watch of the old folder sees nothing of
    the new one, and the watcher went silent after one error."""
    edition = tmp_path / "edition"
    make_corpus(edition, 1)
    out = tmp_path / "out"
    with Watcher([edition], out) as watcher:
        watcher.next_build()
        shutil.rmtree(edition)
        staging = make_corpus(tmp_path / "staging", 2)
        shutil.copytree(tmp_path / "staging", edition)
        build = watcher.build_for(edition)
        assert build.report.ok
        assert sorted(p.name for p in out.glob("*.txt")) == sorted(f"{p.stem}.txt" for p in staging)
        saved = edition / staging[1].name  # and a save in the new folder is seen
        saved.write_text(saved.read_text(encoding="utf-8").replace("issue 1", "issue one"), encoding="utf-8")
        assert watcher.build_for(saved).report.ok
        assert "issue one" in (out / f"{saved.stem}.txt").read_text(encoding="utf-8")


def test_the_watch_lines_name_removed_outputs_and_warnings(capsys):
    from tei_tools.cli import _show_watched_build
    from tei_tools.parallel import IncrementalReport
    from tei_tools.watch import WatchedBuild

    gone = Path("/elsewhere/edition/a.xml")
    warning = 'edition/b.xml:9:30: warning: The edition identifier "a" is also that of edition/a.xml: …'
    report = IncrementalReport(results=[], removed=[(Path("dist/a.html"), gone), (Path("dist/a.txt"), gone)],
                               warnings=[warning])
    _show_watched_build(WatchedBuild(2, [gone], report, 0.25))
    lines = capsys.readouterr().err.splitlines()
    assert lines[:3] == [f"removed {Path('dist/a.html')} (its source {gone} is gone)",
                         f"removed {Path('dist/a.txt')} (its source {gone} is gone)", warning]
    assert lines[3].endswith("] 0 built, 0 up to date, 0 failed, 2 outputs removed (0.25 s)")


def test_max_builds_ends_the_watch(tmp_path):
    corpus = make_corpus(tmp_path / "edition", 1)
    assert watch([corpus[0]], tmp_path / "out", ["txt"], max_builds=1) == 1
    assert (tmp_path / "out" / "issue-000.txt").is_file()


def test_cli_watch_stops_on_ctrl_c_without_a_traceback(tmp_path, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(watch_module, "watch", interrupted)
    result = CliRunner().invoke(main, ["watch", "--out", str(tmp_path / "out"), str(tmp_path)])
    assert result.exit_code == 0
    assert "stopped watching" in result.output
    assert "Traceback" not in result.output


def test_an_unusable_source_date_epoch_stops_watch_before_it_builds(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    result = CliRunner().invoke(main, ["watch", "--out", str(tmp_path / "out"), str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1].startswith("SOURCE_DATE_EPOCH='soon': error:")
    assert not (tmp_path / "out").exists()


def test_watch_without_an_edition_folder_is_a_usage_error_that_makes_nothing(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from tei_tools.cli import main

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["watch"])
    assert result.exit_code == 2
    assert result.output.startswith("edition:0:0: error: no such folder") and "watching" not in result.output
    assert list(tmp_path.iterdir()) == []  # no dist/ left behind


def test_watch_of_a_path_that_does_not_exist_is_a_usage_error(tmp_path):
    from click.testing import CliRunner

    from tei_tools.cli import main

    result = CliRunner().invoke(main, ["watch", "--out", str(tmp_path / "out"), str(tmp_path / "missing.xml")])
    assert result.exit_code == 2
    assert result.output == f"{tmp_path / 'missing.xml'}:0:0: error: no such file or directory\n"
    assert not (tmp_path / "out").exists()
