"""perfrules.score_table: the columnar path gives the object path's cents, form by form."""

from __future__ import annotations

import random
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, Optional

# perfrules[arrow] is in the test extra: pyarrow has wheels for every supported Python
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import perfrules
from perfrules._columnar import form_dicts
from perfrules.testing import weights

RULESETS = ["cn-mof-2020", "cn-mof-2020-linear", "cn-mof-2020-bands-80-50"]

FormResult = tuple[Any, Optional[Decimal], Optional[str], Optional[str]]
LineRow = tuple[Any, int, str, Optional[str], Optional[Decimal], Optional[bool]]


def object_path(table: Any, ruleset: str, registry: perfrules.Registry
                ) -> tuple[list[FormResult], list[LineRow]]:
    """Every form built from its rows and scored by perfrules.score."""
    forms: list[FormResult] = []
    lines: list[LineRow] = []
    for form_id, data in form_dicts(table):
        try:
            report = perfrules.score(perfrules.Form.from_dict(data, source=str(form_id)),
                                     ruleset, registry=registry)
        except perfrules.PerfrulesError as exc:
            forms.append((form_id, None, None, str(exc)))
            continue
        forms.append((form_id, report.total, report.grade, None))
        lines.extend((form_id, i, line.name, line.rule, line.points,
                      line.met if line.applicable else None)
                     for i, line in enumerate(report.lines))
    return forms, lines


def columnar(table: Any, ruleset: str, registry: perfrules.Registry, **options: Any
             ) -> tuple[list[FormResult], list[LineRow], list[bool]]:
    result = perfrules.score_table(table, ruleset, registry=registry, **options)
    forms = [(f["form_id"], f["total"], f["grade"], f["error"]) for f in result.forms.to_pylist()]
    lines = [(r["form_id"], r["line"], r["name"], r["rule"], r["score"], r["met"])
             for r in result.lines.to_pylist()]
    return forms, lines, result.forms.column("bulk").to_pylist()


def assert_same(table: Any, ruleset: str, registry: perfrules.Registry, **options: Any
                ) -> list[bool]:
    """The columnar result equals the object path's, cent for cent; returns which
    forms were scored in bulk."""
    want_forms, want_lines = object_path(table, ruleset, registry)
    got_forms, got_lines, bulk = columnar(table, ruleset, registry, **options)
    assert got_forms == want_forms
    assert got_lines == want_lines
    return bulk


# -- generated forms ------------------------------------------------------------

NAMES = ["开展安全检查次数", "完成民生实事项目数", "群众满意度", "保障公共服务运行成本", "办件及时率",
         " 宣传 次数 ", "\x1c宣传次数\x1f", "\xa0群众满意度\u3000", "Satisfaction rate", "   ", ""]
# as written, with odd spaces (trimmed as Python trims them), or folded by NFKC (⾏, the Kangxi
# radical, is 行; full-width letters)
RATE_NAMES = ["预算执行率", "全年预算执行率", " 资金执行率 ", "资金执行率（%）", "预算 执行率",
              "预算执⾏率", "\u3000预算执行率\x1c", "预算执行率\xa0", "预算执行率（％）"]
ODD_NUMBERS = ["0", "-0", "1E+2", "９５", "5,956.7", "95%", "12次", "abc", "", " 12 ", "0.0001234567",
               "≥90", "1" * 25, "100.00", "+5", "-3.5", "—"]
TIER_WORDS = ["达成", "全部完成", "部分达成", "基本完成", "未完成", "未达成", " 完 成 ", "有效", "不适用",
              "N/A"]


def text(value: Decimal) -> str:
    return format(value, "f")


