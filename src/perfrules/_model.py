"""The value types of a form: :class:`Indicator`, :class:`Group`, :class:`Form`.

All are frozen attrs classes with keyword-only arguments. Loading is lenient
where auditing needs it to be: a cell that cannot be parsed does not stop the
load; it becomes a :class:`~perfrules.exceptions.Problem` on its indicator,
which :func:`perfrules.score` reports (together with every other problem of
the form) and :func:`perfrules.audit` turns into a finding.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Optional, Union

import attrs

from ._numbers import (
    PLAIN_NUMBER,
    SHORT_NUMBER,
    WORD_TO_NATURE,
    NotANumberError,
    NumberError,
    NumberRangeError,
    is_placeholder,
    parse_number,
    read_nature,
    split_nature,
    to_decimal,
)
from .exceptions import FormError, Problem

__all__ = ["Form", "Group", "Indicator", "SkippedRow", "Value"]

#: A target or actual: a number, or text (a 定性 target, a tier word, 不适用).
Value = Union[Decimal, str, None]


def _opt_decimal(value: object) -> Optional[Decimal]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return to_decimal(value)


def _value(value: object) -> Value:
    if value is None or isinstance(value, (Decimal, str)):
        return value
    return to_decimal(value)


def _tuple_of_str(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def _str(value: object) -> str:
    return "" if value is None else str(value)


def _stripped(value: object) -> str:
    return _str(value).strip()


def _problems(value: Iterable[Problem]) -> tuple[Problem, ...]:
    return tuple(value)


def _indicators(value: Iterable[Indicator]) -> tuple[Indicator, ...]:
    return tuple(value)


def _groups(value: Iterable[Group]) -> tuple[Group, ...]:
    return tuple(value)


def _cells(value: Union[Mapping[str, str], Iterable[tuple[str, str]]]) -> tuple[tuple[str, str], ...]:
    items = value.items() if isinstance(value, Mapping) else value
    return tuple(sorted((str(k), str(v)) for k, v in items))


def _where(cells: tuple[tuple[str, str], ...], source: Optional[str], field: Optional[str],
           sep: str) -> Optional[str]:
    """The cell a field was read from; else the source with the field named."""
    if field is not None:
        for name, place in cells:
            if name == field:
                return place
        if source is not None:
            return f"{source}{sep}{field}"
    return source


@attrs.frozen(kw_only=True)
class Indicator:
    """One line of the indicator table (三级指标).

    ``target`` and ``actual`` are numbers (:class:`~decimal.Decimal`) or text
    (a 定性 target such as 良好, a tier word such as 全部完成). Percentages are
    held in percent: ``95%`` is ``Decimal("95")`` with ``unit="%"``.
    """

    name: str = attrs.field(validator=attrs.validators.instance_of(str))
    weight: Optional[Decimal] = attrs.field(default=None, converter=_opt_decimal)
    nature: Optional[str] = attrs.field(default=None)
    target: Value = attrs.field(default=None, converter=_value)
    actual: Value = attrs.field(default=None, converter=_value)
    unit: str = attrs.field(default="", converter=_stripped)
    path: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_str)
    rule: Optional[str] = None
    applicable: bool = attrs.field(default=True, validator=attrs.validators.instance_of(bool))
    reported_score: Optional[Decimal] = attrs.field(default=None, converter=_opt_decimal)
    judged_score: Optional[Decimal] = attrs.field(default=None, converter=_opt_decimal)
    budget: Optional[Decimal] = attrs.field(default=None, converter=_opt_decimal)
    executed: Optional[Decimal] = attrs.field(default=None, converter=_opt_decimal)
    note: str = attrs.field(default="", converter=_str)
    #: Where the row came from: ``"form.json: indicators[3]"``, ``"自评表!A14"``.
    source: Optional[str] = None
    #: Where each field came from, when it differs from ``source``: (field, place) pairs.
    cells: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_cells)
    #: Problems found while reading the row's cells (reported by score and audit).
    problems: tuple[Problem, ...] = attrs.field(default=(), converter=_problems)

    def where(self, field: Optional[str] = None) -> Optional[str]:
        """The place a field was read from, as precise as the reader knew it."""
        return _where(self.cells, self.source, field, ".")

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        *,
        source: Optional[str] = None,
        cells: Optional[Mapping[str, str]] = None,
    ) -> Indicator:
        """Build an indicator from canonical fields as real forms write them.

        ``cells`` maps fields to the places they were read from (``自评表!F14``).
        Cells are parsed as in :func:`perfrules.load`; a cell that cannot be
        parsed is recorded in :attr:`problems` instead of raising, so that a
        whole form can be checked at once. Unknown keys raise
        :class:`~perfrules.exceptions.FormError`.
        """
        if cls is Indicator and data.__class__ is dict:
            fast = _fast_indicator(data, source, cells)
            if fast is not None:
                return fast
        problems = _check_keys(data, _INDICATOR_KEYS, source, data.get("name"))
        fields, more = _parse_indicator(data, source, cells or {})
        problems.extend(more)
        if problems and "name" not in fields:
            raise FormError(problems, source)
        return cls(**fields, source=source, cells=cells or (), problems=tuple(problems))

    def to_dict(self) -> dict[str, Any]:
        """The canonical form of this indicator (JSON-ready: decimals as strings)."""
        out: dict[str, Any] = {"name": self.name}
        if self.path:
            out["path"] = list(self.path)
        for key in ("unit", "nature", "target", "weight", "actual", "reported_score",
                    "judged_score", "budget", "executed", "rule", "note"):
            value = getattr(self, key)
            if value is None or value == "":
                continue
            out[key] = str(value)
        if not self.applicable:
            out["applicable"] = False
        return out


@attrs.frozen(kw_only=True)
class Group:
    """A 一级 or 二级 group (``path``) with the weight the form gives it."""

    path: tuple[str, ...] = attrs.field(converter=_tuple_of_str)
    weight: Decimal = attrs.field(converter=to_decimal)

    def to_dict(self) -> dict[str, Any]:
        return {"path": list(self.path), "weight": str(self.weight)}


@attrs.frozen(kw_only=True)
class SkippedRow:
    """A row under the indicator table's header that was not read as a line.

    Readers keep every such row so that nothing is lost without a word:
    ``where`` is the row's first cell (``自评表!A14``), ``text`` its visible
    text, ``reason`` and ``reason_zh`` say why it was not read.
    """

    where: str = attrs.field(converter=str)
    text: str = attrs.field(converter=str)
    reason: str = attrs.field(converter=str)
    reason_zh: str = attrs.field(default="", converter=str)

    def to_dict(self) -> dict[str, str]:
        return {"where": self.where, "text": self.text, "reason": self.reason,
                "reason_zh": self.reason_zh}


def _skipped(value: Iterable[SkippedRow]) -> tuple[SkippedRow, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class Form:
    """A self-evaluation form: metadata and its indicator table."""

    indicators: tuple[Indicator, ...] = attrs.field(converter=_indicators)
    title: str = ""
    #: The form's own name: 项目名称 of a 项目支出 form, 单位名称 of a 部门整体 one
    #: (the title is the template's, 项目支出绩效自评表, alike for every project).
    name: str = ""
    organization: str = ""
    year: Optional[int] = None
    #: ``"department"`` (部门整体) or ``"project"`` (项目支出).
    kind: str = "department"
    ruleset: Optional[str] = None
    groups: tuple[Group, ...] = attrs.field(default=(), converter=_groups)
    reported_total: Optional[Decimal] = attrs.field(default=None, converter=_opt_decimal)
    reported_grade: Optional[str] = None
    #: The file (or other origin) the form was read from.
    source: Optional[str] = None
    #: Where form-level fields came from: (field, place) pairs, e.g. ("reported_total", "自评表!H3").
    cells: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_cells)
    problems: tuple[Problem, ...] = attrs.field(default=(), converter=_problems)
    #: Rows under the table's header that were not read as lines, and why
    #: (a reader fills this in; nothing in a file is dropped without a word).
    skipped: tuple[SkippedRow, ...] = attrs.field(default=(), converter=_skipped)

    def where(self, field: Optional[str] = None) -> Optional[str]:
        """The place a form-level field (``reported_total`` …) was read from."""
        return _where(self.cells, self.source, field, ": ")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: Optional[str] = None) -> Form:
        """Build a form from the canonical structure (``perfrules schema form``).

        Decimals may be strings or numbers; floats are read through their
        shortest repr. Structural problems (no indicator list, an indicator
        without a name, unknown keys) raise
        :class:`~perfrules.exceptions.FormError` listing all of them; cell
        problems are kept on the indicators for :func:`perfrules.score` and
        :func:`perfrules.audit` to report.
        """
        if not isinstance(data, Mapping):
            raise FormError(Problem(code="not-a-form", message="a form is a mapping with "
                                    "an 'indicators' list", location=source), source)
        problems = _check_keys(data, _FORM_KEYS, source, None)
        raw = data.get("indicators")
        indicators: list[Indicator] = []
        if not isinstance(raw, list) or not raw:
            problems.append(Problem(code="no-indicators", field="indicators", location=source,
                                    message="the form has no indicators",
                                    expected="a non-empty list of indicators"))
            raw = []
        for i, item in enumerate(raw):
            where = f"{source}: indicators[{i}]" if source else (
                _WHERE[i] if i < len(_WHERE) else f"indicators[{i}]")
            if item.__class__ is dict:
                fast = _fast_indicator(item, where, None)
                if fast is not None:
                    indicators.append(fast)
                    continue
            if not isinstance(item, Mapping):
                problems.append(Problem(code="not-an-indicator", location=where,
                                        message="an indicator is a mapping of fields",
                                        value=repr(item)[:60]))
                continue
            try:
                indicators.append(Indicator.from_dict(item, source=where))
            except FormError as exc:
                problems.extend(exc.problems)
        groups: list[Group] = []
        for i, item in enumerate(_list_field(data, "groups", source, problems)):
            where = f"{source}: groups[{i}]" if source else f"groups[{i}]"
            try:
                if not isinstance(item, Mapping):
                    raise TypeError(f"got {_kind(item)}")
                path = item["path"]
                if not isinstance(path, (str, list)) or not all(isinstance(p, str) for p in (
                        [path] if isinstance(path, str) else path)):
                    raise TypeError(f"path is {_kind(path)}, not a list of names")
                groups.append(Group(path=path, weight=item["weight"]))
            except (KeyError, TypeError, NumberError) as exc:
                problems.append(Problem(code="bad-group", location=where, field="groups",
                                        message=f"a group needs a path and a numeric weight ({exc})",
                                        expected='{"path": ["产出指标"], "weight": "50"}'))
        form_problems: list[Problem] = []
        total = _number_field(data, "reported_total", source, None, form_problems)
        ruleset = data.get("ruleset") or None
        if ruleset is not None and not isinstance(ruleset, str):
            problems.append(Problem(code="bad-ruleset", field="ruleset", location=source,
                                    value=repr(ruleset)[:60], message="ruleset is a ruleset id",
                                    expected="an id such as cn-mof-2020 or cn-mof-2020@1"))
        year = data.get("year")
        if year is not None and not (isinstance(year, int) and not isinstance(year, bool)):
            try:
                if isinstance(year, (bool, Mapping, list)):
                    raise ValueError(year)
                year = int(str(year).strip())
            except ValueError:
                form_problems.append(Problem(code="bad-year", field="year", location=source,
                                             message=f"year {_shown(year)} is not a year",
                                             expected="a year such as 2022"))
                year = None
        if year is not None and not _YEARS[0] <= year <= _YEARS[1]:
            form_problems.append(Problem(code="bad-year", field="year", location=source,
                                         message=f"year {_shown(year)} is out of range",
                                         expected=f"a year from {_YEARS[0]} to {_YEARS[1]}, "
                                                  "such as 2022"))
            year = None
        texts = {key: _text_field(data, key, source, problems)
                 for key in ("title", "name", "organization", "kind", "reported_grade")}
        skipped: list[SkippedRow] = []
        for i, item in enumerate(_list_field(data, "skipped", source, problems)):
            try:
                if not isinstance(item, Mapping) or not all(
                        isinstance(v, str) for v in item.values()):
                    raise TypeError(f"got {_kind(item)}" if not isinstance(item, Mapping)
                                    else "each of where, text and reason is text")
                skipped.append(SkippedRow(**item))
            except TypeError as exc:
                where = f"{source}: skipped[{i}]" if source else f"skipped[{i}]"
                problems.append(Problem(code="bad-skipped", location=where, field="skipped",
                                        message=f"a skipped row needs where, text and reason ({exc})",
                                        expected='{"where": "自评表!A14", "text": "…", '
                                                 '"reason": "…", "reason_zh": "…"}'))
        if problems:
            raise FormError(problems, source)
        return cls(
            indicators=indicators,
            title=texts["title"] or "",
            name=texts["name"] or "",
            organization=texts["organization"] or "",
            year=year,
            kind=texts["kind"] or "department",
            ruleset=ruleset,
            groups=groups,
            reported_total=total,
            reported_grade=texts["reported_grade"] or None,
            source=source,
            problems=form_problems,
            skipped=skipped,
        )

    def to_dict(self) -> dict[str, Any]:
        """The canonical form (JSON-ready), the inverse of :meth:`from_dict`."""
        out: dict[str, Any] = {}
        for key in ("title", "name", "organization", "year", "kind", "ruleset"):
            value = getattr(self, key)
            if value not in (None, ""):
                out[key] = value
        if self.reported_total is not None:
            out["reported_total"] = str(self.reported_total)
        if self.reported_grade:
            out["reported_grade"] = self.reported_grade
        if self.groups:
            out["groups"] = [g.to_dict() for g in self.groups]
        out["indicators"] = [i.to_dict() for i in self.indicators]
        if self.skipped:
            out["skipped"] = [row.to_dict() for row in self.skipped]
        return out

    def content_hash(self) -> str:
        """SHA-256 of the canonical form: equal for the same content in any format.

        Skipped rows are left out: they name cells, which differ between formats.
        """
        data = self.to_dict()
        data.pop("skipped", None)
        text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


_INDICATOR_KEYS = frozenset({
    "name", "path", "unit", "nature", "target", "weight", "actual", "reported_score",
    "judged_score", "note", "rule", "applicable", "budget", "executed",
})
_FORM_KEYS = frozenset({
    "title", "name", "organization", "year", "kind", "ruleset", "reported_total",
    "reported_grade", "indicators", "groups", "skipped", "$schema",
})


#: ``indicators[i]``: where the lines of a form without a source come from, made once
_WHERE = tuple(f"indicators[{i}]" for i in range(256))

#: The years a form may be of (a year beyond them is a typing error such as 20222).
_YEARS = (1000, 9999)


def _kind(value: object) -> str:
    """A JSON value's type as people say it: a mapping, a list, a number …"""
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float, Decimal)):
        return "a number"
    return "text" if isinstance(value, str) else type(value).__name__


