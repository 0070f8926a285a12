"""Bad input never crashes and never becomes a number silently (hypothesis)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import perfrules
from perfrules._numbers import NumberError, parse_nature, parse_number, split_nature

REG = perfrules.Registry(entry_points=False)
CELL_TEXT = st.text(alphabet="0123456789.,%+-≥≤<>=万元次率不低于超过定性达成完成 ９５％，．\n",
                    max_size=12)


@given(st.one_of(CELL_TEXT, st.text(max_size=12)))
def test_parse_number_returns_a_finite_decimal_or_says_why(text: str) -> None:
    try:
        number, unit = parse_number(text)
    except NumberError as exc:
        assert exc.reason
    else:
        assert isinstance(number, Decimal) and number.is_finite()
        assert unit is None or (unit and not any(c.isdigit() for c in unit))


@given(st.text(max_size=10))
def test_natures_are_known_words_or_key_errors(text: str) -> None:
    try:
        nature = parse_nature(text)
    except KeyError:
        return
    assert nature in (None, "≥", ">", "≤", "<", "=", "定性")
    nature2, rest = split_nature(text)
    assert nature2 is None or rest


JSONISH: st.SearchStrategy[Any] = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
              CELL_TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=8,
)
FIELDS = ["name", "nature", "target", "weight", "actual", "unit", "reported_score",
          "judged_score", "applicable", "budget", "executed", "path", "rule", "note"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(FIELDS), JSONISH, max_size=8), max_size=4),
       st.one_of(st.none(), JSONISH))
def test_any_form_scores_audits_or_fails_cleanly(indicators: list[dict[str, Any]],
                                                 total: Any) -> None:
    data = {"indicators": indicators, "reported_total": total}
    try:
        form = perfrules.Form.from_dict(data, source="x.json")
    except perfrules.FormError as exc:
        assert exc.problems
        return
    try:
        report = perfrules.score(form, registry=REG)
    except perfrules.FormError as exc:
        assert exc.problems and all(p.message for p in exc.problems)
    else:
        assert 0 <= report.total <= 100
        for line in report.lines:
            ind = line.indicator
            assert ind.weight is not None and ind.weight >= 0
            assert not ind.problems
    result = perfrules.audit(form, registry=REG)  # audit never raises on bad cells
    assert all(f.location for f in result.findings)
