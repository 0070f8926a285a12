"""``perfrules serve``: its options, and starting the server.

Imported by the command line to build its parser, so it imports nothing of the
web stack; :func:`run_serve` does, and says which extra to install when it is
missing.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from .._registry import Registry
from ..exceptions import MissingDependencyError, PerfrulesError
from ._text import LANGS, say

TOKEN_ENV = "PERFRULES_SERVE_TOKEN"


def add_serve_parser(sub: Any, lang: str) -> argparse.ArgumentParser:
    """The ``serve`` subcommand's parser, its help in ``lang``."""
    from ..cli import _positive

    p: argparse.ArgumentParser = sub.add_parser("serve", help=say("h-serve", lang), lang=lang)
    p.add_argument("--host", default="127.0.0.1", help=say("h-host", lang))
    p.add_argument("--port", type=int, default=8000, help=say("h-port", lang))
    p.add_argument("--workers", type=_positive, metavar="N", help=say("h-workers", lang))
    p.add_argument("--timeout", type=_positive, default=60, metavar="SECONDS",
                   help=say("h-serve-timeout", lang))
    p.add_argument("--max-bytes", type=_positive, default=20 * 1024 * 1024, metavar="N",
                   help=say("h-max-bytes", lang))
    p.add_argument("--max-requests", type=_positive, default=64, metavar="N",
                   help=say("h-max-requests", lang))
    p.add_argument("--token-file", metavar="PATH", help=say("h-token-file", lang))
    from .._messages import text

    p.add_argument("--lang", choices=LANGS, default=argparse.SUPPRESS, help=text("h-lang", lang))
    return p


class ServeError(PerfrulesError):
    """A setting ``perfrules serve`` cannot start with."""


def _token(args: argparse.Namespace) -> Any:
    lang = args.lang
    if args.token_file:
        try:
            with open(args.token_file, encoding="utf-8") as fh:
                token = fh.read().strip()
        except OSError as exc:
            raise ServeError(say("bad-token-file", lang, path=args.token_file,
                                 reason=exc.strerror or exc)) from None
        if not token:
            raise ServeError(say("empty-token", lang, path=args.token_file))
        return token
    return os.environ.get(TOKEN_ENV, "").strip() or None


def run_serve(args: argparse.Namespace, registry: Registry) -> int:
    """Serve until interrupted; returns the exit code."""
    try:
        import python_multipart  # noqa: F401
        import starlette  # noqa: F401
        import uvicorn
    except ImportError:
        raise MissingDependencyError("perfrules serve", "serve") from None
    from .. import __version__
    from ._app import Settings, create_app

    token = _token(args)
    workers = args.workers or min(os.cpu_count() or 1, 8)
    settings = Settings(workers=workers, timeout=float(args.timeout), max_bytes=args.max_bytes,
                        max_requests=args.max_requests, token=token, lang=args.lang,
                        max_cells=args.max_cells)
    app = create_app(settings, registry)
    if token is None and args.host not in ("127.0.0.1", "localhost", "::1"):
        print(say("open-to-all", args.lang, host=args.host), file=sys.stderr)
    print(say("serving", args.lang, version=__version__, host=args.host, port=args.port,
              workers=workers, ruleset=registry.ruleset().ref), file=sys.stderr, flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning",
                timeout_keep_alive=5, server_header=False)
    return 0