def _shown(value: object) -> str:
    """A value in a message, never long (a year of 10**30, a mapping …)."""
    text = repr(value) if isinstance(value, str) else str(value) if isinstance(
        value, (int, Decimal)) else _kind(value)
    return text if len(text) <= 40 else text[:20] + "…" + text[-8:]


def _text_field(data: Mapping[str, Any], key: str, source: Optional[str],
                problems: list[Problem], indicator: Optional[str] = None,
                where: Optional[str] = None) -> Optional[str]:
    """A field that holds text: text as it is, a number as its digits; else a problem."""
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    problems.append(Problem(code="bad-type", field=key, indicator=indicator,
                            location=where or (f"{source}.{key}" if source else key),
                            value=_shown(value),
                            message=f"{key} is {_kind(value)}, not text",
                            expected="text (a string)"))
    return None


def _list_field(data: Mapping[str, Any], key: str, source: Optional[str],
                problems: list[Problem]) -> list[Any]:
    """A field that holds a list (absent: empty); anything else is a problem."""
    value = data.get(key)
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    problems.append(Problem(code="bad-group" if key == "groups" else "bad-skipped", field=key,
                            location=source,
                            value=_shown(value), message=f"{key} is {_kind(value)}, not a list",
                            expected=f"a list: {key}: [...]"))
    return []


