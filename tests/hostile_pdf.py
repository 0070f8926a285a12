"""Hostile PDFs written byte by byte, as an attacker writes them (no PDF library makes them):
many pages that share one ruled grid, and streams that unpack to far more than they weigh."""

from __future__ import annotations

import zlib

__all__ = ["bomb", "grid", "lzw_bomb", "pdf", "run_length_bomb"]


def pdf(pages: int, content: bytes, filters: str = "/FlateDecode", pack: bool = True) -> bytes:
    """A PDF of ``pages`` pages that all draw one content stream, stored with ``filters``
    (``pack``: ``content`` is compressed here for ``/FlateDecode``; else stored as given)."""
    data = zlib.compress(content, 9) if pack and filters == "/FlateDecode" else content
    kids = " ".join(f"{4 + i} 0 R" for i in range(pages))
    font = 4 + pages
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
               b"<< /Length %d%s >>\nstream\n" % (len(data), f" /Filter {filters}".encode()
                                                  if filters else b"")
               + data + b"\nendstream"]
    objects += [f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R "
                f"/Resources << /Font << /F1 {font} 0 R >> >> >>".encode()] * pages
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def grid(rows: int, columns: int) -> bytes:
    """A content stream: a line of text and a ruled grid of ``rows`` × ``columns`` cells."""
    lines = [b"BT /F1 8 Tf 20 770 Td (x) Tj ET", b"0.5 w"]
    lines += [b"20 %.2f m 590 %.2f l S" % (20 + i * 740 / rows, 20 + i * 740 / rows)
              for i in range(rows + 1)]
    lines += [b"%.2f 20 m %.2f 760 l S" % (20 + j * 570 / columns, 20 + j * 570 / columns)
              for j in range(columns + 1)]
    return b"\n".join(lines)


def bomb(size: int) -> bytes:
    """A flate stream of a line of text and then ``size`` bytes of spaces (1 KB per MB)."""
    packer = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    parts = [packer.compress(b"BT /F1 8 Tf 20 770 Td (x) Tj ET\n")]
    parts += [packer.compress(chunk) for _ in range(size >> 20)]
    parts.append(packer.flush())
    return b"".join(parts)


def run_length_bomb(size: int) -> bytes:
    """A RunLengthDecode stream of ``size`` spaces (2 bytes per 128)."""
    return b"\x81 " * (size // 128) + b"\x80"


def lzw_bomb(size: int) -> bytes:
    """An LZWDecode stream of at least ``size`` spaces (about 1.3 MB per KB): after each
    clear code, every code names the entry it makes, one space longer than the last."""
    out = bytearray()
    acc, held = 0, 0

    def emit(code: int, width: int) -> None:
        nonlocal acc, held
        acc, held = (acc << width) | code, held + width
        while held >= 8:
            held -= 8
            out.append((acc >> held) & 0xFF)
        acc &= (1 << held) - 1

    made, width = 0, 9
    while made < size:
        emit(256, width)  # clear
        width, table = 9, 258
        emit(32, width)  # a space
        run = 1
        made += 1
        while table < 4000 and made < size:
            emit(table, width)
            table += 1
            run += 1
            made += run
            width = 12 if table >= 2047 else 11 if table >= 1023 else 10 if table >= 511 else 9
    emit(257, width)  # end of data
    if held:
        out.append((acc << (8 - held)) & 0xFF)
    return bytes(out)
