"""The `tei-tools` command line: parses options, calls the library, maps errors to exit codes.

Library modules raise typed errors (tei_tools.errors); this module alone prints.
"""
from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from tei_tools import __version__
from tei_tools.errors import TeiToolsError


class ToolFailure(click.ClickException):
    """A one-line (or one line per finding) error with the library's exit code."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code

    def show(self, file=None) -> None:
        click.echo(self.format_message(), err=True)


def reports_errors(command):
    """Turn the library's typed errors into messages and exit codes, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except TeiToolsError as exc:
            raise ToolFailure(str(exc), exc.exit_code) from None
        except OSError as exc:
            where = getattr(exc, "filename", None) or "?"
            raise ToolFailure(f"{where}:0:0: error: {exc.strerror or exc}", 1) from None

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tei-tools")
def main() -> None:
    """Validate, build and deposit the TEI edition in edition/."""


@main.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
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
        import json

        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        for finding in report.findings:
            click.echo(str(finding))
        click.echo(report.summary())
    if not report.valid:
        sys.exit(1)


@main.command("build")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "formats", multiple=True, default=("all",), show_default=True,
              type=click.Choice(["html", "epub", "txt", "all"]),
              help="Output format; repeat for several. all: every format available.")
@click.option("--out", "out", type=click.Path(path_type=Path), default=Path("dist"), show_default=True,
              help="Output folder.")
@reports_errors
def build_command(paths: tuple[Path, ...], formats: tuple[str, ...], out: Path) -> None:
    """Validate each TEI file and build its reading editions into dist/<stem>.<ext>.

    PATHS are files or folders (their *.xml); default: every *.xml under edition/.
    An invalid document gets no output. Exit 0 when all were built, 1 otherwise.
    """
    from tei_tools.transform import build, resolve_formats
    from tei_tools.validate import edition_files

    chosen = resolve_formats(formats)
    report = build(edition_files(paths), out, chosen)
    for result in report.results:
        for line in result.messages:
            click.echo(line, err=True)
        for output in result.outputs:
            click.echo(str(output))
    if not report.ok:
        failed = len(report.failures)
        click.echo(f"{failed} of {len(report.results)} documents failed; no output written for them", err=True)
        sys.exit(1)


@main.command("package")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the bags (default: build/deposit/ in the project).")
@click.option("--zip", "make_zip", is_flag=True, help="Also write <identifier>.zip of each bag (byte-identical on rebuild).")
@click.option("--root", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="The project folder (default: the working directory if it has edition/, else the repository).")
@reports_errors
def package_command(out: Path | None, make_zip: bool, root: Path | None) -> None:
    """Validate, build and bag each edition in edition/ for deposit in an archive (BagIt)."""
    from tei_tools.package import default_root, package

    for made in package(root or default_root(), out, make_zip=make_zip):
        click.echo(f"{made.bag}: bag of {made.identifier}, {made.files} files, {made.bytes} bytes")
        if made.zip is not None:
            click.echo(f"{made.zip}: zip of the bag")


@main.command("verify")
@click.argument("path", type=click.Path(path_type=Path))
@reports_errors
def verify_command(path: Path) -> None:
    """Check a deposit package (bag folder or its zip): every file present, unaltered, listed."""
    from tei_tools.verify import verify

    result = verify(path)
    if not result.intact:
        raise ToolFailure("\n".join(str(problem) for problem in result.problems), 1)
    click.echo(f"{result.label}: intact ({result.files_checked} files, {' and '.join(a.upper() for a in result.algorithms)})")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
