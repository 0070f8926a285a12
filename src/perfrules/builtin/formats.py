"""The built-in readers and writers, registered as a plugin."""

from __future__ import annotations

from typing import Callable

from ..hookspecs import hookimpl


@hookimpl
def perfrules_register_formats(register: Callable[[object], None]) -> None:
    from ..io.canonical import JsonReader, TomlReader, YamlReader
    from ..io.render import HtmlWriter, MarkdownWriter, XlsxWriter
    from ..io.reports import JsonWriter, TextWriter
    from ..io.spreadsheets import CsvReader, DocxReader, PdfReader, XlsReader, XlsxReader

    for fmt in (JsonReader(), TomlReader(), YamlReader(), XlsxReader(), DocxReader(),
                CsvReader(), XlsReader(), PdfReader(), TextWriter(), JsonWriter(),
                MarkdownWriter(), HtmlWriter(), XlsxWriter()):
        register(fmt)
