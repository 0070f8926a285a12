"""Report writers people look at: Markdown, a self-contained HTML page, and
Excel in the official table layout. A renderer never recomputes: it shows
the numbers of the :class:`~perfrules.Report` it is given."""

from __future__ import annotations

import html
import io
from decimal import Decimal
from typing import Any, Optional

import attrs

from .._engine import LineResult, Report
from .._messages import text, words
from .._model import Form
from .._numbers import CONTEXT
from ..exceptions import MissingDependencyError
from ._width import clean, markdown, number, spreadsheet, terminal

__all__ = ["HtmlWriter", "MarkdownWriter", "XlsxWriter"]


def _d(value: Optional[Decimal]) -> str:
    return number(value)


def _cell(value: Any, unit: str = "") -> str:
    if value is None:
        return ""
    text = _d(value) if isinstance(value, Decimal) else str(value)
    return f"{text}{unit}" if isinstance(value, Decimal) and unit else text


def _head(lang: str, explanation: str, notes: bool) -> list[str]:
    """The column headers in the form's terms (年度指标值, 实际完成值, 分值, 得分, 偏差原因分析及改进
    措施); the last column only when a line has a note."""
    head = text("table-head", lang, explanation=text(explanation, lang)).split("|")
    return head if notes else head[:-1]


def _citation(report: Report, lang: str) -> str:
    if lang == "zh":
        return report.ruleset.citation
    return report.ruleset.citation_en or report.ruleset.citation


def _status(line: LineResult, lang: str) -> str:
    if not line.applicable:
        return "不适用" if lang == "zh" else "n/a"
    if line.met:
        return "达成" if lang == "zh" else "met"
    return "未达成" if lang == "zh" else "not met"


def form_heading(form: Form) -> str:
    """The form as reports title it: its own name (项目名称, 单位名称) before the template's
    title, which is alike for every project (项目支出绩效自评表); "" without either."""
    title = form.title or ""
    if form.name and form.name not in title:
        return f"{form.name} {title}".strip()
    return title


# -- Markdown --------------------------------------------------------------------


@attrs.frozen
class MarkdownWriter:
    name: str = "markdown"

    def write(self, report: Report, **options: Any) -> bytes:
        lang = str(options.get("lang", "zh"))
        zh = lang == "zh"
        citation = _citation(report, lang)
        form = report.form
        # Text from the form is escaped: no markup, no HTML, no forged lines.
        out = [f"# {markdown(form_heading(form) or form.source or 'perfrules report')}", ""]
        if form.organization:
            out.append(f"{'单位' if zh else 'Organization'}: {markdown(form.organization)}  ")
        out.append(f"**{'总分' if zh else 'Total'} {report.total}** · "
                   f"{'等级' if zh else 'grade'} **{markdown(report.grade)}** · "
                   f"{'规则集' if zh else 'ruleset'} `{report.ruleset.id.replace('`', '')}` "
                   f"({markdown(citation)})")
        if form.reported_total is not None and form.reported_total != report.total:
            out.append("")
            out.append(f"> {'表内自评总分为' if zh else 'The form reports a total of'} "
                       f"{_d(form.reported_total)}")
        out.append("")
        notes = any(line.indicator.note for line in report.lines)
        head = _head(lang, "md-explanation", notes)
        out.append("| " + " | ".join(head) + " |")
        out.append("|" + "|".join(["---", ":-:", "--:", "--:", "--:", "--:", ":-:", "---"]
                                  + ["---"] * notes) + "|")
        for line in report.lines:
            ind = line.indicator
            unit = ind.unit
            row = [ind.name, ind.nature or "", _cell(ind.target, unit), _cell(ind.actual, unit),
                   _d(ind.weight), "" if line.points is None else str(line.points),
                   _status(line, lang), line.explanation(lang)] + [ind.note] * notes
            out.append("| " + " | ".join(markdown(c) for c in row) + " |")
        out.append("")
        out.append(markdown(report.total_explanation(lang), line=True))
        prov = report.provenance
        out.append("")
        out.append(f"<sub>perfrules {prov.perfrules_version} · {prov.ruleset_id} v"
                   f"{prov.ruleset_version} sha256:{prov.ruleset_hash[:12]} · form sha256:"
                   f"{prov.form_hash[:12]}</sub>")
        return clean("\n".join(out) + "\n").encode("utf-8")


# -- HTML ------------------------------------------------------------------------

