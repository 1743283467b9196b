"""The two readings of an edited text, and the words they are compared by.

The *source reading* is the text as the source has it: `sic` and `orig` kept, the
editors' `corr`, `reg`, `supplied` text, notes and supplied title left out. The *reading text* is what
a reader of the edition reads: `corr` and `reg` instead of `sic` and `orig`. Tests
compare the source's words with the first, and every output with the second.

Written apart from the stylesheets, in Python, so that the tests' expectations do not come
from the code they test; the package itself never uses it (hence here, not in tei_tools/).
"""
from __future__ import annotations

import re
from typing import Iterable

TEI = "http://www.tei-c.org/ns/1.0"
NS = {"tei": TEI}

_SOURCE_SKIP = {"corr", "reg", "supplied"}
_READING_SKIP = {"sic", "orig"}
_WORD = re.compile(r"\w+", re.UNICODE)
_TOKEN = re.compile(r"\w+|[^\w\s]", re.UNICODE)


def _local(tag) -> str:
    return tag.split("}", 1)[-1] if isinstance(tag, str) else ""


def is_editorial(element) -> bool:
    local = _local(element.tag)
    if local == "note" and element.get("type") == "editorial":
        return True
    return local == "head" and element.get("type") == "supplied"


def _text(element, skip: set[str], keep_notes: bool) -> Iterable[str]:
    if element.text:
        yield element.text
    for child in element:
        local = _local(child.tag)
        if local == "lb" and child.get("break") != "no":
            yield " "  # a line break of the source parts words, unless it falls inside one
        excluded = (
            local in skip
            or is_editorial(child)
            or (local == "note" and not keep_notes)
            or not isinstance(child.tag, str)  # comments, processing instructions
        )
        if not excluded:
            yield from _text(child, skip, keep_notes)
        if child.tail:
            yield child.tail


def source_reading(element, *, keep_notes: bool = False) -> str:
    """The text of `element` as the source has it (author's notes only if asked)."""
    return "".join(_text(element, _SOURCE_SKIP, keep_notes))


def reading_text(element, *, keep_notes: bool = False) -> str:
    """The text of `element` as the edition reads, corrections applied."""
    return "".join(_text(element, _READING_SKIP, keep_notes))


def author_notes(tree) -> list:
    """The author's footnotes in document order, continuations included."""
    return tree.xpath(
        "//tei:text//tei:note[@place='foot'][not(@type='editorial')]", namespaces=NS
    )


def words(text: str) -> list[str]:
    """The words of a text: runs of letters and digits, compared case-sensitively."""
    return _WORD.findall(text)


def tokens(text: str) -> list[str]:
    """The words and the punctuation marks of a text, each mark a token of its own.

    Compared with the source, they show a lost comma as well as a lost word; the spacing
    around marks, which the editors normalise (header, `normalization`), does not count.
    """
    return _TOKEN.findall(text)
