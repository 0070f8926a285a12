"""Terminal output with Chinese lines up on the page.

perfrules pads its text reports by display width: a Chinese character takes two
columns, every other character one. A CJK monospace font (docs/_static/cjk.css) draws
Chinese exactly two Latin characters wide, but draws some one-column characters wide
too (≥ ≤ — ✓ …, which CJK fonts hold as full-width glyphs). In the code blocks of the
built pages each such character is wrapped in ``<span class="col1">``, one column
(``1ch``) wide, so that every column starts where the terminal would start it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

#: a code block's text in the HTML (Pygments' highlight divs)
_BLOCK = re.compile(r'(<div class="highlight-(?:console|text|default|none)[^"]*"[^>]*>'
                    r'<div class="highlight"><pre>)(.*?)(</pre>)', re.S)
_ENTITY = re.compile(r"(&[#\w]+;|<[^>]*>)")


def one_column(ch: str) -> bool:
    """A character a terminal shows one column wide that a CJK font may draw wider."""
    return (ord(ch) > 0x7F and not unicodedata.combining(ch)
            and unicodedata.east_asian_width(ch) not in ("W", "F"))


def mark(text: str) -> str:
    """``text`` (HTML) with its one-column non-ASCII characters held to one column."""
    parts = _ENTITY.split(text)
    for i in range(0, len(parts), 2):  # text between tags and entities
        parts[i] = "".join(f'<span class="col1">{ch}</span>' if one_column(ch) else ch
                           for ch in parts[i])
    return "".join(parts)


def _page(app: Any, pagename: str, templatename: str, context: dict[str, Any],
          doctree: Any) -> None:
    body = context.get("body")
    if isinstance(body, str):
        context["body"] = _BLOCK.sub(lambda m: m.group(1) + mark(m.group(2)) + m.group(3), body)


def setup(app: Any) -> dict[str, Any]:
    app.connect("html-page-context", _page)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
