"""score(): pick a rule per indicator, apply it, round, total, grade."""

from __future__ import annotations

import decimal
import functools
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any, Optional, Union

import attrs

from ._explain import Step, render_steps
from ._model import Form, Indicator
from ._numbers import CONTEXT, WIDE, plain, raw_points
from ._plan import Plan, RuleFacts, plan_for
from ._registry import Registry, get_registry
from ._rule import ONE, ZERO, Outcome, Prepared, StepTemplates
from ._ruleset import RuleSet
from ._version import __version__
from .exceptions import FormError, InputError, PluginError, Problem

__all__ = ["LineResult", "Provenance", "Report", "Row", "form_total", "line_of", "line_points",
           "recompute", "score"]


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
    #: the kind of the rule (:data:`perfrules.plugin.KINDS`), ``None`` when not applicable
    kind: Optional[str] = None
    #: the policy clause behind this line's score (rule, tier or ruleset citation), zh and en
    citation: tuple[str, str] = ("", "")
    #: the templates of the rule's steps (to render :meth:`explanation`)
    _templates: StepTemplates = attrs.field(factory=dict, repr=False, eq=False)

    @property
    def name(self) -> str:
        """The indicator's name."""
        return self.indicator.name

    @property
    def credit(self) -> Optional[Decimal]:
        """The share of the weight earned, in [0, 1] (``None`` when not applicable)."""
        if not self.applicable:
            return None
        if self.denominator == ONE:
            return self.numerator
        return CONTEXT.divide(self.numerator, self.denominator)

    def explanation(self, lang: str = "zh", citation: Optional[str] = None) -> str:
        """The line's reasoning and arithmetic in one line, ending with the policy
        clause behind it (``citation``: the line's own unless given; ``""`` for none)."""
        if citation is None:
            citation = self.citation[0] if lang == "zh" else (self.citation[1] or self.citation[0])
        steps: list[tuple[str, tuple[Any, ...]]] = list(self.steps)
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
        return render_steps(steps, lang, self._templates)


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
    #: the parent the ruleset extends, pinned (``cn-mof-2020@1``), or None
    ruleset_extends: Optional[str] = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "perfrules": self.perfrules_version,
            "ruleset": {"id": self.ruleset_id, "version": self.ruleset_version,
                        "sha256": self.ruleset_hash, "extends": self.ruleset_extends},
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
    #: the scored lines as the engine recorded them (set by :func:`score`); read :attr:`lines`
    _rows: tuple[Row, ...] = attrs.field(default=(), repr=False, init=False)
    #: (name, version) of every plugin loaded when the report was made
    plugins: tuple[tuple[str, str], ...] = ()
    perfrules_version: str = __version__

    #: kind, templates and parameters per rule name (the registry's), for :attr:`lines`
    _rule_info: Mapping[str, RuleFacts] = attrs.field(factory=dict, repr=False, eq=False,
                                                      init=False)

    @functools.cached_property
    def lines(self) -> tuple[LineResult, ...]:
        """One :class:`LineResult` per indicator, built on first access."""
        return tuple(line_of(row, self.ruleset, self._rule_info) for row in self._rows)

    @property
    def provenance(self) -> Provenance:
        """What produced this report. The hashes are computed when asked for, not
        while scoring: they cost more than the scoring itself."""
        return Provenance(
            perfrules_version=self.perfrules_version, ruleset_id=self.ruleset.id,
            ruleset_version=self.ruleset.version, ruleset_hash=self.ruleset.content_hash(),
            plugins=self.plugins, form_hash=self.form.content_hash(), source=self.form.source,
            ruleset_extends=self.ruleset.extends,
        )

    def explain(self, lang: str = "zh") -> str:
        """Every line's explanation, one per line, ending with the total."""
        out = [f"{line.name}：{line.explanation(lang)}" if lang == "zh"
               else f"{line.name}: {line.explanation(lang)}" for line in self.lines]
        out.append(self.total_explanation(lang))
        notice = self.notice(lang)
        if notice:
            out.append(notice)
        return "\n".join(out)

    @property
    def in_force(self) -> Optional[bool]:
        """Whether the ruleset is in force in the form's year (``None``: no year)."""
        if self.form.year is None:
            return None
        return self.ruleset.in_force(self.form.year)

    def notice(self, lang: str = "zh") -> str:
        """A sentence when the form's year is outside its ruleset's dates, else ``""``."""
        if self.in_force is not False:
            return ""
        rs = self.ruleset
        dates = f"{rs.valid_from or '…'} – {rs.valid_until or '…'}"
        if lang == "zh":
            return f"注意：规则集 {rs.ref} 的适用期为 {dates}，不含本表年度 {self.form.year}"
        return f"note: ruleset {rs.ref} is in force {dates}, which excludes the form's year {self.form.year}"

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
        """The JSON report (``perfrules schema report``): decimals as strings, scores with 2 places."""
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
                item["explanation"] = line.explanation(lang)
            lines.append(item)
        named = {"name": self.form.name} if self.form.name else {}
        return {
            "title": self.form.title,
            **named,
            "organization": self.form.organization,
            "total": str(self.total),
            "grade": self.grade,
            "ruleset": self.ruleset.id,
            "ruleset_version": self.ruleset.version,
            "in_force": self.in_force,
            "citation": citation,
            "reported_total": _s(self.form.reported_total),
            "indicators": lines,
            "provenance": self.provenance.to_dict(),
        }


