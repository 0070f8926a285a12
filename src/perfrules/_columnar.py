"""score_table(): the columnar path for indicator tables (extra ``perfrules[arrow]``).

One row per indicator, forms told apart by a ``form_id`` column, as the
预算一体化 databases hold them. The result has the same cents as building each
form and calling :func:`perfrules.score` (the *object path*), by
construction:

- every cell is classified with the functions the object path parses with
  (:mod:`perfrules._numbers`, the ruleset's own tier and name lookups);
  plain decimal text (``95``, ``-0.5``) is recognised by one vectorised
  pattern, anything else once per distinct value;
- a line is scored in bulk only when the rule the plan chooses for it
  (:meth:`perfrules._plan.Plan.choose`, the object path's one choice) offers a
  bulk kernel (:mod:`perfrules._bulk`; the built-in rules do) and the kernel
  takes every one of its cells;
  a form with any other line (a plugin rule, a cell with a unit, a value too
  large for the integer bounds, a problem of any kind) is built as a
  :class:`~perfrules.Form` and scored by :func:`perfrules.score`, so its
  error or its score is exactly the object path's;
- arithmetic is on scaled integers: values × 10^k in int64 with NumPy where
  the bounds below hold, Python integers for the few lines where they do not,
  rounding half-up by integer division ``(2n + d) // (2d)``.

Why the integers give the object path's cents. The engine computes
``weight × numerator / denominator`` in a 28-digit Decimal context and then
rounds to cents. The product is exact (at most 24 digits under the bounds
here); the quotient may be rounded to 28 digits before the rounding to cents.
That first rounding can only change the cents when the exact quotient x lies
within half a 28-digit unit of a half-cent, without being on it. With x < 10⁴
and x = n / d for integers with d < 10²⁰, a quotient off a half-cent is off
it by at least 1 / (200 d) > 5·10⁻²³, far more than half a 28-digit unit of a
number below 10⁴ (5·10⁻²⁵). Lines and forms outside those bounds take the
object path.
"""

from __future__ import annotations

import decimal
import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Optional, Union

from ._bulk import Columns, Kernel, fixed, places_of, rhu
from ._engine import score
from ._model import Form, Indicator
from ._numbers import fold_word
from ._plan import plan_for
from ._registry import Registry, get_registry
from ._ruleset import RuleSet, ruleset_index
from .exceptions import InputError, MissingDependencyError, PerfrulesError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pyarrow as pa

    I64 = npt.NDArray[np.int64]
    BOOL = npt.NDArray[np.bool_]

__all__ = ["COLUMNS", "NUMBER_COLUMNS", "TableScores", "form_data", "form_dicts",
           "score_batches", "score_table"]

#: The indicator columns score_table reads (besides ``form_id``); others are ignored.
COLUMNS = ("name", "nature", "unit", "target", "actual", "weight", "reported_score",
           "judged_score", "budget", "executed", "applicable", "rule", "path", "note")
#: Columns that hold numbers only.
NUMBER_COLUMNS = ("weight", "reported_score", "judged_score", "budget", "executed")
_QUANTITIES = ("target", "actual", "budget", "executed")
_SMALL = ("weight", "reported_score", "judged_score")

# Plain decimal text, as the object path reads it unchanged: Decimal(text).
_PLAIN = r"^-?[0-9]{1,30}(\.[0-9]{1,12})?$"
# Bounds of the bulk path (see the module docstring).
_MAX_PLACES_QUANTITY = 6     # decimals of target, actual, budget, executed
_MAX_PLACES_SMALL = 4        # decimals of weight and scores
_LIMIT_QUANTITY = 10**15     # |value| × 10^places below this
_LIMIT_SMALL_UNITS = 10**4   # |weight|, |score| below this
_I64_HALF = 2**62

# cell kinds
_NULL, _NUM, _TEXT, _BAD = 0, 1, 2, 3
# name cells: an execution-rate name
_RATE = 16
# rule codes (apart from the cell kinds: _NULL also means "no rule"): a rule
# without a bulk kernel, and the first kernel (kernel k is _KERNEL + k)
_OTHER, _KERNEL = 10, 100

BATCH_ROWS = 65_536


class TableScores(NamedTuple):
    """What :func:`score_table` returns: two Arrow tables.

    ``lines``: one row per indicator of every form that scored — ``form_id``,
    ``line`` (0-based position in its form), ``name``, ``rule`` (null when
    not applicable), ``score`` (``decimal128(38, places)``, null when not
    applicable) and ``met``.

    ``forms``: one row per form, in input order — ``form_id``, ``lines`` (its
    indicator rows), ``total`` and ``grade`` (null when it failed) and
    ``error`` (the message of the error :func:`perfrules.score` raises for it,
    null when it scored) and ``bulk`` (whether it was scored in bulk, or built
    as a form and scored by :func:`perfrules.score` — the same cents, slower).
    """

    lines: Any
    forms: Any


def _require() -> None:
    try:
        import numpy  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MissingDependencyError("perfrules.score_table", "arrow") from exc


# -- input ---------------------------------------------------------------------


