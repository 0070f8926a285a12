from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

import perfrules

pytest_plugins = ["pytester"]

# CI machines are shared and slow: a property is judged by its examples, not by how fast
# hypothesis could generate them (tests that set their own settings keep them).
settings.register_profile("perfrules", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("perfrules")


@pytest.fixture(scope="session")
def registry() -> perfrules.Registry:
    """A registry of the built-in plugins only: tests never depend on what is installed."""
    return perfrules.Registry(entry_points=False)


@pytest.fixture(autouse=True)
def _chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line in Chinese whatever the machine's locale, so that the pages and
    snapshots that show its output stay as they are (tests/test_lang.py sets its own)."""
    monkeypatch.setenv("PERFRULES_LANG", "zh")
