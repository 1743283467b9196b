"""The EPUB 3 reading edition: xslt/epub.xsl writes the package's files, this module zips them.

The stylesheet writes everything under EPUB/ (package document, navigation document,
content documents, CSS) as result documents, captured in memory; here `mimetype` and
`META-INF/container.xml` are added and the whole is zipped as the OCF container requires:
`mimetype` first and stored, the rest deflated, in a fixed order, every entry with the
build's timestamp (SOURCE_DATE_EPOCH or the edition's revision date), so a rebuild is
byte-identical.
"""
from __future__ import annotations

from pathlib import Path

from tei_tools.errors import BuildError, Finding

STYLESHEET = "epub.xsl"
# The mode in which epub.xsl returns a content document's tree to its own xsl:output.
SERIALIZE_MODE = "{urn:tei-tools:epub}serialize"
MIMETYPE = b"application/epub+zip"
PACKAGE_SUFFIX = ".opf"
# The order of the files after mimetype and container.xml: package document and
# navigation first (what a reading system opens first), then the rest by name.
LEADING = ("package.opf", "nav.xhtml")


def container_xml(package_path: str) -> bytes:
    """META-INF/container.xml pointing to the package document."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">\n'
        "  <rootfiles>\n"
        f'    <rootfile full-path="{package_path}" media-type="application/oebps-package+xml"/>\n'
        "  </rootfiles>\n"
        "</container>\n"
    ).encode("utf-8")


def package_entries(documents: dict[str, str], source: str = "") -> list[tuple[str, bytes, bool]]:
    """The zip entries (name, data, compress) of an EPUB from the stylesheet's documents."""
    packages = [name for name in documents if name.endswith(PACKAGE_SUFFIX)]
    if len(packages) != 1:
        raise BuildError(
            f"{source}: {STYLESHEET} wrote {len(packages)} package documents, expected one",
            [Finding(source, 0, 0, "error", f"{STYLESHEET} must write exactly one *.opf, wrote {len(packages)}")],
        )

    def order(name: str) -> tuple[int, str]:
        leaf = name.rsplit("/", 1)[-1]
        return (LEADING.index(leaf) if leaf in LEADING else len(LEADING), name)

    entries = [("mimetype", MIMETYPE, False), ("META-INF/container.xml", container_xml(packages[0]), True)]
    entries += [(name, documents[name].encode("utf-8"), True) for name in sorted(documents, key=order)]
    return entries


def epub_bytes(document) -> bytes:
    """The EPUB of one validated document (a tei_tools.transform.SourceDocument)."""
    from tei_tools.fsutil import build_datetime, reproducible_zip

    result = document.transform(STYLESHEET, {"html-page": document.html_page()}, document_mode=SERIALIZE_MODE)
    entries = package_entries(result.documents, str(document.path))
    return reproducible_zip(entries, build_datetime(document.revision_date))


def render(document) -> dict[str, bytes]:
    """The pipeline's renderer (tei_tools.transform.FORMATS["epub"]): {<stem>.epub: bytes}."""
    return {f"{document.stem}.epub": epub_bytes(document)}


def build_epub(path: str | Path, out_dir: str | Path) -> Path:
    """Validate a TEI file and write `<out_dir>/<stem>.epub` atomically; return its path.

    The EPUB alone through the build's own path (tei_tools.transform.build: the same checks
    of the output folder, that no output overwrites an input); the document's error, if
    any, is raised as it is (a ValidationError for an invalid file)."""
    from tei_tools.transform import build

    [result] = build([path], out_dir, ["epub"]).results
    if result.error is not None:
        raise result.error
    return result.outputs[0]