_CSS = """
:root { --ink:#1f2933; --muted:#616e7c; --line:#d9dee4; --ok:#2f855a; --warn:#c05621;
        --bar:#3b82f6; --bg:#f7f8fa; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink);
       font: 14px/1.55 "Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",
             system-ui, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 24px 40px; }
header.summary { display:flex; gap:24px; align-items:center; background:#fff;
       border:1px solid var(--line); border-radius:10px; padding:20px 24px; }
header .what { flex:1; }
h1 { font-size: 21px; margin: 0 0 4px; }
.meta { color: var(--muted); margin: 0; }
.score { text-align:center; min-width:150px; }
.score .total { font-size: 40px; font-weight: 700; line-height: 1.1; }
.score .grade { display:inline-block; margin-top:6px; padding:2px 14px; border-radius:999px;
       background: var(--ok); color:#fff; font-weight:600; }
.score .grade.g-良 { background:#2b6cb0; } .score .grade.g-中 { background:#b7791f; }
.score .grade.g-差 { background:#c53030; }
.counts { display:flex; gap:10px; margin:14px 0 18px; color:var(--muted); flex-wrap:wrap; }
.counts span { background:#fff; border:1px solid var(--line); border-radius:6px; padding:3px 10px; }
.notice { background:#fffaf0; border:1px solid #f6ad55; border-radius:8px; padding:8px 14px;
       margin: 0 0 14px; }
table { width:100%; border-collapse:collapse; background:#fff; border:1px solid var(--line);
        border-radius:10px; overflow:hidden; }
th, td { padding: 8px 10px; border-bottom:1px solid var(--line); vertical-align: top; }
th { background:#eef1f5; text-align:left; font-weight:600; white-space:nowrap; }
td.num { text-align:right; font-variant-numeric: tabular-nums; white-space:nowrap; }
td.name .path { color:var(--muted); font-size:12px; }
tr.unmet td { background:#fff7f0; }
tr.na td { color:var(--muted); }
.bar { position:relative; height:8px; width:110px; background:#e5e9ef; border-radius:4px;
       margin-top:6px; }
.bar i { position:absolute; left:0; top:0; bottom:0; background:var(--bar); border-radius:4px; }
tr.unmet .bar i { background: var(--warn); }
td.result { white-space:nowrap; }
.mark { font-weight:700; } .mark.ok { color:var(--ok); } .mark.no { color:var(--warn); }
.why { color:#3e4c59; font-size:12.5px; }
.loc { color:var(--muted); font-size:11.5px; }
footer { margin-top:18px; color:var(--muted); font-size:12px; }
footer code { font-size: 11.5px; }
@media print {
  body { background:#fff; font-size: 11.5px; }
  main { max-width:none; padding:0; }
  header.summary, table { border-color:#999; }
  tr { break-inside: avoid; }
  .bar { border:1px solid #999; }
}
"""


def _e(value: Any) -> str:
    """Text from a form, escaped for HTML, control characters shown as escapes."""
    return html.escape(terminal(value), quote=True)


