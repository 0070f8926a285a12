"""The layout corpus: forms laid out as units publish and send them in.

Each builder returns a :class:`Case`: the :data:`tests.gridspec.Layout` (what
``tests/fileformats.py`` writes as .xlsx/.docx/.xls/.csv/PDF) and what a
reader must find in it — every indicator with the cell of each field, the
reported total and its cell, the rows kept as skipped, the score. The
expectations are written down by hand from the form, never computed by
perfrules.

Coordinates are 1-based (row, column) inside ``Sheet.rows``; paragraphs above
the table are not counted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Optional

import perfrules

from .gridspec import Layout, Sheet

# -- what a reader must find --------------------------------------------------------


@dataclass
class Line:
    """One indicator as the form writes it: canonical values as text, and their cells."""

    name: str
    values: dict[str, str]
    row: int
    cols: dict[str, int]
    path: tuple[str, ...] = ()
    #: fields whose cell is not on ``row``: field -> (row, col) (a fund block on its side)
    at: dict[str, tuple[int, int]] = field(default_factory=dict)


@dataclass
class Expect:
    title: str
    year: Optional[int]
    kind: str
    organization: str
    lines: list[Line]
    #: the total the form reports and its cell, or None
    reported_total: Optional[str] = None
    total_cell: Optional[tuple[int, int]] = None
    reported_grade: Optional[str] = None
    #: rows kept as skipped: (row, a piece of the row's text)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    #: the score perfrules must compute (cn-mof-2020)
    total: Optional[str] = None
    #: engine behaviour this case needs beyond reading (DESIGN.md §3 "What real forms write")
    needs: tuple[str, ...] = ()
    #: the form's own name (项目名称, or 单位名称 of a 部门整体 form)
    name: str = ""
    #: sheets of the layout that are no form (a data dictionary, a code table): skipped,
    #: and said in the form's skipped rows
    not_forms: tuple[str, ...] = ()
    #: sheets with no table at all (a cover, instructions): skipped without a word
    covers: tuple[str, ...] = ()
    #: group headings that carry their subtotal: (path, weight)
    groups: list[tuple[tuple[str, ...], str]] = field(default_factory=list)


@dataclass
class Case:
    name: str
    layout: Layout
    expect: Expect
    #: the sheet of the layout that holds the form
    sheet: int = 0
    #: further forms of the same sheet, in order (a system export of many projects)
    others: list[Expect] = field(default_factory=list)


class _Builder:
    """Rows of a sheet, written in order, remembering where each value went."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.rows: list[list[Any]] = []
        self.merges: list[tuple[int, int, int, int]] = []
        self.percent: set[tuple[int, int]] = set()

    @property
    def next(self) -> int:
        return len(self.rows) + 1

    def row(self, *cells: Any, percent: tuple[int, ...] = ()) -> int:
        values = list(cells) + [None] * (self.width - len(cells))
        self.rows.append(values)
        r = len(self.rows)
        for c in percent:
            self.percent.add((r, c))
        return r

    def merge(self, r1: int, c1: int, r2: int, c2: int) -> None:
        if (r1, c1) != (r2, c2):
            self.merges.append((r1, c1, r2, c2))

    def sheet(self, name: str, paragraphs: Optional[list[str]] = None) -> Sheet:
        """The sheet; a merged range keeps only its first cell's value, as in a real file."""
        for r1, c1, r2, c2 in self.merges:
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    if (r, c) != (r1, c1):
                        self.rows[r - 1][c - 1] = None
        return Sheet(name=name, rows=self.rows, merges=self.merges, percent=self.percent,
                     paragraphs=paragraphs or [])


def _pct(value: float) -> float:
    """How Excel stores a percentage typed as 97%: the nearest binary float to 0.97."""
    return float(Decimal(repr(value)).scaleb(-2))


# -- 财预〔2020〕10号 项目支出绩效自评表, as issued ------------------------------------

_GOAL = ("完成社区工作者培训500人次，新建社区服务站点8个，提升社区公共服务覆盖面和居民满意度。",
         "培训社区工作者526人次，新建站点8个，居民服务覆盖率85%，居民满意度93%。")


def _mof_fund_block(b: _Builder, *, budget: int, executed: float, rate: float,
                    score: float) -> tuple[int, dict[str, int]]:
    """The fund block of the 10号 template: 年度资金总额 and the 其中 rows with '—'."""
    head = b.row("项目资金（万元）", None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率",
                 "得分")
    fund = b.row(None, "年度资金总额", budget, budget, executed, 10, rate, score, percent=(7,))
    b.row(None, "其中：当年财政拨款", budget, budget, executed, "—", "—", "—")
    b.row(None, "上年结转资金", None, None, None, "—", "—", "—")
    last = b.row(None, "其他资金", None, None, None, "—", "—", "—")
    b.merge(head, 1, last, 1)
    return fund, {"budget": 4, "executed": 5, "weight": 6, "actual": 7, "reported_score": 8}


#: 10号 indicators: (一级, 二级, 三级, 年度指标值, 实际完成值, 分值, 得分, 偏差原因)
PROJECT_LINES: list[tuple[str, str, str, str, Any, Any, Any, Optional[str]]] = [
    ("产出指标", "数量指标", "培训社区工作者人次", "≥500人次", 526, 10, 10, None),
    ("产出指标", "数量指标", "新建社区服务站点数", "≥8个", 8, 10, 10, None),
    ("产出指标", "质量指标", "培训考核合格率", "≥95%", "97%", 10, 10, None),
    ("产出指标", "时效指标", "项目按期完成率", "=100%", "100%", 10, 10, None),
    ("产出指标", "成本指标", "站点建设单位成本", "≤20万元", 19.5, 10, 10, None),
    ("效益指标", "社会效益指标", "社区居民服务覆盖率", "≥90%", "85%", 15, 14.17,
     "部分站点下半年才投入使用，覆盖率未达预期；下年度加快站点运营。"),
    ("效益指标", "可持续影响指标", "社区服务站点持续运营年限", "≥5年", 5, 15, 15, None),
    ("满意度指标", "服务对象满意度指标", "社区居民满意度", "≥90%", "93%", 10, 10, None),
]


