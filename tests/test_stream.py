"""The batch engine in the library (issue 17) and the streaming audit (issue 18).

Results come back in input order whatever order the workers finish in; a
registry built in Python reaches spawned workers by its plugins' names; the
audit's outputs are written form by form, and a long HTML report is a
summary page and pages.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

import perfrules
from perfrules import _pool
from perfrules.cli import main
from perfrules.io import audit_render

from . import builders, stream_plugin
from .test_batch_cli import FORM, form, run, write_form


def slow(path: Path, pause: float, data: dict[str, Any] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"pause": pause, "form": data or FORM}, ensure_ascii=False),
                    "utf-8")
    return path


def _double(n: int, registry: perfrules.Registry) -> int:
    import time

    time.sleep(0.05 * (n % 3))  # later tasks often finish first
    return 2 * n


def _never(n: int, failure: _pool.Failure) -> int:  # pragma: no cover - nothing fails
    raise AssertionError(failure.reason("en"))


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_results_come_in_input_order(method: str, registry: perfrules.Registry) -> None:
    got = list(_pool.run_tasks(_double, iter(range(20)), failed=_never, workers=2,
                               registry=registry, window=6, start_method=method))
    assert got == [2 * n for n in range(20)]


def test_a_registry_reaches_spawned_workers_by_its_plugins_names(tmp_path: Path) -> None:
    registry = perfrules.Registry([stream_plugin], entry_points=False)
    recipe = _pool.Plugins.of(registry)
    assert recipe is not None and recipe.objects == ("tests.stream_plugin",)
    assert "slowjson" in recipe.build().readers
    paths = [slow(tmp_path / f"{n}.slowjson", 0.01 * (n % 2)) for n in range(4)]
    results = list(_pool.run_tasks(_read, paths, failed=_never, workers=2, registry=registry,
                                   start_method="spawn"))
    assert results == ["清洁表"] * 4


def _read(path: Path, registry: perfrules.Registry) -> str:
    return perfrules.load(path, registry=registry).title or ""


def test_a_registry_of_plugins_made_in_a_function_cannot_be_spawned() -> None:
    class Local:
        @perfrules.hookimpl if hasattr(perfrules, "hookimpl") else (lambda f: f)  # type: ignore[misc]
        def perfrules_register_formats(self, register: Any) -> None:
            pass

    registry = perfrules.Registry([Local()], entry_points=False)
    assert _pool.Plugins.of(registry) is None
    with pytest.raises(ValueError, match="importable by name"):
        list(_pool.run_tasks(_double, [1], failed=_never, workers=2, registry=registry,
                             start_method="spawn"))


def test_available_cores_is_the_affinity(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_pool.os, "sched_getaffinity", lambda pid: {0, 3, 5}, raising=False)
    assert _pool.available_cores() == 3
    monkeypatch.delattr(_pool.os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(_pool.os, "cpu_count", lambda: None)
    assert _pool.available_cores() == 1


def test_jobs_default_to_the_cores(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    real = _pool.run_tasks

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs["workers"])
        return real(*args, **kwargs)

    monkeypatch.setattr("perfrules._auditing.run_tasks", spy)
    monkeypatch.setattr("perfrules._audit_cli.available_cores", lambda: 3)
    write_form(tmp_path / "a.json")
    write_form(tmp_path / "b.json")
    assert run(capsys, "audit", str(tmp_path))[0] == 0
    assert seen == [3]


# -- the streaming outputs ----------------------------------------------------------------


def _folder(tmp_path: Path, count: int) -> Path:
    folder = tmp_path / "in"
    for n in range(count):
        data = form(title=f"表{n:03d}")
        if n % 4 == 1:  # a line score that does not add up: an error
            data["indicators"][0]["reported_score"] = "50"
            data["reported_total"] = "90"
        write_form(folder / f"f{n:03d}.json", data)
    (folder / "zz-broken.json").write_text("{not json", "utf-8")
    return folder


def test_outputs_are_written_in_input_order(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    folder = _folder(tmp_path, 9)
    out = tmp_path / "out"
    code, stdout, _ = run(capsys, "audit", str(folder), "-o", f"{out}/", "--jobs", "2")
    assert code == 2
    with (out / "summary.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [Path(r["文件"]).name for r in rows] == [f"f{n:03d}.json" for n in range(9)] + [
        "zz-broken.json"]
    assert rows[0]["状态"] in ("无问题", "有提示", "有警告") and rows[1]["状态"] == "有错误"
    assert rows[-1]["状态"] == "无法读取"
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert [Path(f["file"]).name for f in summary["forms"]][-1] == "zz-broken.json"
    assert summary["summary"]["forms"] == 10 and summary["summary"]["unreadable"] == 1
    lines = [json.loads(line) for line in (out / "findings.jsonl").read_text("utf-8").splitlines()]
    assert {Path(x["file"]).name for x in lines if x.get("code") == "PR002"} == {
        f"f{n:03d}.json" for n in range(9) if n % 4 == 1}
    assert "error" in lines[-1] and lines[-1]["file"].endswith("zz-broken.json")
    assert stdout.index("f000.json") < stdout.index("f008.json")
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_status_and_headers_in_english(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _folder(tmp_path, 2)
    out = tmp_path / "out"
    run(capsys, "audit", str(folder), "-o", f"{out}/", "--lang", "en")
    with (out / "summary.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["status"] in ("no issues", "notes", "warnings")
    assert [r["status"] for r in rows][1:] == ["errors", "unreadable"]


def test_the_list_functions_and_the_stream_agree(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    folder = _folder(tmp_path, 3)
    out = tmp_path / "out"
    run(capsys, "audit", str(folder), "-o", f"{out}/", "--jobs", "1", "--timeout", "0")
    from perfrules._audit_cli import audit_one

    items = [audit_one(str(p)) for p in sorted(folder.iterdir())]
    assert (out / "summary.json").read_bytes() == audit_render.audit_json(items)
    assert (out / "summary.csv").read_bytes() == audit_render.summary_csv(items, "zh")
    assert (out / "audit.html").read_bytes() == audit_render.audit_html(items)


def test_a_long_report_is_a_summary_page_and_pages(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit_render, "PAGE_SIZE", 4)
    monkeypatch.setattr(audit_render, "TOP_FORMS", 3)
    folder = _folder(tmp_path, 9)
    out = tmp_path / "out"
    run(capsys, "audit", str(folder), "-o", f"{out}/", "--jobs", "2")
    pages = sorted(p.name for p in (out / "audit-pages").iterdir())
    assert pages == ["0001.html", "0002.html", "0003.html"]
    summary = (out / "audit.html").read_text("utf-8")
    assert "<svg" in summary and "问题最严重的表单" in summary
    assert 'href="audit-pages/0003.html#f10"' in summary  # the unreadable form leads
    assert summary.count("audit-pages/0001.html#") <= 3
    third = (out / "audit-pages" / "0003.html").read_text("utf-8")
    assert "zz-broken.json" in third and 'href="../audit.html"' in third
    # a shorter run later removes the pages it no longer needs
    monkeypatch.setattr(audit_render, "PAGE_SIZE", 8)
    run(capsys, "audit", str(folder), "-o", f"{out}/", "--jobs", "2")
    assert sorted(p.name for p in (out / "audit-pages").iterdir()) == ["0001.html", "0002.html"]


def test_max_cells_travels_as_an_argument(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from perfrules import _auditing

    seen: list[str | None] = []
    real = _auditing._load_all

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(os.environ.get("PERFRULES_MAX_CELLS"))
        return real(*args, **kwargs)

    monkeypatch.setattr("perfrules._auditing._load_all", spy)
    monkeypatch.delenv("PERFRULES_MAX_CELLS", raising=False)  # no variable to fall back on
    path = builders.seed_xlsx(tmp_path / "form.xlsx")
    code, out, _ = run(capsys, "audit", str(path), "--max-cells", "10", "--jobs", "1",
                       "--timeout", "0")
    assert code == 2 and "max_cells" in out and "10" in out and "--max-cells" in out
    assert seen == [None]


def test_main_keeps_no_report(tmp_path: Path, registry: perfrules.Registry) -> None:
    """What a worker sends back holds text, never the form or its report."""
    from perfrules._auditing import Job, Settings, audit_rows

    path = write_form(tmp_path / "a.json")
    rows = audit_rows(Job(index=0, path=str(path), settings=Settings(parts=("json", "html"))),
                      registry)
    assert all(isinstance(getattr(rows[0], f), (str, int, bool, tuple, type(None)))
               for f in ("path", "json", "html", "counts", "grades", "readable"))
    assert main(["schema", "form"]) == 0


def test_form_level_findings_are_on_a_cell_of_the_annotated_copy(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 16: PR006 (weights not summing to 100) is on the 自评总分 cell, not lost."""
    import openpyxl

    (tmp_path / "in").mkdir()
    book = builders.seed_xlsx(tmp_path / "in" / "权重.xlsx")
    wb = openpyxl.load_workbook(book)
    wb["自评表"]["F6"] = 7  # the weights now sum to 97
    wb.save(book)
    out = tmp_path / "out"
    run(capsys, "audit", str(book), "-o", f"{out}/", "--format", "xlsx")
    codes = {f["code"] for f in json.loads((out / "summary.json").read_text("utf-8"))[
        "forms"][0]["findings"]}
    assert "PR006" in codes
    copy = openpyxl.load_workbook(out / "权重.audit.xlsx")
    comments = {c.coordinate: c.comment.text for row in copy["自评表"].iter_rows()
                for c in row if c.comment is not None}
    assert "PR006" in comments["H3"]  # the 自评总分 cell: this form has no 合计 row
    assert all(any(code in text for text in comments.values()) for code in codes)

