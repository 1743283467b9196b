"""The command line through click's CliRunner and as a process: validate's output format,
summary and exit codes, usage errors, build's messages, interruptions, bugs and system
errors in one line, reports whose reader went away, and the exit statuses the README
documents. (verify, package and watch have their own modules.)"""
from __future__ import annotations

import json
import subprocess
import sys
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import EDITION_DIR, FIXTURES, REPO_ROOT
from tei_tools.cli import main

SECRET = (FIXTURES / "xxe-secret.txt").read_text(encoding="utf-8").split(":")[0]
FINDING_LINE = re.compile(r"^(?P<path>.+):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning): (?P<message>.+)$")
SUMMARY_LINE = re.compile(r"^\d+ files?: \d+ valid, \d+ invalid \(\d+ errors?, \d+ warnings?\)$")


def run(*args: str):
    return CliRunner().invoke(main, ["validate", *args])


def output_lines(result) -> list[str]:
    return [line for line in result.output.splitlines() if line.strip()]


def test_valid_file_exits_0_with_summary():
    result = run(str(FIXTURES / "valid-minimal.xml"))
    assert result.exit_code == 0, result.output
    assert output_lines(result) == ["1 file: 1 valid, 0 invalid (0 errors, 0 warnings)"]


def test_warnings_do_not_fail():
    result = run(str(FIXTURES / "sch-unreferenced-register-entry.xml"))
    assert result.exit_code == 0
    first, summary = output_lines(result)
    assert FINDING_LINE.match(first).group("severity") == "warning"
    assert summary == "1 file: 1 valid, 0 invalid (0 errors, 1 warning)"


@pytest.mark.parametrize(
    "fixture",
    [
        "hostile-xxe-local-file.xml",
        "hostile-billion-laughs.xml",
        "hostile-dtd-from-url.xml",
        "hostile-xinclude-local-file.xml",
        "encoding-latin1-declared-utf8.xml",
        "binary-png.xml",
        "empty.xml",
        "not-tei-root-html.xml",
        "tei-without-namespace.xml",
        "not-well-formed.xml",
        "invalid-schema-unknown-element.xml",
        "sch-dangling-pointer.xml",
        "sch-duplicate-id.xml",
        "sch-footnotes-out-of-sequence.xml",
        "sch-page-gap.xml",
        "sch-date-without-when.xml",
        "sch-split-note-not-linked.xml",
        "sch-javascript-link.xml",
    ],
)
def test_bad_file_gives_located_lines_and_exit_1(fixture):
    path = str(FIXTURES / fixture)
    result = run(path)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = output_lines(result)
    assert SUMMARY_LINE.match(lines[-1]) and "1 invalid" in lines[-1]
    for line in lines[:-1]:
        match = FINDING_LINE.match(line)
        assert match, line
        assert match.group("path") == path
        assert int(match.group("line")) >= 1 and int(match.group("col")) >= 1
    assert "Traceback" not in result.output
    assert SECRET not in result.output


def test_missing_path_exits_2(tmp_path: Path):
    missing = tmp_path / "nowhere.xml"
    result = run(str(missing))
    assert result.exit_code == 2
    assert output_lines(result) == [f"{missing}:0:0: error: no such file or directory"]


def test_directory_validates_its_xml_files(tmp_path: Path):
    # where the fixtures' schema links (../../schema/) lead to the schema, as in tests/fixtures/
    folder = tmp_path / "tests" / "fixtures"
    folder.mkdir(parents=True)
    (tmp_path / "schema").symlink_to(REPO_ROOT / "schema")
    (folder / "a.xml").write_bytes((FIXTURES / "valid-minimal.xml").read_bytes())
    (folder / "b.xml").write_bytes((FIXTURES / "sch-page-gap.xml").read_bytes())
    result = run(str(folder))
    assert result.exit_code == 1
    lines = output_lines(result)
    assert lines[0].startswith(f"{folder / 'b.xml'}:")
    assert lines[-1] == "2 files: 1 valid, 1 invalid (1 error, 0 warnings)"


