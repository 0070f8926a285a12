"""score(): pick a rule per indicator, apply it, round, total, grade."""

from __future__ import annotations

import decimal
import functools
from decimal import Decimal
from typing import Any, Optional, Union

import attrs

from ._explain import Step, render_steps
from ._model import Form, Indicator
from ._numbers import CONTEXT, NATURES, fold_word, plain, quantize
from ._registry import Registry, get_registry
from ._rule import ONE, ZERO, Fast, FastResult, Outcome, Rule
from ._ruleset import RuleSet, ruleset_index
from ._version import __version__
from .exceptions import FormError, InputError, PluginError, Problem

__all__ = ["EXECUTION_RATE_RULE", "LineResult", "Provenance", "Report", "Row", "line_of",
           "recompute", "score"]

EXECUTION_RATE_RULE = "execution-rate"
_VALID_NATURES = "、".join(f"{n}（{'/'.join(w[1:4])}…）" if len(w) > 1 else n
                          for n, w in NATURES.items())


@attrs.frozen(kw_only=True)
class LineResult:
    """The score of one indicator."""

    indicator: Indicator
    #: the rule that scored the line (``None`` for a line that is not applicable)
    rule: Optional[str]
    applicable: bool = True
    met: Optional[bool] = None
    numerator: Decimal = ZERO
    denominator: Decimal = ONE
    #: the unrounded points, weight × numerator / denominator
    raw: Optional[Decimal] = None
    #: the points, rounded as the ruleset says (``None`` when not applicable)
    points: Optional[Decimal] = None
    judged: bool = False
    steps: tuple[Step, ...] = ()

    @property
    def name(self) -> str:
        return self.indicator.name

    @property
    def credit(self) -> Optional[Decimal]:
        """The share of the weight earned, in [0, 1] (``None`` when not applicable)."""
        if not self.applicable:
            return None
        if self.denominator == ONE:
            return self.numerator
        return CONTEXT.divide(self.numerator, self.denominator)

    def explanation(self, lang: str = "zh", citation: str = "") -> str:
        """The line's reasoning and arithmetic in one line."""
        steps = list(self.steps)
        if self.applicable and self.points is not None:
            weight = self.indicator.weight
            shown = str(self.points)
            if self.judged:
                steps.append(Step("points_judged", (weight, shown, None, None, self.raw)))
            elif self.numerator == self.denominator:
                steps.append(Step("points_full", (weight, shown)))
            elif self.numerator == 0:
                steps.append(Step("points_zero", (weight, shown)))
            else:
                steps.append(Step("points_ratio", (weight, shown, self.numerator,
                                                   self.denominator, _short(self.raw))))
        if citation:
            steps.append(Step("citation", (citation,)))
        return render_steps(steps, lang)


@attrs.frozen(kw_only=True)
class Provenance:
    """What produced a report: enough to reproduce it byte for byte."""

    perfrules_version: str
    ruleset_id: str
    ruleset_version: str
    ruleset_hash: str
    plugins: tuple[tuple[str, str], ...]
    form_hash: str
    source: Optional[str] = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "perfrules": self.perfrules_version,
            "ruleset": {"id": self.ruleset_id, "version": self.ruleset_version,
                        "sha256": self.ruleset_hash},
            "plugins": [{"name": n, "version": v} for n, v in self.plugins],
            "form": {"sha256": self.form_hash, "source": self.source},
        }


