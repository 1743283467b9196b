"""The one safe way to read an XML file: every command parses through `parse_file`.

The parser never touches the network, never loads a DTD, never expands or fetches
entities and never processes XInclude. Hostile or unusable input is *rejected* with a
one-line finding (`path:line:col: error: message`) instead of being silently defused,
so an editor learns why a file is refused.
"""
from __future__ import annotations

import codecs
import io
import re
from pathlib import Path

from lxml import etree

from tei_tools.errors import BROKEN_LINK, Finding, InputError, UsageError

TEI_NS = "http://www.tei-c.org/ns/1.0"
XINCLUDE_NAMESPACES = ("http://www.w3.org/2001/XInclude", "http://www.w3.org/2003/XInclude")

# How much of the file to inspect for NUL bytes when deciding whether it is binary.
_SNIFF_BYTES = 8192
_UNICODE_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
_DOCTYPE = re.compile(r"<!DOCTYPE\b")
_ENTITY_DECL = re.compile(r"<!ENTITY\b")
# Where a DOCTYPE cannot hide: comments, CDATA sections and processing instructions.
_HIDING_PLACES = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>", re.DOTALL)
_UTF32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
# C1 control characters (U+0080-U+009F), written as UTF-8 or as a character reference.
# Two patterns, each beginning with a literal, which the regular expression engine finds
# fast (one with an alternation is tried at every byte: 0.46 ms for the article, not 0.1).
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")
_C1_REFERENCE = re.compile(rb"&#(?:[xX]0*[89][0-9a-fA-F]|0*(?:12[89]|1[3-5][0-9]));")


def safe_parser() -> etree.XMLParser:
    """A new lxml parser that cannot be made to read anything but the bytes it is given.

    Give it bytes (as parse_bytes does), not a file name: it answers every load, the
    document's own too, with nothing. A fresh parser per call: lxml parsers keep state
    and are not shared across threads.
    """
    parser = etree.XMLParser(
        resolve_entities=False,  # no entity expansion (billion laughs) and no external entities (XXE)
        load_dtd=False,
        dtd_validation=False,
        attribute_defaults=False,  # a DTD must not be able to inject attributes
        no_network=True,
        huge_tree=False,  # keep libxml2's limits on depth and text size
        remove_blank_text=False,  # mixed content: whitespace is text
        collect_ids=False,  # a duplicate xml:id is the Schematron's to report, at both elements
    )
    # collect_ids=False is a flag in libxml2's "load subset" field, which then loads an
    # external DTD (a local file, a FIFO that never answers) whatever load_dtd says. Every
    # load goes to this resolver first, which answers with nothing: no file is opened.
    parser.resolvers.add(_NothingFetched())
    return parser


def schema_parser() -> etree.XMLParser:
    """A parser for the tool's own schema files (schema/): nothing from the network and no
    entities expanded, but the files they include are loaded, and the schema's own ids
    (none are duplicated) need not be left to a Schematron."""
    return etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, attribute_defaults=False)


class _NothingFetched(etree.Resolver):
    """Answers every request to load a DTD or entity with an empty document."""

    def resolve(self, system_url, public_id, context):
        return self.resolve_string("", context)


def parse_file(path: str | Path) -> etree._ElementTree:
    """Parse `path` safely and check that it is a TEI document.

    Raises UsageError for a missing path or a directory, InputError (with line and
    column) for anything else that cannot be read safely.
    """
    name = str(path)
    data = read_bytes(path)
    check_not_binary(name, data)
    check_encoding_supported(name, data)
    check_no_control_characters(name, data)
    tree = parse_bytes(name, data)
    check_no_dtd(name, data, tree)
    check_no_xinclude(name, tree)
    check_tei_root(name, tree)
    check_depth(name, tree)
    return tree


