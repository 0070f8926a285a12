"""perfrules: score, explain and audit Chinese budget performance self-evaluation forms.

>>> import perfrules
>>> report = perfrules.score(perfrules.example())
>>> str(report.total), report.grade
('99.96', '优')
"""

from __future__ import annotations

import datetime
import warnings
from pathlib import Path
from typing import Any, Optional, Union

from ._audit import AuditReport, Finding, audit
from ._batch import BatchResult, score_many
from ._columnar import TableScores, score_table
from ._engine import LineResult, Provenance, Report, score
from ._model import Form, Group, Indicator, SkippedRow
from ._registry import DEFAULT_RULESET, PluginInfo, Registry, get_registry
from ._ruleset import Grade, RuleSet, Tier
from ._version import __version__
from ._weights import normalize_weights
from .exceptions import (
    FormError,
    InputError,
    PerfrulesDeprecationWarning,
    PerfrulesError,
    PluginError,
    Problem,
)

__all__ = [
    "DEFAULT_RULESET",
    "AuditReport",
    "BatchResult",
    "Finding",
    "Form",
    "FormError",
    "Grade",
    "Group",
    "Indicator",
    "InputError",
    "LineResult",
    "PerfrulesDeprecationWarning",
    "PerfrulesError",
    "PluginError",
    "PluginInfo",
    "Problem",
    "Provenance",
    "Registry",
    "Report",
    "RuleSet",
    "SkippedRow",
    "TableScores",
    "Tier",
    "__version__",
    "audit",
    "example",
    "example_path",
    "get_registry",
    "load",
    "load_all",
    "normalize_weights",
    "ruleset_for",
    "score",
    "score_many",
    "score_table",
]


#: Names that left ``perfrules`` for the module where they belong; importable from
#: here for one more release, with a :class:`PerfrulesDeprecationWarning`.
_MOVED = dict.fromkeys(("SEVERITIES", "AuditContext", "Check", "Outcome", "Reader", "Rule", "Step",
                        "Writer"), "perfrules.plugin")
#: The release that removes them.
REMOVED_IN = "0.2"


def __getattr__(name: str) -> Any:
    home = _MOVED.get(name)
    if home is None:
        raise AttributeError(f"module 'perfrules' has no attribute {name!r}")
    warnings.warn(f"perfrules.{name} is deprecated: import it from {home} "
                  f"(from {home} import {name}). It will be removed in perfrules {REMOVED_IN}.",
                  PerfrulesDeprecationWarning, stacklevel=2)
    import importlib

    return getattr(importlib.import_module(home), name)


def load(
    path: Union[str, Path],
    *,
    format: Optional[str] = None,
    registry: Optional[Registry] = None,
    ruleset: Union[str, RuleSet, None] = None,
) -> Form:
    """Read the one form of a file; the reader is chosen by ``format`` or the extension.

    A file that holds several forms (sheets, Word tables, PDF pages) is a
    :class:`~perfrules.FormError` (``several-forms``) naming them: read it
    with :func:`load_all`. ``ruleset``: as :func:`load_all`.
    """
    reg = registry if registry is not None else get_registry()
    reader = reg.reader_for(path, format)
    with _reading_for(reg, ruleset):
        form = _from_reader(reg, reader, lambda: reader.read(Path(path)), path)
    if not isinstance(form, Form):
        raise _reader_failed(reg, reader, path, TypeError(f"read() returned {form!r}, not a Form"))
    return form


def load_all(
    path: Union[str, Path],
    *,
    format: Optional[str] = None,
    registry: Optional[Registry] = None,
    ruleset: Union[str, RuleSet, None] = None,
) -> tuple[Form, ...]:
    """Every form a file holds (one per sheet, per Word table, per PDF table …).

    Each form's ``source`` names its sheet or table. A reader that can find
    several forms in one file offers ``read_all(path)``; for the others the
    file holds exactly one form. Never returns fewer forms than the file
    holds without raising.

    ``ruleset`` (an id, ``id@version`` or a RuleSet) is the one the forms will be
    scored with, when the caller knows it: the table recogniser reads its
    execution-rate names (``execution_rate_names``); by default those of
    ``cn-mof-2020@1``. It does not pin the forms to it.
    """
    reg = registry if registry is not None else get_registry()
    reader = reg.reader_for(path, format)
    with _reading_for(reg, ruleset):
        return _read_with(reg, reader, path)


def _reading_for(reg: Registry, ruleset: Union[str, RuleSet, None]) -> Any:
    """The recogniser's vocabulary for one read: the given ruleset's, else the default's."""
    from .io.table import reading_for

    return reading_for(None if ruleset is None else reg.ruleset(ruleset).execution_rate_names)


def _read_with(reg: Registry, reader: Any, path: Union[str, Path]) -> tuple[Form, ...]:
    """Every form ``reader`` finds in ``path``; a plugin reader's failure names its plugin."""
    read_all = getattr(reader, "read_all", None)
    if read_all is None:
        found: Any = (_from_reader(reg, reader, lambda: reader.read(Path(path)), path),)
    else:
        found = _from_reader(reg, reader, lambda: tuple(read_all(Path(path))), path)
    if not found or not all(isinstance(f, Form) for f in found):
        # a reader must raise rather than find nothing, and hand back Forms
        raise _reader_failed(reg, reader, path, TypeError(f"it returned {found!r}, not Forms"))
    return tuple(found)


def _from_reader(reg: Registry, reader: Any, call: Any, path: Union[str, Path]) -> Any:
    """A reader's result; any exception of a plugin's reader that is not perfrules'
    own becomes a PluginError naming the reader and its plugin."""
    try:
        return call()
    except PerfrulesError:
        raise
    except Exception as exc:
        if (reg.owner("reader", reader.name) or "").startswith("perfrules.builtin."):
            raise  # a built-in reader's own error: a bug, reported as it is
        raise _reader_failed(reg, reader, path, exc) from exc


def _reader_failed(reg: Registry, reader: Any, path: Union[str, Path],
                   exc: BaseException) -> PluginError:
    return PluginError(f"reader {reader.name!r} (plugin {reg.owner('reader', reader.name)!r}) "
                       f"failed on {path}: {type(exc).__name__}: {exc}")


def ruleset_for(
    *,
    year: Optional[int] = None,
    date: Optional[datetime.date] = None,
    region: Optional[str] = None,
    registry: Optional[Registry] = None,
) -> RuleSet:
    """The ruleset in force in ``year`` (or on ``date``) for ``region``.

    ``region`` is a code such as ``CN-HB`` (湖北); a region's own ruleset
    wins over the national one (``CN``). Pin the result by its ``ref``
    (``cn-mof-2020@1``) where scores must stay reproducible.

    >>> ruleset_for(year=2022).ref
    'cn-mof-2020@1'
    """
    reg = registry if registry is not None else get_registry()
    return reg.ruleset_for(year=year, date=date, region=region)


def example_path() -> Path:
    """The path of the bundled example form (the 2022 香炉山街道 form)."""
    from importlib import resources

    with resources.as_file(resources.files("perfrules").joinpath("examples")) as folder:
        return Path(folder) / "xianglushan-2022.json"


EXAMPLE_SOURCE = "perfrules:examples/xianglushan-2022.json"


def example() -> Form:
    """The bundled example form (source ``perfrules:examples/xianglushan-2022.json``)."""
    import json
    from decimal import Decimal
    from importlib import resources

    text = resources.files("perfrules").joinpath("examples").joinpath(
        "xianglushan-2022.json").read_text("utf-8")
    return Form.from_dict(json.loads(text, parse_float=Decimal), source=EXAMPLE_SOURCE)
