"""A score must never change silently between versions.

The content of every shipped ruleset is pinned by its hash. A change to a
ruleset that can change a score needs a new ruleset id or version and a
"Rule changes" entry in CHANGELOG.md; only then update the pin here.
"""

from __future__ import annotations

import hashlib
import json

import perfrules

# Re-pinned before 0.1 when rulesets gained region, dates, per-rule citations, the
# rule for execution-rate lines and the unstated-nature data (CHANGELOG, "Rule
# changes"): every golden score and the seed's numbers below stayed the same.
PINNED = {
    ("cn-mof-2020", "1"): "a08ec2c70d18213d57d114a3d66bcb18d8949a7efbd81cbdd6f89518e4039e16",
    ("cn-mof-2020-bands-80-50", "1"):
        "61cbe76ea5e0500ebf3a15affbc84f6b9bd2e6da0224f832bfd88e2ea5b3c162",
    ("cn-mof-2020-linear", "1"): "afdeea1e59c66705fd673d97ac1d1963e020faac56c39ea3ceff22ccad2b4521",
}


def test_shipped_rulesets_are_pinned(registry: perfrules.Registry) -> None:
    found = {(rs.id, rs.version): rs.content_hash() for rs in registry.rulesets.values()}
    assert found == PINNED


def test_seed_numbers_are_pinned(registry: perfrules.Registry) -> None:
    """Every score, credit, met flag and rule of the seed report.

    The golden cases pin their own scores in their files; explanations are
    left out: their wording may improve without a rule change.
    """
    data = perfrules.score(perfrules.example(), registry=registry).to_dict(explain=False)
    numbers = [data["total"], data["grade"], data["ruleset"],
               [(i["name"], i["score"], i["credit"], i["met"], i["rule"])
                for i in data["indicators"]]]
    text = json.dumps(numbers, ensure_ascii=False)
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == SEED_SHA256


SEED_SHA256 = "a327f36fa805d7480022c28f3bd93dc44706b23044e71931bdc83fce64c60b26"
