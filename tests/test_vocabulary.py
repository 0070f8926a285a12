"""Policy words live in ruleset data only: readers and checks read them from there.

A plugin ruleset that adds an execution-rate name or a cost word changes what its own
lines score and what the audit says of them; cn-mof-2020 and its shipped children keep
their words, their scores and their content hashes.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import perfrules
from perfrules import Form, PluginError, RuleSet
from perfrules._ruleset import AUDIT_WORD_KEYS, default_ruleset
from perfrules.builtin.rulesets import load_data
from perfrules.exceptions import UnknownRulesetError
from perfrules.hookspecs import hookimpl
from perfrules.io.table import GridCell, read_grid

from .test_pins import PINNED

SRC = Path(perfrules.__file__).parent
BASE = load_data("cn-mof-2020.toml")


class _Province:
    """A provincial plugin whose ruleset adds 资金到位率 as an execution-rate name and 支出
    as a cost word, and asks for 产出 and 效益 groups only."""

    @hookimpl
    def perfrules_register_rulesets(self, register: Any) -> None:
        register({"id": "demo-words", "extends": "cn-mof-2020@1", "version": "1",
                  "execution_rate_names": [*BASE["execution_rate_names"], "资金到位率"],
                  "audit_words": {"cost": [*BASE["audit_words"]["cost"], "支出"]}})
        register({"id": "demo-groups", "extends": "cn-mof-2020@1", "version": "1",
                  "audit_words": {"required_groups": ["产出", "效益"],
                                  "required_groups_en": ["output", "benefit"]}})


@pytest.fixture(scope="module")
def registry() -> perfrules.Registry:
    return perfrules.Registry(plugins=[_Province()], entry_points=False)


def _form(*lines: dict[str, Any]) -> Form:
    return Form.from_dict({"title": "示例", "indicators": list(lines)}, source="form.json")


RATE_LINE = {"name": "资金到位率", "path": ["产出指标", "时效指标"], "unit": "%",
             "target": "90%", "actual": "95%", "weight": "10"}
COST_LINE = {"name": "设备购置支出", "path": ["产出指标", "数量指标"], "unit": "万元", "nature": "≥",
             "target": "50", "actual": "60", "weight": "90"}


# -- the words are data, in one place -----------------------------------------------------


def test_the_default_ruleset_holds_every_policy_word_list() -> None:
    rs = default_ruleset()
    assert rs.ref == "cn-mof-2020@1"
    assert rs.execution_rate_names[0] == "预算执行率" and "不适用" in rs.not_applicable_words
    assert {k for k, _ in rs.audit_words} == set(AUDIT_WORD_KEYS)
    assert all(rs.words(k) for k in AUDIT_WORD_KEYS)
    assert rs.words("cost") == ("成本", "费用", "经费", "开支")


def _word_lists(path: Path) -> dict[str, set[str]]:
    """Module-level names bound to a tuple/set/frozenset of two or more string literals,
    some of them Chinese (word lists; rule kinds such as at-least are not)."""
    found = {}
    for node in ast.parse(path.read_text("utf-8")).body:
        if not isinstance(node, ast.Assign):
            continue
        value = node.value
        if isinstance(value, ast.Call) and value.args:
            value = value.args[0]
        if not isinstance(value, (ast.Tuple, ast.Set)) or len(value.elts) < 2:
            continue
        words = {e.value for e in value.elts
                 if isinstance(e, ast.Constant) and isinstance(e.value, str)}
        if any("\u4e00" <= ch <= "\u9fff" for w in words for ch in w):
            found.update({t.id: words for t in node.targets if isinstance(t, ast.Name)})
    return found


def test_checks_and_the_reader_keep_no_copy_of_a_policy_list() -> None:
    assert _word_lists(SRC / "builtin" / "checks.py") == {}
    # the reader's own lists are layout words (headers, end-of-form words), no rate names
    rates = set(default_ruleset().execution_rate_names)
    assert {name: words & rates for name, words in _word_lists(SRC / "io" / "table.py").items()
            if len(words & rates) > 1} == {}


def test_shipped_children_inherit_the_words_and_keep_their_hashes(
        registry: perfrules.Registry) -> None:
    base = registry.ruleset("cn-mof-2020@1")
    for ref in ("cn-mof-2020-linear@1", "cn-mof-2020-bands-80-50@1"):
        child = registry.ruleset(ref)
        assert child.audit_words == base.audit_words
        assert child.execution_rate_names == base.execution_rate_names
    found = {(rs.id, rs.version): rs.content_hash() for rs in registry.rulesets.values()
             if rs.id.startswith("cn-")}
    assert found == PINNED


def test_changed_words_change_the_hash(registry: perfrules.Registry) -> None:
    """The hash leaves out only words equal to the built-in ones: a plugin's own words
    are part of its ruleset's identity."""
    base = registry.ruleset("cn-mof-2020@1")
    same = RuleSet.from_dict({**base.to_dict(), "id": "x"})
    fewer = RuleSet.from_dict({**base.to_dict(), "id": "x",
                               "audit_words": {"cost": ["成本"]}})
    none = RuleSet.from_dict({k: v for k, v in {**base.to_dict(), "id": "x"}.items()
                              if k != "audit_words"})
    assert same.content_hash() == none.content_hash() != fewer.content_hash()


