"""The fast paths give exactly what the general paths give (issue 18).

``Indicator.from_dict`` reads a plain line (plain numbers, plain words, a known
nature) without its general parser and attrs' converters; ``score`` keeps a
built-in rule in a row instead of its outcome and recomputes the outcome when the
lines are asked for. Both must be invisible: the same indicators (same Decimal
digits, same problems, same places), the same lines, explanations and pickles.
"""

from __future__ import annotations

import pickle
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import perfrules
from perfrules import _model
from perfrules._engine import line_of, recompute
from perfrules._plan import plan_for
from perfrules.plugin import Outcome
from perfrules.testing import forms

REG = perfrules.Registry(entry_points=False)
RULESETS = [REG.ruleset("cn-mof-2020"), REG.ruleset("cn-mof-2020-linear")]

#: cell values the fast path takes and values it must leave to the general path
NUMBERS = ["0", "5", "007", "4.5", "4.50", "-3", "+2.25", "100", "95.55", "12345678901234567890",
           "123456789012345678901", ".5", "5.", "1e5", " 7 ", "7 ", "1,000", "95%", "10分",
           "１２", "٣", "8²", "NaN", "inf", "-", "—", "", "  ", "无", "N/A", "不适用",
           "≥90", "90%以上", "良好", "全部完成", "部分达成", " 基本完成 ", "有效", "1_000"]
ODD = [None, 5, 4.5, Decimal("4.5"), Decimal("NaN"), True, ["x"], {"a": 1}]
NATURES = [None, "", "≥", ">", "≤", "<", "=", "定性", "定性指标", "大于", "不低于", "以上",
           "正向", "反向指标", "定量", " ≥ ", "≥ ", "xx", "—", 3]
UNITS = [None, "", "%", "次", " 次 ", "万元", "—", "无", "/", 5]
NOTES = [None, "", "说明", "—", "无", 1]
PATHS = [None, "", "产出指标", [], ["产出指标", "数量指标"], ("产出指标",), ["产出指标", 3], 5]
APPLICABLE = [True, False, "是", "否", "不适用", 1, None]
RULES = [None, "", "at-least", " equal ", 7]
NAMES = ["指标", " 指标 ", "", "  ", "预算执行率", 3, None]


@st.composite
def indicator_dicts(draw: st.DrawFn) -> dict[str, Any]:
    """Indicator dicts as integrators write them: mostly plain, sometimes not."""
    value = st.sampled_from(NUMBERS) | st.sampled_from(ODD) | st.decimals(
        min_value=-10**6, max_value=10**6, places=2).map(str)
    data: dict[str, Any] = {"name": draw(st.sampled_from(NAMES) | st.text(max_size=6))}
    optional = {
        "weight": value, "target": value, "actual": value, "reported_score": value,
        "judged_score": value, "budget": value, "executed": value,
        "nature": st.sampled_from(NATURES), "unit": st.sampled_from(UNITS),
        "note": st.sampled_from(NOTES), "path": st.sampled_from(PATHS),
        "applicable": st.sampled_from(APPLICABLE), "rule": st.sampled_from(RULES),
        "bogus": st.just("x"),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()) if key in ("weight", "target", "actual", "nature", "unit") \
                else draw(st.integers(0, 6)) == 0:
            data[key] = draw(strategy)
    return data


def _general(data: dict[str, Any], **kwargs: Any) -> Any:
    """Indicator.from_dict by the general path (a mapping that is not a dict)."""
    try:
        return perfrules.Indicator.from_dict(MappingProxyType(data), **kwargs)
    except perfrules.FormError as exc:
        return exc.problems


def _fast(data: dict[str, Any], **kwargs: Any) -> Any:
    try:
        return perfrules.Indicator.from_dict(data, **kwargs)
    except perfrules.FormError as exc:
        return exc.problems


def _same(a: Any, b: Any) -> None:
    """Equal, and equal in every digit (Decimal('4.50') == Decimal('4.5'), but not in repr)."""
    assert a == b
    assert repr(a) == repr(b)
    if isinstance(a, perfrules.Indicator):
        for field in attrs.fields(perfrules.Indicator):
            x, y = getattr(a, field.name), getattr(b, field.name)
            assert type(x) is type(y), field.name


def test_the_fast_path_sets_every_field() -> None:
    assert tuple(f.name for f in attrs.fields(perfrules.Indicator)) == _model._INDICATOR_FIELDS


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(data=indicator_dicts(), source=st.sampled_from([None, "form.json: indicators[2]"]),
       cells=st.sampled_from([None, {}, {"target": "自评表!F14", "actual": "自评表!G14"}]))
def test_indicator_fast_path_is_the_general_path(data: dict[str, Any], source: Any,
                                                 cells: Any) -> None:
    _same(_fast(data, source=source, cells=cells), _general(data, source=source, cells=cells))


def test_the_fast_path_takes_plain_lines() -> None:
    """The fast path is taken for the lines it is for (else this file tests nothing)."""
    plain = [{"name": "指标", "nature": "≥", "unit": "次", "target": "100", "actual": "95.5",
              "weight": "10"},
             {"name": "满意度", "nature": "定性", "target": "良好", "actual": "基本完成",
              "weight": "4.5", "reported_score": "3"},
             {"name": "预算执行率", "unit": "%", "target": "100", "actual": "96.55",
              "weight": "10", "path": ["产出指标"], "applicable": True}]
    for data in plain:
        fast = _model._fast_indicator(data, "x", None)
        assert fast is not None
        _same(fast, _general(data, source="x"))
    for odd in ({"target": "95%"}, {"weight": 10}, {"nature": "正向"}, {"note": "—"},
                {"actual": "NaN"}, {"target": "≥90"}, {"bogus": 1}):
        assert _model._fast_indicator({**plain[0], **odd}, "x", None) is None


