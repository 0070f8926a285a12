"""Audit output: text, JSON, Markdown, CSV summary, one HTML page for a whole
batch (with the distribution of totals and grades), and annotated Excel copies."""

from __future__ import annotations

import csv
import heapq
import html
import io
import itertools
import json
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Callable, Optional, Union

import attrs

from .._audit import SEVERITIES, AuditReport, Finding
from .._messages import expected_text, text, without_source, words
from ..exceptions import MissingDependencyError
from ._width import clean, csv_field, markdown, pad, spreadsheet, terminal, width
from .render import form_heading

__all__ = ["OUTPUT_NAMES", "PAGES_FOLDER", "BatchItem", "FormOut", "Sink", "Tally",
           "annotate_xlsx", "annotated_names", "audit_findings", "audit_html", "audit_json",
           "audit_markdown", "audit_text", "display_names", "form_out", "names_of",
           "summary_csv", "write_atomic"]

#: The files ``perfrules audit -o DIR/`` writes besides annotated copies.
OUTPUT_NAMES = ("summary.csv", "summary.json", "findings.jsonl", "audit.html")
#: The folder of a long HTML report's pages, next to audit.html.
PAGES_FOLDER = "audit-pages"

_SEV_ZH = {s: text(f"sev-{s}", "zh") for s in SEVERITIES}
_SEV_MARK = {"error": "✗", "warning": "!", "info": "i"}


@attrs.frozen(kw_only=True)
class BatchItem:
    """One input of a batch: its audit, or why it could not be read."""

    path: str
    report: Optional[AuditReport] = None
    #: why the file could not be read, in English (the JSON and CSV summaries)
    error: Optional[str] = None
    #: where the form sits in its file (sheet, table) when the file holds several
    form: Optional[str] = None
    #: ``error`` in Chinese, when known
    error_zh: Optional[str] = None

    @property
    def readable(self) -> bool:
        return self.report is not None

    def error_text(self, lang: str = "zh") -> str:
        """Why the file could not be read, in ``lang`` (English when no Chinese is known)."""
        return (self.error_zh if lang == "zh" and self.error_zh else self.error) or ""


def _relative(paths: Sequence[str]) -> dict[str, str]:
    """Paths relative to the folder they all share."""
    unique = list(dict.fromkeys(paths))
    if len(unique) < 2:
        return {p: os.path.basename(p) or p for p in unique}
    try:
        base = os.path.commonpath([os.path.dirname(os.path.abspath(p)) for p in unique])
    except ValueError:  # different drives
        return {p: p for p in unique}
    return {p: os.path.relpath(os.path.abspath(p), base) for p in unique}


def display_names(items: Sequence[BatchItem]) -> dict[str, str]:
    """Paths as people want to read them: relative to the folder all the forms share.

    Text only: a file name that is not UTF-8 shows U+FFFD where its bytes were.
    """
    paths = [item.path for item in items]
    if len(set(paths)) < 2:
        return {p: clean(p) for p in paths}
    return {p: clean(name) for p, name in _relative(paths).items()}



def _label(item: BatchItem, names: dict[str, str]) -> str:
    name = names.get(item.path, clean(item.path))
    return f"{name} [{clean(item.form)}]" if item.form else name


def annotated_names(paths: Sequence[str], out_dir: Path) -> dict[str, str]:
    """Where each Excel input's annotated copy goes: its path relative to the
    folder the inputs share, under ``out_dir``, so that ``a/自评表.xlsx`` and
    ``b/自评表.xlsx`` never overwrite each other's copy."""
    excel = [p for p in paths if Path(p).suffix.lower() in (".xlsx", ".xlsm")]
    taken: set[str] = set()
    out: dict[str, str] = {}
    for path, rel in _relative(excel).items():
        rel_path = Path(rel)
        stem, suffix = rel_path.stem, rel_path.suffix
        candidate = out_dir / rel_path.parent / f"{stem}.audit{suffix}"
        n = 1
        while os.path.normcase(str(candidate)) in taken:
            n += 1
            candidate = out_dir / rel_path.parent / f"{stem}-{n}.audit{suffix}"
        taken.add(os.path.normcase(str(candidate)))
        out[path] = str(candidate)
    return out


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(target: Path, data: Union[bytes, Callable[[str], None]]) -> None:
    """Write a file atomically (a temporary file renamed over the target).

    ``data`` is the content, or a function that writes the file at the path it
    is given. The file gets the mode a new file gets from the user's umask
    (not the 0600 of a temporary file). Parent folders are created.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        if hasattr(os, "fchmod"):  # not on Windows, where files have no mode bits
            os.fchmod(fd, 0o666 & ~_umask())
        if callable(data):
            os.close(fd)
            data(tmp)
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _s(value: Optional[Decimal]) -> str:
    return "" if value is None else str(value)


#: How many forms one HTML page lists; a bigger batch gets a summary page and pages.
PAGE_SIZE = 500
#: How many forms the summary page of a paged HTML report lists, most serious first.
TOP_FORMS = 100
#: What an audit can write, besides the summary CSV (``FormOut`` fields made on demand).
PARTS = ("json", "findings", "text", "markdown", "html")


@attrs.frozen(kw_only=True)
class FormOut:
    """What the outputs of an audit need of one form, made where it was audited.

    A worker sends this back instead of the form and its report, so that the
    main process holds nothing per form: the summary row's values, and the
    form's part of each output asked for, already rendered (``json``: its
    entry of summary.json; ``findings``: JSON Lines; ``text``, ``markdown``,
    ``html``: its lines of those outputs).
    """

    path: str
    form: Optional[str] = None
    readable: bool = True
    title: str = ""
    reported_total: str = ""
    total: str = ""
    grade: str = ""
    #: findings per severity: error, warning, info
    counts: tuple[int, int, int] = (0, 0, 0)
    error: str = ""
    error_zh: str = ""
    #: the ruleset's grades as (name, minimum), for the chart of grades
    grades: tuple[tuple[str, str], ...] = ()
    json: str = ""
    findings: str = ""
    text: str = ""
    markdown: str = ""
    html: str = ""

    def error_text(self, lang: str = "zh") -> str:
        """Why the file could not be read, in ``lang`` (English when no Chinese is known)."""
        return (self.error_zh if lang == "zh" and self.error_zh else self.error) or ""

    @property
    def worst(self) -> Optional[str]:
        """The most severe severity found, or None."""
        return next((s for s, n in zip(SEVERITIES, self.counts) if n), None)

    def fails(self, fail_on: str) -> bool:
        """Whether a finding is at least as severe as ``fail_on``."""
        return any(self.counts[: SEVERITIES.index(fail_on) + 1])

    @property
    def status(self) -> str:
        """The message id of the summary's status: what the reviewer needs to do."""
        if not self.readable:
            return "status-unreadable"
        return f"status-{self.worst or 'none'}"