def test_a_child_replaces_one_list_and_keeps_the_others(registry: perfrules.Registry) -> None:
    rs = registry.ruleset("demo-words@1")
    assert rs.words("cost") == ("成本", "费用", "经费", "开支", "支出")
    assert rs.words("time") == default_ruleset().words("time")
    assert rs.words("required_groups") == ("产出", "效益", "满意度")


@pytest.mark.parametrize(("words", "message"), [
    ({"costs": ["成本"]}, "audit_words: unknown key 'costs' (valid: rate, cost, time"),
    ({"cost": "成本"}, "expected a list of words, got '成本'"),
    ({"cost": ["成本", " "]}, "audit_words: cost holds an empty word"),
    ({"required_groups_en": ["output"]},
     "required_groups_en has 1 names for 3 required_groups"),
])
def test_bad_word_lists_are_refused_by_name(words: dict[str, Any], message: str) -> None:
    class Bad:
        @hookimpl
        def perfrules_register_rulesets(self, register: Any) -> None:
            register({"id": "bad-words", "extends": "cn-mof-2020@1", "audit_words": words})

    with pytest.raises(PluginError, match="bad-words") as caught:
        perfrules.Registry(plugins=[Bad()], entry_points=False).ruleset("bad-words")
    assert message in str(caught.value)


def test_words_names_the_valid_keys() -> None:
    with pytest.raises(KeyError, match="valid: rate, cost"):
        default_ruleset().words("costs")


# -- the engine and the checks read the ruleset's words ----------------------------------


def test_a_plugin_rate_name_scores_as_the_execution_rate(registry: perfrules.Registry) -> None:
    form = _form(RATE_LINE, COST_LINE)
    mine = perfrules.score(form, "demo-words@1", registry=registry)
    national = perfrules.score(form, "cn-mof-2020@1", registry=registry)
    assert (mine.lines[0].kind, mine.lines[0].points) == ("execution-rate", Decimal("9.50"))
    # the national ruleset does not know the name: a ≥ line met in full, as before
    assert (national.lines[0].kind, national.lines[0].points) == ("at-least", Decimal("10.00"))


def _codes(form: Form, ref: str, registry: perfrules.Registry) -> list[tuple[str, str]]:
    return [(f.code, f.indicator or "") for f in
            perfrules.audit(form, ref, registry=registry).findings]


def test_a_plugin_cost_word_makes_a_cost_line_for_the_checks(
        registry: perfrules.Registry) -> None:
    form = _form(RATE_LINE, COST_LINE)
    assert ("PR015", "设备购置支出") in _codes(form, "demo-words@1", registry)
    assert ("PR015", "设备购置支出") not in _codes(form, "cn-mof-2020@1", registry)
    # a built-in cost word still counts under both
    cost = {**COST_LINE, "name": "设备购置费用"}
    for ref in ("demo-words@1", "cn-mof-2020@1"):
        assert ("PR015", "设备购置费用") in _codes(_form(RATE_LINE, cost), ref, registry)


def test_required_groups_come_from_the_ruleset(registry: perfrules.Registry) -> None:
    lines = [{**COST_LINE, "nature": "≤", "weight": "60"},
             {**COST_LINE, "name": "收益", "nature": "≤", "weight": "40",
              "path": ["效益指标", "经济效益指标"]}]
    form = Form.from_dict({"title": "示例", "kind": "project", "indicators": lines},
                          source="form.json")

    def pr018(ref: str) -> list[str]:
        report = perfrules.audit(form, ref, registry=registry)
        return [f.message("en") for f in report.findings if f.code == "PR018"]

    assert pr018("cn-mof-2020@1") == [
        "no first-level group of satisfaction indicators (满意度指标)"]
    assert pr018("demo-groups@1") == []


