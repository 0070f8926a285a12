"""One language per run: every message of the catalogue, every built-in problem and
finding, rendered in Chinese holds no English word, and in English no Chinese.

What may stay in either language: codes (``PR006``, ``weights-sum``), identifiers
(``max_cells``, ``--max-cells``, ``perfrules.load_all()``), cell names (``自评表!F14``),
units, numbers, file kinds (Excel, WPS, .xlsx) and quoted data (the value as written).
English text may name the form's own terms (指标性质, 全年预算数 …), as the form prints them.
"""

from __future__ import annotations

import re
import string
from decimal import Decimal
from pathlib import Path
from typing import Optional

import pytest

from perfrules import _messages
from perfrules._messages import (
    EXPECTED_MESSAGES,
    MESSAGES,
    PHRASES,
    PROBLEM_MESSAGES,
    expected_text,
    problem_message,
    problem_text,
    problem_translated,
)
from perfrules.exceptions import InputError, Problem

#: Names that are the same in both languages (products, formats, standards).
NAMES = {
    "Excel", "WPS", "Word", "PDF", "HTML", "XML", "CSV", "JSON", "TOML", "YAML", "UTF", "GBK",
    "GB18030", "Unicode", "NaN", "Infinity", "zip", "FIFO", "OUT", "DIR", "FORM", "SECONDS",
    "NAME", "N", "ID", "CN", "HB", "pip", "perfrules", "Windows", "PowerShell", "Python", "venv",
    "sha256", "ext", "true", "false", "text", "json", "markdown", "html", "xlsx", "toml", "yaml",
    "csv", "docx", "xls", "pdf", "dask", "error", "warning", "info", "zh", "en", "id", "version",
    "Schema", "install",  # pip install "perfrules[excel]"
    # the form's field names (its JSON keys) and the command names
    "path", "weight", "ruleset", "year", "skipped", "where", "reason", "applicable", "indicators",
    "groups", "bands",
    "score", "audit", "convert", "rules", "rulesets", "test", "plugins", "schema",
}
#: The form's own terms, which English text may show as the form prints them.
FORM_TERMS = [
    "指标性质", "指标权重", "分值", "全年预算数", "全年执行数", "定性指标", "定性", "三级指标",
    "指标名称", "指标值", "全年完成值", "完成值", "指标得分", "绩效自评表", "万元", "湖北",
    "自评表", "表", "第", "页", "行", "列", "人次", "次",  # and units
]
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|“[^”]*”|「[^」]*」|`[^`]*`")
_IDENTIFIER = re.compile(
    r"[A-Za-z_][\w.]*\[\d+\](?:\.\w+)*"                                  # indicators[0].target
    r"|\.[a-z]{2,4}\b|\*[a-z]+"                                         # .doc, *name
    r"|(?:--?|\.)?[A-Za-z][A-Za-z0-9]*(?:[-_.@/:][A-Za-z0-9]+)+(?:\(\))?"  # codes, dotted, paths
    r"|[A-Z][a-z]+(?:[A-Z][a-z]*)+"                                      # ParseError
    r"|[A-Z][A-Z0-9_]{2,}"                                              # env vars, PR006
    r"|--?[a-z][a-z-]*"                                                  # options
    r"|[A-Z]{1,3}\d+|\d+[A-Za-z]+"                                       # cells, 10号-like
    r"|\\u[0-9a-f]{4}")
_WORD = re.compile(r"[A-Za-z]{2,}")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]")


def english_words(text: str) -> list[str]:
    """The English words of ``text``, outside quoted data, identifiers and names."""
    rest = _IDENTIFIER.sub(" ", _QUOTED.sub(" ", text))
    return [w for w in _WORD.findall(rest) if w not in NAMES]


def chinese(text: str) -> list[str]:
    """The Chinese characters of ``text``, outside quoted data and the form's terms."""
    rest = _QUOTED.sub(" ", text)
    for term in sorted(FORM_TERMS, key=len, reverse=True):
        rest = rest.replace(term, " ")
    return _CJK.findall(rest)


def _fill(template: str) -> str:
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    return template.format(**dict.fromkeys(names, "7"))


def _fields(template: str) -> set[str]:
    return {name.split("!")[0] for _, name, _, _ in string.Formatter().parse(template) if name}


# -- the catalogue --------------------------------------------------------------------


@pytest.mark.parametrize("message_id", sorted(MESSAGES))
def test_every_cli_message_speaks_one_language(message_id: str) -> None:
    zh, en = _fill(MESSAGES[message_id]["zh"]), _fill(MESSAGES[message_id]["en"])
    assert not english_words(zh), (message_id, zh)
    assert not chinese(en), (message_id, en)


PAIRS = [(f"problem {code}", en, zh) for code, pairs in PROBLEM_MESSAGES.items()
         for en, zh in pairs]
PAIRS += [("expected", en, zh) for en, zh in EXPECTED_MESSAGES]
PAIRS += [("phrase", en, zh) for en, zh in PHRASES]
PAIRS += [("plugin error", en, zh) for en, zh in _messages.PLUGIN_ERRORS]
PAIRS += [("warning", en, zh) for en, zh in _messages.WARNINGS]
PAIRS += [("needs", en, zh) for en, zh in _messages.NEEDS]


@pytest.mark.parametrize(("kind", "en", "zh"), PAIRS)
def test_every_problem_template_speaks_one_language(kind: str, en: str, zh: str) -> None:
    assert _fields(zh) <= _fields(en), (kind, en, zh)  # the Chinese uses what the English holds
    assert not english_words(_fill(zh)), (kind, zh)
    assert not chinese(_fill(en)), (kind, en)
    # the English as written renders as the Chinese
    assert _messages.translate(_fill(en), [(en, zh)]) is not None, (kind, en)


def test_every_builtin_problem_code_is_in_the_catalogue_in_both_languages() -> None:
    from tests.test_api_snapshot import problem_codes

    missing = sorted(problem_codes() - set(PROBLEM_MESSAGES) - {"input"})
    assert not missing, (
        f"problem codes without messages in perfrules._messages.PROBLEM_MESSAGES: {missing}")
    for code, pairs in PROBLEM_MESSAGES.items():
        assert pairs and all(en and zh for en, zh in pairs), code
        assert code in _messages.PROBLEM_ZH, code


def test_a_problem_is_rendered_in_the_run_s_language() -> None:
    problem = Problem(
        code="weights-sum", field="weight", location="a.json", value="97",
        message="the weights sum to 97, not 100",
        expected="weights summing to 100 (±0.01); perfrules.normalize_weights() rescales them")
    assert problem_text(problem, "zh") == (
        "a.json，字段 weight：权重合计为 97，不等于 100（实为 '97'；应为：权重合计为 100（允许 ±0.01）；"
        "perfrules.normalize_weights() 可按比例换算）")
    assert problem_text(problem, "en") == str(problem)
    limit = Problem(code="limit-exceeded", location="a.xlsx",
                    message="the file has more than 5 cells with a value; the limit max_cells is 5",
                    expected="at most 5; if the file is a real form, use --max-cells N or set the "
                             "environment variable PERFRULES_MAX_CELLS")
    assert problem_message(limit, "zh") == "文件中有值的单元格超过 5 个；上限 max_cells 为 5"
    assert expected_text(limit.expected, "zh") == (
        "至多 5；如果这确实是一张表，请使用 --max-cells N，或设置环境变量 PERFRULES_MAX_CELLS")
    toml = Problem(code="bad-toml", location="a.toml",
                   message="not valid TOML: Expected '=' after a key (at line 3, column 5)")
    assert problem_message(toml, "zh") == "不是有效的 TOML（第 3 行第 5 列）"


def test_a_problem_the_catalogue_does_not_know_still_renders() -> None:
    own = Problem(code="hubei-code", message="the band is open", expected="a closed band")
    assert problem_message(own, "zh") == "the band is open" and not problem_translated(own)
    assert problem_text(own, "zh") == "the band is open（应为：a closed band）"
    new = Problem(code="weights-sum", message="a sentence a reader has just added")
    assert problem_text(new, "zh") == "权重合计不等于 100（a sentence a reader has just added）"


# -- what perfrules actually says -------------------------------------------------------


def _problems_of(make: object, folder: Path) -> list[Problem]:
    import perfrules

    assert callable(make)
    path = make(folder)
    try:
        for form in perfrules.load_all(path):
            perfrules.score(form)
    except InputError as exc:
        return list(exc.problems)
    except perfrules.PerfrulesError:
        return []
    return []


def _bad_forms() -> dict[str, dict[str, object]]:
    ind = {"name": "培训人次", "nature": "≥", "target": "90", "weight": "60", "actual": "95",
           "unit": "人次"}
    qual = {"name": "满意度", "nature": "定性", "weight": "40", "actual": "成效待观察"}
    return {
        "numbers": {"indicators": [
            {**ind, "target": "九十"}, {**ind, "name": "乙", "actual": "95%"},
            {**ind, "name": "丙", "actual": "5²"}, {**ind, "name": "丁", "weight": ""},
            {**ind, "name": "戊", "nature": "约等于"}, {**ind, "name": "己", "weight": "-3"},
            {**ind, "name": "庚", "colour": "red"}, {**ind, "name": "辛", "actual": "NaN"}]},
        "weights": {"indicators": [{**ind, "weight": "57"}, qual]},
        "tiers": {"indicators": [ind, {**qual, "actual": "成效待观察"}]},
        "tier-number": {"indicators": [ind, {**qual, "actual": "5"}]},
        "judged": {"indicators": [ind, {**qual, "actual": "部分达成", "judged_score": "40"}]},
        "rate": {"indicators": [{"name": "预算执行率", "weight": "100", "budget": "0",
                                 "executed": "-5"}]},
        "negative": {"indicators": [{**ind, "nature": "≤", "target": "-5", "weight": "100"}]},
        "groups": {"indicators": [{**ind, "weight": "100", "path": ["产出指标"]}],
                   "groups": [{"path": ["产出指标"], "weight": "50"},
                              {"path": ["效益指标"], "weight": "50"}]},
        "year": {"year": "去年", "ruleset": 5, "indicators": [{**ind, "weight": "100"}]},
        "nothing": {"indicators": [{**ind, "weight": "0"}]},
        "conflict": {"indicators": [{**ind, "nature": "≤", "target": "≥90", "weight": "100"}]},
    }


def _makers() -> dict[str, object]:
    import json

    from . import test_hostile

    makers: dict[str, object] = {f"hostile {k}": v for k, v in test_hostile.ROWS.items()
                                 if k not in ("fifo", "link-out", "slow", "plugin-raises")}

    def writer(name: str, data: dict[str, object]) -> object:
        def make(folder: Path) -> Path:
            path = folder / f"{name}.json"
            path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
            return path
        return make

    for name, data in _bad_forms().items():
        makers[name] = writer(name, data)

    def raw(name: str, body: bytes) -> object:
        def make(folder: Path) -> Path:
            path = folder / name
            path.write_bytes(body)
            return path
        return make

    makers["empty"] = raw("empty.json", b"")
    makers["bad json"] = raw("bad.json", b'{"indicators": [}')
    makers["bad toml"] = raw("bad.toml", b"indicators = [\n x")
    makers["latin1"] = raw("bad.json", '{"x": "é"}'.encode("latin-1"))
    makers["list"] = raw("list.json", b"[1, 2]")
    makers["not xlsx"] = raw("x.xlsx", b"not a workbook")
    makers["doc"] = raw("x.doc", b"old")
    makers["suffix"] = raw("x.abc", b"old")
    return makers


MAKERS = _makers()


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_every_builtin_problem_renders_in_both_languages(name: str, tmp_path: Path) -> None:
    problems = _problems_of(MAKERS[name], tmp_path)
    for problem in problems:
        assert problem.code == "input" or problem_translated(problem), (
            f"no Chinese in PROBLEM_MESSAGES[{problem.code!r}] for {problem.message!r}")
        zh = problem_text(problem, "zh", "")
        assert not english_words(_data_free(zh, problem)), zh
        en = problem_text(problem, "en", "")
        for data in _values(problem):
            en = en.replace(data, " ")
        assert not _CHINESE_SAYING.findall(_QUOTED.sub(" ", en)), en


#: What the Chinese catalogue adds to a line (the form's own words may stay in English).
_CHINESE_SAYING = re.compile(r"[，。；：（）！？]|应为|实为|指标“|字段 ")


def _values(problem: Problem) -> list[str]:
    """The data a problem's English carries: the values its templates' fields match,
    and what would be valid when that is a list of names."""
    found = [problem.location or "", problem.indicator or "", problem.value or ""]
    if _is_list(problem.expected):
        found.append(problem.expected or "")
    for text, pairs in ((problem.message, PROBLEM_MESSAGES.get(problem.code, [])),
                        (problem.expected or "", EXPECTED_MESSAGES)):
        for en, _ in pairs:
            match = _messages._pattern(en).fullmatch(text)
            if match:
                found.extend(match.groupdict().values())
                break
    return sorted((v for v in found if v), key=len, reverse=True)


def _data_free(line: str, problem: Problem) -> str:
    """The line without the data it quotes: the place, the names and the value as written."""
    for data in (problem.location, problem.indicator, problem.value, problem.field,
                 expected_text(problem.expected, "zh") if _is_list(problem.expected) else None):
        if data:
            line = line.replace(data, " ")
    return line


def _is_list(expected: Optional[str]) -> bool:
    """``expected`` that lists valid names (rules, fields, tier words) rather than saying."""
    return expected is not None and expected_text(expected, "zh") == expected


def test_the_corpus_meets_every_code_it_can() -> None:
    """The files above reach most codes (the rest are tested as templates)."""
    import tempfile

    seen: set[str] = set()
    with tempfile.TemporaryDirectory() as folder:
        for i, make in enumerate(MAKERS.values()):
            sub = Path(folder) / str(i)
            sub.mkdir()
            seen.update(p.code for p in _problems_of(make, sub))
    assert len(seen) >= 20, sorted(seen)
    assert Decimal(len(seen)) > 0


def _audited_forms() -> dict[str, dict[str, object]]:
    ind = {"name": "培训人次", "nature": "≥", "target": "90", "weight": "30", "actual": "95",
           "unit": "人次", "reported_score": "30", "path": ["产出指标", "数量指标"]}
    forms = dict(_bad_forms())
    forms["findings"] = {"reported_total": "99", "reported_grade": "差", "year": 2010, "indicators": [
        {**ind, "reported_score": "31"},
        {**ind, "name": "培训人次", "actual": "500", "reported_score": "20"},
        {**ind, "name": "成本", "nature": "≥", "unit": "", "target": "10", "actual": "10"},
        {**ind, "name": "完成率", "nature": "=", "unit": "%", "target": "100", "actual": "120",
         "weight": "10", "reported_score": "10"},
        {"name": "满意度", "nature": "定性", "weight": "0", "actual": "较好",
         "path": ["满意度指标", "服务对象满意度指标"]},
        {"name": "效果", "weight": "0", "actual": "成效待观察", "judged_score": "0"}]}
    return forms


@pytest.mark.parametrize("name", sorted(_audited_forms()))
def test_every_builtin_finding_speaks_one_language(name: str) -> None:
    import perfrules
    from perfrules import Form

    try:
        form = Form.from_dict(_audited_forms()[name], source=f"{name}.json")
    except InputError:
        return  # a form that cannot be read: its problems are tested above
    report = perfrules.audit(form)
    for finding in report.findings:
        data = [v for v in (finding.location, finding.indicator, finding.found, finding.field)
                if v]
        zh = finding.message("zh") + " " + (expected_text(finding.expected, "zh") or "")
        rest = zh
        for value in sorted(data, key=len, reverse=True):
            rest = rest.replace(value, " ")
        if finding.code != "PR001" or expected_text(finding.expected, "zh") != finding.expected:
            assert not english_words(rest), (finding.code, zh)
        else:
            assert not english_words(finding.message("zh")), (finding.code, zh)
        en = finding.message("en")
        assert not _CHINESE_SAYING.findall(_QUOTED.sub(" ", en)), (finding.code, en)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_audit_page_says_what_is_valid_in_the_run_s_language(lang: str, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]
                                                                ) -> None:
    import json

    from perfrules.cli import main

    form = {"indicators": [
        {"name": "培训人次", "nature": "≥", "target": "90", "weight": "57", "actual": "95"},
        {"name": "满意度", "nature": "≥", "target": "90", "weight": "40", "actual": "95"}]}
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "权重.json").write_text(json.dumps(form, ensure_ascii=False), "utf-8")
    main(["--lang", lang, "audit", str(tmp_path / "in"), "-o", str(tmp_path / "out") + "/"])
    capsys.readouterr()
    page = (tmp_path / "out" / "audit.html").read_text("utf-8")
    assert ("权重合计为 100（允许 ±0.01）" in page) == (lang == "zh")
    assert ("weights summing to 100" in page) == (lang == "en")


def test_a_rule_that_fails_is_reported_in_the_run_s_language() -> None:
    from perfrules._messages import error_text
    from perfrules.exceptions import PluginError

    exc = PluginError("rule 'hubei-steps' (plugin 'perfrules-hubei') failed on indicator '甲' at "
                      "a.json: indicators[0]: ZeroDivisionError: division by zero")
    assert error_text(exc, "zh") == (
        "计分规则 'hubei-steps'（插件 'perfrules-hubei'）计算指标 '甲'（a.json: indicators[0]）时出错"
        "（ZeroDivisionError）")
    assert error_text(exc, "en") == str(exc)
