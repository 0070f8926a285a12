"""The recogniser on small grids: one behaviour of real layouts per test."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

import perfrules
from perfrules.io.table import GridCell, Reading, read_grid, recognize

HEAD = ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
        "偏差原因分析及改进措施"]


def _letter(col: int) -> str:
    return chr(64 + col)


def grid(rows: list[list[Any]], percent: frozenset[tuple[int, int]] = frozenset()
         ) -> list[list[GridCell]]:
    return [[GridCell(v, f"S!{_letter(c)}{r}", (r, c) in percent)
             for c, v in enumerate(row, start=1)] for r, row in enumerate(rows, start=1)]


def read(rows: list[list[Any]], **kw: Any) -> Reading:
    return read_grid(grid(rows, **kw), "t.xlsx")


def line(name: str, target: Any = "≥90%", actual: Any = "95%", weight: Any = 45,
         score: Any = 45, label: Any = None, level1: Any = "产出指标", level2: Any = "数量指标",
         note: Any = None) -> list[Any]:
    return [label, level1, level2, name, target, actual, weight, score, note]


def kinds(reading: Reading) -> list[str]:
    return [k.kind for k in reading.rows]


# -- header rows --------------------------------------------------------------------------


@pytest.mark.parametrize("label", ["绩效指标", "年度绩效指标完成情况", "绩效指标完成情况"])
def test_label_repeated_on_every_row_is_no_second_header(label: str) -> None:
    """Word's vertical merge and flat exports repeat the left label on every data row."""
    head = [label, *HEAD[1:]]
    reading = read([head, line("培训人次", label=label), line("合格率", label=label, weight=55,
                                                           score=55)])
    assert [i.name for i in reading.form.indicators] == ["培训人次", "合格率"]
    assert reading.form.indicators[0].path == ("产出指标", "数量指标")
    assert reading.form.indicators[0].where("weight") == "S!G2"


def test_seed_layout_first_row_is_data_when_label_repeats() -> None:
    head = ["绩效指标", "指标名称", "计量单位", "指标性质", "指标值", "指标权重", "全年完成值",
            "指标得分", "说明"]
    rows = [head, ["绩效指标", "全年预算执行率", "%", "=", 100, 10, 99.64, 9.96, None],
            ["绩效指标", "开展安全检查次数", "次", "≥", 12, 90, 12, 90, None]]
    form = read(rows).form
    assert [i.name for i in form.indicators] == ["全年预算执行率", "开展安全检查次数"]
    assert all(i.path == () for i in form.indicators)  # 绩效指标 is a label, not a group


def test_two_row_header_only_when_the_second_row_is_header_words() -> None:
    rows = [["一级指标", "二级指标", "三级指标", "指标值", None, "分值", "完成值", "得分"],
            [None, None, None, "年初指标值", "全年指标值", None, None, None],
            ["产出指标", "数量指标", "新建站点", "≥8", "≥10", 100, 10, 100]]
    form = read(rows).form
    (ind,) = form.indicators
    assert ind.target == Decimal(10) and ind.where("target") == "S!E3"


def test_header_with_numbers_is_data() -> None:
    """A row that names columns but holds numbers is not a header."""
    rows = [HEAD, line("指标名称", weight=100, score=100)]
    assert [i.name for i in read(rows).form.indicators] == ["指标名称"]


# -- every row accounted for ----------------------------------------------------------------


