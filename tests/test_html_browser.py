"""The HTML report in a real headless browser: no console errors, and a PNG
kept as an artifact (artifacts/report-*.png) for a person to look at."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import perfrules

from . import builders

ARTIFACTS = Path(__file__).parent.parent / "artifacts"
CHROMIUM = os.environ.get("PERFRULES_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (CI installs it)",
)


def _render(html_path: Path, png: Path, total_selector: str = ".score .total") -> list[str]:
    problems: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
                    if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(html_path.as_uri())
            page.wait_for_load_state("load")
            assert page.locator("table tbody tr").count() > 0
            total = page.locator(total_selector).first.inner_text()
            page.screenshot(path=str(png), full_page=True)
            page.pdf(path=str(png.with_suffix(".pdf")))  # printable
            external = [u for u in requests if not u.startswith("file:")]
            problems.extend(f"external request: {u}" for u in external)
            problems.append(f"total:{total}")
        finally:
            browser.close()
    return problems


@pytest.mark.parametrize("which", ["seed", "project"])
def test_html_report_in_headless_chromium(tmp_path: Path, which: str,
                                          registry: perfrules.Registry) -> None:
    if which == "seed":
        form = perfrules.example()
    else:
        form = perfrules.load(builders.project_xlsx(tmp_path / "项目.xlsx"), registry=registry)
    report = perfrules.score(form, registry=registry)
    writer = registry.writer("html")
    page = tmp_path / f"report-{which}.html"
    page.write_bytes(writer.write(report))
    ARTIFACTS.mkdir(exist_ok=True)
    png = ARTIFACTS / f"report-{which}.png"
    result = _render(page, png)
    *problems, total = result
    assert problems == []
    assert total == f"total:{report.total}"
    assert png.stat().st_size > 10_000


def test_audit_html_in_headless_chromium(tmp_path: Path, registry: perfrules.Registry) -> None:
    import openpyxl

    from perfrules._audit_cli import audit_one
    from perfrules.io.audit_render import audit_html

    folder = tmp_path / "forms"
    folder.mkdir()
    paths = [builders.seed_xlsx(folder / "香炉山.xlsx"), builders.project_xlsx(folder / "项目.xlsx"),
             builders.two_row_header_xlsx(folder / "两行表头.xlsx")]
    bad = builders.seed_xlsx(folder / "改错.xlsx")
    wb = openpyxl.load_workbook(bad)
    wb["自评表"]["H7"] = 4.0
    wb["自评表"]["H3"] = 99.5
    wb.save(bad)
    broken = folder / "损坏.xlsx"
    broken.write_bytes(b"junk")
    items = [audit_one(str(p), registry=registry) for p in [*paths, bad, broken]]
    page = tmp_path / "audit.html"
    page.write_bytes(audit_html(items))
    ARTIFACTS.mkdir(exist_ok=True)
    *problems, _total = _render(page, ARTIFACTS / "audit.png", total_selector=".card b")
    assert problems == []


def test_a_long_audit_report_in_headless_chromium(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch too long for one page (issue 18): the summary page shows the counts, the
    charts and the most serious forms; a click on one opens its page at its row, and the
    page's links lead on and back."""
    import json

    from perfrules.cli import main
    from perfrules.io import audit_render

    monkeypatch.setattr(audit_render, "PAGE_SIZE", 5)
    folder = tmp_path / "forms"
    folder.mkdir()
    form = json.loads(perfrules.example_path().read_text("utf-8"))
    for n in range(12):
        data = dict(form, title=f"表{n:02d}")
        if n == 7:
            data["reported_total"] = "90"  # the reported total is wrong: an error
        (folder / f"f{n:02d}.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    out = tmp_path / "out"
    assert main(["audit", str(folder), "-o", f"{out}/", "--jobs", "1", "--timeout", "0"]) == 1
    problems: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
                    if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.goto((out / "audit.html").as_uri())
            assert page.locator(".card b").first.inner_text() == "12"
            assert page.locator("svg").count() == 2
            worst = page.locator("table tbody tr").first
            assert "f07.json" in worst.inner_text()  # the form with an error leads
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "audit-summary.png"), full_page=True)
            worst.locator("a").click()
            page.wait_for_load_state("load")
            assert page.url.endswith("audit-pages/0002.html#f8")
            assert page.locator("#f8").inner_text().startswith("f07.json")
            assert page.locator("table").first.locator("tbody tr").count() == 5
            page.locator("nav.pages a", has_text="下一页").first.click()
            page.wait_for_load_state("load")
            assert page.url.endswith("0003.html")
            assert page.locator("table").first.locator("tbody tr").count() == 2
            page.locator("nav.pages a", has_text="汇总").first.click()
            page.wait_for_load_state("load")
            assert page.url.endswith("/audit.html")
        finally:
            browser.close()
    assert problems == []
