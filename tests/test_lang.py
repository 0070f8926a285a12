"""One language for the whole command line: ``--lang``, ``PERFRULES_LANG``, the locale.

Each output is checked both ways: the Chinese output holds none of the English
labels, the English output none of the Chinese ones (labels, not the form's own
text: indicator names and the English detail of a problem stay as written).
"""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest

from perfrules import _messages, plugin
from perfrules._messages import MESSAGES, PROBLEM_ZH, choose_lang, env_lang, problem_text
from perfrules.cli import main
from perfrules.exceptions import Problem

#: Labels that only the English output may show (whole words).
EN = {
    "table": ["indicator", "nature", "target", "weight", "score", "met", "total", "grade",
              "ruleset", "note"],
    "audit": ["reported", "recomputed", "errors", "warnings", "infos", "unreadable"],
    "error": ["error:", "problem", "problems", "not scored", "indicator '", "field '", "valid:"],
    "usage": ["usage:", "error:", "invalid choice", "positional arguments", "options:"],
}
#: Labels that only the Chinese output may show.
ZH = {
    "table": ["指标值", "完成值", "权重", "得分", "总分", "等级", "规则集"],
    "audit": ["表内总分", "重算总分", "错误", "警告", "提示", "文件", "无法读取"],
    "error": ["错误：", "个问题", "未计分", "指标“", "字段", "应为"],
    "usage": ["用法", "错误：", "无效的取值", "位置参数", "选项"],
}


def contains(text: str, label: str) -> bool:
    if label.isascii() and label[0].isalpha() and label[-1].isalpha():
        return re.search(rf"(?<![\w-]){re.escape(label)}(?![\w-])", text) is not None
    return label in text


def assert_speaks(text: str, lang: str, *kinds: str) -> None:
    own, other = (ZH, EN) if lang == "zh" else (EN, ZH)
    for kind in kinds:
        assert any(contains(text, w) for w in own[kind]), (lang, kind, text)
        foreign = [w for w in other[kind] if contains(text, w)]
        assert not foreign, f"{lang} output shows {foreign}:\n{text}"


@pytest.fixture
def bad_form(tmp_path: Path) -> Path:
    """Two problems: a target that is no number, a nature nobody knows."""
    path = tmp_path / "自评表.json"
    path.write_text(json.dumps({"indicators": [
        {"name": "培训人次", "nature": "≥", "target": "九十", "weight": "60", "actual": "5"},
        {"name": "满意度", "nature": "约等于", "target": "90", "weight": "40", "actual": "95"},
    ]}, ensure_ascii=False), "utf-8")
    return path


@pytest.fixture
def plain_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PERFRULES_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse: usage errors, --help
        code = exc.code if isinstance(exc.code, int) else 0
    out = capsys.readouterr()
    return code, out.out, out.err


