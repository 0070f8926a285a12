"""perfrules.score_many: lazy, ordered, one result per form, errors in place."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

import perfrules
from perfrules._batch import BatchResult


def _form(n: int) -> perfrules.Form:
    """A two-line form whose total is 50 + n/10 (n in 0..499)."""
    return perfrules.Form(title=f"f{n}", source=f"form-{n}", indicators=[
        perfrules.Indicator(name="a", nature="≥", target=Decimal(500), actual=Decimal(n),
                            weight=Decimal(50)),
        perfrules.Indicator(name="b", nature="≤", target=Decimal(1), actual=Decimal(1),
                            weight=Decimal(50)),
    ])


def _bad(n: int) -> perfrules.Form:
    return perfrules.Form(source=f"bad-{n}", indicators=[
        perfrules.Indicator(name="a", nature="≥", target=Decimal(1), actual=Decimal(1),
                            weight=Decimal(60))])  # weights sum to 60


def _summary(results: list[BatchResult]) -> list[tuple[int, str | None, str]]:
    return [(r.position, r.source,
             str(r.report.total) if r.report is not None else type(r.error).__name__)
            for r in results]


def test_results_come_in_input_order_with_errors_in_place(registry: perfrules.Registry) -> None:
    items = [_form(1), _form(2), _bad(3), _form(4)]
    results = list(perfrules.score_many(items, registry=registry))
    assert _summary(results) == [(0, "form-1", "50.10"), (1, "form-2", "50.20"),
                                 (2, "bad-3", "FormError"), (3, "form-4", "50.40")]
    assert [r.ok for r in results] == [True, True, False, True]
    error = results[2].error
    assert isinstance(error, perfrules.FormError)
    assert [p.code for p in error.problems] == ["weights-sum"]


def test_input_is_consumed_lazily(registry: perfrules.Registry) -> None:
    consumed: list[int] = []

    def forms() -> Iterator[perfrules.Form]:
        for n in range(10**9):  # never materialised: a list of it would not fit
            consumed.append(n)
            yield _form(n % 500)

    results = perfrules.score_many(forms(), registry=registry)
    assert consumed == []  # nothing read before the first result is asked for
    first = next(results)
    assert first.report is not None and first.report.total == Decimal("50.00")
    assert consumed == [0]
    for _ in range(4):
        next(results)
    assert consumed == [0, 1, 2, 3, 4]


def test_paths_give_one_result_per_form_and_unreadable_files_their_error(
        tmp_path: Path, registry: perfrules.Registry) -> None:
    good = tmp_path / "good.json"
    good.write_text(perfrules.example_path().read_text("utf-8"), "utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", "utf-8")
    missing = tmp_path / "missing.json"
    unknown = tmp_path / "form.xyz"
    unknown.write_text("?", "utf-8")
    results = list(perfrules.score_many([str(good), broken, missing, unknown, _form(5)],
                                        registry=registry))
    assert [r.position for r in results] == [0, 1, 2, 3, 4]
    assert results[0].report is not None and str(results[0].report.total) == "99.96"
    assert results[0].source is not None and results[0].source.endswith("good.json")
    assert isinstance(results[1].error, perfrules.PerfrulesError)
    assert results[1].source == str(broken)
    assert isinstance(results[2].error, (OSError, perfrules.PerfrulesError))
    assert isinstance(results[3].error, perfrules.FormError)
    assert results[4].report is not None and results[4].report.total == Decimal("50.50")


def test_a_file_with_several_forms_gives_several_results(
        tmp_path: Path, registry: perfrules.Registry) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    from tests.builders import seed_rows

    wb = openpyxl.Workbook()
    for i, title in enumerate(["一", "二"]):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = title
        ws.append(["指标名称", "计量单位", "指标性质", "指标值", "指标权重", "全年完成值", "指标得分"])
        for row in seed_rows():
            ws.append([row[1], row[2], row[3], row[4], row[5], row[6], row[7]])
    path = tmp_path / "two.xlsx"
    wb.save(path)
    results = list(perfrules.score_many([path, _form(0)], registry=registry))
    assert [r.position for r in results] == [0, 0, 1]
    assert all(r.ok for r in results), [r.error for r in results]
    assert len({r.source for r in results[:2]}) == 2


def test_items_that_are_not_forms_or_paths_are_errors_too(registry: perfrules.Registry) -> None:
    results = list(perfrules.score_many([_form(1), 42, _form(2)],  # type: ignore[list-item]
                                        registry=registry))
    assert isinstance(results[1].error, TypeError)
    assert results[2].report is not None


def test_workers_and_registry_are_checked() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        perfrules.score_many([], workers=0)
    # a registry of plugins importable by name reaches the workers (issue 17)
    assert list(perfrules.score_many([], workers=2, registry=perfrules.Registry(
        entry_points=False))) == []


def test_two_workers_give_what_one_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the workers build the default registry: keep it to the built-ins, as the test registry is
    monkeypatch.setenv("PERFRULES_DISABLE_PLUGIN_AUTOLOAD", "1")
    path = tmp_path / "seed.json"
    path.write_text(perfrules.example_path().read_text("utf-8"), "utf-8")
    items: list[object] = [_form(n) if n % 7 else _bad(n) for n in range(30)]
    items[11] = str(path)
    items[12] = str(tmp_path / "missing.json")
    serial = list(perfrules.score_many(items, "cn-mof-2020-linear"))  # type: ignore[arg-type]
    parallel = list(perfrules.score_many(iter(items), "cn-mof-2020-linear",  # type: ignore[arg-type]
                                         workers=2))
    assert _summary(parallel) == _summary(serial)
    assert len(serial) == 30 and sum(not r.ok for r in serial) == 6
    for one, two in zip(serial, parallel):
        if one.report is not None:
            assert two.report is not None
            assert json.dumps(two.report.to_dict()) == json.dumps(one.report.to_dict())
        else:
            assert str(two.error) == str(one.error)