def read_bytes(path: str | Path) -> bytes:
    """The file's bytes; a usage error for a path that is no file, an InputError for a file
    that cannot be read (like a malformed one, it fails alone)."""
    target = Path(path)
    if not target.exists():
        if target.is_symlink():  # found in a folder (a named one is refused before): it fails alone
            _reject(str(path), 0, 0, BROKEN_LINK)
        raise UsageError(f"{path}:0:0: error: no such file")
    if target.is_dir():
        raise UsageError(f"{path}:0:0: error: is a directory, not an XML file")
    if not target.is_file():  # a FIFO would block the read, a device (/dev/zero) never end it
        raise UsageError(f"{path}:0:0: error: not a regular file (a pipe or a device), not an XML file")
    try:
        return target.read_bytes()
    except OSError as exc:  # the file's own problem (permissions): it is invalid, the others are checked
        _reject(str(path), 0, 0, f"cannot read file: {exc.strerror or exc}")


def check_not_binary(name: str, data: bytes) -> None:
    if not data.strip():
        _reject(name, 1, 1, "file is empty; expected a TEI document")
    head = data[:_SNIFF_BYTES]
    # UTF-16 without a byte order mark, recognised by its "<?" (XML 1.0, appendix F):
    # libxml2 and Saxon both read it; it was refused as binary.
    utf16 = head.startswith(_UNICODE_BOMS) or head.startswith((b"<\x00?\x00", b"\x00<\x00?"))
    if b"\x00" in head and not utf16:
        _reject(name, 1, 1, "binary content (NUL bytes), not an XML text file")