def mof_2020_project(*, title: str = "项目支出绩效自评表", sheet: str = "项目支出绩效自评表",
                     project: str = "城乡社区公共服务能力提升项目",
                     total_score: Optional[float] = 98.89) -> Case:
    """The 财预〔2020〕10号 项目支出绩效自评表 as issued, filled in by a unit.

    Title and year rows, 项目名称/主管部门/实施单位, the fund block (年度资金总额 and
    其中 rows with '—'), 年度总体目标, the indicator table with 绩效指标 merged down
    its left, 一级 and 二级 merged over their lines, a 二级 left empty with '/', the
    总分 row with its label merged over A:F, a sign-off row.
    """
    b = _Builder(10)
    t = b.row(title)
    b.merge(t, 1, t, 10)
    y = b.row("（2023年度）")
    b.merge(y, 1, y, 10)
    p = b.row("项目名称", project)
    b.merge(p, 2, p, 10)
    o = b.row("主管部门", "重庆市某区民政局", None, None, None, "实施单位", "某区某街道办事处")
    b.merge(o, 2, o, 5)
    b.merge(o, 7, o, 10)
    fund_row, fund_cols = _mof_fund_block(b, budget=300, executed=291.6, rate=0.972, score=9.72)
    g1 = b.row("年度总体目标", "预期目标", None, None, None, "实际完成情况")
    g2 = b.row(None, _GOAL[0], None, None, None, _GOAL[1])
    b.merge(g1, 1, g2, 1)
    b.merge(g1, 2, g1, 5)
    b.merge(g1, 6, g1, 10)
    b.merge(g2, 2, g2, 5)
    b.merge(g2, 6, g2, 10)
    head = b.row("绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值",
                 "得分", "偏差原因分析及改进措施")
    b.merge(head, 9, head, 10)
    lines = [Line("预算执行率", {"budget": "300", "executed": "291.6", "weight": "10",
                                 "actual": "97.2", "unit": "%", "reported_score": "9.72"},
                  fund_row, fund_cols)]
    cols = {"name": 4, "target": 5, "actual": 6, "weight": 7, "reported_score": 8, "note": 9}
    spans: dict[str, list[int]] = {}
    sub: dict[tuple[str, str], list[int]] = {}
    for level1, level2, name, target, actual, weight, score, note in PROJECT_LINES:
        if level2 == "可持续影响指标":  # the 经济/生态效益 rows the unit left empty
            placeholder = b.row(None, None, "经济效益指标", "/", "/", "/", "/", "/", "/")
            spans.setdefault(level1, []).append(placeholder)
            b.merge(placeholder, 9, placeholder, 10)
        r = b.row(None, level1, level2, name, target,
                  _pct(float(actual[:-1])) if isinstance(actual, str) else actual, weight,
                  score, note, percent=(6,) if isinstance(actual, str) else ())
        b.merge(r, 9, r, 10)
        spans.setdefault(level1, []).append(r)
        sub.setdefault((level1, level2), []).append(r)
        op, number, unit = _split(target)
        values = {"nature": op, "target": number, "weight": str(weight),
                  "actual": actual[:-1] if isinstance(actual, str) else str(actual),
                  "reported_score": str(score)}
        if unit:
            values["unit"] = unit
        if note:
            values["note"] = note
        lines.append(Line(name, values, r, cols, (level1, level2)))
    for rows in spans.values():
        b.merge(rows[0], 2, rows[-1], 2)
    for rows in sub.values():
        b.merge(rows[0], 3, rows[-1], 3)
    b.merge(head, 1, max(max(r) for r in spans.values()), 1)
    total = b.row("总分", None, None, None, None, None, 100, total_score)
    b.merge(total, 1, total, 6)
    b.merge(total, 9, total, 10)
    sign = b.row("填表人：张敏", None, None, "联系电话：023-68000000", None, None, "填报日期：2024年3月15日")
    b.merge(sign, 1, sign, 3)
    layout = [b.sheet(sheet)]
    reported = None if total_score is None else str(total_score)
    expect = Expect(title=title, year=2023, kind="project", organization="重庆市某区民政局",
                    name=project, lines=lines, reported_total=reported,
                    total_cell=None if total_score is None else (total, 8), total="98.89",
                    skipped=[])
    return Case("mof-2020-project", layout, expect)


def blank_total_score() -> Case:
    """The 10号 form with its 总分 row's 得分 cell left blank: the unit reports no total
    (the 分值 column's 100 in that row is no total score)."""
    case = mof_2020_project(total_score=None)
    return Case("blank-total-score", case.layout, case.expect)


def _split(target: str) -> tuple[str, str, str]:
    """(operator, number, unit) of a target cell such as ≥500人次 — the test's own reading."""
    op = target[0]
    rest = target[1:]
    number = "".join(ch for ch in rest if ch.isdigit() or ch == ".")
    return op, number, rest[len(number):]


# -- 部门整体支出绩效自评表, Chongqing layout (the seed) ----------------------------------

SEED_TITLE = "香炉山街道2022年度部门整体绩效自评表"


def _seed() -> list[dict[str, str]]:
    data: list[dict[str, str]] = json.loads(perfrules.example_path().read_text("utf-8"))["indicators"]
    return data


def _excel_number(text: str) -> Any:
    return int(text) if text.isdigit() else float(text)


def chongqing_department() -> Case:
    """The seed: 部门整体 form of a Chongqing street office, 绩效指标 merged down column A,
    联系人/联系电话 in the head, 当年绩效目标 rows, a note under the table."""
    b = _Builder(9)
    b.row("附件1")
    t = b.row(SEED_TITLE)
    b.merge(t, 1, t, 9)
    h = b.row("主管部门", "重庆高新区香炉山街道办事处", None, None, "部门", None, "自评总分\n（分）",
              99.96)
    b.merge(h, 2, h, 4)
    b.row("联系人", "（联系人略）", None, None, "联系电话", "（电话略）")
    g = b.row("当年绩效\n目标", "年初绩效目标", None, None, "全年（调整）绩效目标", None,
              "全年目标实际完成情况")
    b.row(None, "保障街道机关及7个社区组织日常运转", None, None, "同年初目标", None, "全部完成")
    b.merge(g, 1, g + 1, 1)
    head = b.row("绩效指标", "指标名称", "计量\n单位", "指标\n性质", "指标值", "指标权重\n（分）",
                 "全年\n完成值", "指标得分\n（分）", "说明")
    cols = {"name": 2, "unit": 3, "nature": 4, "target": 5, "weight": 6, "actual": 7,
            "reported_score": 8, "note": 9}
    lines = []
    for ind in _seed():
        qual = ind["nature"] == "定性"
        r = b.row(None, ind["name"], ind.get("unit"), ind["nature"],
                  ind["target"] if qual else _excel_number(ind["target"]),
                  _excel_number(ind["weight"]),
                  ind["actual"] if qual else _excel_number(ind["actual"]),
                  _excel_number(ind["reported_score"]))
        values = {k: ind[k] for k in ("nature", "target", "weight", "actual", "reported_score")}
        if ind.get("unit"):
            values["unit"] = ind["unit"]
        lines.append(Line(ind["name"], values, r, cols))
    b.merge(head, 1, lines[-1].row, 1)
    b.row("注：指标得分保留两位小数。")
    expect = Expect(title=SEED_TITLE, year=2022, kind="department",
                    organization="重庆高新区香炉山街道办事处", lines=lines,
                    reported_total="99.96", total_cell=(h, 8), total="99.96")
    return Case("chongqing-department", [b.sheet("自评表")], expect)


# -- Sichuan-style flat system export ----------------------------------------------------

SICHUAN_LINES = [
    ("产出指标", "数量指标", "维修改造农村道路里程", "≥", "≥12", "公里", 20, 12.5, 20),
    ("产出指标", "质量指标", "工程验收合格率", "≥", "≥95%", "%", 15, "100%", 15),
    ("产出指标", "时效指标", "工程按期完工率", "=", "=100%", "%", 10, "100%", 10),
    ("产出指标", "成本指标", "每公里改造成本", "≤", "≤60", "万元", 5, 58.2, 5),
    ("效益指标", "社会效益指标", "受益群众人数", "≥", "≥8000", "人", 15, 8200, 15),
    ("效益指标", "可持续影响指标", "道路设计使用年限", "≥", "≥10", "年", 15, 10, 15),
    ("满意度指标", "服务对象满意度指标", "沿线群众满意度", "≥", "≥90%", "%", 10, "88%", 9.78),
]


