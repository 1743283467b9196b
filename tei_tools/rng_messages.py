"""What libxml2's RELAX NG errors mean to an editor: each error located at its element or
attribute, its message cleaned of namespaces, and a hint of what to do taken from the
schema itself (the a:documentation of the element or attribute, the values it allows, the
datatype in words, a date's form), so that the message says how to mend the file.

The schema's tree, its documentation and its attributes by element are read once and kept
until forget_schema_documentation() (tei-tools watch, after the schema is edited).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from tei_tools.errors import Finding
from tei_tools.parsing import SourceLines, node_at_path, schema_parser

_schema_path: Path | None = None  # the schema whose documentation is read (validate.RNG_PATH)


def forget_schema_documentation() -> None:
    """Drop what was read of the schema: an edited schema is read again."""
    global _rng_tree, _documentation
    _rng_tree = None
    _documentation = None
    _schema_attributes.clear()


def explained_errors(tree: etree._ElementTree, name: str, entries: list, schema_path: Path) -> list[Finding]:
    """libxml2's RELAX NG errors for `tree` (its error log entries) as findings: each located
    at its element or attribute, its message cleaned of namespaces, with a hint of what to
    do from the schema at `schema_path` (its documentation of the element or attribute,
    the values it allows)."""
    global _schema_path
    if _schema_path != schema_path:
        forget_schema_documentation()
        _schema_path = schema_path
    lines = SourceLines(tree)
    findings = []
    for entry in _meaningful(entries):
        refused = _refused_text_element(tree, entry.line, entry.message)
        hint = (_padding_hint(tree, entry.line, entry.message) or _date_hint(entry.message)
                or _attribute_hint(tree, entry.line, entry.message)
                or _documentation_hint(refused or _incomplete_element(tree, entry))
                or _unexpected_element_hint(entry.message))
        message = _relaxng_message(entry.message, hint)
        element_name = _element_in(entry.message) or refused
        column = entry.column or lines.column_of_element(
            _relaxng_element(tree, entry, element_name), _attribute_named_in(entry.message), _value_in(entry.message)
        ) or lines.column_of(entry.line, element_name, _value_in(entry.message))
        findings.append(Finding(name, entry.line or 1, column, "error", message))
    return findings


def _relaxng_element(tree: etree._ElementTree, entry, element_name: str | None):
    """The element a RELAX NG error is about, from the path libxml2 gives with it: the element
    the message names ("Element note has extra content: p" is given at the <p>: its <note>),
    else the element at the path; None when it does not start on the error's line."""
    element = node_at_path(tree, getattr(entry, "path", None))[0]
    if element is None or not entry.line:
        return None
    if element_name:
        for candidate in (element, *element.iterancestors()):
            if etree.QName(candidate).localname == element_name:
                if candidate.sourceline == entry.line:
                    return candidate
                break
    return element if element.sourceline == entry.line else None


# libxml2 follows a real error with "Expecting an element hi, got nothing" (the first
# alternative it tried): noise that points at the wrong element.
_RNG_NOISE = re.compile(r"^Expecting an element \S+, got nothing$")


def _meaningful(entries: list) -> list:
    kept = [e for e in entries if not _RNG_NOISE.match(e.message or "")]
    # A refused text is reported twice: the datatype, then "Element geo failed to validate
    # content" on the same line; the second says nothing more.
    refused_lines = {e.line for e in kept if "validating datatype" in (e.message or "")}
    kept = [e for e in kept if not (e.line in refused_lines and (e.message or "").endswith("failed to validate content"))]
    return kept or entries


_RNG_ELEMENT = re.compile(r"\b[Ee]lement (\S+)")


def _element_in(message: str) -> str | None:
    match = _RNG_ELEMENT.search(message or "")
    if not match:
        return None
    return match.group(1).rstrip(":,").split("}")[-1].split(":")[-1]


_RNG_VALUE = re.compile(r"doesn't allow value '([^']*)'")


def _value_in(message: str) -> str | None:
    match = _RNG_VALUE.search(message or "")
    return match.group(1) if match else None


_RNG_INVALID_ATTRIBUTE = re.compile(r"Invalid attribute (\S+) for element")


def _attribute_named_in(message: str) -> str | None:
    """The attribute libxml2 refused ("Invalid attribute when for element date"), if it names one."""
    match = _RNG_INVALID_ATTRIBUTE.search(message or "")
    return match.group(1) if match else None


# libxml2 names the attribute it refused ("Invalid attribute type for element title") or
# only the element ("Element language failed to validate attributes").
_RNG_ATTRIBUTE = re.compile(r"Invalid attribute (\S+) for element|failed to validate attributes")