# The encodings that both libxml2 (validation) and Saxon (the build) were found to read,
# by Python's names for them (codecs.lookup). libxml2 reads more (UTF-7, ISO-8859-10 and
# -14, HZ, …), which Saxon's parser refuses: a file that validated then failed to build,
# in Saxon's words, without a position.
READ_BY_EVERY_TOOL = frozenset({
    "utf-8", "utf-16", "utf-16-le", "utf-16-be", "ascii",
    *(f"iso8859-{n}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 13, 15, 16)),
    *(f"cp{n}" for n in range(1250, 1259)), "koi8-r", "koi8-u",
    "shift_jis", "euc_jp", "euc_kr", "iso2022_jp", "big5", "gb2312", "gbk", "gb18030",
})
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_ENCODING_DECLARATION = re.compile(r"""^\ufeff?<\?xml[^>]*?\bencoding\s*=\s*["']([^"']*)["']""")


def check_encoding_supported(name: str, data: bytes) -> None:
    """Refuse what libxml2 reads but Saxon, which builds the editions, does not: UTF-32,
    an encoding outside READ_BY_EVERY_TOOL, and a byte order mark that contradicts the
    declared encoding (libxml2 believes the mark, Saxon the declaration)."""
    if data.startswith(_UTF32_BOMS):
        _reject(name, 1, 1, "the file is UTF-32, which not every XML tool reads (Saxon does not); save it as UTF-8")
    bom = _byte_order_mark(data)
    declaration = _encoding_declaration(data)
    if declaration is None:
        return
    declared, column = declaration
    family = _encoding_name(declared)
    if family not in READ_BY_EVERY_TOOL:
        _reject(name, 1, column, f"encoding '{declared}' is not one that every XML tool here reads (Saxon does not); save the file as UTF-8")
    if bom is not None and not family.startswith(bom.lower()):
        _reject(name, 1, column, f"the file begins with a {bom} byte order mark but declares encoding '{declared}'; "
                                 f"declare {bom}, or save the file as UTF-8 without the mark")


def _byte_order_mark(data: bytes) -> str | None:
    return "UTF-16" if data.startswith(_UTF16_BOMS) else "UTF-8" if data.startswith(codecs.BOM_UTF8) else None


def _encoding_declaration(data: bytes) -> tuple[str, int] | None:
    """The encoding the XML declaration names, and its column; read through a byte order
    mark (UTF-8 or UTF-16). None without a declaration that names one."""
    bom = _byte_order_mark(data)
    head = data[:512].decode(bom.lower() if bom else "latin-1", "replace")
    declaration = _ENCODING_DECLARATION.match(head)
    if declaration is None:
        return None
    return declaration.group(1), declaration.start(1) + (0 if head.startswith("\ufeff") else 1)


def _encoding_name(declared: str) -> str:
    try:
        return codecs.lookup(declared).name
    except LookupError:
        return ""


def check_no_control_characters(name: str, data: bytes) -> None:
    """C1 control characters (U+0085 NEL, …) are XML, but no HTML may hold them and they are
    never text: one is a conversion left-over, and an editor must decide what it stood for."""
    found = _C1_UTF8.search(data) or (_C1_REFERENCE.search(data) if b"&#" in data else None)
    if found is not None:
        line = data.count(b"\n", 0, found.start()) + 1
        column = found.start() - (data.rfind(b"\n", 0, found.start()) + 1) + 1
        code = found.group(0).decode("utf-8", "replace")
        shown = f"U+{ord(code):04X}" if len(code) == 1 else code
        _reject(name, line, column, f"control character {shown} in the text (a conversion left-over?); replace it with what it stood for, e.g. a space or a line break")


def parse_bytes(name: str, data: bytes) -> etree._ElementTree:
    parser = safe_parser()
    try:
        return etree.parse(io.BytesIO(data), parser, base_url=Path(name).resolve().as_uri())
    except etree.XMLSyntaxError as exc:
        _reject_entity_declarations(name, _source_text(data, None))  # libxml2 stopped a billion laughs: say why
        declared = _declared_encoding(data)
        line, col, message = _syntax_error_parts(exc, parser.error_log, declared)
        _reject(name, line, col, _with_opening_tag(message, _source_text(data, declared)))
    raise AssertionError("unreachable")  # pragma: no cover


def check_no_dtd(name: str, data: bytes, tree: etree._ElementTree) -> None:
    """An external DTD (by URL or file) or any internal subset is refused, not ignored.

    The parser (safe_parser) has neither fetched nor expanded anything: the tree it made
    says whether there is a DOCTYPE, whatever the encoding and whatever comments mention one.
    """
    info = tree.docinfo
    if not (info.system_url or info.public_id or info.internalDTD is not None):
        return
    text = _source_text(data, info.encoding)
    doctype = _DOCTYPE.search(text)
    line, col = _text_line_col(text, doctype.start()) if doctype else (1, 1)
    if info.system_url or info.public_id:
        where = info.system_url or info.public_id
        _reject(name, line, col, f"external DTD '{where}' is not allowed (it would be fetched); remove the DOCTYPE, the schema is given by <?xml-model?>")
    if info.internalDTD is not None and list(info.internalDTD.iterentities()):
        _reject_entity_declarations(name, text)
        _reject(name, line, col, "entity declarations are not allowed; remove the DOCTYPE and write the characters themselves")
    _reject(name, line, col, "DTD declarations are not allowed; remove the DOCTYPE, the schema is given by <?xml-model?>")


def _reject_entity_declarations(name: str, text: str) -> None:
    """Refuse a DOCTYPE that declares entities, at its first declaration (if it has one)."""
    doctype = _DOCTYPE.search(text)
    entity = _ENTITY_DECL.search(text, doctype.end()) if doctype else None
    if entity is not None:
        line, col = _text_line_col(text, entity.start())
        _reject(name, line, col, "entity declarations are not allowed; remove the DOCTYPE and write the characters themselves")


def _source_text(data: bytes, encoding: str | None) -> str:
    """The file as text, with comments, CDATA sections and processing instructions blanked
    (their newlines kept), so that a DOCTYPE is found only where it stands."""
    try:
        text = data.decode(encoding or "utf-8", "replace")
    except LookupError:
        text = data.decode("utf-8", "replace")
    return _HIDING_PLACES.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text.lstrip("\ufeff"))


def _text_line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


# Saxon's parser (the JDK's, jdk.xml.maxElementDepth) reads elements nested at most 100
# deep, the root counted; libxml2 reads 256. A deeper document validated and then failed
# to build: it is refused here, at its first element too deep.
MAX_DEPTH = 100
_TOO_DEEP = etree.XPath("/" + "/".join(["*"] * (MAX_DEPTH + 1)))


def check_depth(name: str, tree: etree._ElementTree) -> None:
    """One step per level of the tree: each element is visited once, however deep."""
    deeper = _TOO_DEEP(tree)
    if deeper:
        element = deeper[0]
        line = element.sourceline or 0
        _reject(name, line, SourceLines(tree).column_of_element(element) or 1, f"<{etree.QName(element).localname}> is nested "
                f"{MAX_DEPTH + 1} elements deep: Saxon, which builds the editions, reads at most {MAX_DEPTH} levels; "
                "flatten the markup")


