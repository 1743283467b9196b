"""A small project tree to package (tests/fixtures/package/project), helpers to add to it
(another edition, a citation file) and helpers to read a bag.

The project's reading editions are written by `small_build`, which stands in for the
build pipeline so that the deposit tests stay fast; one test runs the real pipeline.
The fixtures `project` (a copy of the tree) and `made` (its package) are in conftest.py.
"""
from __future__ import annotations

from pathlib import Path

from tei_tools.fsutil import build_datetime, reproducible_zip
from tei_tools.payload import is_deposited

FIXTURE = Path(__file__).parent / "fixtures" / "package" / "project"
REPO = Path(__file__).resolve().parent.parent
NS = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "mets": "http://www.loc.gov/METS/",
    "xlink": "http://www.w3.org/1999/xlink",
    "tei": "http://www.tei-c.org/ns/1.0",
}
STEM = "deposit-sample"
CC0 = ("https://creativecommons.org/publicdomain/zero/1.0/", "CC0 1.0 Universal")


def small_build(root: Path, masters) -> None:
    """Write a small HTML, EPUB and text edition of each master (all that the build writes)."""
    dist = Path(root) / "dist"
    dist.mkdir(exist_ok=True)
    for master in masters:
        title = f"The reading edition of {master.stem}"
        (dist / f"{master.stem}.html").write_text(f"<!DOCTYPE html><html><head><title>{title}</title></head></html>\n")
        (dist / f"{master.stem}.txt").write_text(f"{title}\n")
        epub = reproducible_zip([("mimetype", b"application/epub+zip", False)], build_datetime(None))
        (dist / f"{master.stem}.epub").write_bytes(epub)


def payload_files(bag: Path) -> dict[str, bytes]:
    return {p.relative_to(bag).as_posix(): p.read_bytes() for p in sorted((bag / "data").rglob("*")) if p.is_file()}


def manifest(bag: Path, algorithm: str) -> dict[str, str]:
    lines = (bag / f"manifest-{algorithm}.txt").read_text().splitlines()
    return {name: digest for digest, name in (line.split(None, 1) for line in lines)}


def bag_info(bag: Path) -> dict[str, list[str]]:
    """bag-info.txt's values by label, folded values unfolded (RFC 8493 §2.2.2: a line that
    begins with whitespace continues the one before; unfolding removes the line end only)."""
    info: dict[str, list[str]] = {}
    key = None
    for line in (bag / "bag-info.txt").read_text().splitlines():
        if line[:1] in (" ", "\t"):
            info[key][-1] += line
            continue
        key, value = line.split(": ", 1)
        info.setdefault(key, []).append(value)
    return info


def tool_files(folder: Path, prefix: str) -> set[str]:
    """The deposited files of one of the tool's folders (schema/, xslt/)."""
    return {f"{prefix}/{p.relative_to(folder).as_posix()}" for p in folder.rglob("*")
            if p.is_file() and is_deposited(p.relative_to(folder))}


def add_edition(root: Path, identifier: str, *, title: str, licence: tuple[str, str] = CC0, source: str | None = None) -> Path:
    """A second master in root/edition/, the fixture's with another identifier, title and
    licence (address, name), and its own source text edition/source/<source> (which the
    sources' README does not name)."""
    source = source or f"{identifier}.txt"
    text = (FIXTURE / "edition" / f"{STEM}.xml").read_text(encoding="utf-8")
    old_licence = '<licence target="https://creativecommons.org/licenses/by/4.0/">Creative Commons Attribution 4.0 International</licence>'
    assert old_licence in text and ">000_sample.txt<" in text and ">A deposit sample on Red Aid<" in text
    text = (text.replace(f">{STEM}<", f">{identifier}<")
                .replace(">A deposit sample on Red Aid<", f">{title}<")
                .replace(old_licence, f'<licence target="{licence[0]}">{licence[1]}</licence>')
                .replace(">000_sample.txt<", f">{source}<"))
    (root / "edition" / "source" / source).write_text("The text of another source.\n", encoding="utf-8")
    master = root / "edition" / f"{identifier}.xml"
    master.write_text(text, encoding="utf-8")
    return master


def write_citation(root: Path, identifier: str, title: str) -> bytes:
    """A CITATION.cff like the repository's: it cites one edition, by title and identifier,
    under CC BY 4.0; and a LICENSE like the repository's, naming CC BY 4.0 and MIT."""
    citation = (
        "cff-version: 1.2.0\n"
        "message: >-\n  If you use this edition, please cite it as below.\n"
        f'title: "{title}: a digital edition"\n'
        "type: dataset\n"
        'version: "1.2"\n'
        "identifiers:\n"
        "  - type: other\n"
        f'    value: "{identifier}"\n'
        "    description: \"The edition's identifier (teiHeader publicationStmt/idno[@type='edition'])\"\n"
        "license: CC-BY-4.0\n"
    ).encode("utf-8")
    (root / "CITATION.cff").write_bytes(citation)
    (root / "LICENSE").write_text(
        "The edition's text is under CC BY 4.0. SPDX-License-Identifier: CC-BY-4.0\n"
        "The software is under the MIT licence. SPDX-License-Identifier: MIT\n", encoding="utf-8")
    return citation


def package_named(packages, identifier: str):
    """The package of the edition `identifier` among those `package` made: a project may hold
    more editions than the one a test means."""
    found = {made.identifier: made for made in packages}
    assert identifier in found, sorted(found)
    return found[identifier]
