"""Readers of the canonical form in JSON, TOML and YAML (``perfrules schema form``)."""

from __future__ import annotations

import json
import os
import re
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional

import attrs

from .._compat import tomllib
from .._model import Form
from ..exceptions import FormError, InputError, MissingDependencyError, Problem

if TYPE_CHECKING:  # _limits imports this module
    from ._limits import Limits

__all__ = ["JsonReader", "TomlReader", "YamlReader", "check_data", "check_file", "file_error",
           "read_bytes", "read_text"]

#: Larger inputs are refused rather than read into memory.
MAX_BYTES = 50 * 1024 * 1024


def check_file(path: Path, limit: int = MAX_BYTES) -> None:
    """Refuse a missing, unreadable, empty or oversized file clearly."""
    where = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise file_error(where, "unreadable", f"cannot read the file: {exc.strerror or exc}") from None
    if size == 0:
        raise file_error(where, "empty-file", "the file is empty")
    if size > limit:
        raise file_error(where, "file-too-large", f"the file is {size} bytes; the limit is {limit}")


def read_bytes(path: Path, limit: int = MAX_BYTES) -> bytes:
    """A file's bytes, after :func:`check_file`; blank content counts as empty."""
    check_file(path, limit)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise file_error(str(path), "unreadable",
                         f"cannot read the file: {exc.strerror or exc}") from None
    if not data.strip():
        raise file_error(str(path), "empty-file", "the file is empty")
    return data