def test_a_ruleset_without_audit_words_runs_no_word_check() -> None:
    bare = RuleSet(id="bare", rules={"≥": "at-least"})
    registry = perfrules.Registry(plugins=[_Bare(bare)], entry_points=False)
    form = _form({**COST_LINE, "name": "运行成本", "weight": "100"})
    codes = [f.code for f in perfrules.audit(form, "bare@1", registry=registry).findings]
    assert "PR015" not in codes and "PR018" not in codes


class _Bare:
    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset

    @hookimpl
    def perfrules_register_rulesets(self, register: Any) -> None:
        register(self.ruleset)


# -- the reader --------------------------------------------------------------------------

HEAD: list[Any] = ["一级指标", "二级指标", "三级指标", "指标值", "实际完成值", "分值", "得分"]
FUND: list[list[Any]] = [["项目资金（万元）", "全年预算数", "全年执行数", "执行率", "得分"],
        ["年度资金总额", 200, 190, "95%", None]]


def _grid(rows: list[list[Any]]) -> list[list[GridCell]]:
    return [[GridCell(v, f"S!{chr(64 + c)}{r}") for c, v in enumerate(row, start=1)]
            for r, row in enumerate(rows, start=1)]


def _names(rows: list[list[Any]], **kw: Any) -> list[str]:
    return [i.name for i in read_grid(_grid(rows), "t.xlsx", **kw).form.indicators]


def test_the_reader_reads_rate_names_from_the_ruleset_it_is_given(
        registry: perfrules.Registry) -> None:
    """A fund block without a weight of its own stands for the table's execution-rate line
    when there is one: which names those are is the ruleset's."""
    rows = [*FUND, HEAD, ["产出指标", "时效指标", "资金到位率", "90%", "95%", 10, 9.5],
            ["产出指标", "数量指标", "甲", "≥100", 100, 90, 90]]
    # the default names (cn-mof-2020@1): 资金到位率 is no rate line, the fund block's is
    assert _names(rows) == ["预算执行率", "资金到位率", "甲"]
    mine = registry.ruleset("demo-words@1").execution_rate_names
    assert _names(rows, rate_names=mine) == ["资金到位率", "甲"]
    # a table line with a default rate name hides the unweighted fund block, as before
    rows[3][2] = "全年预算执行率"
    assert _names(rows) == ["全年预算执行率", "甲"]


#: the names the recogniser knew before its list became the ruleset's
OLD_READER_NAMES = ("预算执行率", "全年预算执行率", "资金执行率", "项目预算执行率", "部门预算执行率",
                    "预算资金执行率")


@pytest.mark.parametrize("name", [*OLD_READER_NAMES, "年度预算执行率", "项目资金执行率"])
def test_a_table_rate_line_hides_an_unweighted_fund_block(name: str) -> None:
    """Every name the reader knew still hides the block (项目预算执行率 is no rate name of
    cn-mof-2020, but is named like the block's rate column): no form that was read is now
    refused for the block's empty weight."""
    rows = [*FUND, HEAD, ["产出指标", "时效指标", name, "≥90%", "95%", 10, 10],
            ["产出指标", "数量指标", "甲", "≥100", 100, 90, 90]]
    assert _names(rows) == [name, "甲"]
    # cn-mof-2020 scores its rate names as the execution rate (95%), the others by nature
    total = "99.50" if default_ruleset().is_execution_rate(name) else "100.00"
    assert perfrules.score(read_grid(_grid(rows), "t.xlsx").form).total == Decimal(total)


@pytest.mark.parametrize("name", ["计划执行率", "合同执行率", "资金到位率"])
def test_other_rate_lines_leave_the_fund_block_in(name: str) -> None:
    rows = [*FUND, HEAD, ["产出指标", "时效指标", name, "≥90%", "95%", 10, 10],
            ["产出指标", "数量指标", "甲", "≥100", 100, 90, 90]]
    assert _names(rows) == ["预算执行率", name, "甲"]