def _batches_of(table: object, batch_rows: int) -> Iterator[pa.RecordBatch]:
    """Record batches of any supported input, with the rows of each form consecutive."""
    import pyarrow as pa

    if isinstance(table, (str, os.PathLike)):
        yield from _read_path(Path(table), batch_rows)
        return
    if isinstance(table, pa.RecordBatch):
        table = pa.Table.from_batches([table])
    if not isinstance(table, pa.Table):
        module = type(table).__module__.split(".")[0]
        if module == "pandas":
            table = pa.Table.from_pandas(table, preserve_index=False)
        elif module == "polars":
            table = table.to_arrow()  # type: ignore[attr-defined]
    if isinstance(table, pa.Table):
        yield from _grouped(table).to_batches(max_chunksize=batch_rows)
        return
    if isinstance(table, Iterable):
        for item in table:
            if isinstance(item, pa.Table):
                yield from item.to_batches(max_chunksize=batch_rows)
            elif isinstance(item, pa.RecordBatch):
                yield item
            else:
                raise TypeError(f"expected pyarrow RecordBatches, got a {type(item).__name__}")
        return
    raise TypeError(f"score_table reads a pyarrow Table, a pandas or polars DataFrame, a .csv "
                    f"or .parquet path, or an iterable of RecordBatches; not a "
                    f"{type(table).__name__}")


def _read_path(path: Path, batch_rows: int) -> Iterator[pa.RecordBatch]:
    import pyarrow as pa

    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        yield from pq.ParquetFile(path).iter_batches(batch_size=batch_rows)
    elif suffix == ".csv":
        from pyarrow import csv

        # Every known column as text, so that no number goes through a float.
        types = {name: pa.string() for name in ("form_id", *COLUMNS)}
        reader = csv.open_csv(path, convert_options=csv.ConvertOptions(column_types=types),
                              read_options=csv.ReadOptions(block_size=1 << 22))
        yield from reader
    else:
        raise InputError(f"score_table reads .csv and .parquet files, not {path.name}")


def _codes(column: Any) -> I64:
    """Dense codes of a column's values, numbered in order of first appearance (null: -1)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    encoded = column.dictionary_encode() if not pa.types.is_dictionary(column.type) else \
        column.dictionary_decode().dictionary_encode()
    return np.asarray(pc.fill_null(encoded.indices, -1).to_numpy(), dtype=np.int64)


def _grouped(table: pa.Table) -> pa.Table:
    """The table with each form's rows together, forms in order of first appearance."""
    import numpy as np

    if "form_id" not in table.column_names:
        raise InputError("the table has no form_id column: one row per indicator, with the "
                         "id of its form in form_id")
    codes = _codes(table.column("form_id"))
    if len(codes) < 2:
        return table
    runs = 1 + int(np.count_nonzero(codes[1:] != codes[:-1]))
    if runs == len(np.unique(codes)):
        return table
    return table.take(np.argsort(codes, kind="stable"))


def _by_form(batches: Iterable[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Batches that end on a form boundary (a form cut by a batch is carried over).

    Raises :class:`~perfrules.InputError` when a form's rows are not consecutive.
    """
    import numpy as np
    import pyarrow as pa

    carry: Optional[pa.RecordBatch] = None
    seen: set[Any] = set()

    def check(batch: pa.RecordBatch) -> None:
        ids = batch.column("form_id").unique().to_pylist()
        again = [i for i in ids if i in seen]
        if again:
            raise InputError(f"the rows of form {again[0]!r} are not consecutive: sort the rows "
                             "by form_id (a Table is grouped automatically; a stream is not)")
        seen.update(ids)

    for batch in batches:
        if batch.num_rows == 0:
            continue
        if "form_id" not in batch.schema.names:
            raise InputError("the table has no form_id column: one row per indicator, with the "
                             "id of its form in form_id")
        if carry is not None:
            batch = pa.Table.from_batches([carry, batch]).combine_chunks().to_batches()[0]
        codes = _codes(batch.column("form_id"))
        starts = np.flatnonzero(codes[1:] != codes[:-1]) + 1
        if len(starts) == 0:
            carry = batch
            continue
        last = int(starts[-1])
        done, carry = batch.slice(0, last), batch.slice(last)
        check(done)
        yield done
    if carry is not None:
        check(carry)
        yield carry


# -- the object path, for forms the bulk path does not take ---------------------


def form_data(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The canonical form data of one form's rows (a null cell is an absent field)."""
    return {"indicators": [{k: v for k, v in row.items() if k in COLUMNS and v is not None}
                           for row in rows]}


def _form_of_rows(form_id: object, rows: Iterable[Mapping[str, Any]]) -> Form:
    return Form.from_dict(form_data(rows), source=str(form_id))


def form_dicts(table: object, *, batch_rows: int = BATCH_ROWS) -> Iterator[tuple[Any, dict[str, Any]]]:
    """``(form_id, data)`` for every form of an indicator table, in the order
    :func:`score_table` reports them: the object path is
    ``perfrules.score(perfrules.Form.from_dict(data, source=str(form_id)))``.
    """
    _require()
    for batch in _by_form(_batches_of(table, batch_rows)):
        rows = batch.to_pylist()
        codes = _codes(batch.column("form_id"))
        start = 0
        for stop in [*(int(i) + 1 for i in (codes[1:] != codes[:-1]).nonzero()[0]), len(rows)]:
            yield rows[start]["form_id"], form_data(rows[start:stop])
            start = stop


# -- cells ------------------------------------------------------------------------
#
# Plain decimal text (95, -0.5) is read the same by the object path whatever its
# value: Decimal(text), no unit, no nature in it. Every other cell is read by
# Indicator.from_dict itself, once per distinct value (number-only fields) or
# once per distinct combination of the cells that are read together (nature,
# unit, target, actual, applicable, rule), with plain numbers standing in as 1.


def _string_like(kind: Any) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind)
                or str(kind) == "string_view")


