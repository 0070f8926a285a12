"""Every score perfrules gives, byte for byte: a score changes only on purpose.

For every golden case (``tests/cases/*.json``) and for the bundled example,
the report — scores, credits, rules, explanations in both languages, audit
findings — is compared with a file committed under ``tests/snapshots/``.
Provenance (versions and hashes) is left out: it changes with every release
without a score changing.

A difference fails with a diff of what changed. When the change is meant
(a new ruleset version listed under "Rule changes" in CHANGELOG.md, or an
explanation worded better), regenerate the files and commit them with it::

    PERFRULES_UPDATE_SNAPSHOT=1 python -m pytest tests/test_score_snapshot.py

The numbers of the seed and the content of each shipped ruleset are also
pinned by hash in ``tests/test_pins.py``.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import perfrules
from perfrules import _registry
from perfrules.cli import main
from perfrules.exceptions import FormError

HERE = Path(__file__).parent
CASES = sorted((HERE / "cases").glob("*.json"))
SNAPSHOTS = HERE / "snapshots"
UPDATE = os.environ.get("PERFRULES_UPDATE_SNAPSHOT") == "1"


def compare(path: Path, text: str) -> None:
    """Fail with a unified diff when ``text`` differs from the snapshot at ``path``."""
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8", newline="\n")
        return
    if not path.exists():
        pytest.fail(f"no snapshot {path.relative_to(HERE)}: "
                    "run PERFRULES_UPDATE_SNAPSHOT=1 python -m pytest tests/test_score_snapshot.py")
    expected = path.read_text("utf-8")
    if text != expected:
        diff = "".join(difflib.unified_diff(
            expected.splitlines(keepends=True), text.splitlines(keepends=True),
            fromfile=f"{path.relative_to(HERE)} (committed)", tofile="now", n=2))
        pytest.fail(f"{path.relative_to(HERE)} changed: a score or its explanation is not what "
                    "it was. If this is meant, it needs a new ruleset version and a 'Rule "
                    "changes' entry (scores) or a CHANGELOG entry (wording); then regenerate "
                    "with PERFRULES_UPDATE_SNAPSHOT=1.\n" + diff[:6000], pytrace=False)


def dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def without_provenance(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "provenance"}


def case_snapshot(path: Path, registry: perfrules.Registry) -> dict[str, Any]:
    case = json.loads(path.read_text("utf-8"), parse_float=Decimal)
    form = perfrules.Form.from_dict(case["form"], source=path.name)
    ruleset = case.get("ruleset")
    out: dict[str, Any] = {"description": case.get("description", "")}
    try:
        report = perfrules.score(form, ruleset, registry=registry)
    except FormError as exc:
        out["problems"] = [{"code": p.code, "indicator": p.indicator, "field": p.field,
                            "location": p.location, "value": p.value, "expected": p.expected,
                            "message": p.message} for p in exc.problems]
    else:
        out["report"] = without_provenance(report.to_dict())
        out["explain_en"] = report.explain("en").splitlines()
    out["audit"] = perfrules.audit(form, ruleset, registry=registry).to_dict()
    return out


def test_there_is_a_snapshot_for_every_case_and_no_stale_one() -> None:
    if UPDATE:
        pytest.skip("regenerating")
    have = {p.stem for p in (SNAPSHOTS / "cases").glob("*.json")}
    assert have == {p.stem for p in CASES}, (
        "cases without a snapshot, or snapshots without a case: "
        f"{sorted(have ^ {p.stem for p in CASES})}")


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case_report(path: Path, registry: perfrules.Registry) -> None:
    compare(SNAPSHOTS / "cases" / path.name, dump(case_snapshot(path, registry)))


EXAMPLE_OUTPUTS = {
    "example.txt": ["score", "--example", "--explain"],
    "example.en.txt": ["score", "--example", "--explain", "--lang", "en"],
    "example.json": ["score", "--example", "--format", "json"],
    "example.md": ["score", "--example", "--format", "markdown"],
    "example.audit.json": ["audit", "xianglushan-2022.json", "--format", "json"],
}


def strip_provenance(name: str, text: str) -> str:
    if name.endswith(".json"):
        data = json.loads(text)
        if isinstance(data, dict):
            data = without_provenance(data)
        return dump(data)
    if name.endswith(".md"):
        return "".join(line for line in text.splitlines(keepends=True)
                       if not line.startswith("<sub>perfrules "))
    return text


@pytest.mark.parametrize("name", sorted(EXAMPLE_OUTPUTS))
def test_example_report(name: str, capsys: pytest.CaptureFixture[str],
                        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # the built-ins only, whatever is installed; the audit reads a copy of the
    # example by a relative name, so that no machine's path is in the output
    monkeypatch.setenv("PERFRULES_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setattr(_registry, "_default", None)
    shutil.copy(perfrules.example_path(), tmp_path / "xianglushan-2022.json")
    monkeypatch.chdir(tmp_path)
    code = main(EXAMPLE_OUTPUTS[name])
    out = capsys.readouterr().out
    assert code == 0, out
    compare(SNAPSHOTS / name, strip_provenance(name, out))
