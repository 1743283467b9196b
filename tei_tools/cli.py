"""The `tei-tools` command line: parses options, calls the library, maps errors to exit codes.

Library modules raise typed errors (tei_tools.errors); this module alone prints.
"""
from __future__ import annotations

import functools
import sys

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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