def test_empty_directory_is_a_usage_error(tmp_path: Path):
    result = run(str(tmp_path))
    assert result.exit_code == 2
    assert "no *.xml files" in result.output


@pytest.mark.parametrize("args, command, names", [
    (["validate", "--format", "yaml"], "tei-tools validate", "'--format'"),
    (["build", "--jobs", "0"], "tei-tools build", "'--jobs'"),
    (["build", "--no-such-option"], "tei-tools build", "'--no-such-option'"),
    (["no-such-command"], "tei-tools", "'no-such-command'"),
    (["--bogus"], "tei-tools", "'--bogus'"),  # an option of the group itself, before any command
    (["build", "--jobs"], "tei-tools build", "'--jobs'"),  # click raises this one without a context
    (["build", "--force=1"], "tei-tools build", "'--force'"),
    (["validate", ""], "tei-tools validate", "an empty path"),  # it would mean the whole working directory
    (["build", ""], "tei-tools build", "an empty path"),
    (["package", "--out", ""], "tei-tools package", "an empty folder name"),
])
def test_usage_errors_are_one_line_naming_the_command_and_the_option(args, command, names):
    """Click's own four-line usage message (synopsis, hint, blank, error) is one line here."""
    result = CliRunner().invoke(main, args, prog_name="tei-tools")
    assert result.exit_code == 2
    lines = output_lines(result)
    assert len(lines) == 1 and lines[0].startswith(f"{command}: error: ")
    assert names in result.output and f"(see {command} --help)" in result.output
    assert "Traceback" not in result.output and "Usage:" not in result.output


def test_no_command_shows_the_help():
    """Click signals "no command" as a usage error; it stays the help, not an error line."""
    result = CliRunner().invoke(main, [], prog_name="tei-tools")
    assert result.output.startswith("Usage: tei-tools") and "Commands:" in result.output
    assert ": error:" not in result.output.splitlines()[0]


def test_json_gives_the_same_findings():
    paths = [str(FIXTURES / "sch-duplicate-id.xml"), str(FIXTURES / "sch-unreferenced-register-entry.xml")]
    text = run(*paths)
    as_json = run("--format", "json", *paths)
    assert as_json.exit_code == text.exit_code == 1
    data = json.loads(as_json.output)
    findings = [f for file in data["files"] for f in file["findings"]]
    rendered = [f"{f['path']}:{f['line']}:{f['column']}: {f['severity']}: {f['message']}" for f in findings]
    assert rendered == output_lines(text)[:-1]
    assert data["valid"] is False
    assert [file["valid"] for file in data["files"]] == [False, True]
    assert data["summary"] == {"files": 2, "valid": 1, "invalid": 1, "errors": 2, "warnings": 1}


def test_json_is_valid_utf8_when_a_file_name_is_not(tmp_path):
    """A name with a byte that is not UTF-8 went into the JSON raw: no JSON reader took it."""
    import os
    import shutil

    folder = tmp_path / "names"
    folder.mkdir()
    name = os.fsdecode(b"bad\xffname.xml")
    shutil.copy(FIXTURES / "valid-minimal.xml", folder / name)
    result = run("--format", "json", str(folder))
    data = json.loads(result.stdout_bytes.decode("utf-8"))  # both raised before
    [file] = data["files"]
    assert os.fsencode(file["path"]).endswith(b"bad\xffname.xml")


def test_default_validates_the_edition(monkeypatch):
    assert any(EDITION_DIR.glob("*.xml")), "edition/ holds no TEI file"
    monkeypatch.chdir(EDITION_DIR.parent)
    result = run()
    assert result.exit_code == 0, result.output
    count = len(list(EDITION_DIR.glob("*.xml")))
    assert output_lines(result)[-1].startswith(f"{count} file")


# ----------------------------------------------------------------------------- build: usage and interruption


def test_build_of_a_folder_without_xml_files_is_a_usage_error(tmp_path: Path):
    result = CliRunner().invoke(main, ["build", "--out", str(tmp_path / "out"), str(tmp_path)])
    assert result.exit_code == 2
    assert f"{tmp_path}:0:0: error: no *.xml files to build" in result.output
    assert not (tmp_path / "out").exists()


