"""Reading .xlsx and .docx forms against honest floors, measured in the same run.

    python benchmarks/bench_readers.py [--indicators 60] [--forms 3] [--repeat 7] [--check]

Writes one workbook with ``--forms`` project forms of ``--indicators`` lines
(tests/fileformats.py), saved twice — by openpyxl (inline strings) and by
xlsxwriter (a shared-string table, as Excel and WPS save) — and the same forms
as one Word document, then times each reader, best of ``--repeat``.

Each floor reads what perfrules' reader reads, no less:

- ``xlsx floor: etree walk``: the same output with the least code and the same C
  parser — the sheets in tab order, the shared strings, each style's percent
  flag, every cell's value (a decimal from its text, or its string) and the dense
  grid of named GridCells the recogniser takes; no budgets, formulas, dates,
  errors, escapes or literal-% formats;
- ``xlsx floor: calamine``: python-calamine (Rust) reading every sheet's values,
  plus styles.xml's number formats (calamine does not give a cell's style, so this
  floor does less than perfrules: a lower bound), when python-calamine is installed;
- ``xlsx openpyxl read-only``: every cell's value and number format through
  openpyxl's read-only mode, the reader perfrules used before;
- ``docx floor: lxml walk``: iterparse over word/document.xml building every
  table's rows of named GridCells with their text, horizontal and vertical merges
  resolved (a vertically merged cell shows its first cell's text), elements freed
  as read; no budgets, content controls, fields, tracked changes or nested tables.

perfrules is measured twice: its reader alone (the grids handed to the
recogniser: ``perfrules.io.xlsx.read_grids``, the .docx walk) — the ratio to the
floor, target ≤ 1.3× — and ``perfrules.load_all`` (reading, recognition, Form
objects), whose difference is the recogniser's share. ``--check`` exits 1 when a
reader ratio is above its target.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests import fileformats
from tests.gridspec import Sheet
from tests.producers.regenerate import xlsxwriter

import perfrules
from perfrules.io import docx as docx_reader
from perfrules.io._limits import Limits
from perfrules.io.table import GridCell
from perfrules.io.xlsx import read_grids

TARGET = 1.3
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def layout(indicators: int, forms: int) -> list[Sheet]:
    sheets = []
    for k in range(1, forms + 1):
        rows: list[list[Any]] = [
            ["项目名称", f"项目{k}", None, None, "主管部门", "某区民政局"],
            ["项目资金（万元）", None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
            [None, "年度资金总额", 800, 800, 794.8, 10, 0.9935, 9.94],
            ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "说明"],
        ]
        weight = 90 / indicators
        for i in range(indicators):
            rows.append(["产出指标", "数量指标", f"指标{i}", f"≥{i + 1}", i + 2, weight, weight, None])
        rows.append(["总分", None, None, None, None, 100, 99.94, None])
        sheets.append(Sheet(name=f"项目{k}", rows=rows, merges=[(2, 1, 3, 1), (5, 1, 4 + indicators, 1)],
                            percent={(3, 7)}, paragraphs=[f"项目{k}2023年度项目支出绩效自评表"]))
    return sheets


def best(fn: Callable[[], object], repeat: int) -> float:
    """The least wall-clock time over ``repeat`` runs (benchmarks/run.py times with it too)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def best_cpu(fn: Callable[[], object], repeat: int) -> float:
    """The least CPU time of this process over ``repeat`` runs: steadier than the wall clock
    on a shared machine, for readers that run in this process only."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


# -- .xlsx floors --------------------------------------------------------------------------


def xlsx_floor_etree(path: Path) -> int:
    """What perfrules' reader hands the recogniser, with the least code: the sheets in tab
    order, shared strings (runs joined, no phonetic runs), each style's percent flag, every
    cell's value (a decimal from the text, or the string) and the dense grid of GridCells
    named ``Sheet!B7``. No budgets, no formulas, dates, errors or escapes."""
    from xml.etree.ElementTree import XML

    t_tag, r_tag = _MAIN + "t", _MAIN + "r"
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        rels = {e.get("Id"): e.get("Target") for e in XML(archive.read("xl/_rels/workbook.xml.rels"))}
        sheets = [(e.get("name"), "xl/" + rels[e.get(_REL_ID)].replace("/xl/", ""))
                  for e in XML(archive.read("xl/workbook.xml")).iter(_MAIN + "sheet")]
        strings: list[str] = []
        if "xl/sharedStrings.xml" in names:
            for si in XML(archive.read("xl/sharedStrings.xml")):
                strings.append("".join(x.text or "" for x in [*si.findall(t_tag),
                                                                 *si.findall(f"{r_tag}/{t_tag}")]))
        formats: dict[int, str] = {9: "0%", 10: "0.00%"}
        percent: list[bool] = []
        for elem in XML(archive.read("xl/styles.xml")).iter():
            if elem.tag == _MAIN + "numFmt":
                formats[int(elem.get("numFmtId") or 0)] = elem.get("formatCode") or ""
            elif elem.tag == _MAIN + "cellXfs":
                percent = ["%" in formats.get(int(xf.get("numFmtId") or 0), "") for xf in elem]
        cells = 0
        for title, part in sheets:
            found: dict[int, dict[int, tuple[Any, bool]]] = {}
            columns: dict[str, int] = {}
            width = 0
            for row in XML(archive.read(part)).iter(_MAIN + "row"):
                r = int(row.get("r") or 0)
                held = found.setdefault(r, {})
                for c in row:
                    ref = c.get("r") or ""
                    letters = ref.rstrip("0123456789")
                    col = columns.get(letters)
                    if col is None:
                        col = columns[letters] = sum((ord(ch) - 64) * 26 ** i
                                                     for i, ch in enumerate(reversed(letters)))
                    text = c.findtext(_MAIN + "v")
                    if c.get("t") == "s" and text:
                        value: Any = strings[int(text)]
                    elif c.get("t") == "inlineStr":
                        value = "".join(c.itertext())
                    elif text:
                        value = Decimal(text)
                    else:
                        continue
                    held[col - 1] = (value, percent[int(c.get("s") or 0)])
                    width = max(width, col)
            prefixes = [f"{title}!{_letter(c)}" for c in range(1, width + 1)]
            grid = []
            for r in range(1, max(found, default=0) + 1):
                row_cells = found.get(r, {})
                grid.append([GridCell(*row_cells[c][:1], f"{p}{r}", row_cells[c][1])
                             if c in row_cells else GridCell(None, f"{p}{r}")
                             for c, p in enumerate(prefixes)])
            cells += sum(map(len, grid))
    return cells


def _letter(col: int) -> str:
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


#: the floors under their names in benchmarks/run.py
def xlsx_floor(path: Path) -> int:
    return xlsx_floor_etree(path)


def xlsx_floor_calamine(path: Path) -> int:
    """python-calamine's values of every sheet, plus styles.xml's number formats."""
    from xml.etree.ElementTree import iterparse

    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    cells = sum(len(row) for name in book.sheet_names for row in book.get_sheet_by_name(name).to_python())
    with zipfile.ZipFile(path) as archive:
        for _, elem in iterparse(io.BytesIO(archive.read("xl/styles.xml"))):
            if elem.tag == _MAIN + "numFmt":
                cells += 0 * len(elem.get("formatCode") or "")
    return cells


def xlsx_openpyxl(path: Path) -> int:
    """openpyxl read-only: every cell's value and number format."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    n = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if getattr(cell, "value", None) is not None:
                    n += len(str(cell.number_format)) >= 0
    wb.close()
    return n