@st.composite
def indicator_row(draw: st.DrawFn, weight: Decimal) -> dict[str, Any]:
    kind = draw(st.sampled_from(["quantity"] * 4 + ["qualitative"] * 2 + ["rate", "na"]))
    row: dict[str, Any] = {"weight": text(weight)}
    plain = st.builds(lambda n, p: text(Decimal(n).scaleb(-p)), st.integers(-50_000, 10**7),
                      st.integers(0, 3))
    if kind == "quantity":
        row["name"] = draw(st.sampled_from(NAMES))
        row["nature"] = draw(st.sampled_from(["≥", ">", "≤", "<", "=", "不低于", "小于等于", None]))
        small = st.sampled_from(["0", "8", "10", "10.00", "12", "15", "19.5", "20", "25", "-1"])
        row["target"] = draw(st.one_of(plain.filter(lambda t: not t.startswith("-")),
                                       small.filter(lambda t: not t.startswith("-"))))
        row["actual"] = draw(st.one_of(plain, small, st.just(row["target"])))  # met exactly
        row["unit"] = draw(st.sampled_from(["%", "", "次", None]))
    elif kind == "qualitative":
        row["name"] = draw(st.sampled_from(NAMES))
        row["nature"] = "定性"
        row["target"] = draw(st.sampled_from(["良好", "有所提升", None, "95"]))
        row["actual"] = draw(st.sampled_from(TIER_WORDS))
        fraction = draw(st.sampled_from([None, "1", "0.9", "0.8", "0.79", "0.7", "0.6", "0.55",
                                         "0.5", "0.3", "0", "1.1"]))
        if fraction is not None:
            field = draw(st.sampled_from(["judged_score", "reported_score"]))
            row[field] = text(weight * Decimal(fraction))
    elif kind == "rate":
        row["name"] = draw(st.sampled_from(RATE_NAMES))
        row["nature"] = draw(st.sampled_from(["=", "≥", None]))
        row["target"] = "100"
        row["actual"] = draw(st.one_of(plain.filter(lambda t: not t.startswith("-")),
                                       st.sampled_from(["100", "99.64", "0.5", "1"])))
        row["unit"] = draw(st.sampled_from(["%", "％", "", " % "]))
        if draw(st.booleans()):
            budget = draw(st.sampled_from(["1000", "5956.7", "0", "1234.567", "0.03"]))
            row["budget"] = budget
            row["executed"] = draw(st.sampled_from([budget, budget, "999.5", "1000", "5956.7",
                                                    "0", "-1", "0.01"]))
    else:
        row["name"] = draw(st.sampled_from(NAMES))
        row["nature"] = "≥"
        row["target"], row["actual"] = "95", "90"
        na = draw(st.sampled_from(["applicable", "actual", "N/A"]))
        if na == "applicable":
            row["applicable"] = draw(st.sampled_from(["false", "否", "不适用", "true", "maybe"]))
        else:
            row["actual"] = "不适用" if na == "actual" else "n/a"
    if draw(st.integers(0, 9)) == 0:  # now and then, a cell as real forms write it
        field = draw(st.sampled_from(["target", "actual", "weight", "judged_score", "budget"]))
        row[field] = draw(st.sampled_from(ODD_NUMBERS))
    if draw(st.integers(0, 7)) == 0:
        row["rule"] = draw(st.sampled_from(["at-least", "at-most", "equal", "qualitative",
                                            "execution-rate", "no-such-rule", ""]))
    return row


@st.composite
def tables(draw: st.DrawFn) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for form_id in range(draw(st.integers(1, 6))):
        ws = draw(weights(max_size=8))
        if draw(st.integers(0, 9)) == 0:
            ws = (*ws, Decimal(5))  # weights that do not sum to 100
        for w in ws:
            rows.append({"form_id": f"F{form_id}", **draw(indicator_row(w))})
    return rows


COLUMNS = ["form_id", "name", "nature", "unit", "target", "actual", "weight", "reported_score",
           "judged_score", "budget", "executed", "applicable", "rule"]


def to_table(rows: list[dict[str, Any]]) -> Any:
    return pa.table({c: pa.array([r.get(c) for r in rows], pa.string()) for c in COLUMNS})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=tables(), ruleset=st.sampled_from(RULESETS), batch_rows=st.sampled_from([3, 7, 1000]))
def test_generated_tables_score_as_the_object_path(
        rows: list[dict[str, Any]], ruleset: str, batch_rows: int,
        registry: perfrules.Registry) -> None:
    assert_same(to_table(rows), ruleset, registry, batch_rows=batch_rows)


