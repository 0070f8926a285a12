"""A score must never change silently between versions.

The content of every shipped ruleset is pinned by its hash. A change to a
ruleset that can change a score needs a new ruleset id or version and a
"Rule changes" entry in CHANGELOG.md; only then update the pin here.
"""

from __future__ import annotations

import hashlib
import json

import perfrules

PINNED = {
    ("cn-mof-2020", "1"): "c06fabcca0abf31bfbd31e79960a02ec20025e7e713284dbb813bc7f7646fca4",
    ("cn-mof-2020-bands-80-50", "1"):
        "2f0d680ce7cdebd5479c9ba8a3b6a084974311eb0ed5a18f1ecaa47810f08227",
    ("cn-mof-2020-linear", "1"): "e6133f7dde523679c9cd6aac296fbcce8dbb7a19bb960c443dd716dbb957277f",
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