def sichuan_flat_export() -> Case:
    """A Sichuan-style flat export of the 预算管理一体化 system: no merges at all, one header
    row, 绩效指标 and the 一级/二级 names repeated on every row, a 指标性质 column
    and the operator in the target too (≥ and ≥95%)."""
    b = _Builder(11)
    b.row("2023年度项目支出绩效自评表")
    b.row("项目名称", "农村公路提档升级项目", None, None, "主管部门", "某县交通运输局", None,
          "实施单位", "某县农村公路服务中心")
    b.row("项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")
    fund = b.row("年度资金总额", 750, 800, 776, 10, 0.97, 9.7, percent=(6,))
    b.row("其中：当年财政拨款", 750, 800, 776, "—", "—", "—")
    b.row("上年结转资金", None, None, None, "—", "—", "—")
    b.row("年度总体目标", "完成农村道路提档升级12公里")
    b.row("绩效指标", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "权重",
          "实际完成值", "得分", "偏差原因分析及改进措施")
    cols = {"name": 4, "nature": 5, "target": 6, "unit": 7, "weight": 8, "actual": 9,
            "reported_score": 10, "note": 11}
    lines = [Line("预算执行率", {"budget": "800", "executed": "776", "weight": "10",
                                 "actual": "97", "unit": "%", "reported_score": "9.7"},
                  fund, {"budget": 3, "executed": 4, "weight": 5, "actual": 6,
                         "reported_score": 7})]
    for level1, level2, name, op, target, unit, weight, actual, score in SICHUAN_LINES:
        note = "受春节返乡影响，部分群众未参与调查" if name == "沿线群众满意度" else None
        r = b.row("绩效指标", level1, level2, name, op, target, unit, weight, actual, score, note)
        values = {"nature": op, "target": target.lstrip("≥≤=").rstrip("%"), "unit": unit,
                  "weight": str(weight), "actual": str(actual).rstrip("%"),
                  "reported_score": str(score)}
        if note:
            values["note"] = note
        lines.append(Line(name, values, r, cols, (level1, level2)))
    total = b.row("合计", None, None, None, None, None, None, 100, None, 99.48)
    b.row("填报人：李华", None, None, "联系电话：0838-2200000")
    expect = Expect(title="2023年度项目支出绩效自评表", year=2023, kind="project",
                    organization="某县交通运输局",
                    name="农村公路提档升级项目", lines=lines, reported_total="99.48",
                    total_cell=(total, 10), total="99.48")
    return Case("sichuan-flat-export", [b.sheet("Sheet1")], expect)


# -- Anhui-style export: two-row header, (A)/(B)/(B/A), 权重 -------------------------------

ANHUI_LINES = [
    ("产出指标", "数量指标", "资助困难学生人数", "正向指标", 1200, 1200, "人", 25, 1236, 25),
    ("产出指标", "质量指标", "资助资金足额发放率", "正向指标", "95%", "100%", "%", 15, "100%", 15),
    ("产出指标", "时效指标", "资金发放及时率", "正向指标", "100%", "100%", "%", 10, "100%", 10),
    ("效益指标", "社会效益指标", "因贫辍学学生人数", "反向指标", 0, 0, "人", 20, 0, 20),
    ("满意度指标", "服务对象满意度指标", "受助学生满意度", "正向指标", "90%", "90%", "%", 20, "95%",
     20),
]


def anhui_export() -> Case:
    """An Anhui-style export: fund block with 全年预算数（A）/全年执行数（B）/执行率（B/A）
    and a 权重 column, a two-row indicator header (指标值 over 年初/全年指标值) whose
    single-row headers are merged down, 指标性质 正向指标/反向指标 with the number alone."""
    b = _Builder(11)
    t = b.row("2023年度项目支出绩效自评表")
    b.merge(t, 1, t, 11)
    p = b.row("项目名称", "家庭经济困难学生资助项目", None, None, None, None, "主管部门", "某市教育局")
    b.merge(p, 2, p, 6)
    h = b.row("预算执行情况（万元）", None, "年初预算数", "全年预算数（A）", "全年执行数（B）", "权重",
              "执行率（B/A）", "得分")
    fund = b.row(None, "年度资金总额", 360, 360, 349.2, 10, 0.97, 9.7, percent=(7,))
    last = b.row(None, "其中：财政拨款", 360, 360, 349.2, "—", "—", "—")
    b.merge(h, 1, last, 1)
    h1 = b.row("一级指标", "二级指标", "三级指标", "指标性质", "指标值", None, "计量单位", "权重",
               "实际完成值", "得分", "偏差原因分析及改进措施")
    h2 = b.row(None, None, None, None, "年初指标值", "全年指标值")
    for c in (1, 2, 3, 4, 7, 8, 9, 10, 11):
        b.merge(h1, c, h2, c)
    b.merge(h1, 5, h1, 6)
    cols = {"name": 3, "nature": 4, "target": 6, "unit": 7, "weight": 8, "actual": 9,
            "reported_score": 10, "note": 11}
    lines = [Line("预算执行率", {"budget": "360", "executed": "349.2", "weight": "10",
                                 "actual": "97", "unit": "%", "reported_score": "9.7"},
                  fund, {"budget": 4, "executed": 5, "weight": 6, "actual": 7,
                         "reported_score": 8})]
    groups: dict[str, list[int]] = {}
    for level1, level2, name, nature, first, target, unit, weight, actual, score in ANHUI_LINES:
        r = b.row(level1 if level1 not in groups else None, level2, name, nature, first, target,
                  unit, weight, actual, score)
        groups.setdefault(level1, []).append(r)
        values = {"nature": "≥" if nature == "正向指标" else "≤",
                  "target": str(target).rstrip("%"), "unit": unit, "weight": str(weight),
                  "actual": str(actual).rstrip("%"), "reported_score": str(score)}
        lines.append(Line(name, values, r, cols, (level1, level2)))
    for rows in groups.values():
        b.merge(rows[0], 1, rows[-1], 1)
    total = b.row("合计", None, None, None, None, None, None, 100, None, 99.7)
    b.merge(total, 1, total, 7)
    b.row("自评等级", "优")
    expect = Expect(title="2023年度项目支出绩效自评表", year=2023, kind="project",
                    organization="某市教育局",
                    name="家庭经济困难学生资助项目", lines=lines, reported_total="99.7",
                    total_cell=(total, 10), reported_grade="优", total="99.70")
    return Case("anhui-export", [b.sheet("绩效自评")], expect)


# -- a template partly filled: placeholders, 指标2： rows, notes ---------------------------


