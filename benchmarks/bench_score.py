"""Scoring throughput against the arithmetic floor, measured in the same run.

    python benchmarks/bench_score.py [--indicators 20000] [--repeat 5]

The floor (benchmarks/README.md, :func:`floor_lines`) computes what perfrules
computes for the national ruleset — the same rules for ≥ ≤ = (B ≥ A full on an
= line), zero targets, half-up rounding to the cent — by hand, and its cents are
compared line by line with perfrules' on every indicator: one difference and
the benchmark fails. perfrules.score is measured on the same indicators (every
name distinct, so no cache helps), including rule choice, validation, rounding
and the total, without building LineResult objects or rendering explanations
(both happen on first access). The ratio
perfrules / floor is the number to watch; absolute times depend on the
machine, so run it a few times on a quiet one.
"""

from __future__ import annotations

import argparse
import decimal
import random
import sys
import time
from decimal import Decimal

import perfrules


def make_form(n: int, seed: int = 1) -> perfrules.Form:
    rng = random.Random(seed)
    weights = perfrules.normalize_weights([1] * n)
    natures = ["≥", "≤", "="]
    inds = []
    for i, w in enumerate(weights):
        target = Decimal(rng.randint(1, 10_000)) / 100
        actual = Decimal(rng.randint(0, 12_000)) / 100
        inds.append(perfrules.Indicator(name=f"指标{i}", nature=natures[i % 3], target=target,
                                        actual=actual, weight=w, unit="%"))
    return perfrules.Form(indicators=inds, title="bench")


HALF_UP = decimal.ROUND_HALF_UP
CONTEXT = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN)
Q = Decimal("0.01")
ONE = Decimal(1)
ZERO = Decimal(0)
HUNDRED = Decimal(100)


class Refused(Exception):
    """The floor refuses a line as perfrules does (a judged score outside its band)."""


def tier_table(ruleset: perfrules.RuleSet) -> dict[str, tuple[Decimal, Decimal, bool, Decimal]]:
    """Each tier word: (lower, upper, upper inclusive, default), read from the ruleset's data."""
    return {word: (t.lower, t.upper, t.upper_inclusive, t.default)
            for t in ruleset.tiers for word in t.words}


def floor_lines(form: perfrules.Form, tiers: dict[str, tuple[Decimal, Decimal, bool, Decimal]],
                rate_names: frozenset[str]) -> list[Decimal]:
    """The floor: what perfrules computes for each line of the national ruleset, by hand.

    The same rules (≥/>: B/A; ≤/<: A/B; =: B/A, B ≥ A full; zero targets; negative
    actuals; the execution rate by its name, min(rate, 100%); 定性: the tier of the
    word, its default without a judged score, the judged score when it lies in the
    tier's band, refused when not), points = weight × numerator / denominator in a
    28-digit context, rounded half-up to the cent — and nothing else: no rule choice
    through a plan, no validation beyond these, no explanation.
    """
    out = []
    for ind in form.indicators:
        a, b, w = ind.target, ind.actual, ind.weight
        assert w is not None
        nature = ind.nature
        if ind.name in rate_names:
            assert isinstance(b, Decimal)
            num, den = (ONE, ONE) if b >= HUNDRED else (b, HUNDRED)
        elif nature == "定性":
            lower, upper, inclusive, default = tiers[b]  # type: ignore[index]
            judged = ind.judged_score if ind.judged_score is not None else ind.reported_score
            if judged is None:
                num, den = default, ONE
            else:
                low, high = lower * w, upper * w
                if not (judged >= low and (judged <= high if inclusive else judged < high)):
                    raise Refused(ind.name)
                num, den = judged, w
        else:
            assert isinstance(a, Decimal) and isinstance(b, Decimal)
            if nature in ("≤", "<"):
                if a == 0:
                    num, den = (ONE if b <= 0 else ZERO), ONE
                else:
                    num, den = (ONE, ONE) if b <= a else (a, b)
            elif nature == "=":
                if a == 0:
                    num, den = (ONE if b == 0 else ZERO), ONE
                elif b >= a:
                    num, den = ONE, ONE
                else:
                    num, den = (ZERO, ONE) if b < 0 else (b, a)
            else:  # ≥ >
                if a == 0:
                    num, den = (ONE if b >= 0 else ZERO), ONE
                elif b >= a:
                    num, den = ONE, ONE
                else:
                    num, den = (ZERO, ONE) if b < 0 else (b, a)
        raw = CONTEXT.divide(CONTEXT.multiply(w, num), den)
        out.append(raw.quantize(Q, rounding=HALF_UP, context=CONTEXT))
    return out