def test_an_empty_output_folder_name_is_refused(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build", "--out", "", str(FIXTURES / "valid-minimal.xml")])
    assert result.exit_code == 2
    assert "an empty folder name" in result.output
    assert list(tmp_path.iterdir()) == []  # nothing written into the working directory


@pytest.mark.parametrize(("interruption", "code", "name"), [("ctrl-c", 130, "Ctrl-C"), ("sigterm", 143, "SIGTERM")])
def test_an_interrupted_build_says_so_in_one_line(tmp_path: Path, monkeypatch, interruption, code, name):
    from tei_tools import cli, parallel

    def interrupted(*args, **kwargs):
        raise cli.Terminated() if interruption == "sigterm" else KeyboardInterrupt()

    monkeypatch.setattr(parallel, "build_many", interrupted)
    result = CliRunner().invoke(main, ["build", "--out", str(tmp_path), str(FIXTURES / "valid-minimal.xml")])
    assert result.exit_code == code
    assert result.output.strip().splitlines() == [
        f"interrupted ({name}): every output written is complete; documents not yet built keep their previous outputs"]


@pytest.mark.parametrize("command", ["validate", "verify"])
def test_an_interrupted_command_that_writes_nothing_says_so(tmp_path: Path, monkeypatch, command):
    """validate and verify said "every output written is complete; documents not yet
    built keep their previous outputs": they write and build nothing."""
    from tei_tools import validate as validate_module, verify as verify_module

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt()

    monkeypatch.setattr(validate_module, "validate_paths", interrupted)
    monkeypatch.setattr(verify_module, "verify", interrupted)
    result = CliRunner().invoke(main, [command, str(FIXTURES / "valid-minimal.xml")])
    assert result.exit_code == 130
    assert result.output.strip().splitlines() == ["interrupted (Ctrl-C): nothing was written"]


def test_a_system_error_is_one_located_line(monkeypatch):
    """An error of the system (a file that cannot be read) that no library function turned
    into a typed error still names its file in one line, exit 1."""
    from tei_tools import validate as validate_module

    def denied(paths):
        raise PermissionError(13, "Permission denied", "edition/x.xml")

    monkeypatch.setattr(validate_module, "validate_paths", denied)
    result = CliRunner().invoke(main, ["validate"], prog_name="tei-tools")
    assert result.exit_code == 1
    assert result.output == "edition/x.xml:0:0: error: Permission denied\n"


def test_a_bug_is_reported_in_one_line_not_a_traceback(monkeypatch):
    from tei_tools import validate as validate_module

    def broken(paths):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(validate_module, "validate_paths", broken)
    result = CliRunner().invoke(main, ["validate"], prog_name="tei-tools")
    assert result.exit_code == 1
    assert result.output == "tei-tools validate: error: internal error, please report it: ZeroDivisionError: division by zero\n"
    # for the report, the traceback on demand
    monkeypatch.setenv("TEI_TOOLS_DEBUG", "1")
    shown = CliRunner().invoke(main, ["validate"], prog_name="tei-tools")
    lines = shown.output.splitlines()
    assert shown.exit_code == 1 and lines[0] == result.output.rstrip("\n")
    assert lines[1] == "Traceback (most recent call last):" and lines[-1] == "ZeroDivisionError: division by zero"
    assert any("in broken" in line for line in lines)


def test_a_bug_in_a_document_s_build_is_one_line_and_the_others_are_built(monkeypatch, tmp_path):
    from tei_tools import transform as transform_module

    def broken(document, formats):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(transform_module, "render_formats", broken)
    document = FIXTURES / "valid-minimal.xml"
    result = CliRunner().invoke(main, ["build", "--jobs", "1", "--format", "txt", "--out", str(tmp_path), str(document)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{document}:0:0: error: internal error, please report it: ZeroDivisionError: division by zero" in result.output


# The installed command (`tei-tools`, `python -m tei_tools`) is `cli.run`: `main`, then an
# exit that skips the interpreter's teardown. These run it as a process, as users do.
RUN_WITH = """
import atexit, sys, threading, time
from pathlib import Path
from tei_tools.cli import run
marker = Path(sys.argv[1])
if sys.argv[2] == "atexit":
    atexit.register(lambda: marker.write_text("atexit ran"))
elif sys.argv[2] == "thread":
    threading.Thread(target=lambda: (time.sleep(0.3), marker.write_text("thread finished"))).start()
sys.argv = ["tei-tools", *sys.argv[3:]]
run()
"""


def run_command(tmp_path: Path, hook: str, *args: str):
    import subprocess
    import sys

    marker = tmp_path / "marker.txt"
    command = [sys.executable, "-c", RUN_WITH, str(marker), hook, *args]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=120)
    return finished, marker.read_text() if marker.exists() else None


def test_the_command_flushes_its_output_and_keeps_the_exit_status(tmp_path: Path):
    valid, _ = run_command(tmp_path, "none", "validate", str(FIXTURES / "valid-minimal.xml"))
    assert (valid.returncode, valid.stdout, valid.stderr) == (0, "1 file: 1 valid, 0 invalid (0 errors, 0 warnings)\n", "")
    invalid, _ = run_command(tmp_path, "none", "validate", str(FIXTURES / "sch-dangling-pointer.xml"))
    assert invalid.returncode == 1
    assert FINDING_LINE.match(invalid.stdout.splitlines()[0]) and "Traceback" not in invalid.stderr
    missing, _ = run_command(tmp_path, "none", "validate", str(tmp_path / "nowhere.xml"))
    assert missing.returncode == 2 and missing.stderr.endswith("no such file or directory\n")


def test_the_command_runs_atexit_handlers(tmp_path: Path):
    finished, marker = run_command(tmp_path, "atexit", "--version")
    assert finished.returncode == 0 and marker == "atexit ran"


def test_the_command_waits_for_a_thread_still_running(tmp_path: Path):
    finished, marker = run_command(tmp_path, "thread", "--version")
    assert finished.returncode == 0 and marker == "thread finished"


def test_the_installed_command_is_run(tmp_path: Path):
    """The script that pyproject.toml installs runs the command, as `python -m tei_tools`
    does: the entry point is loaded and called as a console script calls it."""
    import tomllib

    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    entry = project["project"]["scripts"]["tei-tools"]
    module, _, function = entry.partition(":")
    script = f"import sys; sys.argv[0] = 'tei-tools'; from {module} import {function}; sys.exit({function}())"
    version = subprocess.run([sys.executable, "-c", script, "--version"], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert (version.returncode, version.stderr) == (0, "") and version.stdout.startswith("tei-tools, version ")
    invalid = subprocess.run([sys.executable, "-c", script, "validate", str(FIXTURES / "sch-dangling-pointer.xml")],
                             capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert invalid.returncode == 1 and FINDING_LINE.match(invalid.stdout.splitlines()[0]) and "Traceback" not in invalid.stderr


# Ctrl-C while `tei_tools.cli` is imported: a finder raises it at that import.
INTERRUPTED_IMPORT = """
import sys
class Interrupts:
    def find_spec(self, name, path=None, target=None):
        if name == "tei_tools.cli":
            raise KeyboardInterrupt
sys.meta_path.insert(0, Interrupts())
from tei_tools.__main__ import launch
launch()
"""


def test_ctrl_c_while_the_command_loads_ends_it_with_130_and_no_traceback():
    """The imports take a tenth of a second: a Ctrl-C pressed at once printed a traceback."""
    done = subprocess.run([sys.executable, "-c", INTERRUPTED_IMPORT, "--version"], capture_output=True, text=True, cwd=REPO_ROOT)
    assert (done.returncode, done.stdout, done.stderr) == (130, "", "")


def test_ctrl_c_before_the_command_begins_is_one_line_and_130(monkeypatch):
    """Click said "Aborted!" and exited 1 for a Ctrl-C while it read the options or set up the
    command (outside the command's own handling)."""
    import signal

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(signal, "signal", interrupted)  # the group's set-up installs a handler
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 130
    assert result.output.splitlines() == ["interrupted (Ctrl-C): nothing was done"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_build_shows_a_valid_document_s_warnings_located(jobs, tmp_path, monkeypatch):
    """A warning (here, a register entry nothing points to) does not stop the build, but
    the editor sees it: one located line on stderr, whether the document is built in this
    process, split with a forked child (one document, two jobs) or in a pool (two)."""
    # These fixtures have no date of their own: the build's date comes from here, so that
    # their only warning is the one this test is about (transform.undated_findings).
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    warned = FIXTURES / "sch-unreferenced-register-entry.xml"
    documents = [warned] if jobs == "1" else [warned, FIXTURES / "valid-minimal.xml"]
    for documents_now in ([warned], documents):
        result = CliRunner().invoke(main, ["build", "--force", "--jobs", jobs, "--format", "txt",
                                           "--out", str(tmp_path / "dist"), *map(str, documents_now)])
        assert result.exit_code == 0, result.output
        findings = [FINDING_LINE.match(line) for line in result.stderr.splitlines() if ": warning: " in line]
        assert len(findings) == 1 and findings[0], result.stderr
        assert (findings[0]["path"], findings[0]["line"], findings[0]["col"]) == (str(warned), "23", "7")
        assert 'xml:id="pers-unused" is not referred to anywhere' in findings[0]["message"]
        assert (tmp_path / "dist" / f"{warned.stem}.txt").is_file()


def test_a_report_whose_reader_went_away_ends_quietly_with_141():
    """`tei-tools verify bag | head -1`: exit 1 would say the bag is not intact, and the
    line named no file ("?:0:0: error: Broken pipe")."""
    fixture = FIXTURES / "valid-article.xml"
    done = subprocess.run(["bash", "-c", f'"{sys.executable}" -m tei_tools validate "{fixture}" | head -c 0; echo "${{PIPESTATUS[0]}}"'],
                          capture_output=True, text=True, cwd=REPO_ROOT)
    assert (done.stdout.strip(), done.stderr) == ("141", "")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_a_report_that_cannot_be_written_is_one_line_at_the_command_and_74():
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "tei_tools", "validate", str(FIXTURES / "valid-article.xml")],
                              stdout=full, stderr=subprocess.PIPE, text=True, cwd=REPO_ROOT)
    assert done.returncode == 74
    assert done.stderr.splitlines() == [
        "tei-tools validate: error: cannot write to standard output: No space left on device"]


def test_run_as_a_module_its_messages_name_tei_tools():
    """An editor's problem matcher keyed to "tei-tools" read "python -m tei_tools build: error"."""
    done = subprocess.run([sys.executable, "-m", "tei_tools", "build", "--jobs", "0"], capture_output=True, text=True, cwd=REPO_ROOT)
    assert done.returncode == 2
    assert done.stderr.startswith("tei-tools build: error: Invalid value for '--jobs'")


def test_a_file_name_with_a_line_break_is_refused_by_build_and_warned_of_by_validate(tmp_path, monkeypatch):
    """Each message naming such a file (progress, outputs, errors) was split in two."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "edition").mkdir()
    odd = tmp_path / "edition" / "new\nline.xml"
    odd.write_bytes((FIXTURES / "valid-article.xml").read_bytes())
    built = CliRunner().invoke(main, ["build", "--out", "out"])
    assert built.exit_code == 2
    assert built.output.splitlines() == [
        "edition/new\\nline.xml:0:0: error: the file name holds a line break, and the outputs are named after it "
        "(each message naming them would be split in two); rename the file"]
    checked = CliRunner().invoke(main, ["validate"])
    assert checked.exit_code == 0
    assert "edition/new\\nline.xml:1:1: warning: `tei-tools build` refuses this file: the file name holds a line break" in checked.output
    missing = CliRunner().invoke(main, ["build", "edition/gone\nx.xml"])
    assert missing.exit_code == 2 and missing.output.splitlines() == ["edition/gone\\nx.xml:0:0: error: no such file or directory"]
