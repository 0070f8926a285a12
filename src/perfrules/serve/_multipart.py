"""A ``multipart/form-data`` upload streamed straight into the request's private folder.

python-multipart's parser is fed the body as it arrives; the first part with a
file name (the field ``file`` by convention, as ``curl -F file=@form.xlsx``
sends it) is written to disk as it comes, never held in memory and never put
in the system's shared temporary folder. Other fields are ignored.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any, Optional

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from . import _text


class _Collector:
    def __init__(self, target: Path) -> None:
        self.target = target
        self.out: Optional[IO[bytes]] = None
        self.writing = False
        self.done = False
        self.name: Optional[str] = None
        self.media = ""
        self._field = b""
        self._value = b""
        self._headers: dict[bytes, bytes] = {}

    # python-multipart's callbacks
    def on_part_begin(self) -> None:
        self._headers = {}

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[self._field.strip().lower()] = self._value.strip()
        self._field = self._value = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        filename = options.get(b"filename")
        if filename is not None and not self.done:
            self.name = filename.decode("utf-8", "replace")
            self.media = self._headers.get(b"content-type", b"").decode("latin-1").split(";")[0]
            fd = os.open(self.target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            self.out = os.fdopen(fd, "wb")
            self.writing = True

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.writing and self.out is not None:
            self.out.write(data[start:end])

    def on_part_end(self) -> None:
        if self.writing and self.out is not None:
            self.out.close()
            self.writing, self.done = False, True

    def close(self) -> None:
        if self.out is not None and not self.out.closed:
            self.out.close()


async def receive_file(request: Request, folder: Path, limit: int,
                       lang: str) -> tuple[str, str, Path]:
    """(the client's file name, its media type, where it is now)."""
    from ._app import _Failure

    _, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if not boundary:
        raise _Failure(400, "bad-multipart", _text.say("bad-multipart", lang,
                                                        reason="no boundary"))
    target = folder / "body"
    collector = _Collector(target)
    callbacks: Any = {name: getattr(collector, name) for name in (
        "on_part_begin", "on_header_field", "on_header_value", "on_header_end",
        "on_headers_finished", "on_part_data", "on_part_end")}
    parser = MultipartParser(boundary, callbacks)
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise _Failure(413, "too-large", _text.say("too-large", lang, limit=limit))
            parser.write(chunk)
        parser.finalize()
    except ValueError as exc:  # python-multipart's errors are ValueErrors
        raise _Failure(400, "bad-multipart", _text.say("bad-multipart", lang,
                                                        reason=str(exc)[:200])) from None
    finally:
        collector.close()
    if collector.name is None or not collector.done:
        raise _Failure(400, "no-file", _text.say("no-file", lang))
    return collector.name, collector.media.strip().lower(), target
