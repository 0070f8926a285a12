"""Audit output: text, JSON, Markdown, CSV summary, one HTML page for a whole
batch (with the distribution of totals and grades), and annotated Excel copies."""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import tempfile
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Optional, Union

import attrs

from .._audit import SEVERITIES, AuditReport, Finding
from .._messages import text, without_source, words
from ..exceptions import MissingDependencyError
from ._width import clean, csv_field, markdown, pad, spreadsheet, terminal, width
from .render import form_heading

__all__ = ["OUTPUT_NAMES", "BatchItem", "annotate_xlsx", "annotated_names", "audit_html",
           "audit_json", "audit_markdown", "audit_text", "display_names", "summary_csv",
           "write_atomic"]

#: The files ``perfrules audit -o DIR/`` writes besides annotated copies.
OUTPUT_NAMES = ("summary.csv", "summary.json", "audit.html")

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


def _row(item: BatchItem) -> dict[str, Any]:
    rep = item.report
    counts = rep.counts() if rep else dict.fromkeys(SEVERITIES, 0)
    return {
        "file": item.path,
        "title": form_heading(rep.form) if rep else "",
        "reported_total": _s(rep.reported_total) if rep else "",
        "total": _s(rep.total) if rep else "",
        "grade": (rep.grade or "") if rep else "",
        "errors": counts["error"], "warnings": counts["warning"], "infos": counts["info"],
        "status": "ok" if rep else "unreadable",
        "message": item.error or "",
        "form": item.form or "",
    }


_TEXT_FIELDS = ("file", "title", "grade", "message", "form")


