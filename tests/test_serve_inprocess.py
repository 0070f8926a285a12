"""``perfrules serve`` in this process: the application through httpx's ASGI transport
(no socket, work in threads), the work of one request called directly, and the
command that starts it — the branches a client over HTTP cannot reach cheaply,
measured by coverage (tests/test_serve.py calls the real server process).
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import Any, Callable

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
pytest.importorskip("python_multipart")
httpx = pytest.importorskip("httpx")

import perfrules  # noqa: E402
from perfrules.cli import main  # noqa: E402
from perfrules.exceptions import (  # noqa: E402
    InputError,
    MissingDependencyError,
    PluginError,
    Problem,
    UnknownRulesetError,
)
from perfrules.serve import Settings, _pool, _work, create_app  # noqa: E402  # noqa: E402

from . import builders  # noqa: E402


def _run(settings: Settings, calls: Callable[[Any], Awaitable[Any]]) -> Any:
    app = create_app(settings)

    async def run() -> Any:
        async with app.router.lifespan_context(app):
            # as uvicorn does: the answer is sent, the exception only logged
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://test",
                                         timeout=60) as c:
                return await calls(c)

    return asyncio.run(run())


def _example(tmp: Path, name: str = "form.json") -> Path:
    path = tmp / name
    path.write_bytes(perfrules.example_path().read_bytes())
    return path


# -- one request's work, called directly ---------------------------------------------------------


def _job(path: Path, kind: str = "score", **kw: Any) -> _work.Job:
    return _work.Job(kind=kind, path=str(path), name=path.name, **kw)


def test_a_file_with_a_failing_form_answers_every_form(tmp_path: Path) -> None:
    import openpyxl

    path = builders.seed_xlsx(tmp_path / "two.xlsx")
    wb = openpyxl.load_workbook(path)
    broken = wb.copy_worksheet(wb["自评表"])
    broken.title = "坏表"
    broken["F7"] = "abc"  # a weight that is not a number
    wb.save(path)
    result = _work.handle(_job(path))
    assert result.status == 422
    body = json.loads(result.body)
    assert body["code"] == "forms-failed"
    assert [f["form"] for f in body["forms"]] == ["自评表", "坏表"]
    assert body["forms"][0]["report"]["total"] == "99.96"
    assert body["forms"][1]["error"]["code"] == "bad-number"
    assert str(tmp_path) not in result.body.decode("utf-8")  # the private folder never shows
    audited = json.loads(_work.handle(_job(path, "audit")).body)
    assert [f["form"] for f in audited["forms"]] == ["自评表", "坏表"]
    assert audited["summary"]["forms"] == 2


def test_classify_every_kind_of_failure() -> None:
    def code(exc: BaseException) -> tuple[int, str]:
        status, code, message, _ = _work.classify(exc, "x.json", "en")
        assert message
        return status, code

    big = Problem(code="limit-exceeded", message="too many cells")
    assert code(InputError(big)) == (413, "limit-exceeded")
    assert code(InputError(Problem(code="unknown-format", message="?"))) == (415, "unknown-format")
    assert code(InputError([Problem(code="bad-json", message="?"),
                            Problem(code="empty-file", message="?")])) == (400, "form-problems")
    assert code(MissingDependencyError("reading .pdf files", "pdf")) == (415, "missing-dependency")
    assert code(UnknownRulesetError("nope", ("cn-mof-2020",))) == (400, "unknown-ruleset")
    assert code(RecursionError()) == (422, "too-deep")
    assert code(MemoryError()) == (413, "no-memory")
    assert code(PluginError("a plugin failed")) == (500, "plugin-error")
    assert code(perfrules.PerfrulesError("no")) == (400, "input")
    status, name, message, _ = _work.classify(KeyError("secret detail"), "x", "zh")
    assert (status, name) == (500, "internal-error")
    assert "KeyError" in message and "Traceback" not in message


def test_tables_directly(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    data = json.loads(perfrules.example_path().read_text("utf-8"))
    rows = [{"form_id": "甲", **{k: ind.get(k) for k in ("name", "nature", "target", "actual",
                                                          "weight", "unit")}}
            for ind in data["indicators"]]
    table = pa.Table.from_pylist(rows)
    ipc = tmp_path / "t.arrow"
    with pa.OSFile(str(ipc), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)  # the IPC file format (Feather v2), not the stream
    result = _work.handle(_job(ipc, "table", table_format="arrow"))
    assert result.status == 200, result.body
    assert json.loads(result.body)["forms"][0]["total"] == str(
        perfrules.score(perfrules.example()).total)
    pq = pytest.importorskip("pyarrow.parquet")
    parquet = tmp_path / "t.parquet"
    pq.write_table(table, parquet)
    out = _work.handle(_job(parquet, "table", table_format="parquet", arrow_out=True))
    assert out.content_type == "application/vnd.apache.arrow.stream"
    assert pa.ipc.open_stream(out.body).read_all()["grade"].to_pylist() == ["优"]


def test_tables_without_pyarrow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pyarrow", None)
    path = tmp_path / "t.csv"
    path.write_text("form_id,name\n", "utf-8")
    result = _work.handle(_job(path, "table"))
    assert result.status == 415
    assert "perfrules[arrow]" in json.loads(result.body)["detail"]


# -- the application, in this process -------------------------------------------------------------


def test_requests_beyond_the_bound_and_past_the_time_limit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = _pool.handle

    def slow(job: _work.Job, registry: Any = None) -> _work.Result:
        time.sleep(1.5)
        return real(job, registry)

    monkeypatch.setattr(_pool, "handle", slow)
    path = _example(tmp_path)

    async def calls(c: Any) -> None:
        answers = await asyncio.gather(*[
            c.post("/v1/score", content=path.read_bytes(),
                   headers={"Content-Type": "application/json"}) for _ in range(3)])
        statuses = sorted(r.status_code for r in answers)
        assert statuses == [422, 503, 503], statuses  # one in flight; it took too long
        busy = next(r for r in answers if r.status_code == 503)
        assert busy.headers["Retry-After"] == "2"
        late = next(r for r in answers if r.status_code == 422)
        assert late.json()["code"] == "took-too-long"

    _run(Settings(workers=0, max_requests=1, timeout=0.5, retry_after=2), calls)


def test_http_level_refusals(tmp_path: Path) -> None:
    path = _example(tmp_path)

    async def slow_body() -> AsyncIterator[bytes]:
        yield b'{"indicators": '
        await asyncio.sleep(3)
        yield b"[]}"

    async def calls(c: Any) -> None:
        auth = {"Authorization": "Bearer tok"}
        r = await c.get("/v1/rules")
        assert r.status_code == 401
        r = await c.get("/v1/health")
        assert r.status_code == 200
        r = await c.post("/v1/score", headers={**auth, "Content-Type": "application/json"},
                         content=slow_body())
        assert r.status_code == 408 and r.json()["code"] == "slow-upload"
        r = await c.post("/v1/score", headers={**auth, "Content-Type": "application/json"},
                         content=b" " * 50_000)
        assert r.status_code == 413
        r = await c.post("/v1/score", headers=auth, files={"file": ("a.json", b" " * 50_000)})
        assert r.status_code == 413
        r = await c.post("/v1/score", headers={**auth, "Content-Type": "multipart/form-data"},
                         content=b"x")
        assert r.json()["code"] == "bad-multipart"
        r = await c.post("/v1/score", headers={
            **auth, "Content-Type": "multipart/form-data; boundary=zz"},
            content=b"--zz\r\nContent-Disposition: form-data; name=file; filename=a.json\r\n")
        assert r.status_code == 400
        r = await c.post("/v1/score", headers={
            **auth, "Content-Type": "multipart/form-data; boundary=zz"},
            content=b"garbage without a boundary line")
        assert r.status_code == 400
        r = await c.post("/v1/score", headers=auth, files={"file": ("form.json", b"{}")},
                         params={"format": "nope"})
        assert r.status_code == 415
        r = await c.post("/v1/score-table", headers={**auth, "Content-Type": "text/csv"},
                         content=b"form_id,name\n", params={"ruleset": "nope"})
        assert r.status_code == 400 and r.json()["code"] == "unknown-ruleset"
        r = await c.get("/v1/rulesets/select", headers=auth, params={"date": "2022-06-30",
                                                                      "region": "CN"})
        assert r.status_code == 200 and r.json()["ruleset"]["ref"] == "cn-mof-2020@1"
        r = await c.get("/v1/schemas/form", headers=auth)
        assert r.headers["Content-Type"] == "application/schema+json"
        r = await c.post("/v1/rules", headers=auth)
        assert r.status_code == 405
        r = await c.post("/v1/score", headers=auth, content=path.read_bytes(),
                         params={"filename": "x.docx", "format": "json"})
        assert r.status_code == 200  # format= wins over the name, as --from does
        r = await c.post("/v1/score", headers={
            **auth, "Content-Disposition": "attachment; filename*=UTF-8''%E8%A1%A8.json"},
            content=path.read_bytes())
        assert r.status_code == 200 and r.json()["file"] == "表.json"

    _run(Settings(workers=0, token="tok", max_bytes=40_000, timeout=1), calls)


def test_an_unexpected_error_is_json_without_a_traceback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from perfrules.serve import _app

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(_app, "ruleset_dict", broken)

    async def calls(c: Any) -> None:
        r = await c.get("/v1/rulesets")
        assert r.status_code == 500
        assert r.json()["code"] == "internal-error"
        assert "Traceback" not in r.text and "ZeroDivisionError" in r.text

    _run(Settings(workers=0), calls)


# -- the command ----------------------------------------------------------------------------------


def test_serve_command_starts_uvicorn_with_the_settings(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import uvicorn

    seen: dict[str, Any] = {}

    def run(app: Any, **kwargs: Any) -> None:
        seen.update(kwargs, settings=app.state.server.settings)

    monkeypatch.setattr(uvicorn, "run", run)
    monkeypatch.setenv("PERFRULES_SERVE_TOKEN", "from-env")
    assert main(["--lang", "en", "serve", "--host", "0.0.0.0", "--port", "9001",
                 "--workers", "3", "--timeout", "7"]) == 0
    assert seen["host"] == "0.0.0.0" and seen["port"] == 9001
    settings = seen["settings"]
    assert (settings.workers, settings.timeout, settings.token) == (3, 7.0, "from-env")
    err = capsys.readouterr().err
    assert "http://0.0.0.0:9001" in err
    assert "anyone on the network" not in err  # it has a token
    monkeypatch.delenv("PERFRULES_SERVE_TOKEN")
    assert main(["--lang", "zh", "serve", "--host", "0.0.0.0"]) == 0
    assert "任何人都可以调用" in capsys.readouterr().err


def test_a_worker_past_its_time_limit_is_killed_and_replaced(tmp_path: Path) -> None:
    """A table that never arrives (a FIFO no one writes: reading it blocks) holds its
    worker until the time limit; the worker is killed, and the next job gets a new one."""
    import os

    pytest.importorskip("pyarrow")
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    fifo = tmp_path / "t.csv"
    os.mkfifo(fifo)
    form = _example(tmp_path)
    pool = _pool.Pool(1)
    pool.start()

    async def run() -> list[Any]:
        return [await pool.run(_job(fifo, "table"), 1.0),
                await pool.run(_job(form), 30.0)]

    try:
        hung, next_one = asyncio.run(run())
    finally:
        pool.close()
    assert hung == _pool.TIMED_OUT
    assert isinstance(next_one, _work.Result) and next_one.status == 200


class 湖北插件:
    """A plugin whose name is Chinese (a class name may be)."""


def test_provenance_headers_of_a_plugin_with_a_chinese_name() -> None:
    from urllib.parse import unquote

    registry = perfrules.Registry(plugins=[湖北插件()], entry_points=False)
    app = create_app(Settings(workers=0), registry)

    async def run() -> Any:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
                return await c.get("/v1/health")

    r = asyncio.run(run())
    assert r.status_code == 200
    assert "湖北插件" in unquote(r.headers["X-Perfrules-Plugins"])
    assert {p["name"] for p in r.json()["provenance"]["plugins"]} >= {
        f"{__name__}.湖北插件"}


@pytest.mark.skipif(sys.platform == "win32", reason="no forkserver on Windows")
def test_the_pool_takes_spawn_when_the_temporary_folder_is_too_deep(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(tempfile, "tempdir", "/tmp")
    assert _pool._context().get_start_method() == "forkserver"
    monkeypatch.setattr(tempfile, "tempdir", "/tmp/" + "d" * 100)
    assert _pool._context().get_start_method() == "spawn"
