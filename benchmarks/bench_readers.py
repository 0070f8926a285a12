"""Reading .xlsx and .docx forms against the bare libraries, measured in the same run.

    python benchmarks/bench_readers.py [--indicators 60] [--forms 3] [--repeat 5]

Writes one file of each kind with ``--forms`` project forms of ``--indicators``
lines (tests/fileformats.py), then times, best of ``--repeat``:

- xlsx floor: openpyxl read-only, every sheet's values (``iter_rows(values_only=True)``);
- docx floor: lxml ``iterparse`` over word/document.xml collecting the text of every
  ``w:t`` — the least any reader of the file must do;
- python-docx: ``docx.Document`` and every cell's text, the object model perfrules used
  before (a streaming walk is ~40× faster);
- perfrules: ``perfrules.load_all`` — budgets, merges, recognition, Form objects.

The ratios perfrules / floor are the numbers to watch (the aim: stay close to the
bare library); absolute times depend on the machine.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests import fileformats
from tests.gridspec import Sheet

import perfrules


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
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def xlsx_floor(path: Path) -> int:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    n = sum(1 for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for _ in row)
    wb.close()
    return n


def docx_floor(path: Path) -> int:
    from lxml import etree

    tag = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"
    n = 0
    with zipfile.ZipFile(path) as archive, archive.open("word/document.xml") as stream:
        for _, elem in etree.iterparse(stream, tag=tag, resolve_entities=False, no_network=True):
            n += len(elem.text or "")
            elem.clear()
    return n


def python_docx(path: Path) -> int:
    import docx

    document = docx.Document(str(path))
    return sum(len(cell.text) for table in document.tables for row in table.rows for cell in row.cells)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--indicators", type=int, default=60)
    parser.add_argument("--forms", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sheets = layout(args.indicators, args.forms)
        xlsx = fileformats.write(sheets, Path(tmp) / "forms.xlsx", "xlsx")
        docx_path = fileformats.write(sheets, Path(tmp) / "forms.docx", "docx")
        assert len(perfrules.load_all(xlsx)) == args.forms == len(perfrules.load_all(docx_path))
        rows = [
            ("xlsx floor (openpyxl read-only values)", best(lambda: xlsx_floor(xlsx), args.repeat)),
            ("xlsx perfrules.load_all", best(lambda: perfrules.load_all(xlsx), args.repeat)),
            ("docx floor (lxml iterparse w:t)", best(lambda: docx_floor(docx_path), args.repeat)),
            ("docx python-docx object model", best(lambda: python_docx(docx_path), args.repeat)),
            ("docx perfrules.load_all", best(lambda: perfrules.load_all(docx_path), args.repeat)),
        ]
    times = dict(rows)
    print(f"forms {args.forms} × indicators {args.indicators}")
    for name, seconds in rows:
        print(f"{name:42} {seconds * 1000:9.1f} ms")
    print(f"ratio xlsx perfrules / floor       {times[rows[1][0]] / times[rows[0][0]]:6.2f}x")
    print(f"ratio docx perfrules / floor       {times[rows[4][0]] / times[rows[2][0]]:6.2f}x")
    print(f"ratio docx python-docx / perfrules {times[rows[3][0]] / times[rows[4][0]]:6.2f}x")


if __name__ == "__main__":
    main()