# -- every output, both ways ------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("where", ["before", "after"])
def test_score_text(lang: str, where: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--lang", lang, "score", "--example"] if where == "before" else [
        "score", "--example", "--lang", lang]
    code, out, _ = run(capsys, *args)
    assert code == 0
    assert_speaks(out, lang, "table")
    head = out.splitlines()[1].split()
    assert head == _messages.words("report-head", lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_score_explain(lang: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--lang", lang, "score", "--example", "--explain")
    assert code == 0
    assert_speaks(out, lang, "table")
    assert ("总分 = " in out) == (lang == "zh") and ("total = " in out) == (lang == "en")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_audit_text(lang: str, bad_form: Path, tmp_path: Path,
                    capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "scan.xlsx").write_bytes(b"not a workbook")
    code, out, _ = run(capsys, "--lang", lang, "audit", str(tmp_path))
    assert code == 2
    assert_speaks(out, lang, "audit")
    unreadable = out.splitlines()[out.splitlines().index(
        f"{tmp_path / 'scan.xlsx'}: {_messages.text('unreadable', lang)}") + 1]
    assert ("已损坏" in unreadable) == (lang == "zh")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_input_error(lang: str, bad_form: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--lang", lang, "score", str(bad_form))
    assert code == 2 and out == ""
    assert_speaks(err, lang, "error")
    first, *problems = err.splitlines()
    assert first == (f"perfrules：错误：{bad_form}：2 个问题，未计分：" if lang == "zh"
                     else f"perfrules: error: {bad_form}: 2 problems; not scored:")
    assert len(problems) == 2
    # never lost: the cell, the value as written, what would be valid
    assert problems[0].startswith("  - indicators[0].target")
    assert "'九十'" in problems[0] and "95" in problems[0]
    assert "约等于" in problems[1] and "定性" in problems[1]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_usage_error(lang: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--lang", lang, "audit", "x", "--fail-on", "never")
    assert code == 2 and out == ""
    assert_speaks(err, lang, "usage")
    code, _, err = run(capsys, "--lang", lang, "score")  # perfrules' own usage error
    assert code == 2 and ("--example" in err)
    assert_speaks(err, lang, "usage")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_help(lang: str, capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["-h"], ["score", "-h"], ["audit", "--help"]):
        code, out, _ = run(capsys, "--lang", lang, *args)
        assert code == 0
        assert_speaks(out, lang, "usage")
    assert ("显示本帮助并退出" in out) == (lang == "zh")
    assert ("--fail-on" in out) and (("有问题达到此级别时" in out) == (lang == "zh"))


def test_the_chinese_usage_lines_up_on_screen(capsys: pytest.CaptureFixture[str]) -> None:
    from perfrules.io._width import width

    _, out, _ = run(capsys, "--lang", "zh", "audit", "-h")
    first, second = out.splitlines()[:2]
    assert width(first[:first.index("[")]) == len(second) - len(second.lstrip())
    assert "位置参数：" in out and "选项：" in out


# -- where the language comes from ------------------------------------------------------


@pytest.mark.parametrize(("env", "lang"), [
    ({}, "zh"),
    ({"PERFRULES_LANG": "en"}, "en"),
    ({"PERFRULES_LANG": "zh", "LANG": "en_US.UTF-8"}, "zh"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LANG": "zh_CN.UTF-8"}, "zh"),
    ({"LC_ALL": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
    ({"LC_MESSAGES": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
    ({"LANG": "fr_FR.UTF-8"}, "zh"),
    ({"LANG": "C.UTF-8"}, "zh"),
    ({"PERFRULES_LANG": "fr", "LANG": "en_US"}, "en"),
])
def test_default_language(env: dict[str, str], lang: str) -> None:
    assert env_lang(env) == lang
    assert choose_lang(["score", "--example"], env) == lang
    other = "zh" if lang == "en" else "en"
    assert choose_lang(["--lang", other, "score"], env) == other
    assert choose_lang(["score", f"--lang={other}"], env) == other
    assert choose_lang(["score", "--", "--lang", other], env) == lang


@pytest.mark.parametrize("variable", ["PERFRULES_LANG", "LANG"])
def test_environment_sets_the_default(variable: str, plain_env: None, bad_form: Path,
                                      monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "score", "--example")
    assert_speaks(out, "zh", "table")  # nothing set: Chinese
    monkeypatch.setenv(variable, "en" if variable == "PERFRULES_LANG" else "en_US.UTF-8")
    _, out, _ = run(capsys, "score", "--example")
    assert_speaks(out, "en", "table")
    _, _, err = run(capsys, "score", str(bad_form))
    assert_speaks(err, "en", "error")
    _, out, _ = run(capsys, "--lang", "zh", "score", "--example")  # --lang wins
    assert_speaks(out, "zh", "table")
    _, out, _ = run(capsys, "audit", str(bad_form), "--lang", "zh")
    assert_speaks(out, "zh", "audit")


# -- the source named once ------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_source_is_named_once(lang: str, bad_form: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    _, _, err = run(capsys, "--lang", lang, "score", str(bad_form))
    assert err.count(bad_form.name) == 1, err
    _, out, _ = run(capsys, "--lang", lang, "audit", str(bad_form))
    assert out.count(bad_form.name) == 1, out
    missing = bad_form.parent / "缺失.json"
    _, _, err = run(capsys, "--lang", lang, "score", str(missing))
    assert err.count(missing.name) == 1, err


def test_the_sheet_is_named_once_and_each_problem_by_its_cell(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    for i, name in enumerate(["甲表", "乙表"]):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = name
        ws.append(["三级指标", "计量单位", "指标性质", "指标值", "指标权重", "全年完成值"])
        ws.append(["培训人次", "人次", "≥", "abc", 60, 5])
        ws.append(["满意度", "%", "约等于", 90, 40, 95])
    path = tmp_path / "两张表.xlsx"
    wb.save(path)
    _, _, err = run(capsys, "score", str(path))
    assert err.count(path.name) == 2  # once per form
    heads = [ln for ln in err.splitlines() if not ln.startswith("  - ")]
    assert heads == [f"perfrules：错误：{path} [{s}]：2 个问题，未计分：" for s in ("甲表", "乙表")]
    assert "  - 甲表!D2，指标“培训人次”" in err


# -- the catalogue ------------------------------------------------------------------------


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_message_is_in_both_languages_with_the_same_fields() -> None:
    for message_id, entry in MESSAGES.items():
        assert set(entry) == {"zh", "en"}, message_id
        # English alone needs a plural ending
        assert _fields(entry["zh"]) == _fields(entry["en"]) - {"s"}, message_id
        if "|" in entry["en"]:
            assert entry["zh"].count("|") == entry["en"].count("|"), message_id


def test_every_problem_code_has_a_chinese_head() -> None:
    from tests.test_api_snapshot import problem_codes

    missing = sorted(problem_codes() - set(PROBLEM_ZH) - {"input"})
    assert not missing, f"problem codes without Chinese in perfrules._messages: {missing}"
    assert plugin.problem_zh("not-a-number") == PROBLEM_ZH["not-a-number"]
    assert plugin.problem_zh("a-plugins-own-code") == "a-plugins-own-code"


def test_a_problem_without_chinese_keeps_its_english_message() -> None:
    problem = Problem(code="hubei-code", message="the band is open", indicator="甲",
                      field="actual", location="a.json: indicators[0].actual", value="x",
                      expected="a closed band")
    assert problem_text(problem, "en") == str(problem)
    assert problem_text(problem, "en", "a.json") == (
        "indicators[0].actual, indicator '甲', field 'actual': the band is open (got 'x'; "
        "valid: a closed band)")
    assert problem_text(problem, "zh", "a.json") == (
        "indicators[0].actual，指标“甲”，字段 actual：the band is open（实为 'x'；应为：a closed band）")


def test_argparse_messages_in_chinese() -> None:
    say = _messages.argparse_message
    assert say("the following arguments are required: FORM|DIR", "zh") == "缺少必需的参数：FORM|DIR"
    assert say("unrecognized arguments: --nope", "zh") == "无法识别的参数：--nope"
    assert say("argument --jobs: invalid int value: 'x'", "zh") == "参数 --jobs：无效的 int 值：'x'"
    assert say("argument --max-cells: '0' is not a positive whole number", "zh") == (
        "参数 --max-cells：'0' 不是正整数")
    assert say("something argparse may say one day", "zh") == "something argparse may say one day"
    assert say("unrecognized arguments: --nope", "en") == "unrecognized arguments: --nope"