@attrs.frozen
class HtmlWriter:
    """One self-contained HTML file: no scripts, no external assets; printable."""

    name: str = "html"

    def write(self, report: Report, **options: Any) -> bytes:
        lang = str(options.get("lang", "zh"))
        zh = lang == "zh"
        form = report.form
        citation = _citation(report, lang)
        title = form_heading(form) or form.source or "perfrules"
        met = sum(1 for ln in report.lines if ln.applicable and ln.met)
        unmet = sum(1 for ln in report.lines if ln.applicable and not ln.met)
        na = sum(1 for ln in report.lines if not ln.applicable)

        def t(zh_text: str, en_text: str) -> str:
            return zh_text if zh else en_text

        parts = [
            "<!DOCTYPE html>",
            f'<html lang="{"zh-CN" if zh else "en"}"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_e(title)} — {_e(report.total)}</title>",
            f"<style>{_CSS}</style></head><body><main>",
            '<header class="summary"><div class="what">',
            f"<h1>{_e(title)}</h1>",
        ]
        meta = [x for x in (form.organization, str(form.year) if form.year else "") if x]
        meta.append(f"{t('规则集', 'ruleset')} {report.ruleset.id}（{citation}）" if zh else
                    f"ruleset {report.ruleset.id} ({citation})")
        parts.append(f'<p class="meta">{_e(" · ".join(meta))}</p></div>')
        parts.append(f'<div class="score"><div class="total">{_e(report.total)}</div>'
                     f'<div class="grade g-{_e(report.grade)}">{_e(t("等级 ", "grade "))}'
                     f"{_e(report.grade)}</div></div></header>")
        parts.append('<div class="counts">'
                     f"<span>{_e(t('指标', 'indicators'))} {len(report.lines)}</span>"
                     f"<span>{_e(t('达成', 'met'))} {met}</span>"
                     f"<span>{_e(t('未达成', 'not met'))} {unmet}</span>"
                     + (f"<span>{_e(t('不适用', 'not applicable'))} {na}</span>" if na else "")
                     + "</div>")
        if form.reported_total is not None and form.reported_total != report.total:
            parts.append(
                f'<p class="notice">{_e(t("表内自评总分为 ", "The form reports a total of "))}'
                f"<b>{_e(form.reported_total)}</b>"
                f"{_e(t('，与重算结果不同。', ', which differs from the recomputed total.'))}</p>")
        notes = any(line.indicator.note for line in report.lines)
        head = _head(lang, "html-explanation", notes)
        parts.append("<table><thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in head)
                     + "</tr></thead><tbody>")
        for line in report.lines:
            parts.append(self._row(line, lang, notes))
        parts.append("</tbody></table>")
        if form.skipped:
            count = f"（{len(form.skipped)}）" if zh else f" ({len(form.skipped)})"
            parts.append(f'<section class="notice skipped"><h2>'
                         f'{_e(t("未读入的行", "Rows not read"))}{count}</h2><ul>')
            for row in form.skipped:
                reason = row.reason_zh if zh and row.reason_zh else row.reason
                parts.append(f'<li><span class="loc">{_e(row.where)}</span> {_e(row.text)} — '
                             f"{_e(reason)}</li>")
            parts.append("</ul></section>")
        prov = report.provenance
        plugins = ", ".join(f"{n} {v}" for n, v in prov.plugins)
        parts.append(
            f"<footer><p>{_e(report.total_explanation(lang))}</p>"
            f"<p>{_e(t('来源', 'Source'))}: {_e(prov.source or '')} · "
            f"{_e(t('表单', 'form'))} sha256 <code>{_e(prov.form_hash[:16])}</code> · "
            f"perfrules {_e(prov.perfrules_version)} · {_e(prov.ruleset_id)} v"
            f"{_e(prov.ruleset_version)} sha256 <code>{_e(prov.ruleset_hash[:16])}</code> · "
            f"{_e(t('插件', 'plugins'))}: {_e(plugins)}</p></footer>")
        parts.append("</main></body></html>")
        return clean("\n".join(parts) + "\n").encode("utf-8")

    @staticmethod
    def _row(line: LineResult, lang: str, notes: bool = False) -> str:
        ind = line.indicator
        credit = line.credit
        # in perfrules' fixed context, whatever the caller's is
        pct = 0 if credit is None else int(CONTEXT.multiply(credit, 100).to_integral_value(
            context=CONTEXT))
        cls = "na" if not line.applicable else ("met" if line.met else "unmet")
        mark = ("—" if not line.applicable else ("✓" if line.met else "✗"))
        mark_cls = "" if not line.applicable else ("ok" if line.met else "no")
        path = " / ".join(ind.path)
        location = ind.where("actual") if ind.cells else ind.where()
        score = "" if line.points is None else str(line.points)
        bar = (f'<div class="bar" title="{pct}%"><i style="width:{pct}%"></i></div>'
               if line.applicable else "")
        return (
            f'<tr class="{cls}"><td class="name">{_e(ind.name)}'
            + (f'<div class="path">{_e(path)}</div>' if path else "")
            + f"</td><td>{_e(ind.nature or '')}</td>"
            f'<td class="num">{_e(_cell(ind.target, ind.unit))}</td>'
            f'<td class="num">{_e(_cell(ind.actual, ind.unit))}</td>'
            f'<td class="num">{_e(_d(ind.weight))}</td>'
            f'<td class="num"><b>{_e(score)}</b>{bar}</td>'
            f'<td class="result"><span class="mark {mark_cls}">{mark}</span> '
            f"{_e(_status(line, lang))}</td>"
            f'<td><div class="why">{_e(line.explanation(lang))}</div>'
            + (f'<div class="loc">{_e(location)}</div>' if location else "")
            + "</td>" + (f'<td><div class="why">{_e(ind.note)}</div></td>' if notes else "")
            + "</tr>"
        )


# -- Excel -----------------------------------------------------------------------


