"""The descriptions a deposit package carries: README.md, Dublin Core (dc.xml), METS (mets.xml), bag-info.txt.

Everything is read from the master's teiHeader (through dc.xsl and mets.xsl) and from the
bag's plan, so that a description names only what the bag holds.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import re
from datetime import datetime
from pathlib import Path

from lxml import etree

from tei_tools import __version__, saxon
from tei_tools.payload import PayloadFile

SOFTWARE_AGENT = f"tei-tools {__version__}"
DC_NS = "http://purl.org/dc/elements/1.1/"
# How dc.xsl begins the dc:description that states the edition and its version.
EDITION_PREFIX = "Edition: "
# The Dublin Core record is this tool's own (dc.xsl, from a validated master): read with
# no limit on the length of a text (lxml's default is 10 million characters, which a
# master's long header description passed, and packaging stopped with an internal error).
OWN_RECORD = etree.XMLParser(huge_tree=True, resolve_entities=False, load_dtd=False, no_network=True)


# MIME types by role, for files whose suffix does not tell: the master is TEI, not just
# XML, and LICENSE has no suffix.
ROLE_MIME_TYPES = {"master": "application/tei+xml", "licence": "text/plain"}

# MIME types by file suffix, for every other file.
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
    ".cff": "application/yaml",  # the Citation File Format is YAML 1.2; registered by RFC 9512 (2024)
}


def write_descriptions(staging: Path, plan: list[PayloadFile], master: Path, moment: datetime, *,
                       editions_date: datetime | None = None, saxon_release: str | None = None) -> None:
    """README.md, dc.xml and mets.xml (which lists every file, itself and dc.xml aside) of a copied payload.

    `moment` is the bagging date; `editions_date` the date the reading editions were built
    with (default: `moment`), which the README's rebuild commands must give again;
    `saxon_release` the SaxonC-HE release that built them (default: `saxon_version()`).
    """
    metadata = staging / "metadata"
    metadata.mkdir()
    dc = saxon.transform("dc.xsl", master, {"stem": master.stem}).output
    (metadata / "dc.xml").write_text(dc, encoding="utf-8")
    readme = readme_text(dc, master, plan, moment, editions_date=editions_date, saxon_release=saxon_release)
    (staging / "README.md").write_text(readme, encoding="utf-8")
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
            mime=ROLE_MIME_TYPES.get(role) or mime_type(path),
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


def saxon_version() -> str:
    """The release of SaxonC-HE that builds the editions here: saxonche's version ("13.1.1").

    Saxon releases write the same editions with different bytes (the README says how), so
    a package names the one its editions were built with. The package's metadata give the
    full release; the processor itself names only its major and minor version.
    """
    try:
        return importlib.metadata.version("saxonche")
    except importlib.metadata.PackageNotFoundError:  # run from a copy that pip does not know
        found = re.search(r"\d+(?:\.\d+)+", str(saxon.processor().version or ""))
        return found.group() if found else "unknown"


def bag_info(dc_path: Path, identifier: str, moment: datetime, plan: list[PayloadFile], version: str | None = None,
             *, saxon_version: str | None = None) -> dict:
    """bag-info.txt fields, read from the Dublin Core record (itself read from the teiHeader);
    `version` is the edition's version (editionStmt/edition/@n), when the header gives one;
    `saxon_version` the SaxonC-HE release that built the reading editions."""
    dc = etree.parse(str(dc_path), OWN_RECORD)

    def values(name: str) -> list[str]:
        return [" ".join(v.split()) for v in dc.xpath(f"//dc:{name}/text()", namespaces={"dc": DC_NS})]

    title = (values("title") or [identifier])[0]
    edition = edition_statement(dc)
    info = {
        "Source-Organization": values("publisher") or values("contributor"),
        "Contact-Name": values("contributor"),
        "External-Description": " ".join(part for part in (f"{title}.", edition and sentence(edition), contents_sentence(plan)) if part),
        "External-Identifier": identifier,
        # Not one of RFC 8493's elements (it allows others): the version a citation names,
        # since a revision may change the text under the same identifier.
        "Edition-Version": version,
        "Bagging-Date": moment.date().isoformat(),  # bagit would put today's date: not reproducible
        "Bag-Software-Agent": SOFTWARE_AGENT,
        # Not one of RFC 8493's elements either: another Saxon release writes the reading
        # editions with other bytes, so a rebuild must know which one made them.
        "Saxon-Version": f"SaxonC-HE {saxon_version}" if saxon_version else None,
    }
    return {key: value for key, value in info.items() if value}


def edition_statement(dc: etree._ElementTree | etree._Element) -> str | None:
    """The Dublin Core record's edition statement ("Edition: First edition, revised (version 1.1)",
    a dc:description that dc.xsl writes only when the header has an editionStmt)."""
    found = [" ".join(v.split()) for v in dc.xpath("//dc:description/text()", namespaces={"dc": DC_NS})
             if v.strip().startswith(EDITION_PREFIX)]
    return found[0] if found else None


def sentence(text: str) -> str:
    """`text` ending with a full stop, unless it ends with one already."""
    return text if text.endswith((".", "!", "?")) else f"{text}."


def contents_sentence(plan: list[PayloadFile]) -> str:
    """What the bag holds, said from its plan (so it names only what is there)."""
    roles = {item.role for item in plan}
    editions = [name for role, name in (("derivative-html", "HTML"), ("derivative-epub", "EPUB 3"),
                                        ("derivative-text", "plain-text")) if role in roles]
    parts = ["TEI P5 master"] + [name for role, name in (("source", "source text"), ("schema", "schema"),
                                                       ("stylesheet", "XSLT stylesheets")) if role in roles]
    text = "Deposit package: " + ", ".join(parts)
    if editions:
        text += ", and the " + ", ".join(editions) + " reading editions"
    return text + "; Dublin Core and METS metadata."


def readme_text(dc_xml: str, master: Path, plan: list[PayloadFile], moment: datetime, *,
                editions_date: datetime | None = None, saxon_release: str | None = None) -> str:
    """data/README.md: what the package holds and how to check and rebuild it.

    `moment` is the bagging date; `editions_date` (default: `moment`) the date the reading
    editions were built with; `saxon_release` the SaxonC-HE release that built them (default: this
    installation's, `saxon_version`)."""
    dc = etree.fromstring(dc_xml.encode("utf-8"), OWN_RECORD)
    ns = {"dc": DC_NS}
    title = (dc.xpath("string(//dc:title)", namespaces=ns) or master.stem).strip()
    identifier = dc.xpath("string(//dc:identifier)", namespaces=ns).strip() or master.stem
    rights = " — ".join(dc.xpath("//dc:rights/text()", namespaces=ns))
    edition = edition_statement(dc)
    listing = "\n".join(f"| `{item.path}` | {_role_name(item)} |" for item in plan)
    stylesheets = sorted(Path(i.path).name for i in plan if i.role == "stylesheet" and i.path.endswith(".xsl"))
    schemas = [i.path for i in plan if i.role == "schema"]
    relaxng = next((path for path in schemas if path.endswith(".rng")), "schema/edition.rng")
    schematron = next((path for path in schemas if path.endswith(".sch")), "schema/edition.sch")
    master_file = next((i.path for i in plan if i.role == "master"), f"edition/{master.name}")
    build_date = (editions_date or moment).strftime("%Y-%m-%dT%H:%M:%SZ")
    saxon_release = saxon_release or saxon_version()
    out = f"../../{identifier}-rebuilt"
    parameters = [f"stem={master.stem}", f"build-date={build_date}", f"tool-version={__version__}"]
    return README_TEMPLATE.format(
        title=title,
        identifier=identifier,
        edition=f"{sentence(edition)}\n" if edition else "",
        date=moment.date().isoformat(),
        build_date=build_date,
        rights=rights or "see the teiHeader of the master",
        listing=listing,
        master=master_file,
        stem=master.stem,
        version=__version__,
        stylesheets=", ".join(f"`{s}`" for s in stylesheets) or "(none)",
        schemas=", ".join(f"`{s}`" for s in schemas) or "(none)",
        agent=SOFTWARE_AGENT,
        saxon=saxon_release,
        out=out,
        relaxng_command=_command("jing", relaxng, master_file),
        schematron_command=_command("python3", "-c", SCHEMATRON_SCRIPT, schematron, master_file),
        html_command=_saxon(f"-s:{master_file}", "-xsl:xslt/html.xsl", f"-o:{out}/{master.stem}.html", *parameters),
        page_command=_saxon(f"-s:{master_file}", "-xsl:xslt/html.xsl", f"-o:{out}/page.xml", "!method=xml",
                            "?page-tree=true()", "?epub-only=true()", *parameters),
        epub_command=_saxon(f"-s:{master_file}", "-xsl:xslt/epub.xsl", f"-o:{out}/book/result.txt",
                            f"+html-page={out}/page.xml", *parameters),
        compare_html=_command("cmp", f"{out}/{master.stem}.html", f"dist/{master.stem}.html"),
        unzip_epub=_command("unzip", "-q", "-o", f"dist/{master.stem}.epub", "-d", f"{out}/deposited-epub"),
        compare_epub=_command("diff", "-r", f"{out}/deposited-epub/EPUB", f"{out}/book/EPUB"),
    )


def _saxon(*arguments: str) -> str:
    return _command("java", "-jar", "saxon-he.jar", *arguments)


def _command(program: str, *arguments: str) -> str:
    """A command line to copy into a POSIX shell: each argument in single quotes, so that
    Saxon's `?name=true()` is no subshell, `!method` no history expansion (bash), and a
    path with spaces stays one argument; options that are plain words stay unquoted."""
    def quoted(argument: str) -> str:
        if re.fullmatch(r"-[A-Za-z]+|[A-Za-z0-9._-]+\.jar", argument):
            return argument
        return "'" + argument.replace("'", "'\"'\"'") + "'"

    return " ".join([program, *map(quoted, arguments)])


# Checks the master against the Schematron rules with lxml.isoschematron (XSLT 1.0 and
# EXSLT, as tei-tools does), printing "file:line: error|warning: message" per failed rule,
# and exits with 1 when any is an error (not a warning). Double quotes only: the shell
# command quotes it in single ones.
SCHEMATRON_SCRIPT = (
    "import sys; from lxml import etree, isoschematron; doc = etree.parse(sys.argv[2]); "
    "rules = isoschematron.Schematron(etree.parse(sys.argv[1]), store_report=True); rules.validate(doc); "
    "svrl = \"{http://purl.oclc.org/dsdl/svrl}\"; "
    "found = [(f.get(\"role\") or \"error\", doc.xpath(f.get(\"location\"))[0].sourceline, "
    "\" \".join(f.findtext(svrl + \"text\").split())) for f in rules.validation_report.iter(svrl + \"failed-assert\")]; "
    "[print(f\"{sys.argv[2]}:{line}: {role}: {text}\") for role, line, text in found]; "
    "sys.exit(any(role != \"warning\" for role, _, _ in found))"
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
    # The project's LICENSE goes into every bag of a project that may hold several
    # editions, each with its own licence in its header (Rights, above): it is called
    # what it is.
    "licence": "licence of the project that holds the edition (its texts and code); the edition's own licence is the one its teiHeader names (Rights, above)",
    "citation": "how to cite the edition (Citation File Format)",
}

README_TEMPLATE = """\
# {title}

Deposit package of the digital edition `{identifier}`, made by {agent} on {date}.
{edition}Rights: {rights}

This folder is the payload of a BagIt bag (RFC 8493). The bag's manifests list a
SHA-256 and a SHA-512 checksum for every file here; `metadata/dc.xml` is the Dublin
Core (oai_dc) record and `metadata/mets.xml` the METS document (descriptive metadata,
source and rights, every file with its MIME type, size and SHA-256 checksum). The files
keep the places they have in the edition's project, so that the references between
them (the master's schema links, the path of its source text) resolve here too.

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

Run the commands below from this folder (`data/`) in a POSIX shell (sh, bash). They read
the bag and write only into `{out}/`, a folder beside the bag: a file written or changed
under `data/` would make the bag fail its checks.

The master `{master}` is TEI P5. Its `<?xml-model?>` instructions point to the schema in
`schema/` ({schemas}): a RELAX NG schema, which Jing checks, and Schematron rules, which
are ISO Schematron with queryBinding "xslt" (XSLT 1.0, with the EXSLT function
`str:tokenize`). The rules run with Python's lxml (`lxml.isoschematron`, as tei-tools runs
them) or with xsltproc (libxslt) and the ISO Schematron skeleton for XSLT 1.0
(`iso_dsdl_include.xsl`, `iso_abstract_expand.xsl`, `iso_svrl_for_xslt1.xsl`, in turn);
not with Saxon-HE, which has no EXSLT. With Jing and lxml (the second prints one line per
failed rule and exits with 1 when one is an error rather than a warning):

    {relaxng_command}
    {schematron_command}

The reading editions in `dist/` are made from the master by the XSLT 3.0 stylesheets in
`xslt/` ({stylesheets}) with Saxon-HE {saxon} (bag-info.txt's `Saxon-Version`), with the
stylesheet parameters `stem={stem}`, `build-date={build_date}` and
`tool-version={version}` (the colophon names the version of the tool that built the
editions, and its date is the edition's, not the package's). The HTML edition:

    {html_command}

The EPUB is made from the HTML edition's page, written as XML, in two steps (`?` gives
a parameter as an XPath expression, `+` as a document, `!` sets an output property):

    {page_command}
    {epub_command}

The second writes the files of the EPUB under `{out}/book/EPUB/` (`result.txt` is
empty). Compare what was rebuilt with what was deposited:

    {compare_html}
    {unzip_epub}
    {compare_epub}

With Saxon-HE {saxon} the HTML edition is the same bytes as `dist/{stem}.html`, and each
file under `book/EPUB/` the same bytes as the entry of that name in `dist/{stem}.epub`
(its content documents, navigation, package document and CSS); another release may write
them differently, as Saxon-HE 11 and 12 do (the charset declaration, the order of the
JSON-LD's keys, the package document's indentation). The EPUB file itself is not rebuilt byte for
byte by zipping these files: a zip's bytes also depend on the order of its entries, their
timestamps and permissions and the compression, which tei-tools fixes and a zip tool
chooses for itself; compare the files inside, as above, not the zip. To make an EPUB of
them, add `book/mimetype` (the text `application/epub+zip`, no line end) and
`book/META-INF/container.xml` (a `rootfile` with `full-path="EPUB/package.opf"` and
`media-type="application/oebps-package+xml"`), then zip `mimetype` first and stored, then
`META-INF/` and `EPUB/`. The `tei-tools` toolchain does all of this in one command:
`tei-tools build`.
"""