@attrs.frozen(kw_only=True)
class Report:
    """The scored form: one :class:`LineResult` per indicator, the total and grade."""

    form: Form
    ruleset: RuleSet
    total: Decimal
    grade: str
    #: the scored lines as the engine recorded them; read :attr:`lines`
    _rows: tuple[Row, ...] = attrs.field(repr=False)
    #: (name, version) of every plugin loaded when the report was made
    plugins: tuple[tuple[str, str], ...] = ()
    perfrules_version: str = __version__

    @functools.cached_property
    def lines(self) -> tuple[LineResult, ...]:
        """One :class:`LineResult` per indicator, built on first access."""
        return tuple(line_of(row) for row in self._rows)

    @property
    def provenance(self) -> Provenance:
        """What produced this report. The hashes are computed when asked for, not
        while scoring: they cost more than the scoring itself."""
        return Provenance(
            perfrules_version=self.perfrules_version, ruleset_id=self.ruleset.id,
            ruleset_version=self.ruleset.version, ruleset_hash=self.ruleset.content_hash(),
            plugins=self.plugins, form_hash=self.form.content_hash(), source=self.form.source,
        )

    def explain(self, lang: str = "zh") -> str:
        """Every line's explanation, one per line, ending with the total."""
        citation = self.ruleset.citation if lang == "zh" else (
            self.ruleset.citation_en or self.ruleset.citation)
        out = [f"{line.name}：{line.explanation(lang, citation)}" if lang == "zh"
               else f"{line.name}: {line.explanation(lang, citation)}" for line in self.lines]
        out.append(self.total_explanation(lang))
        return "\n".join(out)

    def total_explanation(self, lang: str = "zh") -> str:
        applicable = [ln for ln in self.lines if ln.applicable]
        scored = " + ".join(str(ln.points) for ln in applicable)
        rescaled = len(applicable) != len(self.lines)
        if lang == "zh":
            text = f"总分 = {scored}" if not rescaled else (
                f"总分 = ({scored}) / {self.applicable_weight} × {self.ruleset.weight_total}")
            return f"{text} = {self.total}，等级 {self.grade}"
        text = f"total = {scored}" if not rescaled else (
            f"total = ({scored}) / {self.applicable_weight} × {self.ruleset.weight_total}")
        return f"{text} = {self.total}, grade {self._grade_en()}"

    def _grade_en(self) -> str:
        for grade in self.ruleset.grades:
            if grade.name == self.grade and grade.name_en:
                return f"{grade.name} ({grade.name_en})"
        return self.grade

    @property
    def applicable_weight(self) -> Decimal:
        return sum((ln.indicator.weight or ZERO for ln in self.lines if ln.applicable), ZERO)

    def to_dict(self, *, explain: bool = True, lang: str = "zh") -> dict[str, Any]:
        """The JSON report (DESIGN.md §6): decimals as strings, scores with 2 places."""
        citation = self.ruleset.citation if lang == "zh" else (
            self.ruleset.citation_en or self.ruleset.citation)
        lines = []
        for line in self.lines:
            item: dict[str, Any] = {
                "name": line.name,
                "path": list(line.indicator.path),
                "weight": _s(line.indicator.weight),
                "score": None if line.points is None else str(line.points),
                "credit": None if line.credit is None else _s(line.credit),
                "met": line.met,
                "applicable": line.applicable,
                "rule": line.rule,
                "reported_score": _s(line.indicator.reported_score),
                "location": line.indicator.where(),
            }
            if explain:
                item["explanation"] = line.explanation(lang, citation)
            lines.append(item)
        return {
            "title": self.form.title,
            "organization": self.form.organization,
            "total": str(self.total),
            "grade": self.grade,
            "ruleset": self.ruleset.id,
            "citation": citation,
            "reported_total": _s(self.form.reported_total),
            "indicators": lines,
            "provenance": self.provenance.to_dict(),
        }


#: A scored line as the engine records it: (indicator, rule, numerator,
#: denominator, met, raw, points, judged, recipe). ``rule`` is None for a line
#: that is not applicable.
Row = tuple[Indicator, Optional[str], Decimal, Decimal, Optional[bool], Optional[Decimal],
            Optional[Decimal], bool, tuple[tuple[str, tuple[Any, ...]], ...]]


def line_of(row: Row) -> LineResult:
    """The :class:`LineResult` of an engine row."""
    ind, rule, numerator, denominator, met, raw, points, judged, recipe = row
    return LineResult(indicator=ind, rule=rule, applicable=rule is not None, met=met,
                      numerator=numerator, denominator=denominator, raw=raw, points=points,
                      judged=judged, steps=tuple(Step(code, args) for code, args in recipe))