@attrs.frozen
class XlsxWriter:
    """The official table layout with the recomputed scores (needs perfrules[excel])."""

    name: str = "xlsx"
    binary: bool = True

    def write(self, report: Report, **options: Any) -> bytes:
        try:
            import openpyxl
            from openpyxl.styles import Alignment, Font, PatternFill
        except ImportError:
            raise MissingDependencyError("writing .xlsx reports", "excel") from None
        lang = str(options.get("lang", "zh"))
        form = report.form
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "自评表"
        head = words("xlsx-head", lang)
        bold, shade = Font(bold=True), PatternFill("solid", fgColor="EEF1F5")
        ws.append([_text(form.title) or text("xlsx-form", lang)])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(head))
        ws["A1"].font = Font(size=14, bold=True)
        ws["A1"].alignment = Alignment(horizontal="center")
        if form.name:  # the form's own name, on its own row as the form has it
            label = "xlsx-project-name" if form.kind == "project" else "xlsx-unit-name"
            ws.append([text(label, lang), _text(form.name)])
        meta = words("xlsx-meta", lang)
        ws.append([meta[0], _text(form.organization), None, None, None, None, meta[1],
                   _num(report.total), meta[2], _text(report.grade)])
        # the fund block, as the form has it above the indicators: 项目资金 with the
        # execution-rate line (全年预算数, 全年执行数, 分值, 执行率, 得分)
        funds = [line for line in report.lines
                 if line.indicator.budget is not None or line.indicator.executed is not None]
        if funds:
            ws.append(words("xlsx-fund-head", lang))
            for cell in ws[ws.max_row]:
                cell.font, cell.fill = bold, shade
            for line in funds[:1]:
                ind = line.indicator
                ws.append([text("xlsx-fund-total", lang), _num(ind.budget), _num(ind.executed),
                           _num(ind.weight), _value(ind.actual), _num(line.points)])
                ws.cell(ws.max_row, 6).number_format = "0.00"
        ws.append(head)
        for cell in ws[ws.max_row]:
            cell.font, cell.fill = bold, shade
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        unmet_fill = PatternFill("solid", fgColor="FFF1E6")
        for line in report.lines:
            if line in funds[:1]:
                continue
            ind = line.indicator
            path = [*ind.path, None, None]
            ws.append([_text(path[0]), _text(path[1]), _text(ind.name), _text(ind.unit),
                       _text(ind.nature), _value(ind.target), _value(ind.actual),
                       _num(ind.weight),
                       _num(line.points) if line.points is not None else _status(line, lang),
                       _num(ind.reported_score), _text(ind.note), _text(line.explanation(lang))])
            row = ws.max_row
            ws.cell(row, 9).number_format = "0.00"
            if line.applicable and not line.met:
                for col in range(1, len(head) + 1):
                    ws.cell(row, col).fill = unmet_fill
        ws.append([None, None, text("xlsx-total", lang), None, None, None, None,
                   _num(report.applicable_weight), _num(report.total), _num(form.reported_total),
                   None, _text(report.total_explanation(lang))])
        ws.cell(ws.max_row, 9).number_format = "0.00"
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
        prov = report.provenance
        ws.append([])
        ws.append([_text(f"perfrules {prov.perfrules_version} · {prov.ruleset_id} v"
                         f"{prov.ruleset_version} ({_citation(report, lang)}) · ruleset sha256 "
                         f"{prov.ruleset_hash[:16]} · form sha256 {prov.form_hash[:16]}")])
        _no_formulas(ws)
        for letter, width in zip("ABCDEFGHIJKL", (12, 14, 30, 8, 8, 10, 10, 10, 10, 10, 30, 70)):
            ws.column_dimensions[letter].width = width
        buffer = io.BytesIO()
        wb.save(buffer)
        return buffer.getvalue()


def _text(value: Any) -> Optional[str]:
    """Text for a cell: what XML cannot hold replaced; never None-as-text."""
    if value is None or value == "":
        return None
    return spreadsheet(value)


def _num(value: Optional[Decimal]) -> Any:
    """A number Excel can hold exactly enough (15 digits); else its exact text."""
    if value is None:
        return None
    if value.is_finite() and abs(value.adjusted()) <= 15 and len(value.as_tuple().digits) <= 15:
        return value
    return number(value)


def _value(value: Any) -> Any:
    return _num(value) if isinstance(value, Decimal) else _text(value)


def _no_formulas(ws: Any) -> None:
    """Every text cell stays text: a name such as ``=HYPERLINK(…)`` or ``+cmd|…`` is
    never a formula when the workbook is opened (OWASP CSV-injection guidance,
    applied to .xlsx: the cell's type is string, shown with a quote prefix)."""
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
                if cell.value.startswith(("=", "+", "-", "@", "\t", "\r")):
                    cell.quotePrefix = True
