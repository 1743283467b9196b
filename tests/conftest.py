"""Shared test helpers: places in fixtures, locating external tools, running Jing with
tei_all, TEI XPath.

Tests that need a tool nobody here wrote (Java, Jing, vnu, Chromium) call
`require_tool`: without the tool they SKIP with the reason, but when the environment
variable CI is set they FAIL instead, so CI can never pass by skipping.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from copy import deepcopy
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree

from readings import reading_text

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EDITION_DIR = REPO_ROOT / "edition"
TEI_NS = "http://www.tei-c.org/ns/1.0"
NS = {"tei": TEI_NS, "h": "http://www.w3.org/1999/xhtml"}
# The editors' notes' letters: i, l and o are left out, since they look like 1 and 0.
EDITORS_NOTE_LETTERS = "abcdefghjkmnpqrstuvwxyz"


# ---------------------------------------------------------------- places in fixtures


def line_of(path: Path, needle: str) -> int:
    """The 1-based line of the first occurrence of `needle` in the fixture."""
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in text:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def column_of(path: Path, line: int, needle: str) -> int:
    """The 1-based column of `needle` on that line."""
    return path.read_text(encoding="utf-8").splitlines()[line - 1].index(needle) + 1


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


def axe_core_path() -> Path | None:
    """axe.min.js (Deque's axe-core, the accessibility engine of Lighthouse and DAISY Ace)
    from $AXE_CORE_JS or the repository's node_modules."""
    for candidate in (os.environ.get("AXE_CORE_JS", ""), str(REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js")):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


# The WCAG success criteria up to 2.2, levels A and AA, as axe-core tags its rules (its
# "best-practice" rules, such as one main landmark in each EPUB content document, left out).
AXE_WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page, script: Path) -> list[tuple[str, str, list[str]]]:
    """What axe-core finds against WCAG A and AA on a page open in Playwright: (rule, help,
    the first elements that fail it)."""
    page.add_script_tag(content=script.read_text(encoding="utf-8"))
    return [tuple(v) for v in page.evaluate("""async tags => {
        const result = await axe.run(document, {resultTypes: ['violations'], runOnly: {type: 'tag', values: tags}});
        return result.violations.map(v => [v.id, v.help, v.nodes.slice(0, 3).map(n => n.target.join(' '))]); }""", AXE_WCAG_TAGS)]


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


# ---------------------------------------------------------------- corrections

_BLOCKS = {"p", "note", "head", "ab", "item", "cell", "l"}
_READINGS = {"sic", "corr", "orig", "reg"}
_MARK = "\ue000"  # a private-use character: in no edition text


APOSTROPHES = "'\u2019\u2018"


def correction_context(choice) -> tuple[str, str] | None:
    """The words the corrections lists quote on either side of a correction of punctuation or
    spacing, worked out from the TEI apart from the stylesheets: None when the correction
    needs none (both readings have a letter or digit, and no space or apostrophe at an
    edge: "workers '" is quoted as "and workers ' press"), else the
    word before it with the space after that word, and the word after it with the space
    before that word, in the reading text of its paragraph or note."""
    texts = ["".join(r.itertext()) for r in choice if etree.QName(r).localname in _READINGS]
    if not any(
        not t or t[0].isspace() or t[-1].isspace() or t[0] in APOSTROPHES or t[-1] in APOSTROPHES
        or (len(t) <= 4 and not re.search(r"[^\W_]", t))
        for t in texts
    ):
        return None
    block = next(a for a in choice.iterancestors() if etree.QName(a).localname in _BLOCKS)
    copy = deepcopy(block)
    target = list(copy.iter())[list(block.iter()).index(choice)]
    mark = etree.Element("mark")
    mark.text, mark.tail = _MARK, target.tail
    target.getparent().replace(target, mark)
    before, after = reading_text(copy).split(_MARK)
    return (
        (before.split()[-1] + (" " if before[-1:].isspace() else "")) if before.strip() else "",
        ((" " if after[:1].isspace() else "") + after.split()[0]) if after.strip() else "",
    )


# ---------------------------------------------------------------- the index


def filing_words(name: str) -> list[str]:
    """A name's words as an index files them: lower case, without quotation marks and full
    stops ("U.S.S.R." is "ussr")."""
    return re.sub(r"[\"“”‘’«»„'.]", "", name).lower().split()


def _filed_beside(form: str, label: str) -> bool:
    """Whether a name is filed beside an entry: its first two words (or one word) begin the
    entry's label."""
    words = filing_words(form)[:2]
    return filing_words(label)[:len(words)] == words


def see_references(tei, kind: str) -> dict[str, list[str]]:
    """The index's "see" lines of one kind, worked out from the TEI apart from the
    stylesheets: {a name as the reading text gives it: the labels of every entry it names,
    in alphabetical order}, for names not filed beside at least one of their entries
    (persons: none)."""
    names_of: dict[str, list[str]] = {}
    elsewhere: set[str] = set()
    if kind == "person":
        return {}
    for entry in tei.xpath(f"//tei:standOff//tei:{kind}[@xml:id]", namespaces=NS):
        label = " ".join(entry.xpath("string(*[@type='standard' or @type='full'][1])", namespaces=NS).split())
        pointer = "#" + entry.get("{http://www.w3.org/XML/1998/namespace}id")
        names = tei.xpath(
            "//tei:text//*[@ref][not(ancestor::tei:sic or ancestor::tei:orig)]"
            "[substring-before(concat(normalize-space(@ref), ' '), ' ') = $p]", namespaces=NS, p=pointer)
        for name in names:
            form = " ".join(reading_text(name).split())
            if not form or filing_words(form) == filing_words(label):
                continue
            if label not in names_of.setdefault(form, []):
                names_of[form].append(label)
            if not _filed_beside(form, label):
                elsewhere.add(form)
    return {form: sorted(labels, key=str.lower) for form, labels in names_of.items() if form in elsewhere}


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")


def date_words(value: str) -> str:
    """"1924", "January 1924", "26 January 1924": a W3C date as the registers print it."""
    year, _, rest = value.strip().partition("-")
    month, _, day = rest.partition("-")
    return " ".join(p for p in (str(int(day)) if day else "", MONTHS[int(month) - 1] if month else "", year) if p)


def aside_text(entry) -> str | None:
    """What a register prints in parentheses after a place's or an organisation's name,
    worked out from the TEI apart from the stylesheets: its official name or its name in
    another language, its abbreviations, the names it bore since with their dates, today's
    name ("Leningrad, January 1924 – 1991; now Saint Petersburg, since 1991")."""
    names = [n for n in entry.xpath("tei:placeName | tei:orgName", namespaces=NS) if "".join(n.itertext()).strip()]
    standard = next((n for n in names if n.get("type") in ("standard", "full")), None)
    order = [n for n in names if n.get("type") == "official"] + \
        [n for n in names if n.get("type") == "full" and n is not standard] + \
        [n for n in names if n.get("type") in ("abbr",)] + [n for n in names if n.get("type") == "later"] + \
        [n for n in names if n.get("type") == "modern"]
    text = ""
    for position, name in enumerate(order):
        if position:
            text += ", " if name.get("type") == "abbr" == order[position - 1].get("type") else "; "
        words = " ".join("".join(name.itertext()).split())
        if name.get("type") == "modern":
            text += f"now {words}" + (f", since {date_words(name.get('from'))}" if name.get("from") else "")
            continue
        start, end = (date_words(name.get(a)) if name.get(a) else "" for a in ("from", "to"))
        dash = " – " if " " in start + end else "–"
        period = f"{start}{dash}{end}" if start and end else f"from {start}" if start else f"until {end}" if end else ""
        text += words + (f", {period}" if period else "")
    return text or None


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


# The register's groups of raised letters ("215 a b c") of fewer than eight letters that a
# line break splits, or parts from their page number, in a page open in Chromium:
# [letters, lines the letters take] for each. "215 a" ending a line and "b c" beginning the
# next read as a page of their own.
SPLIT_LOCATOR_GROUPS = """() => [...document.querySelectorAll('.mentions')].map(group => {
    const middle = r => (r.top + r.bottom) / 2;
    const letters = [...group.querySelectorAll('a')];
    const middles = letters.map(a => middle(a.getBoundingClientRect()));
    const page = group.previousSibling, range = document.createRange();
    if (page && page.nodeType === 3 && page.data.length) {
        range.setStart(page, page.data.length - 1); range.setEnd(page, page.data.length);
        middles.push(middle(range.getBoundingClientRect()));  // the page number's last digit
    }
    middles.sort((a, b) => a - b);
    // a raised letter sits a few pixels above its number's middle; a new line is a line-height lower
    const lines = 1 + middles.slice(1).filter((m, i) => m - middles[i] > 10).length;
    return [letters.length, lines];
}).filter(([count, lines]) => count < 8 && lines > 1)"""