def _check_keys(data: Mapping[str, Any], known: frozenset[str], source: Optional[str],
                indicator: object) -> list[Problem]:
    return [
        Problem(code="unknown-field", field=str(key), location=source,
                indicator=indicator if isinstance(indicator, str) else None,
                message=f"unknown field {key!r}", expected=", ".join(sorted(known)))
        for key in data if key not in known
    ]


#: Units a number field may carry in its cell: points (分) for weights and scores,
#: money for the budget amounts.
_FIELD_UNITS: dict[str, tuple[str, ...]] = {
    "weight": ("分", "%"), "reported_score": ("分",), "judged_score": ("分",),
    "reported_total": ("分",), "budget": ("万元", "元"), "executed": ("万元", "元"),
}


def _number_field(data: Mapping[str, Any], key: str, source: Optional[str],
                  indicator: Optional[str], problems: list[Problem],
                  where: Optional[str] = None) -> Optional[Decimal]:
    value = data.get(key)
    if value is None:
        return None
    if value.__class__ is str and not ("0" <= value[:1] <= "9") and (
            not value.strip() or is_placeholder(value)):
        return None
    try:
        if isinstance(value, str):
            number, unit = parse_number(value)
            if unit is None or unit in _FIELD_UNITS.get(key, ()):
                return number  # 10分, 4.5 分, 300万元: the unit the column means anyway
        return to_decimal(value)
    except NumberError as exc:
        if where is None:
            where = f"{source}.{key}" if source else key
        problems.append(Problem(code="bad-number", indicator=indicator, field=key,
                                location=where, message=exc.reason, value=exc.text,
                                expected="a number such as 4.5"))
        return None