#: A scored line as the engine records it: (position in the form, the indicator as
#: scored, rule name, outcome, raw points, rounded points). Rule, outcome and
#: points are None for a line that is not applicable. In the rows of
#: :func:`score`, a built-in rule's line holds the rule instead of its outcome
#: (:func:`line_of` computes the outcome again). Private: read :attr:`Report.lines`.
Row = tuple[int, Indicator, Optional[str], Any, Optional[Decimal], Optional[Decimal]]

_NONE = RuleFacts("other", {}, (), None)


def line_of(row: Row, ruleset: RuleSet, info: Mapping[str, RuleFacts]) -> LineResult:
    """The :class:`LineResult` of an engine row (``info``: the plan's :attr:`facts`)."""
    _, ind, rule, outcome, raw, points = row
    if rule is None or outcome is None:
        return LineResult(indicator=ind, rule=None, applicable=False,
                          steps=(Step("not_applicable", ()),))
    if outcome.__class__ is not Outcome:  # a built-in rule, kept instead of its outcome
        outcome = _outcome_again(outcome, ruleset, ind)
    numerator, denominator, met, judged, recipe = outcome
    steps = tuple(Step(code, tuple(args)) for code, args in recipe)
    facts = info.get(rule, _NONE)
    kind, templates, params = facts.kind, facts.templates, facts.params
    return LineResult(indicator=ind, rule=rule, applicable=True, met=met,
                      numerator=numerator, denominator=denominator, raw=raw, points=points,
                      judged=judged, steps=steps, kind=kind,
                      citation=_citation(ruleset, rule, params, steps), templates=templates)


def _outcome_again(rule: Any, ruleset: RuleSet, ind: Indicator) -> Outcome:
    """The outcome of a line a built-in rule scored, computed again (a built-in rule's
    outcome depends only on the rule, the ruleset and the line, so :func:`score`
    keeps the rule rather than the outcome and its steps: one object per line
    instead of five for the garbage collector to track, when most reports are
    never explained)."""
    with decimal.localcontext(CONTEXT):
        return _prepared(rule, ruleset)(ind)


@functools.lru_cache(maxsize=256)
def _prepared(rule: Any, ruleset: RuleSet) -> Prepared:
    fn: Prepared = rule.prepare(ruleset)
    return fn


def _citation(rs: RuleSet, rule: str, params: tuple[str, ...],
              steps: tuple[Step, ...]) -> tuple[str, str]:
    """The clause behind a line: its tier's, else its rule's, else the ruleset's —
    followed by the clauses the ruleset cites for the parameters the rule reads."""
    zh, en = rs.citation_of(f"rule:{rule}", "zh"), rs.citation_of(f"rule:{rule}", "en")
    for step in steps:
        if step.code in ("tier", "tier_by_score") and len(step.args) > 1:
            tier = next((t for t in rs.tiers if t.name == step.args[1]), None)
            if tier is not None and tier.citation:
                zh, en = tier.citation, tier.citation_en or tier.citation
    cited = dict(rs.citations)
    for param in params:
        clause = cited.get(f"param:{param}")
        if clause and clause not in zh:
            zh = f"{zh}；{clause}"
            en = f"{en}; {cited.get(f'param:{param}@en') or clause}"
    return zh, en


