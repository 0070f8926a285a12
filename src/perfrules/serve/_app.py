"""The HTTP API (Starlette): routes, limits, authentication and uploads.

Every response carries the provenance headers; every error is
``application/problem+json`` with perfrules' problem code, never a traceback.
"""

from __future__ import annotations

import contextlib
import hmac
import os
import re
import shutil
import tempfile
from collections.abc import AsyncIterator, Awaitable, Mapping
from pathlib import Path
from typing import Any, Callable, Optional

import anyio
import attrs
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import __version__
from .._registry import Registry, get_registry
from ..exceptions import PerfrulesError
from ..io._limits import Limits
from . import _text
from ._pool import TIMED_OUT, Pool
from ._work import Job, Result, classify, dumps, error_result, provenance
from ._work import error_body as _error_body

_MIB = 1024 * 1024

#: Media types of uploads, and the extension (hence the reader) each stands for.
MEDIA_TYPES: dict[str, str] = {
    "application/json": ".json",
    "application/toml": ".toml",
    "application/yaml": ".yaml",
    "application/x-yaml": ".yaml",
    "text/yaml": ".yaml",
    "text/csv": ".csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/pdf": ".pdf",
}
#: Media types of indicator tables (``/v1/score-table``).
TABLE_TYPES: dict[str, str] = {
    "text/csv": "csv",
    "application/vnd.apache.arrow.stream": "arrow",
    "application/vnd.apache.arrow.file": "arrow",
    "application/vnd.apache.parquet": "parquet",
}
ARROW_STREAM = "application/vnd.apache.arrow.stream"
_UNSAFE = re.compile(r"[^\w.\-\u3000-\u9fff]+")


@attrs.frozen(kw_only=True)
class Settings:
    """How the server runs (``perfrules serve`` options)."""

    #: worker processes that read and score (0: threads of the server, not stoppable)
    workers: int = 2
    #: seconds a request may take to arrive, and seconds its work may take
    timeout: float = 60.0
    #: largest request body, in bytes
    max_bytes: int = 20 * _MIB
    #: requests in progress at once; beyond, 503 with Retry-After
    max_requests: int = 64
    #: the bearer token clients must send; None: no authentication
    token: Optional[str] = attrs.field(default=None, repr=False)
    #: the language of messages when a request names none
    lang: str = "zh"
    #: seconds a client should wait after a 503
    retry_after: int = 1
    #: the readers' cell budget (``--max-cells``); None: the default, or PERFRULES_MAX_CELLS
    max_cells: Optional[int] = None


class _Failure(Exception):
    """A request refused before any work: its status, code and message."""

    def __init__(self, status: int, code: str, detail: str,
                 headers: Optional[Mapping[str, str]] = None) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail
        self.headers = dict(headers or {})