def form_out(item: BatchItem, lang: str = "zh", parts: Sequence[str] = PARTS) -> FormOut:
    """An audited form as the outputs need it (see :class:`FormOut`)."""
    rep = item.report
    if rep is None:
        out = FormOut(path=item.path, form=item.form, readable=False, error=item.error or "",
                      error_zh=item.error_zh or "")
    else:
        c = rep.counts()
        out = FormOut(
            path=item.path, form=item.form, title=form_heading(rep.form),
            reported_total=_s(rep.reported_total), total=_s(rep.total), grade=rep.grade or "",
            counts=(c["error"], c["warning"], c["info"]),
            grades=tuple((g.name, str(g.minimum)) for g in sorted(
                rep.ruleset.grades, key=lambda g: g.minimum, reverse=True)))
    made: dict[str, Any] = {part: _PART[part](item, lang) for part in parts}
    return attrs.evolve(out, **made) if made else out


def _json_part(item: BatchItem, lang: str) -> str:
    entry: dict[str, Any] = {"file": item.path}
    if item.form:
        entry["form"] = item.form
    if item.report is not None:
        entry.update(item.report.to_dict())
    else:
        entry["error"] = item.error
    return clean(json.dumps(entry, ensure_ascii=False, indent=2))


def _findings_part(item: BatchItem, lang: str) -> str:
    head: dict[str, Any] = {"file": item.path, "form": item.form}
    if item.report is None:
        return clean(json.dumps({**head, "error": item.error}, ensure_ascii=False)) + "\n"
    return "".join(clean(json.dumps({**head, **f.to_dict()}, ensure_ascii=False)) + "\n"
                   for f in item.report.findings)


def _text_part(item: BatchItem, lang: str) -> str:
    rep = item.report
    name = terminal(_label(item, {}))
    if rep is None:
        out = [f"{name}: {text('unreadable', lang)}"]
        out.extend(f"  ✗ {terminal(line)}" for line in item.error_text(lang).splitlines())
    else:
        if rep.form.name:  # the form's own name: five projects' forms share one title
            name = f"{name} {terminal(rep.form.name)}"
        c = rep.counts()
        out = [text("audit-form", lang, name=name, reported=_s(rep.reported_total) or "—",
                    total=_s(rep.total) or "—", grade=rep.grade or "", **c)]
        out.extend(_finding_line(f, lang, item.path) for f in rep.findings)
    return clean("\n".join(out) + "\n")


def _markdown_part(item: BatchItem, lang: str) -> str:
    zh = lang == "zh"
    rep = item.report
    out = [f"## {markdown(_label(item, {}))}", ""]
    if rep is None:
        out.append(f"**{'无法读取' if zh else 'Unreadable'}**: {markdown(item.error_text(lang))}")
        out.append("")
        return clean("\n".join(out) + "\n")
    out.append(f"{'表内总分' if zh else 'Reported'} {_s(rep.reported_total) or '—'} · "
               f"{'重算总分' if zh else 'recomputed'} **{_s(rep.total) or '—'}** "
               f"{markdown(rep.grade or '')}")
    out.append("")
    if rep.findings:
        out.append("| " + " | ".join(["代码", "级别", "指标", "位置", "说明"] if zh else
                                      ["Code", "Severity", "Indicator", "Cell", "Finding"]) + " |")
        out.append("|---|---|---|---|---|")
        for f in rep.findings:
            cells = [f.code, _SEV_ZH[f.severity] if zh else f.severity, f.indicator or "",
                     f.location or "", f.message(lang)]
            out.append("| " + " | ".join(markdown(c) for c in cells) + " |")
        out.append("")
    return clean("\n".join(out) + "\n")


