"""The `tei-tools` command line: parses options, calls the library, maps errors to exit codes.

Library modules raise typed errors (tei_tools.errors); this module alone prints.
"""
from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import click

from tei_tools import __version__
from tei_tools.errors import TeiToolsError, counted, internal_error, shown_path


class ToolFailure(click.ClickException):
    """A one-line (or one line per finding) error with the library's exit code."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None) -> None:
        click.echo(self.format_message(), err=True)


class UsageFailure(click.ClickException):
    """A usage error (unknown option, bad value, no such command) as one line, exit 2.

    Click writes the usage synopsis, a hint and the error on four lines; a script or an
    editor's build task reads one line per problem, like every other error of the tool.
    """

    exit_code = 2

    def __init__(self, error: click.UsageError):
        super().__init__(error.format_message())
        self.command_path = error.ctx.command_path if error.ctx is not None else "tei-tools"

    def show(self, file=None) -> None:
        message = self.format_message().rstrip(".")
        click.echo(f"{self.command_path}: error: {message} (see {self.command_path} --help)", err=True)


class _NamedInUsageErrors:
    """Usage errors that name their command: click's parser raises some (an option without
    its value) with no context, so the message would name no command."""

    def parse_args(self, ctx, args):
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as error:
            error.ctx = error.ctx or ctx
            raise


class _Command(_NamedInUsageErrors, click.Command):
    pass


class OneLineUsageErrors(_NamedInUsageErrors, click.Group):
    """The tool's command group: usage errors of the group and of its commands in one line."""

    command_class = _Command

    def make_context(self, *args, **kwargs):
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as error:
            raise _one_line(error) from None
        except KeyboardInterrupt as interruption:
            raise _interrupted_before_the_command(interruption) from None

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            raise _one_line(error) from None
        except KeyboardInterrupt as interruption:
            raise _interrupted_before_the_command(interruption) from None


def _interrupted_before_the_command(interruption: KeyboardInterrupt) -> click.ClickException:
    """Ctrl-C (or SIGTERM) while the options are read or the command is set up: click would
    say "Aborted!" and exit 1. A command's own interruptions are reports_errors'."""
    return _interrupted(interruption, "nothing was done")


def _interrupted(interruption: KeyboardInterrupt, said: str) -> click.ClickException:
    """"interrupted (Ctrl-C): <said>", exit 130; for SIGTERM (Terminated), 143."""
    signal_name, code = ("SIGTERM", 143) if isinstance(interruption, Terminated) else ("Ctrl-C", 130)
    return ToolFailure(f"interrupted ({signal_name}): {said}", code)


def _one_line(error: click.UsageError) -> click.ClickException:
    # No command at all asks for the help, which click shows as a usage "error": kept.
    help_asked = getattr(click.exceptions, "NoArgsIsHelpError", ())
    return error if help_asked and isinstance(error, help_asked) else UsageFailure(error)


class Terminated(KeyboardInterrupt):
    """SIGTERM, taken like Ctrl-C: the work under way is finished or dropped cleanly (worker
    processes stopped, no half-written output) instead of the process vanishing."""


def _terminate(signum, frame):
    raise Terminated()


# What an interrupted command leaves behind, said after "interrupted (Ctrl-C): ".
# validate and verify write nothing.
_OUTPUTS_KEPT = "every output written is complete; documents not yet built keep their previous outputs"
_AFTER_AN_INTERRUPTION = {
    "build": _OUTPUTS_KEPT,
    "watch": _OUTPUTS_KEPT,
    "package": "every package written is complete; the others keep their previous bag and zip",
}


