"""The descriptions a deposit package carries: README.md, Dublin Core (dc.xml), METS (mets.xml), bag-info.txt.

Everything is read from the master's teiHeader (through dc.xsl and mets.xsl) and from the
bag's plan, so that a description names only what the bag holds.
"""
from __future__ import annotations

import hashlib
import re
from datetime import datetime
from pathlib import Path

from lxml import etree

from tei_tools import __version__, saxon
from tei_tools.payload import PayloadFile

SOFTWARE_AGENT = f"tei-tools {__version__}"
DC_NS = "http://purl.org/dc/elements/1.1/"


# MIME types by file suffix; the master TEI is told apart by its role.
MIME_TYPES = {
    ".xml": "application/xml",
    ".rng": "application/xml",
    ".sch": "application/xml",
    ".xsl": "application/xslt+xml",
    ".xslt": "application/xslt+xml",
    ".html": "text/html",
    ".xhtml": "application/xhtml+xml",
    ".css": "text/css",
    ".js": "text/javascript",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".woff2": "font/woff2",
    ".epub": "application/epub+zip",
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".json": "application/json",
}


def write_descriptions(staging: Path, plan: list[PayloadFile], master: Path, moment: datetime) -> None:
    """README.md, dc.xml and mets.xml (which lists every file, itself and dc.xml aside) of a copied payload."""
    metadata = staging / "metadata"
    metadata.mkdir()
    dc = saxon.transform("dc.xsl", master, {"stem": master.stem}).output
    (metadata / "dc.xml").write_text(dc, encoding="utf-8")
    (staging / "README.md").write_text(readme_text(dc, master, plan, moment), encoding="utf-8")
    roles = {item.path: item.role for item in plan}
    roles.update({"README.md": "documentation", "metadata/dc.xml": "metadata"})
    inventory = inventory_xml(staging, roles)
    (metadata / "mets.xml").write_text(mets_text(master, inventory, moment), encoding="utf-8")


def inventory_xml(staging: Path, roles: dict[str, str]) -> etree._Element:
    """<inventory><file id role path mime size sha256/>…</inventory> of the payload, in path order."""
    root = etree.Element("inventory")
    used: set[str] = set()
    for path in sorted(roles):
        data = (staging / path).read_bytes()
        role = roles[path]
        etree.SubElement(
            root, "file",
            id=_file_id(path, used),
            role=role,
            path=path,
            mime="application/tei+xml" if role == "master" else mime_type(path),
            size=str(len(data)),
            sha256=hashlib.sha256(data).hexdigest(),
        )
    return root


def mime_type(path: str) -> str:
    return MIME_TYPES.get(Path(path).suffix.lower(), "application/octet-stream")


def _file_id(path: str, used: set[str]) -> str:
    """An XML id (NCName) made from the path: stable and readable, unique within the METS."""
    base = "file-" + re.sub(r"[^A-Za-z0-9._-]", "-", path)
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}-{n}", n + 1
    used.add(candidate)
    return candidate


def mets_text(master: Path, inventory: etree._Element, moment: datetime) -> str:
    """Run mets.xsl on the master; the inventory goes in as a document node through the API."""
    inventory_node = saxon.processor().parse_xml(xml_text=etree.tostring(inventory, encoding="unicode"))
    params = {
        "inventory": inventory_node,
        "created": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "agent": SOFTWARE_AGENT,
        "stem": master.stem,
    }
    return saxon.transform("mets.xsl", master, params).output


def bag_info(dc_path: Path, identifier: str, moment: datetime, plan: list[PayloadFile]) -> dict:
    """bag-info.txt fields, read from the Dublin Core record (itself read from the teiHeader)."""
    dc = etree.parse(str(dc_path))

    def values(name: str) -> list[str]:
        return [" ".join(v.split()) for v in dc.xpath(f"//dc:{name}/text()", namespaces={"dc": DC_NS})]

    title = (values("title") or [identifier])[0]
    info = {
        "Source-Organization": values("publisher") or values("contributor"),
        "Contact-Name": values("contributor"),
        "External-Description": f"{title}. {contents_sentence(plan)}",
        "External-Identifier": identifier,
        "Bagging-Date": moment.date().isoformat(),  # bagit would put today's date: not reproducible
        "Bag-Software-Agent": SOFTWARE_AGENT,
    }
    return {key: value for key, value in info.items() if value}


def contents_sentence(plan: list[PayloadFile]) -> str:
    """What the bag holds, said from its plan (so it names only what is there)."""
    roles = {item.role for item in plan}
    editions = [name for role, name in (("derivative-html", "HTML"), ("derivative-epub", "EPUB 3"),
                                        ("derivative-text", "plain-text")) if role in roles]
    parts = ["TEI P5 master"] + [name for role, name in (("source", "source text"), ("schema", "schema"),
                                                       ("stylesheet", "XSLT stylesheets")) if role in roles]
    sentence = "Deposit package: " + ", ".join(parts)
    if editions:
        sentence += ", and the " + ", ".join(editions) + " reading editions"
    return sentence + "; Dublin Core and METS metadata."


