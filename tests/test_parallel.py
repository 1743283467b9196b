"""tei_tools.parallel: many documents, built by a pool of workers or in series.

The corpus is a few copies of the small HTML fixture, each with its own identifier and
title (as a journal's run would have), written to tmp_path.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from tei_tools.cli import main
from tei_tools.errors import ValidationError
from tei_tools.parallel import build_many

FIXTURES = Path(__file__).parent / "fixtures"
SMALL = FIXTURES / "html" / "small-edition.xml"
INVALID = FIXTURES / "html" / "invalid-unknown-element.xml"
FORMATS = ("html", "epub", "txt")
FINDING = re.compile(r"^(?P<path>[^\n]+?):(?P<line>\d+):(?P<col>\d+): error: ", re.MULTILINE)


def make_corpus(folder: Path, count: int, source: Path = SMALL, tag: str = "") -> list[Path]:
    """`count` copies of `source` with distinct identifiers and titles."""
    folder.mkdir(parents=True, exist_ok=True)
    text = source.read_text(encoding="utf-8")
    paths = []
    for number in range(count):
        copy = text.replace('<idno type="edition">small-edition</idno>', f'<idno type="edition">issue-{number:03d}</idno>', 1)
        copy = copy.replace("A small test article on Red Aid", f"Red Aid, issue {number}{tag}", 1)
        path = folder / f"issue-{number:03d}.xml"
        path.write_text(copy, encoding="utf-8")
        paths.append(path)
    return paths


def visible_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if not p.name.startswith(".")}


@pytest.fixture(autouse=True)
def fixed_date(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


def test_a_parallel_build_writes_the_same_bytes_as_a_serial_one(tmp_path):
    corpus = make_corpus(tmp_path / "edition", 4)
    parallel = build_many(corpus, tmp_path / "parallel", FORMATS, jobs=2)
    serial = build_many(corpus, tmp_path / "serial", FORMATS, jobs=1)
    assert parallel.ok and serial.ok, [m for r in parallel.failures + serial.failures for m in r.messages]
    built = visible_files(tmp_path / "parallel")
    assert sorted(built) == sorted(f"issue-{n:03d}.{ext}" for n in range(4) for ext in ("html", "epub", "txt"))
    assert built == visible_files(tmp_path / "serial")
    assert b"Red Aid, issue 3" in built["issue-003.html"]


def test_workers_replaced_after_every_document_write_the_same_bytes(tmp_path):
    """A memory limit below any worker's size: each worker builds one document and is replaced."""
    corpus = make_corpus(tmp_path / "edition", 4)
    limited = build_many(corpus, tmp_path / "limited", FORMATS, jobs=2, worker_memory_mib=1)
    serial = build_many(corpus, tmp_path / "serial", FORMATS, jobs=1)
    assert limited.ok and serial.ok, [m for r in limited.failures + serial.failures for m in r.messages]
    assert visible_files(tmp_path / "limited") == visible_files(tmp_path / "serial")


def test_cli_build_takes_a_worker_memory_limit(tmp_path):
    corpus = make_corpus(tmp_path / "edition", 3)
    result = CliRunner().invoke(main, ["build", "--jobs", "2", "--worker-memory", "1", "--out", str(tmp_path / "out"), *map(str, corpus)])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "out").glob("*.epub"))) == 3
    refused = CliRunner().invoke(main, ["build", "--worker-memory", "0", str(corpus[0])])
    assert refused.exit_code == 2 and "--worker-memory" in refused.output


def test_each_document_renders_its_html_page_once_for_the_html_and_epub_editions(tmp_path, monkeypatch):
    """The HTML and EPUB editions share one rendering of the page in every kind of build."""
    from tei_tools import saxon
    from tei_tools.parallel import build_task
    from tei_tools.transform import as_formats

    runs = []
    real = saxon.transform

    def counting(stylesheet, *args, **kwargs):
        runs.append(str(stylesheet))
        return real(stylesheet, *args, **kwargs)

    monkeypatch.setattr(saxon, "transform", counting)
    outcome = build_task(SMALL, tmp_path, as_formats(FORMATS))
    assert outcome.result.ok, outcome.result.messages
    assert sorted(runs) == ["epub.xsl", "html.xsl", "text.xsl"]


