"""The layout corpus read back: every field, its cell, the skipped rows, the score.

Each layout of ``tests/layouts.py`` is turned into a grid the way each kind of
file presents it — Excel keeps a merged range's value in its first cell only,
Word repeats a vertically merged cell's text in every row, a CSV export holds
text — and recognised; then (when ``tests/fileformats.py`` can write it) the
same layout goes through real files in every format.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import perfrules
from perfrules.io import _forms
from perfrules.io.table import GridCell, Reading, read_grid

from . import layouts
from .gridspec import Sheet
from .layouts import Case, Expect

CASES = layouts.all_cases()
MODES = ("excel", "word", "csv")
FIELDS = ("nature", "target", "unit", "weight", "actual", "reported_score", "note", "budget",
          "executed")


def _letter(col: int) -> str:
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def _shown(value: Any, percent: bool) -> str:
    """What a person (and Word, CSV, PDF) sees in a cell: 0.972 with a % format is 97.2%."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if percent:
        number = number.scaleb(2)
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text + ("%" if percent else "")


def where(sheet: Sheet, mode: str, row: int, col: int) -> str:
    """The provenance a reader gives the cell (row, col) of ``sheet.rows`` in ``mode``."""
    if mode == "word":
        return f"表1第{row}行第{col}列"
    off = len(sheet.paragraphs)
    name = "form.csv" if mode == "csv" else sheet.name
    return f"{name}!{_letter(col)}{row + off}"


def to_grid(sheet: Sheet, mode: str) -> tuple[list[list[GridCell]], list[str]]:
    """The grid a reader of ``mode`` hands the recogniser, and the paragraphs above the table."""
    width = max([len(r) for r in sheet.rows] + [m[3] for m in sheet.merges])
    covered: dict[tuple[int, int], tuple[int, int]] = {}
    for r1, c1, r2, c2 in sheet.merges:
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) != (r1, c1):
                    covered[(r, c)] = (r1, c1)
    grid: list[list[GridCell]] = []
    paragraphs: list[str] = []
    if mode == "word":
        paragraphs = list(sheet.paragraphs)
    else:
        for text in sheet.paragraphs:
            grid.append([GridCell(text, where(sheet, mode, 1 - len(sheet.paragraphs) + len(grid),
                                              1))])
    for r in range(1, len(sheet.rows) + 1):
        line = []
        for c in range(1, width + 1):
            src = covered.get((r, c))
            value: Any
            percent = False
            if src is None:
                raw = sheet.rows[r - 1][c - 1] if c <= len(sheet.rows[r - 1]) else None
                percent = (r, c) in sheet.percent
            elif mode == "word" and src[0] != r and src[1] == c:
                # Word: a vertically merged cell shows its text in every row
                raw = sheet.rows[src[0] - 1][src[1] - 1]
                percent = src in sheet.percent
            else:
                raw = None
            if mode == "excel":
                value, is_pct = raw, percent and isinstance(raw, (int, float))
            else:
                value, is_pct = (_shown(raw, percent) or None), False
            line.append(GridCell(value, where(sheet, mode, r, c), is_pct))
        grid.append(line)
    return grid, paragraphs


def read(case: Case, mode: str) -> Reading:
    sheet = case.layout[case.sheet]
    grid, paragraphs = to_grid(sheet, mode)
    return read_grid(grid, "form", paragraphs=paragraphs)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return perfrules._numbers.plain(value)
    return str(value)


def check_form(form: perfrules.Form, expect: Expect, cell: Any) -> None:
    """Every field of every line and its cell; the form's head; the skipped rows."""
    assert form.title == expect.title
    assert form.year == expect.year
    assert form.kind == expect.kind
    assert form.organization == expect.organization
    assert form.name == expect.name
    assert [i.name for i in form.indicators] == [line.name for line in expect.lines]
    for got, want in zip(form.indicators, expect.lines):
        for field in FIELDS:
            assert _text(getattr(got, field)) == want.values.get(field, ""), (want.name, field)
        assert got.path == want.path, want.name
        for field, col in want.cols.items():
            if field in FIELDS:
                assert got.where(field) == cell(want.row, col), (want.name, field)
        for field, (row, col) in want.at.items():
            assert got.where(field) == cell(row, col), (want.name, field)
        assert got.problems == (), got.problems
    assert _text(form.reported_total) == (expect.reported_total or "")
    if expect.total_cell is not None:
        assert form.where("reported_total") == cell(*expect.total_cell)
    assert form.reported_grade == expect.reported_grade
    assert [(g.path, _text(g.weight)) for g in form.groups] == expect.groups
    skipped = rows_skipped(form)
    assert [(s.where, True) for s in skipped] == [(cell(r, 1), True) for r, _ in expect.skipped]
    for got_row, (_, fragment) in zip(skipped, expect.skipped):
        assert fragment in got_row.text and got_row.reason and got_row.reason_zh


def rows_skipped(form: perfrules.Form) -> list[perfrules.SkippedRow]:
    """The form's skipped rows, without the notes on the file's parts that are no form."""
    return [s for s in form.skipped if s not in sheets_skipped(form)]


