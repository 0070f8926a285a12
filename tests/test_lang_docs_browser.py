"""The guide's terminal output lines up on the rendered page: with docs/_static/cjk.css
and docs/_ext/cjk_columns.py, a Chinese character is exactly two columns wide and every
other character one, so the columns perfrules pads by display width
(perfrules.io._width) end at the same pixel on every line."""

from __future__ import annotations

import html
import importlib.util
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from perfrules import example, score
from perfrules.io._width import width
from perfrules.io.reports import render_text

DOCS = Path(__file__).parent.parent / "docs"
CSS = DOCS / "_static" / "cjk.css"
CHROMIUM = os.environ.get("PERFRULES_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (CI installs it)",
)


def _extension() -> Any:
    spec = importlib.util.spec_from_file_location("cjk_columns", DOCS / "_ext" / "cjk_columns.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


#: the right edge of each line's last character, in pixels, line by line
_MEASURE = r"""() => {
  const pre = document.querySelector('pre');
  const rows = new Map();
  const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    for (let i = 0; i < node.data.length; i++) {
      if (node.data[i] === '\n') continue;
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const box = range.getBoundingClientRect();
      const top = Math.round(box.top);
      rows.set(top, Math.max(rows.get(top) || 0, box.right));
    }
  }
  return [...rows.entries()].sort((a, b) => a[0] - b[0]).map(e => e[1]);
}"""


def _line_ends(body: str, tmp_path: Path) -> list[float]:
    page = (f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>"
            f"<style>{CSS.read_text('utf-8')}</style></head><body>{body}</body></html>")
    path = tmp_path / "page.html"
    path.write_text(page, "utf-8")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        try:
            tab = browser.new_page()
            tab.goto(path.as_uri())
            tab.wait_for_load_state("load")
            return list(tab.evaluate(_MEASURE))
        finally:
            browser.close()


def _aligned(lines: list[str]) -> str:
    """The lines padded to one display width, marked as the docs build marks them."""
    most = max(width(line) for line in lines)
    text = "\n".join(line + "." * (most - width(line)) for line in lines)  # '.': visible end
    return _extension().mark(html.escape(text))


def test_chinese_output_blocks_line_up(tmp_path: Path) -> None:
    table = render_text(score(example())).splitlines()[1:6]  # head, rule, lines with ≥ and ✓
    assert any("≥" in line for line in table) and any("✓" in line for line in table)
    ends = _line_ends(f"<pre>{_aligned(table)}</pre>", tmp_path)
    assert len(ends) == 5 and ends[0] > 0
    assert max(ends) - min(ends) < 0.5, ends


def test_without_the_marks_they_would_not(tmp_path: Path) -> None:
    """The test above can fail: ≥ drawn full width by the CJK font pushes its line."""
    table = render_text(score(example())).splitlines()[1:6]
    most = max(width(line) for line in table)
    text = "\n".join(line + "." * (most - width(line)) for line in table)
    ends = _line_ends(f"<pre>{html.escape(text)}</pre>", tmp_path)
    assert max(ends) - min(ends) > 1, ends
