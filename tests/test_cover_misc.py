"""`perfrules test` on cases that fail, `python -m perfrules`, annotated copies asked for
what cannot be annotated, and rule templates a plugin author gets wrong."""

from __future__ import annotations

import copy
import json
import runpy
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import attrs
import pytest

import perfrules
from perfrules import PluginError
from perfrules.cli import main
from perfrules.hookspecs import hookimpl
from perfrules.io.audit_render import BatchItem, annotate_xlsx
from perfrules.plugin import Outcome

from . import builders
from .test_batch_cli import FORM

Register = Callable[[Any], None]


def case(tmp_path: Path, name: str, expect: dict[str, Any], form: dict[str, Any] = FORM) -> Path:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps({"description": name, "form": form, "expect": expect},
                               ensure_ascii=False), "utf-8")
    return path


def test_perfrules_test_says_what_differs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad_form = copy.deepcopy(FORM)
    bad_form["indicators"][0]["actual"] = "九十"
    case(tmp_path, "wrong-grade", {"total": "100.00", "grade": "良"})
    case(tmp_path, "missing-line", {"lines": {"不存在的指标": "1"}})
    case(tmp_path, "not-applicable", {"lines": {"培训人次": None}})
    case(tmp_path, "wrong-error", {"error": ["weights-sum"]}, bad_form)
    case(tmp_path, "no-error", {"error": ["bad-number"]})
    case(tmp_path, "unscorable", {"total": "100.00"}, bad_form)
    case(tmp_path, "passes", {"total": "100.00", "grade": "优"})
    code = main(["--lang", "en", "test", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 1
    assert "grade 优, expected 良" in out
    assert "no indicator '不存在的指标'" in out
    assert "培训人次: scored 60.00, expected not applicable" in out
    assert "expected ['weights-sum']" in out
    assert "scored, expected the problems ['bad-number']" in out
    assert "not scored: " in out
    assert f"PASS {tmp_path / 'passes.json'}" in out
    assert out.rstrip().endswith("1 passed, 6 failed")


def test_python_dash_m_perfrules_runs_the_command_line(monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["perfrules", "score", str(perfrules.example_path())])
    with pytest.raises(SystemExit) as info:
        # run_path: pytest's import hook for perfrules (its pytest plugin) cannot run_module;
        # the module's own name, so that coverage (source = the perfrules package) sees it
        runpy.run_path(str(Path(perfrules.__file__).with_name("__main__.py")),
                       run_name="perfrules.__main__")
    assert info.value.code == 0
    assert "99.96" in capsys.readouterr().out


# -- annotated copies, called directly --------------------------------------------------------


def item(path: Path) -> BatchItem:
    form = perfrules.load(path)
    return BatchItem(path=str(path), report=perfrules.audit(form))


def test_annotate_only_excel_files_that_were_read(tmp_path: Path) -> None:
    json_form = tmp_path / "a.json"
    json_form.write_text(json.dumps(FORM, ensure_ascii=False), "utf-8")
    assert annotate_xlsx(item(json_form), tmp_path) is None
    unread = BatchItem(path=str(tmp_path / "b.xlsx"), error="the file is empty")
    assert annotate_xlsx([unread], tmp_path) is None
    assert annotate_xlsx([], tmp_path) is None
    assert list(tmp_path.iterdir()) == [json_form]


def test_annotate_defaults_to_a_copy_beside_and_never_over_the_input(tmp_path: Path) -> None:
    source = builders.seed_xlsx(tmp_path / "表.xlsx")
    before = source.read_bytes()
    audited = item(source)
    out = tmp_path / "out"
    assert annotate_xlsx(audited, out) == out / "表.audit.xlsx"
    assert (out / "表.audit.xlsx").is_file()
    with pytest.raises(ValueError, match="refusing to write over the input"):
        annotate_xlsx(audited, out, target=source)
    assert source.read_bytes() == before


# -- templates --------------------------------------------------------------------------------


@attrs.frozen
class TemplatedRule:
    templates: Any
    name: str = "templated"
    natures: frozenset[str] = frozenset({"≈"})

    def score(self, indicator: perfrules.Indicator, ruleset: perfrules.RuleSet) -> Outcome:
        return Outcome(numerator=Decimal(1), denominator=Decimal(1), met=True)


class Rules:
    def __init__(self, rule: Any) -> None:
        self.rule = rule

    @hookimpl
    def perfrules_register_rules(self, register: Register) -> None:
        register(self.rule)


@pytest.mark.parametrize(("templates", "words"), [
    (["达成"], "templates must be a mapping of step code to {'zh': …, 'en': …}"),
    ({"": {"zh": "达成", "en": "met"}}, "step code '' is not a non-empty string"),
])
def test_templates_a_plugin_author_gets_wrong(templates: Any, words: str) -> None:
    with pytest.raises(PluginError) as info:
        perfrules.Registry([Rules(TemplatedRule(templates))], entry_points=False)
    assert "rule 'templated'" in str(info.value) and words in str(info.value)


def test_a_line_explained_in_an_unknown_language(registry: perfrules.Registry) -> None:
    report = perfrules.score(perfrules.Form.from_dict(FORM), registry=registry)
    with pytest.raises(ValueError, match=r"unknown language 'fr' \(valid: zh, en\)"):
        report.lines[0].explanation("fr")
