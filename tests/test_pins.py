"""A score must never change silently between versions.

The content of every shipped ruleset is pinned by its hash. A change to a
ruleset that can change a score needs a new ruleset id or version and a
"Rule changes" entry in CHANGELOG.md; only then update the pin here.
"""

from __future__ import annotations

import hashlib
import json
from typing import Optional

import perfrules

PINNED = {
    ("cn-mof-2020", "1"): "7a2d40b7753b22640455831e515e853abd0119bffd6617f5489e369708edc529",
    ("cn-mof-2020-bands-80-50", "1"):
        "074a8035f6ab5f2cea84040c4720e3b3a5d61b12de2063d9fc9904777913a49c",
    ("cn-mof-2020-linear", "1"): "ed59b3c34a5402ebde163ec07e40d329e0422cbe430ca26f43cad87d23f2e5e6",
}


def test_shipped_rulesets_are_pinned(registry: perfrules.Registry) -> None:
    found = {(rs.id, rs.version): rs.content_hash() for rs in registry.rulesets.values()}
    assert found == PINNED


def test_golden_scores_are_pinned(registry: perfrules.Registry) -> None:
    """Every score, credit and rule of the seed and of all golden cases, as one hash.

    Explanations are left out: their wording may improve without a rule change.
    """
    from pathlib import Path

    forms = [perfrules.example()]
    rulesets: list[Optional[str]] = [None]
    for path in sorted((Path(__file__).parent / "cases").glob("*.json")):
        case = json.loads(path.read_text("utf-8"))
        if "error" not in case["expect"]:
            forms.append(perfrules.Form.from_dict(case["form"]))
            rulesets.append(case.get("ruleset"))
    numbers = []
    for form, ruleset in zip(forms, rulesets):
        data = perfrules.score(form, ruleset, registry=registry).to_dict(explain=False)
        numbers.append([data["total"], data["grade"], data["ruleset"],
                        [(i["name"], i["score"], i["credit"], i["met"], i["rule"])
                         for i in data["indicators"]]])
    text = json.dumps(numbers, ensure_ascii=False)
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == SCORES_SHA256


SCORES_SHA256 = "32ab15b3da82bdcf65b3f1d19321d187e34b287e952cd109c3c84a00d2689334"
