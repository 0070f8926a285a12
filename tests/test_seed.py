"""The published 2022 香炉山街道 form scores as published: 99.96, 优."""

from __future__ import annotations

from decimal import Decimal

import perfrules

RATE_EXPLAINED = "9.964 → 9.96（财预〔2020〕10号 自评表填报说明：预算执行率按执行数与预算数之比计分）"


def test_seed_every_line_and_total(registry: perfrules.Registry) -> None:
    form = perfrules.example()
    report = perfrules.score(form, registry=registry)
    assert len(report.lines) == 21
    first, *rest = report.lines
    assert first.name == "全年预算执行率"
    assert first.rule == "execution-rate"
    assert first.points == Decimal("9.96")
    assert first.raw == Decimal("9.964")
    assert first.met is False
    assert all(line.points == Decimal("4.50") and line.met for line in rest)
    assert report.total == Decimal("99.96")
    assert str(report.total) == "99.96"
    assert report.grade == "优"
    # the published form reports the same numbers line by line
    assert report.total == form.reported_total
    for line in report.lines:
        assert line.points == line.indicator.reported_score


def test_seed_explanation_cites_the_policy(registry: perfrules.Registry) -> None:
    report = perfrules.score(perfrules.example(), registry=registry)
    text = report.explain("zh")
    assert "99.64 / 100 × 10 = " + RATE_EXPLAINED in text
    assert text.splitlines()[-1].endswith("= 99.96，等级 优")
    english = report.explain("en")
    assert ("99.64 / 100 × 10 = 9.964 → 9.96 "
            "(MOF Caiyu [2020] No. 10, form notes: the execution rate") in english
    assert "grade 优 (excellent)" in english


def test_seed_rules_per_line(registry: perfrules.Registry) -> None:
    report = perfrules.score(perfrules.example(), registry=registry)
    rules = {line.name: line.rule for line in report.lines}
    assert rules["保障公共服务运行成本"] == "at-most"
    assert rules["营商环境优化"] == "qualitative"
    assert rules["居民各项补助按标准发放率"] == "equal"
    assert rules["开展安全检查次数"] == "at-least"


def test_example_has_no_contact_data() -> None:
    text = perfrules.example_path().read_text("utf-8")
    assert "联系人" not in text
    assert "电话" not in text


def test_provenance(registry: perfrules.Registry) -> None:
    report = perfrules.score(perfrules.example(), registry=registry)
    prov = report.provenance
    assert prov.perfrules_version == perfrules.__version__
    assert prov.ruleset_id == "cn-mof-2020"
    assert len(prov.ruleset_hash) == 64
    assert len(prov.form_hash) == 64
    assert ("perfrules.builtin.rules", perfrules.__version__) in prov.plugins
    again = perfrules.score(perfrules.example(), registry=registry)
    assert again.provenance == prov
    assert again.to_dict() == report.to_dict()
