"""Hostile input, round two (issue 15): wrong types, out-of-range numbers, option values,
`perfrules test` on broken cases, characters that reorder text, CR-only CSV, YAML that
keeps every character. Each test backs a row of the table in docs/security.md."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import perfrules
from perfrules._numbers import MAX_DIGITS, MAX_EXPONENT, NumberRangeError, parse_number
from perfrules.io._width import terminal

from .test_batch_cli import FORM, form, run, write_form

# -- every wrong type a located problem ---------------------------------------------------


def _raw(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, "utf-8")
    return path


WRONG: dict[str, tuple[str, Any]] = {
    # name: (the field the problem names, a change to the form)
    "year-20222": ("year", {"year": 20222}),
    "year-10e30": ("year", {"year": 10**30}),
    "year-list": ("year", {"year": [2022]}),
    "groups-number": ("groups", {"groups": 5}),
    "groups-item-number": ("groups", {"groups": [5]}),
    "groups-path-dict": ("groups", {"groups": [{"path": {"a": 1}, "weight": "50"}]}),
    "skipped-number": ("skipped", {"skipped": 5}),
    "skipped-item-list": ("skipped", {"skipped": [[1, 2]]}),
    "grade-dict": ("reported_grade", {"reported_grade": {"a": 1}}),
    "title-list": ("title", {"title": ["x"]}),
    "kind-dict": ("kind", {"kind": {"a": 1}}),
}


@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_types_of_the_form_are_located_problems(name: str, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    field, change = WRONG[name]
    path = write_form(tmp_path / f"{name}.json", form(**change))
    code, out, err = run(capsys, "--lang", "en", "score", str(path))
    assert code == 2, out
    assert f"field '{field}'" in err, err
    assert "bug" not in err and "internal" not in err and "writer" not in err
    for fmt in ("text", "json", "html", "markdown"):
        code, out, err = run(capsys, "--lang", "en", "audit", str(path), "--format", fmt)
        assert code in (1, 2), (fmt, err)
        assert "bug" not in out + err and "internal" not in out + err, fmt
        assert field in (out + err).replace("\\_", "_"), fmt


INDICATOR_WRONG: dict[str, tuple[str, Any]] = {
    "unit-dict": ("unit", {"a": 1}),
    "note-list": ("note", [1]),
    "rule-dict": ("rule", {"x": 1}),
    "nature-list": ("nature", ["≥"]),
}


@pytest.mark.parametrize("name", sorted(INDICATOR_WRONG))
def test_wrong_types_of_an_indicator_are_located_problems(
        name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    field, value = INDICATOR_WRONG[name]
    data = form()
    data["indicators"][0][field] = value
    path = write_form(tmp_path / f"{name}.json", data)
    code, _, err = run(capsys, "--lang", "en", "score", str(path))
    assert code == 2
    assert f"field '{field}'" in err and "培训人次" in err, err
    code, out, err = run(capsys, "--lang", "en", "audit", str(path))
    assert code in (1, 2) and "bug" not in out + err


HUGE = {
    "total-1e999999999": '"reported_total": 1e999999999',
    "actual-1e999999999": '"actual": 1e999999999',
    "actual-1e-999999999": '"actual": 1e-999999999',
    "weight-60-digits": '"weight": "' + "6" * 60 + '"',
    "actual-long-text": '"actual": "1' + "0" * 60 + '"',
    "target-tiny-text": '"target": "0.' + "0" * 60 + '1"',
}


@pytest.mark.parametrize("name", sorted(HUGE))
def test_numbers_beyond_a_forms_range_are_refused_where_read(
        name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """1e999999999 ended in MemoryError inside the HTML writer; a total of it crashed an
    audit check. Now each is a problem naming its field, before any writer sees it."""
    field = name.split("-")[0].replace("total", "reported_total")
    text = json.dumps(FORM, ensure_ascii=False)
    key = HUGE[name].split(":")[0]
    old = {'"reported_total"': '"reported_total": "100"', '"actual"': '"actual": "110"',
           '"weight"': '"weight": "60"', '"target"': '"target": "100"'}[key]
    path = _raw(tmp_path, f"{name}.json", text.replace(old, HUGE[name], 1))
    for fmt in ("text", "html", "json", "markdown"):
        code, out, err = run(capsys, "--lang", "en", "score", str(path), "--format", fmt)
        assert code == 2, (fmt, out[:200])
        assert f"field '{field}'" in err, err
        assert "limit max_" in err, err  # the refusal names the limit
    for fmt in ("text", "html", "json"):
        code, out, err = run(capsys, "--lang", "en", "audit", str(path), "--format", fmt)
        assert code in (1, 2) and "bug" not in out + err and "internal" not in out + err
        assert len(out) < 100_000  # never a billion digits spelt out


def test_parse_number_bounds() -> None:
    assert parse_number("9" * MAX_DIGITS) == (Decimal("9" * MAX_DIGITS), None)
    assert parse_number(Decimal(f"1E+{MAX_EXPONENT}"))[0] == Decimal(f"1E+{MAX_EXPONENT}")
    assert parse_number(Decimal(f"1E-{MAX_EXPONENT}"))[0] == Decimal(f"1E-{MAX_EXPONENT}")
    for bad in ("9" * (MAX_DIGITS + 1), Decimal(f"1E+{MAX_EXPONENT + 1}"),
                Decimal(f"1E-{MAX_EXPONENT + 1}"), Decimal("1e999999999"), 10**60, 1e300,
                "1" + "0" * 60 + "万元", "0." + "0" * 55 + "1"):
        with pytest.raises(NumberRangeError) as info:
            parse_number(bad)
        assert "limit max_" in info.value.reason
        assert len(str(info.value)) < 300


def test_a_huge_number_in_a_workbook_cell_is_a_problem_naming_the_cell(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["指标名称", "指标性质", "指标值", "分值", "实际完成值", "得分"])
    sheet.append(["培训人次", "≥", 100, 60, 1e300, 60])
    sheet.append(["服务质量", "定性", "良好", 40, "达成", 40])
    sheet["E2"].number_format = "0%"
    path = tmp_path / "huge.xlsx"
    book.save(path)
    code, _, err = run(capsys, "--lang", "en", "score", str(path))
    assert code == 2
    assert "E2" in err and "limit max_exponent" in err, err


# -- option values -------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "1e400", "abc", ""])
def test_timeout_values_are_validated(value: str, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    """--timeout nan turned the time limit off without a word."""
    path = write_form(tmp_path / "ok.json")
    for lang, words in (("en", "is not a number of seconds"), ("zh", "不是有效的秒数")):
        with pytest.raises(SystemExit) as info:
            run(capsys, "--lang", lang, "audit", str(path), f"--timeout={value}")
        assert info.value.code == 2
        err = capsys.readouterr().err
        assert words in err and "Traceback" not in err


def test_a_negative_timeout_is_a_usage_error(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    path = write_form(tmp_path / "ok.json")
    code, _, err = run(capsys, "--lang", "en", "audit", str(path), "--timeout", "-1")
    assert code == 2 and "--timeout must be 0 (no limit) or more seconds" in err


def test_timeout_zero_and_fractions_are_valid(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = write_form(tmp_path / "ok.json")
    for value in ("0", "0.5", "30", "1_000"):
        code, _, err = run(capsys, "audit", str(path), "--timeout", value)
        assert code == 0, err


# -- perfrules test ------------------------------------------------------------------------


def _case(path: Path, **changes: Any) -> Path:
    data = {"description": "ok", "form": FORM, "expect": {"total": "100.00"}}
    data.update(changes)
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    return path


def test_perfrules_test_reports_each_case_on_its_own(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """A 20,000-deep case ended the run in a RecursionError with no result for the others."""
    folder = tmp_path / "cases"
    folder.mkdir()
    text = json.dumps({"description": "deep", "form": FORM, "expect": {"total": "100.00"}},
                      ensure_ascii=False)
    (folder / "a_deep.json").write_text(
        text.replace('"expect"', '"x": ' + "[" * 20000 + "]" * 20000 + ', "expect"'), "utf-8")
    (folder / "b_deep_form.json").write_text(
        text.replace('"indicators": [', '"indicators": [' + "[" * 20000 + "]" * 20000 + ", "),
        "utf-8")
    (folder / "c_list.json").write_text("[1, 2]", "utf-8")
    (folder / "d_expect.json").write_text(text.replace('{"total": "100.00"}', '"x"'), "utf-8")
    _case(folder / "e_ok.json")
    code, out, err = run(capsys, "--lang", "en", "test", str(folder))
    assert code == 1, err
    lines = out.splitlines()
    assert [ln.split()[0] for ln in lines if ln.startswith(("PASS", "FAIL"))] == [
        "FAIL", "FAIL", "FAIL", "FAIL", "PASS"]
    assert "deeper than" in out
    assert lines[-1] == "1 passed, 4 failed"
    assert "Traceback" not in err and "internal" not in err


def test_perfrules_test_output_cannot_be_forged(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """A case's description with ESC sequences and a newline could print a fake green PASS."""
    fake = "ok\x1b[2K\r\x1b[32mPASS\x1b[0m all.json\n3 passed, 0 failed\u202e\U000e0041"
    _case(tmp_path / "c.json", description=fake)
    _case(tmp_path / "f.json", description="x", expect={"total": fake})
    code, out, _ = run(capsys, "--lang", "en", "test", str(tmp_path / "c.json"),
                       str(tmp_path / "f.json"))
    assert code == 1
    assert "\x1b" not in out and "\r" not in out and "\u202e" not in out
    assert "\\x1b[32mPASS" in out and "\\u202e" in out and "\\U000e0041" in out
    assert out.count("\n") == 4  # two results, one failure line, the count