def _html_part(item: BatchItem, lang: str) -> str:
    rep = item.report
    if rep is None or not rep.findings:
        return ""
    zh = lang == "zh"
    fh = (["级别", "代码", "指标", "位置", "说明", "应为", "实为", "依据"] if zh else
          ["Severity", "Code", "Indicator", "Cell", "Finding", "Expected", "Found", "Source"])
    parts = ["<table><thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in fh)
             + "</tr></thead><tbody>"]
    for f in rep.findings:
        parts.append(
            f'<tr><td class="sev {f.severity}">{_e(_SEV_ZH[f.severity] if zh else f.severity)}'
            f"</td><td>{_e(f.code)}</td><td>{_e(f.indicator or '')}</td>"
            f'<td class="loc">{_e(f.location or "")}</td><td>{_e(f.message(lang))}</td>'
            f"<td>{_e(expected_text(f.expected, lang) or '')}</td><td>{_e(f.found or '')}</td>"
            f"<td>{_e(f.citation or '')}</td></tr>")
    parts.append("</tbody></table>")
    return clean("\n".join(parts))


_PART: dict[str, Callable[[BatchItem, str], str]] = {
    "json": _json_part, "findings": _findings_part, "text": _text_part,
    "markdown": _markdown_part, "html": _html_part}


def _out_label(out: FormOut, names: dict[str, str]) -> str:
    name = names.get(out.path, clean(out.path))
    return f"{name} [{clean(out.form)}]" if out.form else name


def names_of(paths: Sequence[str]) -> dict[str, str]:
    """:func:`display_names` of paths."""
    unique = list(dict.fromkeys(paths))
    if len(unique) < 2:
        return {p: clean(p) for p in unique}
    return {p: clean(name) for p, name in _relative(unique).items()}


class Tally:
    """The counts an audit's summaries show, kept as results arrive (no list of forms)."""

    def __init__(self) -> None:
        self.forms = 0
        self.unreadable = 0
        self.findings = dict.fromkeys(SEVERITIES, 0)
        self.grades: Counter[str] = Counter()
        self.grade_minimum: dict[str, Decimal] = {}
        self.bins = [0] * len(_BINS)
        self.interrupted = False

    def add(self, out: FormOut) -> None:
        self.forms += 1
        if not out.readable:
            self.unreadable += 1
            return
        for severity, n in zip(SEVERITIES, out.counts):
            self.findings[severity] += n
        self.grades[out.grade or "—"] += 1
        for name, minimum in out.grades:
            self.grade_minimum.setdefault(name, Decimal(minimum))
        if out.total:
            value = Decimal(out.total)
            for i, (lo, hi, _) in enumerate(_BINS):
                if lo <= value < hi:
                    self.bins[i] += 1

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "forms": self.forms,
            "unreadable": self.unreadable,
            "findings": dict(self.findings),
            "grades": dict(sorted(self.grades.items())),
        }
        if self.interrupted:
            out["interrupted"] = True
        return out


def _summary(items: Sequence[BatchItem]) -> dict[str, Any]:
    tally = Tally()
    for item in items:
        tally.add(form_out(item, parts=()))
    return tally.summary()


class Sink:
    """One output of an audit, written as forms arrive, in input order."""

    def add(self, out: FormOut, tally: Tally) -> None:
        raise NotImplementedError

    def finish(self, tally: Tally) -> None:
        """Write what can only be written at the end (the summary, a table)."""

    def close(self) -> None:
        """Let go of temporary files (after ``finish``, or instead of it)."""


def _spool() -> IO[bytes]:
    """A temporary file for what is written before what must come first."""
    return tempfile.TemporaryFile()


def _copy(source: IO[bytes], dest: IO[bytes]) -> None:
    source.seek(0)
    shutil.copyfileobj(source, dest, 1 << 20)
    source.close()


_CSV_FIELDS = ["file", "title", "reported_total", "total", "grade", "errors", "warnings",
               "infos", "status", "message", "form"]
_TEXT_FIELDS = ("file", "title", "grade", "message", "form")


class CsvSink(Sink):
    """summary.csv: one row per form; UTF-8 with BOM so that Excel opens the Chinese.

    The headers and the status are in the run's language. Text from the
    forms is written so that no spreadsheet runs it as a formula (a leading
    ``= + - @``, tab or CR gets an apostrophe).
    """

    def __init__(self, dest: IO[bytes], lang: str = "en") -> None:
        self.dest, self.lang = dest, lang
        self.buffer = io.StringIO()
        # RFC 4180 line ends: a CR or LF inside a field is then always quoted, so a
        # title cannot break its row into two.
        self.writer = csv.writer(self.buffer, lineterminator="\r\n")
        self.writer.writerow(csv_headers(lang))
        self._flush(prefix="\ufeff")

    def _flush(self, prefix: str = "") -> None:
        self.dest.write((prefix + self.buffer.getvalue()).encode("utf-8"))
        self.buffer.seek(0)
        self.buffer.truncate()

    def add(self, out: FormOut, tally: Tally) -> None:
        row = {
            "file": out.path, "title": out.title, "reported_total": out.reported_total,
            "total": out.total, "grade": out.grade, "errors": out.counts[0],
            "warnings": out.counts[1], "infos": out.counts[2],
            "status": text(out.status, self.lang), "message": out.error_text(self.lang),
            "form": out.form or "",
        }
        row.update({key: csv_field(row[key]) for key in _TEXT_FIELDS})
        self.writer.writerow([row[k] for k in _CSV_FIELDS])
        self._flush()


