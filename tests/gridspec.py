"""A file-format-neutral description of a form as laid out on a page.

The layout corpus (``tests/layouts.py``) describes each real-world layout as
one or more :class:`Sheet` objects; ``tests/fileformats.py`` writes them as
.xlsx, .docx, .xls, .csv and PDF files. Keeping the two apart lets every
layout be tried in every format it comes in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Sheet:
    """One sheet of a workbook, one table of a Word document, one PDF table.

    ``rows`` hold cell values as the producing program stores them: ``str``,
    ``int``, ``float`` (Excel's binary numbers) or ``None``. Coordinates are
    1-based and inclusive, as in Excel.
    """

    name: str
    rows: list[list[Any]]
    #: merged ranges (first_row, first_col, last_row, last_col); the value sits in the first cell
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    #: cells (row, col) whose number is a fraction shown with a % number format (0.9935 → 99.35%)
    percent: set[tuple[int, int]] = field(default_factory=set)
    #: lines above the table that are not part of it (Word paragraphs, a PDF heading);
    #: in a workbook they are written as rows above ``rows``
    paragraphs: list[str] = field(default_factory=list)


#: A file is one or more sheets (several forms in one file, a cover sheet …).
Layout = list[Sheet]
