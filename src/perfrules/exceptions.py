"""The perfrules error hierarchy (public).

Every error perfrules raises on purpose is a :class:`PerfrulesError`. Errors
about bad input also inherit :class:`ValueError`, so ``except ValueError``
keeps working for callers that do not know perfrules.

An error about a form carries *all* the problems found in it at once, as a
tuple of :class:`Problem` records, each naming the indicator, the field, the
place in the file and what would have been valid.
"""

from __future__ import annotations

from typing import Optional

import attrs

__all__ = [
    "FormError",
    "InputError",
    "MissingDependencyError",
    "PerfrulesDeprecationWarning",
    "PerfrulesError",
    "PerfrulesWarning",
    "PluginError",
    "Problem",
    "UnknownRulesetError",
]


@attrs.frozen(kw_only=True)
class Problem:
    """One thing wrong with one input.

    ``code`` is a stable identifier (``"bad-number"``, ``"unknown-nature"`` …),
    ``indicator`` the indicator's name (``None`` for form-level problems),
    ``field`` the canonical field name, ``location`` where the value came
    from (``"form.json: indicators[3]"``, ``"自评表!F14"``), ``value`` the value
    as written and ``expected`` what would have been valid.
    """

    code: str
    message: str
    indicator: Optional[str] = None
    field: Optional[str] = None
    location: Optional[str] = None
    value: Optional[str] = None
    expected: Optional[str] = None

    def __str__(self) -> str:
        where = []
        if self.location:
            where.append(self.location)
        if self.indicator is not None:
            where.append(f"indicator {self.indicator!r}")
        if self.field:
            where.append(f"field {self.field!r}")
        head = ", ".join(where)
        text = f"{head}: {self.message}" if head else self.message
        extra = []
        if self.value is not None and repr(self.value) not in self.message:
            extra.append(f"got {self.value!r}")
        if self.expected:
            extra.append(f"valid: {self.expected}")
        return f"{text} ({'; '.join(extra)})" if extra else text


class PerfrulesError(Exception):
    """Root of every error perfrules raises on purpose."""


class InputError(PerfrulesError, ValueError):
    """Input that perfrules cannot turn into a number honestly."""

    def __init__(self, problems: tuple[Problem, ...] | list[Problem] | Problem | str) -> None:
        if isinstance(problems, str):
            problems = Problem(code="input", message=problems)
        if isinstance(problems, Problem):
            problems = (problems,)
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(self._render())

    def _render(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        lines = [f"{len(self.problems)} problems:"]
        lines.extend(f"  - {p}" for p in self.problems)
        return "\n".join(lines)

    def __reduce__(self) -> tuple[type[InputError], tuple[tuple[Problem, ...]]]:
        return (type(self), (self.problems,))


class FormError(InputError):
    """A form that cannot be scored; ``problems`` lists every reason at once."""

    def __init__(
        self,
        problems: tuple[Problem, ...] | list[Problem] | Problem | str,
        source: Optional[str] = None,
    ) -> None:
        self.source = source
        super().__init__(problems)

    def _render(self) -> str:
        text = super()._render()
        return f"{self.source}: {text}" if self.source else text

    def __reduce__(  # type: ignore[override]
        self,
    ) -> tuple[type[FormError], tuple[tuple[Problem, ...], Optional[str]]]:
        return (type(self), (self.problems, self.source))


class UnknownRulesetError(PerfrulesError, LookupError):
    """A ruleset id that no loaded plugin registered."""

    def __init__(self, ruleset_id: str, known: tuple[str, ...]) -> None:
        self.ruleset_id = ruleset_id
        self.known = known
        super().__init__(
            f"unknown ruleset {ruleset_id!r} (valid: {', '.join(known) or 'none registered'})"
        )

    def __reduce__(self) -> tuple[type[UnknownRulesetError], tuple[str, tuple[str, ...]]]:
        return (type(self), (self.ruleset_id, self.known))


class MissingDependencyError(PerfrulesError, ImportError):
    """An optional dependency is not installed; the message names the pip command."""

    def __init__(self, what: str, extra: str) -> None:
        self.what = what
        self.extra = extra
        # double quotes: the command works in Windows cmd and PowerShell as in a POSIX shell
        super().__init__(f'{what} needs an optional dependency: pip install "perfrules[{extra}]"')

    def __reduce__(self) -> tuple[type[MissingDependencyError], tuple[str, str]]:
        return (type(self), (self.what, self.extra))


class PluginError(PerfrulesError):
    """A plugin that registered something invalid, a duplicate name, or raised."""


class PerfrulesWarning(UserWarning):
    """A warning from perfrules (such as an allow-list name that matches no plugin)."""


class PerfrulesDeprecationWarning(DeprecationWarning):
    """Warns about a public API that will be removed; names its replacement."""
