"""perfrules.score_table's inputs: a RecordBatch, an iterable of Tables, empty batches,
dictionary-encoded text, rows without names; and the inputs it refuses, with what is valid."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import perfrules
from perfrules import InputError

pa = pytest.importorskip("pyarrow")

ROWS = {
    "form_id": ["甲", "甲", "乙"],
    "name": ["培训人次", "服务质量", "培训人次"],
    "nature": ["≥", "定性", "≥"],
    "target": ["100", "良好", "100"],
    "actual": ["110", "达成", "50"],
    "weight": ["60", "40", "100"],
}


def totals(result: perfrules.TableScores) -> dict[str, Decimal]:
    return {f["form_id"]: f["total"] for f in result.forms.to_pylist()}


def test_a_record_batch_and_an_iterable_of_tables_score_alike(registry: perfrules.Registry) -> None:
    table = pa.table(ROWS)
    want = totals(perfrules.score_table(table, registry=registry))
    assert want == {"甲": Decimal("100.00"), "乙": Decimal("50.00")}
    batch = table.to_batches()[0]
    assert totals(perfrules.score_table(batch, registry=registry)) == want
    halves = [table.slice(0, 2), table.slice(2)]
    empty = table.schema.empty_table().to_batches() or [pa.RecordBatch.from_pylist([], table.schema)]
    assert totals(perfrules.score_table([*halves, *empty], registry=registry)) == want


def test_dictionary_encoded_text_is_read_as_its_values(registry: perfrules.Registry) -> None:
    table = pa.table({k: (pa.array(v).dictionary_encode() if k in ("nature", "actual") else v)
                      for k, v in ROWS.items()})
    assert totals(perfrules.score_table(table, registry=registry)) == {
        "甲": Decimal("100.00"), "乙": Decimal("50.00")}


def test_rows_without_names_are_refused_form_by_form(registry: perfrules.Registry) -> None:
    rows = {k: v for k, v in ROWS.items() if k != "name"}
    result = perfrules.score_table(pa.table(rows), registry=registry)
    forms = {f["form_id"]: f for f in result.forms.to_pylist()}
    assert forms["甲"]["total"] is None and "name" in forms["甲"]["error"]
    assert result.lines.num_rows == 0


def test_a_blank_name_refuses_only_its_form(registry: perfrules.Registry) -> None:
    rows = dict(ROWS, name=["培训人次", "  ", "培训人次"])
    forms = {f["form_id"]: f for f in perfrules.score_table(pa.table(rows),
                                                            registry=registry).forms.to_pylist()}
    assert forms["甲"]["total"] is None and forms["甲"]["error"]
    assert forms["乙"]["total"] == Decimal("50.00")


def test_a_table_without_form_ids_says_what_is_needed(registry: perfrules.Registry) -> None:
    rows = {k: v for k, v in ROWS.items() if k != "form_id"}
    with pytest.raises(InputError, match="no form_id column: one row per indicator"):
        perfrules.score_table(pa.table(rows), registry=registry)


def test_only_csv_and_parquet_files(registry: perfrules.Registry, tmp_path: Path) -> None:
    path = tmp_path / "指标.xlsx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(InputError, match=r"reads \.csv and \.parquet files, not 指标\.xlsx"):
        perfrules.score_table(path, registry=registry)


def test_an_iterable_of_something_else_is_a_type_error(registry: perfrules.Registry) -> None:
    with pytest.raises(TypeError, match="expected pyarrow RecordBatches, got a dict"):
        perfrules.score_table([ROWS], registry=registry)