def sheets_skipped(form: perfrules.Form) -> list[perfrules.SkippedRow]:
    """The notes on the parts of the file that are no form (a data dictionary …)."""
    return [s for s in form.skipped if "不是自评表" in s.reason_zh]


def check_score(form: perfrules.Form, expect: Expect, registry: perfrules.Registry) -> None:
    if expect.total is None:
        return
    try:
        report = perfrules.score(form, registry=registry)
    except perfrules.FormError as exc:
        if expect.needs and {p.code for p in exc.problems} <= {
                "missing-nature", "not-a-tier", "unknown-tier", "qualitative-free-text",
                "not-a-tier-word"}:
            pytest.xfail(f"the engine does not score {expect.needs} yet: {exc}")
        raise
    assert str(report.total) == expect.total


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_layout_read_from_grid(case: Case, mode: str, registry: perfrules.Registry) -> None:
    sheet = case.layout[case.sheet]
    if case.others:  # many projects in one table: the reader splits it by its key column
        grid, paragraphs = to_grid(sheet, mode)
        forms = _forms.forms_from_sheets(Path("form"), [(sheet.name, grid, paragraphs)])
        assert len(forms) == 1 + len(case.others)
        for form, expect in zip(forms, [case.expect, *case.others]):
            check_form(form, expect, lambda r, c: where(sheet, mode, r, c))
            check_score(form, expect, registry)
        return
    reading = read(case, mode)
    check_form(reading.form, case.expect, lambda r, c: where(sheet, mode, r, c))
    check_score(reading.form, case.expect, registry)


def _non_empty(row: Any) -> bool:
    return any(c.value is not None and str(c.value).strip() for c in row)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_row_under_the_header_is_accounted_for(case: Case, mode: str) -> None:
    """Rows read + rows skipped + rows classified = the non-empty rows of the block."""
    sheet = case.layout[case.sheet]
    grid, paragraphs = to_grid(sheet, mode)
    projects = _forms.split_by_key(grid)
    for rows in [p.rows for p in projects] if projects else [grid]:
        check_accounting(rows, read_grid(rows, "form", paragraphs=paragraphs))


def check_accounting(grid: Any, reading: Reading) -> None:
    first, stop = reading.block
    in_block = [k for k in reading.rows if first <= k.index < stop]
    assert sorted(k.index for k in in_block) == [i for i in range(first, stop)
                                                 if _non_empty(grid[i])]
    kinds = [k.kind for k in in_block]
    fund_lines = sum(1 for i in reading.form.indicators  # read from the fund block
                     if {"budget", "executed"} & set(dict(i.cells)))
    assert kinds.count("indicator") == len(reading.form.indicators) - fund_lines
    assert kinds.count("skipped") == len(reading.form.skipped)
    assert set(kinds) <= {"indicator", "heading", "total", "placeholder", "note", "header",
                          "end", "skipped"}
    # the block ends at the sign-off row, or at the end of the sheet
    last = max(i for i in range(len(grid)) if _non_empty(grid[i]))
    assert stop == len(grid) or kinds[-1] == "end"
    assert stop > last or kinds[-1] == "end"


# -- real files --------------------------------------------------------------------------

try:
    from . import fileformats
except ImportError:  # pragma: no cover - the writers land separately
    fileformats = None  # type: ignore[assignment]

FILE_FORMATS = fileformats.FORMATS if fileformats is not None else ()


def _file_where(case: Case, fmt: str, path: Path, forms: list[perfrules.Form]) -> Any:
    sheet = case.layout[case.sheet]
    off = len(sheet.paragraphs)
    if fmt in ("xlsx", "xls"):
        return lambda r, c: f"{sheet.name}!{_letter(c)}{r + off}"
    if fmt == "csv":
        return lambda r, c: f"{path.name}!{_letter(c)}{r + off}"
    if fmt == "docx":
        return lambda r, c: f"表{case.sheet + 1}第{r}行第{c}列"
    if fmt == "pdf" and len(case.layout) == 1 and len(sheet.rows) <= 25:
        return lambda r, c: f"第1页 表1 第{r}行第{c}列"  # a table that fits on one page
    return None