def test_the_fund_line_takes_the_first_rate_name() -> None:
    rows = [*FUND, HEAD, ["产出指标", "数量指标", "甲", "≥100", 100, 90, 90]]
    assert _names(rows)[0] == "预算执行率"
    assert _names(rows, rate_names=["资金执行率", "预算执行率"])[0] == "资金执行率"


# -- load_all reads with the ruleset it is given --------------------------------------------

ROWS: list[list[Any]] = [
    ["项目资金（万元）", "全年预算数", "全年执行数", "执行率", "得分"],
    ["年度资金总额", "200", "190", "95%", ""],
    [],
    HEAD,
    ["产出指标", "时效指标", "资金到位率", "90%", "95%", "10", "9.5"],
    ["产出指标", "数量指标", "甲", "≥100", "100", "90", "90"],
]


def _csv(folder: Path) -> Path:
    """The table as Excel saves it as CSV (UTF-8 with a BOM)."""
    path = folder / "资金到位率.csv"
    path.write_text("\r\n".join(",".join(row) for row in ROWS) + "\r\n", "utf-8-sig")
    return path


def _xlsx(folder: Path) -> Path:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    source = _csv(folder)
    with tempfile.TemporaryDirectory() as profile:  # its own profile: never a running one's
        subprocess.run([soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
                        "--infilter=CSV:44,34,76", "--convert-to", "xlsx", "--outdir",
                        str(folder / "out"), str(source)],
                       check=True, capture_output=True, timeout=300)
    return folder / "out" / "资金到位率.xlsx"


@pytest.mark.parametrize("make", [_csv, _xlsx], ids=["csv", "xlsx-libreoffice"])
def test_load_all_reads_with_the_ruleset_it_is_given(
        make: Any, tmp_path: Path, registry: perfrules.Registry) -> None:
    path = make(tmp_path)
    national = perfrules.load_all(path, registry=registry)
    assert [i.name for i in national[0].indicators] == ["预算执行率", "资金到位率", "甲"]
    for ruleset in ("demo-words@1", registry.ruleset("demo-words@1")):
        (form,) = perfrules.load_all(path, registry=registry, ruleset=ruleset)
        assert [i.name for i in form.indicators] == ["资金到位率", "甲"]
        report = perfrules.score(form, ruleset, registry=registry)
        assert [(ln.kind, ln.points) for ln in report.lines] == [
            ("execution-rate", Decimal("9.50")), ("at-least", Decimal("90.00"))]
        single = perfrules.load(path, registry=registry, ruleset=ruleset)
        assert [i.name for i in single.indicators] == ["资金到位率", "甲"]
    # the read is over: the next one reads with the default names again
    assert perfrules.load_all(path, registry=registry) == national


def test_load_all_names_an_unknown_ruleset(tmp_path: Path,
                                           registry: perfrules.Registry) -> None:
    with pytest.raises(UnknownRulesetError, match="nowhere"):
        perfrules.load_all(_csv(tmp_path), registry=registry, ruleset="nowhere@1")


def test_the_command_line_and_the_batch_read_with_the_run_s_ruleset(
        tmp_path: Path, registry: perfrules.Registry) -> None:
    """``score --ruleset`` and ``audit --ruleset`` (or the ruleset --year/--region choose)
    read each file with that ruleset's execution-rate names, as ``load_all(ruleset=)``
    does; an unknown one reads with the default names and is said when scoring."""
    from perfrules._auditing import Job, audit_file
    from perfrules.cli import _read_and_score

    path = _csv(tmp_path)
    ((_, report),) = _read_and_score(str(path), None, "demo-words@1", registry)
    assert isinstance(report, perfrules.Report)
    assert [(ln.indicator.name, ln.points) for ln in report.lines] == [
        ("资金到位率", Decimal("9.50")), ("甲", Decimal("90.00"))]
    ((_, fallback),) = _read_and_score(str(path), None, None, registry, fallback="demo-words@1")
    assert isinstance(fallback, perfrules.Report)
    assert [ln.indicator.name for ln in fallback.lines] == ["资金到位率", "甲"]
    (item,) = audit_file(Job(index=0, path=str(path), ruleset="demo-words@1"), registry)
    assert item.report is not None
    assert [i.name for i in item.report.form.indicators] == ["资金到位率", "甲"]
    ((_, unknown),) = _read_and_score(str(path), None, "no-such@1", registry)
    assert isinstance(unknown, perfrules.PerfrulesError) and "no-such" in str(unknown)