def _plain(column: Any) -> tuple[BOOL, Any]:
    """Which cells are plain decimal text, and the column as text (null where not plain)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = column.type
    if _string_like(kind) or pa.types.is_integer(kind) or pa.types.is_decimal(kind):
        text = column if pa.types.is_string(kind) else pc.cast(column, pa.string())
        plain = np.asarray(pc.fill_null(pc.match_substring_regex(text, _PLAIN), False)
                           .to_numpy(zero_copy_only=False), dtype=bool)
        return plain, text
    # floats (read through their repr), booleans …: every cell read by the object path
    return np.zeros(len(column), bool), pa.nulls(len(column), pa.string())


def _valid(column: Any) -> BOOL:
    import numpy as np

    return np.asarray(column.is_valid().to_numpy(zero_copy_only=False), dtype=bool)


def _distinct(column: Any, rows: BOOL) -> tuple[I64, list[Any]]:
    """Codes (-1 elsewhere) of the distinct values at ``rows``, and those values."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if not rows.any():
        return np.full(len(column), -1, np.int64), []
    uniques = pc.filter(column, pa.array(rows)).unique()
    idx = np.asarray(pc.fill_null(pc.index_in(column, value_set=uniques), -1)
                     .to_numpy(zero_copy_only=False), dtype=np.int64)
    return np.where(rows, idx, -1), uniques.to_pylist()


class _Numbers(NamedTuple):
    kind: I64     # _NULL, _NUM, _TEXT, _BAD per row
    text: Any     # pa string array: the plain decimal text of each number (else null)
    places: I64   # its decimals


