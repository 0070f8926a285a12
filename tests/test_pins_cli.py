"""A form's own ruleset pin holds on the command line (issue 17, item 3).

``--year/--region`` choose the ruleset of forms that pin none; they never move a
form that names its ruleset. Only an explicit ``--ruleset`` overrides a pin, and
then a notice says so.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import perfrules

PIN = "cn-mof-2020-linear@1"


def _forms(tmp_path: Path) -> tuple[Path, Path]:
    data = perfrules.example().to_dict()
    # a line under target, so that the linear variant and the national ruleset differ
    pinned = dict(data, ruleset=PIN)
    unpinned = {k: v for k, v in data.items() if k != "ruleset"}
    a, b = tmp_path / "pinned.json", tmp_path / "unpinned.json"
    a.write_text(json.dumps(pinned, ensure_ascii=False), "utf-8")
    b.write_text(json.dumps(unpinned, ensure_ascii=False), "utf-8")
    return a, b


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "perfrules", "--lang", "en", *args],
                          capture_output=True, text=True, check=False)


def _ruleset_of(report_json: str) -> str:
    data = json.loads(report_json)
    return str(data["ruleset"])


def test_year_and_region_leave_a_pinned_form_on_its_pin(tmp_path: Path) -> None:
    pinned, unpinned = _forms(tmp_path)
    done = _run("score", str(pinned), "--year", "2022", "--region", "CN", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert _ruleset_of(done.stdout).startswith("cn-mof-2020-linear")
    # the year and region still choose for a form that pins nothing
    done = _run("score", str(unpinned), "--year", "2022", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert _ruleset_of(done.stdout).startswith("cn-mof-2020@") or \
        _ruleset_of(done.stdout) == "cn-mof-2020"


def test_an_explicit_ruleset_overrides_a_pin_with_a_notice(tmp_path: Path) -> None:
    pinned, _ = _forms(tmp_path)
    done = _run("score", str(pinned), "--ruleset", "cn-mof-2020@1", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert not _ruleset_of(done.stdout).startswith("cn-mof-2020-linear")
    assert "pins ruleset cn-mof-2020-linear@1" in done.stderr
    assert "notice" in done.stderr


def test_audit_keeps_a_pin_under_year_and_region(tmp_path: Path) -> None:
    pinned, _ = _forms(tmp_path)
    out = tmp_path / "out"
    done = _run("audit", str(pinned), "--year", "2022", "-o", str(out) + "/", "--jobs", "1")
    assert done.returncode in (0, 1), done.stderr
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert "cn-mof-2020-linear" in json.dumps(summary, ensure_ascii=False)
