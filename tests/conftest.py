from __future__ import annotations

import pytest

import perfrules

pytest_plugins = ["pytester"]


@pytest.fixture(scope="session")
def registry() -> perfrules.Registry:
    """A registry of the built-in plugins only: tests never depend on what is installed."""
    return perfrules.Registry(entry_points=False)


@pytest.fixture(autouse=True)
def _chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line in Chinese whatever the machine's locale, so that the pages and
    snapshots that show its output stay as they are (tests/test_lang.py sets its own)."""
    monkeypatch.setenv("PERFRULES_LANG", "zh")
