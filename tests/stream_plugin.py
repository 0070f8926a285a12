"""A plugin importable by name, for the batch engine's tests (``tests.stream_plugin``).

Its reader reads ``.slowjson`` files: ``{"pause": seconds, "form": {…}}``, a
canonical form that takes ``pause`` seconds to read — to make workers finish
out of order, or to be slow enough to be interrupted.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Callable

import attrs

import perfrules
from perfrules.hookspecs import hookimpl


@attrs.frozen
class SlowJsonReader:
    name: str = "slowjson"
    extensions: tuple[str, ...] = (".slowjson",)

    def read(self, path: Path) -> perfrules.Form:
        data = json.loads(path.read_text("utf-8"))
        time.sleep(float(data["pause"]))
        return perfrules.Form.from_dict(data["form"])


@hookimpl
def perfrules_register_formats(register: Callable[[Any], None]) -> None:
    register(SlowJsonReader())