def test_rows_are_classified_and_strays_are_skipped() -> None:
    rows = [
        HEAD,
        line("培训人次", weight=30, score=30),                                   # 2 indicator
        [None, None, None, "指标2：", None, None, None, None, None],             # 3 placeholder
        [None, None, "质量指标", None, None, None, None, None, None],           # 4 heading
        [None, None, None, "……", None, None, None, None, None],                # 5 placeholder
        ["/", "/", "/", "/", "/", "/", "/", "/", "/"],                          # 6 placeholder
        [None, None, None, None, None, None, None, None, "数据来源：台账"],      # 7 skipped
        [None, None, None, "其他事项", None, None, None, None, None],           # 8 skipped
        line("指标3：验收合格率", weight=70, score=70),                          # 9 indicator
        [None, None, None, None, 95, "98%", None, None, None],                  # 10 skipped
        ["总分", None, None, None, None, None, 100, 100, None],                 # 11 total
        ["注：1.得分保留两位小数。", None, None, None, None, None, None, None, None],  # 12 note
        ["填表人：张三", None, None, "联系电话：123", None, None, None, None, None],   # 13 end
        [None, None, None, "遗漏的指标", "≥1", 1, 5, 5, None],                  # 14 after the end
    ]
    reading = read(rows)
    assert [(k.index + 1, k.kind) for k in reading.rows] == [
        (2, "indicator"), (3, "placeholder"), (4, "heading"), (5, "placeholder"),
        (6, "placeholder"), (7, "skipped"), (8, "skipped"), (9, "indicator"), (10, "skipped"),
        (11, "total"), (12, "note"), (13, "end"), (14, "skipped")]
    form = reading.form
    assert [i.name for i in form.indicators] == ["培训人次", "验收合格率"]
    assert [s.where for s in form.skipped] == ["S!A7", "S!A8", "S!A10", "S!A14"]
    assert form.skipped[1].text == "其他事项"
    assert all(s.reason and s.reason_zh for s in form.skipped)
    assert form.reported_total == Decimal(100) and form.where("reported_total") == "S!H11"
    assert reading.block == (1, 13)


@pytest.mark.parametrize("word", ["填表人", "填报人", "联系电话", "单位负责人", "项目负责人",
                                  "财务负责人", "审核人", "评价结论", "存在问题", "改进措施"])
def test_sign_off_and_conclusions_end_the_table(word: str) -> None:
    rows = [HEAD, line("培训人次", weight=100, score=100), [f"{word}：", None, None, "x"],
            [None, None, None, "not read", None, None, None, None, "text"]]
    reading = read(rows)
    assert kinds(reading) == ["indicator", "end"] and reading.form.skipped == ()


def test_an_indicator_named_like_a_sign_off_word_is_data() -> None:
    rows = [HEAD, line("联系电话接通率", weight=100, score=100)]
    assert [i.name for i in read(rows).form.indicators] == ["联系电话接通率"]


def test_a_second_header_is_the_next_table_and_a_repeated_one_is_not() -> None:
    rows = [HEAD, line("甲", weight=50, score=50), HEAD, line("乙", weight=50, score=50),
            ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "权重", "完成值"],
            line("丙")]
    reading = read(rows)
    assert kinds(reading) == ["indicator", "header", "indicator", "end"]
    assert [i.name for i in reading.form.indicators] == ["甲", "乙"]


def test_group_heading_with_its_weight_is_not_a_line() -> None:
    rows = [HEAD, [None, "产出指标", None, None, None, None, 50, 48, None],
            line("甲", weight=50, score=48, level1=None, level2="数量指标"),
            [None, "效益指标", None, None, None, None, None, None, None],
            line("乙", level1=None, level2="社会效益指标", weight=50, score=50)]
    reading = read(rows)
    assert kinds(reading) == ["heading", "indicator", "heading", "indicator"]
    assert [i.path for i in reading.form.indicators] == [("产出指标", "数量指标"),
                                                         ("效益指标", "社会效益指标")]


def test_name_in_a_merged_second_level_cell() -> None:
    rows = [HEAD, [None, "满意度指标", "服务对象满意度", None, "≥90%", "95%", 100, 100, None]]
    (ind,) = read(rows).form.indicators
    assert ind.name == "服务对象满意度" and ind.path == ("满意度指标",)
    assert ind.where("name") == "S!C2"


# -- totals ---------------------------------------------------------------------------------


@pytest.mark.parametrize("at", [1, 2, 4])
@pytest.mark.parametrize("label", ["合计", "总分", "自评总分", "总 计"])
def test_total_wherever_its_label_sits(at: int, label: str) -> None:
    total: list[Any] = [None] * 9
    total[at - 1] = label
    total[6], total[7] = 100, 95.5
    form = read([HEAD, line("甲", weight=100, score=95.5), total]).form
    assert form.reported_total == Decimal("95.5") and form.where("reported_total") == "S!H3"
    assert [i.name for i in form.indicators] == ["甲"]


def test_total_of_a_dash_is_no_reported_total() -> None:
    form = read([["自评总分", "—"], HEAD, line("甲", weight=100, score=100),
                 ["合计", None, None, None, None, None, 100, "—"]]).form
    assert form.reported_total is None and form.problems == ()


