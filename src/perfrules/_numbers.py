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

from .exceptions import PerfrulesError

__all__ = [
    "CONTEXT",
    "DIRECTIONS",
    "MAX_DIGITS",
    "MAX_EXPONENT",
    "NATURES",
    "PLACEHOLDERS",
    "NotANumberError",
    "NumberError",
    "NumberRangeError",
    "fold_number",
    "fold_word",
    "is_placeholder",
    "parse_nature",
    "parse_number",
    "percent_of",
    "plain",
    "raw_points",
    "read_nature",
    "split_nature",
    "to_decimal",
    "within_range",
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
#: A nature word as a cell writes it -> its canonical nature (``不低于`` -> ``≥``).
WORD_TO_NATURE = _WORD_TO_NATURE
# Longest first, so that ">=" wins over ">" and "不低于" over nothing shorter.
_PREFIXES = sorted(
    (w for w in _WORD_TO_NATURE if w not in ("以上", "以下", "以内", "定性指标", "定性")),
    key=len,
    reverse=True,
)

#: Natures written after the number: ``95%以上``, ``10个工作日以内``.
_SUFFIXES = ("以上", "以下", "以内")
_DIGIT_START = frozenset("0123456789+-.")

#: What a 指标性质 column says when the operator is in the target: a direction
#: (正向 higher is better, 反向 lower is better) or only that the line is 定量.
#: The canonical nature a direction stands for when the target has no operator;
#: ``None`` for 定量 (the engine decides: the ruleset's ``unstated_nature``).
DIRECTIONS: dict[str, Optional[str]] = {
    "正向": "≥", "正向指标": "≥", "反向": "≤", "反向指标": "≤", "定量": None, "定量指标": None,
}
#: The operators each direction agrees with.
_AGREES: dict[str, frozenset[str]] = {
    "正向": frozenset({"≥", ">", "="}), "正向指标": frozenset({"≥", ">", "="}),
    "反向": frozenset({"≤", "<", "="}), "反向指标": frozenset({"≤", "<", "="}),
    "定量": frozenset({"≥", ">", "≤", "<", "="}), "定量指标": frozenset({"≥", ">", "≤", "<", "="}),
}

#: Cell texts that mean "nothing here" (after folding width and spaces, lower case).
#: A cell made only of dashes, slashes or ellipses is one too (``——``, ``/``, ``……``).
PLACEHOLDERS = frozenset({"无", "n/a", "na", "暂无", "空"})
_FILLER = frozenset("-—–―‐‑‒−─━/\\／－…⋯·.。、_")

_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(
    r"""^(?P<sign>[+-]?)
        (?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)
        (?P<frac>\.[0-9]+)?
        (?P<unit>.*)$""",
    re.VERBOSE | re.DOTALL,
)
_PLAIN = PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?\Z")
_UNIT_OK = re.compile(r"^[^0-9.,+\-]*$")
#: plain text no longer than this is within range whatever its digits (18 + sign and point)
_SHORT = SHORT_NUMBER = 20
_NOT_NUMBERS = frozenset({"nan", "snan", "qnan", "inf", "infinity", "+inf", "-inf", "+infinity",
                          "-infinity", "+nan", "-nan"})
_NAN_REASON = "NaN or Infinity is not a number; write the value itself"


class NumberError(PerfrulesError, ValueError):
    """A cell that is not a number; ``reason`` says why and what is valid."""

    def __init__(self, text: str, reason: str) -> None:
        self.text = text
        self.reason = reason
        super().__init__(f"{text!r} is not a number: {reason}")


class NotANumberError(NumberError):
    """A cell that spells something no form may hold as a value: NaN, Infinity, ``8²``.

    Unlike other text, such a cell is never read as words (a 定性 target).
    """


class NumberRangeError(NotANumberError):
    """A number beyond what a form can hold: too many digits, or too large or small a
    power of ten (``1e999999999``). Refused where it is read, before anything uses it."""


#: Significant digits a number of a form may have (a 40-digit amount is far beyond any
#: budget; 50 leaves room for a number pasted with all its digits).
MAX_DIGITS = 50
#: The largest power of ten, either way, of a number of a form: 1E+50 is read, 1E+51 refused.
MAX_EXPONENT = 50
_INT_BOUND = 10**MAX_DIGITS


#: The context of a line's raw points (weight × numerator / denominator): wide enough that
#: the product of two numbers of a form is exact, and its one rounding of the quotient is
#: to odd (ROUND_05UP), so that the ruleset's rounding to places after it is exact — never a
#: double rounding (0.0049…9 with 30 nines became 0.005 at 28 digits, then 0.01).
WIDE = decimal.Context(
    prec=2 * MAX_DIGITS + 20,
    rounding=decimal.ROUND_05UP,
    Emin=-999999,
    Emax=999999,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)


def raw_points(weight: Decimal, numerator: Decimal, denominator: Decimal) -> Decimal:
    """``weight × numerator / denominator``, exact enough for any rounding to places after it.

    The product is exact for any numbers a form holds (:data:`MAX_DIGITS` each); the
    quotient is rounded once, to odd, at 120 digits, which no rounding to at most 10
    places can mistake for a half.
    """
    return WIDE.divide(WIDE.multiply(weight, numerator), denominator)


def within_range(value: Decimal, text: Optional[str] = None) -> Decimal:
    """``value`` if a form can hold it; else :class:`NumberRangeError` naming the limit.

    Bounds: at most :data:`MAX_DIGITS` significant digits and a power of ten from
    -:data:`MAX_EXPONENT` to :data:`MAX_EXPONENT`, so that every number read can be
    computed with exactly, shown, rounded and written (a ``1e999999999`` would spell a
    billion digits in a report).
    """
    adjusted = value.adjusted()
    if -MAX_EXPONENT <= adjusted <= MAX_EXPONENT:
        digits = len(value.as_tuple().digits)
        if digits <= MAX_DIGITS:
            return value
        reason = (f"the number has {digits} significant digits; a form's numbers have at most "
                  f"{MAX_DIGITS} (the limit max_digits)")
    else:
        reason = (f"the number is of the order of 10^{adjusted}; a form's numbers lie between "
                  f"10^-{MAX_EXPONENT} and 10^{MAX_EXPONENT} (the limit max_exponent)")
    shown = text if text is not None else str(value)
    raise NumberRangeError(shown if len(shown) <= 40 else shown[:20] + "…" + shown[-12:], reason)


def fold_word(text: str) -> str:
    """Fold a word for whole-word matching: NFKC, no spaces at all."""
    # Most words are folded already; saying so is much cheaper than folding.
    if (" " not in text and "\n" not in text and "\t" not in text and "\u3000" not in text
            and "\r" not in text and unicodedata.is_normalized("NFKC", text)):
        return text
    return _fold_word(text)


@functools.lru_cache(maxsize=8192)
def _fold_word(text: str) -> str:
    if len(text) > MAX_FOLD_CHARS:  # no word it could match is that long; NFKC is quadratic
        return _SPACE.sub("", text)  # on runs of combining marks, so it is not applied
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


#: Text longer than this is never folded by NFKC (the readers refuse such cells before,
#: by the budget ``max_cell_chars``).
MAX_FOLD_CHARS = 10_000


def fold_number(text: str) -> str:
    """Fold a number cell: full-width digits and signs to ASCII, spaces single, trimmed.

    Unlike NFKC, superscripts, subscripts, fractions, circled and squared
    forms stay as they are: ``8²`` must not read as ``82``, nor ``①`` as ``1``,
    and ``㎡`` stays a unit.
    """
    if text.isascii():
        return _SPACE.sub(" ", text).strip()
    return _fold_number(text)


@functools.lru_cache(maxsize=8192)
def _fold_number(text: str) -> str:
    out = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
            continue
        folded = unicodedata.normalize("NFKC", ch)
        if (folded != ch and unicodedata.decimal(ch, None) is None
                and any("0" <= c <= "9" for c in folded)):
            out.append(ch)  # ² ½ ① ㎡ ⒈: a digit only by compatibility
        else:
            out.append(folded)
    return _SPACE.sub(" ", "".join(out)).strip()


def is_placeholder(value: object) -> bool:
    """Whether a cell holds a template placeholder that means empty.

    ``—``, ``——``, ``-``, ``/``, ``／``, ``……``, ``无``, ``N/A`` (any width).
    ``不适用`` is not one: it says the line does not apply.
    """
    if value.__class__ is not str or not value:
        return False
    assert isinstance(value, str)
    if "0" <= value[0] <= "9" or (len(value) > 12 and value.strip()[:1] not in _FILLER):
        return False  # most cells: numbers and words, never a placeholder
    word = fold_word(value)
    if not word:
        return False
    return word.lower() in PLACEHOLDERS or all(c in _FILLER for c in word)


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
            raise NotANumberError(str(value), _NAN_REASON)
        return within_range(value), None
    if isinstance(value, int):
        if -_INT_BOUND < value < _INT_BOUND:
            return Decimal(value), None
        return within_range(Decimal(value)), None
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise NotANumberError(repr(value), _NAN_REASON)
        # The shortest repr round-trips: 794.8 stays 794.8, not 794.7999…
        return within_range(Decimal(repr(value))), None
    if not isinstance(value, str):
        raise NumberError(repr(value), f"expected a number or text, got {type(value).__name__}")
    if _PLAIN.match(value):
        if len(value) <= _SHORT:
            return Decimal(value), None  # most cells: 95, 4.5, -3
        return within_range(Decimal(value), value), None
    text = fold_number(value)
    if not text:
        raise NumberError(value, "the cell is empty")
    match = _NUMBER.match(text.replace(" ", ""))
    if match is None:
        if text.lower().replace(" ", "") in _NOT_NUMBERS:
            raise NotANumberError(value, _NAN_REASON)
        raise NumberError(value, "expected digits such as 95, 95%, 5,956.7 or 6000万元")
    unit = match.group("unit").strip()
    if unit and unicodedata.category(unit[0]) in ("No", "Nd"):
        raise NotANumberError(value, f"not a number: {unit[0]!r} is a superscript, fraction or other "
                          "special digit; write the value in plain digits")
    if unit and (not _UNIT_OK.match(unit) or any(c.isdigit() for c in unit)):
        raise NumberError(value, f"unexpected text {unit!r} after the number")
    digits = match.group("sign") + match.group("int").replace(",", "") + (match.group("frac") or "")
    return within_range(Decimal(digits), value), (unit or None)


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

    Also a leading ``=`` (``"=100%"``) and a nature written after the number
    (``"95%以上" -> ("≥", "95%")``, ``"10个工作日以内" -> ("≤", "10个工作日")``).
    Returns ``(None, text)`` when the text has no nature next to a number.
    """
    if "0" <= text[:1] <= "9" and text[-1] not in "上下内":
        return None, text  # most targets: 95, 100%, 12次
    folded = fold_number(text)
    if not folded:
        return None, text
    if folded[0] not in _DIGIT_START:
        for word in _PREFIXES:
            if folded.startswith(word):
                rest = folded[len(word):].strip()
                if rest and (rest[0] in _DIGIT_START):
                    return _WORD_TO_NATURE[word], rest
        return None, text
    for word in _SUFFIXES:
        if folded.endswith(word):
            rest = folded[:-len(word)].strip()
            if rest:
                return _WORD_TO_NATURE[word], rest
    return None, text


def read_nature(column: Optional[str], target_op: Optional[str]) -> tuple[Optional[str], bool]:
    """The nature of a line from its 指标性质 cell and the operator in its target.

    ``column`` is the 指标性质 cell's text (``≥``, ``定性``, ``正向``, ``定量指标`` …, or
    ``None``), ``target_op`` the operator :func:`split_nature` found in the target.
    Returns ``(nature, agree)``: ``agree`` is false when both say something and
    they contradict each other (``≤`` and ``≥90%``, ``反向`` and ``≥90%``).
    ``nature`` is ``None`` when neither cell states one; a column word that is
    no nature is returned as written, for the engine to name.
    """
    if not column:
        return target_op, True
    known = _WORD_TO_NATURE.get(column)
    if known is not None and (target_op is None or target_op == known):
        return known, True  # most lines: ≥, ≤, =, 定性 alone or agreeing
    word = fold_word(column)
    if not word or is_placeholder(word):
        return target_op, True
    if word in DIRECTIONS:
        if target_op is None:
            return DIRECTIONS[word], True
        return target_op, target_op in _AGREES[word]
    nature = _WORD_TO_NATURE.get(word)
    if nature is None:
        return column.strip() if column else None, True
    if target_op is None or target_op == nature:
        return nature, True
    same = {"≥": ">", ">": "≥", "≤": "<", "<": "≤"}
    return nature, same.get(nature) == target_op


def percent_of(fraction: Decimal) -> Decimal:
    """``fraction`` × 100, exactly (Excel stores 99.35% as 0.9935): a shift, no rounding."""
    sign, digits, exponent = fraction.as_tuple()
    if not isinstance(exponent, int):
        return fraction
    return Decimal((sign, digits, exponent + 2))


def plain(value: Decimal) -> str:
    """A decimal as people write it: ``100`` (not ``1E+2``), ``4.5`` (not ``4.50``).

    Exact for any number of digits, whatever the thread's decimal context.
    """
    if not value.is_finite():
        return str(value)
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
