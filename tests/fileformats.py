"""Write a :data:`tests.gridspec.Layout` as the files real forms come in.

``write(layout, path, fmt)`` writes every sheet of the layout as

- ``xlsx``: one worksheet per sheet (openpyxl): merged ranges, ``0.00%`` number
  formats on percent cells, ints and binary floats as Excel stores them, the
  paragraphs as rows above the table;
- ``docx``: one Word table per sheet (python-docx), each after its paragraphs,
  with real horizontal (``gridSpan``) and vertical (``vMerge``) merges;
- ``xls``: one BIFF worksheet per sheet (xlwt): merges and percent formats;
- ``csv``: a single sheet, UTF-8 with BOM (or ``encoding=``), a merged range's
  text in its first cell only, percent cells as the text Excel exports (99.35%);
- ``pdf``: one ruled HTML table per sheet printed by headless chromium, CJK
  text extractable, long tables going on over page breaks (``repeat_header``:
  the first row is a ``<thead>`` that chromium repeats on every page).

``FORMATS`` lists them; ``supports(layout, fmt)`` says whether a format can
hold the layout (CSV holds one sheet) and ``available(fmt)`` whether this
machine can write it.
"""

from __future__ import annotations

import csv
import html
import io
import os
import shutil
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any, Optional

from .gridspec import Layout, Sheet

__all__ = ["FORMATS", "available", "chromium", "scanned_pdf", "supports", "write"]

FORMATS = ("xlsx", "docx", "xls", "csv", "pdf")


def chromium() -> Optional[str]:
    """The chromium (or chrome) binary that prints the PDF fixtures, if any."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def available(fmt: str) -> Optional[str]:
    """``None`` when ``fmt`` can be written here, else why not (a skip reason)."""
    needs = {"xlsx": "openpyxl", "docx": "docx", "xls": "xlwt", "pdf": "pdfplumber"}
    module = needs.get(fmt)
    if module is not None:
        try:
            __import__(module)
        except ImportError:
            return f"writing {fmt} test files needs {module} (pip install -e '.[test]')"
    if fmt == "pdf" and chromium() is None:
        return ("no way to create a PDF here: the PDF fixtures are printed by headless chromium "
                "(apt-get install chromium fonts-noto-cjk)")
    return None


def supports(layout: Layout, fmt: str) -> bool:
    return fmt != "csv" or len(layout) == 1


def write(layout: Layout, path: Path, fmt: str, *, encoding: str = "utf-8-sig",
          repeat_header: bool = False) -> Path:
    """Write ``layout`` to ``path`` as ``fmt`` (one of :data:`FORMATS`)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    if not supports(layout, fmt):
        raise ValueError(f"{fmt} holds one sheet; the layout has {len(layout)}")
    path = Path(path)
    if fmt == "xlsx":
        _xlsx(layout, path)
    elif fmt == "docx":
        _docx(layout, path)
    elif fmt == "xls":
        _xls(layout, path)
    elif fmt == "csv":
        _csv(layout[0], path, encoding)
    else:
        _pdf(layout, path, repeat_header)
    return path


def shown(value: Any, percent: bool) -> str:
    """A cell as a person sees it: 0.9935 with a percent format → 99.35%."""
    if value is None:
        return ""
    if isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, int) and not isinstance(value, bool):
        number = Decimal(value)
    else:
        return str(value)
    if percent:
        number *= 100
    text = format(number.normalize(), "f") if number == number.to_integral() else format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text + ("%" if percent else "")


def _covered(sheet: Sheet) -> set[tuple[int, int]]:
    """Cells inside a merged range other than its first."""
    out = set()
    for r1, c1, r2, c2 in sheet.merges:
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) != (r1, c1):
                    out.add((r, c))
    return out


def _width(sheet: Sheet) -> int:
    return max([len(row) for row in sheet.rows] + [c2 for _, _, _, c2 in sheet.merges] + [1])


