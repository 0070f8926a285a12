"""The built-in audit checks, registered as a plugin.

Codes are stable and never reused; ``docs/audit.md`` lists them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Callable, Optional

import attrs

from ..plugin import (
    AuditContext,
    Finding,
    Form,
    Indicator,
    fold_word,
    form_total,
    hookimpl,
    line_points,
    problem_message,
    problem_zh,
)

CheckFn = Callable[[AuditContext], Iterable[Finding]]


@attrs.frozen
class FunctionCheck:
    """A check made of a function; ``codes`` are the finding codes it may emit."""

    name: str
    codes: tuple[str, ...]
    fn: CheckFn = attrs.field(repr=False)

    def check(self, context: AuditContext) -> Iterable[Finding]:
        return self.fn(context)


def _d(value: Decimal) -> str:
    """A decimal as people write it: ``100`` (not ``1E+2``), ``4.5`` (not ``4.50``)."""
    if not value.is_finite():
        return str(value)
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# -- problems that stopped scoring ---------------------------------------------------

_PROBLEM_CODES = {
    "weights-sum": ("PR006", "权重合计不等于 100"),
    "group-weights-sum": ("PR007", "二级指标权重合计不等于所属一级指标分值"),
    "judged-out-of-band": ("PR011", "定性指标评定得分超出所属档次的分值区间"),
    "unknown-tier": ("PR020", "定性指标完成情况无法归入达成/部分达成/未达成"),
    "not-a-tier": ("PR020", "定性指标完成情况应为档次用语"),
}


def input_problems(ctx: AuditContext) -> Iterator[Finding]:
    by_name = {ind.name: ind for ind in ctx.form.indicators}
    for problem in ctx.problems:
        code, zh = _PROBLEM_CODES.get(problem.code, ("PR001", ""))
        said = problem_message(problem, "zh")
        if said != problem.message:
            zh = said
        else:  # a plugin's own problem: its code's head, its English as written
            zh = f"{zh or f'输入问题：{problem_zh(problem.code)}'}（{problem.message}）"
        yield ctx.finding(
            code, "error", "input-problems", zh, problem.message,
            indicator=by_name.get(problem.indicator or ""), field=problem.field,
            location=problem.location, expected=problem.expected, found=problem.value,
            citation=ctx.ruleset.citation if code != "PR001" else None)


# -- reported against recomputed -----------------------------------------------------


def line_scores(ctx: AuditContext) -> Iterator[Finding]:
    rs = ctx.ruleset
    for i, ind in enumerate(ctx.form.indicators):
        reported = ind.reported_score
        if reported is None:
            continue
        if ind.weight is not None and (reported > ind.weight or reported < 0):
            yield ctx.finding(
                "PR005", "error", "line-scores",
                f"填报得分 {_d(reported)} 超出 0 至权重 {_d(ind.weight)} 的范围",
                f"reported score {_d(reported)} is outside 0 to the weight {_d(ind.weight)}",
                indicator=ind, field="reported_score", expected=f"0 – {_d(ind.weight)}",
                found=_d(reported), citation=rs.citation)
        line = ctx.line(i)
        if line is None or line.points is None:
            continue
        if line_points(reported, rs) != line.points:
            yield ctx.finding(
                "PR002", "error", "line-scores",
                f"填报得分 {_d(reported)} 与重算得分 {line.points} 不一致：{line.explanation('zh')}",
                f"reported score {_d(reported)} differs from the recomputed {line.points}: "
                f"{line.explanation('en')}",
                indicator=ind, field="reported_score", expected=line.points, found=_d(reported),
                citation=rs.citation)


def _reported_sum(ctx: AuditContext) -> Optional[Decimal]:
    """The total the form's own line scores give, by the same rounding and total
    as the engine's."""
    rs = ctx.ruleset
    applicable = [ind for ind in ctx.form.indicators
                  if ind.applicable and not rs.is_not_applicable(ind.actual)]
    if not applicable or any(ind.reported_score is None for ind in applicable):
        return None
    points = [line_points(ind.reported_score, rs) for ind in applicable
              if ind.reported_score is not None]
    if len(applicable) == len(ctx.form.indicators):
        return form_total(points, rs)
    weight = sum((ind.weight or Decimal(0) for ind in applicable), Decimal(0))
    if weight == 0:
        return None
    return form_total(points, rs, applicable_weight=weight)


