"""Memory and time of perfrules' refusals of hostile files (issue 15).

Makes each hostile file in a temporary folder, then runs ``perfrules score`` on it in a
child process under ``/usr/bin/time -v`` (peak resident memory) and prints one line each:
the case, the exit code, seconds, peak MiB and the first words of the refusal. No
assertion: the numbers are for the record (docs/security.md), measured on this machine.

    python benchmarks/bench_hostile.py
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests import hostile_pdf  # the hostile PDFs the tests use

FORM = {
    "title": "清洁表", "reported_total": "100",
    "indicators": [
        {"name": "培训人次", "path": ["产出指标", "数量指标"], "unit": "人次", "nature": "≥",
         "target": "100", "weight": "60", "actual": "110", "reported_score": "60"},
        {"name": "服务质量", "path": ["产出指标", "质量指标"], "nature": "定性", "target": "良好",
         "weight": "40", "actual": "达成", "reported_score": "40"},
    ],
}


def _json(folder: Path, name: str, data: object, raw: str = "") -> Path:
    path = folder / name
    text = json.dumps(data, ensure_ascii=False)
    path.write_text(text.replace('"actual": "110"', raw) if raw else text, "utf-8")
    return path


def _seed_xlsx(path: Path) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["指标名称", "指标性质", "指标值", "分值", "实际完成值", "得分"])
    sheet.append(["培训人次", "≥", 100, 60, 110, 60])
    sheet.append(["服务质量", "定性", "良好", 40, "达成", 40])
    book.save(path)
    return path


def _with_part(source: Path, target: Path, name: str, size: int) -> Path:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        dst.writestr(name, b"\0" * size)
    return target


def _shared_part(folder: Path, sheets: int, cells: int) -> Path:
    """A workbook of ``sheets`` sheets that all point at one large sheet part."""
    import openpyxl

    book = openpyxl.Workbook()
    first = book.active
    first.append(["指标名称", "指标性质", "指标值", "分值", "实际完成值", "得分"])
    for r in range(cells // 6):
        first.append([f"空{r}", None, None, None, None, " "])
    for i in range(2, sheets + 1):
        book.create_sheet(f"S{i}")
    plain = folder / "plain.xlsx"
    book.save(plain)
    target = folder / "shared.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/_rels/workbook.xml.rels":
                text = data.decode()
                for i in range(2, sheets + 1):
                    text = text.replace(f"worksheets/sheet{i}.xml", "worksheets/sheet1.xml")
                data = text.encode()
            dst.writestr(info.filename, data)
    return target


def _xls(folder: Path, cells: int) -> Path:
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("S")
    for i in range(cells):
        sheet.write(i // 200, i % 200, i + 1)
    path = folder / "many.xls"
    book.save(str(path))
    return path


def cases(folder: Path) -> dict[str, Path]:
    many = dict(FORM, indicators=[dict(FORM["indicators"][0], name=f"指标{i}")
                                  for i in range(200_000)])  # 40 MB: under max_file_bytes
    marks = "\u0301\u0316" * 20_000
    rows = ["指标名称,指标性质,指标值,分值,实际完成值,得分", f"培训{marks},≥,100,60,110,60"]
    (folder / "marks.csv").write_text("\n".join(rows) + "\n", "utf-8")
    seed = _seed_xlsx(folder / "seed.xlsx")
    return {
        "actual 1e999999999": _json(folder, "huge.json", FORM, '"actual": 1e999999999'),
        "actual 1e-999999999": _json(folder, "tiny.json", FORM, '"actual": 1e-999999999'),
        "200,000 JSON indicators (40 MB)": _json(folder, "many.json", many),
        "40,000 JSON indicators (7 MB)": _json(folder, "some.json", dict(
            many, indicators=many["indicators"][:40_000])),
        "a 40,000-character cell of combining marks": folder / "marks.csv",
        "a 100 MB sheet part named .bin": _with_part(seed, folder / "bin.xlsx",
                                                     "xl/worksheets/sheet9.bin", 100 << 20),
        "50 sheets sharing one 7 MB part": _shared_part(folder, 50, 240_000),
        "an .xls of 300,000 cells": _xls(folder, 300_000),
        "a 1.5 MB PDF flate bomb (1.5 GB unpacked)": _pdf(folder, "bomb.pdf", hostile_pdf.pdf(
            1, hostile_pdf.bomb(1500 << 20), pack=False)),
        "a 48 KB PDF: 300 pages share a 50×50 grid": _pdf(folder, "grid.pdf", hostile_pdf.pdf(
            300, hostile_pdf.grid(50, 50))),
        "a 48 KB PDF: 300 pages share a 60×60 grid": _pdf(folder, "grid60.pdf", hostile_pdf.pdf(
            300, hostile_pdf.grid(60, 60))),
    }


def _pdf(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def measure(path: Path) -> tuple[int, float, float, str]:
    command = ["/usr/bin/time", "-v", sys.executable, "-m", "perfrules", "--lang", "en", "score",
               "--timeout", "0", str(path)]  # in one process, so that its peak is the refusal's
    start = time.monotonic()
    proc = subprocess.run(command, capture_output=True, text=True, check=False,
                          env=dict(os.environ, PYTHONUTF8="1"))
    seconds = time.monotonic() - start
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    lines = proc.stderr.splitlines()
    refusal = next((ln.strip() for ln in lines if ln.strip().startswith("- ")),
                   next((ln for ln in lines if "perfrules: error" in ln), ""))
    return proc.returncode, seconds, int(peak.group(1)) / 1024 if peak else float("nan"), refusal


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in cases(Path(tmp)).items():
            code, seconds, mib, refusal = measure(path)
            print(f"{name:45} exit {code}  {seconds:6.2f} s  {mib:7.1f} MiB  {refusal[:150]}")


if __name__ == "__main__":
    main()
