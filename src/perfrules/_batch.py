"""score_many(): score a stream of forms or files lazily, in order, in constant memory.

One form that fails is one result holding its error; the batch goes on.
With ``workers > 1`` the forms are scored in worker processes, each of which
builds its own default registry on first use (plugins reach the workers the
way they reach any process: as installed ``perfrules`` entry points).
"""

from __future__ import annotations

import collections
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Optional, Union

import attrs

from ._engine import Report, score
from ._model import Form
from ._registry import Registry, get_registry
from ._ruleset import RuleSet
from .exceptions import PerfrulesError

__all__ = ["BatchResult", "score_many"]

FormOrPath = Union[Form, str, "os.PathLike[str]"]


@attrs.frozen(kw_only=True)
class BatchResult:
    """One scored form of a batch: its report, or the error that stopped it.

    ``source`` names where the form came from (the form's own ``source``, else
    the path it was read from, else ``"#<position>"``); ``position`` is the
    input item the result belongs to (a file holding several forms gives
    several results with the same position).
    """

    position: int
    source: Optional[str]
    report: Optional[Report] = None
    error: Optional[Exception] = None

    @property
    def ok(self) -> bool:
        """Whether the form scored."""
        return self.error is None


def _score_item(position: int, item: object, ruleset: Union[str, RuleSet, None],
                registry: Optional[Registry]) -> list[BatchResult]:
    """Every result of one input item; never raises for bad input.

    A top-level function, so that worker processes can run it.
    """
    reg = registry if registry is not None else get_registry()
    if isinstance(item, Form):
        forms: tuple[Form, ...] = (item,)
        fallback = f"#{position}"
    elif isinstance(item, (str, os.PathLike)):
        fallback = os.fspath(item)
        try:
            from . import load_all

            forms = load_all(Path(fallback), registry=reg)
        except (PerfrulesError, OSError) as exc:
            return [BatchResult(position=position, source=fallback, error=exc)]
    else:
        return [BatchResult(position=position, source=f"#{position}", error=TypeError(
            f"item #{position} is a {type(item).__name__}, not a perfrules.Form or a path"))]
    results = []
    for form in forms:
        source = form.source or fallback
        try:
            report = score(form, ruleset, registry=reg)
        except PerfrulesError as exc:
            results.append(BatchResult(position=position, source=source, error=exc))
        else:
            results.append(BatchResult(position=position, source=source, report=report))
    return results


def score_many(
    forms_or_paths: Iterable[FormOrPath],
    ruleset: Union[str, RuleSet, None] = None,
    *,
    workers: int = 1,
    registry: Optional[Registry] = None,
) -> Iterator[BatchResult]:
    """Score forms (or files of forms) one by one, yielding a :class:`BatchResult` each.

    Results come lazily and in input order; the input is consumed as results
    are asked for, so memory stays constant in the number of forms. A path is
    read with :func:`perfrules.load_all` (a file holding several forms gives
    one result per form). A form that cannot be read or scored gives a result
    whose ``error`` is the exception (a :class:`~perfrules.FormError` listing
    its problems, an ``OSError`` …); the batch goes on.

    ``workers > 1`` scores in that many worker processes, with at most
    ``4 × workers`` items in flight. Each worker builds the default registry
    (the built-ins and the installed ``perfrules`` entry points), so a
    ``registry`` built in this process cannot be used with workers: install
    plugins as entry points instead. Forms, rulesets and reports are sent
    between processes by pickle.

    >>> import perfrules
    >>> [r.report.total for r in perfrules.score_many([perfrules.example()])]
    [Decimal('99.96')]
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    if workers > 1 and registry is not None:
        raise ValueError(
            "a registry cannot be sent to worker processes: each worker builds the default "
            "registry, so install plugins as 'perfrules' entry points (or use workers=1)")
    if workers == 1:
        return _serial(forms_or_paths, ruleset, registry)
    return _parallel(forms_or_paths, ruleset, workers)


def _serial(items: Iterable[FormOrPath], ruleset: Union[str, RuleSet, None],
            registry: Optional[Registry]) -> Iterator[BatchResult]:
    for position, item in enumerate(items):
        yield from _score_item(position, item, ruleset, registry)


def _parallel(items: Iterable[FormOrPath], ruleset: Union[str, RuleSet, None],
              workers: int) -> Iterator[BatchResult]:
    window = 4 * workers
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: collections.deque[Future[list[BatchResult]]] = collections.deque()
        try:
            for position, item in enumerate(items):
                pending.append(pool.submit(_score_item, position, item, ruleset, None))
                if len(pending) >= window:
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
        finally:  # a caller that stops early does not wait for work nobody will read
            for future in pending:
                future.cancel()