def check_no_xinclude(name: str, tree: etree._ElementTree) -> None:
    for namespace in XINCLUDE_NAMESPACES:
        for element in tree.iter(f"{{{namespace}}}*"):
            _reject(name, element.sourceline or 0, 1, f"XInclude (<{etree.QName(element).localname}>) is not allowed; copy the text into the file")


def check_tei_root(name: str, tree: etree._ElementTree) -> None:
    root = tree.getroot()
    line = root.sourceline or 1
    qname = etree.QName(root)
    if qname.localname == "TEI" and qname.namespace is None:
        _reject(name, line, 1, f'root element <TEI> has no namespace; add xmlns="{TEI_NS}"')
    if qname.localname != "TEI" or qname.namespace != TEI_NS:
        where = "no namespace" if qname.namespace is None else f"namespace {qname.namespace}"
        _reject(name, line, 1, f"root element is <{qname.localname}> ({where}), not a TEI document; expected <TEI xmlns=\"{TEI_NS}\">")


def _declared_encoding(data: bytes) -> str:
    declaration = _encoding_declaration(data)
    return declaration[0] if declaration else "UTF-8"


def _syntax_error_parts(exc: etree.XMLSyntaxError, log, declared: str) -> tuple[int, int, str]:
    """Line, column and a one-line message from libxml2's first error.

    The parser's own log, not the exception's: that one can carry entries of earlier parses.
    """
    errors = [e for e in log if e.level >= etree.ErrorLevels.ERROR]
    entry = errors[0] if errors else None
    line = (entry.line if entry else exc.lineno) or 1
    col = (entry.column if entry else exc.offset) or 1
    raw = (entry.message if entry else str(exc)) or "not well-formed"
    message = raw.splitlines()[0].strip().rstrip(",")
    if "not proper UTF-8" in message or "encoding" in message.lower():
        message = f"the bytes are not valid {declared} (the declared encoding): {message}; save the file as UTF-8"
    elif message.startswith("Excessive depth in document"):  # libxml2's advice names its own option
        message = "elements are nested more than 256 deep, beyond what the parser accepts from a file it has not seen before"
    elif "try XML_PARSE_HUGE" in message:  # libxml2's advice names an option the reader cannot set
        what = message.split(":")[-1].split(",")[0].strip() or "a text or name too long"
        message = f"{what[0].lower() + what[1:]}: beyond what the parser accepts from a file it has not seen before (10,000,000 characters)"
    elif "Document is empty" in message or "Start tag expected" in message:
        message = f"not an XML document ({message})"
    elif message.startswith(("xmlParseEntityRef: no name", "EntityRef: expecting ';'")):
        message = f"not well-formed XML: an & that begins no entity or character reference ({message}); write a bare & as &amp;"
    else:
        message = f"not well-formed XML: {message}"
    return line, col, message


_MISMATCH = re.compile(r"Opening and ending tag mismatch: (\S+) line (\d+) and (\S+)")


def _with_opening_tag(message: str, source: str) -> str:
    """libxml2 names the line of an element left open, not its column; where a paragraph is
    one long line, the line alone does not find it. The column of its start tag is the
    last one of that name on that line not closed on it. `source` is the file's text with
    comments and the like blanked (_source_text)."""
    found = _MISMATCH.search(message)
    if found is None:
        return message
    element, line, closing = found.group(1), int(found.group(2)), found.group(3)
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not 0 < line <= len(lines):
        return message
    text = lines[line - 1]
    # A start tag may go on to the next line ("<hi" or '<hi rend="i"' at the line's end).
    tags = re.finditer(f"<(/?){re.escape(element)}(?=[\\s/>])[^>]*?(/?)>|<{re.escape(element)}(?:\\s[^>]*)?$", text)
    open_at: list[int] = []
    for tag in tags:
        if tag.group(1):
            if open_at:
                open_at.pop()
        elif not tag.group(2):
            open_at.append(tag.start() + 1)
    if not open_at:
        return message
    return f"{message}: <{element}> opened at line {line}, column {open_at[-1]} is not closed before </{closing}>"


def _reject(name: str, line: int, col: int, message: str) -> None:
    raise InputError(Finding(name, line, col, "error", message))


