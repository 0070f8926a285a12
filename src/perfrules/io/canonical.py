"""Readers of the canonical form in JSON, TOML and YAML (DESIGN.md §6)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from .._compat import tomllib
from .._model import Form
from ..exceptions import FormError, MissingDependencyError, Problem

__all__ = ["JsonReader", "TomlReader", "YamlReader", "check_file", "file_error", "read_bytes",
           "read_text"]

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


def read_text(path: Path) -> str:
    """A text file's content (UTF-8, with or without BOM), with clear errors."""
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


def _form(data: Any, path: Path) -> Form:
    if not isinstance(data, dict):
        raise file_error(str(path), "not-a-form", "the file does not hold a form mapping",
                     'an object with "indicators": [...]')
    return Form.from_dict(data, source=str(path))


@attrs.frozen
class JsonReader:
    name: str = "json"
    extensions: tuple[str, ...] = (".json",)

    def read(self, path: Path) -> Form:
        text = read_text(path)
        try:
            data = json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
        except json.JSONDecodeError as exc:
            raise file_error(f"{path}:{exc.lineno}:{exc.colno}", "bad-json",
                         f"not valid JSON: {exc.msg}") from None
        except ValueError as exc:
            raise file_error(str(path), "bad-json", str(exc), "finite numbers") from None
        return _form(data, path)


@attrs.frozen
class TomlReader:
    name: str = "toml"
    extensions: tuple[str, ...] = (".toml",)

    def read(self, path: Path) -> Form:
        text = read_text(path)
        try:
            data = tomllib.loads(text, parse_float=Decimal)
        except tomllib.TOMLDecodeError as exc:
            raise file_error(str(path), "bad-toml", f"not valid TOML: {exc}") from None
        return _form(data, path)


@attrs.frozen
class YamlReader:
    name: str = "yaml"
    extensions: tuple[str, ...] = (".yaml", ".yml")

    def read(self, path: Path) -> Form:
        try:
            import yaml
        except ImportError:
            raise MissingDependencyError("reading YAML forms", "yaml") from None
        text = read_text(path)
        try:
            # safe_load builds plain data only; floats are read back through
            # their shortest repr by the model, never used as floats.
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise file_error(str(path), "bad-yaml", f"not valid YAML: {exc}") from None
        return _form(data, path)