def reports_errors(command):
    """Turn the library's typed errors into messages and exit codes, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except KeyboardInterrupt as exc:
            said = _AFTER_AN_INTERRUPTION.get(click.get_current_context().info_name, "nothing was written")
            raise _interrupted(exc, said) from None
        except TeiToolsError as exc:
            raise ToolFailure(str(exc), exc.exit_code) from None
        except _StdoutFailure as failure:
            raise _stdout_failure(failure.__cause__) from None
        except OSError as exc:
            raise _os_failure(exc) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # the command's own messages and exits
        except Exception as exc:  # a bug: one line, no traceback unless TEI_TOOLS_DEBUG asks for it
            raise ToolFailure(internal_error(click.get_current_context().command_path, exc), 1) from None

    return wrapper


# Exit statuses of a command whose report could not be written (documented in README.md):
# the reader of a pipe went away (`tei-tools verify bag | head -1`), as a shell reports a
# process ended by SIGPIPE; standard output failed otherwise (a full disk), sysexits' EX_IOERR.
# Neither is 1, which says a file is invalid or a bag not intact.
STDOUT_CLOSED, STDOUT_FAILED = 141, 74


class _StdoutFailure(Exception):
    """The command's report could not be written to standard output (the OSError is its cause)."""


def _report(line: str) -> None:
    """A line of the command's report, on standard output (click.echo flushes it)."""
    try:
        click.echo(line)
    except OSError as exc:
        raise _StdoutFailure() from exc


def _stdout_failure(exc: OSError) -> click.ClickException | click.exceptions.Exit:
    """The report could not be written: quietly 141 when the reader of the pipe went away,
    else one line at the command and 74."""
    _quiet_stdout()
    if isinstance(exc, BrokenPipeError):
        return click.exceptions.Exit(STDOUT_CLOSED)
    command = click.get_current_context().command_path
    return ToolFailure(f"{command}: error: cannot write to standard output: {exc.strerror or exc}", STDOUT_FAILED)


def _os_failure(exc: OSError) -> click.ClickException:
    """A system error as one line: at its file, or else at the command (the working folder
    may have been removed under it)."""
    if exc.filename:
        return ToolFailure(f"{shown_path(exc.filename)}:0:0: error: {exc.strerror or exc}", 1)
    command = click.get_current_context().command_path
    try:
        os.getcwd()
    except FileNotFoundError:
        return ToolFailure(f"{command}: error: the working folder no longer exists; run the command in the project's folder", 1)
    return ToolFailure(f"{command}: error: {exc.strerror or exc}", 1)


def _quiet_stdout() -> None:
    """Standard output to the null device: what it still buffers would fail again when the
    interpreter flushes it at exit, with a second message."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):  # no file descriptor (a test's runner)
        pass


@click.group(cls=OneLineUsageErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tei-tools")
def main() -> None:
    """Validate, build and deposit the TEI edition in edition/."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)


def _named_folder(ctx, param, value: str | None) -> Path | None:
    """The output folder; an empty name (which would quietly mean the working directory) is refused."""
    if value is None:
        return None
    if not value.strip():
        raise click.BadParameter("an empty folder name; give a folder, e.g. --out dist")
    return Path(value)


def _named_paths(ctx, param, values: tuple[str, ...]) -> tuple[Path, ...]:
    """The TEI files or folders; an empty name (which would mean the whole working directory,
    dist/ and old bags included) is refused."""
    if any(not value.strip() for value in values):
        raise click.BadParameter("an empty path; give a TEI file or a folder, e.g. edition/")
    return tuple(Path(value) for value in values)


@main.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(readable=False), callback=_named_paths)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: one line per problem and a summary; json: the same findings for scripts and editors.")
@reports_errors
def validate_command(paths: tuple[Path, ...], output_format: str) -> None:
    """Check TEI files: well-formedness, schema/edition.rng, schema/edition.sch.

    PATHS are files or folders (their *.xml); default: every *.xml under edition/.
    Exit 0 when all are valid (warnings allowed), 1 when any is invalid, 2 on usage errors.
    """
    from tei_tools.validate import validate_paths

    report = validate_paths(paths)
    if output_format == "json":
        _report(report.to_json())
    else:
        for finding in report.findings:
            _report(str(finding))
        _report(report.summary())
    if not report.valid:
        sys.exit(1)


def build_options(command):
    """The arguments `build` and `watch` share: paths, formats, output folder."""
    command = click.option("--out", "out", type=click.Path(), default="dist",
                           show_default=True, callback=_named_folder, help="Output folder.")(command)
    command = click.option("--format", "formats", multiple=True, default=("all",), show_default=True,
                           type=click.Choice(["html", "epub", "txt", "all"]),
                           help="Output format; repeat for several. all: every format available.")(command)
    # readable=False: an unreadable file is that file's error, located, and the others are
    # still done (click would stop the whole command with a usage error).
    return click.argument("paths", nargs=-1, type=click.Path(readable=False), callback=_named_paths)(command)


