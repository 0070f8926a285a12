"""Explanation steps: recorded cheaply while scoring, rendered on demand.

A :class:`Step` is a code and its arguments; nothing is formatted until
:func:`render` is called, so scoring without explanations costs one small
tuple per step.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, NamedTuple

from ._numbers import plain

__all__ = ["TEMPLATES", "Step", "render", "render_steps"]


class Step(NamedTuple):
    """One step of reasoning: a template ``code`` and its arguments."""

    code: str
    args: tuple[Any, ...] = ()


TEMPLATES: dict[str, dict[str, str]] = {
    "zh": {
        "met": "{0} {2} {1}，达成",
        "unmet": "{0} 未达到 {2} {1}",
        "exceeds": "{0} 超过目标值 {1}（按满分计，审核时提示）",
        "zero_target_met": "目标值为 0，{0} {1} 0，达成",
        "zero_target_unmet": "目标值为 0，{0} 不满足 {1} 0，不得分",
        "negative_actual": "完成值 {0} 为负，不得分",
        "reverse_ratio": "反向指标：{1} / {0}",
        "reverse_linear": "反向指标（线性）：(2 × {1} − {0}) / {1}",
        "reverse_linear_zero": "反向指标（线性）：{0} ≥ 2 × {1}，不得分",
        "rate_amounts": "执行率 = {0} / {1} × 100% = {2}%",
        "rate_met": "执行率 {0}% ≥ 100%，达成",
        "rate_unmet": "执行率 {0}% < 100%",
        "tier": "“{0}” 属于“{1}”档（{2} 至 {3} 分）",
        "judged": "评定得分 {0}",
        "judged_reported": "表内评定得分 {0}",
        "tier_default": "未填评定得分，按“{0}”档默认 {1} 分计（默认值）",
        "not_applicable": "不适用，不计入总分",
        "points_full": "满分 {0} → {1}",
        "points_zero": "0 分 → {1}",
        "points_ratio": "{2} / {3} × {0} = {4} → {1}",
        "points": "{0} × {2} = {4} → {1}",
        "points_judged": " → {1}",
        "citation": "（{0}）",
    },
    "en": {
        "met": "{0} {2} {1}: met",
        "unmet": "{0} does not reach {2} {1}",
        "exceeds": "{0} exceeds the target {1} (full marks; audit flags it)",
        "zero_target_met": "target 0: {0} {1} 0, met",
        "zero_target_unmet": "target 0: {0} fails {1} 0, no points",
        "negative_actual": "negative actual {0}: no points",
        "reverse_ratio": "reverse indicator: {1} / {0}",
        "reverse_linear": "reverse indicator (linear): (2 × {1} − {0}) / {1}",
        "reverse_linear_zero": "reverse indicator (linear): {0} ≥ 2 × {1}, no points",
        "rate_amounts": "execution rate = {0} / {1} × 100% = {2}%",
        "rate_met": "execution rate {0}% ≥ 100%: met",
        "rate_unmet": "execution rate {0}% < 100%",
        "tier": "'{0}' is tier '{1}' ({2} to {3} points)",
        "judged": "judged score {0}",
        "judged_reported": "judged score {0} (as the form reports it)",
        "tier_default": "no judged score: tier '{0}' defaults to {1} points (defaulted)",
        "not_applicable": "not applicable: left out of the total",
        "points_full": "full marks {0} → {1}",
        "points_zero": "0 points → {1}",
        "points_ratio": "{2} / {3} × {0} = {4} → {1}",
        "points": "{0} × {2} = {4} → {1}",
        "points_judged": " → {1}",
        "citation": " ({0})",
    },
}


_ATTACHED = frozenset({"citation", "points_judged"})


def _fmt(value: Any) -> str:
    return plain(value) if isinstance(value, Decimal) else str(value)


def render(step: Step, lang: str = "zh") -> str:
    """Render one step in ``lang`` (``"zh"`` or ``"en"``)."""
    try:
        table = TEMPLATES[lang]
    except KeyError:
        raise ValueError(f"unknown language {lang!r} (valid: {', '.join(TEMPLATES)})") from None
    template = table.get(step.code)
    if template is None:  # a plugin's own step: show it plainly
        return " ".join([step.code, *(_fmt(a) for a in step.args)])
    return template.format(*(_fmt(a) for a in step.args))


def render_steps(steps: Iterable[Step], lang: str = "zh") -> str:
    """Render steps into one line; citations and judged points attach without a separator."""
    sep = "；" if lang == "zh" else "; "
    out = ""
    for step in steps:
        text = render(step, lang)
        if step.code in _ATTACHED or not out:
            out += text
        else:
            out += sep + text
    return out