def placeholders_and_notes() -> Case:
    """A 10号 form as many units send it: 指标2：/…… rows left from the template, rows of
    '/', '—' in cells, '无' as 偏差原因, a 自评总分 of '—', notes below the total, and
    one stray row in the table that is none of these (kept as skipped)."""
    b = _Builder(9)
    b.row("2024年度项目支出绩效自评表")
    b.row("项目名称", "老旧小区改造项目", None, None, "主管部门", "某区住房和城乡建设委员会")
    b.row("自评总分", "—", None, None, "自评等级", "—")
    head = b.row("绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值",
                 "得分", "偏差原因分析及改进措施")
    cols = {"name": 4, "target": 5, "actual": 6, "weight": 7, "reported_score": 8, "note": 9}
    lines: list[Line] = []
    skipped: list[tuple[int, str]] = []

    def line(level1: Optional[str], level2: Optional[str], name: str, target: str, actual: Any,
             weight: int, score: Any, note: Optional[str] = "无",
             values: Optional[dict[str, str]] = None, path: tuple[str, str] = ("", "")) -> None:
        r = b.row(None, level1, level2, name, target, actual, weight, score, note)
        lines.append(Line(name, values or {}, r, cols, path))

    line("产出指标", "数量指标", "改造老旧小区个数", "≥12个", 12, 30, 30,
         values={"nature": "≥", "target": "12", "unit": "个", "actual": "12", "weight": "30",
                 "reported_score": "30"}, path=("产出指标", "数量指标"))
    b.row(None, None, None, "指标2：")
    b.row(None, None, "质量指标", "竣工验收合格率", "≥95%", "98%", 30, 30, "—")
    lines.append(Line("竣工验收合格率", {"nature": "≥", "target": "95", "unit": "%",
                                         "actual": "98", "weight": "30", "reported_score": "30"},
                      b.next - 1, cols, ("产出指标", "质量指标")))
    b.row(None, None, None, "……")
    b.row(None, None, "时效指标", "/", "/", "/", "/", "/", "/")
    skipped.append((b.row(None, None, None, None, None, None, None, None,
                          "（以上数据来源：区住建委工程台账）"), "以上数据来源"))
    line("效益指标", "社会效益指标", "受益居民户数", "≥3000户", 3150, 30, 30,
         values={"nature": "≥", "target": "3000", "unit": "户", "actual": "3150", "weight": "30",
                 "reported_score": "30"}, path=("效益指标", "社会效益指标"))
    b.row(None, None, "经济效益指标", "指标1：", None, None, None, None, None)
    b.row(None, None, "生态效益指标", "—", "—", "—", "—", "—", "—")
    line("满意度指标", "服务对象满意度指标", "改造小区居民满意度", "≥90%", "86%", 10, 9.56,
         "个别小区施工期较长，影响居民出行",
         values={"nature": "≥", "target": "90", "unit": "%", "actual": "86", "weight": "10",
                 "reported_score": "9.56", "note": "个别小区施工期较长，影响居民出行"},
         path=("满意度指标", "服务对象满意度指标"))
    b.merge(head, 1, b.next - 1, 1)
    total = b.row("总分", None, None, None, None, None, 100, "—")
    b.merge(total, 1, total, 6)
    b.row("注：1.偏差原因分析应说明未完成原因；2.得分保留两位小数。")
    b.row("说明：本表由项目实施单位填报。")
    expect = Expect(title="2024年度项目支出绩效自评表", year=2024, kind="project",
                    organization="某区住房和城乡建设委员会",
                    name="老旧小区改造项目", lines=lines, skipped=skipped,
                    total="99.56")
    return Case("placeholders-and-notes", [b.sheet("自评表")], expect)


# -- 定性 actuals as free text --------------------------------------------------------------


def qualitative_free_text() -> Case:
    """A 部门整体 form whose 定性 lines are answered in words units write (有效, 达成预期指标,
    效果明显, a sentence) with the judged score in the 得分 column."""
    b = _Builder(9)
    b.row("某区司法局2023年度部门整体绩效自评表")
    b.row("部门名称", "某区司法局", None, None, "自评总分", 97.6)
    b.row("一级指标", "二级指标", "三级指标", "指标性质", "指标值", "分值", "完成值", "得分", "说明")
    cols = {"name": 3, "nature": 4, "target": 5, "weight": 6, "actual": 7, "reported_score": 8,
            "note": 9}
    rows = [
        ("产出指标", "数量指标", "预算执行率", "≥", "100%", 10, "98%", 9.8),
        ("产出指标", "数量指标", "开展法治宣传活动场次", "≥", "24场", 20, "26场", 20),
        ("产出指标", "质量指标", "人民调解成功率", "≥", "95%", 20, "97%", 20),
        ("效益指标", "社会效益指标", "群众法治意识", "定性", "明显提升", 15, "有效", 14),
        ("效益指标", "社会效益指标", "矛盾纠纷化解成效", "定性", "达到预期", 15, "达成预期指标", 15),
        ("效益指标", "可持续影响指标", "公共法律服务体系建设",
         "定性", "持续完善", 10, "全区建成公共法律服务站点32个，服务体系进一步完善", 8.8),
        ("满意度指标", "服务对象满意度指标", "群众满意度", "≥", "90%", 10, "95%", 10),
    ]
    lines = []
    for level1, level2, name, nature, target, weight, actual, score in rows:
        r = b.row(level1, level2, name, nature, target, weight, actual, score)
        values = {"nature": nature, "weight": str(weight), "reported_score": str(score)}
        for key, text in (("target", target), ("actual", actual)):
            digits = "".join(ch for ch in text if ch.isdigit())
            values[key] = digits if nature != "定性" and digits else text
        if nature != "定性":
            values["unit"] = target.lstrip("0123456789")
        lines.append(Line(name, values, r, cols, (level1, level2)))
    expect = Expect(title="某区司法局2023年度部门整体绩效自评表", year=2023, kind="department",
                    organization="某区司法局", name="某区司法局", lines=lines, reported_total="97.6",
                    total_cell=(2, 6), total="97.60", needs=("qualitative-free-text",))
    return Case("qualitative-free-text", [b.sheet("自评表")], expect)


# -- 合计 merged over A:D ---------------------------------------------------------------------


