"""Bulk kernels: the built-in formulas on scaled-integer columns (extra ``perfrules[arrow]``).

A kernel is named by a built-in rule's ``bulk`` attribute (:data:`KERNELS`)
and made for a ruleset: a function of
:class:`Columns` (every line of a record batch, numbers scaled to integers)
and a mask of the lines the rule scores, returning :class:`Bulk` — which of
those lines it can take, and their credit as a fraction, or their points.
:func:`perfrules.score_table` asks each chosen rule for its kernel and never
looks at a rule's class: a new built-in formula needs its kernel here and no
edit to the columnar path. Kernels are honoured for the built-in rules only,
whose equality with their ``prepare`` is tested line by line
(``tests/test_columnar.py``); any other rule's lines take the object path.

Every kernel must give, on every line it marks ``ok``, exactly the credit the
rule's ``prepare`` gives; a line it cannot be sure of is not ``ok``, and its
form is then scored by :func:`perfrules.score`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Callable, NamedTuple, Optional, Union

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from ._ruleset import RuleSet

    I64 = npt.NDArray[np.int64]
    BOOL = npt.NDArray[np.bool_]

__all__ = ["KERNELS", "Bulk", "Columns", "Kernel", "at_least", "at_most", "equal", "execution_rate",
           "fixed", "places_of", "qualitative", "rhu"]


class Columns(NamedTuple):
    """The cells of every line of a batch, as the object path reads them."""

    #: target and actual × 10^qp (0 where not a number), and where they are numbers
    a: I64
    b: I64
    a_num: BOOL
    b_num: BOOL
    #: budget and executed × 10^qp, and where both are numbers
    budget: I64
    executed: I64
    amounts: BOOL
    #: the unit is %
    percent: BOOL
    #: decimals of the quantities (target, actual, amounts)
    qp: int
    #: weight × 10^sp
    w: I64
    #: decimals of the weight and scores
    sp: int
    #: the judged score × 10^sp (judged_score, else reported_score) and where there is one
    judged: I64
    any_judged: BOOL
    #: the actual is text, and the tier it names (-1: none)
    text_actual: BOOL
    tier: I64
    #: the ruleset's decimal places (points are integers × 10^-p)
    p: int


class Bulk(NamedTuple):
    """What a kernel concludes for the lines it was given (other lines: ignored).

    A line earns its full weight (``full``), or ``num / den`` of it
    (``ratio``), or the points ``cents`` (× 10^-p) where ``direct``;
    ``ok`` is false where the kernel cannot score the line in bulk."""

    ok: BOOL
    met: BOOL
    full: BOOL
    ratio: BOOL
    num: I64
    den: I64
    cents: Optional[I64] = None
    direct: Optional[BOOL] = None


#: A bulk kernel: (columns, lines it scores) -> Bulk.
Kernel = Callable[[Columns, "BOOL"], Bulk]


def rhu(n: I64, d: Union[I64, int]) -> I64:
    """Round n / d half up, for n ≥ 0 and d > 0 (int64; the caller keeps 2n + d in range)."""
    return (2 * n + d) // (2 * d)


def fixed(value: Decimal, places: int) -> Optional[int]:
    """value × 10^places when that is an integer."""
    scaled = value.scaleb(places)
    return int(scaled) if scaled == scaled.to_integral_value() else None


def places_of(*values: Decimal) -> int:
    return max(0, *(-int(v.normalize().as_tuple().exponent) for v in values))


def _none(c: Columns) -> tuple[BOOL, I64]:
    import numpy as np

    n = len(c.a)
    return np.zeros(n, bool), np.zeros(n, np.int64)


def _quantitative(c: Columns) -> BOOL:
    return c.a_num & c.b_num & (c.a >= 0)


def at_least(c: Columns, sel: BOOL) -> Bulk:
    """≥ >: full when B ≥ A (B ≥ 0 for A = 0), else B / A, nothing for B < 0."""
    import numpy as np

    a, b = c.a, c.b
    zero = a == 0
    met = np.where(zero, b >= 0, b >= a)
    return Bulk(_quantitative(c), met, met, ~zero & (b < a) & (b >= 0), b, a)


def equal(c: Columns, sel: BOOL) -> Bulk:
    """=: full when B ≥ A (B = 0 for A = 0), else B / A, nothing for B < 0."""
    import numpy as np

    a, b = c.a, c.b
    zero = a == 0
    met = np.where(zero, b == 0, b >= a)
    return Bulk(_quantitative(c), met, met, ~zero & (b < a) & (b >= 0), b, a)


def at_most(reverse: Optional[str]) -> Optional[Kernel]:
    """≤ <: full when B ≤ A; else A / B (``ratio``) or (2A − B) / A below 2A (``linear``)."""
    if reverse not in ("ratio", "linear"):
        return None
    linear = reverse == "linear"

    def kernel(c: Columns, sel: BOOL) -> Bulk:
        a, b = c.a, c.b
        over = (a != 0) & (b > a)
        met = b <= a
        if linear:
            return Bulk(_quantitative(c), met, met, over & (b < 2 * a), 2 * a - b, a)
        return Bulk(_quantitative(c), met, met, over, a, b)

    return kernel


def execution_rate(c: Columns, sel: BOOL) -> Bulk:
    """预算执行率: executed / budget when both are given, else the actual in %."""
    import numpy as np

    both = c.amounts
    bud, exe, b = c.budget, c.executed, c.b
    hundred = 100 * 10**c.qp
    ok = np.where(both, (bud > 0) & (exe >= 0),
                  c.b_num & (b >= 0) & (c.percent | (b > 10**c.qp)))
    met = np.where(both, exe >= bud, b >= hundred)
    ratio = np.where(both, (exe < bud) & (bud > 0) & (exe >= 0), (b < hundred) & (b >= 0))
    return Bulk(ok, met, met, ratio, np.where(both, exe, b), np.where(both, bud, hundred))


def qualitative(ruleset: RuleSet) -> Kernel:
    """定性: a tier word; the judged score inside its band, else the tier's default."""
    tiers = ruleset.tiers
    tp = places_of(*(v for t in tiers for v in (t.lower, t.upper, t.default)), Decimal(0))
    lower_ = [fixed(t.lower, tp) or 0 for t in tiers]
    upper_ = [fixed(t.upper, tp) or 0 for t in tiers]
    default_ = [fixed(t.default, tp) or 0 for t in tiers]
    inclusive_ = [t.upper_inclusive for t in tiers]
    met_ = [t.met for t in tiers]
    # tiers whose bands and defaults are ordinary fractions
    tiers_ok = bool(tiers) and tp <= 6 and all(
        t.lower >= 0 and 0 <= t.default <= 1 and t.upper <= 10 for t in tiers)

    def kernel(c: Columns, sel: BOOL) -> Bulk:
        import numpy as np

        nothing, zeros = _none(c)
        if not tiers_ok:
            return Bulk(nothing, nothing, nothing, nothing, zeros, zeros + 1)
        w, sp, p = c.w, c.sp, c.p
        t = np.maximum(c.tier, 0)
        lower = np.array(lower_, np.int64)[t]
        upper = np.array(upper_, np.int64)[t]
        inclusive = np.array(inclusive_, bool)[t]
        met = np.array(met_, bool)[t]
        judged, any_judged = c.judged, c.any_judged
        # j ≥ lower × w and j ≤ (or <) upper × w, all scaled by 10^(sp + tp)
        jj = judged * 10**tp
        low, high = lower * w, upper * w
        in_band = (jj >= low) & np.where(inclusive, jj <= high, jj < high)
        zero_line = (w == 0) & (judged == 0)
        ok = c.text_actual & (c.tier >= 0) & (
            ~any_judged | ((judged >= 0) & (in_band | zero_line)))
        judged_cents = judged * 10 ** (p - sp) if sp <= p else rhu(np.maximum(judged, 0),
                                                                    10 ** (sp - p))
        cents = np.where(any_judged & ~zero_line, judged_cents, 0)
        default = np.array(default_, np.int64)[t]
        shift = sp + tp - p
        product = w * default
        default_cents = product * 10 ** (-shift) if shift <= 0 else rhu(product, 10**shift)
        cents = np.where(~any_judged, default_cents, cents)
        return Bulk(ok, met, nothing, nothing, zeros, zeros + 1, cents, ~nothing)

    return kernel


#: Kernel name (a built-in rule's ``bulk``) -> the kernel for a ruleset (None: none fits).
KERNELS: dict[str, Callable[[RuleSet], Optional[Kernel]]] = {
    "at-least": lambda ruleset: at_least,
    "at-most": lambda ruleset: at_most(ruleset.param("reverse", "ratio")),
    "equal": lambda ruleset: equal,
    "qualitative": qualitative,
    "execution-rate": lambda ruleset: execution_rate,
}