class Server:
    """The state of one server: settings, registry, workers, requests in flight."""

    def __init__(self, settings: Settings, registry: Registry) -> None:
        self.settings = settings
        self.registry = registry
        #: the readers' budgets, given to each job (None: the defaults and PERFRULES_*)
        self.limits = None if settings.max_cells is None else attrs.evolve(
            Limits.from_env(), max_cells=settings.max_cells)
        self.pool = Pool(settings.workers, registry)
        self.in_flight = 0
        self.folder: Optional[str] = None
        self.default = registry.ruleset()

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        # every upload goes into a folder only this user can enter (mkdtemp: mode 0700)
        self.folder = tempfile.mkdtemp(prefix="perfrules-serve-")
        await anyio.to_thread.run_sync(self.pool.start)
        try:
            yield
        finally:
            self.pool.close()
            shutil.rmtree(self.folder, ignore_errors=True)

    # -- responses ----------------------------------------------------------------------

    def headers(self, ruleset: Optional[str] = None) -> dict[str, str]:
        """The provenance headers: on every response."""
        rs = self.default
        if ruleset is not None:
            with contextlib.suppress(PerfrulesError):  # a ruleset only a worker knows
                rs = self.registry.ruleset(ruleset)
        plugins = ",".join(f"{n}={v}" for n, v in self.registry.plugin_versions)
        return {  # percent-encoded past ASCII: a header is Latin-1, a plugin's name need not be
            "X-Perfrules-Version": _header(__version__),
            "X-Perfrules-Ruleset": _header(rs.ref),
            "X-Perfrules-Ruleset-Sha256": rs.content_hash(),
            "X-Perfrules-Plugins": _header(plugins),
        }

    def json(self, data: Any, status: int = 200, ruleset: Optional[str] = None,
             media_type: str = "application/json") -> Response:
        return Response(dumps(data), status_code=status, headers=self.headers(ruleset),
                        media_type=media_type)

    def failure(self, exc: _Failure, lang: str) -> Response:
        body = _error_body(exc.status, exc.code, exc.detail, lang, self.registry)
        headers = {**self.headers(), **exc.headers}
        return Response(dumps(body), status_code=exc.status, headers=headers,
                        media_type="application/problem+json")

    def result(self, result: Result) -> Response:
        return Response(result.body, status_code=result.status,
                        headers=self.headers(result.ruleset), media_type=result.content_type)

    # -- the frame of every endpoint ----------------------------------------------------

    def endpoint(self, handler: Callable[[Request, str], Awaitable[Response]], *,
                 public: bool = False, counted: bool = True) -> Callable[[Request],
                                                                        Awaitable[Response]]:
        """Language, authentication, the bound on requests in flight, errors as JSON."""
        async def run(request: Request) -> Response:
            lang = _text.choose(request.query_params, request.headers.get("accept-language"),
                                self.settings.lang)
            try:
                if not public:
                    self.authenticate(request, lang)
                if not counted:
                    return await handler(request, lang)
                if self.in_flight >= self.settings.max_requests:
                    retry = str(self.settings.retry_after)
                    raise _Failure(503, "busy", _text.say(
                        "busy", lang, limit=self.settings.max_requests, retry=retry),
                        {"Retry-After": retry})
                self.in_flight += 1
                try:
                    return await handler(request, lang)
                finally:
                    self.in_flight -= 1
            except _Failure as exc:
                return self.failure(exc, lang)
            except PerfrulesError as exc:  # a parameter perfrules refuses (an unknown ruleset)
                status, code, message, _ = classify(exc, "", lang)
                return self.failure(_Failure(status, code, message), lang)
        return run

    def authenticate(self, request: Request, lang: str) -> None:
        token = self.settings.token
        if token is None:
            return
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        # constant time: how much of a guess is right never shows in the time it takes
        if scheme.lower() != "bearer" or not hmac.compare_digest(
                given.strip().encode("utf-8"), token.encode("utf-8")):
            raise _Failure(401, "unauthorized", _text.say("unauthorized", lang),
                           {"WWW-Authenticate": 'Bearer realm="perfrules"'})

    # -- parameters ---------------------------------------------------------------------

    def ruleset_param(self, request: Request, lang: str) -> Optional[str]:
        """``ruleset=ID[@V]``, or the one in force for ``year=`` and ``region=``."""
        q = request.query_params
        given = q.get("ruleset") or None
        year = _int_param(q, "year", lang)
        region = q.get("region") or None
        if given is not None:
            return self.registry.ruleset(given).ref
        if year is not None or region is not None:
            return self.registry.ruleset_for(year=year, region=region).ref
        return None

    # -- uploads ------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def upload(self, request: Request, lang: str, *,
                     types: Mapping[str, str]) -> AsyncIterator[tuple[Path, str, str]]:
        """The request body as a file in a private folder, removed afterwards:
        (path, the client's name for it, its media type)."""
        assert self.folder is not None
        folder = tempfile.mkdtemp(prefix="req-", dir=self.folder)
        try:
            yield await self._receive(request, lang, Path(folder), types)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    async def _receive(self, request: Request, lang: str, folder: Path,
                       types: Mapping[str, str]) -> tuple[Path, str, str]:
        limit = self.settings.max_bytes
        length = request.headers.get("content-length")
        if length is not None and length.strip().isdigit() and int(length) > limit:
            raise _Failure(413, "too-large", _text.say("too-large", lang, limit=limit))
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        q = request.query_params
        try:
            with anyio.fail_after(self.settings.timeout):
                if media == "multipart/form-data":
                    from ._multipart import receive_file

                    name, media, path = await receive_file(request, folder, limit, lang)
                    name = q.get("filename") or name
                else:
                    name = q.get("filename") or _disposition_name(
                        request.headers.get("content-disposition", "")) or ""
                    path = folder / "body"
                    await _stream_to(request, path, limit, lang)
        except TimeoutError:
            raise _Failure(408, "slow-upload", _text.say(
                "slow-upload", lang, timeout=f"{self.settings.timeout:g}")) from None
        name = _safe_name(name)
        suffix = Path(name).suffix.lower()
        if types is MEDIA_TYPES and q.get("format") is None and not self._known_suffix(suffix):
            suffix = MEDIA_TYPES.get(media, "")  # no extension a reader knows: the media type
            if not suffix:
                raise _Failure(415, "unsupported-type", _text.say(
                    "unsupported-type", lang, type=media or "?", known=", ".join(sorted(types))))
        stem = Path(name).stem or "form"
        target = folder / f"{stem}{suffix}"
        path.rename(target)
        return target, f"{stem}{suffix}", media

    def _known_suffix(self, suffix: str) -> bool:
        return any(suffix in (e.lower() for e in r.extensions)
                   for r in self.registry.readers.values())

    # -- endpoints ----------------------------------------------------------------------

    async def forms(self, request: Request, lang: str, kind: str) -> Response:
        ruleset = self.ruleset_param(request, lang)
        reader = request.query_params.get("format") or None
        if reader is not None and reader not in self.registry.readers:
            raise _Failure(415, "unknown-format", _text.say(
                "bad-param", lang, name="format", value=reader,
                expected=", ".join(sorted(self.registry.readers))))
        explain = _bool_param(request.query_params, "explain", lang, default=True)
        async with self.upload(request, lang, types=MEDIA_TYPES) as (path, name, _):
            job = Job(kind=kind, path=str(path), name=name, lang=lang, reader=reader,
                      ruleset=ruleset, explain=explain, limits=self.limits)
            return await self.work(job, lang)

    async def score(self, request: Request, lang: str) -> Response:
        return await self.forms(request, lang, "score")

    async def audit(self, request: Request, lang: str) -> Response:
        return await self.forms(request, lang, "audit")

    async def table(self, request: Request, lang: str) -> Response:
        ruleset = self.ruleset_param(request, lang)
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        kind = TABLE_TYPES.get(media)
        if kind is None:
            raise _Failure(415, "unsupported-type", _text.say(
                "table-type", lang, type=media or "?", known=", ".join(TABLE_TYPES)))
        arrow_out = ARROW_STREAM in request.headers.get("accept", "")
        async with self.upload(request, lang, types={}) as (path, _, _):
            target = path.with_name("table." + {"csv": "csv", "arrow": "arrow",
                                                "parquet": "parquet"}[kind])
            path.rename(target)
            job = Job(kind="table", path=str(target), name=target.name, lang=lang,
                      ruleset=ruleset, table_format=kind, arrow_out=arrow_out)
            return await self.work(job, lang)

    async def work(self, job: Job, lang: str) -> Response:
        timeout = self.settings.timeout
        outcome = await self.pool.run(job, timeout)
        if outcome == TIMED_OUT:
            return self.result(error_result(422, "took-too-long", _text.say(
                "took-too-long", lang, timeout=f"{timeout:g}"), lang, self.registry))
        if isinstance(outcome, tuple):  # the worker stopped
            return self.result(error_result(500, "worker-stopped", _text.say(
                "worker-stopped", lang, code=outcome[1]), lang, self.registry))
        assert isinstance(outcome, Result)
        return self.result(outcome)

    async def health(self, request: Request, lang: str) -> Response:
        return self.json({"status": "ok", "provenance": provenance(self.registry),
                          "workers": self.settings.workers, "in_flight": self.in_flight,
                          "max_requests": self.settings.max_requests})

    async def rules(self, request: Request, lang: str) -> Response:
        reg = self.registry
        rules = [{"name": name, "kind": reg.kind_of(name), "natures": sorted(rule.natures),
                  "plugin": reg.owner("rule", name), "doc": _first_paragraph(type(rule).__doc__)}
                 for name, rule in reg.rules.items()]
        return self.json({"rules": rules, "provenance": provenance(reg)})

    async def rulesets(self, request: Request, lang: str) -> Response:
        items = [ruleset_dict(rs) for rs in self.registry.rulesets.values()]
        return self.json({"rulesets": items, "provenance": provenance(self.registry)})

    async def select(self, request: Request, lang: str) -> Response:
        q = request.query_params
        year = _int_param(q, "year", lang)
        date = None
        if q.get("date"):
            import datetime

            try:
                date = datetime.date.fromisoformat(q["date"])
            except ValueError:
                raise _Failure(400, "bad-param", _text.say(
                    "bad-param", lang, name="date", value=q["date"],
                    expected="YYYY-MM-DD")) from None
        rs = self.registry.ruleset_for(year=year, date=date, region=q.get("region") or None)
        return self.json({"ruleset": ruleset_dict(rs), "provenance": provenance(self.registry, rs)},
                         ruleset=rs.ref)

    async def plugins(self, request: Request, lang: str) -> Response:
        plugins = [{"name": p.name, "version": p.version} for p in self.registry.plugins]
        readers = [{"name": name, "extensions": list(r.extensions),
                    "plugin": self.registry.owner("reader", name)}
                   for name, r in self.registry.readers.items()]
        return self.json({"plugins": plugins, "readers": readers,
                          "provenance": provenance(self.registry)})

    async def schema(self, request: Request, lang: str) -> Response:
        from ..cli import schema_text

        which = request.path_params["which"]
        if which not in ("form", "report"):
            raise _Failure(404, "not-found", _text.say("not-found", lang, path=request.url.path))
        return Response(schema_text(which).encode("utf-8"), headers=self.headers(),
                        media_type="application/schema+json")

    async def openapi(self, request: Request, lang: str) -> Response:
        from ._openapi import document

        return self.json(document(self.registry))


