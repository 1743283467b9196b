"""Shared test helpers: locating external tools, running Jing with tei_all, TEI XPath.

Tests that need a tool nobody here wrote (Java, Jing, vnu, Chromium) call
`require_tool`: without the tool they SKIP with the reason, but when the environment
variable CI is set they FAIL instead, so CI can never pass by skipping.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EDITION_DIR = REPO_ROOT / "edition"
TEI_NS = "http://www.tei-c.org/ns/1.0"
NS = {"tei": TEI_NS, "h": "http://www.w3.org/1999/xhtml"}
# The editors' notes' letters: i, l and o are left out, since they look like 1 and 0.
EDITORS_NOTE_LETTERS = "abcdefghjkmnpqrstuvwxyz"


# ---------------------------------------------------------------- tools


def require_tool(name: str, path: str | Path | None, reason: str) -> Path:
    """The tool's path; skip (or fail under CI) with `reason` when it is missing."""
    if path is not None and Path(path).exists():
        return Path(path)
    message = f"{name} is not available: {reason}"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set, so a missing tool is a failure)")
    pytest.skip(message)


@pytest.fixture(name="require_tool")
def require_tool_fixture():
    """`require_tool` as a fixture, for tests that prefer injection to imports."""
    return require_tool


def which(command: str) -> Path | None:
    found = shutil.which(command)
    return Path(found) if found else None


def tei_all_path() -> Path | None:
    """tei_all.rng from $TEI_ALL_RNG, else ../shared/schemas/ beside the repository."""
    configured = os.environ.get("TEI_ALL_RNG")
    candidate = Path(configured) if configured else REPO_ROOT.parent / "shared" / "schemas" / "tei_all.rng"
    return candidate if candidate.is_file() else None


def vnu_jar_path() -> Path | None:
    """vnu.jar from $VNU_JAR, the repository's node_modules, or /tmp/vnu."""
    candidates = [os.environ.get("VNU_JAR", "")]
    candidates += [
        str(REPO_ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"),
        "/tmp/vnu/node_modules/vnu-jar/build/dist/vnu.jar",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def chromium_path() -> Path | None:
    return which("chromium") or which("chromium-browser") or which("google-chrome")


# ---------------------------------------------------------------- Jing + tei_all


@dataclass(frozen=True)
class JingResult:
    ok: bool
    messages: list[str]


@dataclass(frozen=True)
class Jing:
    """Jing bound to one RELAX NG schema (tei_all)."""

    executable: Path
    schema: Path

    def validate(self, *paths: str | Path) -> JingResult:
        run = subprocess.run(
            [str(self.executable), str(self.schema), *map(str, paths)],
            capture_output=True, text=True, timeout=300,
        )
        lines = (run.stdout + run.stderr).splitlines()
        # Debian's jing wrapper warns about optional jars it cannot find: not findings.
        messages = [line for line in lines if line.strip() and not line.startswith("[warning]")]
        return JingResult(run.returncode == 0 and not messages, messages)


@pytest.fixture(scope="session")
def tei_all() -> Jing:
    """Jing with the TEI Consortium's tei_all.rng; skips (fails under CI) without either."""
    jing = require_tool("jing", which("jing"), "install the Debian package jing (apt-get install -y jing)")
    schema = require_tool(
        "tei_all.rng", tei_all_path(),
        "set TEI_ALL_RNG or put tei_all.rng in ../shared/schemas/ (see its README)",
    )
    return Jing(jing, schema)


# ---------------------------------------------------------------- XPath


def xpath(node, expression: str) -> list:
    """XPath with the prefixes tei: (TEI) and h: (XHTML)."""
    return node.xpath(expression, namespaces=NS)


def xpath_one(node, expression: str):
    """The single result of an XPath expression; fails the test when there is not exactly one."""
    found = xpath(node, expression)
    assert len(found) == 1, f"{expression}: expected one result, got {len(found)}"
    return found[0]


def edition_xml_files() -> list[Path]:
    """Every TEI file of the edition (edition/**/*.xml without edition/source/)."""
    return sorted(
        p for p in EDITION_DIR.rglob("*.xml")
        if "source" not in p.relative_to(EDITION_DIR).parts[:-1]
    )


# ----------------------------------------------------------------------------- deposit packages


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A copy of the small project tree of tests/fixtures/package/project (see deposit_project.py)."""
    from deposit_project import FIXTURE

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    return root


@pytest.fixture
def made(project):
    """The package of the fixture project, with its zip."""
    from deposit_project import small_build
    from tei_tools.package import package

    [result] = package(project, make_zip=True, build=small_build)
    return result


# ----------------------------------------------------------------------------- headless Chromium

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium through Playwright (never a downloaded browser), one per test module."""
    executable = require_tool("chromium", chromium_path(), "install the Debian package chromium")
    try:
        from playwright import sync_api
    except ImportError:
        require_tool("playwright", None, "pip install playwright (the test extra installs it)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        yield launched
        launched.close()
