"""Scoring throughput against the arithmetic floor, measured in the same run.

    python benchmarks/bench_score.py [--indicators 20000] [--repeat 5]

The floor (benchmarks/README.md) is a hand-written loop of Decimal comparisons and
one division per indicator. perfrules.score is measured on the same
indicators (every name distinct, so no cache helps), including rule choice,
validation, rounding and the total, without building LineResult objects or
rendering explanations (both happen on first access). The ratio
perfrules / floor is the number to watch; absolute times depend on the
machine, so run it a few times on a quiet one.
"""

from __future__ import annotations

import argparse
import random
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


def floor(form: perfrules.Form) -> Decimal:
    total = Decimal(0)
    q = Decimal("0.01")
    for ind in form.indicators:
        a, b, w = ind.target, ind.actual, ind.weight
        assert isinstance(a, Decimal) and isinstance(b, Decimal) and w is not None
        if ind.nature == "≤":  # noqa: SIM108 - reads as the formula table
            s = w if b <= a else w * a / b
        else:
            s = w if b >= a else w * b / a
        total += s.quantize(q)
    return total


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
    t_floor = best(lambda: floor(form), args.repeat)
    t_score = best(lambda: perfrules.score(form, registry=registry), args.repeat)
    t_lines = best(lambda: perfrules.score(form, registry=registry).lines, args.repeat)
    n = args.indicators
    print(f"indicators        {n}")
    print(f"floor             {n / t_floor:12,.0f} indicators/s")
    print(f"perfrules.score   {n / t_score:12,.0f} indicators/s")
    print(f"score + .lines    {n / t_lines:12,.0f} indicators/s")
    print(f"ratio score/floor {t_score / t_floor:12.2f}x  (see benchmarks/README.md)")


if __name__ == "__main__":
    main()