def summary_csv(items: Sequence[BatchItem]) -> bytes:
    """One row per form; UTF-8 with BOM so that Excel opens the Chinese correctly.

    Text from the forms is written so that no spreadsheet runs it as a
    formula (a leading ``= + - @``, tab or CR gets an apostrophe).
    """
    buffer = io.StringIO()
    fields = ["file", "title", "reported_total", "total", "grade", "errors", "warnings",
              "infos", "status", "message", "form"]
    # RFC 4180 line ends: a CR or LF inside a field is then always quoted, so a
    # title cannot break its row into two.
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\r\n")
    writer.writeheader()
    for item in items:
        row = _row(item)
        row.update({key: csv_field(row[key]) for key in _TEXT_FIELDS})
        writer.writerow(row)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def audit_json(items: Sequence[BatchItem]) -> bytes:
    forms = []
    for item in items:
        entry: dict[str, Any] = {"file": item.path}
        if item.form:
            entry["form"] = item.form
        if item.report is not None:
            entry.update(item.report.to_dict())
        else:
            entry["error"] = item.error
        forms.append(entry)
    data = {"summary": _summary(items), "forms": forms}
    return clean(json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _summary(items: Sequence[BatchItem]) -> dict[str, Any]:
    counts = Counter[str]()
    grades = Counter[str]()
    for item in items:
        if item.report is not None:
            counts.update(f.severity for f in item.report.findings)
            grades[item.report.grade or "—"] += 1
    return {
        "forms": len(items),
        "unreadable": sum(1 for i in items if not i.readable),
        "findings": {s: counts.get(s, 0) for s in SEVERITIES},
        "grades": dict(sorted(grades.items())),
    }


def _finding_line(f: Finding, lang: str, source: str = "") -> str:
    """One finding, its place in the file without the file (its form's line names it)."""
    where = terminal(without_source(f.location or "", source) if source else f.location or "")
    who = terminal(f.indicator) if f.indicator else text("form", lang)
    line = (f"  {_SEV_MARK[f.severity]} {terminal(f.code)} {text(f'sev-{f.severity}', lang)} "
            f"{who} [{where}] {terminal(f.message(lang))}")
    if f.citation:
        line += text("citation", lang, citation=terminal(f.citation))
    return line


def audit_text(items: Sequence[BatchItem], lang: str = "zh") -> bytes:
    """For a terminal: every text from a form is one inert line (no control characters).

    Each form's line names its file (and sheet) once; its findings and errors
    follow with their cells only.
    """
    out: list[str] = []
    for item in items:
        rep = item.report
        name = terminal(_label(item, {}))
        if rep is None:
            out.append(f"{name}: {text('unreadable', lang)}")
            out.extend(f"  ✗ {terminal(line)}" for line in item.error_text(lang).splitlines())
            continue
        if rep.form.name:  # the form's own name: five projects' forms share one title
            name = f"{name} {terminal(rep.form.name)}"
        c = rep.counts()
        out.append(text("audit-form", lang, name=name, reported=_s(rep.reported_total) or "—",
                        total=_s(rep.total) or "—", grade=rep.grade or "", **c))
        out.extend(_finding_line(f, lang, item.path) for f in rep.findings)
    if len(items) > 1:
        out.append("")
        head = words("audit-head", lang)
        names = display_names(items)
        rows = [[terminal(_label(item, names)), r["reported_total"], r["total"],
                 terminal(r["grade"]), str(r["errors"]), str(r["warnings"]), str(r["infos"])]
                if r["status"] == "ok" else
                [terminal(_label(item, names)), "", "", text("unreadable", lang), "", "", ""]
                for item, r in zip(items, map(_row, items))]
        widths = [max(width(x[i]) for x in [head, *rows]) for i in range(len(head))]
        for row in [head, *rows]:
            out.append("  ".join(pad(c, widths[i], "<" if i in (0, 3) else ">")
                                 for i, c in enumerate(row)).rstrip())
    return clean("\n".join(out) + "\n").encode("utf-8")


def audit_markdown(items: Sequence[BatchItem], lang: str = "zh") -> bytes:
    zh = lang == "zh"
    out = ["# " + ("绩效自评表审核" if zh else "Self-evaluation audit"), ""]
    for item in items:
        rep = item.report
        out.append(f"## {markdown(_label(item, {}))}")
        out.append("")
        if rep is None:
            out.append(f"**{'无法读取' if zh else 'Unreadable'}**: {markdown(item.error_text(lang))}")
            out.append("")
            continue
        out.append(f"{'表内总分' if zh else 'Reported'} {_s(rep.reported_total) or '—'} · "
                   f"{'重算总分' if zh else 'recomputed'} **{_s(rep.total) or '—'}** "
                   f"{markdown(rep.grade or '')}")
        out.append("")
        if rep.findings:
            out.append("| " + " | ".join(["代码", "级别", "指标", "位置", "说明"] if zh else
                                          ["Code", "Severity", "Indicator", "Cell", "Finding"])
                       + " |")
            out.append("|---|---|---|---|---|")
            for f in rep.findings:
                cells = [f.code, _SEV_ZH[f.severity] if zh else f.severity, f.indicator or "",
                         f.location or "", f.message(lang)]
                out.append("| " + " | ".join(markdown(c) for c in cells) + " |")
            out.append("")
    return clean("\n".join(out) + "\n").encode("utf-8")


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


def audit_html(items: Sequence[BatchItem], lang: str = "zh") -> bytes:
    zh = lang == "zh"

    def t(a: str, b: str) -> str:
        return a if zh else b

    summary = _summary(items)
    totals = [i.report.total for i in items if i.report is not None and i.report.total is not None]
    bins = [(label, sum(1 for v in totals if lo <= v < hi)) for lo, hi, label in _BINS]
    grade_names = [g.name for g in sorted(
        {g for i in items if i.report for g in i.report.ruleset.grades},
        key=lambda g: g.minimum, reverse=True)]
    grades = [(g, summary["grades"].get(g, 0)) for g in grade_names]
    parts = ["<!DOCTYPE html>", f'<html lang="{"zh-CN" if zh else "en"}"><head><meta charset="utf-8">',
             f"<title>{_e(t('绩效自评表审核', 'Self-evaluation audit'))}</title>",
             f"<style>{_CSS}</style></head><body><main>",
             f"<h1>{_e(t('绩效自评表审核', 'Self-evaluation audit'))}</h1>",
             '<div class="cards">',
             f'<div class="card"><b>{summary["forms"]}</b>{_e(t("份表单", "forms"))}</div>',
             *(f'<div class="card {sev}"><b>{summary["findings"][sev]}</b>{_e(label)}</div>'
               for sev, label in (("error", t("错误", "errors")), ("warning", t("警告", "warnings")),
                                  ("info", t("提示", "infos")))),
             f'<div class="card"><b>{summary["unreadable"]}</b>{_e(t("无法读取", "unreadable"))}</div>',
             "</div>", '<div class="charts">',
             _bar_chart(t("重算总分分布", "Recomputed totals"), bins, "#3b82f6"),
             _bar_chart(t("等级分布", "Grades"), grades, "#2f855a"),
             "</div>",
             f"<h2>{_e(t('表单一览', 'Forms'))}</h2><table><thead><tr>"]
    head = (["文件", "标题", "表内总分", "重算总分", "等级", "错误", "警告", "提示"] if zh else
            ["File", "Title", "Reported", "Recomputed", "Grade", "Errors", "Warnings", "Infos"])
    parts.append("".join(f"<th>{_e(h)}</th>" for h in head) + "</tr></thead><tbody>")
    names = display_names(items)
    for item in items:
        r = _row(item)
        if item.report is None:
            parts.append(f'<tr><td>{_e(_label(item, names))}</td><td colspan="7" class="bad">'
                         f"{_e(t('无法读取：', 'unreadable: '))}{_e(item.error_text(lang))}</td></tr>")
            continue
        differs = r["reported_total"] and r["total"] and r["reported_total"] != r["total"]
        parts.append(
            f"<tr><td>{_e(_label(item, names))}</td><td>{_e(r['title'])}</td>"
            f'<td class="num">{_e(r["reported_total"])}</td>'
            f'<td class="num{" bad" if differs else ""}">{_e(r["total"] or "—")}</td>'
            f"<td>{_e(r['grade'])}</td><td class=\"num\">{r['errors']}</td>"
            f'<td class="num">{r["warnings"]}</td><td class="num">{r["infos"]}</td></tr>')
    parts.append("</tbody></table>")
    for item in items:
        rep = item.report
        if rep is None or not rep.findings:
            continue
        parts.append(f"<h2>{_e(_label(item, names))}</h2><table><thead><tr>")
        fh = (["级别", "代码", "指标", "位置", "说明", "应为", "实为", "依据"] if zh else
              ["Severity", "Code", "Indicator", "Cell", "Finding", "Expected", "Found", "Source"])
        parts.append("".join(f"<th>{_e(h)}</th>" for h in fh) + "</tr></thead><tbody>")
        for f in rep.findings:
            parts.append(
                f'<tr><td class="sev {f.severity}">{_e(_SEV_ZH[f.severity] if zh else f.severity)}'
                f"</td><td>{_e(f.code)}</td><td>{_e(f.indicator or '')}</td>"
                f'<td class="loc">{_e(f.location or "")}</td><td>{_e(f.message(lang))}</td>'
                f"<td>{_e(f.expected or '')}</td><td>{_e(f.found or '')}</td>"
                f"<td>{_e(f.citation or '')}</td></tr>")
        parts.append("</tbody></table>")
    parts.append("</main></body></html>")
    return clean("\n".join(parts) + "\n").encode("utf-8")


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
    # A full load (comments and fills need it); inside the worker's time limit.
    workbook = openpyxl.load_workbook(source, keep_vba=source.suffix.lower() == ".xlsm")
    notes: dict[tuple[str, str], list[Finding]] = {}
    for report in reports:
        for finding in report.findings:
            match = _CELL.match(finding.location or "")
            if match and match["sheet"] in workbook.sheetnames:
                notes.setdefault((match["sheet"], match["cell"]), []).append(finding)
    for (sheet, ref), findings in notes.items():
        cell = workbook[sheet][ref]
        worst = min(findings, key=lambda f: SEVERITIES.index(f.severity)).severity
        cell.fill = PatternFill("solid", fgColor=_FILLS[worst])
        text = "\n".join(f"[{f.code} {_SEV_ZH[f.severity]}] {f.message_zh}"
                         + (f"（应为 {f.expected}）" if f.expected else "") for f in findings)
        # A comment is never a formula; its text is cleaned of what XML forbids.
        cell.comment = Comment(spreadsheet(text)[:30000], "perfrules", width=360, height=160)
    write_atomic(target, workbook.save)
    return target