def totals(ctx: AuditContext) -> Iterator[Finding]:
    form, rs = ctx.form, ctx.ruleset
    reported = form.reported_total
    if reported is not None:
        summed = _reported_sum(ctx)
        if summed is not None and summed != line_points(reported, rs):
            yield ctx.finding(
                "PR003", "error", "totals",
                f"自评总分 {_d(reported)} 不等于各指标填报得分之和 {summed}",
                f"reported total {_d(reported)} is not the sum of the reported line scores {summed}",
                field="reported_total", expected=summed, found=_d(reported),
                citation=rs.citation)
        if ctx.total is not None and ctx.total != line_points(reported, rs):
            yield ctx.finding(
                "PR004", "error", "totals",
                f"自评总分 {_d(reported)} 与重算总分 {ctx.total} 不一致",
                f"reported total {_d(reported)} differs from the recomputed total {ctx.total}",
                field="reported_total", expected=ctx.total, found=_d(reported),
                citation=rs.citation)
    if form.reported_grade:
        basis = reported if reported is not None else ctx.total
        if basis is not None:
            grade = rs.grade_of(basis)
            if fold_word(form.reported_grade) != grade:
                yield ctx.finding(
                    "PR019", "error", "totals",
                    f"填报等级“{form.reported_grade}”与总分 {_d(basis)} 对应的等级“{grade}”不符",
                    f"reported grade {form.reported_grade!r} does not match the grade {grade!r} "
                    f"of the total {_d(basis)}",
                    field="reported_grade", expected=grade, found=form.reported_grade,
                    citation=rs.citation)


# -- how the form is filled in -------------------------------------------------------


def explanations(ctx: AuditContext) -> Iterator[Finding]:
    for i, ind in enumerate(ctx.form.indicators):
        if ind.weight is None or ind.note.strip():
            continue
        if ind.cells and "note" not in dict(ind.cells):
            continue  # read from a layout with no 说明 cell for this line: nothing to fill in
        line = ctx.line(i)
        # the recomputed score when there is one; a wrong reported score is PR002's business
        shown = line.points if line is not None else ind.reported_score
        if shown is not None and shown < ind.weight:
            yield ctx.finding(
                "PR008", "warning", "explanations",
                f"得分 {shown} 低于权重 {_d(ind.weight)}，但未填写偏差原因分析及改进措施",
                f"the line scores {shown} of {_d(ind.weight)} but gives no explanation "
                "(偏差原因分析及改进措施)",
                indicator=ind, field="note", expected="偏差原因分析及改进措施", found="",
                citation=f"{ctx.ruleset.citation} 自评表填报说明")


def targets(ctx: AuditContext) -> Iterator[Finding]:
    rs = ctx.ruleset
    ratio = Decimal(rs.param("overachievement_ratio", "1.2") or "1.2")
    numeric = []
    for i, ind in enumerate(ctx.form.indicators):
        a, b = ind.target, ind.actual
        kind = ctx.kind(i)
        if not (isinstance(a, Decimal) and isinstance(b, Decimal)):
            continue
        if kind in _QUANTITATIVE:
            numeric.append((a, b))
        if kind == "at-least" and a > 0 and b >= a * ratio:
            yield ctx.finding(
                "PR009", "warning", "targets",
                f"完成值 {_d(b)} 达到指标值 {_d(a)} 的 {_d(ratio)} 倍以上，指标值可能设置偏低，"
                "应按偏离度适度调减得分",
                f"the actual {_d(b)} is {_d(ratio)}× the target {_d(a)} or more: the target may "
                "have been set too low (10号: reduce the score by the deviation)",
                indicator=ind, field="actual", expected=f"< {_d(a * ratio)}", found=_d(b),
                citation=rs.citation)
        if kind == "equality" and b > a:
            yield ctx.finding(
                "PR010", "warning", "targets",
                f"“=”指标完成值 {_d(b)} 超过指标值 {_d(a)}（按满分计）",
                f"an '=' line whose actual {_d(b)} exceeds the target {_d(a)} (scored in full)",
                indicator=ind, field="actual", expected=_d(a), found=_d(b), citation=rs.citation)
    if len(numeric) >= 3 and all(a == b for a, b in numeric):
        yield ctx.finding(
            "PR016", "info", "targets",
            f"全部 {len(numeric)} 项定量指标的完成值都恰好等于指标值，值得核实",
            f"all {len(numeric)} quantitative actuals equal their targets exactly: worth a look",
            expected="actuals measured independently of targets", found="all equal")