def random_rows(n_forms: int, seed: int, lines: int = 20) -> Iterator[dict[str, Any]]:
    """Forms of ~20 lines with mixed natures, qualitative and execution-rate lines,
    as an indicator table holds them; about one form in fifty has a problem."""
    rng = random.Random(seed)
    words = ["达成", "全部完成", "部分达成", "基本完成", "未完成"]
    for f in range(n_forms):
        ws = perfrules.normalize_weights([rng.randint(1, 9) for _ in range(lines)])
        for i, w in enumerate(ws):
            row: dict[str, Any] = {"form_id": f"{seed}-{f}", "weight": text(w)}
            pick = rng.random()
            if i == 0:
                row.update(name="预算执行率", nature="=", target="100", unit="%",
                           actual=text(Decimal(rng.randint(9000, 10200)).scaleb(-2)))
                if rng.random() < 0.5:  # the rate from 全年执行数 / 全年预算数
                    budget = Decimal(rng.randint(1, 10**7)).scaleb(-2)
                    row["budget"] = text(budget)
                    row["executed"] = text(budget if rng.random() < 0.3 else
                                           budget * Decimal(rng.randint(5000, 10000)) / 10000)
            elif pick < 0.25:
                row.update(name=f"满意度{i}", nature="定性", target="良好",
                           actual=rng.choice(words))
                if rng.random() < 0.5:
                    tier = perfrules.get_registry().ruleset().tier_of(row["actual"])
                    assert tier is not None
                    share = tier.lower + (tier.upper - tier.lower) * Decimal(rng.randint(0, 99)) / 100
                    row["reported_score"] = text((w * share).quantize(Decimal("0.01")))
            else:
                row.update(name=f"指标{i % 7}", nature=rng.choice(["≥", "≤", "=", ">", "<"]),
                           unit=rng.choice(["%", "次", "万元"]),
                           target=text(Decimal(rng.randint(0, 100_000)).scaleb(-rng.randint(0, 2))),
                           actual=text(Decimal(rng.randint(-10, 120_000)).scaleb(-rng.randint(0, 3))))
                if rng.random() < 0.02:
                    row["applicable"] = "false"
            if rng.random() < 0.001:
                row["weight"] = "abc"
            yield row


def test_a_hundred_thousand_random_rows_score_as_the_object_path(
        registry: perfrules.Registry) -> None:
    # 10^5 rows here; the benchmark (benchmarks/run.py --full) checks 10^6 the same way
    rows = list(random_rows(5_000, seed=7))
    assert len(rows) == 100_000
    bulk = assert_same(to_table(rows), "cn-mof-2020", registry)
    assert 0.95 < sum(bulk) / len(bulk) < 1  # the bulk path did the work; fallbacks happened


# -- inputs ------------------------------------------------------------------------


SEED_ROWS = [dict(r, form_id="seed") for r in
             [{k: v for k, v in ind.items() if k != "note"}
              for ind in perfrules.Form.from_dict(
                  __import__("json").loads(perfrules.example_path().read_text("utf-8")),
              ).to_dict()["indicators"]]]


def test_the_seed_form_scores_in_bulk(registry: perfrules.Registry) -> None:
    result = perfrules.score_table(pa.Table.from_pylist(SEED_ROWS), registry=registry)
    assert result.forms.to_pylist() == [{"form_id": "seed", "lines": 21, "total": Decimal("99.96"),
                                         "grade": "优", "error": None, "bulk": True}]
    first = result.lines.slice(0, 1).to_pylist()[0]
    assert first == {"form_id": "seed", "line": 0, "name": "全年预算执行率", "rule": "execution-rate",
                     "score": Decimal("9.96"), "met": False}
    assert result.lines.schema.field("score").type == pa.decimal128(38, 2)


def test_a_failing_form_gives_its_error_and_the_rest_is_scored(
        registry: perfrules.Registry) -> None:
    rows = [dict(r, form_id=1) for r in SEED_ROWS]
    rows += [dict(r, form_id=2, weight="abc" if i == 3 else r.get("weight"))
             for i, r in enumerate(SEED_ROWS)]
    rows += [dict(r, form_id=3) for r in SEED_ROWS]
    result = perfrules.score_table(pa.Table.from_pylist(rows), registry=registry)
    forms = result.forms.to_pylist()
    assert [f["form_id"] for f in forms] == [1, 2, 3]
    assert [f["total"] for f in forms] == [Decimal("99.96"), None, Decimal("99.96")]
    assert forms[1]["error"] is not None and "weight" in forms[1]["error"]
    with pytest.raises(perfrules.FormError) as caught:
        perfrules.score(perfrules.Form.from_dict(next(d for i, d in form_dicts(pa.Table.from_pylist(
            rows)) if i == 2), source="2"), registry=registry)
    assert forms[1]["error"] == str(caught.value)
    assert set(result.lines.column("form_id").to_pylist()) == {1, 3}