@pytest.mark.skipif(fileformats is None, reason="tests/fileformats.py is not there yet")
@pytest.mark.parametrize("fmt", FILE_FORMATS)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_layout_in_every_file_format(case: Case, fmt: str, tmp_path: Path,
                                     registry: perfrules.Registry,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    assert fileformats is not None
    why = fileformats.available(fmt)
    if why is not None:
        pytest.skip(why)
    if not fileformats.supports(case.layout, fmt):
        pytest.skip(f"{fmt} holds one sheet")
    path = fileformats.write(case.layout, tmp_path / f"form.{fmt}", fmt)
    readings: dict[int, tuple[Any, Reading]] = {}

    def recognize(grid: Any, source: str, *, paragraphs: Any = ()) -> perfrules.Form:
        reading = read_grid(grid, source, paragraphs=paragraphs)
        readings[id(reading.form)] = (grid, reading)
        return reading.form

    monkeypatch.setattr(_forms, "recognize", recognize)
    forms = list(perfrules.load_all(path, registry=registry))
    at = form_index(case, forms)
    form = forms[at]
    cell = _file_where(case, fmt, path, forms)
    for got, expect in zip(forms[at:], [case.expect, *case.others]):
        if cell is None:  # PDF: provenance is page and table; check the values
            check_form_values(got, expect)
        else:
            check_form(got, expect, cell)
        check_score(got, expect, registry)
    # the parts of the file that are no form are skipped, and said
    notes = sheets_skipped(form)
    assert len(notes) == len(case.expect.not_forms), notes
    if fmt in ("xlsx", "xls"):
        assert [n.text.split(":")[0] for n in notes] == list(case.expect.not_forms)
    assert all(n.reason and n.reason_zh for n in notes)
    # every row of the file's table accounted for, as the reader handed it over
    for grid, reading in readings.values():
        check_accounting(grid, reading)
    assert len(readings) >= len(forms)


def form_index(case: Case, forms: list[perfrules.Form]) -> int:
    """Where the case's form is among the forms of its file (checking their number): one
    per sheet with indicators, none for the sheets that are no form, one per project."""
    sheets = [s for s in case.layout if any("指标" in str(v) for row in s.rows for v in row)
              and s.name not in case.expect.not_forms + case.expect.covers]
    assert len(forms) == len(sheets) + len(case.others)
    return [s.name for s in sheets].index(case.layout[case.sheet].name)


def check_form_values(form: perfrules.Form, expect: Expect) -> None:
    assert [i.name for i in form.indicators] == [line.name for line in expect.lines]
    for got, want in zip(form.indicators, expect.lines):
        for field in FIELDS:
            assert _text(getattr(got, field)) == want.values.get(field, ""), (want.name, field)
    assert _text(form.reported_total) == (expect.reported_total or "")
    assert len(rows_skipped(form)) == len(expect.skipped)
    assert form.name == expect.name


# -- any form in any layout ----------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from perfrules.testing import amounts  # noqa: E402

_GROUPS = [("产出指标", "数量指标"), ("产出指标", "质量指标"), ("产出指标", "时效指标"),
           ("产出指标", "成本指标"), ("效益指标", "社会效益指标"), ("效益指标", "经济效益指标"),
           ("效益指标", "生态效益指标"), ("效益指标", "可持续影响指标"),
           ("满意度指标", "服务对象满意度指标")]
_NAMES = ["培训人次", "验收合格率", "按时完成率", "运行成本", "群众知晓率", "受益人数",
          "森林覆盖率", "设施使用年限", "服务对象满意度", "开展安全检查次数"]


@st.composite
def specs(draw: st.DrawFn) -> tuple[list[layouts.Spec], bool]:
    count = draw(st.integers(1, 8))
    fund = draw(st.booleans())
    groups = sorted(draw(st.lists(st.sampled_from(range(len(_GROUPS))), min_size=count,
                                  max_size=count)))
    out = []
    for i, g in enumerate(groups):
        level1, level2 = _GROUPS[g]
        unit = draw(st.sampled_from(["%", "人次", "万元", "个", ""]))
        out.append(layouts.Spec(
            level1=level1, level2=level2, name=f"{draw(st.sampled_from(_NAMES))}{i + 1}",
            op=draw(st.sampled_from(["≥", "≤", "=", ">", "<"])),
            target=draw(amounts(0, 10_000)), actual=draw(amounts(0, 10_000)), unit=unit,
            weight=draw(amounts(1, 30, 1))))
    return out, fund


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs(), st.sampled_from(layouts.STYLES), st.sampled_from(MODES),
       amounts(1, 5000), st.integers(50, 100))
def test_any_form_in_any_layout_reads_back(spec: tuple[list[layouts.Spec], bool], style: str,
                                           mode: str, budget: Decimal, rate: int) -> None:
    lines, with_fund = spec
    fund = (budget, (budget * rate / 100).quantize(Decimal("0.01"))) if with_fund else None
    case = layouts.generated(lines, style, fund)
    reading = read(case, mode)
    sheet = case.layout[0]
    check_form(reading.form, case.expect, lambda r, c: where(sheet, mode, r, c))


@pytest.mark.skipif(fileformats is None, reason="tests/fileformats.py is not there yet")
@pytest.mark.parametrize("fmt", ["xlsx", "docx", "xls", "csv"])
def test_any_form_in_any_layout_reads_back_from_files(fmt: str, tmp_path_factory: Any,
                                                      registry: perfrules.Registry) -> None:
    assert fileformats is not None
    if fileformats.available(fmt) is not None:
        pytest.skip(fileformats.available(fmt) or "")

    @settings(max_examples=8, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(specs(), st.sampled_from(layouts.STYLES))
    def run(spec: tuple[list[layouts.Spec], bool], style: str) -> None:
        lines, with_fund = spec
        case = layouts.generated(lines, style, (Decimal(800), Decimal("794.8")) if with_fund
                                 else None)
        path = fileformats.write(case.layout, tmp_path_factory.mktemp(fmt) / f"form.{fmt}", fmt)
        form = perfrules.load(path, registry=registry)
        check_form(form, case.expect, _file_where(case, fmt, path, [form]))

    run()