def qualitative(ctx: AuditContext) -> Iterator[Finding]:
    rs = ctx.ruleset
    for i, ind in enumerate(ctx.form.indicators):
        line = ctx.line(i)
        if line is None or line.kind != "qualitative" or not isinstance(ind.actual, str):
            continue
        placed = next((st for st in line.steps if st.code == "tier_by_score"), None)
        if placed is not None:
            yield ctx.finding(
                "PR022", "info", "qualitative",
                f"完成情况“{ind.actual}”不是档次用语，按评定得分 {line.points} 归入“{placed.args[1]}”档",
                f"the actual {ind.actual!r} is no tier word: its judged score {line.points} "
                f"places it in tier {placed.args[1]!r}",
                indicator=ind, field="actual", expected=placed.args[1], found=ind.actual,
                citation=line.citation[0])
            continue
        tier = rs.tier_of(ind.actual)
        if tier is not None and fold_word(ind.actual) != fold_word(tier.name):
            yield ctx.finding(
                "PR012", "info", "qualitative",
                f"完成情况“{ind.actual}”按同义词归入“{tier.name}”档",
                f"the actual {ind.actual!r} is read as tier {tier.name!r} through a synonym",
                indicator=ind, field="actual", expected=tier.name, found=ind.actual,
                citation=rs.citation)


_QUANTITATIVE = frozenset({"at-least", "at-most", "equality"})


def units(ctx: AuditContext) -> Iterator[Finding]:
    # the policy words are the ruleset's ([audit_words]: rate, cost, time, time_groups)
    rs = ctx.ruleset
    rate_words, cost_words = rs.words("rate"), rs.words("cost")
    time_words, time_groups = rs.words("time"), rs.words("time_groups")
    for i, ind in enumerate(ctx.form.indicators):
        if ctx.kind(i) in _QUANTITATIVE and not ind.unit:
            yield ctx.finding(
                "PR013", "warning", "units", "定量指标未填写计量单位",
                "a quantitative line has no unit (计量单位)", indicator=ind, field="unit",
                expected="a unit such as %, 次, 万元", found="")
        if (ind.unit == "%" and isinstance(ind.actual, Decimal) and ind.actual > 100
                and any(w in ind.name for w in rate_words)):
            yield ctx.finding(
                "PR014", "warning", "units", f"比率类指标完成值 {_d(ind.actual)}% 超过 100%",
                f"a rate's actual {_d(ind.actual)}% is above 100%", indicator=ind, field="actual",
                expected="≤ 100%", found=f"{_d(ind.actual)}%")
        if ctx.kind(i) == "at-least" and _cost_line(ind, cost_words, time_words, time_groups):
            yield ctx.finding(
                "PR015", "warning", "units", f"成本类指标使用了“{ind.nature}”，通常应为“≤”",
                f"a cost indicator uses {ind.nature!r}; cost indicators are usually '≤'",
                indicator=ind, field="nature", expected="≤", found=ind.nature)


def _cost_line(ind: Indicator, cost_words: tuple[str, ...], time_words: tuple[str, ...],
               time_groups: tuple[str, ...]) -> bool:
    """A line about a cost (成本, 费用 …), not one about time (经费拨付及时率 under 时效指标)."""
    if not any(w in ind.name for w in cost_words):
        return False
    if any(w in level for level in ind.path for w in time_groups):
        return False
    return not any(w in ind.name for w in time_words)


def _in_framework(form: Form, tops: list[str], framework: tuple[str, ...]) -> bool:
    """PR018's framework applies to 项目支出 forms, and to others whose 一级 groups are all
    its (the ruleset's ``framework`` words); a 部门整体 form with other 一级 groups (履职效能,
    管理效率, 投入, 过程 …) belongs to another framework."""
    if form.kind == "project":
        return True
    return all(any(w in top for w in framework) for top in tops)


