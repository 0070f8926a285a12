"""Report writers: text (for people at a terminal) and JSON (for programs)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import attrs

from .._engine import Report
from .._messages import text, words
from ._width import clean, number, pad, terminal, width
from .render import form_heading

__all__ = ["JsonWriter", "TextWriter", "render_text"]


def _cell(value: Any) -> str:
    """Any value as one inert line of text: numbers of any size, text without control characters."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value) if value.is_finite() and abs(value.adjusted()) <= 28 else number(value)
    return terminal(value)


def render_text(report: Report, *, explain: bool = False, lang: str = "zh") -> str:
    """An aligned table of the lines (CJK text measured by display width).

    Text from the form is shown inert: an ESC sequence, a carriage return or a
    newline in a name cannot recolour the terminal or forge a line.
    """
    zh = lang == "zh"
    head = words("report-head", lang)
    not_applicable = text("not-applicable", lang)
    rows = []
    for line in report.lines:
        ind = line.indicator
        unit = ind.unit if ind.unit and ind.unit != "%" else ""
        pct = "%" if ind.unit == "%" else ""
        mark = "—" if not line.applicable else ("✓" if line.met else "✗")
        rows.append([
            _cell(ind.name), _cell(ind.nature),
            _with_unit(ind.target, pct + unit),
            _with_unit(ind.actual, pct + unit),
            _cell(ind.weight),
            not_applicable if (not_applicable and not line.applicable) else _cell(line.points),
            mark,
        ])
    widths = [max(width(r[i]) for r in [head, *rows]) for i in range(len(head))]
    right = {4, 5}

    def fmt(row: list[str]) -> str:
        return "  ".join(pad(c, widths[i], ">" if i in right else "<")
                         for i, c in enumerate(row)).rstrip()

    out = []
    title = _cell(form_heading(report.form) or (report.form.source or ""))
    if title:
        out.append(title)
    out.append(fmt(head))
    out.append("  ".join("-" * w for w in widths))
    citation = report.ruleset.citation if zh else (report.ruleset.citation_en or
                                                    report.ruleset.citation)
    for line, row in zip(report.lines, rows):
        out.append(fmt(row))
        if explain:
            cell = line.indicator.where("actual") if line.indicator.cells else None
            out.append("    " + _cell(line.explanation(lang))  # the line's own clause
                       + (f"  [{_cell(cell)}]" if cell else ""))
    out.append("  ".join("-" * w for w in widths))
    out.append(text("report-total", lang, total=report.total,
                    grade=report.grade if zh else report._grade_en(), ruleset=report.ruleset.ref,
                    citation=citation))
    notice = report.notice(lang)
    if notice:
        out.append(_cell(notice))
    if explain:
        out.append(report.total_explanation(lang))
    skipped = report.form.skipped
    if skipped and explain:
        out.append(text("rows-not-read", lang, count=len(skipped)))
        out.extend(f"    {_cell(row.where)}  {_cell(row.text)}  —  "
                   f"{_cell(row.reason_zh if zh and row.reason_zh else row.reason)}"
                   for row in skipped)
    elif skipped:
        out.append(text("rows-not-read-note", lang, count=len(skipped)))
    if report.form.reported_total is not None and report.form.reported_total != report.total:
        out.append(text("reported-total", lang, total=_cell(report.form.reported_total)))
    return clean("\n".join(out) + "\n")


@attrs.frozen
class TextWriter:
    name: str = "text"

    def write(self, report: Report, **options: Any) -> bytes:
        return render_text(report, explain=bool(options.get("explain", False)),
                           lang=str(options.get("lang", "zh"))).encode("utf-8")


@attrs.frozen
class JsonWriter:
    name: str = "json"

    def write(self, report: Report, **options: Any) -> bytes:
        data = report.to_dict(lang=str(options.get("lang", "zh")))
        # A lone surrogate (a non-UTF-8 file name, or one in the form) becomes U+FFFD.
        return clean(json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _with_unit(value: Any, unit: str) -> str:
    """A target or actual as the table shows it: a number with its unit, words as they are
    (不适用, 达成 — never 不适用%)."""
    if value is None:
        return ""
    return f"{_cell(value)}{unit}" if isinstance(value, Decimal) else _cell(value)
