"""The producers' matrix: each layout of the corpus as other programs write it.

    python -m tests.producers.regenerate            # rewrite tests/producers/libreoffice/

- ``xlsxwriter(layout, path)``: a workbook written with a shared-string table, as
  Excel, WPS and Apache POI exports write theirs (tests/fileformats.py writes
  with openpyxl, which writes inline strings);
- ``libreoffice(sources, fmt, outdir)``: files re-saved by LibreOffice running
  headless (``soffice --headless --convert-to``), as the workbook and document of
  tests/fileformats.py are re-saved by a user: .xlsx → .xlsx and .xls (Calc),
  .docx → .docx and PDF (Writer).

The LibreOffice files are committed under ``libreoffice/`` (named
``<case>.<fmt>``), so that the suite covers them where LibreOffice is not
installed; run this script again after adding a layout to tests/layouts.py.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Optional

if __package__ in (None, ""):  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests import fileformats, layouts
from tests.gridspec import Layout

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "libreoffice"
#: case name → fingerprint of the layout its fixtures were made from
MANIFEST = FIXTURES / "layouts.json"


def fingerprint(layout: Layout) -> str:
    """A short hash of a layout: a fixture made from another version of it is stale."""
    text = repr([(s.name, s.rows, sorted(s.merges), sorted(s.percent), s.paragraphs)
                 for s in layout])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def fixture(case: layouts.Case, fmt: str) -> Optional[Path]:
    """The committed LibreOffice file of a case, if made from the layout as it is now."""
    path = FIXTURES / f"{case.name}.{fmt}"
    try:
        made = json.loads(MANIFEST.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return path if path.exists() and made.get(case.name) == fingerprint(case.layout) else None
#: target format → (the file of tests/fileformats.py it is converted from, soffice filter)
CONVERSIONS = {
    "xlsx": ("xlsx", "xlsx:Calc MS Excel 2007 XML"),
    "xls": ("xlsx", "xls:MS Excel 97"),
    "docx": ("docx", "docx:MS Word 2007 XML"),
    "pdf": ("docx", "pdf:writer_pdf_Export"),
}


def soffice() -> Optional[str]:
    """LibreOffice's command, if installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return None


def xlsxwriter(layout: Layout, path: Path) -> Path:
    """Write ``layout`` as tests/fileformats.py does, with xlsxwriter's shared strings."""
    import xlsxwriter as writer

    book = writer.Workbook(str(path))
    percent = book.add_format({"num_format": "0.00%"})
    for sheet in layout:
        ws = book.add_worksheet(sheet.name)
        off = len(sheet.paragraphs)
        for i, text in enumerate(sheet.paragraphs):
            ws.write_string(i, 0, text)
        starts = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in sheet.merges}
        for r, row in enumerate(sheet.rows, start=1):
            for c, value in enumerate(row, start=1):
                fmt = percent if (r, c) in sheet.percent else None
                if (r, c) in starts:
                    r2, c2 = starts.pop((r, c))
                    ws.merge_range(r - 1 + off, c - 1, r2 - 1 + off, c2 - 1, "", fmt)
                if value is not None:
                    _write(ws, r - 1 + off, c - 1, value, fmt)
        for (r1, c1), (r2, c2) in starts.items():  # merged ranges past a row's end
            ws.merge_range(r1 - 1 + off, c1 - 1, r2 - 1 + off, c2 - 1, "", None)
    book.close()
    return path


def _write(ws: Any, row: int, col: int, value: Any, fmt: Any) -> None:
    if isinstance(value, str):
        ws.write_string(row, col, value, fmt)  # '=100%' is text, not a formula
    else:
        ws.write_number(row, col, value, fmt)


def libreoffice(sources: list[Path], fmt: str, outdir: Path) -> list[Path]:
    """Each source re-saved by LibreOffice as ``fmt`` in ``outdir`` (same stem)."""
    binary = soffice()
    if binary is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        command = [binary, "--headless", "--norestore", "--nolockcheck",
                   f"-env:UserInstallation=file://{profile}", "--convert-to",
                   CONVERSIONS[fmt][1], "--outdir", str(outdir), *map(str, sources)]
        done = subprocess.run(command, capture_output=True, timeout=600, check=False,
                              env=dict(os.environ, HOME=profile))
    out = [outdir / f"{source.stem}.{fmt}" for source in sources]
    missing = [p.name for p in out if not p.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice wrote no {', '.join(missing)}: "
                           f"{done.stderr.decode(errors='replace')[-500:]}")
    return out


def regenerate(cases: list[layouts.Case], target: Path, formats: tuple[str, ...] = tuple(CONVERSIONS),
               ) -> list[Path]:
    """Write every case as tests/fileformats.py does, then re-save it with LibreOffice."""
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        sources: dict[str, list[Path]] = {}
        for kind in {CONVERSIONS[f][0] for f in formats}:
            folder = Path(tmp) / kind
            folder.mkdir()
            sources[kind] = [fileformats.write(case.layout, folder / f"{case.name}.{kind}", kind)
                             for case in cases]
        for fmt in formats:
            written += libreoffice(sources[CONVERSIONS[fmt][0]], fmt, target)
    return written


def two_forms() -> Layout:
    """Two forms one after the other in one document (the second starts on a new page)."""
    cases = {c.name: c for c in layouts.all_cases()}
    first = copy.deepcopy(cases["mof-2020-project"].layout[0])
    second = copy.deepcopy(cases["chongqing-department"].layout[0])
    second.name = "第二张"
    return [first, second]


def main() -> None:
    cases = layouts.all_cases()
    written = regenerate(cases, FIXTURES)
    MANIFEST.write_text(json.dumps({c.name: fingerprint(c.layout) for c in cases}, indent=1,
                                   ensure_ascii=False) + "\n", "utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        source = fileformats.write(two_forms(), Path(tmp) / "two-forms.docx", "docx")
        written += libreoffice([source], "pdf", FIXTURES)
    for path in written:
        print(path.relative_to(HERE.parent.parent), path.stat().st_size)


if __name__ == "__main__":
    main()