def csv_headers(lang: str) -> list[str]:
    """The columns of summary.csv in ``lang``."""
    return _CSV_FIELDS if lang != "zh" else words("csv-head", lang)


class JsonSink(Sink):
    """summary.json: ``{"summary": …, "forms": [one entry per form]}``."""

    def __init__(self, dest: IO[bytes]) -> None:
        self.dest = dest
        self.body = _spool()
        self.first = True

    def add(self, out: FormOut, tally: Tally) -> None:
        lead = "" if self.first else ",\n"
        self.first = False
        entry = "\n".join("    " + line for line in out.json.splitlines())
        self.body.write((lead + entry).encode("utf-8"))

    def close(self) -> None:
        self.body.close()

    def finish(self, tally: Tally) -> None:
        summary = json.dumps(tally.summary(), ensure_ascii=False, indent=2).replace("\n", "\n  ")
        if self.first:
            self.dest.write(f'{{\n  "summary": {summary},\n  "forms": []\n}}\n'.encode())
            self.body.close()
            return
        self.dest.write(f'{{\n  "summary": {summary},\n  "forms": [\n'.encode())
        _copy(self.body, self.dest)
        self.dest.write(b"\n  ]\n}\n")


class FindingsSink(Sink):
    """findings.jsonl: one JSON object per finding (or per unreadable form) and line."""

    def __init__(self, dest: IO[bytes]) -> None:
        self.dest = dest

    def add(self, out: FormOut, tally: Tally) -> None:
        self.dest.write(out.findings.encode("utf-8"))