def readme_text(dc_xml: str, master: Path, plan: list[PayloadFile], moment: datetime) -> str:
    """data/README.md: what the package holds and how to check and rebuild it."""
    dc = etree.fromstring(dc_xml.encode("utf-8"))
    ns = {"dc": DC_NS}
    title = (dc.xpath("string(//dc:title)", namespaces=ns) or master.stem).strip()
    identifier = dc.xpath("string(//dc:identifier)", namespaces=ns).strip() or master.stem
    rights = " — ".join(dc.xpath("//dc:rights/text()", namespaces=ns))
    listing = "\n".join(f"| `{item.path}` | {_role_name(item)} |" for item in plan)
    stylesheets = sorted(Path(i.path).name for i in plan if i.role == "stylesheet" and i.path.endswith(".xsl"))
    schemas = [i.path for i in plan if i.role == "schema"]
    return README_TEMPLATE.format(
        title=title,
        identifier=identifier,
        date=moment.date().isoformat(),
        build_date=moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        rights=rights or "see the teiHeader of the master",
        listing=listing,
        master=next((i.path for i in plan if i.role == "master"), f"edition/{master.name}"),
        stem=master.stem,
        version=__version__,
        stylesheets=", ".join(f"`{s}`" for s in stylesheets) or "(none)",
        schemas=", ".join(f"`{s}`" for s in schemas) or "(none)",
        agent=SOFTWARE_AGENT,
    )


def _role_name(item: PayloadFile) -> str:
    if item.role == "source" and item.path.endswith("README.md"):
        return "description of the source text"
    return ROLE_NAMES[item.role]


ROLE_NAMES = {
    "master": "TEI master (the edition)",
    "source": "source text",
    "schema": "schema",
    "stylesheet": "stylesheet",
    "derivative-html": "reading edition: HTML",
    "derivative-epub": "reading edition: EPUB 3",
    "derivative-text": "reading edition: plain text",
    "licence": "licence of the edition (text) and of the toolchain (code)",
    "citation": "how to cite the edition (Citation File Format)",
}

README_TEMPLATE = """\
# {title}

Deposit package of the digital edition `{identifier}`, made by {agent} on {date}.
Rights: {rights}

This folder is the payload of a BagIt bag (RFC 8493). The bag's manifests list a
SHA-256 and a SHA-512 checksum for every file here; `metadata/dc.xml` is the Dublin
Core (oai_dc) record and `metadata/mets.xml` the METS document (descriptive metadata,
source and rights, every file with its MIME type, size and SHA-256 checksum).

## Contents

| file | what it is |
| --- | --- |
{listing}
| `README.md` | this file |
| `metadata/dc.xml` | Dublin Core (oai_dc) record |
| `metadata/mets.xml` | METS document |

## Checking the package

From the folder above `data/` (the bag): `tei-tools verify .` recomputes every checksum
and names each altered, missing or added file; `bagit.py --validate .` also checks the bag.

## Validating and rebuilding

The master `{master}` is TEI P5. Its `<?xml-model?>` instructions point to the schema in
`schema/` ({schemas}); validate it with Jing (RELAX NG) and an ISO Schematron processor.

The reading editions in `dist/` are made from the master by the XSLT 3.0 stylesheets in
`xslt/` ({stylesheets}) with Saxon-HE 13, the version tei-tools uses, to the same bytes
(Saxon-HE 11 and 12 give the same editions written slightly differently: the charset
declaration, the order of the JSON-LD's keys, the package document's indentation), with the stylesheet parameters
`stem={stem}`, `build-date={build_date}` and `tool-version={version}` (the colophon
names the version of the tool that built the editions), for example:

    java -jar saxon-he.jar -s:{master} -xsl:xslt/html.xsl -o:dist/{stem}.html stem={stem} build-date={build_date} tool-version={version}

The EPUB is made from the HTML edition's page, written as XML, in two steps (`?` gives
a parameter as an XPath expression, `+` as a document, `!` sets an output property):

    java -jar saxon-he.jar -s:{master} -xsl:xslt/html.xsl -o:page.xml !method=xml ?page-tree=true() ?epub-only=true() stem={stem} build-date={build_date} tool-version={version}
    java -jar saxon-he.jar -s:{master} -xsl:xslt/epub.xsl -o:book/result.txt +html-page=page.xml stem={stem} build-date={build_date} tool-version={version}

The second writes the files of the EPUB under `book/EPUB/` (`result.txt` is empty). Add
`book/mimetype` (the text `application/epub+zip`, no line end) and
`book/META-INF/container.xml` (a `rootfile` with `full-path="EPUB/package.opf"` and
`media-type="application/oebps-package+xml"`), then zip `mimetype` first and stored, then
`META-INF/` and `EPUB/`. The `tei-tools` toolchain does all of this in one command:
`tei-tools build`.
"""