def xlsx_perfrules_read(path: Path) -> int:
    return sum(len(rows) for _, rows, _ in read_grids(path, Limits()))


# -- .docx floor ---------------------------------------------------------------------------


def docx_floor(path: Path) -> int:
    """lxml: every table's rows and cells with their text, merges resolved, elements freed."""
    from lxml import etree

    tbl, tr, tc, t, p = _W + "tbl", _W + "tr", _W + "tc", _W + "t", _W + "p"
    span_tag, vmerge_tag, val = _W + "gridSpan", _W + "vMerge", _W + "val"
    tables: list[list[list[Any]]] = []
    rows: list[list[Any]] = []
    row: list[Any] = []
    vmerge: dict[int, str] = {}
    texts: list[str] = []
    para: list[str] = []
    span, merge = 1, None
    with zipfile.ZipFile(path) as archive, archive.open("word/document.xml") as stream:
        for event, elem in etree.iterparse(stream, events=("start", "end"), resolve_entities=False,
                                           no_network=True,
                                           tag=(tbl, tr, tc, t, p, span_tag, vmerge_tag)):
            tag = elem.tag
            if event == "start":
                if tag == tbl:
                    rows, vmerge = [], {}
                elif tag == tr:
                    row = []
                elif tag == tc:
                    texts, span, merge = [], 1, None
                elif tag == p:
                    para = []
                continue
            if tag == t:
                para.append(elem.text or "")
            elif tag == p:
                texts.append("".join(para))
                elem.clear()
            elif tag == span_tag:
                span = int(elem.get(val) or 1)
            elif tag == vmerge_tag:
                merge = elem.get(val) or "continue"
            elif tag == tc:
                col = len(row)
                text = "\n".join(texts)
                if merge == "restart":
                    vmerge[col] = text
                elif merge == "continue":
                    text = vmerge.get(col, text)
                where = f"表{len(tables) + 1}第{len(rows) + 1}行第"
                row.append(GridCell(text, f"{where}{col + 1}列"))
                row.extend(GridCell(None, f"{where}{col + k}列") for k in range(2, span + 1))
                elem.clear()
            elif tag == tr:
                rows.append(row)
                elem.clear()
            elif tag == tbl:
                tables.append(rows)
                elem.clear()
    return sum(len(r) for rows in tables for r in rows)


