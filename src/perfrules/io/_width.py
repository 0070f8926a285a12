"""Display width of text in a terminal: CJK characters take two columns."""

from __future__ import annotations

import unicodedata


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