def test_total_and_grade_from_the_head_and_below_the_table() -> None:
    form = read([["项目名称", "x", "自评总分（分）", 88], HEAD, line("甲", weight=100, score=88),
                 ["自评等级", "良"]]).form
    assert form.reported_total == Decimal(88) and form.where("reported_total") == "S!D1"
    assert form.reported_grade == "良"


# -- the fund block -------------------------------------------------------------------------

FUND_VARIANTS = [
    ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"),
    ("年初预算数", "调整后预算数", "实际执行数", "权重", "预算执行率", "执行率得分（分）"),
    ("年初预算数", "全年（调整）预算数", "预算执行数", "执行率权重", "执行率（B/A）", "得分"),
    ("年初预算数", "全年预算数（A）", "全年执行数（B）", "权重", "执行率（B/A）", "得分"),
    ("年初预算数", "全年预算数\n（A）", "全年执行数\n（B）", "分值", "执行率\n（B/A）", "得分"),
]


@pytest.mark.parametrize("heads", FUND_VARIANTS)
@pytest.mark.parametrize("label", ["项目资金（万元）", "部门预算执行情况（万元）", "预算执行情况"])
def test_fund_block_variants(heads: tuple[str, ...], label: str) -> None:
    rows = [[label, None, *heads],
            [None, "年度资金总额", 800, 800, 794.8, 10, 0.9935, 9.94],
            [None, "其中：当年财政拨款", 800, 800, 794.8, "—", "—", "—"],
            [None, "上年结转资金", None, None, None, "—", "—", "—"],
            HEAD, line("甲", weight=90, score=90)]
    form = read(rows, percent=frozenset({(2, 7)})).form
    fund, _ = form.indicators
    assert (fund.name, fund.budget, fund.executed, fund.weight, fund.actual, fund.unit,
            fund.reported_score) == ("预算执行率", Decimal(800), Decimal("794.8"),
                                     Decimal(10), Decimal("99.35"), "%", Decimal("9.94"))
    assert fund.where("executed") == "S!E2" and fund.where("name") == "S!B2"
    assert form.kind == ("department" if "部门" in label else "project")
    assert perfrules.score(form).lines[0].points == Decimal("9.94")
    assert perfrules.score(form).lines[0].kind == "execution-rate"


def test_fund_weight_from_the_block_label() -> None:
    rows = [["预算执行情况（10分）", "全年预算数", "全年执行数", "执行率", "得分"],
            ["年度资金总额", 200, 190, "95%", 9.5],
            HEAD, line("甲", weight=90, score=90)]
    fund = read(rows).form.indicators[0]
    assert fund.weight == Decimal(10) and fund.where("weight") == "S!A1"


def test_a_second_weighted_fund_row_is_skipped_not_lost() -> None:
    rows = [["项目资金", "全年预算数", "全年执行数", "分值", "得分"],
            ["年度资金总额", 200, 190, 10, 9.5],
            ["基本支出", 100, 100, 5, 5],
            HEAD, line("甲", weight=90, score=90)]
    form = read(rows).form
    assert [s.where for s in form.skipped] == ["S!A3"]


# -- cells ----------------------------------------------------------------------------------


@pytest.mark.parametrize("mark", ["—", "——", "-", "/", "／", "无", "N/A"])
def test_placeholders_in_cells_are_empty(mark: str) -> None:
    rows = [HEAD, line("甲", weight=100, score=mark, note=mark)]
    (ind,) = read(rows).form.indicators
    assert ind.reported_score is None and ind.note == "" and ind.problems == ()


def test_nan_in_a_cell_is_not_a_number_never_empty() -> None:
    rows = [HEAD, line("甲", weight=float("nan"), score=100)]
    (ind,) = read(rows).form.indicators
    (problem,) = ind.problems
    assert "not a number" in problem.message and problem.location == "S!G2"


def test_operators_in_both_cells_must_agree() -> None:
    head = ["一级指标", "三级指标", "指标性质", "指标值", "权重", "完成值", "得分"]
    rows = [head, ["产出指标", "甲", "≥", "≥90%", 50, "95%", 50],
            ["产出指标", "乙", "≤", "≥90%", 50, "95%", 50]]
    first, second = read(rows).form.indicators
    assert first.nature == "≥" and first.problems == ()
    (problem,) = second.problems
    assert problem.code == "nature-conflict" and "S!C3" in problem.message
    assert "S!D3" in problem.message
    with pytest.raises(perfrules.FormError, match="S!C3"):
        perfrules.score(read(rows).form)


