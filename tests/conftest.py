from __future__ import annotations

import pytest

import perfrules

pytest_plugins = ["pytester"]


@pytest.fixture(scope="session")
def registry() -> perfrules.Registry:
    """A registry of the built-in plugins only: tests never depend on what is installed."""
    return perfrules.Registry(entry_points=False)
