"""normalize_weights(): rescale weights to a total, exactly, by largest remainder."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction
from typing import Union

from ._numbers import NumberError, to_decimal
from .exceptions import InputError

__all__ = ["normalize_weights"]


def normalize_weights(
    weights: Iterable[Union[Decimal, int, str]],
    total: Union[Decimal, int, str] = 100,
    places: int = 2,
) -> tuple[Decimal, ...]:
    """Rescale ``weights`` in proportion so that they sum to ``total`` exactly.

    Each weight becomes ``total × w / Σw`` rounded down to ``places``
    decimals; the units still missing go, one each, to the weights with the
    largest remainders (ties: the earlier weight). Arithmetic is exact
    (fractions), so the result sums to ``total`` to the last digit, zero
    weights stay zero, a larger weight never gets less than a smaller one,
    and weights that already sum to ``total`` come back unchanged.

    >>> normalize_weights(["1", "1", "1"])
    (Decimal('33.34'), Decimal('33.33'), Decimal('33.33'))
    >>> normalize_weights([10, 40, 40])
    (Decimal('11.11'), Decimal('44.45'), Decimal('44.44'))
    """
    try:
        values = [to_decimal(w) for w in weights]
        target = to_decimal(total)
    except NumberError as exc:
        raise InputError(f"normalize_weights: {exc}") from None
    if places < 0:
        raise InputError(f"normalize_weights: places must be ≥ 0, got {places}")
    if any(w < 0 for w in values):
        raise InputError("normalize_weights: weights must be ≥ 0")
    if target <= 0:
        raise InputError(f"normalize_weights: total must be > 0, got {target}")
    scale = 10**places
    total_units = Fraction(target) * scale
    if total_units.denominator != 1:
        raise InputError(f"normalize_weights: total {target} has more than {places} decimals")
    weight_sum = sum((Fraction(w) for w in values), Fraction(0))
    if weight_sum == 0:
        raise InputError("normalize_weights: the weights sum to 0; nothing to rescale")
    exact = [Fraction(w) * total_units / weight_sum for w in values]
    units = [int(x) for x in exact]  # floor: all are ≥ 0
    missing = int(total_units) - sum(units)
    by_remainder = sorted(range(len(values)), key=lambda i: (-(exact[i] - units[i]), i))
    for i in by_remainder[:missing]:
        units[i] += 1
    quantum = Decimal(1).scaleb(-places)
    return tuple((Decimal(u) * quantum).quantize(quantum) for u in units)