def _short(value: Optional[Decimal], places: int = 6) -> str:
    """A raw value for people: exact when short, else 6 decimals and an ellipsis."""
    if value is None:
        return ""
    with decimal.localcontext(CONTEXT):
        text = format(value.normalize(), "f")
        if "." in text and len(text.split(".")[1]) > places:
            return format(value.quantize(Decimal(1).scaleb(-places), rounding="ROUND_DOWN"),
                          "f") + "…"
    return text


def _s(value: Optional[Decimal]) -> Optional[str]:
    return None if value is None else plain(value)


def line_points(raw: Decimal, ruleset: RuleSet) -> Decimal:
    """The one rounding of perfrules: a line's points to the ruleset's places and
    mode, in the fixed context. Engine, explanation and audit all use it."""
    return raw.quantize(_QUANTA[ruleset.places], rounding=ruleset.rounding, context=CONTEXT)


_QUANTA = tuple(Decimal(1).scaleb(-places) for places in range(11))


def form_total(points: Iterable[Decimal], ruleset: RuleSet, *,
               applicable_weight: Optional[Decimal] = None) -> Decimal:
    """The one total of perfrules: the sum of rounded line points, rescaled to the
    weight total when some lines are not applicable (``applicable_weight`` is
    then the weight of the applicable lines), rounded like a line. Engine and
    audit both use it; it runs in the fixed context whatever the caller's is.
    """
    with decimal.localcontext(CONTEXT):
        scored = sum(points, ZERO)
        if applicable_weight is not None:
            scored = scored * ruleset.weight_total / applicable_weight
        return line_points(scored, ruleset)


def score(
    form: Form,
    ruleset: Union[str, RuleSet, None] = None,
    *,
    registry: Optional[Registry] = None,
) -> Report:
    """Score a form; the ruleset is the argument, else the form's, else ``cn-mof-2020``
    (an id means its latest version; ``id@version`` pins one).

    Raises :class:`~perfrules.exceptions.FormError` listing every problem of
    the form at once; never returns a number built on bad input. Any
    exception a plugin rule raises becomes a
    :class:`~perfrules.exceptions.PluginError` naming the rule and its plugin.
    """
    reg = registry if registry is not None else get_registry()
    rs = reg.ruleset(ruleset if ruleset is not None else form.ruleset)
    plan = plan_for(reg, rs)
    rows, problems, total = recompute(form, rs, reg, plan=plan, compact=True)
    if problems or total is None:
        raise FormError(problems, form.source)
    report = Report(form=form, ruleset=rs, total=total, grade=plan.grade_of(total),
                    plugins=plan.plugins)
    object.__setattr__(report, "_rows", rows)
    object.__setattr__(report, "_rule_info", plan.facts)
    return report


def recompute(
    form: Form, rs: RuleSet, reg: Registry, *, plan: Optional[Plan] = None,
    compact: bool = False,
) -> tuple[tuple[Row, ...], list[Problem], Optional[Decimal]]:
    """Score every line that can be scored; the total only when all of them can.

    Returns (rows, problems, total): what :func:`score` builds on, and what
    the audit uses on forms that score refuses. ``line_of(row, ruleset)``
    turns a row into a :class:`LineResult`. ``compact``: rows as :func:`score` keeps
    them (see :data:`Row`).
    """
    with decimal.localcontext(CONTEXT):
        rows, problems = _score_rows(form, rs, reg, plan if plan is not None else
                                     plan_for(reg, rs), compact=compact)
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


_MAX_WEIGHT = Decimal(10) ** 15  # a form's amounts in 元 fit with room to spare
_WIDE_MULTIPLY, _WIDE_DIVIDE = WIDE.multiply, WIDE.divide


