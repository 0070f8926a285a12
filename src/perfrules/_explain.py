"""Explanation steps: recorded cheaply while scoring, rendered on demand.

A :class:`Step` is a code and its arguments; nothing is formatted until
:func:`render` is called, so scoring without explanations costs one small
tuple per step.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any, NamedTuple

from ._numbers import plain
from .exceptions import PluginError

__all__ = ["CORE_TEMPLATES", "LANGS", "Step", "check_templates", "render", "render_steps"]


class Step(NamedTuple):
    """One step of reasoning: a template ``code`` and its arguments."""

    code: str
    args: tuple[Any, ...] = ()


#: The engine's own steps (the rules register theirs): code -> language -> template.
#: Documented, with every built-in rule's codes, in the plugin guide.
CORE_TEMPLATES: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "not_applicable": {"zh": "不适用，不计入总分", "en": "not applicable: left out of the total"},
    "assumed_nature": {"zh": "未写明指标性质，按“{0}”计（{1}）",
                       "en": "no nature written: scored as '{0}' ({1})"},
    "routed_by_shape": {"zh": "未写明指标性质，指标值 {0} 为区间，按规则 {1} 计",
                        "en": "no nature written and the target {0} is a range: scored by rule {1}"},
    "inferred_qualitative": {"zh": "未写明指标性质，指标值与完成值为文字，按定性指标计",
                             "en": "no nature written and the values are words: scored as 定性"},
    "points_full": {"zh": "满分 {0} → {1}", "en": "full marks {0} → {1}"},
    "points_zero": {"zh": "0 分 → {1}", "en": "0 points → {1}"},
    "points_ratio": {"zh": "{2} / {3} × {0} = {4} → {1}", "en": "{2} / {3} × {0} = {4} → {1}"},
    "points_judged": {"zh": " → {1}", "en": " → {1}"},
    "citation": {"zh": "（{0}）", "en": " ({0})"},
})
LANGS = ("zh", "en")
_ATTACHED = frozenset({"citation", "points_judged"})


def _fmt(value: Any) -> str:
    return plain(value) if isinstance(value, Decimal) else str(value)


def render(step: tuple[str, tuple[Any, ...]], lang: str = "zh",
           templates: Mapping[str, Mapping[str, str]] = CORE_TEMPLATES) -> str:
    """Render one step in ``lang`` (``"zh"`` or ``"en"``) with a rule's templates
    (the engine's own steps always render)."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r} (valid: {', '.join(LANGS)})")
    code, args = step
    table = templates.get(code) or CORE_TEMPLATES.get(code)
    if table is None:  # the engine refuses such steps while scoring; never print raw codes
        raise PluginError(f"explanation step {code!r} has no template (a rule must register "
                          "the zh and en template of every step code it records)")
    return table[lang].format(*(_fmt(a) for a in args))


def render_steps(steps: Iterable[tuple[str, tuple[Any, ...]]], lang: str = "zh",
                 templates: Mapping[str, Mapping[str, str]] = CORE_TEMPLATES) -> str:
    """Render steps into one line; citations and judged points attach without a separator."""
    sep = "；" if lang == "zh" else "; "
    out = ""
    for step in steps:
        text = render(step, lang, templates)
        if step[0] in _ATTACHED or not out:
            out += text
        else:
            out += sep + text
    return out


def check_templates(owner: str, templates: object) -> dict[str, dict[str, str]]:
    """A rule's templates, checked: every code has a zh and an en template that
    formats; no code shadows one of the engine's. Raises ValueError naming what is wrong."""
    if not isinstance(templates, Mapping):
        raise ValueError(f"{owner}: templates must be a mapping of step code to "
                         "{'zh': …, 'en': …}")
    out: dict[str, dict[str, str]] = {}
    for code, table in templates.items():
        if not isinstance(code, str) or not code:
            raise ValueError(f"{owner}: step code {code!r} is not a non-empty string")
        if code in CORE_TEMPLATES:
            raise ValueError(f"{owner}: step code {code!r} is the engine's own")
        if not isinstance(table, Mapping) or any(
                not isinstance(table.get(lang), str) for lang in LANGS):
            raise ValueError(f"{owner}: step {code!r} needs a 'zh' and an 'en' template")
        for lang in LANGS:
            try:
                list(string.Formatter().parse(table[lang]))
            except ValueError as exc:
                raise ValueError(f"{owner}: the {lang} template of step {code!r} is not a "
                                 f"format string: {exc}") from None
        out[code] = {lang: table[lang] for lang in LANGS}
    return out