@st.composite
def form_dicts(draw: st.DrawFn) -> dict[str, Any]:
    return {"title": "表", "indicators": draw(st.lists(indicator_dicts(), min_size=1, max_size=6))}


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(data=form_dicts(), source=st.sampled_from([None, "a.json"]))
def test_form_fast_path_is_the_general_path(data: dict[str, Any], source: Any) -> None:
    general = {**data, "indicators": [MappingProxyType(i) for i in data["indicators"]]}
    try:
        fast: Any = perfrules.Form.from_dict(data, source=source)
    except perfrules.FormError as exc:
        fast = exc.problems
    try:
        slow: Any = perfrules.Form.from_dict(general, source=source)
    except perfrules.FormError as exc:
        slow = exc.problems
    _same(fast, slow)
    if isinstance(fast, perfrules.Form):
        assert fast.content_hash() == slow.content_hash()
        for a, b in zip(fast.indicators, slow.indicators):
            _same(a, b)


def _lines_by_outcomes(form: perfrules.Form, rs: perfrules.RuleSet) -> tuple[Any, ...]:
    """The lines as the audit builds them: from rows that keep every outcome."""
    rows, problems, total = recompute(form, rs, REG)
    assert not problems and total is not None
    facts = plan_for(REG, rs).facts
    return tuple(line_of(row, rs, facts) for row in rows)


def _check_lines(report: perfrules.Report, expected: tuple[Any, ...]) -> None:
    assert report.lines == expected
    for lang in ("zh", "en"):
        assert [ln.explanation(lang) for ln in report.lines] == \
            [ln.explanation(lang) for ln in expected]
    again = pickle.loads(pickle.dumps(report))
    assert again == report and again.lines == expected
    assert again.to_dict() == report.to_dict()


@pytest.mark.parametrize("ruleset", RULESETS, ids=lambda r: r.id)
@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(form=forms(natures=("≥", ">", "≤", "<", "=", "定性")))
def test_compact_rows_give_the_same_lines(ruleset: perfrules.RuleSet, form: perfrules.Form) -> None:
    try:
        report = perfrules.score(form, ruleset, registry=REG)
    except perfrules.FormError:
        return
    _check_lines(report, _lines_by_outcomes(form, ruleset))


def test_compact_rows_on_every_kind_of_line() -> None:
    """Execution rate, 定性 with and without a judged score, not applicable, an inferred
    nature (general path) and a plugin-free form: lines equal to the outcome path's."""
    form = perfrules.Form.from_dict({"title": "t", "indicators": [
        {"name": "预算执行率", "unit": "%", "target": "100", "actual": "96.55", "weight": "10"},
        {"name": "满意度", "nature": "定性", "target": "良好", "actual": "部分达成",
         "weight": "20", "reported_score": "13.5"},
        {"name": "质量", "nature": "定性", "target": "良好", "actual": "基本完成", "weight": "20"},
        {"name": "数量", "nature": "≥", "target": "8", "actual": "1", "weight": "5"},
        {"name": "时效", "nature": "≤", "target": "8", "actual": "9", "weight": "5"},
        {"name": "成本", "target": "8", "actual": "9", "weight": "20"},
        {"name": "覆盖", "nature": "=", "target": "0", "actual": "0", "weight": "10"},
        {"name": "其他", "nature": "≥", "target": "3", "actual": "不适用", "weight": "10"},
    ]})
    for rs in RULESETS:
        report = perfrules.score(form, rs, registry=REG)
        _check_lines(report, _lines_by_outcomes(form, rs))
        assert any(row[3].__class__ is not Outcome for row in report._rows
                   if row[3] is not None)


@pytest.mark.parametrize("ruleset", RULESETS, ids=lambda r: r.id)
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_credit_functions_agree_with_the_rules(ruleset: perfrules.RuleSet,
                                               data: st.DataObject) -> None:
    """prepare_credit — each quantitative rule's one formula, from which prepare builds its
    outcome — gives the (numerator, denominator) of prepare's outcome, the same Decimal
    objects, and a step code that is the outcome's first or reverse step; it refuses what
    prepare refuses, with the same problems."""
    value = st.sampled_from([None, "良好", Decimal(0), Decimal("-0"), Decimal(-3), Decimal(5),
                             Decimal("5.00"), Decimal(10)]) | st.decimals(
        min_value=-50, max_value=200, places=2)
    ind = perfrules.Indicator(name="x", weight=Decimal(10),
                              nature=data.draw(st.sampled_from(["≥", ">", "≤", "<", "=", None])),
                              target=data.draw(value), actual=data.draw(value))
    plan = plan_for(REG, ruleset)
    for entry in plan.entries.values():
        prepare_credit = getattr(entry._rule, "prepare_credit", None)
        if prepare_credit is None:
            continue
        credit = prepare_credit(ruleset)
        try:
            full: Any = entry.score(ind)[:2]
        except perfrules.InputError as exc:
            with pytest.raises(perfrules.InputError) as info:
                credit(ind)
            assert info.value.problems == exc.problems
            continue
        got = credit(ind)
        codes = [code for code, _ in entry.score(ind)[4]]
        assert got[2] in codes, (entry.name, got, codes)
        got = got[:2]
        assert got == full and all(x is y or (x == y and str(x) == str(y))
                                   for x, y in zip(got, full)), (entry.name, got, full)