def _score_rows(form: Form, rs: RuleSet, reg: Registry, plan: Plan,
                compact: bool = False) -> tuple[list[Row], list[Problem]]:
    """The scoring loop: one row per scored line, every problem collected.

    This is the hot path: what depends on the ruleset only is prepared once
    (:class:`~perfrules._plan.Plan`). A line with nothing unusual about it (no
    problem from its cells, a weight in range, no rule of its own, a nature or
    an execution-rate name that routes to a built-in rule) takes the fast path:
    two dictionary lookups, one call of the rule, one tuple. Every other line
    takes :func:`_score_line`, the general path. Outcomes of the built-in rules
    are trusted (their conformance is tested); a plugin's are checked and it
    runs in a fresh copy of the fixed context. ``compact``: a row of a built-in
    rule holds the rule instead of its outcome (:func:`line_of` computes it
    again when asked), and a rule with a credit-only function
    (``prepare_credit``) is asked for the credit alone, without explanation steps.
    """
    problems: list[Problem] = list(form.problems)
    rows: list[Row] = []
    append = rows.append
    fast, rate_fast = plan.fast, plan.rate_fast
    rate_seen, na_seen = plan.rate_seen, plan.na_seen  # the caches, read without a call
    quantum, rounding = _QUANTA[rs.places], rs.rounding
    multiply, divide = _WIDE_MULTIPLY, _WIDE_DIVIDE
    for position, ind in enumerate(form.indicators):
        weight = ind.weight
        if (weight is None or ind.problems or ind.rule is not None or not ind.applicable
                or weight < ZERO or weight >= _MAX_WEIGHT):
            _score_line(position, ind, rs, reg, plan, append, problems)
            continue
        actual = ind.actual
        if actual.__class__ is str:
            not_applicable = na_seen.get(actual)
            if not_applicable is None:
                not_applicable = plan.is_not_applicable(actual)
            if not_applicable:
                append((position, ind, None, None, None, None))
                continue
        rate = rate_seen.get(ind.name)
        if rate is None:
            rate = plan.is_rate(ind.name)
        found = rate_fast if rate else fast.get(ind.nature)
        if found is None:
            _score_line(position, ind, rs, reg, plan, append, problems)
            continue
        fn, rule_name, rule, credit = found
        try:
            if compact and credit is not None:  # the outcome's credit alone: no steps
                outcome = None
                numerator, denominator, _ = credit(ind)
            else:
                outcome = fn(ind)
                numerator, denominator = outcome[0], outcome[1]
            # multiply first: exact whenever the points are a finite decimal; no double rounding
            raw = weight if numerator is ONE and denominator is ONE else \
                divide(multiply(weight, numerator), denominator)
            points = raw.quantize(quantum, rounding)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        except ArithmeticError:  # the rule's or the points': the general path says which
            _score_line(position, ind, rs, reg, plan, append, problems)
            continue
        except PluginError:
            raise
        except Exception as exc:
            raise _plugin_failed(reg, rule_name, ind, exc) from exc
        append((position, ind, rule_name, rule if compact else outcome, raw, points))
    return rows, problems


def _score_line(position: int, ind: Indicator, rs: RuleSet, reg: Registry, plan: Plan,
                append: Callable[[Row], None], problems: list[Problem]) -> None:
    """Score one line by the general path: every problem of the line in ``problems``,
    its row through ``append`` when it can be scored."""
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
    elif weight >= _MAX_WEIGHT:
        bad = True
        problems.append(_problem(ind, "weight", "weight-out-of-range",
                                 f"the weight {weight} is far too large",
                                 f"a number from 0 to {rs.weight_total}"))
    actual = ind.actual
    not_applicable: Optional[bool] = not ind.applicable
    if not not_applicable and actual.__class__ is str:
        not_applicable = plan.is_not_applicable(actual)
    if not_applicable:
        if not bad:
            append((position, ind, None, None, None, None))
        return
    entry, scored, extra, problem = plan.choose(ind)
    if entry is None:
        if problem is not None:
            problems.append(problem)
        return
    fn, trusted, codes, rule_name = entry.score, entry.trusted, entry.codes, entry.name
    try:
        # Scored even when the weight is bad, so that all problems show at once.
        if trusted:
            outcome = fn(scored)
        else:  # a plugin runs in a fresh copy of the fixed context: it cannot move a number
            with decimal.localcontext(CONTEXT):
                outcome = fn(scored)
    except InputError as exc:
        problems.extend(exc.problems)
        return
    except PluginError:
        raise
    except ArithmeticError as exc:
        if not trusted:
            raise _plugin_failed(reg, rule_name, ind, exc) from exc
        problems.append(_problem(ind, "actual", "number-out-of-range",
                                 f"the numbers of this line are out of range ({exc!r})",
                                 "amounts below 10^15"))
        return
    except Exception as exc:
        raise _plugin_failed(reg, rule_name, ind, exc) from exc
    if bad or weight is None:
        return
    if not trusted:
        outcome = _checked(reg, rule_name, ind, outcome, codes)
    if extra is not None:
        outcome = Outcome(outcome[0], outcome[1], outcome[2], outcome[3], (extra, *outcome[4]))
    numerator, denominator = outcome[0], outcome[1]
    try:
        # multiply first: exact whenever the points are a finite decimal
        raw = weight if numerator is ONE and denominator is ONE else \
            raw_points(weight, numerator, denominator)  # no double rounding
        points = raw.quantize(_QUANTA[rs.places], rs.rounding)
    except ArithmeticError as exc:
        problems.append(_problem(ind, "weight", "number-out-of-range",
                                 f"the points of this line are out of range ({exc!r})",
                                 f"a weight from 0 to {rs.weight_total}"))
        return
    append((position, scored, rule_name, outcome, raw, points))


