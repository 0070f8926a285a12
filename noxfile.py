"""Test perfrules on every supported Python and on its declared dependency floors.

    nox -s tests-3.9 … tests-3.13     the suite on each supported Python
    nox -s floors                     the suite on Python 3.9 with the oldest declared versions
    nox -s docs                       the docs (warnings are errors) and their doctests
    nox -s coverage                   the suite with branch coverage, report printed

The interpreters are pyenv's: when ``PYENV_VERSION`` is unset and pyenv is
installed, every installed pyenv version is made visible, so ``python3.9`` …
``python3.13`` are found. Arguments after ``--`` go to pytest.

The floors session reads the floors from ``pyproject.toml`` itself (``>=`` → ``==``),
so the constraints can never drift from what the package declares.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nox

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - nox itself runs on the newest Python here
    import tomli as tomllib

from packaging.requirements import Requirement

ROOT = Path(__file__).parent
PYTHONS = ["3.9", "3.10", "3.11", "3.12", "3.13"]
OLDEST = PYTHONS[0]
# The extras a user installs (those `all` names, and `testing` for plugin authors):
# their floors are promises. The tooling in `test`, `docs` and `dev` resolves
# freely within its own floors.
PLUGIN_AUTHOR_EXTRAS = ("testing",)

nox.options.sessions = [*(f"tests-{v}" for v in PYTHONS), "floors"]
nox.options.reuse_existing_virtualenvs = False
nox.options.error_on_missing_interpreters = True

if "PYENV_VERSION" not in os.environ and shutil.which("pyenv"):
    # every installed version, the current one first so that `python3` stays what it was
    _current = subprocess.run(["pyenv", "version-name"], capture_output=True, text=True,
                              check=False).stdout.strip()
    _installed = subprocess.run(["pyenv", "versions", "--bare"], capture_output=True,
                                text=True, check=False).stdout.split()
    if _installed:
        os.environ["PYENV_VERSION"] = ":".join(
            dict.fromkeys([v for v in _current.split(":") if v in _installed] + _installed))


def _pytest(session: nox.Session, *extra: str) -> None:
    session.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra, *session.posargs)


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The whole suite against the newest dependencies the index offers."""
    session.install(".[test]")
    _pytest(session)


def floor_constraints(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """``name==floor`` for every runtime dependency and every extra a user installs.

    Markers are kept (tomli only below 3.11). A requirement without a ``>=``
    floor is an error: every dependency must declare the oldest version it
    works with.
    """
    project = tomllib.loads(pyproject.read_text("utf-8"))["project"]
    extras = project["optional-dependencies"]
    user_extras = [*PLUGIN_AUTHOR_EXTRAS]
    for text in extras["all"]:
        user_extras += sorted(Requirement(text).extras)
    requirements = list(project["dependencies"])
    for extra in dict.fromkeys(user_extras):
        requirements += [r for r in extras[extra] if Requirement(r).name != "perfrules"]
    lines = []
    for text in requirements:
        req = Requirement(text)
        floors = [spec.version for spec in req.specifier if spec.operator == ">="]
        if len(floors) != 1:
            raise ValueError(f"{text!r} in pyproject.toml declares no single '>=' floor")
        line = f"{req.name}=={floors[0]}"
        if req.marker is not None:
            line += f"; {req.marker}"
        lines.append(line)
    return lines


@nox.session(python=OLDEST)
def floors(session: nox.Session) -> None:
    """The whole suite on the oldest Python with the oldest declared dependencies."""
    constraints = Path(session.create_tmp()) / "floors.txt"
    constraints.write_text("\n".join(floor_constraints()) + "\n", "utf-8")
    session.log("floors:\n" + constraints.read_text("utf-8"))
    session.install("-c", str(constraints), ".[test]")
    session.run("python", "-m", "pip", "freeze")
    _pytest(session)


@nox.session(python=False)
def coverage(session: nox.Session) -> None:
    """Branch coverage of src/ in the current environment (CI's own virtualenv).

    ``coverage run`` rather than ``pytest --cov``: perfrules' pytest plugin imports
    perfrules before pytest-cov starts, so module-level lines would count as missed.
    """
    session.run("python", "-m", "coverage", "run", "-m", "pytest", "-q", "-p", "no:cacheprovider",
                *session.posargs)
    session.run("python", "-m", "coverage", "report")


@nox.session(python=False)
def docs(session: nox.Session) -> None:
    """The HTML docs with warnings as errors, and every example in them as a doctest."""
    session.run("sphinx-build", "-q", "-W", "-b", "html", "docs", "docs/_build/html")
    session.run("sphinx-build", "-q", "-W", "-b", "doctest", "docs", "docs/_build/doctest")
