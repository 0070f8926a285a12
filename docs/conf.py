"""Sphinx configuration: Markdown pages (MyST), the API reference from docstrings.

One build holds both guides: the English reference and the Chinese guide (docs/zh/).
The Chinese pages say ``lang="zh-CN"`` (set per page below); the search index segments
Chinese words (``html_search_language = "zh"``, with jieba from the ``docs`` extra) and
still stems English ones.
"""

from __future__ import annotations

import sys
from pathlib import Path

import perfrules

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "perfrules"
author = "perfrules developers"
copyright = "perfrules developers, MIT License"
release = version = perfrules.__version__
extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.intersphinx",
    "cjk_columns",  # docs/_ext: one-column characters stay one column in output blocks
]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "**/_build"]
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_class_signature = "separated"
intersphinx_mapping: dict[str, tuple[str, None]] = {}
html_theme = "furo"  # in the `docs` extra
html_title = f"perfrules {release}"
html_show_sourcelink = False
suppress_warnings = ["myst.xref_missing"]
html_static_path = ["_static"]
html_css_files = ["cjk.css"]  # terminal output with Chinese lines up
language = "en"
html_search_language = "zh"  # segments Chinese (jieba), stems English as "en" would
# docstrings' examples use the public names unqualified
doctest_global_setup = "import perfrules\nfrom perfrules import *"


#: pages in Chinese, as the HTML's lang attribute says them
ZH_PAGES = "zh/"


def _page_language(app: object, pagename: str, templatename: str, context: dict[str, object],
                   doctree: object) -> None:
    """``lang="zh-CN"`` on the Chinese guide's pages (screen readers, fonts, search)."""
    if pagename.startswith(ZH_PAGES):
        context["language"] = "zh-CN"


def setup(app: object) -> dict[str, object]:
    app.connect("html-page-context", _page_language)  # type: ignore[attr-defined]
    return {"parallel_read_safe": True}