def _short(value: Optional[Decimal], places: int = 6) -> str:
    """A raw value for people: exact when short, else 6 decimals and an ellipsis."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    if "." in text and len(text.split(".")[1]) > places:
        return format(value.quantize(Decimal(1).scaleb(-places), rounding="ROUND_DOWN"), "f") + "…"
    return text


def _s(value: Optional[Decimal]) -> Optional[str]:
    return None if value is None else plain(value)


def score(
    form: Form,
    ruleset: Union[str, RuleSet, None] = None,
    *,
    registry: Optional[Registry] = None,
) -> Report:
    """Score a form; the ruleset is the argument, else the form's, else ``cn-mof-2020``.

    Raises :class:`~perfrules.exceptions.FormError` listing every problem of
    the form at once; never returns a number built on bad input.
    """
    reg = registry if registry is not None else get_registry()
    rs = reg.ruleset(ruleset if ruleset is not None else form.ruleset)
    rows, problems, total = recompute(form, rs, reg)
    if problems or total is None:
        raise FormError(problems, form.source)
    return Report(
        form=form, ruleset=rs, rows=rows, total=total, grade=rs.grade_of(total),
        plugins=reg.plugin_versions,
    )


def recompute(
    form: Form, rs: RuleSet, reg: Registry
) -> tuple[tuple[Row, ...], list[Problem], Optional[Decimal]]:
    """Score every line that can be scored; the total only when all of them can.

    Returns (rows, problems, total): what :func:`score` builds on, and what
    the audit uses on forms that score refuses. ``line_of(row)`` turns a row
    into a :class:`LineResult`.
    """
    with decimal.localcontext(CONTEXT):
        rows, problems = _score_rows(form, rs, reg)
        problems.extend(_check_weights(form, rs))
        total: Optional[Decimal] = None
        if not problems:
            try:
                total = _total(rows, rs, form)
            except FormError as exc:
                problems.extend(exc.problems)
    return tuple(rows), problems, total


def _problem(ind: Indicator, field: str, code: str, message: str, expected: str) -> Problem:
    value = getattr(ind, field, None)
    return Problem(code=code, indicator=ind.name, field=field, location=ind.where(field),
                   value=None if value is None else str(value), message=message,
                   expected=expected)


def choose_rule(ind: Indicator, rs: RuleSet, reg: Registry) -> tuple[Optional[str], Optional[Problem]]:
    """The rule name for an indicator, or the problem that prevents choosing one."""
    if ind.rule is not None:
        if ind.rule not in reg.rules:
            return None, _problem(ind, "rule", "unknown-rule", f"unknown rule {ind.rule!r}",
                                  ", ".join(reg.rules))
        return ind.rule, None
    if rs.is_execution_rate(ind.name):
        return EXECUTION_RATE_RULE, None
    if ind.nature is None:
        return None, _problem(ind, "nature", "missing-nature", "the nature (指标性质) is empty",
                              _VALID_NATURES)
    name = rs.rule_for(ind.nature)
    if name is None:
        return None, _problem(ind, "nature", "unknown-nature",
                              f"{ind.nature!r} is not a nature ruleset {rs.id} knows",
                              _VALID_NATURES)
    return name, None


def _fast(rule: Rule, rs: RuleSet) -> Fast:
    """A rule's fast path: its own ``prepare(ruleset)``, else its ``score`` unpacked."""
    prepare = getattr(rule, "prepare", None)
    if prepare is not None:
        fn: Fast = prepare(rs)
        return fn

    def via_score(ind: Indicator) -> FastResult:
        outcome = rule.score(ind, rs)
        if not isinstance(outcome, Outcome):
            raise PluginError(f"rule {rule.name!r} returned {outcome!r}, not an Outcome")
        return (outcome.numerator, outcome.denominator, outcome.met, outcome.judged,
                outcome.steps)

    return via_score


_NOT_APPLICABLE: tuple[tuple[str, tuple[Any, ...]], ...] = (("not_applicable", ()),)