def _header(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe=" !#$&'()*+,./:;=?@[]^_`{|}~-")


def ruleset_dict(rs: Any) -> dict[str, Any]:
    """A ruleset as the listing shows it: id@version, region, dates in force, citations."""
    return {
        "id": rs.id, "version": rs.version, "ref": rs.ref, "title": rs.title,
        "region": rs.region or None,
        "valid_from": None if rs.valid_from is None else rs.valid_from.isoformat(),
        "valid_until": None if rs.valid_until is None else rs.valid_until.isoformat(),
        "extends": rs.extends, "citation": rs.citation, "citation_en": rs.citation_en,
        "citations": dict(rs.citations), "sha256": rs.content_hash(),
    }


def _first_paragraph(doc: Optional[str]) -> str:
    text = (doc or "").strip().split("\n\n")[0]
    text = re.sub(r":[a-z]+:`~?([^`]+)`", r"\1", text).replace("``", "")
    return " ".join(text.split())


def _int_param(q: Mapping[str, str], name: str, lang: str) -> Optional[int]:
    value = q.get(name)
    if not value:
        return None
    if not value.strip().isdigit():
        raise _Failure(400, "bad-param", _text.say("bad-param", lang, name=name, value=value,
                                                    expected="YYYY"))
    return int(value)