def total_merged_left() -> Case:
    """A 部门整体 form whose 合计 label is merged over A:D with the score in the 得分 column,
    the grade in the row below, 部门预算执行情况（万元） as its fund block."""
    b = _Builder(9)
    b.row("某镇人民政府2023年度部门整体支出绩效自评表")
    b.row("部门（单位）名称", "某镇人民政府")
    h = b.row("部门预算执行情况（万元）", None, "年初预算数", "全年预算数", "全年执行数", "分值",
              "执行率", "得分")
    fund = b.row(None, "年度资金总额", 5000, 5200, 5148, 10, 0.99, 9.9, percent=(7,))
    b.row(None, "其中：基本支出", 3000, 3100, 3100, "—", "—", "—")
    last = b.row(None, "项目支出", 2000, 2100, 2048, "—", "—", "—")
    b.merge(h, 1, last, 1)
    b.row("一级指标", "二级指标", "三级指标", "计量单位", "指标值", "权重", "实际完成值", "得分",
                 "偏差原因分析及改进措施")
    cols = {"name": 3, "unit": 4, "target": 5, "weight": 6, "actual": 7, "reported_score": 8,
            "note": 9}
    rows = [
        ("产出指标", "数量指标", "农村人居环境整治村数", "个", "≥15", 30, 15, 30),
        ("产出指标", "时效指标", "重点项目按时完工率", "%", "≥95%", 20, "96%", 20),
        ("效益指标", "社会效益指标", "农村生活垃圾有效治理率", "%", "≥90%", 20, "92%", 20),
        ("效益指标", "生态效益指标", "森林覆盖率", "%", "≥52%", 10, "51%", 9.81),
        ("满意度指标", "服务对象满意度指标", "辖区群众满意度", "%", "≥90%", 10, "91%", 10),
    ]
    lines = [Line("预算执行率", {"budget": "5200", "executed": "5148", "weight": "10",
                                 "actual": "99", "unit": "%", "reported_score": "9.9"},
                  fund, {"budget": 4, "executed": 5, "weight": 6, "actual": 7,
                         "reported_score": 8})]
    groups: dict[str, list[int]] = {}
    for level1, level2, name, unit, target, weight, actual, score in rows:
        pct = isinstance(actual, str)
        r = b.row(level1 if level1 not in groups else None, level2, name, unit, target, weight,
                  _pct(float(actual[:-1])) if pct else actual, score, percent=(7,) if pct else ())
        groups.setdefault(level1, []).append(r)
        values = {"nature": "≥", "target": target.strip("≥%"), "unit": unit, "weight": str(weight),
                  "actual": actual[:-1] if pct else str(actual), "reported_score": str(score)}
        lines.append(Line(name, values, r, cols, (level1, level2)))
    for rows_ in groups.values():
        b.merge(rows_[0], 1, rows_[-1], 1)
    total = b.row("合计", None, None, None, None, 100, None, 99.71)
    b.merge(total, 1, total, 4)
    b.row("自评等级", "优")
    b.row("单位负责人：王强", None, None, "财务负责人：刘芳", None, None, "填表人：陈静")
    expect = Expect(title="某镇人民政府2023年度部门整体支出绩效自评表", year=2023,
                    kind="department", organization="某镇人民政府", name="某镇人民政府", lines=lines,
                    reported_total="99.71", total_cell=(total, 8), reported_grade="优",
                    total="99.71")
    return Case("total-merged-left", [b.sheet("Sheet1")], expect)


# -- natures as units write them ---------------------------------------------------------------


def natures_as_written() -> Case:
    """指标性质 written 定量 / 定量指标 / 正向 / 反向 / 反向指标 / ≥ with the operator in the
    target, in both places, or nowhere but the direction: '=100%' typed as text, 95%以上."""
    b = _Builder(10)
    b.row("某区文化馆2023年度项目支出绩效自评表")
    b.row("项目名称", "公共文化服务提升项目", None, None, "主管部门", "某区文化和旅游委员会")
    b.row("一级指标", "二级指标", "三级指标", "指标性质", "指标值", "计量单位", "分值", "实际完成值",
          "得分", "说明")
    cols = {"name": 3, "nature": 4, "target": 5, "unit": 6, "weight": 7, "actual": 8,
            "reported_score": 9, "note": 10}
    rows = [
        ("产出指标", "数量指标", "开展公益培训场次", "定量", "≥20", "场", 20, 22, 20,
         ("≥", "20", "22")),
        ("产出指标", "质量指标", "场馆设备完好率", "定量指标", "=100%", "%", 20, "100%", 20,
         ("=", "100", "100")),
        ("产出指标", "时效指标", "群众投诉办结时限", "反向", 10, "天", 15, 8, 15,
         ("≤", "10", "8")),
        ("产出指标", "成本指标", "单场活动平均成本", "反向指标", "≤2万元", "万元", 15, 2.2, 13.64,
         ("≤", "2", "2.2")),
        ("效益指标", "社会效益指标", "群众参与率", "正向", "95%以上", "%", 15, "93%", 14.68,
         ("≥", "95", "93")),
        ("满意度指标", "服务对象满意度指标", "参与群众满意度", "≥", "≥90%", "%", 15, "96%", 15,
         ("≥", "90", "96")),
    ]
    lines = []
    for level1, level2, name, nature, target, unit, weight, actual, score, want in rows:
        note = "场地租金上涨，下年度优化活动组织方式" if name == "单场活动平均成本" else None
        r = b.row(level1, level2, name, nature, target, unit, weight, actual, score, note)
        values = {"nature": want[0], "target": want[1], "actual": want[2], "unit": unit,
                  "weight": str(weight), "reported_score": str(score)}
        if note:
            values["note"] = note
        lines.append(Line(name, values, r, cols, (level1, level2)))
    total = b.row("总分", None, None, None, None, None, 100, None, 98.32)
    b.merge(total, 1, total, 6)
    expect = Expect(title="某区文化馆2023年度项目支出绩效自评表", year=2023, kind="project",
                    organization="某区文化和旅游委员会",
                    name="公共文化服务提升项目", lines=lines, reported_total="98.32",
                    total_cell=(total, 9), total="98.32")
    return Case("natures-as-written", [b.sheet("自评表")], expect)


# -- several forms in one workbook ------------------------------------------------------------


def two_projects_workbook() -> Case:
    """A workbook with an instructions sheet and two 项目支出 forms, one per sheet."""
    first = mof_2020_project(sheet="项目1", project="城乡社区公共服务能力提升项目")
    second = mof_2020_project(sheet="项目2", project="社区养老服务站建设项目")
    cover = Sheet(name="填表说明", rows=[["填表说明"], ["1. 每个项目填写一张自评表。"],
                                          ["2. 分值合计100分。"]])
    return Case("two-projects", [cover, first.layout[0], second.layout[0]], first.expect, sheet=1)


