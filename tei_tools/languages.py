"""Checks of the edition's languages that the schemas do not make: declared, and marked.

Both give warnings: the file stays valid TEI, but its reading editions would say less
than they should (the header would not document a language; a screen reader would read
Russian with an English voice, and hyphenation would break Russian words as English).
"""
from __future__ import annotations

import re

from lxml import etree

from tei_tools.errors import Finding
from tei_tools.parsing import TEI_NS, SourceLines

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_DECLARED_LANGUAGES = f"{{{TEI_NS}}}teiHeader/{{{TEI_NS}}}profileDesc/{{{TEI_NS}}}langUsage/{{{TEI_NS}}}language"

# Cyrillic, Cyrillic Supplement, Extended-A, -B and -C: the letters of Russian in any
# spelling, pre-1918 included.
_LETTER = "[\u0400-\u052f\u1c80-\u1c8f\u2de0-\u2dff\ua640-\ua69f]"
_CYRILLIC = re.compile(_LETTER)
# A phrase: Cyrillic words with the spaces and hyphens between them ("Красная помощь").
_CYRILLIC_PHRASE = re.compile(f"{_LETTER}+(?:[\\s\\-–]+{_LETTER}+)*")
# Languages written in Cyrillic unless a script subtag says otherwise (BCP 47: "ru",
# "ru-Cyrl"; "ru-Latn" is Russian in Latin letters): those of the Russian Empire and the
# Soviet Union an edition of its sources meets, and Church Slavonic.
_CYRILLIC_LANGUAGES = frozenset(
    "ab av ba be bg ce cu cv kk kv ky mk mn orv os ru rue sah sr tg tt tyv udm uk".split())
_STRING = etree.XPath("string()")
_LANGUAGE_HOLDERS = etree.XPath("//*[@xml:lang]")


def language_findings(tree: etree._ElementTree, name: str) -> list[Finding]:
    """The warnings of both checks, which share the list of elements with an xml:lang."""
    holders = _LANGUAGE_HOLDERS(tree)
    return undeclared_language_findings(tree, name, holders) + unmarked_cyrillic_findings(tree, name, holders)


def undeclared_language_findings(tree: etree._ElementTree, name: str, holders: list) -> list[Finding]:
    """A warning for each language (xml:lang) the header's langUsage does not declare, at
    its first use: the header documents the languages of the edition (TEI's
    language/@ident matches xml:lang exactly). Nothing when there is no langUsage.
    `holders`: the elements with an xml:lang, in document order."""
    known = {(language.get("ident") or "").strip() for language in tree.getroot().iterfind(_DECLARED_LANGUAGES)}
    if not known:
        return []
    lines = SourceLines(tree)
    findings, reported = [], set()
    for element in holders:
        language = element.get(XML_LANG).strip()
        if not language or language in known or language in reported:
            continue
        reported.add(language)
        line = element.sourceline or 1
        column = lines.column_of_element(element, "xml:lang") or lines.column_of(line, etree.QName(element).localname)
        findings.append(Finding(name, line, column, "warning",
            f'xml:lang="{language}" is not declared in the header: add <language ident="{language}">…</language> '
            "to profileDesc/langUsage, which documents the edition's languages"))
    return findings


def unmarked_cyrillic_findings(tree: etree._ElementTree, name: str, holders: list) -> list[Finding]:
    """A warning for each run of Cyrillic text whose language (the nearest xml:lang) is not
    written in Cyrillic: Russian quoted in English prose needs <foreign xml:lang="ru">, so
    that the HTML and EPUB editions can say lang="ru".

    The common case is answered without walking the text: the Cyrillic letters of the whole
    document are counted once, and those of each element with an xml:lang (less those of
    the elements with an xml:lang inside it); only when some are left in a language not
    written in Cyrillic is the text walked to say where. `holders`: as for
    undeclared_language_findings.
    """
    root = tree.getroot()
    text = _STRING(root)
    if not _CYRILLIC.search(text):
        return []
    # the whole text is counted once: the root's (usually a holder) is the same string
    contained = {holder: len(_CYRILLIC.findall(_STRING(holder) if holder is not root else text)) for holder in holders}
    own = dict(contained)  # the letters each holder's own language covers
    outside = contained[root] if root in contained else len(_CYRILLIC.findall(text))  # under no xml:lang
    for holder in holders:
        nearest = _language_holder(holder.getparent())
        if nearest is None:
            outside -= contained[holder]
        else:
            own[nearest] -= contained[holder]
    if not outside and all(written_in_cyrillic(holder.get(XML_LANG)) for holder in holders if own[holder]):
        return []
    return _located_runs(tree, name)


def written_in_cyrillic(language: str | None) -> bool:
    """Whether text in this language (an xml:lang value) is written in Cyrillic letters."""
    subtags = (language or "").strip().lower().split("-")
    scripts = [subtag for subtag in subtags[1:] if len(subtag) == 4 and subtag.isalpha()]
    return scripts[0] == "cyrl" if scripts else subtags[0] in _CYRILLIC_LANGUAGES


def _language_holder(element: etree._Element | None) -> etree._Element | None:
    """The element itself or its nearest ancestor with an xml:lang; None when there is none."""
    while element is not None and element.get(XML_LANG) is None:
        element = element.getparent()
    return element


def _located_runs(tree: etree._ElementTree, name: str) -> list[Finding]:
    """The unmarked runs of Cyrillic, each where it is written, one finding per text node."""
    lines = SourceLines(tree)
    findings = []
    for node in tree.getroot().iter():
        if isinstance(node.tag, str) and node.text:
            findings.extend(_unmarked_in(node.text, node, node, lines, name))
        if node.tail and node.getparent() is not None:
            findings.extend(_unmarked_in(node.tail, node.getparent(), node, lines, name))
    return findings


def _unmarked_in(text: str, owner: etree._Element, before: etree._Element, lines: SourceLines, name: str) -> list[Finding]:
    """A finding for the first Cyrillic run of `text` (owned by `owner`, written after the
    start of `before`) if the owner's language is not written in Cyrillic."""
    phrase = _CYRILLIC_PHRASE.search(text)
    if phrase is None:
        return []
    holder = _language_holder(owner)
    language = holder.get(XML_LANG) if holder is not None else None
    if language is not None and written_in_cyrillic(language):
        return []
    shown = " ".join(phrase.group().split())
    first_word = phrase.group().split()[0]
    line, column = lines.text_position(before.sourceline or 1, first_word) or (
        owner.sourceline or 1, lines.column_of_element(owner) or 1)
    where = (f'whose language is "{language.strip()}" (xml:lang on <{etree.QName(holder).localname}>, line {holder.sourceline})'
             if holder is not None else "that has no xml:lang")
    return [Finding(name, line, column, "warning",
        f"Cyrillic text “{shown if len(shown) <= 40 else shown[:39] + '…'}” in a passage {where}: mark it <foreign xml:lang=\"ru\">…</foreign> "
        "(or the language it is in), so that the reading editions give its language to screen readers")]