_OPERATORS = frozenset({"≥", ">", "≤", "<", "="})

# -- the fast path of Indicator.from_dict ------------------------------------------------
#
# Most indicators come as JSON gives them: numbers written plainly (``95``, ``4.5``),
# words that are plainly words (良好, 全部完成), a nature the catalogue knows as written.
# For such a line :func:`_fast_indicator` gives the very Indicator the general path
# (:func:`_parse_indicator`, then the attrs converters) would give, without parsing
# anything twice: a plain number is read once by ``Decimal`` (the converters would
# read it again), a word is classified once (cached) instead of being tried as a number,
# a nature and a unit are looked up. Anything else — a unit in a cell, an operator in
# the target, a placeholder note, a value of another type, an unknown key — returns
# None and takes the general path, which also finds every problem.
# tests/test_fastpath.py checks that both paths give equal indicators.

_SLOW = object()
_MISSING = object()
_WORD_CACHE: dict[str, object] = {}
_UNIT_CACHE: dict[str, str] = {}
_WORD_CACHE_LIMIT = 4096


def _word_value(value: str) -> object:
    """A target or actual cell that is not a plain number, read as the general path
    reads it when that cannot raise a problem: None (a placeholder), the word
    stripped, or ``_SLOW`` (a number with a unit, an operator, NaN …)."""
    found = _WORD_CACHE.get(value, _MISSING)
    if found is _MISSING:
        if len(_WORD_CACHE) > _WORD_CACHE_LIMIT:
            _WORD_CACHE.clear()
        found = _WORD_CACHE[value] = _classify_word(value)
    return found