def floor(form: perfrules.Form, tiers: dict[str, tuple[Decimal, Decimal, bool, Decimal]],
          rate_names: frozenset[str]) -> Decimal:
    """The form's total by the floor: the sum of its rounded lines."""
    return sum(floor_lines(form, tiers, rate_names), ZERO)


def differences(forms: list[perfrules.Form], registry: perfrules.Registry) -> list[str]:
    """Every line where the floor's cents differ from perfrules' (and every form one
    refuses and the other does not): the benchmark fails unless there are none."""
    rs = registry.ruleset()
    tiers, rates = tier_table(rs), frozenset(rs.execution_rate_names)
    out = []
    for k, form in enumerate(forms):
        try:
            mine: object = floor_lines(form, tiers, rates)
        except Refused as exc:
            mine = f"refused ({exc})"
        try:
            theirs: object = [line.points for line in perfrules.score(form, registry=registry).lines]
        except perfrules.PerfrulesError as exc:
            theirs = f"refused ({str(exc)[:60]})"
        if isinstance(mine, list) and isinstance(theirs, list):
            out.extend(f"form {k} line {i}: floor {x} perfrules {y}"
                       for i, (x, y) in enumerate(zip(mine, theirs)) if x != y)
        elif isinstance(mine, list) != isinstance(theirs, list):
            out.append(f"form {k}: floor {mine if isinstance(mine, str) else 'scores'}, "
                       f"perfrules {theirs if isinstance(theirs, str) else 'scores'}")
    return out


def edge_forms() -> list[perfrules.Form]:
    """Lines where a floor that did less would differ: a half-cent tie (0.625 → 0.63
    half-up, 0.62 half-even), an = line with a zero target (0, where ≥ gives full
    marks), an = line above its target, judged scores in and out of their band."""
    def line(name: str, nature: str, target: object, actual: object, weight: str,
             **more: object) -> dict[str, object]:
        return {"name": name, "nature": nature, "target": str(target), "actual": str(actual),
                "weight": weight, **more}

    lines = [line("并列", "≥", 8, 1, "5"), line("零目标", "=", 0, 5, "10"),
             line("超额", "=", 100, 120, "10"), line("反向", "≤", 8, 9, "5"),
             line("定性评分", "定性", "良好", "部分达成", "20", reported_score="13.5"),
             line("定性默认", "定性", "良好", "基本完成", "20"),
             line("执行率", "", 100, "96.55", "10", unit="%"),
             line("其他", "≥", 3, 2, "20")]
    lines[6]["name"] = "预算执行率"
    out = [perfrules.Form.from_dict({"title": "edges", "indicators": lines})]
    refused = [dict(x) for x in lines]
    refused[4]["reported_score"] = "19"  # outside 部分达成's band [12, 16)
    out.append(perfrules.Form.from_dict({"title": "refused", "indicators": refused}))
    return out


def best(fn: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--indicators", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    form = make_form(args.indicators)
    registry = perfrules.Registry(entry_points=False)
    perfrules.score(form, registry=registry)  # warm up
    wrong = differences([form, *edge_forms()], registry)
    if wrong:
        print("the floor and perfrules differ:\n  " + "\n  ".join(wrong[:20]), file=sys.stderr)
        sys.exit(1)
    rs = registry.ruleset()
    tiers, rates = tier_table(rs), frozenset(rs.execution_rate_names)
    t_floor = best(lambda: floor(form, tiers, rates), args.repeat)
    t_score = best(lambda: perfrules.score(form, registry=registry), args.repeat)
    t_lines = best(lambda: perfrules.score(form, registry=registry).lines, args.repeat)
    n = args.indicators
    print(f"indicators        {n}")
    print(f"floor             {n / t_floor:12,.0f} indicators/s")
    print(f"perfrules.score   {n / t_score:12,.0f} indicators/s")
    print(f"score + .lines    {n / t_lines:12,.0f} indicators/s")
    print(f"cents compared    {n:12,} lines, 0 differences")
    print(f"ratio score/floor {t_score / t_floor:12.2f}x  (see benchmarks/README.md)")


if __name__ == "__main__":
    main()
