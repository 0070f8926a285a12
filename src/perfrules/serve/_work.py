"""What a request asks of perfrules, done where it can be stopped: in a worker process.

Nothing here imports the web stack: a :class:`Job` names a file in the
request's private folder and what to do with it; :func:`handle` reads, scores
or audits it exactly as the library and the command line do, and hands back a
:class:`Result` — the status and the JSON body, errors included. It never
raises: whatever goes wrong with one request is that request's answer.
"""

from __future__ import annotations

import decimal
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Optional

import attrs

from .. import __version__
from .._audit import audit
from .._auditing import _load_all
from .._engine import score
from .._messages import expected_text, problem_message, problem_text
from .._numbers import CONTEXT
from .._registry import Registry, get_registry
from .._ruleset import RuleSet
from ..exceptions import (
    InputError,
    MissingDependencyError,
    PerfrulesError,
    PluginError,
    Problem,
    UnknownRulesetError,
)
from ..io._limits import Limits
from ._text import say

#: Problem codes that say the file itself could not be parsed (400).
FILE_CODES = frozenset({
    "unreadable", "empty-file", "corrupt-file", "encrypted-or-old", "not-xls", "no-text-layer",
    "bad-encoding", "bad-csv", "bad-json", "bad-toml", "bad-yaml", "bad-text", "bad-setting"})
#: Problem codes that say the file is beyond a budget (413).
SIZE_CODES = frozenset({"file-too-large", "limit-exceeded"})


@attrs.frozen(kw_only=True)
class Job:
    """One request's work: ``kind`` is ``score``, ``audit`` or ``table``."""

    kind: str
    #: the uploaded file, inside the request's private folder
    path: str
    #: the name the client gave the file (shown instead of ``path``)
    name: str
    lang: str = "zh"
    reader: Optional[str] = None
    ruleset: Optional[str] = None
    explain: bool = True
    #: ``table`` only: ``csv``, ``arrow`` (IPC stream or file) or ``parquet``; answer as Arrow?
    table_format: str = "csv"
    arrow_out: bool = False
    #: the readers' budgets (``--max-cells``), given to them as an argument; None: defaults
    limits: Optional[Limits] = None


@attrs.frozen(kw_only=True)
class Result:
    """A request's answer: status, body and the ruleset it was made with (for the headers)."""

    status: int
    body: bytes
    content_type: str = "application/json"
    ruleset: Optional[str] = None


def provenance(registry: Registry, ruleset: Optional[RuleSet] = None) -> dict[str, Any]:
    """What answers: perfrules' version, the ruleset (id@version and sha256) and the plugins."""
    rs = ruleset if ruleset is not None else registry.ruleset()
    return {
        "perfrules": __version__,
        "ruleset": {"id": rs.id, "version": rs.version, "ref": rs.ref,
                    "sha256": rs.content_hash()},
        "plugins": [{"name": n, "version": v} for n, v in registry.plugin_versions],
    }


