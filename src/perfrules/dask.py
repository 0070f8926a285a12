"""Score and audit at the scale of a province or a country, on a Dask cluster.

Needs the ``dask`` extra (``pip install 'perfrules[dask]'``)::

    import dask.dataframe as dd
    import perfrules.dask

    rows = dd.read_parquet("indicators/")          # one row per indicator, a form_id column
    forms = perfrules.dask.score_dataframe(rows)   # one row per form: total, grade, error
    forms.to_parquet("scores/")

    audits = perfrules.dask.audit_files(paths)     # a dask.bag of per-form audit summaries
    audits.to_dataframe().to_csv("audit-*.csv")

The same code runs on one machine (a ``distributed.LocalCluster``) or on many
(a ``distributed.Client`` connected to a scheduler): every worker needs
perfrules, its extras and the same plugins installed, in the same versions
(docs/scale.md). Nothing but the ruleset id and the data is sent to a
worker; each worker builds its default registry once, on first use.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Optional, Union

from ._ruleset import RuleSet
from .exceptions import InputError, MissingDependencyError

try:
    import dask.bag as db
    import dask.dataframe as dd
    import pandas as pd
    import pyarrow as pa
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise MissingDependencyError("perfrules.dask", "dask") from exc

__all__ = ["audit_files", "score_dataframe"]

OUTPUTS = ("forms", "lines")


def score_dataframe(
    ddf: dd.DataFrame,
    ruleset: Union[str, RuleSet, None] = None,
    *,
    output: str = "forms",
    check: bool = True,
) -> dd.DataFrame:
    """Score a Dask DataFrame of indicator rows, partition by partition.

    The rows are those :func:`perfrules.score_table` reads (a ``form_id``
    column, or a ``form_id`` index, and the indicator columns). Each
    partition is scored with :func:`perfrules.score_table`; ``output`` picks
    what the result holds: ``"forms"`` (one row per form: ``form_id``,
    ``lines``, ``total``, ``grade``, ``error``, ``bulk``) or ``"lines"`` (one
    row per scored indicator). Decimals stay exact: the columns are
    Arrow-backed (``pandas.ArrowDtype``), totals ``decimal128(38, 2)``.

    A form must not be split across partitions. A dataframe indexed by
    ``form_id`` with known divisions (``ddf.set_index("form_id")``) keeps
    each form in one partition; otherwise, with ``check`` (the default),
    the form ids of every partition are computed first and a form found in
    two partitions is an :class:`~perfrules.InputError` (repartition with
    ``set_index("form_id")`` or ``shuffle("form_id")``, or write the Parquet
    dataset one form per file or row group).
    """
    if output not in OUTPUTS:
        raise ValueError(f"output must be one of {', '.join(OUTPUTS)}, not {output!r}")
    indexed = "form_id" not in ddf.columns
    if indexed and ddf.index.name != "form_id":
        raise InputError("the dataframe has no form_id column or index: one row per indicator, "
                         "with the id of its form in form_id")
    if check and not (indexed and ddf.known_divisions):
        _check_partitions(ddf, indexed)
    meta_rows = ddf._meta.reset_index() if indexed else ddf._meta
    id_type = pa.Schema.from_pandas(meta_rows, preserve_index=False).field("form_id").type
    if pa.types.is_null(id_type):
        id_type = pa.string()
    meta = _score_partition(ddf._meta, ruleset, output, indexed, id_type)
    frame: Any = ddf  # dask's methods are untyped
    return frame.map_partitions(_score_partition, ruleset, output, indexed, id_type, meta=meta)  # type: ignore[no-any-return]


def _score_partition(part: pd.DataFrame, ruleset: Union[str, RuleSet, None], output: str,
                     indexed: bool, id_type: Any) -> pd.DataFrame:
    """One partition's scores (runs on a worker)."""
    from ._columnar import score_table

    rows = part.reset_index() if indexed else part
    result = score_table(pa.Table.from_pandas(rows, preserve_index=False), ruleset)
    table = result.forms if output == "forms" else result.lines
    table = table.set_column(table.schema.get_field_index("form_id"), "form_id",
                             table.column("form_id").cast(id_type))
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def _check_partitions(ddf: dd.DataFrame, indexed: bool) -> None:
    ids = ddf.index if indexed else ddf["form_id"]
    seen = ids.map_partitions(lambda s: s.drop_duplicates()).value_counts().compute()
    split = seen[seen > 1]
    if len(split):
        examples = ", ".join(repr(i) for i in list(split.index)[:3])
        raise InputError(
            f"{len(split)} forms are split across partitions ({examples} …): partition the "
            "rows by form, e.g. ddf.set_index('form_id') or ddf.shuffle('form_id'), or "
            "write the dataset one form per file")


def audit_files(
    paths: Iterable[str],
    ruleset: Optional[str] = None,
    *,
    reader: Optional[str] = None,
    npartitions: Optional[int] = None,
) -> db.Bag:
    """A Dask bag of per-form audit summaries, one file read and audited per task.

    Each item is a dict: ``file``, ``form`` (the sheet or table, when the file
    holds several forms), ``title``, ``reported_total``, ``total``, ``grade``
    (decimals as strings), ``errors``, ``warnings``, ``infos`` (finding
    counts) and ``error`` (why the file could not be read, else None) — the
    rows of ``perfrules audit``'s summary. A file that fails is its error
    item; the bag goes on.
    """
    items = [str(p) for p in paths]
    if npartitions is None:
        npartitions = max(1, min(len(items), 100))
    bags: Any = db  # dask's functions are untyped
    return bags.from_sequence(items, npartitions=npartitions).map(  # type: ignore[no-any-return]
        audit_summaries, ruleset=ruleset, reader=reader).flatten()


def audit_summaries(path: str, ruleset: Optional[str] = None,
                    reader: Optional[str] = None) -> list[dict[str, Any]]:
    """The audit summaries of one file's forms (what :func:`audit_files` maps)."""
    from ._auditing import Job, audit_file

    out = []
    for item in audit_file(Job(index=0, path=path, reader=reader, ruleset=ruleset)):
        report = item.report
        counts = report.counts() if report is not None else {}
        out.append({
            "file": item.path,
            "form": item.form,
            "title": None if report is None else report.form.title,
            "reported_total": None if report is None or report.reported_total is None
            else str(report.reported_total),
            "total": None if report is None or report.total is None else str(report.total),
            "grade": None if report is None else report.grade,
            "errors": counts.get("error", 0),
            "warnings": counts.get("warning", 0),
            "infos": counts.get("info", 0),
            "error": item.error,
        })
    return out