@main.command("build")
@build_options
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Documents built at once, in worker processes (default: the machine's CPUs).")
@click.option("--force", is_flag=True, help="Rebuild every output, also those up to date.")
@click.option("--worker-memory", "worker_memory", type=click.IntRange(min=1), default=None, metavar="MIB",
              help="Replace a worker process by a new one before its memory would pass MIB MiB "
                   "(a hard bound whatever the documents; each new worker costs about 0.2 s to set up). Default: no limit.")
@reports_errors
def build_command(paths: tuple[Path, ...], formats: tuple[str, ...], out: Path, jobs: int | None, force: bool,
                  worker_memory: int | None) -> None:
    """Validate each TEI file and build its reading editions into dist/<stem>.<ext>.

    PATHS are files or folders (their *.xml); default: every *.xml under edition/.
    Outputs whose inputs are unchanged since the last build are left alone (--force
    rebuilds them). An invalid document gets no output. Exit 0 when all were built, 1 when
    one failed, 2 on usage errors (no such file, two files of one name, a file name that
    cannot name outputs).
    """
    from tei_tools.parallel import build_paths
    from tei_tools.progress import Progress
    from tei_tools.transform import resolve_formats

    chosen = resolve_formats(formats)
    progress = Progress()
    try:
        report = build_paths(paths, out, chosen, jobs=jobs, force=force, on_result=progress, worker_memory_mib=worker_memory)
    finally:
        progress.finish()
    _echo_results(report)
    if report.skipped:
        click.echo(f"{len(report.skipped)} of {len(report.results)} documents up to date (--force rebuilds them)", err=True)
    if not report.ok:
        failed = len(report.failures)
        click.echo(f"{failed} of {len(report.results)} documents failed; no output written for them", err=True)
        sys.exit(1)


@main.command("watch")
@build_options
@reports_errors
def watch_command(paths: tuple[Path, ...], formats: tuple[str, ...], out: Path) -> None:
    """Build, then rebuild whatever a save changes: TEI files, stylesheets, schema.

    PATHS as for build (default: edition/). Problems are shown as path:line:col lines and
    watching goes on. Ctrl-C stops.
    """
    from tei_tools.editions import default_edition_dir, edition_files
    from tei_tools.transform import resolve_formats
    from tei_tools.watch import watch

    chosen = resolve_formats(formats)
    paths = paths or (default_edition_dir(),)  # a usage error, before anything is said or made
    edition_files(paths)  # so is a path that does not exist (a file not yet saved: save it first)
    click.echo(f"watching {', '.join(str(p) for p in paths)}, xslt/ and schema/ (Ctrl-C stops)", err=True)
    try:
        watch(paths, out, chosen, on_build=_show_watched_build)
    except KeyboardInterrupt:
        click.echo("stopped watching", err=True)


def _echo_results(report) -> None:
    """Each document's problems (stderr) and the outputs written (stdout), in order; then
    the outputs removed because their source is gone and the build's warnings (stderr)."""
    for result in report.results:
        for line in result.messages:
            click.echo(line, err=True)
        for output in result.outputs:
            _report(shown_path(output))
    for output, source in report.removed:
        click.echo(f"removed {shown_path(output)} (its source {shown_path(_as_given(source))} is gone)", err=True)
    for warning in report.warnings:  # the build's own: its records, shared identifiers
        click.echo(warning, err=True)


def _as_given(path: Path) -> str:
    """A path recorded absolute, shown from the working folder when it lies inside it."""
    relative = os.path.relpath(path)
    outside = relative == os.pardir or relative.startswith(os.pardir + os.sep)
    return str(path) if outside else relative


def _show_watched_build(build) -> None:
    """One line per problem, one line per output written, a summary line with the time."""
    import time

    report = build.report
    _echo_results(report)
    built = sum(1 for r in report.results if r.ok and r.outputs)
    failed = len(report.failures)
    summary = f"{built} built, {len(report.skipped)} up to date, {failed} failed"
    if report.removed:
        summary += f", {counted(len(report.removed), 'output')} removed"
    click.echo(f"[{time.strftime('%H:%M:%S')}] {summary} ({build.seconds:.2f} s)", err=True)


@main.command("package")
@click.option("--out", "out", type=click.Path(file_okay=False), default=None, callback=_named_folder,
              help="Folder for the bags (default: build/deposit/ in the project).")
@click.option("--zip", "make_zip", is_flag=True, help="Also write <identifier>.zip of each bag (byte-identical on rebuild).")
@click.option("--root", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="The project folder, with edition/ (default: the working directory).")
@reports_errors
def package_command(out: Path | None, make_zip: bool, root: Path | None) -> None:
    """Validate, build and bag each edition in edition/ for deposit in an archive (BagIt).

    The reading editions are built afresh, with the edition's own date, into a temporary
    folder: the project's dist/ is never written. SOURCE_DATE_EPOCH dates the bags alone.
    """
    from tei_tools.package import default_root, package

    for made in package(root or default_root(), out, make_zip=make_zip):
        for warning in made.warnings:
            click.echo(warning, err=True)
        _report(f"{made.bag}: bag of {made.identifier}, {made.files} files, {made.bytes} bytes")
        if made.zip is not None:
            _report(f"{made.zip}: zip of the bag")


def _named_path(ctx, param, value: str) -> Path:
    """A bag or its zip; an empty name (which would quietly mean the working folder) is refused."""
    if not value.strip():
        raise click.BadParameter("an empty path; give a bag's folder or its zip, e.g. build/deposit/x.zip")
    return Path(value)


@main.command("verify")
@click.argument("path", type=click.Path(), callback=_named_path)
@reports_errors
def verify_command(path: Path) -> None:
    """Check a deposit package (bag folder or its zip): every file present, unaltered, listed.

    Exit 0 intact (a tag file no tag manifest lists is a warning), 1 not intact, 2 no such
    bag.
    """
    from tei_tools.verify import algorithm_name, verify

    result = verify(path)
    # Warnings (a tag file no tag manifest lists) leave the bag intact; said either way.
    for warning in result.warnings:
        click.echo(str(warning), err=True)
    if not result.intact:
        raise ToolFailure("\n".join(str(problem) for problem in result.problems), 1)
    payload, tags = result.files_checked - result.tag_files_checked, result.tag_files_checked
    algorithms = " and ".join(algorithm_name(a) for a in result.algorithms)
    _report(f"{result.label}: intact ({counted(payload, 'payload file')} and {counted(tags, 'tag file')}, {algorithms})")


def run() -> None:
    """The `tei-tools` command (and `python -m tei_tools`): `main`, then a quick exit.

    Once the command is done (every output written, closed and renamed), the interpreter's
    own teardown (freeing every module and object, the XSLT runtime's memory) takes about
    20 ms of a 300 ms build on this machine, and changes nothing on disk. So the process
    flushes its streams, runs its `atexit` handlers, and ends with `os._exit`. It exits
    the usual way when another thread is still running (it would not be waited for), when
    a stream cannot be flushed (Python then reports it and exits with 120) and when the
    exit status is not a number. Tests call `main` through click's runner, not this.
    """
    try:
        # "tei-tools" in its messages also when run as `python -m tei_tools` (click would name
        # the command by how it was started)
        main(prog_name="tei-tools")  # standalone mode: always ends with SystemExit
    except SystemExit as done:
        _exit_now(done.code)
    _exit_now(0)  # pragma: no cover - click's standalone mode never returns


def _exit_now(code) -> None:
    import threading

    status = 0 if code is None else code
    if not isinstance(status, int) or threading.active_count() > 1:
        sys.exit(code)
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:  # None where there is no console (pythonw)
                stream.flush()
    except BrokenPipeError:
        # the reader of the pipe went away before the report's last lines were written
        _quiet_stdout()
        os._exit(STDOUT_CLOSED)
    except (OSError, ValueError):
        sys.exit(code)
    import atexit

    atexit._run_exitfuncs()
    os._exit(status & 0xFF)  # what the system keeps of any exit status


if __name__ == "__main__":  # pragma: no cover
    run()
