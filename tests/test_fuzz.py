"""Fuzzing the command line from valid forms (issue 9).

Hypothesis draws a valid form (``perfrules.testing.forms``) and a list of
mutations of the kind real files carry: keys dropped or duplicated, values of
another type, numbers tweaked, cells written the odd ways people write them.
Most mutated forms still score, so the fuzzing reaches ``score()`` and
``audit()`` rather than stopping at the reader. For each, through
``perfrules.cli.main``:

- no exception escapes, and none but perfrules' own is raised inside (the
  command line would call it an internal error, or a bug in a file's row);
- the exit code is as documented: ``score`` 0 or 2, ``audit`` 0, 1 or 2, with
  2 exactly when the form could not be read;
- nothing is written outside ``-o``.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import perfrules
from perfrules.cli import main
from perfrules.testing import forms

#: More examples for a long run: PERFRULES_FUZZ_EXAMPLES=5000 pytest tests/test_fuzz.py
EXAMPLES = int(os.environ.get("PERFRULES_FUZZ_EXAMPLES", "60"))
FIELDS = ("name", "unit", "nature", "target", "weight", "actual", "reported_score", "note",
          "path", "judged_score", "applicable")
ODD_TEXT = ["", " ", "—", "-", "/", "无", "N/A", "不适用", "９５％", "≥95%", "5,956.7", "6000万元",
            "=1+1", "+cmd|' /C calc'!A0", "@SUM(A1)", "\x1b[31m红\x1b[0m", "a\r\nb", "<script>",
            "达成", "部分达成", "未达成", "全部完成", "1E+30", "1e-30", "NaN", "Infinity", "8²",
            "٣", "𝟗𝟓", "\u202e99", "9" * 40, "0", "-5", "0.0000001", "𠀀" * 3, "\t100"]


def _numberish(rng: random.Random, value: Any) -> Any:
    """A number written another way: still a number, mostly."""
    text = str(value)
    choice = rng.randrange(9)
    if choice == 0:
        return float(text) if text.replace(".", "", 1).lstrip("-").isdigit() else text
    if choice == 1:
        return text.translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))
    if choice == 2:
        return f" {text} "
    if choice == 3:
        return f"{text}%"
    if choice == 4:
        return str(Decimal(text) * rng.choice([0, 2, Decimal("0.5"), -1, 10**30]))
    if choice == 5:
        return int(Decimal(text)) if Decimal(text) == int(Decimal(text)) else text
    if choice == 6:
        return rng.choice(ODD_TEXT)
    return text


MUTATIONS: list[Callable[[random.Random, dict[str, Any]], None]] = []


def mutation(fn: Callable[[random.Random, dict[str, Any]], None]) -> Callable[..., None]:
    MUTATIONS.append(fn)
    return fn


def _pick(rng: random.Random, data: dict[str, Any]) -> dict[str, Any]:
    inds: list[dict[str, Any]] = data["indicators"]
    return inds[rng.randrange(len(inds))]


@mutation
def reword_number(rng: random.Random, data: dict[str, Any]) -> None:
    ind = _pick(rng, data)
    key = rng.choice(["target", "actual", "weight"])
    ind[key] = _numberish(rng, ind[key])


@mutation
def reword_nature(rng: random.Random, data: dict[str, Any]) -> None:
    ind = _pick(rng, data)
    words = {"≥": ["不低于", ">=", "≧", "大于等于"], "≤": ["不高于", "<=", "小于等于"],
             ">": ["大于"], "<": ["小于"], "=": ["等于", "＝"]}
    ind["nature"] = rng.choice(words.get(ind["nature"], ["定量", "正向", "", "约等于"]))


@mutation
def drop_key(rng: random.Random, data: dict[str, Any]) -> None:
    ind = _pick(rng, data)
    ind.pop(rng.choice(["unit", "nature", "note", "actual", "weight", "name"]), None)


@mutation
def add_key(rng: random.Random, data: dict[str, Any]) -> None:
    ind = _pick(rng, data)
    key = rng.choice(FIELDS)
    ind[key] = rng.choice([*ODD_TEXT, ["产出指标", "数量指标"], 5, None, True, {"a": 1}, [1, [2]]])


@mutation
def swap_type(rng: random.Random, data: dict[str, Any]) -> None:
    target = rng.choice(["form", "indicator", "indicators"])
    new = rng.choice([5, "x", None, [], {}, True, 1.5, ["x"]])
    if target == "indicators":
        data["indicators"] = new if rng.random() < 0.3 else [*data["indicators"], new]
    elif target == "form":
        data[rng.choice(["title", "reported_total", "year", "ruleset", "path"])] = new
    else:
        _pick(rng, data)[rng.choice(FIELDS)] = new


@mutation
def odd_text(rng: random.Random, data: dict[str, Any]) -> None:
    where = rng.choice(["title", "organization", "name", "note", "unit"])
    if where in ("title", "organization"):
        data[where] = rng.choice(ODD_TEXT)
    else:
        _pick(rng, data)[where] = rng.choice(ODD_TEXT)


@mutation
def report_scores(rng: random.Random, data: dict[str, Any]) -> None:
    ind = _pick(rng, data)
    ind["reported_score"] = _numberish(rng, ind["weight"])
    data["reported_total"] = rng.choice(["100", "99.99", "—", "1E+30", 100, "abc"])


@mutation
def duplicate_indicator(rng: random.Random, data: dict[str, Any]) -> None:
    data["indicators"].append(dict(_pick(rng, data)))


@mutation
def qualitative(rng: random.Random, data: dict[str, Any]) -> None:
    ind = _pick(rng, data)
    ind.update(nature="定性", target=rng.choice(["良好", "有所提高", "95"]),
               actual=rng.choice(["达成", "部分达成", "未达成", "有效", "还行", "全部完成"]))
    if rng.random() < 0.5:
        ind["reported_score"] = str(ind["weight"])


def mutate(data: dict[str, Any], seed: int, count: int) -> tuple[dict[str, Any], bool]:
    """The form with ``count`` mutations; and whether to write one key twice in the JSON."""
    rng = random.Random(seed)
    for _ in range(count):
        # an earlier mutation may have left nothing this one can change
        with contextlib.suppress(TypeError, KeyError, AttributeError, ArithmeticError,
                                 ValueError, IndexError):
            rng.choice(MUTATIONS)(rng, data)
    return data, rng.random() < 0.1


def json_text(data: dict[str, Any], duplicate: bool) -> str:
    text = json.dumps(data, ensure_ascii=False, default=str)
    if duplicate and text.startswith("{"):
        text = '{"title": "第一个", ' + text[1:]  # a key written twice: the last one wins
    return text


MUTATED = st.tuples(forms(max_size=8), st.integers(0, 2**32), st.integers(1, 3))


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def check(tmp: Path, capsys: pytest.CaptureFixture[str], text: str) -> str:
    """Run score and audit on the text as a form file; returns how far the form got."""
    for old in tmp.iterdir():
        if old.is_file():
            old.unlink()
    path = tmp / "form.json"
    path.write_text(text, "utf-8")
    out_file = tmp / "report.json"
    code, _, err = run_cli(capsys, "score", str(path), "--format", "json", "-o", str(out_file))
    assert code in (0, 2), err
    assert "internal error" not in err and "could not process" not in err, err
    assert "Traceback" not in err
    if code == 0:
        assert json.loads(out_file.read_text("utf-8"))["total"]
    code_a, out_a, err_a = run_cli(capsys, "audit", str(path), "--format", "json", "--timeout", "0")
    assert code_a in (0, 1, 2), err_a
    data = json.loads(out_a)
    row = data["forms"][0]
    assert "could not process" not in row.get("error", ""), row["error"]
    assert (code_a == 2) == ("error" in row)
    if code == 0:
        assert code_a in (0, 1)  # what scores can be audited
    assert {p.name for p in tmp.iterdir()} <= {"form.json", "report.json"}  # nothing else written
    if code == 0:
        return "scored"
    return "audited" if code_a != 2 else "refused"


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(MUTATED)
def test_mutated_forms_score_audit_or_are_refused_cleanly(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        case: tuple[perfrules.Form, int, int]) -> None:
    form, seed, count = case
    data, duplicate = mutate(form.to_dict(), seed, count)
    check(tmp_path, capsys, json_text(data, duplicate))


def test_most_mutated_forms_reach_scoring(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """Fuzzing that stops at the reader tests only the reader: most examples must score."""
    outcomes: list[str] = []

    # derandomized: the share is a property of the mutations, not of one run's luck
    # (random runs of 80 gave 42-90% scored across Python and hypothesis versions)
    @settings(max_examples=80, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow])
    @given(st.tuples(forms(max_size=8), st.integers(0, 2**32)))
    def sample(case: tuple[perfrules.Form, int]) -> None:
        form, seed = case
        data, duplicate = mutate(form.to_dict(), seed, 1)
        outcomes.append(check(tmp_path, capsys, json_text(data, duplicate)))

    sample()
    reached = sum(1 for o in outcomes if o != "refused") / len(outcomes)
    scored = outcomes.count("scored") / len(outcomes)
    print(f"reached audit: {reached:.0%}, scored: {scored:.0%} of {len(outcomes)}")
    assert reached >= 0.6, outcomes
    assert scored >= 0.35, outcomes
