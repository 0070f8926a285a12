"""Parse the cells of real forms: numbers, percentages, natures, units.

Everything here is exact: numbers become :class:`decimal.Decimal` from their
text (floats through their shortest ``repr``), never through binary floating
point arithmetic.
"""

from __future__ import annotations

import decimal
import functools
import re
import unicodedata
from decimal import Decimal
from typing import Optional

__all__ = [
    "CONTEXT",
    "NATURES",
    "NumberError",
    "fold",
    "fold_word",
    "parse_nature",
    "parse_number",
    "plain",
    "quantize",
    "split_nature",
    "to_decimal",
]

#: The arithmetic context of all scoring. Fixed, so that a caller who changes
#: the thread's decimal context can never change a score.
CONTEXT = decimal.Context(
    prec=28,
    rounding=decimal.ROUND_HALF_EVEN,
    Emin=-999999,
    Emax=999999,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)

#: Canonical natures and the words real forms write for them (after folding).
NATURES: dict[str, tuple[str, ...]] = {
    "≥": ("≥", ">=", "≧", "=>", "不低于", "不少于", "不小于", "大于等于", "大于或等于", "以上"),
    ">": (">", "大于", "高于", "多于", "超过"),
    "≤": ("≤", "<=", "≦", "=<", "不高于", "不超过", "不多于", "不大于", "小于等于", "小于或等于",
          "以下", "以内"),
    "<": ("<", "小于", "低于", "少于"),
    "=": ("=", "==", "等于"),
    "定性": ("定性", "定性指标"),
}

_WORD_TO_NATURE: dict[str, str] = {
    word: nature for nature, words in NATURES.items() for word in words
}
# Longest first, so that ">=" wins over ">" and "不低于" over nothing shorter.
_PREFIXES = sorted(
    (w for w in _WORD_TO_NATURE if w not in ("以上", "以下", "以内", "定性指标", "定性")),
    key=len,
    reverse=True,
)

_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(
    r"""^(?P<sign>[+-]?)
        (?P<int>\d{1,3}(?:,\d{3})+|\d+)
        (?P<frac>\.\d+)?
        (?P<unit>.*)$""",
    re.VERBOSE,
)
_UNIT_OK = re.compile(r"^[^\d.,+\-]*$")


class NumberError(ValueError):
    """A cell that is not a number; ``reason`` says why and what is valid."""

    def __init__(self, text: str, reason: str) -> None:
        self.text = text
        self.reason = reason
        super().__init__(f"{text!r} is not a number: {reason}")


def fold(text: str) -> str:
    """Fold full-width forms to ASCII (NFKC) and trim; keep inner spaces single."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def fold_word(text: str) -> str:
    """Fold a word for whole-word matching: NFKC, no spaces at all."""
    # Most words are folded already; saying so is much cheaper than folding.
    if (" " not in text and "\n" not in text and "\t" not in text and "\u3000" not in text
            and "\r" not in text and unicodedata.is_normalized("NFKC", text)):
        return text
    return _fold_word(text)


@functools.lru_cache(maxsize=8192)
def _fold_word(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def to_decimal(value: object) -> Decimal:
    """An exact, finite Decimal from a Decimal, int, float (by repr) or numeric text.

    Raises :class:`NumberError` for anything else: bools, NaN, Infinity, text
    with a unit (use :func:`parse_number` for cells).
    """
    number, unit = parse_number(value)
    if unit:
        raise NumberError(str(value), f"unexpected unit {unit!r}; write the number alone")
    return number


def parse_number(value: object) -> tuple[Decimal, Optional[str]]:
    """Parse a cell into ``(number, unit)``.

    Accepts full-width digits, thousands separators (``5,956.7``), a unit
    glued to the number (``6000万元``, ``95%``; returned as the unit) and a
    leading sign. The unit is ``None`` when the cell has none.
    """
    if isinstance(value, bool):
        raise NumberError(str(value), "a yes/no value is not a number")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise NumberError(str(value), "NaN and Infinity are not valid numbers")
        return value, None
    if isinstance(value, int):
        return Decimal(value), None
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise NumberError(repr(value), "NaN and Infinity are not valid numbers")
        # The shortest repr round-trips: 794.8 stays 794.8, not 794.7999…
        return Decimal(repr(value)), None
    if not isinstance(value, str):
        raise NumberError(repr(value), f"expected a number or text, got {type(value).__name__}")
    text = fold(value)
    if not text:
        raise NumberError(value, "the cell is empty")
    match = _NUMBER.match(text.replace(" ", ""))
    if match is None:
        if text.lower().lstrip("+-") in ("nan", "inf", "infinity", "snan"):
            raise NumberError(value, "NaN and Infinity are not valid numbers")
        raise NumberError(value, "expected digits such as 95, 95%, 5,956.7 or 6000万元")
    unit = match.group("unit").strip()
    if unit and not _UNIT_OK.match(unit):
        raise NumberError(value, f"unexpected text {unit!r} after the number")
    digits = match.group("sign") + match.group("int").replace(",", "") + (match.group("frac") or "")
    return Decimal(digits), (unit or None)


def parse_nature(text: Optional[str]) -> Optional[str]:
    """The canonical nature (``≥ > ≤ < = 定性``) a cell writes, or ``None`` if empty.

    Raises :class:`KeyError` for a word that is not a nature.
    """
    if text is None:
        return None
    word = fold_word(text)
    if not word:
        return None
    return _WORD_TO_NATURE[word]


def split_nature(text: str) -> tuple[Optional[str], str]:
    """Split a nature written inside a target: ``"≥95%" -> ("≥", "95%")``.

    Returns ``(None, text)`` when the text does not start with a nature.
    """
    folded = fold(text)
    for word in _PREFIXES:
        if folded.startswith(word):
            rest = folded[len(word):].strip()
            if rest and (rest[0].isdigit() or rest[0] in "+-."):
                return _WORD_TO_NATURE[word], rest
    return None, text


def plain(value: Decimal) -> str:
    """A decimal as people write it: ``100`` (not ``1E+2``), ``4.5`` (not ``4.50``)."""
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


def quantize(value: Decimal, places: int, rounding: str) -> Decimal:
    """Round to ``places`` decimals with the named rounding mode, exactly."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=rounding, context=CONTEXT)