class TextSink(Sink):
    """For a terminal: each form's lines as it arrives, then one table of all forms."""

    def __init__(self, dest: IO[bytes], lang: str, names: dict[str, str],
                 flush: bool = False) -> None:
        self.dest, self.lang, self.names, self.flush = dest, lang, names, flush
        self.head = words("audit-head", lang)
        self.widths = [width(h) for h in self.head]
        self.rows = _spool()

    def add(self, out: FormOut, tally: Tally) -> None:
        self.dest.write(out.text.encode("utf-8"))
        if self.flush:
            self.dest.flush()
        label = terminal(_out_label(out, self.names))
        row = ([label, out.reported_total, out.total, terminal(out.grade), str(out.counts[0]),
                str(out.counts[1]), str(out.counts[2])] if out.readable else
               [label, "", "", text("unreadable", self.lang), "", "", ""])
        self.widths = [max(w, width(c)) for w, c in zip(self.widths, row)]
        self.rows.write((json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8"))

    def close(self) -> None:
        self.rows.close()

    def finish(self, tally: Tally) -> None:
        if tally.forms < 2:
            self.rows.close()
            return
        self.dest.write(b"\n")
        self.rows.seek(0)
        lines: Iterator[list[str]] = (json.loads(line) for line in self.rows)
        for row in itertools.chain([self.head], lines):
            line = "  ".join(pad(c, self.widths[i], "<" if i in (0, 3) else ">")
                             for i, c in enumerate(row)).rstrip()
            self.dest.write(clean(line + "\n").encode("utf-8"))
        self.rows.close()


class MarkdownSink(Sink):
    def __init__(self, dest: IO[bytes], lang: str) -> None:
        self.dest = dest
        title = "绩效自评表审核" if lang == "zh" else "Self-evaluation audit"
        self.dest.write(f"# {title}\n\n".encode())

    def add(self, out: FormOut, tally: Tally) -> None:
        self.dest.write(out.markdown.encode("utf-8"))


# -- HTML --------------------------------------------------------------------------

_CSS = """
body { margin:0; background:#f7f8fa; color:#1f2933;
  font:14px/1.55 "Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",
       system-ui,sans-serif; }
main { max-width:1180px; margin:0 auto; padding:28px 24px 40px; }
h1 { font-size:22px; margin:0 0 6px; } h2 { font-size:17px; margin:26px 0 8px; }
.cards { display:flex; gap:12px; flex-wrap:wrap; margin:12px 0 6px; }
.card { background:#fff; border:1px solid #d9dee4; border-radius:10px; padding:10px 16px; min-width:120px; }
.card b { display:block; font-size:24px; }
.card.error b { color:#c53030; } .card.warning b { color:#c05621; } .card.info b { color:#2b6cb0; }
.charts { display:flex; gap:16px; flex-wrap:wrap; }
.chart { background:#fff; border:1px solid #d9dee4; border-radius:10px; padding:12px 16px; }
.chart h3 { margin:0 0 6px; font-size:14px; color:#3e4c59; }
table { width:100%; border-collapse:collapse; background:#fff; border:1px solid #d9dee4; }
th, td { padding:6px 9px; border-bottom:1px solid #e5e9ef; text-align:left; vertical-align:top; }
th { background:#eef1f5; white-space:nowrap; }
td.num { text-align:right; font-variant-numeric:tabular-nums; }
.sev { font-weight:600; white-space:nowrap; } .sev.error { color:#c53030; }
.sev.warning { color:#c05621; } .sev.info { color:#2b6cb0; }
.loc { color:#616e7c; font-size:12px; white-space:nowrap; }
.bad { color:#c53030; }
nav.pages { margin:10px 0; display:flex; gap:6px 12px; flex-wrap:wrap; }
nav.pages a { white-space:nowrap; }
.note { color:#616e7c; }
@media print { body { background:#fff; } main { padding:0; max-width:none; } tr { break-inside:avoid; } }
"""
_BINS = [(Decimal(0), Decimal(60), "<60"), (Decimal(60), Decimal(70), "60–70"),
         (Decimal(70), Decimal(80), "70–80"), (Decimal(80), Decimal(90), "80–90"),
         (Decimal(90), Decimal(95), "90–95"), (Decimal(95), Decimal(101), "95–100")]


def _e(value: Any) -> str:
    return html.escape(terminal(value), quote=True)


def _bar_chart(title: str, data: list[tuple[str, int]], color: str) -> str:
    """An inline SVG bar chart (no scripts, no external assets)."""
    w, h, left, bottom = 360, 180, 30, 28
    top = max((n for _, n in data), default=0) or 1
    slot = (w - left) / max(len(data), 1)
    parts = [f'<svg width="{w}" height="{h}" role="img" aria-label="{_e(title)}" '
             f'xmlns="http://www.w3.org/2000/svg" font-size="11" fill="#3e4c59">']
    for i, (label, n) in enumerate(data):
        bh = (h - bottom - 16) * n / top
        x = left + i * slot + slot * 0.15
        y = h - bottom - bh
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{bh:.1f}" '
                     f'fill="{color}" rx="3"><title>{_e(label)}: {n}</title></rect>')
        parts.append(f'<text x="{x + slot * 0.35:.1f}" y="{y - 4:.1f}" text-anchor="middle">{n}</text>')
        parts.append(f'<text x="{x + slot * 0.35:.1f}" y="{h - bottom + 16:.1f}" '
                     f'text-anchor="middle">{_e(label)}</text>')
    parts.append(f'<line x1="{left}" y1="{h - bottom}" x2="{w}" y2="{h - bottom}" stroke="#9aa5b1"/>')
    parts.append("</svg>")
    return f'<div class="chart"><h3>{_e(title)}</h3>{"".join(parts)}</div>'


class HtmlSink(Sink):
    """audit.html: cards, charts, a table of the forms and each form's findings.

    Up to ``page_size`` forms it is one page, as it always was. A bigger
    batch, written to a file, gets a summary page (the counts, the charts,
    the ``TOP_FORMS`` forms with the most serious findings, links to every
    page) and the full list in pages of ``page_size`` forms in the folder
    ``pages`` (``audit-pages/0001.html`` …), each written as it fills.
    """

    def __init__(self, dest: IO[bytes], lang: str, names: dict[str, str],
                 pages: Optional[Path] = None, page_size: Optional[int] = None) -> None:
        self.dest, self.lang, self.names, self.pages = dest, lang, names, pages
        self.page_size = page_size or PAGE_SIZE
        self.rows: list[str] = []  # a few forms' rows and findings, then to the spools
        self.details: list[str] = []
        self.on_page = 0
        self.spools = (_spool(), _spool())  # this page's rows and findings (or the one page's)
        self.first = 1  # the number of the first form of the current page
        self.written = 0  # pages written
        self.top: list[tuple[tuple[int, int, int, int, int], int, str]] = []
        self.index: list[tuple[int, int, int]] = []  # pages written: number, first, last
        #: the last form of a full page not written yet: whether a page follows is not known
        self.full: Optional[int] = None

    def t(self, zh: str, en: str) -> str:
        return zh if self.lang == "zh" else en

    def add(self, out: FormOut, tally: Tally) -> None:
        n = tally.forms
        if self.full is not None:  # the page filled by the last form has a next page: this one
            self._write_page(self.full, more=True)
            self.on_page, self.first, self.full = 0, self.full + 1, None
        label = _out_label(out, self.names)
        anchor = f"f{n}"
        if not out.readable:
            row = (f'<tr id="{anchor}"><td>{_e(label)}</td><td colspan="7" class="bad">'
                   f"{_e(self.t('无法读取：', 'unreadable: '))}{_e(out.error_text(self.lang))}"
                   "</td></tr>")
        else:
            differs = out.reported_total and out.total and out.reported_total != out.total
            link = f'<a href="#d{n}">{_e(label)}</a>' if out.html else _e(label)
            row = (f'<tr id="{anchor}"><td>{link}</td><td>{_e(out.title)}</td>'
                   f'<td class="num">{_e(out.reported_total)}</td>'
                   f'<td class="num{" bad" if differs else ""}">{_e(out.total or "—")}</td>'
                   f"<td>{_e(out.grade)}</td><td class=\"num\">{out.counts[0]}</td>"
                   f'<td class="num">{out.counts[1]}</td><td class="num">{out.counts[2]}</td></tr>')
        self.rows.append(row)
        if out.html:
            self.details.append(f'<h2 id="d{n}">{_e(label)}</h2>{out.html}')
        key = (0 if out.readable else 1, *out.counts, -n)
        if not out.readable or any(out.counts):
            summary = (self.t("无法读取", "unreadable") if not out.readable else
                       " · ".join(f"{k} {v}" for k, v in zip(
                           (self.t("错误", "errors"), self.t("警告", "warnings"),
                            self.t("提示", "infos")), out.counts)))
            entry = (key, n, f'<a href="{{page}}#f{n}">{_e(label)}</a>|{_e(summary)}')
            if len(self.top) < TOP_FORMS:
                heapq.heappush(self.top, entry)
            elif entry > self.top[0]:
                heapq.heapreplace(self.top, entry)
        self.on_page += 1
        if len(self.rows) >= 64:
            self._spill()
        if self.on_page >= self.page_size and self.pages is not None:
            # written when the next form comes (with a "Next" link) or at the end (without)
            self.full = n

    def _spill(self) -> None:
        """The forms kept so far to the temporary files: memory stays flat."""
        if self.rows:
            self.spools[0].write(clean("\n".join(self.rows) + "\n").encode("utf-8"))
        if self.details:
            self.spools[1].write(clean("\n".join(self.details) + "\n").encode("utf-8"))
        self.rows, self.details = [], []

    def _body(self, dest: IO[bytes], head: str, tail: str) -> None:
        """``head``, the table of the spooled rows, their findings, ``tail``."""
        self._spill()
        dest.write(clean(head + "\n").encode("utf-8"))
        _copy(self.spools[0], dest)
        dest.write(b"</tbody></table>\n")
        _copy(self.spools[1], dest)
        dest.write(clean(tail + "\n").encode("utf-8"))
        self.spools = (_spool(), _spool())

    def _page_name(self, number: int) -> str:
        return f"{number:04d}.html"

    def _write_page(self, last: int, more: bool) -> None:
        assert self.pages is not None
        self.written += 1
        number = self.written
        t = self.t
        nav = [f'<a href="../{_e(self._summary_name())}">{_e(t("汇总", "Summary"))}</a>']
        if number > 1:
            nav.append(f'<a href="{self._page_name(number - 1)}">{_e(t("上一页", "Previous"))}</a>')
        if more:
            nav.append(f'<a href="{self._page_name(number + 1)}">{_e(t("下一页", "Next"))}</a>')
        title = t(f"第 {number} 页：第 {self.first}–{last} 份表单",
                  f"Page {number}: forms {self.first}–{last}")
        head = "\n".join([self._head(title), f"<h1>{_e(title)}</h1>",
                          f'<nav class="pages">{" ".join(nav)}</nav>', self._table_head()])
        tail = f'<nav class="pages">{" ".join(nav)}</nav>\n</main></body></html>'

        def write(path: str) -> None:
            with open(path, "wb") as fh:
                self._body(fh, head, tail)

        self.pages.mkdir(parents=True, exist_ok=True)
        write_atomic(self.pages / self._page_name(number), write)
        self.index.append((number, self.first, last))

    def _summary_name(self) -> str:
        assert self.pages is not None
        return self.pages.name[: -len("-pages")] + ".html" if self.pages.name.endswith(
            "-pages") else "audit.html"

    def _head(self, title: str) -> str:
        return "\n".join([
            "<!DOCTYPE html>",
            f'<html lang="{"zh-CN" if self.lang == "zh" else "en"}"><head><meta charset="utf-8">',
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_e(title)}</title>",
            f"<style>{_CSS}</style></head><body><main>"])

    def _table_head(self) -> str:
        head = (["文件", "标题", "表内总分", "重算总分", "等级", "错误", "警告", "提示"]
                if self.lang == "zh" else
                ["File", "Title", "Reported", "Recomputed", "Grade", "Errors", "Warnings", "Infos"])
        return "<table><thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + \
            "</tr></thead><tbody>"

    def _cards(self, tally: Tally) -> list[str]:
        t = self.t
        summary = tally.summary()
        grade_names = sorted(tally.grade_minimum, key=lambda g: tally.grade_minimum[g],
                             reverse=True)
        grades = [(g, summary["grades"].get(g, 0)) for g in grade_names]
        bins = [(label, n) for (_, _, label), n in zip(_BINS, tally.bins)]
        title = t("绩效自评表审核", "Self-evaluation audit")
        out = [self._head(title), f"<h1>{_e(title)}</h1>"]
        if tally.interrupted:
            out.append(f'<p class="bad">{_e(text("audit-interrupted-note", self.lang))}</p>')
        out += ['<div class="cards">',
                f'<div class="card"><b>{summary["forms"]}</b>{_e(t("份表单", "forms"))}</div>',
                *(f'<div class="card {sev}"><b>{summary["findings"][sev]}</b>{_e(label)}</div>'
                  for sev, label in (("error", t("错误", "errors")),
                                     ("warning", t("警告", "warnings")),
                                     ("info", t("提示", "infos")))),
                f'<div class="card"><b>{summary["unreadable"]}</b>'
                f'{_e(t("无法读取", "unreadable"))}</div>',
                "</div>", '<div class="charts">',
                _bar_chart(t("重算总分分布", "Recomputed totals"), bins, "#3b82f6"),
                _bar_chart(t("等级分布", "Grades"), grades, "#2f855a"),
                "</div>"]
        return out

    def finish(self, tally: Tally) -> None:
        t = self.t
        if self.written == 0:  # one page (exactly page_size forms too)
            self.full = None
            parts = self._cards(tally)
            parts.append(f"<h2>{_e(t('表单一览', 'Forms'))}</h2>{self._table_head()}")
            self._body(self.dest, "\n".join(parts), "</main></body></html>")
            return
        if self.on_page:
            self._write_page(tally.forms, more=False)
            self.full = None
        assert self.pages is not None
        self._remove_stale_pages()
        folder = self.pages.name
        parts = self._cards(tally)
        page_of = {}
        for number, first, last in self.index:
            page_of[number] = (first, last)
        worst = sorted(self.top, reverse=True)
        parts.append(f"<h2>{_e(t('问题最严重的表单', 'Forms with the most serious findings'))}</h2>")
        if worst:
            parts.append("<table><thead><tr>" + "".join(
                f"<th>{_e(h)}</th>" for h in (t("文件", "File"), t("问题", "Findings")))
                + "</tr></thead><tbody>")
            for _, n, cell in worst:
                number = (n - 1) // self.page_size + 1
                link, summary = cell.split("|", 1)
                link = link.replace("{page}", f"{folder}/{self._page_name(number)}")
                parts.append(f"<tr><td>{link}</td><td>{summary}</td></tr>")
            parts.append("</tbody></table>")
        else:
            parts.append(f'<p class="note">{_e(t("没有发现问题。", "No findings."))}</p>')
        parts.append(f"<h2>{_e(t('全部表单（分页）', 'All forms, by page'))}</h2>")
        parts.append('<nav class="pages">')
        for number, first, last in self.index:
            label = t(f"第 {number} 页（{first}–{last}）", f"Page {number} ({first}–{last})")
            parts.append(f'<a href="{folder}/{self._page_name(number)}">{_e(label)}</a>')
        parts.append("</nav></main></body></html>")
        self.dest.write(clean("\n".join(parts) + "\n").encode("utf-8"))

    def close(self) -> None:
        for spool in self.spools:
            spool.close()

    def _remove_stale_pages(self) -> None:
        """Pages an earlier, longer run left in the folder."""
        assert self.pages is not None
        number = self.written + 1
        while True:
            stale = self.pages / self._page_name(number)
            if not stale.is_file():
                return
            stale.unlink()
            number += 1


