"""Batches that survive anything one file does (issue 9), and several forms per file (issue 7).

Each test runs the command line in-process through ``perfrules.cli.main``;
files are audited in worker processes that inherit the test's registry.
"""

from __future__ import annotations

import copy
import json
import os
import stat
import time
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import attrs
import pytest

import perfrules
from perfrules.cli import main
from perfrules.hookspecs import hookimpl
from perfrules.io._output import safe_name
from perfrules.plugin import Outcome

from . import builders

FORM: dict[str, Any] = {
    "title": "清洁表", "reported_total": "100",
    "indicators": [
        {"name": "培训人次", "path": ["产出指标", "数量指标"], "unit": "人次", "nature": "≥",
         "target": "100", "weight": "60", "actual": "110", "reported_score": "60"},
        {"name": "服务质量", "path": ["产出指标", "质量指标"], "nature": "定性", "target": "良好",
         "weight": "40", "actual": "达成", "reported_score": "40"},
    ],
}


def form(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(FORM)
    data.update(changes)
    return data


def write_form(path: Path, data: dict[str, Any] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data or FORM, ensure_ascii=False), "utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


# -- test plugins -------------------------------------------------------------------------


@attrs.frozen
class SlowReader:
    """Takes far longer than any time limit a test sets."""

    name: str = "slow"
    extensions: tuple[str, ...] = (".slow",)

    def read(self, path: Path) -> perfrules.Form:
        time.sleep(60)
        raise AssertionError("unreachable")  # pragma: no cover


@attrs.frozen
class DyingReader:
    """Takes its process down, as a crash in a C extension would."""

    name: str = "dying"
    extensions: tuple[str, ...] = (".dying",)

    def read(self, path: Path) -> perfrules.Form:
        os._exit(3)


@attrs.frozen
class TwoFormsReader:
    """A file holding two forms (as a workbook with two sheets does)."""

    name: str = "two"
    extensions: tuple[str, ...] = (".two",)

    def read(self, path: Path) -> perfrules.Form:  # pragma: no cover - load_all uses read_all
        return self.read_all(path)[0]

    def read_all(self, path: Path) -> tuple[perfrules.Form, ...]:
        good = perfrules.Form.from_dict(FORM, source=f"{path}!项目甲")
        bad = perfrules.Form.from_dict(form(reported_total="90"), source=f"{path}!项目/乙")
        return (good, bad)


@attrs.frozen
class BoomRule:
    """A plugin rule that raises on every line."""

    name: str = "boom"
    natures: frozenset[str] = frozenset({"≥"})

    def score(self, indicator: perfrules.Indicator, ruleset: perfrules.RuleSet) -> Outcome:
        raise RuntimeError("boom")


class Plugin:
    __version__ = "1.0"

    @hookimpl
    def perfrules_register_formats(self, register: Callable[[Any], None]) -> None:
        register(SlowReader())
        register(DyingReader())
        register(TwoFormsReader())

    @hookimpl
    def perfrules_register_rules(self, register: Callable[[Any], None]) -> None:
        register(BoomRule())

    @hookimpl
    def perfrules_register_rulesets(self, register: Callable[[Any], None]) -> None:
        register({"id": "test-boom", "extends": "cn-mof-2020@1", "rules": {"≥": "boom"},
                  "citation": "测试"})


@pytest.fixture
def plugged(monkeypatch: pytest.MonkeyPatch) -> perfrules.Registry:
    """The command line with the test plugin loaded (workers inherit it)."""
    reg = perfrules.Registry([Plugin()], entry_points=False)
    monkeypatch.setattr("perfrules.cli.get_registry", lambda: reg)
    return reg


# -- isolation and time limits ----------------------------------------------------------


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_slow_file_is_cut_off_and_the_batch_goes_on(
        plugged: perfrules.Registry, tmp_path: Path, jobs: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    write_form(folder / "a.json")
    (folder / "b.slow").write_text("x", "utf-8")
    write_form(folder / "c.json")
    started = time.monotonic()
    code, out, _ = run(capsys, "audit", str(folder), "--format", "json", "--timeout", "0.5",
                       "--jobs", jobs)
    assert time.monotonic() - started < 15
    assert code == 2  # refused form, not "findings"
    data = json.loads(out)
    errors = {Path(f["file"]).name: f.get("error") for f in data["forms"]}
    assert list(errors) == ["a.json", "b.slow", "c.json"]
    assert errors["a.json"] is None and errors["c.json"] is None
    assert "longer than 0.5 seconds" in errors["b.slow"] and "--timeout" in errors["b.slow"]


def test_a_worker_that_dies_is_replaced(plugged: perfrules.Registry, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    (folder / "a.dying").parent.mkdir()
    (folder / "a.dying").write_text("x", "utf-8")
    write_form(folder / "b.json")
    code, out, _ = run(capsys, "audit", str(folder), "--format", "json")
    assert code == 2
    forms = json.loads(out)["forms"]
    assert "stopped" in forms[0]["error"] and "exit code 3" in forms[0]["error"]
    assert forms[1]["total"] == "100.00"


def test_a_plugin_rule_that_raises_is_that_forms_error(
        plugged: perfrules.Registry, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_form(tmp_path / "in" / "boom.json", form(ruleset="test-boom"))
    write_form(tmp_path / "in" / "fine.json")
    code, out, _ = run(capsys, "audit", str(tmp_path / "in"), "--format", "json")
    assert code == 2
    boom, fine = json.loads(out)["forms"]
    assert "boom" in boom["error"]
    assert fine["total"] == "100.00"
    code, out, err = run(capsys, "score", str(tmp_path / "in" / "boom.json"),
                         str(tmp_path / "in" / "fine.json"))
    assert code == 2 and "boom" in err and "Traceback" not in err
    assert "总分 100.00" in out


def test_no_limit_runs_in_process(plugged: perfrules.Registry, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("perfrules._pool._Pool", None)  # no worker may be started
    write_form(tmp_path / "a.json")
    code, out, _ = run(capsys, "audit", str(tmp_path / "a.json"), "--timeout", "0", "--jobs", "1")
    assert code == 0 and "错误 0" in out


def test_bad_options_are_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_form(tmp_path / "a.json")
    assert run(capsys, "audit", str(path), "--jobs", "0")[0] == 2
    assert run(capsys, "audit", str(path), "--timeout", "-1")[0] == 2
    with pytest.raises(SystemExit) as info:
        main(["audit", str(path), "--max-cells", "lots"])
    assert info.value.code == 2
    capsys.readouterr()


def test_max_cells_reaches_the_readers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "form.yaml"
    path.write_text(json.dumps(FORM, ensure_ascii=False), "utf-8")  # JSON is YAML
    code, out, _ = run(capsys, "audit", str(path), "--max-cells", "10")
    assert code == 2 and "上限 max_cells 为 10" in out and "--max-cells" in out
    assert "PERFRULES_MAX_CELLS" not in os.environ  # the option does not leak
    assert run(capsys, "audit", str(path))[0] == 0


# -- what a folder holds ----------------------------------------------------------------


def test_unreadable_entries_are_reported_not_skipped(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    write_form(folder / "ok.json")
    os.mkfifo(folder / "pipe.json")
    outside = write_form(tmp_path / "elsewhere" / "secret.json")
    (folder / "link.json").symlink_to(outside)
    inside = folder / "inner.json"
    inside.symlink_to(folder / "ok.json")
    code, out, _ = run(capsys, "audit", str(folder), "--format", "json")
    assert code == 2
    forms = {Path(f["file"]).name: f for f in json.loads(out)["forms"]}
    assert "FIFO" in forms["pipe.json"]["error"]
    assert "--follow-symlinks" in forms["link.json"]["error"]
    assert forms["inner.json"]["total"] == "100.00"  # a link inside the folder is read
    code, out, _ = run(capsys, "audit", str(folder), "--format", "json", "--follow-symlinks")
    forms = {Path(f["file"]).name: f for f in json.loads(out)["forms"]}
    assert forms["link.json"]["total"] == "100.00"


def test_unreadable_folder_and_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    write_form(folder / "ok.json")
    locked = folder / "locked"
    write_form(locked / "hidden.json")
    secret = write_form(folder / "secret.json")
    secret.chmod(0)
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):
            pytest.skip("running as a user who can read any file (root)")
        code, out, _ = run(capsys, "audit", str(folder), "--format", "json")
    finally:
        locked.chmod(stat.S_IRWXU)
        secret.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert code == 2
    forms = {Path(f["file"]).name: f for f in json.loads(out)["forms"]}
    assert "cannot list the folder" in forms["locked"]["error"]
    assert "cannot read" in forms["secret.json"]["error"]
    assert forms["ok.json"]["total"] == "100.00"


def test_non_utf8_file_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    raw = os.path.join(os.fsencode(folder), "自评".encode("gbk") + b".json")
    with open(raw, "wb") as fh:
        fh.write(json.dumps(FORM).encode("utf-8"))
    write_form(folder / "b.json")
    out_dir = tmp_path / "out"
    for fmt in ("text", "json", "markdown", "html"):
        code, out, _ = run(capsys, "audit", str(folder), "--format", fmt)
        assert code == 0, fmt
        assert "\ufffd" in out, fmt
    code, out, _ = run(capsys, "audit", str(folder), "-o", f"{out_dir}/")
    assert code == 0
    assert "\ufffd" in (out_dir / "summary.csv").read_text("utf-8-sig")
    code, out, _err = run(capsys, "score", os.fsdecode(raw), "--format", "json")
    assert code == 0 and json.loads(out)["provenance"]["form"]["source"].endswith("\ufffd.json")


# -- outputs -----------------------------------------------------------------------------


def test_own_outputs_are_not_read_back(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "forms"
    for sub in ("a", "b"):
        (folder / sub).mkdir(parents=True)
        builders.seed_xlsx(folder / sub / "自评表.xlsx")
    before = tree(folder)
    first = run(capsys, "audit", str(folder), "-o", f"{folder}/", "--format", "xlsx")
    second = run(capsys, "audit", str(folder), "-o", f"{folder}/", "--format", "xlsx")
    assert first == second
    assert first[0] == 0
    written = set(tree(folder)) - set(before)
    assert written == {"summary.csv", "summary.json", "findings.jsonl", "audit.html",
                       "a/自评表.audit.xlsx", "b/自评表.audit.xlsx"}
    assert all(tree(folder)[name] == data for name, data in before.items())
    # an output folder inside the input folder is skipped as a whole
    run(capsys, "audit", str(folder / "a"), "-o", str(folder / "a" / "out") + "/", "--format",
        "xlsx")
    code, out, _ = run(capsys, "audit", str(folder / "a"), "--format", "json")
    assert code == 0
    assert [Path(f["file"]).name for f in json.loads(out)["forms"]] == ["自评表.xlsx"]


def test_annotated_copies_never_collide(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for sub in ("a", "b"):
        (tmp_path / "in" / sub).mkdir(parents=True)
        builders.seed_xlsx(tmp_path / "in" / sub / "自评表.xlsx")
    out_dir = tmp_path / "out"
    code, _, _ = run(capsys, "audit", str(tmp_path / "in"), "-o", f"{out_dir}/", "--format",
                     "xlsx")
    assert code == 0
    assert (out_dir / "a" / "自评表.audit.xlsx").exists()
    assert (out_dir / "b" / "自评表.audit.xlsx").exists()


@pytest.mark.parametrize("command", ["score", "audit", "convert"])
def test_output_never_overwrites_an_input(tmp_path: Path, command: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = write_form(tmp_path / "form.json")
    before = path.read_bytes()
    code, _, err = run(capsys, command, str(path), "-o", str(path))
    assert code == 2
    assert "输入文件从不覆盖" in err and "Traceback" not in err
    assert path.read_bytes() == before
    code, _, err = run(capsys, "--lang", "en", command, str(path), "-o", str(path))
    assert code == 2 and "never overwritten" in err
    assert path.read_bytes() == before


def test_audit_output_into_input_folder_as_summary(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    write_form(folder / "summary.json")
    code, _, err = run(capsys, "audit", str(folder / "summary.json"), "-o", f"{folder}/")
    assert code == 2 and "输入文件从不覆盖" in err


def test_output_folders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_form(tmp_path / "form.json")
    folder = tmp_path / "existing"
    folder.mkdir()
    code, _, err = run(capsys, "score", str(path), "-o", str(folder))
    assert code == 2 and "是文件夹" in err and "Traceback" not in err
    code, _, err = run(capsys, "audit", str(path), "--format", "json", "-o", str(folder))
    assert code == 0 and (folder / "summary.json").exists()  # audit: a folder of outputs
    deep = tmp_path / "missing" / "deeper" / "report.json"
    code, _, _ = run(capsys, "score", str(path), "--format", "json", "-o", str(deep))
    assert code == 0 and json.loads(deep.read_text("utf-8"))["total"] == "100.00"
    code, _, _ = run(capsys, "audit", str(path), "-o", str(tmp_path / "new" / "dir") + "/")
    assert code == 0 and (tmp_path / "new" / "dir" / "summary.csv").exists()


def test_outputs_honour_the_umask(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_form(tmp_path / "form.json")
    old = os.umask(0o022)
    try:
        run(capsys, "score", str(path), "-o", str(tmp_path / "r.txt"))
        run(capsys, "audit", str(path), "-o", str(tmp_path / "out") + "/")
        os.umask(0o077)
        run(capsys, "score", str(path), "-o", str(tmp_path / "private.txt"))
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "r.txt").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "out" / "summary.csv").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "private.txt").stat().st_mode) == 0o600


# -- several forms in one file (issue 7 item 4) ---------------------------------------------


def test_audit_has_a_row_per_form(plugged: perfrules.Registry, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "book.two"
    book.write_text("x", "utf-8")
    out_dir = tmp_path / "out"
    code, out, _ = run(capsys, "audit", str(book), "-o", f"{out_dir}/")
    assert code == 1  # the second form's reported total is wrong
    assert "book.two [项目甲]" in out and "book.two [项目/乙]" in out
    rows = (out_dir / "summary.csv").read_text("utf-8-sig").splitlines()
    assert len(rows) == 3 and rows[1].endswith(",项目甲") and rows[2].endswith(",项目/乙")
    forms = json.loads((out_dir / "summary.json").read_text("utf-8"))["forms"]
    assert [f["form"] for f in forms] == ["项目甲", "项目/乙"]


def test_score_writes_one_output_per_form(plugged: perfrules.Registry, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "book.two"
    book.write_text("x", "utf-8")
    code, out, _ = run(capsys, "score", str(book))
    assert code == 0 and out.count("总分 100.00") == 2
    code, _, _ = run(capsys, "score", str(book), "--format", "html", "-o",
                     str(tmp_path / "report.html"))
    assert code == 0
    assert sorted(p.name for p in tmp_path.glob("report*")) == sorted([  # / made safe: hashed
        safe_name("report-项目/乙", ".html"), "report-项目甲.html"])
    single = write_form(tmp_path / "single.json")
    code, _, _ = run(capsys, "score", str(book), str(single), "--format", "xlsx", "-o",
                     str(tmp_path / "x") + "/")
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "x").iterdir()) == sorted([
        safe_name("book-项目/乙", ".xlsx"), "book-项目甲.xlsx", "single.xlsx"])
    code, out, _ = run(capsys, "score", str(book), "--format", "json")
    assert [r["total"] for r in json.loads(out)] == ["100.00", "100.00"]


def test_several_forms_to_one_binary_output_need_names(
        plugged: perfrules.Registry, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = tmp_path / "book.two"
    book.write_text("x", "utf-8")
    code, _, _ = run(capsys, "score", str(book), "--format", "xlsx", "-o", str(tmp_path / "r.xlsx"))
    assert code == 0
    assert sorted(p.name for p in tmp_path.glob("r-*.xlsx")) == sorted([
        safe_name("r-项目/乙", ".xlsx"), "r-项目甲.xlsx"])


def test_reports_of_huge_numbers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = form()
    data["indicators"][0].update(target="1" + "0" * 40, actual="2" + "0" * 40)
    path = write_form(tmp_path / "big.json", data)
    for fmt in ("text", "json", "markdown", "html"):
        code, _out, err = run(capsys, "score", str(path), "--format", fmt)
        assert code == 0, (fmt, err)
        assert "Traceback" not in err
    code, _, err = run(capsys, "score", str(path), "--format", "xlsx", "-o", str(tmp_path / "b.xlsx"))
    assert code == 0, err
    assert Decimal(json.loads(run(capsys, "score", str(path), "--format", "json")[1])
                   ["total"]) == 100


def test_unreadable_entries_even_as_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """The chmod test above, for a user who can read anything: the OS refusing is simulated."""
    folder = tmp_path / "in"
    write_form(folder / "ok.json")
    write_form(folder / "locked" / "hidden.json")
    secret = write_form(folder / "secret.json")
    real_scandir, real_read = os.scandir, Path.read_bytes

    def scandir(path: Any) -> Any:
        if os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    def read_bytes(self: Path) -> bytes:
        if self.name == secret.name:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read(self)

    monkeypatch.setattr("perfrules._auditing.os.scandir", scandir)
    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    code, out, _ = run(capsys, "audit", str(folder), "--format", "json")
    assert code == 2
    forms = {Path(f["file"]).name: f for f in json.loads(out)["forms"]}
    assert forms["locked"]["error"] == "cannot list the folder: Permission denied"
    assert "cannot read the file: Permission denied" in forms["secret.json"]["error"]
    assert forms["ok.json"]["total"] == "100.00"


def test_error_rows_name_the_file_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_form(tmp_path / "自评表.json", form(indicators="x"))
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", "utf-8")
    code, out, _ = run(capsys, "audit", str(path), str(bad), "--format", "json")
    assert code == 2
    first, second = json.loads(out)["forms"]
    assert first["error"].startswith("field 'indicators': ")
    assert second["error"].startswith(f"{bad}:1:2: not valid JSON")  # the place in the file stays


def test_a_workbook_with_two_forms(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import openpyxl

    book = builders.seed_xlsx(tmp_path / "两表.xlsx")
    wb = openpyxl.load_workbook(book)
    second = wb.copy_worksheet(wb["自评表"])
    second.title = "项目B"
    second["H7"] = 4.0  # a line score that does not add up, on the second sheet only
    wb.save(book)
    code, out, _ = run(capsys, "score", str(book))
    assert code == 0
    assert f"== {book} [自评表] ==" in out and f"== {book} [项目B] ==" in out
    out_dir = tmp_path / "out"
    code, _, _ = run(capsys, "audit", str(book), "-o", f"{out_dir}/", "--format", "xlsx")
    assert code == 1
    copy = openpyxl.load_workbook(out_dir / "两表.audit.xlsx")
    assert copy["自评表"]["H7"].comment is None
    assert "PR002" in copy["项目B"]["H7"].comment.text


def test_folders_nested_deeper_than_python_recurses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    depth = 1050  # deeper than Python's default recursion limit (1000)
    (tmp_path / "in").mkdir()
    monkeypatch.chdir(tmp_path / "in")
    for _ in range(depth):
        os.mkdir("d")
        os.chdir("d")
    monkeypatch.chdir(tmp_path)
    write_form(tmp_path / "in" / "a.json")
    try:
        code, out, _ = run(capsys, "audit", str(tmp_path / "in"), "--format", "json")
    finally:  # remove the chain here: pytest's own clean-up recurses and would fail on it
        os.chdir(tmp_path / "in")
        for _ in range(depth):
            os.chdir("d")
        for _ in range(depth):
            os.chdir("..")
            os.rmdir("d")
        monkeypatch.chdir(tmp_path)
    assert code == 0
    assert json.loads(out)["forms"][0]["file"].endswith("a.json")


def test_a_plugin_that_exits_is_not_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """sys.exit(1) inside a plugin would read as "findings" to a pipeline."""
    def exiting(*args: Any, **kwargs: Any) -> Any:
        raise SystemExit(1)

    path = write_form(tmp_path / "a.json")
    monkeypatch.setattr("perfrules.cli.score", exiting)
    code, _, err = run(capsys, "score", str(path))
    assert code == 2 and "SystemExit" in err
    monkeypatch.setattr("perfrules._auditing.audit", exiting)
    assert run(capsys, "audit", str(path), "--timeout", "0")[0] == 2
    assert run(capsys, "audit", str(path))[0] == 2  # in a worker