def _classify_word(value: str) -> object:
    if len(value) > 200 or "0" <= value[:1] <= "9":
        return _SLOW
    if not value.strip() or is_placeholder(value):
        return None  # "" is no key: the caller never asks for it
    if split_nature(value)[0] is not None:
        return _SLOW
    try:
        parse_number(value)
    except NotANumberError:
        return _SLOW
    except NumberError:
        return value.strip()
    return _SLOW


def _unit_value(unit: str) -> str:
    found = _UNIT_CACHE.get(unit)
    if found is None:
        if len(_UNIT_CACHE) > _WORD_CACHE_LIMIT:
            _UNIT_CACHE.clear()
        stripped = unit.strip()
        found = _UNIT_CACHE[unit] = "" if stripped and is_placeholder(stripped) else stripped
    return found


_PLAIN_NUMBER = PLAIN_NUMBER.match


def _plain(text: str) -> bool:
    """Whether a text is a plain number (:data:`~perfrules._numbers.PLAIN_NUMBER`) short
    enough to be within range whatever its digits; ``95`` and ``4.5`` without the regex."""
    if len(text) > SHORT_NUMBER:
        return False
    if text.isascii() and (text.isdigit() or (
            text.replace(".", "", 1).isdigit() and text[0] != "." and text[-1] != ".")):
        return True
    return _PLAIN_NUMBER(text) is not None
_NUMBER_KEYS = ("weight", "reported_score", "judged_score", "budget", "executed")
_INDICATOR_FIELDS = ("name", "weight", "nature", "target", "actual", "unit", "path", "rule",
                     "applicable", "reported_score", "judged_score", "budget", "executed",
                     "note", "source", "cells", "problems")


