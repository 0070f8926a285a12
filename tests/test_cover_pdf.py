"""PDFs that hold no form: a text-only PDF, and a password-protected one.

The files are written byte by byte (a one-page PDF with a Helvetica text layer), so the
tests need no browser to print them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import perfrules
from perfrules import FormError

pytest.importorskip("pdfplumber")


def text_pdf(path: Path, lines: list[str], *, trailer: bytes = b"", extra: bytes = b"") -> Path:
    """A one-page PDF whose text layer holds ``lines`` and no ruled table."""
    content = "BT /F1 14 Tf 72 720 Td 18 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
    objects = ["<< /Type /Catalog /Pages 2 0 R >>",
               "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               "/Resources << /Font << /F1 5 0 R >> >> >>",
               f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
               "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    out += extra
    xref = len(out)
    size = len(objects) + 1 + (1 if extra else 0)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (f"trailer\n<< /Size {size} /Root 1 0 R ".encode() + trailer
            + f">>\nstartxref\n{xref}\n%%EOF\n".encode())
    path.write_bytes(out)
    return path


def test_a_pdf_with_text_but_no_table(registry: perfrules.Registry, tmp_path: Path) -> None:
    path = text_pdf(tmp_path / "说明.pdf", ["Annual report 2022", "The table is attached."])
    with pytest.raises(FormError) as info:
        perfrules.load_all(path, registry=registry)
    (found,) = info.value.problems
    assert found.code == "no-table" and found.location == str(path)
    assert found.message == "no ruled table found on any page of the PDF"
    assert found.expected == "a 绩效自评表 printed as a table with borders"


def test_a_password_protected_pdf_is_named_as_such(registry: perfrules.Registry,
                                                   tmp_path: Path) -> None:
    encrypt = (b"6 0 obj\n<< /Filter /Standard /V 1 /R 2 /O <" + b"00" * 32 + b"> /U <"
               + b"11" * 32 + b"> /P -4 >>\nendobj\n")
    ident = b"<" + b"ab" * 16 + b">"
    path = text_pdf(tmp_path / "加密.pdf", ["secret"], extra=encrypt,
                    trailer=b"/Encrypt 6 0 R /ID [" + ident + b" " + ident + b"] ")
    with pytest.raises(FormError) as info:
        perfrules.load_all(path, registry=registry)
    (found,) = info.value.problems
    assert found.code == "encrypted-or-old"
    assert found.message == "the PDF is password-protected"
    assert found.expected == "the PDF without a password"