def _numbers_of(kind: I64, text: Any) -> _Numbers:
    """Numbers from their plain text; a number the object path reads that has no plain
    text of at most 30 + 12 digits (1E+40 …) is left to the object path."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    plain = np.asarray(pc.fill_null(pc.match_substring_regex(text, _PLAIN), False)
                       .to_numpy(zero_copy_only=False), dtype=bool)
    kind = np.where((kind == _NUM) & ~plain, _BAD, kind)
    text = pc.if_else(pa.array(kind == _NUM), text, pa.scalar(None, pa.string()))
    dot = np.asarray(pc.fill_null(pc.find_substring(text, "."), -1).to_numpy(
        zero_copy_only=False), dtype=np.int64)
    length = np.asarray(pc.fill_null(pc.binary_length(text), 0).to_numpy(zero_copy_only=False),
                        dtype=np.int64)
    return _Numbers(kind, text, np.where(dot >= 0, length - dot - 1, 0))


def _probe(fields: Mapping[str, Any]) -> Optional[Indicator]:
    """The indicator the object path reads from these cells, or None when it finds a problem."""
    try:
        indicator = Indicator.from_dict({"name": "x", **fields})
    except PerfrulesError:
        return None
    return None if indicator.problems else indicator


def _number_column(column: Optional[Any], field: str, n: int) -> _Numbers:
    """A number-only field (weight, scores, amounts)."""
    import numpy as np
    import pyarrow as pa

    if column is None:
        return _Numbers(np.zeros(n, np.int64), pa.nulls(n, pa.string()), np.zeros(n, np.int64))
    plain, text = _plain(column)
    rest = _valid(column) & ~plain
    codes, values = _distinct(column, rest)
    kinds, texts = [], []
    for value in values:
        indicator = _probe({field: value})
        number = None if indicator is None else getattr(indicator, field)
        kinds.append(_BAD if indicator is None else _NULL if number is None else _NUM)
        texts.append(None if number is None else format(number, "f"))
    kind = np.where(plain, _NUM, _NULL).astype(np.int64)
    if values:
        kind = np.where(rest, np.array(kinds, np.int64)[np.maximum(codes, 0)], kind)
        mapped = pa.array(texts, pa.string()).take(pa.array(np.maximum(codes, 0)))
        text = _if_else(plain, text, mapped)
    return _numbers_of(kind, text)


def _if_else(mask: BOOL, yes: Any, no: Any) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.if_else(pa.array(mask), yes, no)


class _Lines(NamedTuple):
    """What the object path reads from the cells of each row, as arrays."""

    ok: BOOL            # read without a problem
    rule_kind: I64      # code of the rule the plan chooses (_NULL: neither rule nor nature)
    explicit: BOOL      # the line names its rule
    rules: list[Optional[str]]
    rule_code: I64      # index of the rule's name in ``rules`` (-1: none)
    applicable: BOOL
    percent: BOOL       # the unit is %
    target: _Numbers
    actual: _Numbers
    not_applicable: BOOL  # the actual says so (不适用)
    tier: I64           # the tier the actual names (-1: none)


_READ_TOGETHER = ("nature", "unit", "target", "actual", "applicable", "rule")


def _read_lines(batch: Any, plan: _Plan) -> _Lines:
    import numpy as np
    import pyarrow as pa

    n = batch.num_rows
    names = batch.schema.names
    parts: list[I64] = []
    values: list[list[Any]] = []
    plains: dict[str, tuple[BOOL, Any]] = {}
    for field in _READ_TOGETHER:
        if field not in names:
            parts.append(np.zeros(n, np.int64))
            values.append([])
            continue
        column = batch.column(field)
        if pa.types.is_dictionary(column.type):
            column = column.dictionary_decode()
        if field in ("target", "actual"):
            plain, text = _plain(column)
            plains[field] = (plain, text)
            codes, distinct = _distinct(column, _valid(column) & ~plain)
            # 0: empty, 1: plain number, 2 + code: another value
            parts.append(np.where(plain, 1, np.where(codes >= 0, codes + 2, 0)))
        else:
            codes, distinct = _distinct(column, _valid(column))
            parts.append(codes + 1)
        values.append(distinct)
    # one code per distinct combination
    radix = [int(part.max(initial=0)) + 1 for part in parts]
    if np.prod(np.array(radix, dtype=object)) < 2**62:
        key = np.zeros(n, np.int64)
        for part, base in zip(parts, radix):
            key = key * base + part
        combos, inverse = np.unique(key, return_inverse=True)
        decoded = []
        for combo in combos.tolist():
            digits = []
            for base in reversed(radix):
                combo, digit = divmod(combo, base)
                digits.append(digit)
            decoded.append(digits[::-1])
    else:  # pragma: no cover - needs ~10^3 distinct values in each of six columns
        stacked, inverse = np.unique(np.stack(parts, axis=1), axis=0, return_inverse=True)
        decoded = stacked.tolist()
    inverse = np.asarray(inverse, np.int64).reshape(-1)

    rs = plan.rs
    table: dict[str, list[Any]] = {k: [] for k in (
        "ok", "rule_kind", "rule", "explicit", "applicable", "percent",
        "t_kind", "t_text", "a_kind", "a_text", "na", "tier")}
    for digits in decoded:
        fields: dict[str, Any] = {}
        for field, digit, distinct in zip(_READ_TOGETHER, digits, values):
            if field in ("target", "actual"):
                if digit == 1:
                    fields[field] = "1"
                elif digit >= 2:
                    fields[field] = distinct[digit - 2]
            elif digit >= 1 and distinct[digit - 1] is not None:
                fields[field] = distinct[digit - 1]
        indicator = _probe(fields)
        table["ok"].append(indicator is not None)
        if indicator is None:
            for k in table:
                if k != "ok":
                    table[k].append(None)
            continue
        kind, rule = plan.choice(indicator)
        table["rule_kind"].append(kind)
        table["rule"].append(rule)
        table["explicit"].append(indicator.rule is not None)
        table["applicable"].append(indicator.applicable)
        table["percent"].append(indicator.unit in ("%", "％"))
        for field, prefix, digit in (("target", "t", digits[2]), ("actual", "a", digits[3])):
            value = getattr(indicator, field)
            if isinstance(value, Decimal):
                table[f"{prefix}_kind"].append(_NUM)
                table[f"{prefix}_text"].append(None if digit == 1 else format(value, "f"))
            else:
                table[f"{prefix}_kind"].append(_NULL if value is None else _TEXT)
                table[f"{prefix}_text"].append(None)
        actual = indicator.actual
        words = isinstance(actual, str)
        table["na"].append(words and rs.is_not_applicable(actual))
        tier = rs.tier_of(actual) if isinstance(actual, str) else None
        table["tier"].append(-1 if tier is None else rs.tiers.index(tier))

    def per_row(key: str, dtype: Any, empty: Any) -> Any:
        return np.array([empty if v is None else v for v in table[key]], dtype)[inverse]

    def numbers(field: str, prefix: str) -> _Numbers:
        kind = per_row(f"{prefix}_kind", np.int64, _BAD)
        if field not in plains:
            return _numbers_of(kind, pa.nulls(n, pa.string()))
        plain, text = plains[field]
        mapped = pa.array(table[f"{prefix}_text"], pa.string()).take(pa.array(inverse))
        return _numbers_of(kind, _if_else(plain, text, mapped))

    rules = sorted({r for r in table["rule"] if r is not None})
    return _Lines(
        ok=per_row("ok", bool, False),
        rule_kind=per_row("rule_kind", np.int64, _OTHER),
        explicit=per_row("explicit", bool, False),
        rules=[*rules, None],
        rule_code=np.array([rules.index(r) if r is not None else -1
                            for r in table["rule"]], np.int64)[inverse],
        applicable=per_row("applicable", bool, True),
        percent=per_row("percent", bool, False),
        target=numbers("target", "t"),
        actual=numbers("actual", "a"),
        not_applicable=per_row("na", bool, False),
        tier=per_row("tier", np.int64, -1),
    )


def _scaled(numbers: _Numbers, places: int, limit: int) -> tuple[I64, BOOL]:
    """Values × 10^places as int64, and where that is exact and below ``limit``."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    usable = (numbers.kind == _NUM) & (numbers.places <= places)
    text = pc.if_else(pa.array(usable), numbers.text, pa.scalar("0", pa.string()))
    dec = pc.cast(text, pa.decimal128(38, places))
    if sys.byteorder != "little":  # pragma: no cover - every platform pyarrow ships for
        values = [None if v is None else int(v.scaleb(places)) for v in dec.to_pylist()]
        fits = [v is not None and -limit < v < limit for v in values]
        return (np.array([v if f else 0 for v, f in zip(values, fits)], dtype=np.int64),
                np.array(fits, dtype=bool))
    words = np.frombuffer(dec.buffers()[1], dtype=np.int64)[2 * dec.offset:2 * (dec.offset + len(dec))]
    low, high = words[0::2], words[1::2]
    fits = usable & (high == (low >> 63)) & (low > -limit) & (low < limit)
    return np.where(fits, low, 0), fits