def _padding_hint(tree: etree._ElementTree, line: int | None, message: str) -> str:
    """Why an attribute was refused when its value has spaces around it, which libxml2 does not say.

    Enumerated values, words and language tags are compared as written (schema/edition.rng),
    so `type=" supplied "` is refused; the message then names the attribute and the cause.
    """
    match = _RNG_ATTRIBUTE.search(message or "")
    name = _element_in(message)
    if match is None or not line or not name:
        return ""
    for element in tree.getroot().iter():
        if element.sourceline == line and isinstance(element.tag, str) and etree.QName(element).localname == name:
            for attribute, value in element.attrib.items():
                local = etree.QName(attribute).localname
                if value != value.strip() and match.group(1) in (None, local, attribute):
                    shown = "xml:" + local if attribute.startswith("{http://www.w3.org/XML/1998/namespace}") else local
                    return f'; {shown}="{value}" has spaces around its value: write it without them'
    return ""


_DATE_ATTRIBUTES = {"when", "from", "to", "notBefore", "notAfter"}


def _date_hint(message: str) -> str:
    """What a date attribute must be, which libxml2's "Invalid attribute when" does not say."""
    match = _RNG_ATTRIBUTE.search(message or "")
    if match is None or match.group(1) not in _DATE_ATTRIBUTES:
        return ""
    if re.search(r"for element (placeName|orgName)\b", message):
        return ("; in a register, only a name borne later (type=\"later\") or today (a place's type=\"modern\") "
                "is dated, with @from and @to")
    return ("; a date is YYYY, YYYY-MM, YYYY-MM-DD, --MM-DD or YYYY-MM-DDThh:mm:ss (hours 00-23), and "
            "@when stands alone, @from is not with @notBefore, @to is not with @notAfter")


def _refused_text_element(tree: etree._ElementTree, line: int | None, message: str) -> str | None:
    """The element whose text libxml2 refused ("Error validating datatype", naming none): the
    innermost element starting on that line that holds text only."""
    if "validating datatype" not in (message or "") or not line:
        return None
    candidates = [e for e in tree.getroot().iter() if isinstance(e.tag, str) and e.sourceline == line and len(e) == 0]
    return etree.QName(candidates[-1]).localname if candidates else None


def _documentation_hint(element_name: str | None) -> str:
    """What the schema expects of the element: its documentation in edition.rng."""
    documentation = _element_documentation().get(element_name or "")
    return f"; <{element_name}>: {documentation.rstrip('.')}" if documentation else ""


_UNEXPECTED_ELEMENT = re.compile(r"Did not expect element (?:\{[^}]*\})?([\w.-]+) there")


def _unexpected_element_hint(message: str) -> str:
    """For an element the edition's schema does not have at all (TEI's list, emph, …), say
    so: an editor who knows TEI would otherwise look for the place where it is allowed."""
    match = _UNEXPECTED_ELEMENT.search(message or "")
    documented = _element_documentation()
    if match is None or not documented or match.group(1) in documented:
        return ""
    return f"; the edition's schema has no <{match.group(1)}> anywhere (the reading editions render only its elements)"


def _incomplete_element(tree: etree._ElementTree, entry) -> str | None:
    """The element libxml2 found incomplete ("Expecting an element , got nothing": it names
    neither the element nor what it lacks), from the error's path: its documentation in
    edition.rng says what it holds ("sic with one corr, or orig with one reg")."""
    if not (entry.message or "").startswith("Expecting an element , got nothing"):
        return None
    element = node_at_path(tree, getattr(entry, "path", None))[0]
    return etree.QName(element).localname if element is not None else None


def _attribute_hint(tree: etree._ElementTree, line: int | None, message: str) -> str:
    """What the schema says of a refused attribute, which libxml2 does not: "Invalid attribute
    cert for element corr" gets the attribute's documentation and allowed values; "Element pb
    failed to validate attributes" the attribute the element lacks, or has but may not."""
    match = _RNG_ATTRIBUTE.search(message or "")
    element_name = _element_in(message)
    attributes = _attributes_of(element_name or "")
    if match is None or not attributes:
        return ""
    if match.group(1):  # libxml2 gives the local name: "lang" for xml:lang
        named = [a for a in attributes if a.name.split(":")[-1] == match.group(1)]
        return _described(element_name, named[0]) if named else ""
    instance = next((e for e in tree.getroot().iter() if isinstance(e.tag, str) and e.sourceline == line
                     and etree.QName(e).localname == element_name), None)
    if instance is None:
        return ""
    present = {_written_attribute(name) for name in instance.attrib}
    missing = [a for a in attributes if a.required and a.name not in present]
    if missing:
        return "; " + _described(element_name, missing[0], verb="needs")[2:]
    unknown = sorted(present - {a.name for a in attributes})
    return f"; <{element_name}> has no @{unknown[0]} in the edition's schema" if unknown else ""


def _written_attribute(clark: str) -> str:
    return "xml:" + clark.split("}")[1] if clark.startswith("{http://www.w3.org/XML/1998/namespace}") else clark


