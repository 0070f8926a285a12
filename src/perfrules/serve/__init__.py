"""``perfrules serve``: perfrules as an HTTP API, for systems not written in Python
(extra ``perfrules[serve]``; see docs/serve.md).

>>> from perfrules.serve import Settings, create_app   # doctest: +SKIP
>>> app = create_app(Settings(workers=2))               # any ASGI server runs it

The web stack is imported only by :func:`create_app` and ``perfrules serve``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["Settings", "create_app"]

if TYPE_CHECKING:
    from ._app import Settings, create_app


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import _app

        return getattr(_app, name)
    raise AttributeError(name)