# -- rules --------------------------------------------------------------------




class _Plan:
    """What the bulk path needs of the ruleset, on top of the one rule plan
    (:func:`perfrules._plan.plan_for`): worked out once per call."""

    def __init__(self, rs: RuleSet, reg: Registry) -> None:
        self.rs, self.reg = rs, reg
        self.rules = plan_for(reg, rs)
        self.places = rs.places
        self.enabled = (rs.rounding == decimal.ROUND_HALF_UP and 0 <= rs.places <= 6
                        and _reads_plain_numbers())
        #: the bulk kernels of the rules met so far; kernel k has the code _KERNEL + k
        self.kernels: list[Kernel] = []
        self._codes: dict[str, int] = {}
        # the rule for execution-rate lines, as the plan chooses it
        self.rate_rule = self.rules.rate_rule
        self.rate_kind = self.code(self.rate_rule)
        self.total_places = places_of(rs.weight_total, rs.weight_tolerance)
        grades = sorted(rs.grades, key=lambda g: g.minimum, reverse=True)
        self.grades = [(g.name, int((g.minimum.scaleb(rs.places)).to_integral_value(
            decimal.ROUND_CEILING))) for g in grades]

    def code(self, name: Optional[str]) -> int:
        """The code of a rule: its kernel's, or ``_OTHER`` for a rule without one."""
        if name is None:
            return _OTHER
        found = self._codes.get(name)
        if found is None:
            kernel = self.rules.kernel(name)
            if kernel is None:
                found = _OTHER
            else:
                found = _KERNEL + len(self.kernels)
                self.kernels.append(kernel)
            self._codes[name] = found
        return found

    def choice(self, indicator: Indicator) -> tuple[int, Optional[str]]:
        """The code and name of the rule the plan chooses for a line read from these
        cells, when the cells decide it (an explicit rule or a nature; an
        execution-rate name is decided per row); ``_NULL`` when they do not."""
        if indicator.rule is None and indicator.nature is None:
            return _NULL, None
        entry = self.rules.choose(indicator).entry
        return (_OTHER, None) if entry is None else (self.code(entry.name), entry.name)


def _reads_plain_numbers() -> bool:
    """Whether the object path reads plain decimal text as Decimal(text) on every line
    shape the bulk path takes (checked once: if a change to the readers made it false,
    every form would take the object path rather than score differently)."""
    for nature in ("≥", "定性", None):
        for text in ("12.5", "-0.25", "0", "007"):
            fields = {"nature": nature, "target": text, "actual": text, "weight": text,
                      "budget": text, "executed": text, "judged_score": text,
                      "reported_score": text}
            indicator = _probe({k: v for k, v in fields.items() if v is not None})
            if indicator is None:
                if not text.startswith("-"):
                    return False
                continue
            number = Decimal(text)
            if any(getattr(indicator, f) != number or not isinstance(getattr(indicator, f), Decimal)
                   for f in ("target", "actual", "weight", "budget", "executed", "judged_score",
                             "reported_score")):
                return False
    return True


def _column(batch: Any, name: str) -> Optional[Any]:
    import pyarrow as pa

    if name not in batch.schema.names:
        return None
    column = batch.column(name)
    return column.dictionary_decode() if pa.types.is_dictionary(column.type) else column


#: The characters Python's ``str.strip()`` removes (``str.isspace``), for Arrow's utf8_trim:
#: names come out trimmed exactly as the object path trims them (tests/test_columnar.py).
PY_SPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
            "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
#: Names that are their own folded form (``fold_word``): printable ASCII but the space and
#: CJK unified ideographs only. No character here changes under NFKC, none composes with
#: another, none is a space: such a name is an execution-rate name only if it is one as
#: written. Any other name is folded in Python, once per distinct name.
_FOLDED = r"^[!-~\x{4e00}-\x{9fff}]+$"