def _fast_value(value: Any) -> Any:
    """A target or actual on the fast path: a plain number, a plain word or nothing, else
    ``_SLOW`` (the general path reads it)."""
    if value is None:
        return None
    if value.__class__ is not str:
        return _SLOW
    if _plain(value):
        return Decimal(value)
    if not value:
        return None
    word = _WORD_CACHE.get(value, _MISSING)
    return _word_value(value) if word is _MISSING else word


def _fast_indicator(data: dict[str, Any], source: Optional[str],
                    cells: Optional[Mapping[str, str]]) -> Optional[Indicator]:
    """The Indicator of a plain line (see above), or None for the general path."""
    if not data.keys() <= _INDICATOR_KEYS:
        return None
    get = data.get
    name = get("name")
    if name.__class__ is not str:
        return None
    name = name.strip()
    if not name:
        return None
    # numbers: plain digits only (the general path reads them alike: Decimal(text))
    weight = get("weight")
    if weight is not None:
        if weight.__class__ is not str or not _plain(weight):
            return None
        weight = Decimal(weight)
    reported, judged = get("reported_score"), get("judged_score")
    budget, executed = get("budget"), get("executed")
    if reported is not None or judged is not None or budget is not None or executed is not None:
        numbers = []
        for value in (reported, judged, budget, executed):
            if value is not None:
                if value.__class__ is not str or not _plain(value):
                    return None
                value = Decimal(value)
            numbers.append(value)
        reported, judged, budget, executed = numbers
    # target and actual: a plain number, a plain word or nothing
    target = _fast_value(get("target"))
    if target is _SLOW:
        return None
    actual = _fast_value(get("actual"))
    if actual is _SLOW:
        return None
    nature = get("nature")
    if nature is not None:
        if nature.__class__ is not str:
            return None
        if nature:
            nature = WORD_TO_NATURE.get(nature)
            if nature is None:
                return None
        else:
            nature = None
    unit = get("unit")
    if unit is None:
        unit = ""
    elif unit.__class__ is str:
        found = _UNIT_CACHE.get(unit)
        unit = _unit_value(unit) if found is None else found
    else:
        return None
    rule = get("rule")
    if rule is not None:
        if rule.__class__ is not str:
            return None
        rule = rule.strip() if rule else None
    note = get("note")
    if note is None:
        note = ""
    elif note.__class__ is not str or (note and is_placeholder(note)):
        return None
    path = get("path") or ()
    if path.__class__ is str:
        path = (path,)
    elif path.__class__ is list or path.__class__ is tuple:
        for part in path:
            if part.__class__ is not str:
                return None
        path = tuple(path)
    else:
        return None
    applicable = get("applicable", True)
    if applicable is not True and applicable is not False:
        return None
    # the slots set as attrs' __init__ sets them, without its converters (every value is
    # already what they would make of it); tests/test_fastpath.py checks the field list
    ind: Indicator = _new(Indicator)
    _set_name(ind, name)
    _set_weight(ind, weight)
    _set_nature(ind, nature)
    _set_target(ind, target)
    _set_actual(ind, actual)
    _set_unit(ind, unit)
    _set_path(ind, path)
    _set_rule(ind, rule)
    _set_applicable(ind, applicable)
    _set_reported_score(ind, reported)
    _set_judged_score(ind, judged)
    _set_budget(ind, budget)
    _set_executed(ind, executed)
    _set_note(ind, note)
    _set_source(ind, source)
    _set_cells(ind, _cells(cells) if cells else ())
    _set_problems(ind, ())
    return ind


_new = object.__new__
(_set_name, _set_weight, _set_nature, _set_target, _set_actual, _set_unit, _set_path, _set_rule,
 _set_applicable, _set_reported_score, _set_judged_score, _set_budget, _set_executed, _set_note,
 _set_source, _set_cells, _set_problems) = (getattr(Indicator, f).__set__ for f in _INDICATOR_FIELDS)