def _render(items: Sequence[BatchItem], make: Callable[[IO[bytes]], Sink], lang: str,
            part: Optional[str]) -> bytes:
    buffer = io.BytesIO()
    sink = make(buffer)
    tally = Tally()
    for item in items:
        out = form_out(item, lang, () if part is None else (part,))
        tally.add(out)
        sink.add(out, tally)
    sink.finish(tally)
    sink.close()
    return buffer.getvalue()


def summary_csv(items: Sequence[BatchItem], lang: str = "en") -> bytes:
    """One row per form; UTF-8 with BOM so that Excel opens the Chinese correctly
    (see :class:`CsvSink`)."""
    return _render(items, lambda b: CsvSink(b, lang), lang, None)


def audit_json(items: Sequence[BatchItem]) -> bytes:
    return _render(items, JsonSink, "en", "json")


def audit_findings(items: Sequence[BatchItem]) -> bytes:
    """findings.jsonl: one JSON object per finding, one per unreadable form."""
    return _render(items, FindingsSink, "en", "findings")


def audit_text(items: Sequence[BatchItem], lang: str = "zh") -> bytes:
    """For a terminal: every text from a form is one inert line (no control characters).

    Each form's line names its file (and sheet) once; its findings and errors
    follow with their cells only.
    """
    names = display_names(items)
    return _render(items, lambda b: TextSink(b, lang, names), lang, "text")


