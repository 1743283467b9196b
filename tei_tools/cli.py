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
