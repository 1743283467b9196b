"""The plain-text reading edition: `dist/<stem>.txt`, made by `xslt/text.xsl`.

The stylesheet does the layout (title block, markers, notes, corrections, index, lines of
at most 72 characters); this module only fixes the file's form, whatever the platform:
UTF-8 in Unicode NFC, LF line ends and exactly one final newline.
"""
from __future__ import annotations

import unicodedata

STYLESHEET = "text.xsl"
LINE_WIDTH = 72  # the stylesheet's txt:width; tests check every line against it
_SEPARATORS = ("\u2028", "\u2029")


def render(document) -> dict[str, bytes]:
    """{"<stem>.txt": bytes} for one validated SourceDocument (tei_tools.transform)."""
    result = document.transform(STYLESHEET)
    return {f"{document.stem}.txt": as_plain_text(result.output)}


def as_plain_text(text: str) -> bytes:
    """`text` as the file's bytes: NFC, LF line ends, one final newline."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Unicode's line and paragraph separators would be line ends to some readers and not
    # to others: the stylesheet has made the lines already, so they read as spaces.
    # (str.replace, not str.translate: a translation table costs a lookup per character,
    # 1.5 ms for the article.)
    for separator in _SEPARATORS:
        text = text.replace(separator, " ")
    text = unicodedata.normalize("NFC", text)
    return (text.rstrip("\n") + "\n").encode("utf-8")