def test_a_fresh_tei_tools_process_forks_its_workers_and_splits_a_single_document(tmp_path):
    """From a fresh process (Saxon not started) the pool's workers are forked, and a single
    document's heaviest formats are rendered in a forked child: the same bytes either way."""
    corpus = make_corpus(tmp_path / "edition", 3)
    expected = build_many(corpus, tmp_path / "serial", FORMATS, jobs=1)
    assert expected.ok
    for name, paths in (("pool", [str(tmp_path / "edition")]), ("single", [str(corpus[0])])):
        command = [sys.executable, "-m", "tei_tools", "build", "--jobs", "2", "--out", str(tmp_path / name), *paths]
        finished = subprocess.run(command, capture_output=True, text=True, env={k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"})
        assert finished.returncode == 0, finished.stderr
        built = visible_files(tmp_path / name)
        assert built and all(data == (tmp_path / "serial" / file).read_bytes() for file, data in built.items())
    assert sorted(visible_files(tmp_path / "single")) == ["issue-000.epub", "issue-000.html", "issue-000.txt"]


def test_a_single_format_is_rendered_in_a_child_while_this_process_validates(tmp_path):
    """With one format, the child renders it and this process only validates: same bytes."""
    corpus = make_corpus(tmp_path / "edition", 1)
    expected = build_many(corpus, tmp_path / "serial", ["html"], jobs=1)
    assert expected.ok
    command = [sys.executable, "-c", SPLIT_ONE_FORMAT, str(corpus[0]), str(tmp_path / "single")]
    finished = subprocess.run(command, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.split() == ["split", "validated-here", "rendered-here:"]
    assert visible_files(tmp_path / "single") == {"issue-000.html": (tmp_path / "serial" / "issue-000.html").read_bytes()}


# Run in a fresh interpreter (Saxon not started, so forking is safe): says whether the
# build split, which formats this process rendered, and that it validated.
SPLIT_ONE_FORMAT = """
import os, sys
from tei_tools import forked, parallel, transform
from tei_tools.transform import as_formats
formats = as_formats(["html"])
print("split" if forked.can_split(formats, 2) else "not-split")
rendered, load = transform.render_formats, transform.load_document
here = os.getpid()
def render_here(document, chosen):
    if os.getpid() == here:
        print("rendered-here:", *[f.name for f in chosen], flush=True)
    return rendered(document, chosen)
def load_here(path):
    if os.getpid() == here:
        print("validated-here", flush=True)
    return load(path)
transform.render_formats, transform.load_document = render_here, load_here
report = parallel.build_many([sys.argv[1]], sys.argv[2], ["html"], jobs=2)
sys.exit(0 if report.ok else 1)
"""


def test_the_forked_child_takes_the_formats_that_share_a_stylesheet_together():
    """HTML and EPUB share the page (html.xsl): they go to one process, the text to the other."""
    from tei_tools.forked import _groups
    from tei_tools.transform import as_formats

    groups = _groups(as_formats(FORMATS))
    assert [[f.name for f in group] for group in groups] == [["html", "epub"], ["txt"]]


def test_a_single_invalid_document_fails_in_a_fresh_process_without_output(tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_bytes(INVALID.read_bytes())
    command = [sys.executable, "-m", "tei_tools", "build", "--jobs", "2", "--out", str(tmp_path / "out"), str(bad)]
    finished = subprocess.run(command, capture_output=True, text=True)
    assert finished.returncode == 1
    assert FINDING.search(finished.stderr) and f"{bad}:" in finished.stderr
    assert "Traceback" not in finished.stderr
    assert visible_files(tmp_path / "out") == {}


def test_results_are_in_the_order_given_and_each_document_is_reported_once(tmp_path):
    corpus = make_corpus(tmp_path / "edition", 5)
    order = list(reversed(corpus))
    heard = []
    report = build_many(order, tmp_path / "out", ["txt"], jobs=2, on_result=lambda r, done, total: heard.append((r.path, done, total)))
    assert [r.path for r in report.results] == order
    assert sorted(path for path, _, _ in heard) == sorted(order)
    assert [done for _, done, _ in heard] == [1, 2, 3, 4, 5]
    assert {total for _, _, total in heard} == {5}
    assert [r.outputs for r in report.results] == [[tmp_path / "out" / f"{p.stem}.txt"] for p in order]


def test_results_are_in_the_order_given_whatever_order_the_workers_finish_in(tmp_path, monkeypatch):
    """The workers' results, arriving last document first, still come back in the order given."""
    from tei_tools import workers

    real_run_tasks = workers.run_tasks

    def finishing_backwards(tasks, *args, on_result, **kwargs):
        arrived = []
        real_run_tasks(tasks, *args, on_result=lambda task, outcome: arrived.append((task, outcome)), **kwargs)
        for task, outcome in reversed(arrived):
            on_result(task, outcome)

    monkeypatch.setattr(workers, "run_tasks", finishing_backwards)
    corpus = make_corpus(tmp_path / "edition", 3)
    report = build_many(corpus, tmp_path / "out", ["txt"], jobs=2)
    assert [r.path for r in report.results] == corpus
    assert [r.outputs for r in report.results] == [[tmp_path / "out" / f"{p.stem}.txt"] for p in corpus]


def test_one_invalid_document_fails_alone_and_keeps_its_findings(tmp_path):
    corpus = make_corpus(tmp_path / "edition", 3)
    bad = tmp_path / "edition" / "issue-bad.xml"
    bad.write_bytes(INVALID.read_bytes())
    report = build_many([corpus[0], bad, *corpus[1:]], tmp_path / "out", FORMATS, jobs=2)
    assert not report.ok
    [failure] = report.failures
    assert failure.path == bad
    assert isinstance(failure.error, ValidationError)  # the error crossed the process boundary whole
    assert failure.error.findings and all(f.path == str(bad) for f in failure.error.findings)
    assert sorted(visible_files(tmp_path / "out")) == sorted(f"{p.stem}.{ext}" for p in corpus for ext in ("html", "epub", "txt"))


def test_cli_build_with_jobs_reports_the_failure_with_its_path_and_exits_1(tmp_path):
    corpus_dir = tmp_path / "edition"
    corpus = make_corpus(corpus_dir, 3)
    (corpus_dir / "issue-bad.xml").write_bytes(INVALID.read_bytes())
    result = CliRunner().invoke(main, ["build", "--jobs", "2", "--format", "html", "--out", str(tmp_path / "out"), str(corpus_dir)])
    assert result.exit_code == 1
    errors = FINDING.findall(result.output)
    assert errors and {path for path, _, _ in errors} == {str(corpus_dir / "issue-bad.xml")}
    assert "1 of 4 documents failed" in result.output
    for path in corpus:
        assert str(tmp_path / "out" / f"{path.stem}.html") in result.output
    assert "Traceback" not in result.output


def test_cli_build_shows_plain_progress_lines_when_not_on_a_terminal(tmp_path):
    corpus = make_corpus(tmp_path / "edition", 3)
    result = CliRunner().invoke(main, ["build", "-j", "1", "--format", "txt", "--out", str(tmp_path / "out"), *map(str, corpus)])
    assert result.exit_code == 0, result.output
    progress = [line for line in result.output.splitlines() if line.startswith("[")]
    assert progress == [f"[{n}/3] built {path}" for n, path in enumerate(corpus, start=1)]


def test_a_killed_build_leaves_every_output_whole_and_the_next_build_cleans_up(tmp_path):
    """Kill a rebuild half-way: each output is the old file or the new one, never a mix."""
    corpus = make_corpus(tmp_path / "edition", 12)
    out = tmp_path / "out"
    assert build_many(corpus, out, FORMATS, jobs=1).ok
    old = visible_files(out)
    corpus = make_corpus(tmp_path / "edition", 12, tag=" (revised)")
    assert build_many(corpus, tmp_path / "expected", FORMATS, jobs=1).ok
    new = visible_files(tmp_path / "expected")

    command = [sys.executable, "-m", "tei_tools", "build", "--jobs", "1", "--out", str(out), str(tmp_path / "edition")]
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    deadline = time.monotonic() + 60
    while visible_files(out) == old and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    child.send_signal(signal.SIGKILL)
    child.wait()

    after = visible_files(out)
    assert sorted(after) == sorted(old)
    for name, data in after.items():
        assert data in (old[name], new[name]), f"{name} is neither the old nor the new output"
    assert build_many(corpus, out, FORMATS, jobs=1).ok  # the next build completes the job …
    assert visible_files(out) == new
    assert not list(out.glob(".*.tmp"))  # … and removes what the killed one left


def test_temporary_files_of_a_dead_build_are_removed_and_a_live_ones_kept(tmp_path):
    [document] = make_corpus(tmp_path / "edition", 1)
    out = tmp_path / "out"
    out.mkdir()
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    dead = out / f".issue-000.html.{finished.stdout.strip()}.abc123.tmp"
    live = out / f".issue-000.txt.{os.getpid()}.def456.tmp"
    dead.write_bytes(b"half an output")
    live.write_bytes(b"being written")
    assert build_many([document], out, ["html"], jobs=1).ok
    assert not dead.exists() and live.exists()


@pytest.mark.parametrize("second", ["1924/article.xml", "1924/Article.xml"])
def test_two_files_with_the_same_name_are_refused_before_anything_is_built(tmp_path, second):
    """Outputs are named by the file's name: the second would silently replace the first's
    (also on a case-insensitive file system, where the archive may be read)."""
    first = tmp_path / "edition" / "1923" / "article.xml"
    other = tmp_path / "edition" / second
    for path in (first, other):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(SMALL.read_bytes())
    result = CliRunner().invoke(main, ["build", "--out", str(tmp_path / "dist"), str(tmp_path / "edition")])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "writes the same outputs" in lines[0]
    assert str(first) in lines[0] and str(other) in lines[0]
    assert not (tmp_path / "dist").exists()


def test_a_file_named_twice_is_built_once(tmp_path):
    """By itself and inside its folder: one document, not a clash with itself."""
    source = tmp_path / "edition" / "article.xml"
    source.parent.mkdir()
    source.write_bytes(SMALL.read_bytes())
    result = CliRunner().invoke(main, ["build", "--format", "txt", "--out", str(tmp_path / "dist"), str(source.parent), str(source)])
    assert result.exit_code == 0, result.output
    assert result.output.count("article.txt") == 1
    assert len(build_many([source, source], tmp_path / "again", ["txt"], jobs=1).results) == 1


def test_a_broken_schema_fails_each_document_with_its_location_in_a_parallel_build(tmp_path, monkeypatch):
    """Workers load the schemas when they start: a broken one must not break the pool."""
    from tei_tools import validate

    sch = tmp_path / "edition.sch"
    rules = validate.SCH_PATH.read_text(encoding="utf-8")
    assert rules.count('<rule context="tei:text">') == 1
    sch.write_text(rules.replace('<rule context="tei:text">', '<rule context="tei:text[">'), encoding="utf-8")
    validate.forget_schemas()
    monkeypatch.setattr(validate, "SCH_PATH", sch)
    try:
        corpus = make_corpus(tmp_path / "corpus", 3)
        result = CliRunner().invoke(main, ["build", "--jobs", "2", "--out", str(tmp_path / "dist"), *map(str, corpus)])
    finally:
        validate.forget_schemas()
    assert result.exit_code == 1 and "Traceback" not in result.output
    located = [line for line in result.output.splitlines() if line.startswith(f"{sch}:")]
    assert len(located) == 3 and all("cannot compile the Schematron rules" in line for line in located)


def test_an_output_that_would_replace_an_input_is_refused_before_anything_is_written(tmp_path):
    """A TEI file named a.txt, built into its own folder, would be overwritten by its own
    text edition."""
    master = tmp_path / "art.txt"
    master.write_bytes(SMALL.read_bytes())
    result = CliRunner().invoke(main, ["build", "--out", str(tmp_path), str(master)])
    assert result.exit_code == 2
    assert f"{master}:0:0: error: the build would write art.txt over this input file" in result.output
    assert master.read_bytes() == SMALL.read_bytes() and sorted(p.name for p in tmp_path.iterdir()) == ["art.txt"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
def test_a_named_pipe_is_reported_not_read(tmp_path):
    """The plan hashes only regular files: a pipe would block it, a device never end."""
    pipe = tmp_path / "pipe.xml"
    os.mkfifo(pipe)
    finished = subprocess.run([sys.executable, "-m", "tei_tools", "build", "--out", str(tmp_path / "out"), str(pipe)],
                              capture_output=True, text=True, timeout=60)
    assert finished.returncode == 1
    assert f"{pipe}:0:0: error: not a regular file (a pipe or a device)" in finished.stderr


def test_a_manifest_that_cannot_be_written_is_a_warning_after_the_outputs(tmp_path, monkeypatch):
    """The outputs are written and whole: a full disk at the manifest only means that the next
    build does the work again, and the outputs are still listed."""
    from tei_tools.fsutil import cannot_write
    from tei_tools.manifest import Manifest

    def full(self):
        raise cannot_write(self.path, "No space left on device")  # as atomic_write says it

    monkeypatch.setattr(Manifest, "save", full)
    result = CliRunner().invoke(main, ["build", "--jobs", "1", "--format", "txt", "--out", str(tmp_path), str(SMALL)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert str(tmp_path / "small-edition.txt") in lines
    assert any(line.startswith(f"{tmp_path / '.tei-tools-manifest.json'}:0:0: warning: the build's record of its outputs "
                               "could not be written (No space left on device); the next build rebuilds these documents") for line in lines)


def test_two_documents_with_one_identifier_are_built_with_a_warning_on_the_second(tmp_path):
    """validate calls it an error and package refuses the pair; a build writes both (an
    editor mid-way through copying a file) but says so, located at the second's idno,
    also when the documents are up to date and skipped."""
    first, second = make_corpus(tmp_path / "edition", 2)
    second.write_text(second.read_text(encoding="utf-8").replace(
        '<idno type="edition">issue-001</idno>', '<idno type="edition">issue-000</idno>'), encoding="utf-8")
    line = next(n for n, text in enumerate(second.read_text(encoding="utf-8").splitlines(), 1) if "issue-000</idno>" in text)
    for _ in range(2):  # built, then skipped as up to date
        report = build_many([first, second], tmp_path / "out", ["txt"], jobs=1)
        assert report.ok
        [warning] = report.warnings
        assert warning.startswith(f"{second}:{line}:") and ': warning: The edition identifier "issue-000" is also that of ' in warning
        assert str(first) in warning
    assert report.skipped == [first, second]


def test_distinct_identifiers_give_no_warning(tmp_path):
    report = build_many(make_corpus(tmp_path / "edition", 3), tmp_path / "out", ["txt"], jobs=2)
    assert report.ok and report.warnings == []


def test_an_identifier_taken_out_of_a_document_is_forgotten(tmp_path):
    """The manifest keeps each document's identifier for builds that skip it; one the
    document no longer gives must not come back as a warning on a later build."""
    first, second = make_corpus(tmp_path / "edition", 2)
    text = second.read_text(encoding="utf-8")
    second.write_text(text.replace('<idno type="edition">issue-001</idno>', '<idno type="edition">issue-000</idno>'), encoding="utf-8")
    assert len(build_many([first, second], tmp_path / "out", ["txt"], jobs=1).warnings) == 1
    second.write_text(text.replace('<idno type="edition">issue-001</idno>', ""), encoding="utf-8")
    for _ in range(2):  # rebuilt, then skipped as up to date
        report = build_many([first, second], tmp_path / "out", ["txt"], jobs=1)
        assert report.ok and report.warnings == []
