"""Published forms as PDF (exported from Word or Excel), through pdfplumber.

Ruled tables are extracted page by page into the same grid as a workbook:
a merged cell holds its text in its first cell, the cells it covers are
empty. A table that goes on over a page break is joined to its first part
when the next page starts with a table of the same number of columns, no
title above it, and either no header row or the same header row again (the
repeated header is dropped). Cells are named ``第2页 表1 第4行第7列`` (page,
table on that page, row and column in that table). A scanned PDF has no text
to read and is refused as such.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import unicodedata
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Optional

import attrs

from .._model import Form
from ..exceptions import FormError, MissingDependencyError
from ._forms import Block, Rows, forms_from_tables, head_like, header_like
from ._limits import Limits, ManyForms, head, limit_error, resolve
from .canonical import file_error as _error
from .table import GridCell, norm

__all__ = ["PdfReader"]

#: a line that is only a page number or a running header/footer of one
_PAGE_NUMBER = re.compile(r"^[-—–\s]*(第\s*\d+\s*页(\s*[,，/]?\s*共\s*\d+\s*页)?|\d+(\s*/\s*\d+)?|"
                          r"page\s*\d+(\s*of\s*\d+)?)[-—–\s]*$", re.IGNORECASE)
_ASCII_WORD = re.compile(r"[0-9A-Za-z]")
_QUIET = logging.NullHandler()
#: Some PDF producers map CJK glyphs to the radical code points that look the same
#: (⼒ U+2F12 for 力, ⻔ U+2ED4 for 门): Kangxi radicals fold by NFKC, the simplified
#: radicals of the supplement by this table (Unicode EquivalentUnifiedIdeograph.txt)
_RADICALS = str.maketrans({
    "⺌": "小", "⺍": "小", "⺕": "彐", "⺗": "心", "⺝": "月", "⺟": "母", "⺠": "民", "⺧": "牛",
    "⺫": "目", "⺬": "示", "⺮": "竹", "⺳": "网", "⺶": "羊", "⺷": "羊", "⺻": "聿", "⻄": "西",
    "⻅": "见", "⻆": "角", "⻉": "贝", "⻋": "车", "⻓": "长", "⻔": "门", "⻘": "青", "⻛": "风",
    "⻜": "飞", "⻝": "食", "⻢": "马", "⻤": "鬼", "⻩": "黄", "⻭": "齿", "⻯": "龙", "⻳": "龟",
    # the other C-simplified radicals (chromium's PDFs write ⻚ for 页 in the text layer)
    "⻚": "页", "⻥": "鱼", "⻦": "鸟", "⻬": "齐", "⻮": "齿", "⻰": "龙", "⻨": "麦", "⻧": "卤",
    "⻪": "黾", "⻐": "钅", "⻈": "讠", "⺰": "纟", "⻙": "韦", "⻠": "饣",
    # Kangxi radicals whose glyph a Simplified Chinese font shares with the simplified
    # character, where NFKC would give the traditional one (⼾ → 戶, not 户)
    "⼾": "户", "⾭": "青", "⿈": "黄",
})
_KANGXI = re.compile("[\u2f00-\u2fd5]")


@attrs.frozen
class PdfReader(ManyForms):
    """PDF with a text layer: each ruled indicator table is a form (joined across pages)."""

    name: str = "pdf"
    extensions: tuple[str, ...] = (".pdf",)
    #: budgets for one file; ``None``: the defaults and ``PERFRULES_*`` variables
    limits: Optional[Limits] = None

    def read_all(self, path: Path) -> tuple[Form, ...]:
        try:
            import pdfplumber
        except ImportError:
            raise MissingDependencyError("reading PDF forms", "pdf") from None
        # pdfminer warns about every odd font through logging; keep that out of a user's
        # terminal unless the application configured logging itself
        logging.getLogger("pdfminer").addHandler(_QUIET)
        limits = resolve(self.limits)
        if b"%PDF-" not in head(path, limits, 1024):
            raise _error(str(path), "corrupt-file", "the file is not a PDF", "a PDF file")
        try:
            with _stream_budget(str(path), limits), pdfplumber.open(path) as pdf:
                blocks, preamble, text_seen = _read_pages(pdf, path, limits)
        except FormError:
            raise
        except Exception as exc:  # pdfminer raises many types on broken or locked files
            name = type(exc).__name__
            # pdfplumber wraps pdfminer's errors (PdfminerException(PDFPasswordIncorrect())):
            # look at the exception and at what it wraps or was raised from
            causes = [exc, *(a for a in exc.args if isinstance(a, BaseException)),
                      exc.__cause__, exc.__context__]
            refusal = next((c for c in causes if isinstance(c, FormError)), None)
            if refusal is not None:  # a budget, refused inside pdfminer (a stream unpacked)
                raise refusal from None
            if any(c is not None and ("Password" in type(c).__name__
                                      or "Encrypt" in type(c).__name__) for c in causes):
                raise _error(str(path), "encrypted-or-old", "the PDF is password-protected",
                             "the PDF without a password") from None
            raise _error(str(path), "corrupt-file", f"the PDF cannot be read: {name}: {exc}",
                         "a PDF exported from Word, WPS or Excel") from None
        if not text_seen:
            raise _error(str(path), "no-text-layer",
                         "the PDF has no text layer (a scanned or image-only PDF): there is no "
                         "text to read the form from",
                         "the PDF as exported from Word, WPS or Excel, or the .xlsx/.docx form itself")
        if not blocks:
            raise _error(str(path), "no-table", "no ruled table found on any page of the PDF",
                         "a 绩效自评表 printed as a table with borders")
        return forms_from_tables(path, blocks, preamble)


def _fold(text: str) -> str:
    """CJK radicals that stand for the ideographs they look like, as those ideographs."""
    return _KANGXI.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text.translate(_RADICALS))


def _join_lines(text: Optional[str]) -> Optional[str]:
    """A cell's wrapped lines as one text: CJK lines join directly, Latin words with a space."""
    if text is None:
        return None
    lines = [line.strip() for line in _fold(text).split("\n")]
    out = ""
    for line in lines:
        if not line:
            continue
        if out and _ASCII_WORD.match(out[-1]) and _ASCII_WORD.match(line[0]):
            out += " "
        out += line
    return out


