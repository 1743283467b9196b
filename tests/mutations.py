"""Seeded random edits of a TEI document, for tests that the toolchain answers any input
with located findings: an attribute's value changed or dropped, a text changed, an element
removed, unwrapped or repeated. The edits keep the XML well-formed; many leave it invalid,
some valid (those reach the stylesheets). The same seed gives the same edits."""
from __future__ import annotations

import copy
import random

XML_NS = "{http://www.w3.org/XML/1998/namespace}"

# Values an editor might type, or mistype, in an attribute: pointers that resolve or not,
# dates of every lexical form (and none), numbers in odd forms, links of every scheme,
# characters that HTML, XML and the line wrapping treat specially.
ATTRIBUTE_VALUES = (
    "", " ", "0", "-1", "1", "99999", " 213 ", "0213", "abc", "#", "#nonexistent", "#pers-lenin #pers-zetkin",
    "#p213", "1922", "1922-13-01", "1922-02-30", "--11-28", "2026-11-29T10:00:00Z", "high", "unknown", "en",
    "zz-Latn", "javascript:alert(1)", "http://example.org/a b", "https://example.org/", "mailto:x@example.org",
    "&", "<", '"', "'", "\u202e", "\u200b", "\u2028", "𝔘", "a\u0301", "1e3", "NaN", "52.23 21.01", "91 181",
    "x" * 300,
)
TEXTS = (
    "", " ", "[", "]", "[…]", "…", '"', "“", "’", " - ", "—", "\u00a0", "\u200b", "\u202e", "\u2028", "p. 213",
    "N 24", "V. I. Lenin", "x" * 200, "<&>", "]]>", "1. 2. 3.", "  double  space ", "\t", "ёжик", "𝔘𝔫𝔦",
)
ATTRIBUTE_NAMES = ("n", "when", "ref", "target", XML_NS + "id", "cert", "ana", "type", XML_NS + "lang", "place", "resp")
EDITS = ("set-attribute", "set-attribute", "drop-attribute", "text", "tail", "remove", "unwrap", "repeat")


def mutated(tree, seed: int, edits: int = 2):
    """A copy of `tree` with `edits` random edits."""
    rng = random.Random(seed)
    copied = copy.deepcopy(tree)
    for _ in range(edits):
        _edit(copied.getroot(), rng)
    return copied


def _edit(root, rng: random.Random) -> None:
    elements = [e for e in root.iter() if isinstance(e.tag, str)]
    element = rng.choice(elements)
    edit = rng.choice(EDITS)
    if edit == "set-attribute":
        name = rng.choice(sorted(element.attrib)) if element.attrib and rng.random() < 0.8 else rng.choice(ATTRIBUTE_NAMES)
        element.set(name, rng.choice(ATTRIBUTE_VALUES))
    elif edit == "drop-attribute" and element.attrib:
        del element.attrib[rng.choice(sorted(element.attrib))]
    elif edit == "text":
        kept = (element.text or "")[: rng.randint(0, len(element.text or ""))]
        element.text = kept + rng.choice(TEXTS)
    elif edit == "tail" and element is not root:
        element.tail = rng.choice(TEXTS) + (element.tail or "")
    elif element is not root and edit == "remove":
        _remove(element, keep_content=False)
    elif element is not root and edit == "unwrap":
        _remove(element, keep_content=True)
    elif element is not root and edit == "repeat":
        element.addnext(copy.deepcopy(element))


def _remove(element, keep_content: bool) -> None:
    """Take an element out; its tail (and, unwrapping, its text and children) stay in place."""
    parent = element.getparent()
    at = parent.index(element)
    children = list(element) if keep_content else []
    text = (element.text or "") if keep_content else ""
    _append_text(parent, at, text)
    parent.remove(element)
    for offset, child in enumerate(children):
        parent.insert(at + offset, child)
    if children:
        children[-1].tail = (children[-1].tail or "") + (element.tail or "")
    else:
        _append_text(parent, at, element.tail or "")


def _append_text(parent, at: int, text: str) -> None:
    """Add text after the child before position `at` (or at the parent's start)."""
    if at > 0:
        before = parent[at - 1]
        before.tail = (before.tail or "") + text
    else:
        parent.text = (parent.text or "") + text
