"""docs/plugin-guide.md stays true: its code runs, its code tables are complete."""

from __future__ import annotations

import doctest
import importlib.util
import re
import types
from pathlib import Path
from typing import Any, Callable

import pytest

import perfrules
from perfrules.plugin import CORE_TEMPLATES, hookimpl
from tests.test_api_snapshot import problem_codes

GUIDE = Path(__file__).parent.parent / "docs" / "plugin-guide.md"
TEXT = GUIDE.read_text("utf-8")
HUBEI = importlib.util.find_spec("perfrules_hubei") is not None


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"^```{re.escape(lang)}\n(.*?)^```$", TEXT, re.S | re.M)


def _section(title: str) -> str:
    start = TEXT.index(f"## Reference: {title}")
    end = TEXT.find("\n## ", start + 1)
    return TEXT[start:] if end < 0 else TEXT[start:end]


def _rows(section: str) -> dict[str, list[str]]:
    """A table's rows by the code in their first cell: code -> the other cells."""
    rows: dict[str, list[str]] = {}
    for line in section.splitlines():
        match = re.match(r"^\| `([^`]+)` \|(.*)\|$", line)
        if match:
            rows[match.group(1)] = [cell.strip() for cell in match.group(2).split("|")]
    return rows


def _builtin_step_templates() -> dict[str, tuple[set[str], dict[str, str]]]:
    """Every step code of the engine and the built-in rules: code -> (who, templates)."""
    registry = perfrules.Registry(entry_points=False)
    found: dict[str, tuple[set[str], dict[str, str]]] = {
        code: ({"engine"}, dict(table)) for code, table in CORE_TEMPLATES.items()}
    for name in registry.rules:
        if not (registry.owner("rule", name) or "").startswith("perfrules.builtin."):
            continue
        for code, table in registry.templates(name).items():
            who, templates = found.setdefault(code, (set(), dict(table)))
            assert templates == dict(table), f"step {code!r} has two texts"
            who.add(name)
    return found


def test_every_builtin_step_code_is_in_the_guide() -> None:
    rows = _rows(_section("built-in step codes"))
    found = _builtin_step_templates()
    missing = sorted(set(found) - set(rows))
    assert not missing, f"step codes missing from docs/plugin-guide.md: {missing}"
    assert not sorted(set(rows) - set(found)), "the guide lists step codes that no longer exist"
    for code, (who, templates) in found.items():
        recorded_by, _arguments, zh, en = rows[code]
        assert {w.strip() for w in recorded_by.split(",")} == who, code
        assert zh == templates["zh"].strip() and en == templates["en"].strip(), \
            f"step {code!r}: the guide shows {zh!r} / {en!r}, the code {templates}"


def test_every_problem_code_is_in_the_guide() -> None:
    rows = _rows(_section("problem codes"))
    codes = problem_codes()
    missing = sorted(codes - set(rows))
    assert not missing, f"problem codes missing from docs/plugin-guide.md: {missing}"
    assert not sorted(set(rows) - codes), "the guide lists problem codes no source writes"
    assert all(cells and cells[0] for cells in rows.values())  # each with its meaning


def test_the_doctests_run() -> None:
    """The {doctest} blocks, in order, in one namespace (as sphinx -b doctest runs them)."""
    blocks = _blocks("{doctest}")
    assert len(blocks) >= 4
    parser = doctest.DocTestParser()
    globs: dict[str, Any] = {"__name__": "plugin_guide"}
    exec("import perfrules\nfrom perfrules import normalize_weights", globs)  # conf.py's setup
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    test = parser.get_doctest("\n".join(blocks), globs, "plugin-guide", str(GUIDE), 0)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted > 10 and result.failed == 0


def _module(code: str, name: str) -> types.ModuleType:
    module = types.ModuleType(name)
    exec(compile(code, f"{GUIDE}:{name}", "exec"), module.__dict__)
    return module


def test_every_python_block_runs() -> None:
    blocks = _blocks("python")
    assert len(blocks) == 3
    for i, code in enumerate(blocks):
        if "perfrules_hubei" in code and not HUBEI:
            continue  # needs the example plugin: test_the_hubei_blocks_work runs it
        _module(code, f"block{i}")


@pytest.mark.skipif(not HUBEI, reason="needs examples/perfrules-hubei installed")
def test_the_hubei_blocks_work(monkeypatch: pytest.MonkeyPatch,
                               perfrules_check_rule: Callable[..., None],
                               perfrules_registry: perfrules.Registry) -> None:
    monkeypatch.delenv("PERFRULES_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    monkeypatch.delenv("PERFRULES_PLUGINS", raising=False)
    from perfrules_hubei import SteppedDeduction

    class Rule:  # the blocks register rulesets; the rule they map comes from the plugin
        @hookimpl
        def perfrules_register_rules(self, register: Callable[[object], None]) -> None:
            register(SteppedDeduction())

    loading, testing, versioning = _blocks("python")
    registry = perfrules.Registry([_module(loading, "guide_loading"), Rule()],
                                  entry_points=False)
    assert registry.owner("ruleset", "cn-hb-2023@1") == "guide_loading"
    # the tests the guide shows pass as written
    tests = _module(testing, "guide_testing")
    tests.test_loaded_through_its_entry_point()
    tests.test_conforms(perfrules_check_rule, perfrules_registry)
    # version 2 beside version 1: a plain id means the latest
    registry = perfrules.Registry([_module(versioning, "guide_versions"), Rule()],
                                  entry_points=False)
    assert registry.ruleset("cn-hb-2023").ref == "cn-hb-2023@2"
    assert registry.ruleset("cn-hb-2023@1").param("step_points") == "0.5"


def test_the_included_files_exist() -> None:
    for path in re.findall(r"^```\{literalinclude\} (\S+)$", TEXT, re.M):
        assert (GUIDE.parent / path).is_file(), path