def workbook_with_dictionary() -> Case:
    """A system export: the form, then sheets that are no form — 填报说明 (instructions),
    数据字典 (each column's type and whether it is required, under the form's own column
    headers) and 代码表 (the 一级/二级 codes and 指标性质 words, often a hidden sheet)."""
    form = mof_2020_project(sheet="自评表")
    guide = Sheet(name="填报说明", rows=[["填报说明", None], ["栏目", "填写要求"],
                                          ["三级指标", "填写具体指标名称"],
                                          ["分值", "各指标分值合计100分"]])
    dictionary = Sheet(name="数据字典", rows=[
        ["字段", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
        ["类型", "文本", "文本", "文本", "文本", "文本", "数值", "数值"],
        ["是否必填", "是", "是", "是", "是", "是", "是", "否"],
        ["长度", "50", "50", "200", "100", "100", "5,2", "5,2"]])
    codes = Sheet(name="代码表", rows=[
        ["一级指标", "二级指标", "指标性质", "代码"],
        ["产出指标", "数量指标", "正向指标", "0101"],
        ["产出指标", "质量指标", "正向指标", "0102"],
        ["效益指标", "社会效益指标", "定性", "0201"],
        ["满意度指标", "服务对象满意度指标", "正向指标", "0301"]])
    expect = attrs_replace(form.expect, not_forms=("数据字典", "代码表"), covers=("填报说明",))
    return Case("workbook-with-dictionary", [form.layout[0], guide, dictionary, codes], expect)


# -- three header rows and a row of column numbers ---------------------------------------------

TRAINING_LINES = [
    ("产出指标", "数量指标", "培训基层干部人次", "≥800", "≥1000", "人次", 30, 1050, 30),
    ("产出指标", "质量指标", "培训考核合格率", "≥90%", "≥95%", "%", 20, "93%", 19.58),
    ("效益指标", "社会效益指标", "参训人员履职能力提升率", "≥80%", "≥85%", "%", 20, "88%", 20),
    ("满意度指标", "服务对象满意度指标", "参训学员满意度", "≥90%", "≥90%", "%", 30, "95%", 30),
]


def three_row_header() -> Case:
    """A header over three rows — 绩效指标 over 一级/二级/三级指标, 指标值 over 年度指标值
    over 年初指标值 / 全年指标值, 计量单位, 分值, 完成值, 得分 merged down all three — and a
    row of column numbers (栏次 （1） （2） …) under it; the 全年 value is the target."""
    b = _Builder(9)
    b.row("某区委党校2023年度项目支出绩效自评表")
    b.row("项目名称", "基层干部教育培训项目", None, None, "主管部门", "某区委组织部")
    h1 = b.row("绩效指标", None, None, "指标值", None, "计量单位", "分值", "完成值", "得分")
    h2 = b.row("一级指标", "二级指标", "三级指标", "年度指标值")
    h3 = b.row(None, None, None, "年初指标值", "全年指标值")
    b.merge(h1, 1, h1, 3)
    b.merge(h1, 4, h1, 5)
    b.merge(h2, 4, h2, 5)
    for c in (6, 7, 8, 9):
        b.merge(h1, c, h3, c)
    for c in (1, 2, 3):
        b.merge(h2, c, h3, c)
    b.row("栏次", *[f"（{k}）" for k in range(1, 9)])
    cols = {"name": 3, "target": 5, "unit": 6, "weight": 7, "actual": 8, "reported_score": 9}
    lines = []
    for level1, level2, name, first, target, unit, weight, actual, score in TRAINING_LINES:
        r = b.row(level1, level2, name, first, target, unit, weight, actual, score)
        lines.append(Line(name, {"nature": "≥", "target": target.strip("≥%"), "unit": unit,
                                 "weight": str(weight), "actual": str(actual).rstrip("%"),
                                 "reported_score": str(score)}, r, cols, (level1, level2)))
    total = b.row("合计", None, None, None, None, None, 100, None, 99.58)
    b.merge(total, 1, total, 6)
    expect = Expect(title="某区委党校2023年度项目支出绩效自评表", year=2023, kind="project",
                    organization="某区委组织部", name="基层干部教育培训项目", lines=lines,
                    reported_total="99.58", total_cell=(total, 9), total="99.58")
    return Case("three-row-header", [b.sheet("自评表")], expect)


def column_numbers_row() -> Case:
    """The Anhui two-row header with a row of column numbers under it, typed as numbers
    (栏次 | 1 | 2 | … as a system export writes them)."""
    case = anhui_export()
    sheet = case.layout[0]
    at = next(i for i, row in enumerate(sheet.rows) if row[4] == "年初指标值") + 1
    sheet.rows.insert(at, ["栏次", *range(1, 11)])
    sheet.merges = [(r1 + (r1 > at), c1, r2 + (r2 > at), c2) for r1, c1, r2, c2 in sheet.merges]
    sheet.percent = {(r + (r > at), c) for r, c in sheet.percent}
    for line in case.expect.lines:
        line.row += line.row > at
    assert case.expect.total_cell is not None
    r, c = case.expect.total_cell
    expect = attrs_replace(case.expect, total_cell=(r + 1, c))
    return Case("column-numbers-row", [sheet], expect)


# -- group headings with their subtotals ------------------------------------------------------


def group_subtotals(*, output_subtotal: int = 50) -> Case:
    """A 部门整体 form with no 一级/二级 columns: each group is a heading row in the name
    column carrying its subtotal in the 分值 column and nothing else (一、产出指标 | 50),
    the way many units lay out a short form."""
    b = _Builder(8)
    b.row("某区档案馆2023年度部门整体支出绩效自评表")
    b.row("单位名称", "某区档案馆", None, None, "主管部门", "某区委办公室")
    b.row("指标名称", "计量单位", "指标性质", "指标值", "分值", "完成值", "得分", "说明")
    cols = {"name": 1, "unit": 2, "nature": 3, "target": 4, "weight": 5, "actual": 6,
            "reported_score": 7}
    groups = [("一、产出指标", "产出指标", output_subtotal, [
                  ("档案数字化数量", "万件", "≥", 120, 30, 126, 30),
                  ("档案利用服务按时办结率", "%", "≥", "98%", 20, "100%", 20)]),
              ("二、效益指标", "效益指标", 30, [
                  ("档案查阅服务人次", "人次", "≥", 5000, 30, 4800, 28.8)]),
              ("三、满意度指标", "满意度指标", 20, [
                  ("查档群众满意度", "%", "≥", "90%", 20, "96%", 20)])]
    lines = []
    for heading, group, subtotal, rows in groups:
        b.row(heading, None, None, None, subtotal)
        for name, unit, nature, target, weight, actual, score in rows:
            r = b.row(name, unit, nature, target, weight, actual, score)
            lines.append(Line(name, {"unit": unit, "nature": nature,
                                     "target": str(target).rstrip("%"), "weight": str(weight),
                                     "actual": str(actual).rstrip("%"),
                                     "reported_score": str(score)}, r, cols, (group,)))
    total = b.row("合计", None, None, None, 100, None, 98.8)
    expect = Expect(title="某区档案馆2023年度部门整体支出绩效自评表", year=2023,
                    kind="department", organization="某区档案馆", name="某区档案馆",
                    lines=lines, reported_total="98.8", total_cell=(total, 7), total="98.80",
                    groups=[((g,), str(w)) for _, g, w, _ in groups])
    return Case("group-subtotals", [b.sheet("自评表")], expect)


# -- a system export of many projects -------------------------------------------------------------

EXPORT_PROJECTS = [
    ("P2023001", "农村饮水安全巩固提升项目", "某县水利局", [
        ("产出指标", "数量指标", "新建供水工程处数", "≥", "≥6", "处", 40, 6, 40),
        ("产出指标", "质量指标", "工程验收合格率", "≥", "≥95%", "%", 30, "100%", 30),
        ("满意度指标", "服务对象满意度指标", "受益群众满意度", "≥", "≥90%", "%", 30, "92%", 30)]),
    ("P2023002", "中小学校舍维修改造项目", "某县教育局", [
        ("产出指标", "数量指标", "维修改造校舍面积", "≥", "≥12000", "平方米", 50, 11400, 47.5),
        ("效益指标", "社会效益指标", "受益学生人数", "≥", "≥3000", "人", 30, 3200, 30),
        ("满意度指标", "服务对象满意度指标", "师生满意度", "≥", "≥90%", "%", 20, "95%", 20)]),
    ("P2023003", "基层医疗机构设备购置项目", "某县卫生健康局", [
        ("产出指标", "数量指标", "购置设备台数", "≥", "≥45", "台", 40, 45, 40),
        ("产出指标", "成本指标", "设备采购成本", "≤", "≤600", "万元", 30, 588, 30),
        ("满意度指标", "服务对象满意度指标", "就诊群众满意度", "≥", "≥85%", "%", 30, "90%", 30)]),
]


def system_export_projects() -> Case:
    """A 预算一体化 system's export of many projects' indicator rows in one table, told apart
    by 项目编码 (with 项目名称 and 单位名称 beside it): one form per project, each named."""
    b = _Builder(13)
    b.row("2023年度项目支出绩效自评表（汇总）")
    b.row("项目编码", "项目名称", "单位名称", "一级指标", "二级指标", "三级指标", "指标性质",
          "指标值", "计量单位", "分值", "实际完成值", "得分", "偏差原因分析及改进措施")
    cols = {"name": 6, "nature": 7, "target": 8, "unit": 9, "weight": 10, "actual": 11,
            "reported_score": 12}
    expects = []
    for code, project, unit_name, rows in EXPORT_PROJECTS:
        lines = []
        first = b.next
        for level1, level2, name, op, target, unit, weight, actual, score in rows:
            note = "部分校舍延期开工" if score != weight else None
            r = b.row(code, project, unit_name, level1, level2, name, op, target, unit, weight,
                      actual, score, note)
            values = {"nature": op, "target": target.strip("≥≤%"), "unit": unit,
                      "weight": str(weight), "actual": str(actual).rstrip("%"),
                      "reported_score": str(score)}
            if note:
                values["note"] = note
            lines.append(Line(name, values, r, cols, (level1, level2)))
        total = str(sum(Decimal(str(r[-1])) for r in rows).quantize(Decimal("0.01")))
        expects.append(Expect(title="2023年度项目支出绩效自评表（汇总）", year=2023,
                              kind="project", organization=unit_name, name=project, lines=lines,
                              total=total))
        del first
    return Case("system-export-projects", [b.sheet("绩效自评")], expects[0],
                others=expects[1:])


# -- fund blocks on their side --------------------------------------------------------------------

SIDE_LINES = [
    ("产出指标", "数量指标", "救助困难群众人次", "≥", "≥1500", "人次", 40, 1620, 40),
    ("产出指标", "时效指标", "救助资金发放及时率", "=", "=100%", "%", 20, "100%", 20),
    ("满意度指标", "服务对象满意度指标", "救助对象满意度", "≥", "≥90%", "%", 30, "93%", 30),
]


def _side_table(b: _Builder, lines: list[Line]) -> None:
    b.row("一级指标", "二级指标", "三级指标", "指标性质", "指标值", "计量单位", "分值", "实际完成值",
          "得分")
    cols = {"name": 3, "nature": 4, "target": 5, "unit": 6, "weight": 7, "actual": 8,
            "reported_score": 9}
    for level1, level2, name, op, target, unit, weight, actual, score in SIDE_LINES:
        r = b.row(level1, level2, name, op, target, unit, weight, actual, score)
        lines.append(Line(name, {"nature": op, "target": target.strip("≥=%"), "unit": unit,
                                 "weight": str(weight), "actual": str(actual).rstrip("%"),
                                 "reported_score": str(score)}, r, cols, (level1, level2)))


def fund_on_its_side() -> Case:
    """A 项目支出 form whose fund block is laid on its side: 年初预算数, 全年预算数, 全年执行数,
    分值, 执行率, 得分 down column B, the 年度资金总额 values in column C and the 其中 columns
    beside them, 项目资金（万元） merged down column A."""
    b = _Builder(9)
    b.row("某区民政局2023年度项目支出绩效自评表")
    b.row("项目名称", "困难群众临时救助项目", None, None, "主管部门", "某区民政局")
    head = b.row("项目资金（万元）", None, "年度资金总额", "其中：当年财政拨款", "其他资金")
    b.row(None, "年初预算数", 500, 500, "—")
    budget = b.row(None, "全年预算数", 520, 500, 20)
    executed = b.row(None, "全年执行数", 499.2, 480, 19.2)
    weight = b.row(None, "分值", 10, "—", "—")
    rate = b.row(None, "执行率", 0.96, "—", "—", percent=(3,))
    score = b.row(None, "得分", 9.6, "—", "—")
    b.merge(head, 1, score, 1)
    lines = [Line("预算执行率", {"budget": "520", "executed": "499.2", "weight": "10",
                                 "actual": "96", "unit": "%", "reported_score": "9.6"}, budget, {},
                  at={"budget": (budget, 3), "executed": (executed, 3), "weight": (weight, 3),
                      "actual": (rate, 3), "reported_score": (score, 3)})]
    _side_table(b, lines)
    total = b.row("合计", None, None, None, None, None, 100, None, 99.6)
    b.merge(total, 1, total, 6)
    expect = Expect(title="某区民政局2023年度项目支出绩效自评表", year=2023, kind="project",
                    organization="某区民政局", name="困难群众临时救助项目", lines=lines,
                    reported_total="99.6", total_cell=(total, 9), total="99.60")
    return Case("fund-on-its-side", [b.sheet("自评表")], expect)


def fund_as_list() -> Case:
    """A 部门整体 form whose fund block is a two-column list: 年度资金总额 | 400万元,
    全年执行数 | 388万元, 执行率 | 97%, 分值 | 10, 得分 | 9.7."""
    b = _Builder(9)
    b.row("某街道办事处2023年度部门整体支出绩效自评表")
    b.row("部门名称", "某街道办事处")
    budget = b.row("年度资金总额", "400万元")
    executed = b.row("全年执行数", "388万元")
    rate = b.row("执行率", "97%")
    weight = b.row("分值", 10)
    score = b.row("得分", 9.7)
    lines = [Line("预算执行率", {"budget": "400", "executed": "388", "weight": "10",
                                 "actual": "97", "unit": "%", "reported_score": "9.7"}, budget, {},
                  at={"budget": (budget, 2), "executed": (executed, 2), "weight": (weight, 2),
                      "actual": (rate, 2), "reported_score": (score, 2)})]
    _side_table(b, lines)
    total = b.row("合计", None, None, None, None, None, 100, None, 99.7)
    b.merge(total, 1, total, 6)
    expect = Expect(title="某街道办事处2023年度部门整体支出绩效自评表", year=2023,
                    kind="department", organization="某街道办事处", name="某街道办事处",
                    lines=lines, reported_total="99.7", total_cell=(total, 9), total="99.70")
    return Case("fund-as-list", [b.sheet("自评表")], expect)


def attrs_replace(expect: Expect, **changes: Any) -> Expect:
    from dataclasses import replace
    return replace(expect, **changes)


# -- any form, in each layout (for the property test) ------------------------------------------


@dataclass
class Spec:
    """One indicator of a generated form."""

    level1: str
    level2: str
    name: str
    op: str
    target: Decimal
    actual: Decimal
    unit: str
    weight: Decimal


STYLES = ("mof-2020", "chongqing", "sichuan", "anhui")
_DIRECTION = {"≥": "正向指标", "≤": "反向指标"}


def _excel(value: Decimal) -> Any:
    """How Excel stores a typed number: an int when whole, else the nearest binary float."""
    return int(value) if value == value.to_integral_value() else float(value)


def _txt(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def generated(specs: list[Spec], style: str, fund: Optional[tuple[Decimal, Decimal]] = None) -> Case:
    """``specs`` laid out as ``style`` lays a form out; ``fund`` = (budget, executed) adds a
    fund block with the 10-point execution-rate line (specs' weights then sum to 90)."""
    b = _Builder(11)
    b.row(f"2023年度{'部门整体' if style == 'chongqing' else '项目支出'}绩效自评表")
    lines: list[Line] = []
    if fund is not None:
        budget, executed = fund
        h = b.row("项目资金（万元）", None, "年初预算数", "全年预算数（A）" if style == "anhui" else
                  "全年预算数", "全年执行数（B）" if style == "anhui" else "全年执行数",
                  "权重" if style == "anhui" else "分值", "执行率", "得分")
        r = b.row(None, "年度资金总额", _excel(budget), _excel(budget), _excel(executed), 10)
        last = b.row(None, "其中：当年财政拨款", _excel(budget), _excel(budget), _excel(executed),
                     "—", "—", "—")
        b.merge(h, 1, last, 1)
        lines.append(Line("预算执行率", {"budget": _txt(budget), "executed": _txt(executed),
                                         "weight": "10"}, r, {"budget": 4, "executed": 5,
                                                              "weight": 6}))
    if style == "mof-2020":
        head = b.row("绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值",
                     "得分", "偏差原因分析及改进措施")
        cols = {"name": 4, "target": 5, "actual": 6, "weight": 7, "reported_score": 8}
    elif style == "chongqing":
        head = b.row("绩效指标", "指标名称", "计量\n单位", "指标\n性质", "指标值", "指标权重\n（分）",
                     "全年\n完成值", "指标得分\n（分）", "说明")
        cols = {"name": 2, "unit": 3, "nature": 4, "target": 5, "weight": 6, "actual": 7,
                "reported_score": 8}
    elif style == "sichuan":
        head = b.row("绩效指标", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位",
                     "权重", "实际完成值", "得分")
        cols = {"name": 4, "nature": 5, "target": 6, "unit": 7, "weight": 8, "actual": 9,
                "reported_score": 10}
    else:
        head = b.row("一级指标", "二级指标", "三级指标", "指标性质", "指标值", None, "计量单位", "权重",
                     "实际完成值", "得分")
        sub = b.row(None, None, None, None, "年初指标值", "全年指标值")
        for c in (1, 2, 3, 4, 7, 8, 9, 10):
            b.merge(head, c, sub, c)
        b.merge(head, 5, head, 6)
        cols = {"name": 3, "nature": 4, "target": 6, "unit": 7, "weight": 8, "actual": 9,
                "reported_score": 10}
    first = b.next
    spans: dict[str, list[int]] = {}
    for spec in specs:
        values = {"nature": spec.op, "target": _txt(spec.target), "actual": _txt(spec.actual),
                  "weight": _txt(spec.weight), "reported_score": _txt(spec.weight)}
        if spec.unit:
            values["unit"] = spec.unit
        pct = spec.unit == "%"
        actual: Any = _pct(float(spec.actual)) if pct else _excel(spec.actual)
        w = _excel(spec.weight)
        if style == "mof-2020":
            r = b.row(None, spec.level1, spec.level2, spec.name,
                      f"{spec.op}{_txt(spec.target)}{spec.unit}", actual, w, w,
                      percent=(6,) if pct else ())
        elif style == "chongqing":
            r = b.row(None, spec.name, spec.unit or None, spec.op, _excel(spec.target), w, actual,
                      w, percent=(7,) if pct else ())
        elif style == "sichuan":
            r = b.row("绩效指标", spec.level1, spec.level2, spec.name, spec.op,
                      f"{spec.op}{_txt(spec.target)}{spec.unit}", spec.unit or None, w,
                      f"{_txt(spec.actual)}{spec.unit}", w)
        else:
            direction = _DIRECTION.get(spec.op)
            target: Any = (_excel(spec.target) if direction else f"{spec.op}{_txt(spec.target)}")
            r = b.row(spec.level1, spec.level2, spec.name, direction or "定量指标", target, target,
                      spec.unit or None, w, actual, w, percent=(9,) if pct else ())
        path = (spec.level1, spec.level2) if style != "chongqing" else ()
        lines.append(Line(spec.name, values, r, cols, path))
        spans.setdefault(spec.level1, []).append(r)
    if style in ("mof-2020", "anhui"):
        col = 2 if style == "mof-2020" else 1
        for rows in spans.values():
            b.merge(rows[0], col, rows[-1], col)
            for r in rows[1:]:
                b.rows[r - 1][col - 1] = None
    if style in ("mof-2020", "chongqing"):
        b.merge(head, 1, b.next - 1, 1)
    del first
    total = b.row("合计", None, None, None, None, None, None, None, None, None)
    b.merge(total, 1, total, 3)
    b.row("填表人：", None, None, "联系电话：")
    expect = Expect(title=str(b.rows[0][0]), year=2023,
                    kind="department" if style == "chongqing" else "project", organization="",
                    lines=lines)
    return Case(f"generated-{style}", [b.sheet("自评表")], expect)


# -- numbered sections below the total row --------------------------------------------------


def sections_after_total() -> Case:
    """A 部门整体 form (indicator names in column B, no 一级/二级 columns) whose 合计 row is
    followed by the report's numbered sections — 四、自评结论, 五、存在问题, 六、改进措施 with
    their text merged over B:H and numbered points below — then the sign-off."""
    b = _Builder(8)
    b.row("某区统计局2023年度部门整体支出绩效自评表")
    b.row("部门名称", "某区统计局", None, None, "自评总分", 98.33)
    head = b.row("绩效指标", "指标名称", "计量单位", "指标性质", "指标值", "分值", "完成值", "得分")
    cols = {"name": 2, "unit": 3, "nature": 4, "target": 5, "weight": 6, "actual": 7,
            "reported_score": 8}
    rows = [
        ("统计调查任务完成数", "项", "≥", 12, 40, 12, 40),
        ("统计数据上报及时率", "%", "≥", "95%", 30, "100%", 30),
        ("统计信息服务满意度", "%", "≥", "90%", 30, "85%", 28.33),
    ]
    lines = []
    for name, unit, nature, target, weight, actual, score in rows:
        r = b.row(None, name, unit, nature, target, weight, actual, score)
        lines.append(Line(name, {"unit": unit, "nature": nature,
                                 "target": str(target).rstrip("%"), "weight": str(weight),
                                 "actual": str(actual).rstrip("%"), "reported_score": str(score)},
                          r, cols))
    b.merge(head, 1, b.next - 1, 1)
    total = b.row("合计", None, None, None, None, 100, None, 98.33)
    b.merge(total, 1, total, 5)
    for number, text in (("四、自评结论", "部门年度绩效目标基本完成，自评得分98.33分，等级为优。"),
                         ("五、存在问题", "1.部分调查对象配合度不高；"),
                         (None, "2.统计信息服务满意度未达到预期。"),
                         ("六、改进措施", "加强统计法治宣传，提升服务质量。")):
        r = b.row(number, text)
        b.merge(r, 2, r, 8)
    b.row("单位负责人：赵刚", None, None, "填表人：孙丽")
    expect = Expect(title="某区统计局2023年度部门整体支出绩效自评表", year=2023,
                    kind="department", organization="某区统计局", name="某区统计局", lines=lines,
                    reported_total="98.33", total_cell=(total, 8), total="98.33")
    return Case("sections-after-total", [b.sheet("自评表")], expect)


CASES = [mof_2020_project, chongqing_department, sichuan_flat_export, anhui_export,
         placeholders_and_notes, qualitative_free_text, total_merged_left, natures_as_written,
         two_projects_workbook, blank_total_score, sections_after_total, workbook_with_dictionary,
         three_row_header, column_numbers_row, group_subtotals, system_export_projects,
         fund_on_its_side, fund_as_list]


def all_cases() -> list[Case]:
    return [build() for build in CASES]