def test_numbers_as_decimals_integers_and_floats(registry: perfrules.Registry) -> None:
    table = to_table([r for r in random_rows(40, seed=3) if r["weight"] != "abc"])
    weight = table.column("weight")
    as_decimal = table.set_column(table.column_names.index("weight"), "weight",
                                  weight.cast(pa.decimal128(12, 2)))
    assert_same(as_decimal, "cn-mof-2020", registry)
    # floats are read through their shortest repr, as Form.from_dict reads them
    as_float = table.set_column(table.column_names.index("weight"), "weight",
                                weight.cast(pa.float64()))
    assert sum(assert_same(as_float, "cn-mof-2020", registry)) > 30
    targets = pa.array([int(t) if t is not None and t.isdigit() else None
                        for t in table.column("target").to_pylist()], pa.int64())
    as_int = table.set_column(table.column_names.index("target"), "target", targets)
    assert_same(as_int, "cn-mof-2020", registry)
    nan = table.set_column(table.column_names.index("weight"), "weight",
                           pa.array([float("nan")] + [float(w) for w in weight.to_pylist()[1:]]))
    bulk = assert_same(nan, "cn-mof-2020", registry)
    assert not bulk[0]


def test_pandas_polars_csv_parquet_and_streams(tmp_path: Path, registry: perfrules.Registry) -> None:
    import pandas as pd
    import polars
    import pyarrow.parquet as pq

    table = to_table(list(random_rows(30, seed=5)))
    want = columnar(table, "cn-mof-2020", registry)
    assert columnar(table.to_pandas(), "cn-mof-2020", registry) == want
    assert columnar(pd.DataFrame(table.to_pylist()), "cn-mof-2020", registry) == want
    csv_path = tmp_path / "indicators.csv"
    table.to_pandas().to_csv(csv_path, index=False)
    assert columnar(csv_path, "cn-mof-2020", registry) == want
    parquet = tmp_path / "indicators.parquet"
    pq.write_table(table, parquet, row_group_size=77)
    assert columnar(str(parquet), "cn-mof-2020", registry) == want
    # a stream of record batches that cut forms anywhere
    assert columnar(iter(table.to_batches(max_chunksize=13)), "cn-mof-2020", registry) == want
    assert columnar(polars.from_arrow(table), "cn-mof-2020", registry) == want


def test_forms_whose_rows_are_apart(registry: perfrules.Registry) -> None:
    rows = list(random_rows(4, seed=11, lines=5))
    shuffled = rows[::2] + rows[1::2]  # every form's rows in two places, order kept
    table = to_table(shuffled)
    forms, _, _ = columnar(table, "cn-mof-2020", registry)  # a table is grouped
    assert forms == columnar(to_table(rows), "cn-mof-2020", registry)[0]
    with pytest.raises(perfrules.InputError, match="not consecutive"):
        perfrules.score_table(iter(table.to_batches(max_chunksize=7)), registry=registry)
    with pytest.raises(perfrules.InputError, match="form_id"):
        perfrules.score_table(pa.table({"name": ["a"]}), registry=registry)
    with pytest.raises(TypeError, match="RecordBatch"):
        perfrules.score_table(42, registry=registry)


def test_a_plugin_rule_takes_the_object_path(registry: perfrules.Registry) -> None:
    from perfrules.builtin.rules import AtLeast
    from perfrules.hookspecs import hookimpl

    class Generous(AtLeast):  # a subclass is not the built-in class: not scored in bulk
        pass

    class Plugin:
        @hookimpl
        def perfrules_register_rules(self, register: Any) -> None:
            register(Generous(name="generous"))

    reg = perfrules.Registry(plugins=[Plugin()], entry_points=False)
    rows = [dict(r, form_id="a", rule=None) for r in SEED_ROWS]
    rows += [dict(r, form_id="b", rule="generous" if i == 1 else None)
             for i, r in enumerate(SEED_ROWS)]
    rows += [dict(r, form_id="c", rule="no-such-rule" if i == 2 else None)
             for i, r in enumerate(SEED_ROWS)]
    rows += [dict(r, form_id="d", rule="at-most" if i == 0 else None)  # on the 执行率 line
             for i, r in enumerate(SEED_ROWS)]
    bulk = assert_same(pa.Table.from_pylist(rows), "cn-mof-2020", reg)
    assert bulk == [True, False, False, True]


def test_an_empty_table(registry: perfrules.Registry) -> None:
    result = perfrules.score_table(to_table([]), registry=registry)
    assert result.lines.num_rows == 0 and result.forms.num_rows == 0
    assert "total" in result.forms.column_names


def test_names_are_trimmed_as_python_trims_them() -> None:
    """score_table trims names in Arrow with the characters Python's str.strip removes."""
    from perfrules._columnar import PY_SPACE

    assert set(PY_SPACE) == {chr(c) for c in range(0x110000) if chr(c).isspace()}
