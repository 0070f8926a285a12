from __future__ import annotations

import decimal
from decimal import Decimal

import attrs
import pytest

from perfrules import Form, FormError, Indicator
from perfrules._model import SkippedRow
from perfrules._numbers import (
    NotANumberError,
    NumberError,
    is_placeholder,
    parse_nature,
    parse_number,
    percent_of,
    plain,
    read_nature,
    split_nature,
    to_decimal,
)


@pytest.mark.parametrize(
    ("text", "number", "unit"),
    [
        ("95", "95", None),
        ("95%", "95", "%"),
        ("９５％", "95", "%"),
        ("5,956.7", "5956.7", None),
        ("6000万元", "6000", "万元"),
        (" 4.5 ", "4.5", None),
        ("-3", "-3", None),
        ("12次", "12", "次"),
        ("１２．５", "12.5", None),
    ],
)
def test_parse_number(text: str, number: str, unit: str | None) -> None:
    assert parse_number(text) == (Decimal(number), unit)


@pytest.mark.parametrize("text", ["", "NaN", "Infinity", "-inf", "九十", "1,2", "12-15", "abc", "95%以上5"])
def test_parse_number_rejects(text: str) -> None:
    with pytest.raises(NumberError):
        parse_number(text)


def test_floats_through_shortest_repr() -> None:
    assert to_decimal(794.8) == Decimal("794.8")
    assert to_decimal(0.1) == Decimal("0.1")
    with pytest.raises(NumberError):
        to_decimal(float("nan"))
    with pytest.raises(NumberError):
        to_decimal(True)
    with pytest.raises(NumberError):
        to_decimal(Decimal("Infinity"))


@pytest.mark.parametrize(
    ("word", "nature"),
    [
        ("≥", "≥"), (">=", "≥"), ("≧", "≥"), ("不低于", "≥"), ("不少于", "≥"), ("大于等于", "≥"),
        ("＞", ">"), (">", ">"),
        ("≤", "≤"), ("<=", "≤"), ("≦", "≤"), ("不高于", "≤"), ("不超过", "≤"), ("不多于", "≤"),
        ("小于等于", "≤"), ("＜", "<"),
        ("=", "="), ("＝", "="), ("等于", "="),
        ("定性", "定性"), (" 定 性 ", "定性"),
    ],
)
def test_natures(word: str, nature: str) -> None:
    assert parse_nature(word) == nature


def test_unknown_nature_and_empty() -> None:
    assert parse_nature("") is None
    assert parse_nature(None) is None
    with pytest.raises(KeyError):
        parse_nature("约等于")


@pytest.mark.parametrize(
    ("text", "nature", "rest"),
    [("≥95%", "≥", "95%"), ("≤6000万元", "≤", "6000万元"), ("=100%", "=", "100%"),
     ("不低于90", "≥", "90"), ("＞５", ">", "5"), ("良好", None, "良好"), ("100", None, "100")],
)
def test_split_nature(text: str, nature: str | None, rest: str) -> None:
    assert split_nature(text) == (nature, rest)


# -- real-form cells (issue 7) ------------------------------------------------------


@pytest.mark.parametrize("text", ["8²", "9½", "2³%", "１²"])
def test_superscripts_after_digits_are_not_numbers(text: str) -> None:
    """NFKC would fold 8² into 82: a silent wrong number."""
    with pytest.raises(NotANumberError, match="superscript"):
        parse_number(text)


@pytest.mark.parametrize("text", ["①", "⒈5", "²"])
def test_special_digits_alone_are_not_numbers(text: str) -> None:
    with pytest.raises(NumberError):
        parse_number(text)


@pytest.mark.parametrize(("text", "number", "unit"),
                         [("500㎡", 500, "㎡"), ("３０００平方米", 3000, "平方米")])
def test_square_units_stay_units(text: str, number: int, unit: str) -> None:
    assert parse_number(text) == (Decimal(number), unit)


def test_a_unit_never_holds_a_digit_not_even_a_superscript() -> None:
    """m² would otherwise fold to m2; write 平方米 or ㎡."""
    with pytest.raises(NumberError, match="m²"):
        parse_number("500m²")


@pytest.mark.parametrize("text", ["NaN", "nan", " Infinity ", "-inf", "ＮａＮ"])
def test_nan_is_not_a_number_never_empty(text: str) -> None:
    with pytest.raises(NotANumberError) as info:
        parse_number(text)
    assert "not a number" in info.value.reason and "empty" not in info.value.reason
    with pytest.raises(NotANumberError):
        to_decimal(Decimal("NaN"))
    with pytest.raises(NotANumberError):
        to_decimal(float("inf"))