def _xlsx(layout: Layout, path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet in layout:
        ws = wb.create_sheet(sheet.name)
        for text in sheet.paragraphs:
            ws.append([text])
        off = len(sheet.paragraphs)
        for r, row in enumerate(sheet.rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = ws.cell(row=r + off, column=c, value=value)
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"  # typed as text ('=100%), not a formula
                if (r, c) in sheet.percent:
                    cell.number_format = "0.00%"
        for r1, c1, r2, c2 in sheet.merges:
            ws.merge_cells(start_row=r1 + off, start_column=c1, end_row=r2 + off, end_column=c2)
    wb.save(path)


def _docx(layout: Layout, path: Path) -> None:
    import docx

    document = docx.Document()
    for sheet in layout:
        for text in sheet.paragraphs:
            document.add_paragraph(text)
        width = _width(sheet)
        table = document.add_table(rows=len(sheet.rows), cols=width)
        table.style = "Table Grid"
        for r, row in enumerate(sheet.rows):
            for c, value in enumerate(row):
                if value is not None:
                    table.cell(r, c).text = shown(value, (r + 1, c + 1) in sheet.percent)
        for r1, c1, r2, c2 in sheet.merges:
            table.cell(r1 - 1, c1 - 1).merge(table.cell(r2 - 1, c2 - 1))
        document.add_paragraph("")
    document.save(str(path))


def _xls(layout: Layout, path: Path) -> None:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    percent = xlwt.easyxf(num_format_str="0.00%")
    plain = xlwt.easyxf("")
    for sheet in layout:
        ws = book.add_sheet(sheet.name, cell_overwrite_ok=True)
        off = len(sheet.paragraphs)
        for i, text in enumerate(sheet.paragraphs):
            ws.write(i, 0, text)
        starts = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in sheet.merges}
        covered = _covered(sheet)
        for r, row in enumerate(sheet.rows, start=1):
            for c, value in enumerate(row, start=1):
                if (r, c) in covered:
                    continue
                style = percent if (r, c) in sheet.percent else plain
                if (r, c) in starts:
                    r2, c2 = starts[(r, c)]
                    ws.write_merge(r - 1 + off, r2 - 1 + off, c - 1, c2 - 1, value, style)
                elif value is not None:
                    ws.write(r - 1 + off, c - 1, value, style)
        for (r1, c1), (r2, c2) in starts.items():  # merged ranges whose first cell is past a row's end
            if c1 > len(sheet.rows[r1 - 1]):
                ws.write_merge(r1 - 1 + off, r2 - 1 + off, c1 - 1, c2 - 1, None, plain)
    book.save(str(path))


def _csv(sheet: Sheet, path: Path, encoding: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    covered = _covered(sheet)
    for text in sheet.paragraphs:
        writer.writerow([text])
    for r, row in enumerate(sheet.rows, start=1):
        writer.writerow(["" if (r, c) in covered else shown(v, (r, c) in sheet.percent)
                         for c, v in enumerate(row, start=1)])
    path.write_bytes(buffer.getvalue().encode(encoding))


def _html(layout: Layout, repeat_header: bool) -> str:
    parts = ["<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><style>",
             "body{font-family:'Noto Sans CJK SC','Noto Sans SC','Noto Serif CJK SC',sans-serif;"
             "font-size:10pt}",
             "table{border-collapse:collapse;margin-bottom:12pt}",
             "td,th{border:1px solid #000;padding:2pt 4pt;font-weight:normal}",
             "tr{break-inside:avoid}", ".next{break-before:page}",
             "</style></head><body>"]
    for k, sheet in enumerate(layout):
        cls = " class='next'" if k else ""
        for i, text in enumerate(sheet.paragraphs):
            parts.append(f"<p{cls if i == 0 else ''}>{html.escape(text)}</p>")
        table_cls = cls if not sheet.paragraphs else ""
        parts.append(f"<table{table_cls}>")
        starts = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in sheet.merges}
        covered = _covered(sheet)
        width = _width(sheet)
        for r, row in enumerate(sheet.rows, start=1):
            if r == 1 and repeat_header:
                parts.append("<thead>")
            if r == 2 and repeat_header:
                parts.append("<tbody>")
            parts.append("<tr>")
            cells = list(row) + [None] * (width - len(row))
            for c, value in enumerate(cells, start=1):
                if (r, c) in covered:
                    continue
                span = ""
                if (r, c) in starts:
                    r2, c2 = starts[(r, c)]
                    span = f" rowspan='{r2 - r + 1}' colspan='{c2 - c + 1}'"
                text = html.escape(shown(value, (r, c) in sheet.percent)).replace("\n", "<br>")
                parts.append(f"<td{span}>{text}</td>")
            parts.append("</tr>")
            if r == 1 and repeat_header:
                parts.append("</thead>")
        if repeat_header and len(sheet.rows) > 1:
            parts.append("</tbody>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts)


def _pdf(layout: Layout, path: Path, repeat_header: bool) -> None:
    binary = chromium()
    if binary is None:
        raise RuntimeError(available("pdf"))
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "form.html"
        page.write_text(_html(layout, repeat_header), "utf-8")
        command = [binary, "--headless", "--no-sandbox", "--disable-gpu",
                   "--no-pdf-header-footer", "--print-to-pdf-no-header",
                   f"--user-data-dir={tmp}/profile", f"--print-to-pdf={path.resolve()}",
                   page.as_uri()]
        env = dict(os.environ, HOME=tmp)
        done = subprocess.run(command, capture_output=True, timeout=120, env=env, check=False)
        if not path.exists() or path.stat().st_size == 0:
            raise RuntimeError(f"chromium printed no PDF: {done.stderr.decode(errors='replace')[-500:]}")


def scanned_pdf(path: Path) -> Path:
    """A PDF of one page that is only an image of a table (no text layer)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 300), "white")
    draw = ImageDraw.Draw(image)
    for i in range(5):
        draw.line((20, 20 + 50 * i, 580, 20 + 50 * i), fill="black", width=2)
    for x in (20, 200, 400, 580):
        draw.line((x, 20, x, 220), fill="black", width=2)
    image.save(path, "PDF", resolution=72)
    return path
