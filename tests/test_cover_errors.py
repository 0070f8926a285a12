"""Errors as callers receive them: normalize_weights refusing its arguments, and perfrules'
exceptions surviving pickling (the audit's worker processes send them back to the parent)."""

from __future__ import annotations

import pickle

import pytest

import perfrules
from perfrules import InputError, PerfrulesError, Problem
from perfrules.exceptions import MissingDependencyError, UnknownRulesetError


@pytest.mark.parametrize(("args", "words"), [
    ({"weights": ["10", "九十"]}, "normalize_weights: "),
    ({"weights": ["1", "1"], "places": -1}, "places must be ≥ 0, got -1"),
    ({"weights": ["1", "1"], "total": "0"}, "total must be > 0, got 0"),
])
def test_normalize_weights_refuses_what_it_cannot_use(args: dict[str, object], words: str) -> None:
    with pytest.raises(InputError) as info:
        perfrules.normalize_weights(**args)  # type: ignore[arg-type]
    assert str(info.value).startswith("normalize_weights: ") and words in str(info.value)


@pytest.mark.parametrize("error", [
    InputError(Problem(code="bad-number", message="not a number", location="表.xlsx!E5")),
    UnknownRulesetError("cn-xx", ("cn-mof-2020@1",)),
    MissingDependencyError("reading .xls forms", "xls"),
])
def test_errors_survive_pickling(error: PerfrulesError) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error) and str(copy) == str(error)
    if isinstance(error, InputError):
        assert copy.problems == error.problems  # type: ignore[attr-defined]
    if isinstance(error, UnknownRulesetError):
        assert (copy.ruleset_id, copy.known) == ("cn-xx", ("cn-mof-2020@1",))  # type: ignore[attr-defined]
    if isinstance(error, MissingDependencyError):
        assert copy.extra == "xls" and "pip install \"perfrules[xls]\"" in str(copy)  # type: ignore[attr-defined]
