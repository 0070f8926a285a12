"""Sphinx configuration: Markdown pages (MyST), the API reference from docstrings."""

from __future__ import annotations

import perfrules

project = "perfrules"
author = "perfrules developers"
copyright = "perfrules developers, MIT License"
release = version = perfrules.__version__
extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.intersphinx",
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
# docstrings' examples use the public names unqualified
doctest_global_setup = "import perfrules\nfrom perfrules import *"