def read_text(path: Path, limits: Optional[Limits] = None) -> str:
    """A text file's content (UTF-8, with or without BOM), with clear errors; with
    ``limits``, a form file (JSON, TOML, YAML) within ``max_text_bytes`` before it is read."""
    if limits is not None:
        check_file(path)  # missing, empty or beyond the size of any file first
        _check_text_size(path, limits)
    data = read_bytes(path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise file_error(str(path), "bad-encoding",
                         f"the file is not UTF-8 (byte {exc.start}); save it as UTF-8") from None


def file_error(where: str, code: str, message: str, expected: str = "") -> FormError:
    """An error about a whole file (it names the file as its location)."""
    return FormError(Problem(code=code, message=message, location=where,
                             expected=expected or None), where)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid number")


#: How deeply a canonical form may nest lists and mappings (a real form needs 4).
MAX_DEPTH = 32
DEPTH_ENV = "PERFRULES_MAX_DEPTH"


def _max_depth() -> int:
    raw = os.environ.get(DEPTH_ENV, "").strip()
    try:
        value = int(raw.replace("_", "")) if raw else MAX_DEPTH
    except ValueError:
        value = 0
    if value <= 0:
        raise InputError(Problem(code="bad-setting", field=DEPTH_ENV, value=raw,
                                 message=f"{DEPTH_ENV} is not a positive whole number",
                                 expected=f"e.g. {DEPTH_ENV}={MAX_DEPTH * 2}"))
    return value


def _too_deep(where: str, limit: int) -> FormError:
    return file_error(where, "limit-exceeded",
                      f"the data nests deeper than {limit} levels; the limit max_depth is {limit}",
                      f"at most {limit} levels (a form needs 4); if the file is a real form, set "
                      f"the environment variable {DEPTH_ENV} to a larger number")


_SURROGATE = re.compile("[\ud800-\udfff]")


def check_data(data: Any, where: str, limit: int, values: Optional[int] = None) -> None:
    """Refuse data nested deeper than ``limit`` (walked without recursion), holding more
    than ``values`` values (``max_cells``), and text that is not valid Unicode (a lone
    surrogate such as ``"\\ud800"``)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    seen = 0
    while stack:
        value, depth = stack.pop()
        seen += 1
        if values is not None and seen > values:
            raise _too_many(where, values)
        if isinstance(value, str):
            if _SURROGATE.search(value):
                raise file_error(where, "bad-text", f"the text {value[:40]!r} holds a lone "
                                 "surrogate (a \\ud800-\\udfff escape that is no character)",
                                 "text of valid Unicode characters")
        elif isinstance(value, (dict, list)):
            if depth > limit:
                raise _too_deep(where, limit)
            children = [*value.keys(), *value.values()] if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)


def _too_many(where: str, limit: int) -> FormError:
    from ._limits import limit_error

    return limit_error(where, "max_cells", limit, f"the document holds more than {limit} values")


def _check_text_size(path: Path, limits: Limits) -> None:
    """Refuse a JSON, TOML or YAML form larger than ``max_text_bytes`` before reading it:
    the size bounds what its parse can hold (a few dozen bytes of objects per byte)."""
    from ._limits import limit_error

    try:
        size = path.stat().st_size
    except OSError:
        return  # read_bytes says why
    if size > limits.max_text_bytes:
        raise limit_error(str(path), "max_text_bytes", limits.max_text_bytes,
                          f"the form file is {size} bytes")


def _resolve(limits: Optional[Limits]) -> Limits:
    from ._limits import resolve

    return resolve(limits)


def _form(data: Any, path: Path, limits: Optional[Limits] = None) -> Form:
    # depth first: Python 3.12+ parses JSON far deeper than 3.11 did (no RecursionError),
    # and a 3,000-deep list must be refused as too deep, whatever its shape
    lim = _resolve(limits)
    check_data(data, str(path), _max_depth(), lim.max_cells)
    from ._limits import check_indicators

    check_indicators(data, str(path), lim)
    if not isinstance(data, dict):
        raise file_error(str(path), "not-a-form", "the file does not hold a form mapping",
                         'an object with "indicators": [...]')
    return Form.from_dict(data, source=str(path))


@attrs.frozen
class JsonReader:
    name: str = "json"
    extensions: tuple[str, ...] = (".json",)
    #: budgets for one file; ``None``: the defaults and ``PERFRULES_*`` variables
    limits: Optional[Limits] = None

    def read(self, path: Path) -> Form:
        limits = _resolve(self.limits)
        text = read_text(path, limits)
        try:
            data = json.loads(text, parse_float=Decimal, parse_int=_int,
                              parse_constant=_reject_constant,
                              object_pairs_hook=_counting(str(path), limits.max_cells))
        except FormError:
            raise
        except json.JSONDecodeError as exc:
            raise file_error(f"{path}:{exc.lineno}:{exc.colno}", "bad-json",
                             f"not valid JSON: {exc.msg}") from None
        except RecursionError:  # deeper than Python can parse: far beyond the budget
            raise _too_deep(str(path), _max_depth()) from None
        except ValueError as exc:
            raise file_error(str(path), "bad-json", str(exc), "finite numbers") from None
        return _form(data, path, limits)


def _counting(where: str, limit: int) -> Callable[[list[tuple[str, Any]]], dict[str, Any]]:
    """An ``object_pairs_hook`` that counts each mapping and its members while the JSON is
    parsed, and stops at ``limit`` (``max_cells``): 300,000 indicators are refused after
    the first few thousand, not once all are held."""
    left = [limit]

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        left[0] -= len(pairs) + 1
        if left[0] < 0:
            raise _too_many(where, limit)
        return dict(pairs)
    return hook


def _int(text: str) -> int:
    """JSON integers up to 40 digits (Python refuses beyond 4,300 with a bare ValueError)."""
    if len(text.lstrip("-")) > 40:
        raise ValueError(f"the integer {text[:12]}… has {len(text)} digits; at most 40 are "
                         "valid")
    return int(text)


@attrs.frozen
class TomlReader:
    name: str = "toml"
    extensions: tuple[str, ...] = (".toml",)
    #: budgets for one file; ``None``: the defaults and ``PERFRULES_*`` variables
    limits: Optional[Limits] = None

    def read(self, path: Path) -> Form:
        limits = _resolve(self.limits)
        text = read_text(path, limits)  # tomllib has no hook: its memory is bounded by size
        try:
            data = tomllib.loads(text, parse_float=Decimal)
        except tomllib.TOMLDecodeError as exc:
            raise file_error(str(path), "bad-toml", f"not valid TOML: {exc}") from None
        except RecursionError:
            raise _too_deep(str(path), _max_depth()) from None
        return _form(data, path, limits)


def _yaml_loader(yaml: Any, where: str, depth_limit: int, node_limit: int) -> Any:
    """A SafeLoader that refuses deep nesting and alias bombs while composing.

    PyYAML shares an anchored node between its aliases, so a 1 KB document can
    stand for billions of values; the loader counts every value as if the
    aliases were expanded and stops at the budget, before anything is built.
    """
    from ._limits import limit_error

    class Loader(yaml.SafeLoader):  # type: ignore[misc]
        def __init__(self, stream: str) -> None:
            super().__init__(stream)
            self._depth = 0
            self._values = 0
            self._sizes: dict[int, int] = {}

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                node = super().compose_node(parent, index)
                self._count(self._sizes.get(id(node), 1))
                return node
            self._depth += 1
            if self._depth > depth_limit:
                raise _too_deep(where, depth_limit)
            before = self._values
            self._count(1)
            try:
                node = super().compose_node(parent, index)
            finally:
                self._depth -= 1
            self._sizes[id(node)] = self._values - before
            return node

        def _count(self, n: int) -> None:
            self._values += n
            if self._values > node_limit:
                raise limit_error(where, "max_cells", node_limit,
                                  f"the document holds more than {node_limit} values once its "
                                  "aliases (*name) are expanded")

    return Loader


@attrs.frozen
class YamlReader:
    name: str = "yaml"
    extensions: tuple[str, ...] = (".yaml", ".yml")
    #: budgets for one file; ``None``: the defaults and ``PERFRULES_*`` variables
    limits: Optional[Limits] = None

    def read(self, path: Path) -> Form:
        try:
            import yaml
        except ImportError:
            raise MissingDependencyError("reading YAML forms", "yaml") from None
        limits = _resolve(self.limits)
        text = read_text(path, limits)
        loader = _yaml_loader(yaml, str(path), _max_depth(), limits.max_cells)
        try:
            # Plain data only (SafeLoader); floats are read back through their
            # shortest repr by the model, never used as floats.
            data = yaml.load(text, Loader=loader)  # a SafeLoader subclass
        except yaml.YAMLError as exc:
            raise file_error(str(path), "bad-yaml", f"not valid YAML: {exc}") from None
        except RecursionError:
            raise _too_deep(str(path), _max_depth()) from None
        return _form(data, path, limits)
