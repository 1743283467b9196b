"""Typed errors and findings shared by every module.

Library functions raise these; only the CLI turns them into messages and exit codes.
"""
from __future__ import annotations

from dataclasses import dataclass, asdict
from pathlib import Path


@dataclass(frozen=True)
class Finding:
    """One problem in one file, located as precisely as the tool that found it allows."""

    path: str
    line: int
    column: int
    severity: str  # "error" | "warning"
    message: str

    def __str__(self) -> str:
        return f"{shown_path(self.path)}:{self.line}:{self.column}: {self.severity}: {self.message}"

    def as_dict(self) -> dict:
        return asdict(self)


def shown_path(path: str | Path) -> str:
    """A path as a message shows it: on one line whatever the file's name holds (a line
    break in it would split the message, and a reader of the log take half for another)."""
    return str(path).translate(_LINE_BREAKS_ESCAPED)


def counted(number: int, noun: str) -> str:
    """"1 file", "2 files": a count in a message."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


# Set (to anything but "" or "0") to see a bug's traceback after its one-line report.
DEBUG_VARIABLE = "TEI_TOOLS_DEBUG"


def internal_error(where: str, exc: BaseException) -> str:
    """The report of a bug: one line ("internal error, please report it: …"), and, when
    TEI_TOOLS_DEBUG is set, the traceback after it for the report."""
    import os

    line = f"{where}: error: internal error, please report it: {type(exc).__name__}: {exc}"
    if os.environ.get(DEBUG_VARIABLE, "") in ("", "0"):
        return line
    import traceback

    return line + "\n" + "".join(traceback.format_exception(exc)).rstrip("\n")


# Why a path that is a symbolic link cannot be read (Path.exists() is false for both).
BROKEN_LINK = "a symbolic link that leads nowhere (or round in a loop)"

_LINE_BREAKS_ESCAPED = {ord("\n"): "\\n", ord("\r"): "\\r", 0x85: "\\x85", 0x2028: "\\u2028", 0x2029: "\\u2029"}


class TeiToolsError(Exception):
    """Base of every error the CLI reports as a one-line message."""

    exit_code = 1


class UsageError(TeiToolsError):
    """The command was asked for something that cannot be (a missing path, a directory)."""

    exit_code = 2


class InputError(TeiToolsError):
    """A file that cannot be read safely: malformed, hostile, not TEI."""

    def __init__(self, finding: Finding):
        super().__init__(str(finding))
        self.finding = finding


class ValidationError(TeiToolsError):
    """A document that is well-formed but invalid; carries every finding."""

    def __init__(self, path: str | Path, findings: list[Finding]):
        self.path = str(path)
        self.findings = findings
        super().__init__("\n".join(str(f) for f in findings))


class BuildError(TeiToolsError):
    """A transformation or output step failed."""

    def __init__(self, message: str, findings: list[Finding] | None = None):
        super().__init__(message)
        self.findings = findings or []


class SchemaError(TeiToolsError):
    """The edition's own RELAX NG schema or Schematron rules cannot be read or compiled."""

    def __init__(self, finding: Finding):
        super().__init__(str(finding))
        self.finding = finding
        self.findings = [finding]


class OutputError(TeiToolsError):
    """An output folder or file cannot be written: `reason` says why in a few words
    ("No space left on device"), for a caller that words its own message."""

    def __init__(self, message: str, reason: str | None = None):
        super().__init__(message)
        self.reason = reason or message


class PackageError(TeiToolsError):
    """A deposit package cannot be made or read."""


# Errors cross a process boundary (a pool's worker, a forked child) as (class, args,
# attributes): ValidationError and others take constructor arguments that pickle's default
# reconstruction would not supply.
FrozenError = tuple


def freeze_error(error: TeiToolsError) -> FrozenError:
    """A picklable form of `error` that `thaw_error` turns back into the same error."""
    return type(error), error.args, dict(error.__dict__)


def thaw_error(frozen: FrozenError) -> TeiToolsError:
    cls, args, state = frozen
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error