def _score_rows(form: Form, rs: RuleSet, reg: Registry) -> tuple[list[Row], list[Problem]]:
    """The scoring loop: one row per scored line, every problem collected.

    This is the hot path (DESIGN.md §8): no objects but one tuple per line;
    rule choice through dictionaries prepared once per ruleset.
    """
    problems: list[Problem] = list(form.problems)
    rows: list[Row] = []
    append = rows.append
    index = ruleset_index(rs)
    not_applicable, rate_names, by_nature = (
        index.not_applicable, index.execution_rate_names, index.rules)
    rules = reg.rules
    fast: dict[str, Fast] = {}
    quantum, rounding = Decimal(1).scaleb(-rs.places), rs.rounding
    for ind in form.indicators:
        bad = False
        if ind.problems:
            problems.extend(ind.problems)
            bad = True
        weight = ind.weight
        if weight is None:
            bad = True
            if not any(p.field == "weight" for p in ind.problems):
                problems.append(_problem(ind, "weight", "missing-weight",
                                         "the weight (指标权重/分值) is empty", "a number ≥ 0"))
        elif weight < 0:
            bad = True
            problems.append(_problem(ind, "weight", "negative-weight",
                                     f"the weight {weight} is negative", "a number ≥ 0"))
        actual = ind.actual
        if not ind.applicable or (
                actual.__class__ is str and fold_word(actual).lower() in not_applicable):
            if not bad:
                append((ind, None, ZERO, ONE, None, None, None, False, _NOT_APPLICABLE))
            continue
        # The same choice as choose_rule(), inlined for speed; choose_rule() is
        # consulted only to word the problem when no rule can be chosen.
        rule_name = ind.rule
        if rule_name is None:
            if fold_word(ind.name) in rate_names:
                rule_name = EXECUTION_RATE_RULE
            elif ind.nature is not None:
                rule_name = by_nature.get(ind.nature)
        fn = fast.get(rule_name) if rule_name is not None else None
        if fn is None:
            if rule_name is None or rule_name not in rules:
                problem = choose_rule(ind, rs, reg)[1]
                assert problem is not None
                problems.append(problem)
                continue
            try:
                fn = fast[rule_name] = _fast(rules[rule_name], rs)
            except Exception as exc:
                raise PluginError(f"rule {rule_name!r} cannot score with ruleset {rs.id!r}: "
                                  f"{type(exc).__name__}: {exc}") from exc
        try:
            # Scored even when the weight is bad, so that all problems show at once.
            numerator, denominator, met, judged, recipe = fn(ind)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        except (PluginError, ArithmeticError, TypeError, ValueError) as exc:
            raise PluginError(f"rule {rule_name!r} failed on indicator {ind.name!r}: "
                              f"{type(exc).__name__}: {exc}") from exc
        if bad:
            continue
        assert weight is not None
        if numerator is ONE and denominator is ONE:
            raw = weight
        else:
            try:
                if not (denominator > 0 and 0 <= numerator <= denominator):
                    raise ValueError("credit outside [0, 1]")
                raw = weight * numerator / denominator  # multiply first: exact when it can be
            except (ArithmeticError, TypeError, ValueError) as exc:
                raise PluginError(f"rule {rule_name!r} gave the credit {numerator!r}/"
                                  f"{denominator!r} for indicator {ind.name!r}: {exc}") from exc
        append((ind, rule_name, numerator, denominator, met, raw,
                raw.quantize(quantum, rounding), judged, recipe))
    return rows, problems


def _check_weights(form: Form, rs: RuleSet) -> list[Problem]:
    problems = []
    weights = [ind.weight for ind in form.indicators if ind.weight is not None]
    if len(weights) == len(form.indicators):
        total = sum(weights, ZERO)
        if abs(total - rs.weight_total) > rs.weight_tolerance:
            problems.append(Problem(
                code="weights-sum", field="weight", location=form.source,
                value=str(total),
                message=f"the weights sum to {total}, not {rs.weight_total}",
                expected=f"weights summing to {rs.weight_total} (±{rs.weight_tolerance}); "
                         "perfrules.normalize_weights() rescales them"))
    for group in form.groups:
        children = [ind for ind in form.indicators
                    if ind.path[:len(group.path)] == group.path]
        where = f"{form.source}: group {'/'.join(group.path)}" if form.source else None
        if not children:
            problems.append(Problem(code="empty-group", field="groups", location=where,
                                    message=f"group {'/'.join(group.path)} has no indicators",
                                    expected="indicators whose path starts with the group's"))
            continue
        if any(c.weight is None for c in children):
            continue
        total = sum((c.weight for c in children if c.weight is not None), ZERO)
        if abs(total - group.weight) > rs.weight_tolerance:
            problems.append(Problem(
                code="group-weights-sum", field="weight", location=where, value=str(total),
                message=f"the indicators of group {'/'.join(group.path)} weigh {total}, "
                        f"not the group's {group.weight}",
                expected=f"children summing to {group.weight}"))
    return problems


def _total(rows: list[Row], rs: RuleSet, form: Form) -> Decimal:
    scored = ZERO
    weight = ZERO
    rescale = False
    for row in rows:
        if row[1] is None:  # not applicable
            rescale = True
            continue
        scored += row[6]  # type: ignore[operator]
        weight += row[0].weight  # type: ignore[operator]
    if not rescale:
        return quantize(scored, rs.places, rs.rounding)
    if weight == 0:
        raise FormError(Problem(code="nothing-applicable", location=form.source,
                                message="no applicable indicator carries weight",
                                expected="at least one applicable indicator with a weight > 0"),
                        form.source)
    return quantize(CONTEXT.divide(CONTEXT.multiply(scored, rs.weight_total), weight),
                    rs.places, rs.rounding)
