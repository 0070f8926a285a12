"""perfrules.dask on a LocalCluster of two worker processes: the single-process results."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# perfrules[dask] is in the test extra: dask and distributed are pure Python, with pyarrow,
# numpy and pandas wheels for every supported Python
import dask.dataframe as dd
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from distributed import Client, LocalCluster

import perfrules
import perfrules.dask
from perfrules.dask import audit_summaries
from tests.test_columnar import random_rows, to_table


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    # the workers build the default registry: only the built-ins, as the test registry
    old = os.environ.get("PERFRULES_DISABLE_PLUGIN_AUTOLOAD")
    os.environ["PERFRULES_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        with LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                          dashboard_address=None) as cluster, Client(cluster) as c:
            yield c
    finally:
        if old is None:
            del os.environ["PERFRULES_DISABLE_PLUGIN_AUTOLOAD"]
        else:
            os.environ["PERFRULES_DISABLE_PLUGIN_AUTOLOAD"] = old


def rows_table(n_forms: int = 60) -> pa.Table:
    # form ids that sort in the order the forms come, so that set_index moves no row
    rows = [dict(r, form_id=f"F{int(r['form_id'].split('-')[1]):04d}")
            for r in random_rows(n_forms, seed=13, lines=12)]
    return to_table(rows)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: (None if v is pd.NA else v) for k, v in row.items()}
            for row in frame.to_dict("records")]


def single_process(table: pa.Table, registry: perfrules.Registry) -> tuple[list[Any], list[Any]]:
    result = perfrules.score_table(table, registry=registry)
    return result.forms.to_pylist(), result.lines.to_pylist()


def test_score_dataframe_on_two_workers(client: Client, registry: perfrules.Registry) -> None:
    table = rows_table()
    forms, lines = single_process(table, registry)
    assert any(f["error"] for f in forms) and any(f["bulk"] for f in forms)
    ddf = dd.from_pandas(table.to_pandas().set_index("form_id"), npartitions=4, sort=True)
    assert ddf.npartitions > 1
    got = perfrules.dask.score_dataframe(ddf).compute()
    assert records(got) == forms
    got_lines = perfrules.dask.score_dataframe(ddf, output="lines").compute()
    assert records(got_lines) == lines
    assert str(got["total"].dtype).startswith("decimal128")


def test_a_parquet_dataset_one_file_per_group_of_forms(
        client: Client, tmp_path: Path, registry: perfrules.Registry) -> None:
    table = rows_table()
    forms, _ = single_process(table, registry)
    ids = table.column("form_id").to_pylist()
    for part in range(3):  # whole forms in each file
        keep = [i for i, f in enumerate(ids) if int(f[1:]) % 3 == part]
        pq.write_table(table.take(keep), tmp_path / f"part-{part}.parquet")
    ddf = dd.read_parquet(str(tmp_path))
    got = records(perfrules.dask.score_dataframe(ddf, "cn-mof-2020").compute())
    assert sorted(got, key=lambda f: f["form_id"]) == forms


def test_a_form_split_across_partitions_is_refused(client: Client) -> None:
    table = rows_table(4)
    ddf = dd.from_pandas(table.to_pandas(), npartitions=5, sort=False)  # cuts inside forms
    with pytest.raises(perfrules.InputError, match="split across partitions"):
        perfrules.dask.score_dataframe(ddf)
    with pytest.raises(perfrules.InputError, match="form_id"):
        perfrules.dask.score_dataframe(dd.from_pandas(pd.DataFrame({"name": ["a"]}),
                                                      npartitions=1))
    with pytest.raises(ValueError, match="output"):
        perfrules.dask.score_dataframe(ddf, output="both")


def test_audit_files_on_two_workers(client: Client, tmp_path: Path) -> None:
    paths = []
    for i in range(5):
        path = tmp_path / f"form-{i}.json"
        path.write_text(perfrules.example_path().read_text("utf-8"), "utf-8")
        paths.append(str(path))
    broken = tmp_path / "broken.json"
    broken.write_text("{", "utf-8")
    paths.insert(2, str(broken))
    want = [item for p in paths for item in audit_summaries(p)]
    got = perfrules.dask.audit_files(paths, npartitions=3).compute()
    assert got == want
    assert [g["total"] for g in got].count("99.96") == 5
    assert got[2]["error"] and got[2]["total"] is None