# ---------------------------------------------------------------- where an element stands in the file

# What may hold a "<name" that is no start tag: comments, CDATA sections and processing
# instructions (those begun on the line; each is blanked out to its end or the line's end).
_NOT_MARKUP = re.compile(r"<!--.*?(?:-->|$)|<!\[CDATA\[.*?(?:\]\]>|$)|<\?.*?(?:\?>|$)")
_ATTRIBUTE = re.compile(r"""\s+([^\s=/>]+)\s*=\s*("[^"]*"|'[^']*')""")


def _start_tags(name: str) -> re.Pattern:
    """The start tags of that name: "<name" followed by white space, ">" or "/" (so <note
    is not found in <notesStmt)."""
    return re.compile(f"<{re.escape(name)}(?=[\\s/>]|$)")


def _attributes(text: str, position: int):
    """The attributes of the start tag whose name ends at `position`, as far as the line
    holds them: regular-expression matches (group 1 the name, group 2 the quoted value)."""
    while (match := _ATTRIBUTE.match(text, position)) is not None:
        yield match
        position = match.end()


def _attributes_end(text: str, position: int) -> int:
    """Where the attributes of the start tag whose name ends at `position` end on the line."""
    for match in _attributes(text, position):
        position = match.end()
    return position


_TAG_END = re.compile(r"\s*/?>")


def _written_name(element) -> str:
    local = etree.QName(element).localname
    return f"{element.prefix}:{local}" if element.prefix else local


def _later_on_its_line(element, written: str) -> int:
    """How many elements written with the same name come after `element` in document order
    and start on its line. lxml gives an element's line as the line its start tag ends on,
    so these are the last "<name"s of that line, after its own, while an earlier element
    counted from the start could have begun on an earlier line."""
    line = element.sourceline
    local = etree.QName(element).localname
    count, seen = 0, False
    for other in element.getroottree().getroot().iter(f"{{*}}{local}"):
        if other is element:
            seen = True
        elif seen:
            if (other.sourceline or 0) > line:
                break  # lines only grow in document order
            if other.sourceline == line and _written_name(other) == written:
                count += 1
    return count


