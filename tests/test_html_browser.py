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


def _render(html_path: Path, png: Path) -> list[str]:
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
            total = page.locator(".score .total").inner_text()
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