def dumps(data: Any) -> bytes:
    """JSON as the command line writes it: UTF-8, Chinese as it is, two-space indent."""
    from ..io._width import clean

    return clean(json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def problem_dict(problem: Problem, lang: str, source: str) -> dict[str, Any]:
    """A problem as JSON: every field of :class:`~perfrules.Problem` (``message`` and
    ``expected`` in ``lang``), and ``text``, the line the command line prints for it."""
    data = attrs.asdict(problem)
    data["message"] = problem_message(problem, lang)  # in the request's language, as `text`
    data["expected"] = expected_text(problem.expected, lang)
    data["text"] = problem_text(problem, lang, source)
    return data


def error_body(status: int, code: str, detail: str, lang: str, registry: Optional[Registry],
               **extra: Any) -> dict[str, Any]:
    """An error as ``application/problem+json`` (RFC 9457) with perfrules' problem code."""
    body: dict[str, Any] = {"type": f"urn:perfrules:problem:{code}", "title": say(str(status), lang),
                            "status": status, "code": code, "detail": detail}
    body.update(extra)
    if registry is not None:
        body["provenance"] = provenance(registry)
    return body


def error_result(status: int, code: str, detail: str, lang: str,
                 registry: Optional[Registry], **extra: Any) -> Result:
    return Result(status=status, body=dumps(error_body(status, code, detail, lang, registry,
                                                       **extra)),
                  content_type="application/problem+json")


def classify(exc: BaseException, source: str, lang: str) -> tuple[int, str, str, list[Any]]:
    """An exception as (status, code, message, problems), worded as the command line words it."""
    from .._audit_cli import _message

    message = _message(exc, source, lang)
    if isinstance(exc, InputError):
        codes = {p.code for p in exc.problems}
        problems = [problem_dict(p, lang, source) for p in exc.problems]
        code = exc.problems[0].code if len(codes) == 1 else "form-problems"
        if codes & SIZE_CODES:
            return 413, sorted(codes & SIZE_CODES)[0], message, problems
        if "unknown-format" in codes:
            return 415, "unknown-format", message, problems
        if codes & FILE_CODES:
            return 400, code, message, problems
        return 422, code, message, problems
    if isinstance(exc, MissingDependencyError):
        return 415, "missing-dependency", message, []
    if isinstance(exc, UnknownRulesetError):
        return 400, "unknown-ruleset", message, []
    if isinstance(exc, RecursionError):
        return 422, "too-deep", message, []
    if isinstance(exc, MemoryError):
        return 413, "no-memory", message, []
    if isinstance(exc, PluginError):
        return 500, "plugin-error", message, []
    if isinstance(exc, PerfrulesError):
        return 400, "input", message, []
    return 500, "internal-error", say("internal", lang, kind=type(exc).__name__), []


class _Scrub:
    """Every mention of the private folder taken out: the client's file name is shown."""

    def __init__(self, job: Job) -> None:
        self.folder = str(Path(job.path).parent) + os.sep
        self.escaped = json.dumps(self.folder, ensure_ascii=False)[1:-1]

    def text(self, value: str) -> str:
        return value.replace(self.folder, "")

    def body(self, data: bytes) -> bytes:
        return data.replace(self.escaped.encode("utf-8"), b"")


def handle(job: Job, registry: Optional[Registry] = None) -> Result:
    """Do ``job``; never raises (``KeyboardInterrupt`` aside)."""
    reg = registry if registry is not None else get_registry()
    scrub = _Scrub(job)
    try:
        with decimal.localcontext(CONTEXT):
            if job.kind == "table":
                return _table(job, reg)
            result = _forms(job, reg, scrub)
        return attrs.evolve(result, body=scrub.body(result.body))
    except (Exception, SystemExit) as exc:  # this request's failure is its answer
        status, code, message, problems = classify(exc, job.path, job.lang)
        extra: dict[str, Any] = {"problems": problems} if problems else {}
        result = error_result(status, code, scrub.text(message), job.lang, _safe(reg), **extra)
        return attrs.evolve(result, body=scrub.body(result.body))


def _safe(registry: Registry) -> Optional[Registry]:
    """The registry, when its default ruleset can be named (for the provenance of an error)."""
    try:
        registry.ruleset()
    except Exception:
        return None
    return registry


def _label(name: str, source: Optional[str], index: int, count: int) -> Optional[str]:
    from .._audit_cli import _form_label

    return _form_label(name, source, index, count)


def _forms(job: Job, reg: Registry, scrub: _Scrub) -> Result:
    """Every form of the file, each with its report (or audit), or its error."""
    forms = _load_all(job.path, job.reader, reg, job.limits, ruleset=job.ruleset)
    entries: list[dict[str, Any]] = []
    failed: list[tuple[int, str, str, list[Any]]] = []
    used: Optional[RuleSet] = None
    for i, form in enumerate(forms):
        label = _label(job.path, form.source, i, len(forms))
        entry: dict[str, Any] = {"form": label}
        try:
            if job.kind == "audit":
                found = audit(form, job.ruleset, registry=reg)
                entry.update(found.to_dict())
                entry["source"] = None if found.form.source is None else scrub.text(
                    found.form.source)
                used = used or found.ruleset
            else:
                report = score(form, job.ruleset, registry=reg)
                entry["report"] = report.to_dict(explain=job.explain, lang=job.lang)
                used = used or report.ruleset
        except (Exception, SystemExit) as exc:  # one form's failure is its entry, not the file's
            status, code, message, problems = classify(exc, job.path, job.lang)
            failed.append((status, code, message, problems))
            entry["error"] = {"status": status, "code": code,
                              "detail": say("form-failed", job.lang, message=message),
                              "problems": problems}
        entries.append(entry)
    body: dict[str, Any] = {"file": job.name, "forms": entries}
    prov = provenance(reg, used if used is not None else _default(job, reg))
    if job.kind == "audit":
        body["summary"] = _summary(entries)
    ref = prov["ruleset"]["ref"]
    if not failed:
        body["provenance"] = prov
        return Result(status=200, body=dumps(body), ruleset=ref)
    if len(failed) == 1 and len(entries) == 1:
        status, code, message, problems = failed[0]
        extra: dict[str, Any] = {"problems": problems} if problems else {}
        return attrs.evolve(error_result(status, code, message, job.lang, None, **extra,
                                         file=job.name, provenance=prov),
                            ruleset=ref)
    status = max(f[0] for f in failed)
    detail = say("forms-failed", job.lang, count=len(failed), total=len(entries))
    return attrs.evolve(error_result(status, "forms-failed", detail, job.lang, None,
                                     file=job.name, forms=entries, provenance=prov),
                        ruleset=ref)


def _default(job: Job, reg: Registry) -> RuleSet:
    return reg.ruleset(job.ruleset)


def _summary(entries: Sequence[dict[str, Any]]) -> dict[str, Any]:
    counts = {"error": 0, "warning": 0, "info": 0}
    for entry in entries:
        for severity, n in (entry.get("counts") or {}).items():
            counts[severity] = counts.get(severity, 0) + n
    return {"forms": len(entries), "not_audited": sum(1 for e in entries if "error" in e),
            "findings": counts}


# -- the columnar path ------------------------------------------------------------------


def _table(job: Job, reg: Registry) -> Result:
    try:
        import pyarrow as pa
    except ImportError:
        raise MissingDependencyError("scoring indicator tables", "arrow") from None
    from .._columnar import score_table

    source: Any = job.path
    if job.table_format == "arrow":
        source = _read_arrow(job.path)
    scores = score_table(source, job.ruleset, registry=reg)
    rs = reg.ruleset(job.ruleset)
    prov = provenance(reg, rs)
    if job.arrow_out:
        sink = pa.BufferOutputStream()
        table = scores.forms
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        return Result(status=200, body=sink.getvalue().to_pybytes(),
                      content_type="application/vnd.apache.arrow.stream", ruleset=rs.ref)
    body = {"forms": _rows(scores.forms), "lines": _rows(scores.lines), "provenance": prov}
    return Result(status=200, body=dumps(body), ruleset=rs.ref)


def _read_arrow(path: str) -> Any:
    import pyarrow as pa

    try:
        with pa.memory_map(path) as source:
            try:
                return pa.ipc.open_stream(source).read_all()
            except pa.ArrowInvalid:
                source.seek(0)
                return pa.ipc.open_file(source).read_all()
    except pa.ArrowInvalid as exc:
        raise InputError(Problem(code="corrupt-file", location=Path(path).name,
                                 message=f"not an Arrow IPC stream or file: {exc}",
                                 expected="an Arrow IPC stream (pyarrow.ipc.new_stream, "
                                          "Arrow Java ArrowStreamWriter)")) from None


def _rows(table: Any) -> list[dict[str, Any]]:
    """Rows as JSON objects, decimals as strings (never through a float)."""
    out = table.to_pylist()
    for row in out:
        for key, value in row.items():
            if isinstance(value, decimal.Decimal):
                row[key] = str(value)
    return list(out)