# -- characters that reorder or hide text ----------------------------------------------------

HIDDEN = ["\u061c", "\u200e", "\u200f", *map(chr, range(0x202A, 0x202F)),
          *map(chr, range(0x2066, 0x2070)), "\U000e0001", "\U000e0041", "\U000e007f"]


@pytest.mark.parametrize("ch", HIDDEN, ids=lambda c: f"U+{ord(c):04X}")
def test_bidi_controls_and_tags_are_shown_escaped(ch: str, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    shown = terminal(f"a{ch}b")
    assert ch not in shown and shown.startswith("a\\") and shown.endswith("b")
    data = form(title=f"标题{ch}")
    data["indicators"][0]["name"] = f"培训{ch}人次"
    path = write_form(tmp_path / "bidi.json", data)
    code, out, _ = run(capsys, "score", str(path))
    assert code == 0 and ch not in out
    code, out, _ = run(capsys, "audit", str(path))
    assert ch not in out


# -- CSV and YAML ------------------------------------------------------------------------------


def test_csv_with_cr_only_line_ends_is_read(tmp_path: Path) -> None:
    rows = ["指标名称,指标性质,指标值,分值,实际完成值,得分", "培训人次,≥,100,60,110,60",
            "服务质量,定性,良好,40,达成,40"]
    path = tmp_path / "mac.csv"
    path.write_bytes("\r".join(rows).encode("utf-8") + b"\r")
    lf = tmp_path / "lf.csv"
    lf.write_bytes("\n".join(rows).encode("utf-8") + b"\n")
    assert perfrules.score(perfrules.load(path)).total == Decimal("100.00")
    assert perfrules.load(path).content_hash() == perfrules.load(lf).content_hash()


FRAGILE = ["\x85标题", "标题\x85", "a\u2028b", "a\u2029b", " lead", "trail ", "a\r\nb", "\tx",
           "\ufeffbom", "a\x7fb", "- x", "'q'", '"d"', "yes", "null", "1.5", "#c", "a: b"]


@pytest.mark.parametrize("text", FRAGILE, ids=repr)
def test_convert_to_yaml_keeps_every_character(text: str, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("yaml")
    data = form(title=text, organization=text)
    data["indicators"][0]["note"] = text
    source = write_form(tmp_path / "in.json", data)
    code, _, err = run(capsys, "convert", str(source), "-o", str(tmp_path / "out.yaml"))
    assert code == 0, err
    back = perfrules.load(tmp_path / "out.yaml")
    assert back.title == text and back.indicators[0].note == text
    assert back.content_hash() == perfrules.load(source).content_hash()


@settings(max_examples=60, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12))
def test_convert_to_yaml_round_trips_any_title(text: str) -> None:
    pytest.importorskip("yaml")
    import tempfile

    from perfrules.cli import main

    with tempfile.TemporaryDirectory() as tmp:
        source = write_form(Path(tmp) / "in.json", form(title=text))
        assert main(["convert", str(source), "-o", str(Path(tmp) / "out.yaml")]) == 0
        assert perfrules.load(Path(tmp) / "out.yaml").title == text