def _checked(reg: Registry, rule_name: str, ind: Indicator, outcome: Any,
             codes: frozenset[str]) -> Outcome:
    """A plugin rule's outcome, checked: an Outcome (or a 5-tuple of its shape) with a
    Decimal credit in [0, 1], bool flags and only step codes it registered."""
    if outcome.__class__ is not Outcome:
        outcome = _as_outcome(reg, rule_name, ind, outcome)
    numerator, denominator, met, judged, recipe = outcome
    try:
        if numerator.__class__ is not Decimal or denominator.__class__ is not Decimal \
                or met.__class__ is not bool or judged.__class__ is not bool \
                or not (denominator.is_finite() and numerator.is_finite()
                        and denominator > 0 and 0 <= numerator <= denominator):
            raise ValueError("the credit must be Decimals with 0 ≤ numerator ≤ denominator "
                             "and denominator > 0, met and judged bools")
        for code, _ in recipe:
            if code not in codes:
                raise ValueError(f"it recorded the step {code!r}, which it registered no "
                                 "template for")
    except (ArithmeticError, TypeError, ValueError) as exc:
        raise PluginError(f"rule {rule_name!r} (plugin {reg.owner('rule', rule_name)!r}) "
                          f"gave the outcome {outcome!r} for indicator {ind.name!r}: "
                          f"{exc}") from exc
    return outcome  # type: ignore[no-any-return]


def _as_outcome(reg: Registry, rule_name: str, ind: Indicator, value: object) -> Outcome:
    """A plugin's result as an Outcome: a 5-tuple of the right shape is accepted."""
    if isinstance(value, tuple) and len(value) == 5:
        return Outcome(*value)
    raise PluginError(f"rule {rule_name!r} (plugin {reg.owner('rule', rule_name)!r}) returned "
                      f"{value!r} for indicator {ind.name!r}, not an Outcome")


def _plugin_failed(reg: Registry, rule_name: str, ind: Indicator, exc: BaseException) -> PluginError:
    return PluginError(f"rule {rule_name!r} (plugin {reg.owner('rule', rule_name)!r}) failed on "
                       f"indicator {ind.name!r} at {ind.where() or 'the form'}: "
                       f"{type(exc).__name__}: {exc}")


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
    points = [row[5] for row in rows if row[5] is not None]
    if len(points) == len(rows):  # every line applies: form_total's arithmetic, in the
        return line_points(sum(points, ZERO), rs)  # fixed context the caller is in
    # some lines do not apply (their rows hold no points): rescale to the weight total
    weight = ZERO
    for row in rows:
        if row[5] is not None:
            weight += row[1].weight  # type: ignore[operator]
    if weight == 0:
        raise FormError(Problem(code="nothing-applicable", location=form.source,
                                message="no applicable indicator carries weight",
                                expected="at least one applicable indicator with a weight > 0"),
                        form.source)
    return form_total(points, rs, applicable_weight=weight)
