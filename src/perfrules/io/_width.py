"""Text for people and for other programs to open safely.

Display width in a terminal (CJK characters take two columns), and the
escaping every output applies to text that came from an input file: names,
titles, cells, file names. Numbers perfrules computes need none of it.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from typing import Any, Optional

__all__ = ["clean", "csv_field", "markdown", "number", "pad", "spreadsheet", "terminal", "width"]


def width(text: str) -> int:
    total = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        total += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return total


def pad(text: str, columns: int, align: str = "<") -> str:
    gap = max(columns - width(text), 0)
    return text + " " * gap if align == "<" else " " * gap + text


_SURROGATE = re.compile("[\ud800-\udfff]")


def clean(text: Any) -> str:
    """Text that any UTF-8 encoder accepts.

    A file name that is not UTF-8 (common after unpacking a GBK zip) reaches
    Python with its bytes as lone surrogates (``surrogateescape``), and JSON
    may carry a lone surrogate; each becomes U+FFFD instead of crashing the
    writer.
    """
    text = "" if text is None else str(text)
    return _SURROGATE.sub("\ufffd", text)


# Control characters (C0, DEL, C1), line and paragraph separators, and the
# invisible format characters that reorder or hide text: the Arabic letter
# mark, bidi marks, embeddings, overrides and isolates, the deprecated format
# characters U+206A–206F, and tag characters (U+E0000–E007F).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u2028\u2029\u200b-\u200f\u202a-\u202e"
                     "\u2060-\u206f\ufeff\U000e0000-\U000e007f]")


def _visible(match: re.Match[str]) -> str:
    ch = match.group()
    code = ord(ch)
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(
        ch, f"\\U{code:08x}" if code > 0xFFFF else f"\\u{code:04x}" if code > 0xFF
        else f"\\x{code:02x}")


def terminal(text: Any) -> str:
    """One line of inert text for a terminal: control characters shown as escapes.

    An ESC sequence, a carriage return or a newline inside a name can then
    neither recolour the terminal nor forge a line of the report.
    """
    return _UNSAFE.sub(_visible, clean(text))


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_MD_LINE_START = re.compile(r"^(\s*)([#>]|[+-](?=\s)|\d+[.)](?=\s))")
# What could open an HTML tag, comment or autolink, or spell an entity; a
# comparison such as "99.64% < 100%" stays as it is.
_HTML_LIKE = re.compile(r"<(?=[A-Za-z/!?])|&(?=#?\w+;)")


def _entity(match: re.Match[str]) -> str:
    return "&lt;" if match.group() == "<" else "&amp;"


def markdown(text: Any, *, line: bool = False) -> str:
    """Text shown literally in Markdown (a table cell included): no markup, no HTML.

    Emphasis, code, links, table pipes and strike-through are backslash-escaped
    everywhere; a ``<`` that could open a tag and an ``&`` that could spell an
    entity become entities; control characters are shown as escapes (one
    line). With ``line``, for text that starts a line, a heading, quote or list
    marker at its start is escaped too.
    """
    out = _MD_SPECIAL.sub(r"\\\1", _HTML_LIKE.sub(_entity, terminal(text)))
    if line:
        out = _MD_LINE_START.sub(r"\1\\\2", out)
    return out


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_field(text: Any) -> str:
    """A CSV field no spreadsheet runs as a formula (OWASP CSV injection guidance).

    A field that starts with ``= + - @``, a tab or a carriage return gets a
    leading apostrophe, which Excel and WPS show as text.
    """
    value = clean(text)
    return "'" + value if value.startswith(_FORMULA_START) else value


_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def spreadsheet(text: Any) -> str:
    """Text an .xlsx cell or comment can hold (XML forbids most control characters)."""
    return _ILLEGAL_XML.sub("\ufffd", clean(text))


def number(value: Optional[Decimal]) -> str:
    """A decimal as people write it (``100``, ``4.5``), whatever its size.

    Independent of the decimal context, so it never raises; beyond 40 digits
    either side of the point it is shown in scientific notation, not spelt out.
    """
    if value is None:
        return ""
    if not value.is_finite():
        return str(value)
    if value.is_zero():
        return "0"
    if abs(value.adjusted()) > 40:
        return str(value)
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