# What a datatype of edition.rng asks of a value, in words.
_DATATYPE_WORDS = {
    "NCName": "an XML name: a letter or _ first, then letters, digits, '.', '-' or '_'",
    "positiveInteger": "a whole number from 1",
}


def _described(element_name: str, attribute, verb: str = "of") -> str:
    values = (f" (one of: {', '.join(attribute.values)})" if attribute.values
              else f" ({_DATATYPE_WORDS[attribute.datatype]})" if attribute.datatype in _DATATYPE_WORDS else "")
    head = f"@{attribute.name} of <{element_name}>" if verb == "of" else f"<{element_name}> needs @{attribute.name}"
    return f"; {head}: {attribute.documentation.rstrip('.')}{values}" if attribute.documentation else f"; {head}{values}"


@dataclass(frozen=True)
class SchemaAttribute:
    """An attribute an element may have in schema/edition.rng."""

    name: str  # as written: "cert", "xml:lang"
    required: bool
    documentation: str
    values: tuple[str, ...]  # the values it allows, when it lists them
    datatype: str = ""  # its XML Schema datatype, when it has one of its own ("NCName")


_schema_attributes: dict[str, list[SchemaAttribute]] = {}


def _attributes_of(element_name: str) -> list[SchemaAttribute]:
    """The attributes of an element in schema/edition.rng, following its references (not into
    other elements); an attribute under optional, zeroOrMore or choice is not required."""
    if element_name in _schema_attributes or not element_name:
        return _schema_attributes.get(element_name, [])
    schema, defines = _rng_schema()
    found: dict[str, SchemaAttribute] = {}

    def walk(node, optional: bool, seen: frozenset) -> None:
        for child in node:
            if not isinstance(child.tag, str) or not child.tag.startswith(_RNG):
                continue
            kind = child.tag[len(_RNG):]
            if kind == "attribute" and child.get("name"):
                data = child.find(f"{_RNG}data")
                found.setdefault(child.get("name"), SchemaAttribute(
                    child.get("name"), not optional, _first_documentation(child), tuple(_values(child, defines, frozenset())),
                    data.get("type", "") if data is not None else ""))
            elif kind == "ref" and child.get("name") in defines and child.get("name") not in seen:
                walk(defines[child.get("name")], optional, seen | {child.get("name")})
            elif kind != "element":
                walk(child, optional or kind in ("optional", "zeroOrMore", "choice"), seen)

    for element in schema.iter(f"{_RNG}element"):
        if element.get("name") == element_name:
            walk(element, False, frozenset())
    _schema_attributes[element_name] = list(found.values())
    return _schema_attributes[element_name]


def _values(node, defines: dict, seen: frozenset) -> list[str]:
    """The values an attribute's pattern lists (<value>s, through references), in order."""
    values = []
    for child in node.iter(f"{_RNG}value", f"{_RNG}ref"):
        if child.tag == f"{_RNG}value":
            if (child.text or "").strip():
                values.append(child.text.strip())
        elif child.get("name") in defines and child.get("name") not in seen:
            values.extend(_values(defines[child.get("name")], defines, seen | {child.get("name")}))
    return values


_RNG = "{http://relaxng.org/ns/structure/1.0}"
_RNG_DOCUMENTATION = "{http://relaxng.org/ns/compatibility/annotations/1.0}documentation"
_rng_tree: tuple | None = None


def _rng_schema() -> tuple:
    """schema/edition.rng parsed once, with its defines by name; (empty, {}) if unreadable."""
    global _rng_tree
    if _rng_tree is None:
        if _schema_path is None:
            return etree.Element("grammar"), {}
        try:
            schema = etree.parse(str(_schema_path), schema_parser()).getroot()
        except (OSError, etree.LxmlError):
            return etree.Element("grammar"), {}
        _rng_tree = (schema, {d.get("name"): d for d in schema.iter(f"{_RNG}define")})
    return _rng_tree


def _first_documentation(node) -> str:
    doc = node.find(_RNG_DOCUMENTATION)
    return " ".join("".join(doc.itertext()).split()) if doc is not None else ""


_documentation: dict[str, str] | None = None


def _element_documentation() -> dict[str, str]:
    """Each element's a:documentation in schema/edition.rng, by name (read once)."""
    global _documentation
    if _documentation is None:
        schema, _ = _rng_schema()
        _documentation = {e.get("name"): _first_documentation(e) for e in schema.iter(f"{_RNG}element") if e.get("name")}
    return _documentation


def _relaxng_message(message: str, hint: str = "") -> str:
    """libxml2's RELAX NG message, without the namespace noise, plus what to do."""
    text = (message or "invalid").replace("{http://www.tei-c.org/ns/1.0}", "")
    if text.startswith("Expecting an element , got nothing"):  # libxml2 names no element here
        text = "an element required here is missing (the element ends too early)"
    return f"not allowed by schema/edition.rng: {text}{hint}; see docs/encoding.md"