class SourceLines:
    """The file's lines, read only when a column has to be found: lxml gives an element's
    line, and a line may hold many start tags (the source's paragraphs are one line each)."""

    def __init__(self, tree: etree._ElementTree):
        self._url = tree.docinfo.URL
        self._lines: list[str] | None = None
        # The file's own encoding (UTF-16 and Latin-1 files are read too), a BOM dropped.
        declared = (tree.docinfo.encoding or "utf-8").lower()
        self._encoding = "utf-8-sig" if declared in ("utf-8", "utf8") else declared

    def column_of_element(self, element, attribute: str | None = None, value: str | None = None) -> int:
        """Where on its line the start tag of this very element begins (the third <orgName> of a
        paragraph's line, not the first), or else its attribute (named, or with this value);
        0 when the element cannot be found there (then column_of)."""
        if element is None or not isinstance(element.tag, str) or not element.sourceline:
            return 0
        text = self._markup(element.sourceline)
        written = _written_name(element)
        starts = [match.start() for match in _start_tags(written).finditer(text)]
        closed = [_TAG_END.match(text, _attributes_end(text, at + 1 + len(written))) is not None for at in starts]
        if closed and not closed[-1]:
            starts.pop()  # a later element's start tag, ending on a later line
        index = len(starts) - _later_on_its_line(element, written) - 1
        if index < 0 or not closed[index]:
            return 0  # this element's start tag begins on an earlier line
        at = starts[index]
        if attribute or value is not None:
            found = _attribute_at(text, at + 1 + len(written), attribute, value)
            if found is not None:
                return found + 1
        return at + 1

    def column_of(self, line: int | None, element_name: str | None, value: str | None = None) -> int:
        """Where on `line` the first start tag of that name (or else the quoted attribute value)
        begins: when the element itself is not known."""
        if not line or not (element_name or value):
            return 1
        text = self._markup(line)
        if element_name:
            for name in dict.fromkeys([element_name, element_name.split("}")[-1].split(":")[-1]]):
                match = _start_tags(name).search(text)
                if match:
                    return match.start() + 1
        if value is not None:
            for pattern in (f'"{value}"', f"'{value}'"):
                at = text.find(pattern)
                if at >= 0:
                    return at + 1
        return 1

    def attribute_position(self, from_line: int, attribute: str, within: int = 50) -> tuple[int, int] | None:
        """(line, column) of the first `attribute=` at or after `from_line`, outside comments:
        an attribute of a start tag written over several lines. None when not found."""
        needle = f"{attribute}="
        for line, text in self._lines_from(from_line, within):
            at = text.find(needle)
            if at >= 0:
                return line, at + 1
        return None

    def text_position(self, from_line: int, words: str, within: int = 200) -> tuple[int, int] | None:
        """(line, column) of the first place at or after `from_line` where `words` stand in
        the text, outside tags and comments (lxml gives a text node no line of its own);
        None when they are not found within `within` lines (written as character
        references, say)."""
        for line, text in self._lines_from(from_line, within):
            at = text.find(words)
            while at >= 0:
                if text.rfind("<", 0, at) <= text.rfind(">", 0, at):  # not inside a tag
                    return line, at + 1
                at = text.find(words, at + 1)
        return None

    def _lines_from(self, from_line: int, within: int):
        """(number, markup) of the lines from `from_line` on, at most `within` of them,
        stopping at the end of the file."""
        for line in range(max(from_line, 1), from_line + within):
            text = self._markup(line)
            if not text and line > len(self._lines or ()):
                return
            yield line, text

    def _markup(self, line: int) -> str:
        """The line with comments, CDATA sections and processing instructions blanked out."""
        text = self._line(line)
        if "<!" not in text and "<?" not in text:
            return text
        return _NOT_MARKUP.sub(lambda match: " " * len(match.group()), text)

    def _line(self, line: int) -> str:
        if self._lines is None:
            self._lines = self._read()
        return self._lines[line - 1] if 0 < line <= len(self._lines) else ""

    def _read(self) -> list[str]:
        if not self._url:
            return []
        try:
            from urllib.parse import unquote, urlparse

            path = unquote(urlparse(self._url).path) if self._url.startswith("file:") else self._url
            try:
                text = Path(path).read_text(encoding=self._encoding, errors="replace")
            except LookupError:  # an encoding Python does not know by that name
                text = Path(path).read_text(encoding="utf-8-sig", errors="replace")
        except OSError:
            return []
        # Lines as XML counts them: str.splitlines() would also break at U+2028, U+0085, …
        return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def node_at_path(tree: etree._ElementTree, location: str | None) -> tuple:
    """(element, attribute name or None) an XPath location points to: an SVRL location, or
    the path libxml2 gives with a RELAX NG error. (None, None) when it points nowhere."""
    if not location:
        return None, None
    try:
        hits = tree.xpath(location)
    except (etree.XPathError, TypeError, ValueError):
        return None, None
    if not isinstance(hits, list) or not hits:
        return None, None
    hit = hits[0]
    if isinstance(hit, etree._Element):
        return (hit, None) if isinstance(hit.tag, str) else (None, None)
    parent = hit.getparent() if hasattr(hit, "getparent") else None
    if parent is None or not isinstance(parent.tag, str):
        return None, None
    return parent, (hit.attrname if getattr(hit, "is_attribute", False) else None)


def element_location(element: etree._Element) -> tuple[int, int]:
    """(line, column) of an element's start tag in its file, each at least 1 (SourceLines)."""
    return element.sourceline or 1, SourceLines(element.getroottree()).column_of_element(element) or 1


def _attribute_at(text: str, position: int, attribute: str | None, value: str | None) -> int | None:
    """The offset of an attribute in the start tag whose name ends at `position`: the one named
    (as written, else by its local name: libxml2 says "lang" for xml:lang), else the one with
    that value; None when the tag has none on this line."""
    written = [(match.group(1), match.group(2)[1:-1], match.start(1)) for match in _attributes(text, position)]
    if attribute:
        for wanted in (lambda name: name == attribute, lambda name: name.split(":")[-1] == attribute):
            for name, _, at in written:
                if wanted(name):
                    return at
    if value is not None:
        for _, given, at in written:
            if given == value:
                return at
    return None