def _parse_indicator(data: Mapping[str, Any], source: Optional[str],
                     cells: Mapping[str, str]) -> tuple[dict[str, Any], list[Problem]]:
    problems: list[Problem] = []
    fields: dict[str, Any] = {}
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(Problem(code="no-name", field="name", location=source,
                                message="the indicator has no name",
                                expected="the indicator's name (三级指标/指标名称)"))
        return fields, problems
    name = name.strip()
    fields["name"] = name

    def at(field: str) -> str:
        if field in cells:
            return cells[field]
        return f"{source}.{field}" if source else field

    for key in ("weight", "reported_score", "judged_score", "budget", "executed"):
        # where=None names the place as at() does, and only when there is a problem
        fields[key] = _number_field(data, key, source, name, problems, cells.get(key))

    texts = {key: _text_field(data, key, source, problems, name, at(key))
             for key in ("unit", "nature", "rule", "note")}
    unit = "" if texts["unit"] is None else texts["unit"].strip()
    if unit and is_placeholder(unit):
        unit = ""
    raw_nature = texts["nature"]
    target = data.get("target")
    target_op: Optional[str] = None
    if isinstance(target, str):
        target_op, target = split_nature(target)
    nature, agree = read_nature(raw_nature, target_op)
    if not agree:
        problems.append(Problem(
            code="nature-conflict", indicator=name, field="nature", location=at("nature"),
            value=str(raw_nature).strip(),
            message=f"the 指标性质 cell ({at('nature')}) says {str(raw_nature).strip()!r} but the "
                    f"target cell ({at('target')}) says {target_op}{target}",
            expected="the same operator in both cells, or the operator in only one of them"))
    actual = data.get("actual")
    cell_units: list[str] = []
    for key, value in (("target", target), ("actual", actual)):
        parsed: Value
        if value is None or (value.__class__ is str and not ("0" <= value[:1] <= "9") and (
                not value.strip() or is_placeholder(value))):
            parsed = None
        elif isinstance(value, str):
            try:
                number, cell_unit = parse_number(value)
            except NumberRangeError as exc:  # 1e999…, 60 digits: refused where read
                problems.append(Problem(code="bad-number", indicator=name, field=key,
                                        location=at(key), value=exc.text, message=exc.reason,
                                        expected="a number such as 95 or 95%"))
                parsed = None
            except NumberError as exc:
                # text: a 定性 target, a tier word; judged by the rule
                parsed = value.strip()
                if isinstance(exc, NotANumberError) and nature not in _OPERATORS:
                    # a quantitative rule says "not a number" itself; no other would
                    problems.append(Problem(code="not-a-number", indicator=name, field=key,
                                            location=at(key), value=value, message=exc.reason,
                                            expected="a number such as 95 or 95%, or a tier "
                                                     "word for 定性 lines"))
            else:
                parsed = number
                if cell_unit:
                    cell_units.append(cell_unit)
                    if unit and cell_unit != unit:
                        problems.append(Problem(
                            code="unit-mismatch", indicator=name, field=key, location=at(key),
                            value=value, message=f"the cell's unit {cell_unit!r} differs from "
                            f"the indicator's unit {unit!r}",
                            expected=f"a number in {unit}"))
        else:
            try:
                parsed = to_decimal(value)
            except NumberError as exc:
                problems.append(Problem(code="bad-number", indicator=name, field=key,
                                        location=at(key), value=exc.text, message=exc.reason,
                                        expected="a number, or text for 定性 lines"))
                parsed = None
        fields[key] = parsed
    if not unit and cell_units:
        unit = cell_units[0]
    fields["unit"] = unit
    fields["nature"] = nature

    path = data.get("path") or ()
    if isinstance(path, str):
        path = (path,)
    if not isinstance(path, (list, tuple)) or not all(isinstance(p, str) for p in path):
        problems.append(Problem(code="bad-path", indicator=name, field="path",
                                location=at("path"), value=repr(path)[:60],
                                message="path is the list of the indicator's group names",
                                expected='["产出指标", "数量指标"]'))
        path = ()
    fields["path"] = tuple(path)
    rule = texts["rule"]
    fields["rule"] = rule.strip() if rule else None
    applicable = data.get("applicable", True)
    if isinstance(applicable, str):
        folded = applicable.strip().lower()
        if folded in ("true", "yes", "是", "1", ""):
            applicable = True
        elif folded in ("false", "no", "否", "0", "不适用"):
            applicable = False
    if not isinstance(applicable, bool):
        problems.append(Problem(code="bad-applicable", indicator=name, field="applicable",
                                location=at("applicable"), value=repr(applicable),
                                message="applicable must be true or false",
                                expected="true, false"))
        applicable = True
    fields["applicable"] = applicable
    note = texts["note"]
    fields["note"] = "" if note is None or is_placeholder(note) else note
    return fields, problems
