from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from perfrules import __version__
from perfrules.cli import main
from tests.test_seed import RATE_EXPLAINED


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_score_example_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", "--example")
    assert code == 0
    assert "总分 99.96  等级 优" in out
    assert "全年预算执行率" in out


def test_text_table_aligns_by_display_width(capsys: pytest.CaptureFixture[str]) -> None:
    from perfrules.io._width import width

    _, out, _ = run(capsys, "score", "--example")
    rows = [ln for ln in out.splitlines() if ln.endswith(("✓", "✗"))]
    assert len(rows) == 21
    # the 得分 column ends at the same display column on every row
    ends = {width(row[: row.rindex(" ", 0, len(row) - 2)]) for row in rows}
    assert len(ends) == 1


def test_score_example_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", "--example", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["total"] == "99.96"
    assert data["grade"] == "优"
    assert data["ruleset"] == "cn-mof-2020"
    first = data["indicators"][0]
    assert first["score"] == "9.96" and first["credit"] == "0.9964" and first["met"] is False
    assert first["rule"] == "execution-rate"
    assert first["explanation"].endswith(RATE_EXPLAINED)
    assert all(item["score"] == "4.50" for item in data["indicators"][1:])
    assert data["provenance"]["perfrules"] == __version__
    assert data["provenance"]["form"]["source"] == "perfrules:examples/xianglushan-2022.json"


def test_json_is_byte_stable(capsys: pytest.CaptureFixture[str]) -> None:
    _, first, _ = run(capsys, "score", "--example", "--format", "json")
    _, second, _ = run(capsys, "score", "--example", "--format", "json")
    assert first == second


def test_explain_english(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", "--example", "--explain", "--lang", "en")
    assert code == 0
    assert "99.64 / 100 × 10 = 9.964 → 9.96 (MOF Caiyu [2020] No. 10, form notes: the execution rate" in out


def test_bad_form_exits_2_with_all_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"indicators": [
        {"name": "甲", "nature": "≥", "target": "95", "weight": "50", "actual": "九十"},
        {"name": "乙", "nature": "约等于", "target": "5", "weight": "50", "actual": "5"},
    ]}, ensure_ascii=False), "utf-8")
    before = bad.read_bytes()
    code, out, err = run(capsys, "score", str(bad))
    assert code == 2
    assert out == ""
    assert "2 个问题" in err and "指标“甲”" in err and "指标“乙”" in err and "actual" in err
    assert "Traceback" not in err
    code, _, err = run(capsys, "--lang", "en", "score", str(bad))
    assert code == 2 and "2 problems" in err and "'甲'" in err and "'乙'" in err
    assert bad.read_bytes() == before  # never modified


def test_good_and_bad_forms_together(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", "utf-8")
    code, out, err = run(capsys, "score", "--example", str(bad))
    assert code == 2
    assert "99.96" in out
    assert "bad.json:1:2" in err


def test_unknown_ruleset_and_usage(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--lang", "en", "score", "--example", "--ruleset", "nope")
    assert code == 2 and "unknown ruleset 'nope'" in err
    code, _, err = run(capsys, "--lang", "zh", "score", "--example", "--ruleset", "nope")
    assert code == 2 and "未知规则集 'nope'" in err
    with pytest.raises(SystemExit) as info:
        main(["score"])
    assert info.value.code == 2 and "--example" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["frobnicate"])
    assert info.value.code == 2


def test_old_binary_formats_say_what_to_do(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = tmp_path / "自评表.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    code, _, err = run(capsys, "--lang", "en", "score", str(old))
    assert code == 2 and "as .xlsx" in err
    code, _, err = run(capsys, "--lang", "zh", "score", str(old))
    assert code == 2 and "另存为 .xlsx" in err


def test_listings(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules")
    assert code == 0 and "at-least" in out and "execution-rate" in out
    code, out, _ = run(capsys, "rulesets")
    assert code == 0 and "cn-mof-2020-linear" in out and "财预〔2020〕10号" in out
    code, out, _ = run(capsys, "plugins")
    assert code == 0 and f"perfrules.builtin.rules {__version__}" in out


def test_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "report.json"
    code, out, _ = run(capsys, "score", "--example", "--format", "json", "-o", str(target))
    assert code == 0 and out == ""
    assert json.loads(target.read_text("utf-8"))["total"] == "99.96"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_python_dash_m_and_version() -> None:
    out = subprocess.run([sys.executable, "-m", "perfrules", "--version"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"perfrules {__version__}"