def structure(ctx: AuditContext) -> Iterator[Finding]:
    seen: dict[str, int] = {}
    for ind in ctx.form.indicators:
        key = fold_word(ind.name)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] == 2:
            yield ctx.finding(
                "PR017", "warning", "structure", f"指标名称“{ind.name}”重复出现",
                f"the indicator name {ind.name!r} occurs more than once", indicator=ind,
                field="name", found=ind.name)
    tops = [ind.path[0] for ind in ctx.form.indicators if ind.path]
    rs = ctx.ruleset
    required = rs.words("required_groups")
    # English names from the ruleset; a ruleset that gives none names the group in Chinese
    names_en = rs.words("required_groups_en") or required
    if tops and _in_framework(ctx.form, tops, rs.words("framework")):
        for zh, en in zip(required, names_en):
            if not any(zh in top for top in tops):
                yield ctx.finding(
                    "PR018", "warning", "structure", f"缺少“{zh}指标”一级指标",
                    f"no first-level group of {en} indicators ({zh}指标)",
                    field="path", expected=f"{zh}指标", found=", ".join(sorted(set(tops))),
                    citation=ctx.ruleset.citation)


def reading(ctx: AuditContext) -> Iterator[Finding]:
    """What the reader and the engine had to decide for the form: rows kept aside,
    a direction assumed, a ruleset outside its dates."""
    for row in getattr(ctx.form, "skipped", ()):
        text = getattr(row, "text", "")
        yield ctx.finding(
            "PR023", "info", "reading",
            f"表内一行未作为指标读取：“{text}”"
            f"（{getattr(row, 'reason_zh', '') or getattr(row, 'reason', '')}）",
            f"a row was not read as an indicator: {text!r} ({getattr(row, 'reason', '')})",
            location=getattr(row, "where", None), found=text)
    for i, ind in enumerate(ctx.form.indicators):
        line = ctx.line(i)
        assumed = None if line is None else next(
            (st for st in line.steps if st.code in ("assumed_nature", "inferred_qualitative")), None)
        if assumed is not None and line is not None:
            nature = assumed.args[0] if assumed.args else "定性"
            yield ctx.finding(
                "PR021", "info", "reading",
                f"未写明指标性质，按“{nature}”计分（方向为推定，请核实）",
                f"no nature is written: scored as {nature!r} (an assumption; check it)",
                indicator=ind, field="nature", expected="≥ ≤ = 定性 …", found="",
                citation=ctx.ruleset.citation)
    year, rs = ctx.form.year, ctx.ruleset
    if year is not None and not rs.in_force(year):
        yield ctx.finding(
            "PR024", "warning", "reading",
            f"规则集 {rs.ref} 的适用期（{rs.valid_from or '…'} 至 {rs.valid_until or '…'}）"
            f"不含本表年度 {year}",
            f"ruleset {rs.ref} is in force {rs.valid_from or '…'} to {rs.valid_until or '…'}, "
            f"which excludes the form's year {year}",
            field="year", expected=f"a ruleset in force in {year}", found=rs.ref)


BUILTIN_CHECKS = (
    FunctionCheck("input-problems", ("PR001", "PR006", "PR007", "PR011", "PR020"), input_problems),
    FunctionCheck("line-scores", ("PR002", "PR005"), line_scores),
    FunctionCheck("totals", ("PR003", "PR004", "PR019"), totals),
    FunctionCheck("explanations", ("PR008",), explanations),
    FunctionCheck("targets", ("PR009", "PR010", "PR016"), targets),
    FunctionCheck("qualitative", ("PR012", "PR022"), qualitative),
    FunctionCheck("units", ("PR013", "PR014", "PR015"), units),
    FunctionCheck("structure", ("PR017", "PR018"), structure),
    FunctionCheck("reading", ("PR021", "PR023", "PR024"), reading),
)


@hookimpl
def perfrules_register_checks(register: Callable[[object], None]) -> None:
    for check in BUILTIN_CHECKS:
        register(check)