def docx_perfrules_read(path: Path) -> int:
    from lxml import etree

    walk = docx_reader._Walk(path, Limits())
    with zipfile.ZipFile(path) as archive, archive.open("word/document.xml") as stream:
        walk.run(etree, stream)
    return sum(len(b.rows) for b in walk.blocks)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--indicators", type=int, default=60)
    parser.add_argument("--forms", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--check", action="store_true", help="exit 1 when a ratio misses its target")
    args = parser.parse_args()
    try:
        import python_calamine  # noqa: F401

        calamine = True
    except ImportError:
        calamine = False
    results: list[tuple[str, float]] = []
    ratios: list[tuple[str, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        sheets = layout(args.indicators, args.forms)
        books = {"openpyxl": fileformats.write(sheets, Path(tmp) / "forms.xlsx", "xlsx"),
                 "xlsxwriter": xlsxwriter(sheets, Path(tmp) / "forms-shared.xlsx")}
        docx_path = fileformats.write(sheets, Path(tmp) / "forms.docx", "docx")
        for book in [*books.values(), docx_path]:
            assert len(perfrules.load_all(book)) == args.forms
        for writer, book in books.items():
            floor = best_cpu(lambda b=book: xlsx_floor_etree(b), args.repeat)
            read = best_cpu(lambda b=book: xlsx_perfrules_read(b), args.repeat)
            full = best_cpu(lambda b=book: perfrules.load_all(b), args.repeat)
            old = best_cpu(lambda b=book: xlsx_openpyxl(b), args.repeat)
            results += [(f"xlsx ({writer}) floor: etree walk", floor),
                        (f"xlsx ({writer}) openpyxl read-only, values and formats", old),
                        (f"xlsx ({writer}) perfrules reader (grids)", read),
                        (f"xlsx ({writer}) perfrules.load_all", full)]
            ratios.append((f"xlsx ({writer}) perfrules reader / etree floor", read / floor, TARGET))
            if calamine:
                cal = best_cpu(lambda b=book: xlsx_floor_calamine(b), args.repeat)
                results.append((f"xlsx ({writer}) floor: calamine + styles.xml", cal))
                ratios.append((f"xlsx ({writer}) perfrules reader / calamine floor", read / cal, 0))
            ratios.append((f"xlsx ({writer}) openpyxl read-only / perfrules reader", old / read, 0))
            ratios.append((f"xlsx ({writer}) recogniser share of load_all", (full - read) / full, 0))
        floor = best_cpu(lambda: docx_floor(docx_path), args.repeat)
        read = best_cpu(lambda: docx_perfrules_read(docx_path), args.repeat)
        full = best_cpu(lambda: perfrules.load_all(docx_path), args.repeat)
        results += [("docx floor: lxml walk resolving merges", floor),
                    ("docx perfrules reader (tables)", read),
                    ("docx perfrules.load_all", full)]
        ratios.append(("docx perfrules reader / lxml floor", read / floor, TARGET))
        ratios.append(("docx recogniser share of load_all", (full - read) / full, 0))
    print(f"forms {args.forms} × indicators {args.indicators}, best of {args.repeat}")
    for name, seconds in results:
        print(f"{name:58} {seconds * 1000:9.2f} ms")
    missed = []
    for name, ratio, target in ratios:
        aim = f"(target ≤ {target}×)" if target else ""
        print(f"{name:58} {ratio:9.2f}{'×' if 'share' not in name else ''} {aim}")
        if target and ratio > target:
            missed.append(name)
    if not calamine:
        print("python-calamine is not installed: its floor was not measured")
    if args.check and missed:
        print("missed:", ", ".join(missed))
        sys.exit(1)


if __name__ == "__main__":
    main()