def test_percent_cells_exact_in_any_decimal_context() -> None:
    import decimal

    rows = [HEAD, line("甲", target="≥90%", actual=0.9345, weight=100, score=100)]
    with decimal.localcontext() as ctx:
        ctx.prec = 3
        (ind,) = read(rows, percent=frozenset({(2, 6)})).form.indicators
    assert ind.actual == Decimal("93.45")


def test_recognize_is_read_grid_form() -> None:
    rows = grid([HEAD, line("甲", weight=100, score=100)])
    assert recognize(rows, "x") == read_grid(rows, "x").form


def test_serial_numbers_left_in_empty_template_rows_are_placeholders() -> None:
    head = ["序号", "一级指标", "二级指标", "三级指标", "指标值", "分值", "完成值", "得分"]
    rows = [head, [1, "产出指标", "数量指标", "甲", "≥1", 100, 1, 100], [2, None, None, None],
            [3, None, None, None, None, None, None, None]]
    reading = read(rows)
    assert kinds(reading) == ["indicator", "placeholder", "placeholder"]
    assert reading.form.skipped == ()


# -- reports show the rows not read ------------------------------------------------------------


def _form_with_a_stray_row() -> perfrules.Form:
    rows = [HEAD, line("甲", weight=100, score=100),
            [None, None, None, None, None, None, None, None, "<b>数据来源</b>：台账"]]
    return read(rows).form


def test_text_report_lists_skipped_rows_with_explain() -> None:
    from perfrules.io.reports import render_text

    report = perfrules.score(_form_with_a_stray_row())
    text = render_text(report, explain=True)
    assert "未读入的行（1）" in text and "S!A3" in text and "数据来源" in text
    assert "该行没有指标名称" in text
    english = render_text(report, explain=True, lang="en")
    assert "rows not read (1)" in english and "no indicator name" in english
    assert "1 行未读入" in render_text(report)


def test_html_report_lists_skipped_rows_escaped() -> None:
    from perfrules.io.render import HtmlWriter

    html = HtmlWriter().write(perfrules.score(_form_with_a_stray_row())).decode("utf-8")
    assert "未读入的行" in html and "S!A3" in html
    assert "&lt;b&gt;数据来源&lt;/b&gt;" in html and "<b>数据来源" not in html


def test_reports_say_nothing_when_no_row_was_skipped() -> None:
    from perfrules.io.reports import render_text

    report = perfrules.score(read([HEAD, line("甲", weight=100, score=100)]).form)
    assert "未读入" not in render_text(report, explain=True)


def test_fund_block_below_the_table() -> None:
    rows = [HEAD, line("甲", weight=90, score=90),
            ["项目资金（万元）", None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
            [None, "年度资金总额", 100, 100, 95, 10, "95%", 9.5]]
    reading = read(rows)
    fund, ind = reading.form.indicators
    assert fund.name == "预算执行率" and fund.where("executed") == "S!E4"
    assert perfrules.score(reading.form).lines[0].kind == "execution-rate"
    assert ind.name == "甲" and [k.kind for k in reading.rows] == ["indicator", "end"]


@pytest.mark.parametrize("head", [
    ["年度绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值（A）", "实际完成值（B）", "分值",
     "得分", "未完成原因分析"],
    ["绩效指标", "一级指标", "二级指标", "指标内容", "全年指标值", "全年完成值", "权重（%）",
     "自评得分（分）", "扣分原因"],
    [None, "一级指标", "二级指标", "三级指标", "目标值", "实际值", "标准分", "实际得分", "备注"],
    ["年度绩效指标完成情况", "一级指标", "二级指标", "三级指标", "预期指标值", "实际完成指标值",
     "指标分值", "评价得分", "偏差原因分析及整改措施"],
])
def test_header_spellings_of_published_forms(head: list[Any]) -> None:
    label = head[0]
    form = read([head, line("甲", label=label, weight=100, score=98, note="说明文字")]).form
    (ind,) = form.indicators
    assert (ind.target, ind.actual, ind.weight, ind.reported_score, ind.note) == (
        Decimal(90), Decimal(95), Decimal(100), Decimal(98), "说明文字")
    assert ind.where("weight") == "S!G2" and ind.path == ("产出指标", "数量指标")