def _text_lines(page: Any, top: float, bottom: float) -> list[str]:
    """Lines of text between two heights of a page, page numbers left out."""
    if bottom - top < 1:
        return []
    box = (0, max(0.0, top), float(page.width), min(float(page.height), bottom))
    text = _fold(page.within_bbox(box).extract_text() or "")
    return [line.strip() for line in text.split("\n")
            if line.strip() and not _PAGE_NUMBER.match(line.strip())]


def _read_pages(pdf: Any, path: Path, limits: Limits) -> tuple[list[Block], list[str], bool]:
    pages = pdf.pages
    if len(pages) > limits.max_pages:
        raise limit_error(str(path), "max_pages", limits.max_pages,
                          f"the PDF has {len(pages)} pages")
    blocks: list[Block] = []
    preamble: list[str] = []
    text_seen = False
    cells = 0
    crossings = 0
    tail: list[str] = []  # text below the last table of the previous page
    room = float("inf")  # the height below the last table of the previous page
    heading: set[str] = set()  # text above the first table of the previous page
    for p, page in enumerate(pages, start=1):
        if page.chars:
            text_seen = True
        crossings += _page_crossings(page, p, path, limits)
        if crossings > limits.max_pdf_crossings:
            raise limit_error(str(path), "max_pdf_crossings", limits.max_pdf_crossings,
                              f"the ruled lines of pages 1 to {p} cross at more than "
                              f"{limits.max_pdf_crossings} points")
        tables = sorted(page.find_tables(), key=lambda t: (t.bbox[1], t.bbox[0]))
        above = 0.0
        for t, table in enumerate(tables, start=1):
            _, top, _, bottom = table.bbox
            before = _text_lines(page, above, top)
            above = bottom
            raw = table.extract()
            rows: Rows = []
            for r, values in enumerate(raw, start=1):
                row = []
                for c, value in enumerate(values, start=1):
                    text = _join_lines(value)
                    if text:
                        cells += 1
                        if cells > limits.max_cells:
                            raise limit_error(str(path), "max_cells", limits.max_cells,
                                              f"the PDF's tables have more than {limits.max_cells} "
                                              "cells with a value")
                    row.append(GridCell(value=text, where=f"第{p}页 表{t} 第{r}行第{c}列"))
                rows.append(row)
            width = max((len(row) for row in rows), default=0)
            if len(rows) * width > limits.max_area:
                raise limit_error(str(path), "max_area", limits.max_area,
                                  f"table {t} on page {p} spans {len(rows)} rows × {width} columns")
            if not rows:
                continue
            # above it only what the page before had above its table too (a running header
            # such as 附件2), never a form's title
            running = t == 1 and set(before) <= heading and not any(
                "自评表" in line or "评价表" in line for line in before)
            if t == 1:
                heading = set(before)
            if running and blocks and not tail and _continues(blocks[-1].rows, rows):
                rows = _without_repeated_header(blocks[-1].rows, rows)
                last = blocks[-1]
                earlier = last.rows
                # a row Word or WPS broke over the page: the table filled the page before
                # (as much room under it as above this one, give or take three lines)
                if rows and room <= float(top) + _SPLIT_SLACK and _split_row(earlier[-1], rows[0]):
                    earlier = [*earlier[:-1], _join_row(earlier[-1], rows[0])]
                    rows = rows[1:]
                blocks[-1] = attrs.evolve(last, rows=[*earlier, *rows])
                continue
            blocks.append(Block(rows=rows, label=f"第{p}页表{t}", before=tuple(before)))
        if not tables:
            heading = set()
            room = float("inf")
        if tables:
            tail = _text_lines(page, above, float(page.height))
            room = float(page.height) - above
        elif page.chars:
            lines = _text_lines(page, 0.0, float(page.height))
            if lines:
                tail = lines
                if not blocks:
                    preamble.extend(lines)
        close = getattr(page, "close", None)
        if close is not None:
            close()  # drop the page's cached layout before the next one
    return blocks, preamble, text_seen