def _bool_param(q: Mapping[str, str], name: str, lang: str, *, default: bool) -> bool:
    value = q.get(name)
    if value is None or value == "":
        return default
    words = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}
    if value.lower() not in words:
        raise _Failure(400, "bad-param", _text.say("bad-param", lang, name=name, value=value,
                                                    expected="true, false"))
    return words[value.lower()]


def _disposition_name(header: str) -> Optional[str]:
    match = re.search(r"filename\*?=(?:UTF-8'')?\"?([^\";]+)\"?", header, re.IGNORECASE)
    if not match:
        return None
    from urllib.parse import unquote

    return unquote(match.group(1))


def _safe_name(name: str) -> str:
    """The last part of a client's file name, without anything a path could use."""
    base = re.split(r"[\\/]", name)[-1]
    base = _UNSAFE.sub("_", base).strip("._ ")[:120]
    return base or "form"


async def _stream_to(request: Request, path: Path, limit: int, lang: str) -> None:
    """The body into ``path`` (created only for its owner), refused past ``limit`` bytes."""
    received = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise _Failure(413, "too-large", _text.say("too-large", lang, limit=limit))
            out.write(chunk)


def create_app(settings: Optional[Settings] = None,
               registry: Optional[Registry] = None) -> Starlette:
    """The ASGI application of ``perfrules serve`` (run it with any ASGI server).

    ``registry`` (default: :func:`perfrules.get_registry`) answers the listings and
    the provenance. Worker processes (``settings.workers > 0``) build theirs the
    same way in their own process — from the installed plugins and
    ``PERFRULES_PLUGINS`` — so a registry made of plugin objects in this process
    scores only with ``workers=0``.
    """
    server = Server(settings or Settings(), registry if registry is not None else get_registry())
    e = server.endpoint

    async def not_found(request: Request, exc: Exception) -> Response:
        lang = _text.choose(request.query_params, request.headers.get("accept-language"),
                            server.settings.lang)
        status = getattr(exc, "status_code", 500)
        if status == 405:
            failure = _Failure(405, "method", _text.say("method", lang, path=request.url.path,
                                                        method=request.method))
        elif status == 404:
            failure = _Failure(404, "not-found", _text.say("not-found", lang,
                                                           path=request.url.path))
        else:
            failure = _Failure(status, "http", str(getattr(exc, "detail", "")))
        return server.failure(failure, lang)

    async def crashed(request: Request, exc: Exception) -> Response:
        lang = _text.choose(request.query_params, request.headers.get("accept-language"),
                            server.settings.lang)
        return server.failure(_Failure(500, "internal-error", _text.say(
            "internal", lang, kind=type(exc).__name__)), lang)

    routes = [
        Route("/v1/health", e(server.health, public=True, counted=False)),
        Route("/v1/score", e(server.score), methods=["POST"]),
        Route("/v1/audit", e(server.audit), methods=["POST"]),
        Route("/v1/score-table", e(server.table), methods=["POST"]),
        Route("/v1/rules", e(server.rules)),
        Route("/v1/rulesets", e(server.rulesets)),
        Route("/v1/rulesets/select", e(server.select)),
        Route("/v1/plugins", e(server.plugins)),
        Route("/v1/schemas/{which}", e(server.schema)),
        Route("/v1/openapi.json", e(server.openapi, public=True)),
    ]
    app = Starlette(routes=routes, lifespan=server.lifespan,
                    exception_handlers={HTTPException: not_found, Exception: crashed})
    app.state.server = server
    return app