def audit_markdown(items: Sequence[BatchItem], lang: str = "zh") -> bytes:
    return _render(items, lambda b: MarkdownSink(b, lang), lang, "markdown")


def audit_html(items: Sequence[BatchItem], lang: str = "zh") -> bytes:
    names = display_names(items)
    return _render(items, lambda b: HtmlSink(b, lang, names), lang, "html")


def _finding_line(f: Finding, lang: str, source: str = "") -> str:
    """One finding, its place in the file without the file (its form's line names it)."""
    where = terminal(without_source(f.location or "", source) if source else f.location or "")
    who = terminal(f.indicator) if f.indicator else text("form", lang)
    line = (f"  {_SEV_MARK[f.severity]} {terminal(f.code)} {text(f'sev-{f.severity}', lang)} "
            f"{who} [{where}] {terminal(f.message(lang))}")
    if f.citation:
        line += text("citation", lang, citation=terminal(f.citation))
    return line



# -- annotated Excel copies -------------------------------------------------------------

_CELL = re.compile(r"^(?P<sheet>.+)!(?P<cell>[A-Z]{1,3}[0-9]+)$")
_FILLS = {"error": "FFC7CE", "warning": "FFEB9C", "info": "DDEBF7"}


def annotate_xlsx(items: Union[BatchItem, Sequence[BatchItem]], out_dir: Path,
                  *, target: Optional[Path] = None) -> Optional[Path]:
    """Copy an Excel form with each cell that has a finding highlighted and commented.

    ``items`` are the audits of the forms of one file (one per sheet). The
    original is never opened for writing; the copy (``target``, by default
    ``out_dir/<name>.audit.xlsx``) is written atomically. perfrules adds fills
    and comments only: the user's own cells keep their values. Returns the
    copy's path, or None when the input is not an Excel file or was not read.
    """
    group = [items] if isinstance(items, BatchItem) else list(items)
    reports = [item.report for item in group if item.report is not None]
    if not group or not reports:
        return None
    source = Path(group[0].path)
    if source.suffix.lower() not in (".xlsx", ".xlsm"):
        return None
    try:
        import openpyxl
        from openpyxl.comments import Comment
        from openpyxl.styles import PatternFill
    except ImportError:
        raise MissingDependencyError("annotated Excel copies", "excel") from None
    if target is None:
        target = out_dir / f"{source.stem}.audit{source.suffix}"
    if os.path.realpath(target) == os.path.realpath(source):
        raise ValueError(f"refusing to write over the input {clean(source)}")
    from ._output import OutputError, duplicate_sheet

    twice = duplicate_sheet(str(source))
    if twice is not None:  # which sheet a finding is on cannot be told: none is marked
        raise OutputError("duplicate-sheets", name=terminal(twice))
    # A full load (comments and fills need it); inside the worker's time limit.
    workbook = openpyxl.load_workbook(source, keep_vba=source.suffix.lower() == ".xlsm")
    notes: dict[tuple[str, str], list[Finding]] = {}
    for report in reports:
        for finding in report.findings:
            match = _CELL.match(finding.location or "")
            if match and match["sheet"] in workbook.sheetnames:
                notes.setdefault((match["sheet"], match["cell"]), []).append(finding)
                continue
            place = _form_cell(report, finding, workbook)  # a finding about the whole form
            if place is not None:
                notes.setdefault(place, []).append(finding)
    for (sheet, ref), findings in notes.items():
        cell = workbook[sheet][ref]
        worst = min(findings, key=lambda f: SEVERITIES.index(f.severity)).severity
        cell.fill = PatternFill("solid", fgColor=_FILLS[worst])
        text = "\n".join(f"[{f.code} {_SEV_ZH[f.severity]}] {f.message_zh}"
                         + (f"（应为 {expected_text(f.expected, 'zh')}）" if f.expected else "")
                         for f in findings)
        # A comment is never a formula; its text is cleaned of what XML forbids.
        cell.comment = Comment(spreadsheet(text)[:30000], "perfrules", width=360, height=160)
    write_atomic(target, workbook.save)
    return target