def _page_crossings(page: Any, number: int, path: Path, limits: Limits) -> int:
    """How many points the ruled lines of a page cross at (horizontal rules × vertical
    rules, rules closer than pdfplumber's snap tolerance counted once), refused beyond
    ``max_page_crossings`` before pdfplumber looks for cells: its time grows with the
    square of the crossings (a 100 × 100 grid took 6 s a page, 300 pages sharing it 30
    minutes)."""
    rows: list[float] = []
    columns: list[float] = []
    for edge in page.edges:
        if edge.get("orientation") == "h":
            rows.append(float(edge["top"]))
        else:
            columns.append(float(edge["x0"]))
    found = _positions(rows) * _positions(columns)
    if found > limits.max_page_crossings:
        raise limit_error(f"{path} 第{number}页", "max_page_crossings", limits.max_page_crossings,
                          f"the ruled lines of page {number} cross at {found} points")
    return found


def _positions(values: list[float], tolerance: float = 3.0) -> int:
    """How many distinct positions, values within ``tolerance`` of the last one counted once."""
    count = 0
    last = -float("inf")
    for value in sorted(values):
        if value - last > tolerance:
            count += 1
        last = value
    return count


class _Budget:
    """What is left of ``max_unpacked_bytes`` for the streams of one PDF."""

    def __init__(self, where: str, limit: int) -> None:
        self.where = where
        self.limit = limit
        self.left = limit

    def take(self, size: int) -> None:
        self.left -= size
        if self.left < 0:
            raise limit_error(self.where, "max_unpacked_bytes", self.limit,
                              f"the streams of the PDF unpack to more than {self.limit} bytes")


#: the budget of the PDF this thread is reading (None: not reading one)
_STATE = threading.local()


def _budget() -> Optional[_Budget]:
    return getattr(_STATE, "budget", None)


class _Decompressor:
    """A zlib decompressor whose output counts against the budget."""

    def __init__(self, inner: Any, budget: _Budget) -> None:
        self._inner = inner
        self._budget = budget

    def decompress(self, data: bytes, max_length: int = 0) -> bytes:
        room = self._budget.left + 1
        out: bytes = self._inner.decompress(data, room if not max_length else min(max_length, room))
        self._budget.take(len(out))
        return out

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _BoundedZlib:
    """The zlib pdfminer's streams are unpacked with: while a PDF is read, no stream
    unpacks past what is left of the budget (a 1.5 MB flate bomb unpacked to 3 GB)."""

    error = zlib.error

    @staticmethod
    def decompress(data: bytes, *args: Any, **kwargs: Any) -> bytes:
        budget = _budget()
        if budget is None or args or kwargs:
            return zlib.decompress(data, *args, **kwargs)
        inner = zlib.decompressobj()
        out = inner.decompress(data, budget.left + 1)
        budget.take(len(out))
        if not inner.eof:  # as zlib.decompress says of a stream cut short
            raise zlib.error("Error -5 while decompressing data: incomplete or truncated stream")
        return out

    @staticmethod
    def decompressobj(*args: Any, **kwargs: Any) -> Any:
        budget = _budget()
        inner = zlib.decompressobj(*args, **kwargs)
        return inner if budget is None else _Decompressor(inner, budget)

    def __getattr__(self, name: str) -> Any:
        return getattr(zlib, name)


