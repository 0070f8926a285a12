"""Loading forms: JSON, TOML and YAML carry the same structure, read exactly."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

import perfrules

FORM = {
    "title": "测试表",
    "reported_total": "97.5",
    "indicators": [
        {"name": "执行率", "unit": "%", "nature": "=", "target": "100", "weight": 10,
         "actual": 99.5},
        {"name": "合格率", "nature": "", "target": "≥95%", "weight": "90", "actual": "95%"},
    ],
}


def _check(form: perfrules.Form) -> None:
    first, second = form.indicators
    assert first.actual == Decimal("99.5") and first.weight == Decimal(10)
    assert second.nature == "≥" and second.target == Decimal(95) and second.unit == "%"
    assert form.reported_total == Decimal("97.5")


def test_json(tmp_path: Path, registry: perfrules.Registry) -> None:
    path = tmp_path / "f.json"
    path.write_text(json.dumps(FORM, ensure_ascii=False), "utf-8-sig")  # BOM is fine
    form = perfrules.load(path, registry=registry)
    _check(form)
    assert form.indicators[0].where("actual") == f"{path}: indicators[0].actual"


def test_toml(tmp_path: Path, registry: perfrules.Registry) -> None:
    path = tmp_path / "f.toml"
    path.write_text('''title = "测试表"
reported_total = "97.5"
[[indicators]]
name = "执行率"
unit = "%"
nature = "="
target = "100"
weight = 10
actual = 99.5
[[indicators]]
name = "合格率"
target = "≥95%"
weight = "90"
actual = "95%"
''', "utf-8")
    _check(perfrules.load(path, registry=registry))


def test_yaml(tmp_path: Path, registry: perfrules.Registry) -> None:
    pytest.importorskip("yaml")
    path = tmp_path / "f.yaml"
    path.write_text('''title: 测试表
reported_total: 97.5
indicators:
  - {name: 执行率, unit: "%", nature: "=", target: 100, weight: 10, actual: 99.5}
  - {name: 合格率, target: "≥95%", weight: 90, actual: "95%"}
''', "utf-8")
    _check(perfrules.load(path, registry=registry))


def test_same_form_same_hash_in_any_format(tmp_path: Path, registry: perfrules.Registry) -> None:
    a = tmp_path / "a.json"
    a.write_text(json.dumps(FORM, ensure_ascii=False), "utf-8")
    b = tmp_path / "b.json"
    b.write_text(json.dumps(FORM, ensure_ascii=False, indent=4), "utf-8")
    assert perfrules.load(a, registry=registry).content_hash() == \
        perfrules.load(b, registry=registry).content_hash()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b'{"indicators": [{"name": "x", "weight": NaN}]}', "NaN"),
        (b'{"indicators": []}', "no indicators"),
        (b'[1, 2]', "form mapping"),
        (b'{"indicators": [{"weight": "5"}]}', "no name"),
        (b"\xff\xfe\x00", "not UTF-8"),
    ],
)
def test_bad_files(tmp_path: Path, registry: perfrules.Registry, content: bytes, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(perfrules.FormError, match=message) as info:
        perfrules.load(path, registry=registry)
    assert str(path) in str(info.value)


def test_unknown_field_is_reported_when_scoring(tmp_path: Path, registry: perfrules.Registry) -> None:
    path = tmp_path / "typo.json"
    path.write_text('{"indicators": [{"name": "x", "nature": "≥", "target": 1, "actual": 1, '
                    '"wieght": "100"}]}', "utf-8")
    form = perfrules.load(path, registry=registry)
    with pytest.raises(perfrules.FormError) as info:
        perfrules.score(form, registry=registry)
    codes = sorted(p.code for p in info.value.problems)
    assert codes == ["missing-weight", "unknown-field"]
    assert "unknown field 'wieght'" in str(info.value) and "weight" in str(info.value)


def test_missing_file(tmp_path: Path, registry: perfrules.Registry) -> None:
    with pytest.raises(perfrules.FormError, match="cannot read"):
        perfrules.load(tmp_path / "nope.json", registry=registry)


def test_round_trip_to_dict(registry: perfrules.Registry) -> None:
    form = perfrules.example()
    again = perfrules.Form.from_dict(form.to_dict(), source=form.source)
    assert again == form


def test_indicator_constructor_is_strict() -> None:
    with pytest.raises(ValueError, match="not a number"):
        perfrules.Indicator(name="x", weight="abc")
    ind = perfrules.Indicator(name="x", weight=4.5, target=95, actual="全部完成")
    assert ind.weight == Decimal("4.5") and ind.target == Decimal(95)