def test_plain_handles_any_number_of_digits_in_any_context() -> None:
    big = "1234567890" * 4
    with decimal.localcontext() as ctx:
        ctx.prec = 3
        ctx.traps[decimal.Inexact] = True
        assert plain(Decimal(big)) == big
        assert plain(Decimal(big + ".50")) == big + ".5"
        assert plain(Decimal("1E+2")) == "100"
        assert plain(Decimal("4.50")) == "4.5"
        assert plain(Decimal("-0.00")) == "0"


def test_percent_of_is_exact_whatever_the_callers_context() -> None:
    with decimal.localcontext() as ctx:
        ctx.prec = 3
        assert percent_of(Decimal("0.9345")) == Decimal("93.45")
        assert plain(percent_of(Decimal("0.9345"))) == "93.45"
        assert percent_of(Decimal(repr(0.9935))) == Decimal("99.35")
        assert percent_of(Decimal("1")) == Decimal(100)


@pytest.mark.parametrize("text", ["—", "——", "-", "--", "/", "／", "无", "N/A", "n/a", "Ｎ／Ａ",
                                  "……", "…", " / ", "－", "―", "—" * 20, " ／ " * 5])
def test_placeholders(text: str) -> None:
    assert is_placeholder(text)


@pytest.mark.parametrize("value", ["不适用", "-3", "0", "达成", "", "  ", None, 0, "无锡"])
def test_not_placeholders(value: object) -> None:
    assert not is_placeholder(value)


@pytest.mark.parametrize(
    ("text", "nature", "rest"),
    [("=100%", "=", "100%"), ("＝１００％", "=", "100%"), ("95%以上", "≥", "95%"),
     ("10个工作日以内", "≤", "10个工作日"), ("3天以下", "≤", "3天"), ("以上", None, "以上"),
     ("≥ 90%", "≥", "90%")],
)
def test_split_nature_as_real_forms_write_it(text: str, nature: str | None, rest: str) -> None:
    assert split_nature(text) == (nature, rest)


@pytest.mark.parametrize(
    ("column", "target_op", "nature", "agree"),
    [
        (None, None, None, True), ("", "≥", "≥", True), ("/", "≤", "≤", True),
        ("≥", "≥", "≥", True), ("≥", ">", "≥", True), ("≤", "≥", "≤", False),
        ("=", "≥", "=", False), ("定性", "≥", "定性", False), ("定性指标", None, "定性", True),
        ("正向", None, "≥", True), ("正向指标", "=", "=", True), ("正向", "≤", "≤", False),
        ("反向", None, "≤", True), ("反向指标", "<", "<", True), ("反向", "≥", "≥", False),
        ("定量", None, None, True), ("定量指标", "≤", "≤", True), ("约等于", None, "约等于", True),
    ],
)
def test_read_nature(column: str | None, target_op: str | None, nature: str | None,
                     agree: bool) -> None:
    assert read_nature(column, target_op) == (nature, agree)


# -- the same cells read into an indicator ----------------------------------------------

_CELLS = {"nature": "表!D5", "target": "表!E5", "actual": "表!G5", "weight": "表!F5",
          "unit": "表!C5", "note": "表!I5", "reported_score": "表!H5"}


def _line(**fields: object) -> Indicator:
    return Indicator.from_dict({"name": "培训人次", "weight": "10", **fields}, source="表!A5",
                               cells=_CELLS)


@pytest.mark.parametrize(
    ("nature", "target", "want", "number"),
    [("≥", "≥90%", "≥", "90"), ("≥", "90%", "≥", "90"), (None, "=100%", "=", "100"),
     ("=", "=100%", "=", "100"), ("定量", "≤50万元", "≤", "50"), ("正向", "90", "≥", "90"),
     ("反向指标", "5", "≤", "5"), ("定量指标", "90", None, "90"), ("/", "≥90", "≥", "90"),
     (None, "95%以上", "≥", "95")],
)
def test_nature_from_column_and_target(nature: str | None, target: str, want: str | None,
                                       number: str) -> None:
    line = _line(nature=nature, target=target, actual="95")
    assert (line.nature, line.target, line.problems) == (want, Decimal(number), ())


def test_no_nature_anywhere_stays_none_and_is_no_problem() -> None:
    """The engine decides what an unstated nature means (DESIGN.md §3)."""
    line = _line(target="有所提高", actual="部分达成")
    assert line.nature is None and line.problems == ()


@pytest.mark.parametrize(("nature", "target"), [("≤", "≥90%"), ("反向", "≥90%"), ("定性", "≥90%"),
                                                ("=", "不低于95")])
