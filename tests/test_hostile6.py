"""Hostile input, the cases left of issue 15: PDF budgets (pages × cells, unpacked streams),
two sheets of one title, audit outputs that fail, budgets counted while JSON/TOML/YAML are
parsed and given as arguments. Each test backs a row of the table in docs/security.md."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

import perfrules
from perfrules.exceptions import FormError
from perfrules.io._limits import Limits

from . import hostile_pdf

pdfplumber = pytest.importorskip("pdfplumber")

_MIB = 1 << 20


def _refusal(path: Path, limits: Limits | None = None) -> str:
    from perfrules.io.pdf import PdfReader

    with pytest.raises(FormError) as info:
        PdfReader(limits=limits).read_all(path)
    return "\n".join(f"{p.code} {p.location} {p.message} {p.expected}" for p in info.value.problems)


@pytest.mark.parametrize(("filters", "content"), [
    ("/FlateDecode", hostile_pdf.bomb(24 * _MIB)),
    ("/RunLengthDecode", hostile_pdf.run_length_bomb(24 * _MIB)),
    ("[/FlateDecode /FlateDecode]", __import__("zlib").compress(hostile_pdf.bomb(24 * _MIB), 9)),
], ids=["flate", "run-length", "flate-twice"])
def test_pdf_streams_are_bounded_while_they_are_unpacked(tmp_path: Path, filters: str,
                                                         content: bytes) -> None:
    """A 1.5 MB flate bomb unpacked to 3 GB: pdfminer unpacks a stream whole. The budget is
    asked while unpacking, so memory never holds much more than it."""
    path = tmp_path / "bomb.pdf"
    path.write_bytes(hostile_pdf.pdf(1, content, filters, pack=False))
    assert path.stat().st_size < 500_000
    tracemalloc.start()
    try:
        message = _refusal(path, Limits(max_unpacked_bytes=2 * _MIB))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "limit-exceeded" in message and "max_unpacked_bytes is 2097152" in message, message
    assert "PERFRULES_MAX_UNPACKED_BYTES" in message
    assert peak < 12 * _MIB, peak  # 24 MiB and more without the budget


def test_the_stream_budget_is_the_default_and_an_environment_setting(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "bomb.pdf"
    path.write_bytes(hostile_pdf.pdf(1, hostile_pdf.bomb(80 * _MIB), pack=False))
    assert "max_unpacked_bytes is 67108864" in _refusal(path)
    monkeypatch.setenv("PERFRULES_MAX_UNPACKED_BYTES", str(100 * _MIB))
    with pytest.raises(FormError) as info:  # within the budget: read, and no table in it
        perfrules.load_all(path)
    assert info.value.problems[0].code == "no-table"


def test_outside_a_read_pdfminer_unpacks_as_before(tmp_path: Path) -> None:
    """The unpacking pdfminer's streams are given asks the budget of the PDF being read;
    with none being read (after a refusal too) it is zlib's own."""
    from pdfminer import pdftypes

    path = tmp_path / "bomb.pdf"
    path.write_bytes(hostile_pdf.pdf(1, hostile_pdf.bomb(4 * _MIB), pack=False))
    _refusal(path, Limits(max_unpacked_bytes=_MIB))
    packed = hostile_pdf.bomb(4 * _MIB)
    assert len(pdftypes.zlib.decompress(packed)) > 4 * _MIB
    assert pdftypes.rldecode(b"\x81a\x80") == b"a" * 128


def test_a_pdf_whose_pages_share_one_grid_is_refused_page_by_page(tmp_path: Path) -> None:
    """A 57 KB PDF whose 300 pages draw one ruled grid ran past 60 s: pdfplumber's time to find
    cells grows with the square of the crossings of ruled lines, page after page."""
    dense = tmp_path / "dense.pdf"
    dense.write_bytes(hostile_pdf.pdf(1, hostile_pdf.grid(70, 70)))  # 5,041 crossings
    message = _refusal(dense)
    assert "max_page_crossings is 3000" in message and "page 1 cross at 5041" in message, message
    assert "PERFRULES_MAX_PAGE_CROSSINGS" in message and "第1页" in message
    pages = tmp_path / "pages.pdf"
    pages.write_bytes(hostile_pdf.pdf(300, hostile_pdf.grid(20, 20)))  # 441 a page
    assert pages.stat().st_size < 60_000
    message = _refusal(pages, Limits(max_pdf_crossings=1_000))
    assert "max_pdf_crossings is 1000" in message and "pages 1 to 3" in message, message
    assert "PERFRULES_MAX_PDF_CROSSINGS" in message


def test_real_pdfs_are_far_under_the_pdf_budgets() -> None:
    """Forms printed to PDF by LibreOffice: under a quarter of each budget."""
    from perfrules.io.pdf import PdfReader

    folder = Path(__file__).parent / "producers" / "libreoffice"
    tight = Limits(max_page_crossings=750, max_pdf_crossings=3_000,
                   max_unpacked_bytes=16 * _MIB)
    files = sorted(folder.glob("*.pdf"))
    assert files
    for path in files:
        assert PdfReader(limits=tight).read_all(path) == PdfReader().read_all(path), path