def _lzw(data: bytes) -> bytes:
    from pdfminer.lzw import LZWDecoder, lzwdecode

    budget = _budget()
    if budget is None:
        return lzwdecode(data)
    import io

    out = []
    for chunk in LZWDecoder(io.BytesIO(data)).run():
        budget.take(len(chunk))
        out.append(chunk)
    return b"".join(out)


def _run_length(data: bytes) -> bytes:
    from pdfminer.runlength import rldecode

    budget = _budget()
    if budget is not None:  # its size first: rldecode holds a list of ints, 8 bytes a byte
        size, i = 0, 0
        while i < len(data) and data[i] != 128:
            length = data[i]
            size += length + 1 if length < 128 else 257 - length
            i += length + 2 if length < 128 else 2
        budget.take(size)
    return rldecode(data)


_INSTALL = threading.Lock()


@contextlib.contextmanager
def _stream_budget(where: str, limits: Limits) -> Iterator[None]:
    """Count what pdfminer unpacks from the PDF's streams (this thread's), and stop at
    ``max_unpacked_bytes``, while the streams are being unpacked.

    pdfminer unpacks a stream whole (``zlib.decompress``); the names its stream module
    calls are replaced, once, by ones that ask this thread's budget first and behave as
    before when no PDF is being read.
    """
    from pdfminer import pdftypes

    with _INSTALL:
        if not isinstance(getattr(pdftypes, "zlib", None), _BoundedZlib):
            for name, value in (("zlib", _BoundedZlib()), ("lzwdecode", _lzw),
                                ("rldecode", _run_length)):
                setattr(pdftypes, name, value)
    saved = _budget()
    _STATE.budget = _Budget(where, limits.max_unpacked_bytes)
    try:
        yield
    finally:
        _STATE.budget = saved


_SPLIT_SLACK = 36.0  # points: three lines of 12 pt
_NUMBER = re.compile(r"^[-+]?[0-9][0-9,]*(?:\.[0-9]+)?%?$")


def _split_row(last: Sequence[GridCell], first: Sequence[GridCell]) -> bool:
    """Whether ``first`` (at the top of a page) is the rest of ``last`` (at the bottom of the
    page before), a row broken over the page.

    The rest of a broken row has text only in cells the row's first part has text in
    (the overflow of a cell that wrapped: ``100`` then ``%``), and no number under a
    cell whose first part is a number; a new row has its own numbers.
    """
    if len(last) != len(first):
        return False
    rest = [j for j, c in enumerate(first) if c.value]
    if not rest:
        return False
    for a, b in zip(last, first):
        if b.value and not a.value:
            return False
        if a.value and b.value and _NUMBER.match(str(a.value)) and str(b.value)[:1].isdigit():
            return False
    return True


def _join_row(last: Sequence[GridCell], first: Sequence[GridCell]) -> list[GridCell]:
    """The two parts of a row broken over a page as one row, each cell's text whole."""
    out = []
    for a, b in zip(last, first):
        if a.value and b.value:
            text = _join_lines(f"{a.value}\n{b.value}")
            out.append(attrs.evolve(a, value=text))
        else:
            out.append(a)
    return out


def _header_rows(rows: Sequence[Sequence[GridCell]]) -> list[tuple[str, ...]]:
    return [tuple(norm(c.value) for c in row) for row in rows if header_like([row])]


def _continues(previous: Rows, rows: Rows) -> bool:
    """Whether a table at the top of a page goes on with the last one of the page before."""
    if len(previous[-1]) != len(rows[0]) or head_like(rows[:1]):
        return False
    if not header_like(rows[:1]):
        return True
    first = tuple(norm(c.value) for c in rows[0])
    return first in _header_rows(previous)


def _without_repeated_header(previous: Rows, rows: Rows) -> Rows:
    headers = _header_rows(previous)
    out = list(rows)
    while out and tuple(norm(c.value) for c in out[0]) in headers:
        out.pop(0)  # a header row Word or Excel repeats at the top of each page
    return out
