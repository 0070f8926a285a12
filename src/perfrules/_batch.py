"""score_many(): score a stream of forms or files lazily, in order, in constant memory.

One form that fails is one result holding its error; the batch goes on.
With ``workers > 1`` the forms are scored in worker processes of the batch
engine (:mod:`perfrules._pool`, the one ``perfrules audit`` uses); the
registry reaches them as an argument (inherited where processes are forked,
rebuilt from its plugins' importable names where they are spawned).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Optional, Union

import attrs

from ._engine import Report, score
from ._model import Form
from ._pool import Failure, run_tasks
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
    ``4 × workers`` items in flight; a worker that dies gives its item a
    result whose error says so, and is replaced. ``registry`` (default: the
    default registry) reaches the workers: on Linux they inherit it; where
    processes are spawned (Windows, macOS) each worker rebuilds it from its
    plugins' names, so its plugins must be importable by name (modules, or
    objects defined at the top level of a module) — otherwise a
    ``ValueError`` says so. Forms, rulesets and reports are sent between
    processes by pickle.

    >>> import perfrules
    >>> [r.report.total for r in perfrules.score_many([perfrules.example()])]
    [Decimal('99.96')]
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    if workers == 1:
        return _serial(forms_or_paths, ruleset, registry)
    return _parallel(forms_or_paths, ruleset, workers, registry)


def _serial(items: Iterable[FormOrPath], ruleset: Union[str, RuleSet, None],
            registry: Optional[Registry]) -> Iterator[BatchResult]:
    for position, item in enumerate(items):
        yield from _score_item(position, item, ruleset, registry)


@attrs.frozen
class _Task:
    position: int
    item: object
    ruleset: Union[str, RuleSet, None]


def _run_task(task: _Task, registry: Registry) -> list[BatchResult]:
    return _score_item(task.position, task.item, task.ruleset, registry)


def _task_failed(task: _Task, failure: Failure) -> list[BatchResult]:
    source = (os.fspath(task.item) if isinstance(task.item, (str, os.PathLike)) else
              getattr(task.item, "source", None) or f"#{task.position}")
    return [BatchResult(position=task.position, source=source,
                        error=PerfrulesError(failure.reason("en")))]


def _parallel(items: Iterable[FormOrPath], ruleset: Union[str, RuleSet, None],
              workers: int, registry: Optional[Registry]) -> Iterator[BatchResult]:
    tasks = (_Task(position, item, ruleset) for position, item in enumerate(items))
    results = run_tasks(_run_task, tasks, failed=_task_failed, workers=workers,
                        registry=registry, window=4 * workers)
    try:
        for batch in results:
            yield from batch
    finally:  # a caller that stops early does not wait for work nobody will read
        close = getattr(results, "close", None)
        if close is not None:
            close()