def test_nature_conflict_names_both_cells(nature: str, target: str) -> None:
    (problem,) = _line(nature=nature, target=target, actual="95").problems
    assert problem.code == "nature-conflict" and problem.location == "表!D5"
    assert "表!D5" in problem.message and "表!E5" in problem.message
    assert problem.indicator == "培训人次" and problem.field == "nature"


@pytest.mark.parametrize("mark", ["—", "——", "-", "/", "／", "无", "N/A"])
def test_placeholders_are_empty_cells(mark: str) -> None:
    line = Indicator.from_dict({"name": "x", "weight": mark, "target": mark, "actual": mark,
                                "unit": mark, "nature": mark, "note": mark,
                                "reported_score": mark})
    assert line.problems == ()
    assert (line.weight, line.target, line.actual, line.unit, line.nature, line.note,
            line.reported_score) == (None, None, None, "", None, "", None)
    form = Form.from_dict({"indicators": [{"name": "x", "weight": "100"}], "reported_total": mark})
    assert form.reported_total is None and form.problems == ()


def test_not_applicable_is_not_a_placeholder() -> None:
    assert _line(nature="定性", target="好", actual="不适用").actual == "不适用"


@pytest.mark.parametrize("field", ["weight", "reported_score"])
def test_nan_in_a_number_field_says_not_a_number(field: str) -> None:
    (problem,) = _line(**{field: "NaN"}).problems
    assert "not a number" in problem.message and "empty" not in problem.message
    assert problem.location == _CELLS[field]


@pytest.mark.parametrize("text", ["NaN", "Infinity", "8²"])
def test_nan_target_on_a_line_without_operator_says_not_a_number(text: str) -> None:
    (problem,) = _line(target=text, actual="5").problems
    assert problem.code == "not-a-number" and problem.location == "表!E5"
    assert "not a number" in problem.message


def test_skipped_rows_round_trip_and_leave_the_content_hash_alone() -> None:
    data = {"title": "t", "indicators": [{"name": "x", "weight": "100"}]}
    plain_form = Form.from_dict(data)
    assert "skipped" not in plain_form.to_dict()
    row = SkippedRow(where="自评表!A14", text="其他 | 5", reason="no name", reason_zh="无指标名称")
    form = attrs.evolve(plain_form, skipped=[row])
    again = Form.from_dict(form.to_dict())
    assert again.skipped == (row,)
    assert again.to_dict()["skipped"] == [row.to_dict()]
    assert form.content_hash() == plain_form.content_hash()
    with pytest.raises(FormError, match="skipped"):
        Form.from_dict({**data, "skipped": [{"where": "A1"}]})


@pytest.mark.parametrize(("field", "text", "number"),
                         [("weight", "10分", "10"), ("weight", "4.5 分", "4.5"),
                          ("weight", "10%", "10"), ("reported_score", "9.96分", "9.96"),
                          ("budget", "300万元", "300"), ("executed", "1,200.5万元", "1200.5")])
def test_number_fields_accept_the_unit_their_column_means(field: str, text: str,
                                                          number: str) -> None:
    line = _line(**{field: text})
    assert getattr(line, field) == Decimal(number) and line.problems == ()


@pytest.mark.parametrize(("field", "text"), [("weight", "10万元"), ("reported_score", "9%"),
                                             ("budget", "300分")])
def test_number_fields_refuse_other_units(field: str, text: str) -> None:
    (problem,) = _line(**{field: text}).problems
    assert problem.field == field and problem.location == _CELLS.get(field, f"表!A5.{field}")


@pytest.mark.parametrize("path", [5, [1, [2]], {"a": 1}, ["产出指标", 2]])
def test_a_path_that_is_no_list_of_names_is_a_located_problem(path: object) -> None:
    (problem,) = Indicator.from_dict({"name": "x", "weight": "1", "path": path},
                                     source="f.json: indicators[0]").problems
    assert problem.code == "bad-path" and problem.field == "path"
    assert problem.location == "f.json: indicators[0].path"


def test_a_path_of_names_or_one_name() -> None:
    assert Indicator.from_dict({"name": "x", "path": "产出指标"}).path == ("产出指标",)
    assert Indicator.from_dict({"name": "x", "path": ["产出指标", "数量指标"]}).path == (
        "产出指标", "数量指标")


def test_a_ruleset_that_is_no_id_is_a_located_problem() -> None:
    with pytest.raises(FormError, match="ruleset") as info:
        Form.from_dict({"indicators": [{"name": "x", "weight": "100"}], "ruleset": ["x"]},
                       source="f.json")
    assert [p.code for p in info.value.problems] == ["bad-ruleset"]