def _name_kinds(column: Any, rs: RuleSet) -> tuple[I64, Any]:
    """The kind of each row's name (_BAD when empty, _RATE for an execution-rate name, else
    _NUM; _NULL for a null) and the trimmed distinct names, by code, with a null last.

    Real tables have names unique per form, so this is vectorised: the names are trimmed
    and matched against the ruleset's folded execution-rate names by Arrow; only names
    that are not their own folded form are folded in Python."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    encoded = column.dictionary_encode()
    words = pc.utf8_trim(encoded.dictionary.cast(pa.string()), characters=PY_SPACE)
    rate_names = ruleset_index(rs).execution_rate_names

    def mask(array: Any) -> BOOL:
        return np.asarray(pc.fill_null(array, False).to_numpy(zero_copy_only=False), dtype=bool)

    empty = mask(pc.equal(pc.utf8_length(words), 0))
    rate = mask(pc.is_in(words, value_set=pa.array(sorted(rate_names), pa.string())))
    folded = mask(pc.match_substring_regex(words, _FOLDED))
    others = np.flatnonzero(~(empty | rate | folded))
    if others.size:
        texts = words.take(pa.array(others, pa.int64())).to_pylist()
        rate[others] = [fold_word(text) in rate_names for text in texts]
    kinds = np.where(empty, _BAD, np.where(rate, _RATE, _NUM)).astype(np.int64)
    kinds = np.append(kinds, np.int64(_NULL))
    codes = np.asarray(encoded.indices.fill_null(-1).to_numpy(), dtype=np.int64)
    return kinds[codes], pa.concat_arrays([words, pa.nulls(1, pa.string())])


# -- one batch ----------------------------------------------------------------------


def _score_batch(batch: pa.RecordBatch, plan: _Plan) -> tuple[pa.RecordBatch, pa.RecordBatch]:
    """Score every form of a batch whose forms are whole and consecutive."""
    import numpy as np
    import pyarrow as pa

    n = batch.num_rows
    if any(column.offset for column in batch.columns):
        # a slice: copied, since if_else on sliced text gives corrupt arrays (pyarrow 21)
        batch = batch.take(pa.array(np.arange(n, dtype=np.int64)))
    rs, p = plan.rs, plan.places
    form_codes = _codes(batch.column("form_id"))
    starts = np.concatenate(([0], np.flatnonzero(form_codes[1:] != form_codes[:-1]) + 1))
    n_forms = len(starts)
    sizes = np.diff(np.append(starts, n))
    line_no = np.arange(n) - np.repeat(starts, sizes)

    ok = np.full(n, plan.enabled, dtype=bool)
    cents = np.zeros(n, np.int64)
    met = np.zeros(n, bool)
    applicable = np.ones(n, bool)
    fallback_rules: dict[int, Optional[str]] = {}

    # names, execution-rate names
    name_col = batch.column("name") if "name" in batch.schema.names else None
    if name_col is None or not _string_like(name_col.type):
        ok[:] = False
        name_kind, names = np.full(n, _BAD, np.int64), pa.nulls(1, pa.string())
        name_codes = np.full(n, -1, np.int64)
    else:
        name_kind, names = _name_kinds(name_col, rs)
        name_codes = _codes(name_col)
    ok &= (name_kind == _NUM) | (name_kind == _RATE)

    # cells, read as the object path reads them
    read = _read_lines(batch, plan)
    ok &= read.ok
    target, actual = read.target, read.actual
    small = {c: _number_column(_column(batch, c), c, n) for c in _SMALL}
    amounts = {c: _number_column(_column(batch, c), c, n) for c in ("budget", "executed")}
    for numbers in (target, actual, *small.values(), *amounts.values()):
        ok &= numbers.kind != _BAD
    qp = int(max(0, *(int(x.places[x.kind == _NUM].max(initial=0))
                      for x in (target, actual, *amounts.values()))))
    qp = min(qp, _MAX_PLACES_QUANTITY)
    sp = int(max(0, *(int(x.places[x.kind == _NUM].max(initial=0)) for x in small.values())))
    sp = min(sp, _MAX_PLACES_SMALL)
    limit_small = _LIMIT_SMALL_UNITS * 10**sp
    a, a_ok = _scaled(target, qp, _LIMIT_QUANTITY)
    b, b_ok = _scaled(actual, qp, _LIMIT_QUANTITY)
    bud, bud_ok = _scaled(amounts["budget"], qp, _LIMIT_QUANTITY)
    exe, exe_ok = _scaled(amounts["executed"], qp, _LIMIT_QUANTITY)
    w, w_ok = _scaled(small["weight"], sp, limit_small)
    rep, rep_ok = _scaled(small["reported_score"], sp, limit_small)
    jud, jud_ok = _scaled(small["judged_score"], sp, limit_small)
    for numbers, fits in ((target, a_ok), (actual, b_ok), (amounts["budget"], bud_ok),
                          (amounts["executed"], exe_ok), (small["weight"], w_ok),
                          (small["reported_score"], rep_ok), (small["judged_score"], jud_ok)):
        ok &= (numbers.kind != _NUM) | fits
    ok &= w_ok & (w >= 0)  # a missing or negative weight is the object path's error

    is_rate = name_kind == _RATE
    rule_kind, explicit = read.rule_kind, read.explicit
    kind = np.where(explicit, rule_kind,
                    np.where(is_rate, plan.rate_kind, rule_kind)).astype(np.int64)
    text_actual = actual.kind == _TEXT
    not_applicable = ~read.applicable | (text_actual & read.not_applicable)
    applicable = ~not_applicable
    scored = applicable.copy()
    ok &= not_applicable | ((kind != _OTHER) & (kind != _NULL))

    # -- each rule's kernel: credit n/d, or full, or the points themselves
    has_judged = small["judged_score"].kind == _NUM
    columns = Columns(
        a=a, b=b, a_num=target.kind == _NUM, b_num=actual.kind == _NUM, budget=bud,
        executed=exe, amounts=(amounts["budget"].kind == _NUM) & (amounts["executed"].kind == _NUM),
        percent=read.percent, qp=qp, w=w, sp=sp, judged=np.where(has_judged, jud, rep),
        any_judged=has_judged | (small["reported_score"].kind == _NUM),
        text_actual=text_actual, tier=read.tier, p=p)
    full = np.zeros(n, bool)
    ratio = np.zeros(n, bool)
    num = np.zeros(n, np.int64)
    den = np.ones(n, np.int64)
    direct = np.zeros(n, bool)
    direct_cents = np.zeros(n, np.int64)
    for k, kernel in enumerate(plan.kernels):
        sel = scored & (kind == _KERNEL + k)
        if not sel.any():
            continue
        out = kernel(columns, sel)
        ok &= ~sel | out.ok
        met = np.where(sel, out.met, met)
        full |= sel & out.full
        r = sel & out.ratio
        ratio |= r
        num = np.where(r, out.num, num)
        den = np.where(r, out.den, den)
        if out.cents is not None and out.direct is not None:
            d = sel & out.direct
            direct |= d
            direct_cents = np.where(d, out.cents, direct_cents)

    # rounded points of full and ratio lines
    full_cents = w * 10 ** (p - sp) if sp <= p else rhu(w, 10 ** (sp - p))
    cents = np.where(full & ok, full_cents, cents)
    big = ratio & ok & ~((num <= _I64_HALF // (2 * w * 10**p + 1)) & (den <= _I64_HALF // (2 * 10**sp)))
    fast = ratio & ok & ~big
    cents = np.where(fast, rhu(np.where(fast, w * num * 10**p, 0),
                                np.where(fast, den * 10**sp, 1)), cents)
    for i in np.flatnonzero(big).tolist():  # exact in Python integers
        nn, dd = int(w[i]) * int(num[i]) * 10**p, int(den[i]) * 10**sp
        cents[i] = (2 * nn + dd) // (2 * dd)
    cents = np.where(direct, direct_cents, cents)

    # -- forms: every line in bulk, the weights sum, the total and grade
    form_ok = np.logical_and.reduceat(ok, starts) if n else np.zeros(0, bool)
    weight_sum = np.add.reduceat(np.where(w_ok, w, 0), starts) if n else np.zeros(0, np.int64)
    mt = max(plan.total_places, sp)
    total_fixed = fixed(rs.weight_total, mt)
    tolerance_fixed = fixed(rs.weight_tolerance, mt)
    if total_fixed is None or tolerance_fixed is None or mt > 8:
        form_ok[:] = False
    else:
        form_ok &= np.abs(weight_sum * 10 ** (mt - sp) - total_fixed) <= tolerance_fixed
    line_cents = np.where(scored, cents, 0)
    sums = np.add.reduceat(line_cents, starts) if n else np.zeros(0, np.int64)
    rescale = np.logical_or.reduceat(not_applicable, starts) if n else np.zeros(0, bool)
    applicable_weight = np.add.reduceat(np.where(scored, w, 0), starts) if n else sums
    totals: list[Optional[int]] = [int(s) for s in sums]
    for f in np.flatnonzero(rescale & form_ok).tolist():
        tp_ = places_of(rs.weight_total)
        t_int = fixed(rs.weight_total, tp_)
        wa = int(applicable_weight[f])
        if wa == 0 or t_int is None:
            form_ok[f] = False
            continue
        nn, dd = int(sums[f]) * t_int * 10**sp, 10**tp_ * wa
        if dd >= 10**20 or nn >= 10**(4 + p) * dd:
            form_ok[f] = False
            continue
        totals[f] = (2 * nn + dd) // (2 * dd)

    # -- the object path for every other form
    errors: list[Optional[str]] = [None] * n_forms
    keep = np.repeat(form_ok, sizes)
    failed = np.zeros(n_forms, bool)
    ids = batch.column("form_id")
    for f in np.flatnonzero(~form_ok).tolist():
        start, size = int(starts[f]), int(sizes[f])
        form_id = ids[start].as_py()
        try:
            report = score(_form_of_rows(form_id, batch.slice(start, size).to_pylist()), rs,
                           registry=plan.reg)
        except PerfrulesError as exc:
            errors[f] = str(exc)
            failed[f] = True
            totals[f] = None
            continue
        totals[f] = fixed(report.total, p)
        for k, line in enumerate(report.lines):
            i = start + k
            keep[i] = True
            fallback_rules[i] = line.rule
            applicable[i] = line.applicable
            met[i] = bool(line.met)
            if line.points is not None:
                points = fixed(line.points, p)
                assert points is not None  # rounded to the ruleset's places
                cents[i] = points
    # rule names: an index into one list of names per line
    rule_codes = read.rule_code
    rule_table: list[Optional[str]] = [*read.rules, plan.rate_rule]
    chosen = np.where(rule_codes < 0, len(read.rules) - 1, rule_codes)
    rule_idx = np.where(explicit, chosen, np.where(is_rate, len(rule_table) - 1, chosen))
    seen_rules: dict[Optional[str], int] = {}
    for i, rule_name in fallback_rules.items():
        if rule_name not in seen_rules:
            seen_rules[rule_name] = len(rule_table)
            rule_table.append(rule_name)
        rule_idx[i] = seen_rules[rule_name]

    # -- output
    keep_idx = np.flatnonzero(keep)
    not_scored = ~applicable[keep_idx]
    name_idx = name_codes[keep_idx]
    lines = pa.RecordBatch.from_arrays([
        ids.take(pa.array(keep_idx, pa.int64())),
        pa.array(line_no[keep_idx], pa.int32()),
        names.take(pa.array(np.where(name_idx < 0, len(names) - 1, name_idx))),
        pa.array(rule_table, pa.string()).take(pa.array(rule_idx[keep_idx], mask=not_scored)),
        _decimals(cents[keep_idx], ~applicable[keep_idx], p),
        pa.array(met[keep_idx], pa.bool_(), mask=~applicable[keep_idx]),
    ], names=["form_id", "line", "name", "rule", "score", "met"])
    total_values = np.array([0 if v is None else v for v in totals], np.int64)
    grade_names: list[Optional[str]] = []
    for form_total, bad in zip(totals, failed):
        grade_names.append(None if bad or form_total is None else _grade(plan, form_total))
    forms = pa.RecordBatch.from_arrays([
        ids.take(pa.array(starts, pa.int64())),
        pa.array(sizes, pa.int32()),
        _decimals(total_values, failed, p),
        pa.array(grade_names, pa.string()),
        pa.array(errors, pa.string()),
        pa.array(form_ok, pa.bool_()),
    ], names=["form_id", "lines", "total", "grade", "error", "bulk"])
    return lines, forms


def _grade(plan: _Plan, cents: int) -> str:
    for name, minimum in plan.grades:
        if cents >= minimum:
            return name
    return ""


def _decimals(cents: I64, null: BOOL, places: int) -> pa.Array:
    """decimal128(38, places) from int64 scaled values, without going through Python."""
    import numpy as np
    import pyarrow as pa

    values = np.ascontiguousarray(np.asarray(cents, np.int64))
    words = np.empty(2 * len(values), np.int64)
    words[0::2] = values
    words[1::2] = values >> 63
    validity = pa.array(~np.asarray(null, bool)).buffers()[1] if np.any(null) else None
    return pa.Array.from_buffers(pa.decimal128(38, places), len(values),
                                 [validity, pa.py_buffer(words.tobytes())],
                                 null_count=int(np.count_nonzero(null)))


# -- the public functions ----------------------------------------------------------


def score_batches(
    batches: Iterable[pa.RecordBatch],
    ruleset: Union[str, RuleSet, None] = None,
    *,
    registry: Optional[Registry] = None,
) -> Iterator[tuple[pa.RecordBatch, pa.RecordBatch]]:
    """Score a stream of indicator record batches: ``(lines, forms)`` batches as they
    are ready, in constant memory. Rows of one form must be consecutive."""
    _require()
    reg = registry if registry is not None else get_registry()
    plan = _Plan(reg.ruleset(ruleset), reg)
    for batch in _by_form(batches):
        yield _score_batch(batch, plan)


def score_table(
    table: object,
    ruleset: Union[str, RuleSet, None] = None,
    *,
    registry: Optional[Registry] = None,
    batch_rows: int = BATCH_ROWS,
) -> TableScores:
    """Score an indicator table in bulk: per-line scores and per-form totals and grades.

    ``table`` is a ``pyarrow.Table`` or ``RecordBatch``, a pandas or polars
    DataFrame (converted through Arrow), the path of a ``.csv`` or
    ``.parquet`` file, or an iterable of ``pyarrow.RecordBatch`` (streamed:
    memory stays bounded by the batch size and the output). One row per
    indicator, with a ``form_id`` column and the canonical indicator fields
    as columns (see ``docs/scale.md``). The ruleset is the argument, else
    ``cn-mof-2020``.

    Returns :class:`TableScores` ``(lines, forms)``, two ``pyarrow.Table``.
    Every cent equals what :func:`perfrules.score` gives for the form built
    from the same rows; a form it refuses has its message in ``forms.error``
    and no lines, and the rest of the table is scored.
    """
    import pyarrow as pa

    _require()
    lines: list[pa.RecordBatch] = []
    forms: list[pa.RecordBatch] = []
    for line_batch, form_batch in score_batches(_batches_of(table, batch_rows), ruleset,
                                                registry=registry):
        lines.append(line_batch)
        forms.append(form_batch)
    reg = registry if registry is not None else get_registry()
    places = reg.ruleset(ruleset).places
    if not forms:
        empty = _empty(places)
        return TableScores(empty[0], empty[1])
    return TableScores(pa.Table.from_batches(lines), pa.Table.from_batches(forms))


def _empty(places: int) -> tuple[pa.Table, pa.Table]:
    import pyarrow as pa

    lines = pa.schema([("form_id", pa.string()), ("line", pa.int32()), ("name", pa.string()),
                       ("rule", pa.string()), ("score", pa.decimal128(38, places)),
                       ("met", pa.bool_())])
    forms = pa.schema([("form_id", pa.string()), ("lines", pa.int32()),
                       ("total", pa.decimal128(38, places)), ("grade", pa.string()),
                       ("error", pa.string()), ("bulk", pa.bool_())])
    return lines.empty_table(), forms.empty_table()