#: Findings about the weights of the whole form: shown on the 合计 row's weight cell.
_WEIGHT_CODES = ("PR006", "PR007")
_REF = re.compile(r"^(?P<col>[A-Z]{1,3})(?P<row>[0-9]+)$")


def _cell_of(location: Optional[str], sheets: Sequence[str]) -> Optional[tuple[str, str]]:
    match = _CELL.match(location or "")
    if match and match["sheet"] in sheets:
        return match["sheet"], match["cell"]
    return None


def _form_cell(report: AuditReport, finding: Finding, workbook: Any) -> Optional[tuple[str, str]]:
    """The cell that shows what a form-level finding is about (PR003, PR004, PR006 …):
    the cell its field was read from; for the weights, the 合计 row's weight cell;
    else the 合计 row's score or the 自评总分 cell; else the title — the first cell
    of the form's sheet that holds a value. None only when the form's sheet is unknown."""
    sheets = workbook.sheetnames
    form = report.form
    cells = dict(form.cells)
    if finding.field and finding.field in cells:
        place = _cell_of(cells[finding.field], sheets)
        if place is not None:
            return place
    lines = [_cell_of(place, sheets) for ind in form.indicators for _, place in ind.cells]
    on_sheet = [p for p in lines if p is not None]
    total = _cell_of(cells.get("reported_total"), sheets)
    sheet = (total[0] if total else on_sheet[0][0] if on_sheet else
             next((n for n in sheets if form.source and form.source.endswith(n)), None))
    if sheet is None and len(sheets) == 1:
        sheet = sheets[0]
    if sheet is None:
        return None
    if finding.code in _WEIGHT_CODES or finding.field == "weight":
        weight = next((_cell_of(p, sheets) for ind in form.indicators
                       for f, p in ind.cells if f == "weight"), None)
        total_ref = _REF.match(total[1]) if total and total[0] == sheet else None
        if weight is not None and total_ref is not None:
            col = _REF.match(weight[1])
            if col is not None:
                candidate = f"{col['col']}{total_ref['row']}"
                if workbook[sheet][candidate].value not in (None, ""):
                    return sheet, candidate
    if total is not None and total[0] == sheet:
        return total
    for row in workbook[sheet].iter_rows(max_row=20):
        for cell in row:
            if cell.value not in (None, "") and getattr(cell, "coordinate", None):
                return sheet, str(cell.coordinate)
    return sheet, "A1"
