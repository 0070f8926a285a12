"""Exact to the last digit (issue 15, item 5): a line's points are rounded once, half up,
exactly, for any number of digits a form can hold — no double rounding past 28 digits."""

from __future__ import annotations

import copy
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import perfrules
from perfrules._numbers import MAX_DIGITS

from .test_batch_cli import FORM


def _points(weight: Decimal, target: Decimal, actual: Decimal) -> Decimal:
    data: dict[str, Any] = copy.deepcopy(FORM)
    data.pop("reported_total")
    first, second = data["indicators"]
    first.update(weight=format(weight, "f"), target=format(target, "f"),
                 actual=format(actual, "f"), nature="≥")
    first.pop("reported_score")
    second.pop("reported_score")
    second["weight"] = str(100 - weight)
    report = perfrules.score(perfrules.Form.from_dict(data))
    return report.lines[0].points


def _half_up(weight: Decimal, target: Decimal, actual: Decimal) -> Decimal:
    """weight × actual / target rounded half up to 2 places, with fractions (no context)."""
    exact = Fraction(weight) * Fraction(actual) / Fraction(target)
    cents = exact * 100
    whole = cents.numerator // cents.denominator
    if cents - whole >= Fraction(1, 2):
        whole += 1
    return Decimal(whole).scaleb(-2).quantize(Decimal("0.01"), ROUND_HALF_UP)


@pytest.mark.parametrize(("weight", "target", "actual", "points"), [
    ("1", "1", "0.00" + "4" + "9" * 30, "0.00"),     # was 0.01: 0.005 at 28 digits, then up
    ("60", "100", "0.0083" + "3" * 30, "0.00"),      # 0.004999…8, was 0.01
    ("3", "7", "0.03" + "4" + "9" * 40, "0.01"),     # just under 0.015, was 0.02
    ("3", "7", "0.035", "0.02"),                     # exactly 0.015: half up
    ("1", "3", "0.0" + "1" * 45 + "5", "0.00"),
])
def test_long_decimals_are_rounded_once(weight: str, target: str, actual: str,
                                        points: str) -> None:
    assert _points(Decimal(weight), Decimal(target), Decimal(actual)) == Decimal(points)
    assert _half_up(Decimal(weight), Decimal(target), Decimal(actual)) == Decimal(points)


def _long_decimal(digits: int, point: int) -> st.SearchStrategy[Decimal]:
    return st.integers(1, 10**digits - 1).map(lambda n: Decimal(n).scaleb(-point))


@settings(max_examples=300, deadline=None)
@given(weight=st.integers(1, 9999).map(lambda n: Decimal(n).scaleb(-2)),
       target=_long_decimal(40, 38),
       actual=_long_decimal(40, 38))
def test_points_are_half_up_exactly_for_long_decimals(weight: Decimal, target: Decimal,
                                                      actual: Decimal) -> None:
    if actual >= target:
        actual, target = target, actual
    if actual == target:
        return  # a met line scores the weight; unmet lines are the ones that divide
    assert _points(weight, target, actual) == _half_up(weight, target, actual)


@settings(max_examples=300, deadline=None)
@given(weight=st.integers(1, 9999).map(lambda n: Decimal(n).scaleb(-2)),
       target=st.integers(1, 10**6).map(lambda n: Decimal(n).scaleb(-3)),
       cents=st.integers(0, 9998), above=st.booleans(), gap=st.integers(1, 10**6))
def test_points_next_to_a_half_cent_are_exact(weight: Decimal, target: Decimal, cents: int,
                                              above: bool, gap: int) -> None:
    """An actual a hair under or over the one that gives exactly k.5 cents of points:
    where rounding first to 28 digits, then to cents, went the wrong way."""
    with localcontext() as ctx:
        ctx.prec = 200
        cents %= int(weight * 100)
        half = (Decimal(cents) + Decimal("0.5")) / 100 * target / weight
        step = Decimal(gap).scaleb(-46)
        actual = (half + step if above else half - step).quantize(Decimal(1).scaleb(-46))
    if not 0 < actual < target or len(actual.as_tuple().digits) > MAX_DIGITS:
        return
    assert _points(weight, target, actual) == _half_up(weight, target, actual)
