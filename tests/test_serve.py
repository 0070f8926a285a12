"""``perfrules serve``, tested as a client uses it: the server runs as a process of its
own on a free port and is called over HTTP with httpx.

Every answer is compared with what the library gives in this process for the
same file, byte for byte (the JSON of the report, numbers as strings). A test
plugin (installed for the server process only, through PYTHONPATH) adds
readers that hang, raise or kill their process, for the hostile cases.
Skipped when the ``serve`` extra (or httpx) is not installed.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
pytest.importorskip("python_multipart")
httpx = pytest.importorskip("httpx")

import perfrules  # noqa: E402
from perfrules.cli import main  # noqa: E402

from . import builders, fileformats, layouts  # noqa: E402

TOKEN = "s3cret-token-0123456789"
TIMEOUT = 4  # the server's --timeout: the hostile reader sleeps far longer

PLUGIN = '''
import os
import time

from perfrules.plugin import hookimpl


class _Reader:
    def __init__(self, name, action):
        self.name = name
        self.extensions = ("." + name,)
        self.action = action

    def read(self, path):
        return self.action()


def _hang():
    time.sleep(600)


def _boom():
    raise RuntimeError("the hostile reader exploded")


def _die():
    os._exit(3)


@hookimpl
def perfrules_register_formats(register):
    register(_Reader("slow", _hang))
    register(_Reader("boom", _boom))
    register(_Reader("die", _die))
'''


def _plugin_dir(root: Path) -> Path:
    """A plugin module and its dist-info, found by the server through PYTHONPATH."""
    site = root / "site"
    info = site / "perfrules_servetest-1.0.dist-info"
    info.mkdir(parents=True)
    (site / "perfrules_servetest.py").write_text(PLUGIN, "utf-8")
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: perfrules-servetest\n"
                                   "Version: 1.0\n", "utf-8")
    (info / "entry_points.txt").write_text("[perfrules]\nservetest = perfrules_servetest\n",
                                           "utf-8")
    return site


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Served:
    def __init__(self, url: str, port: int, tmp: Path, proc: subprocess.Popen[bytes]) -> None:
        self.url, self.port, self.tmp, self.proc = url, port, tmp, proc

    def client(self, token: str | None = TOKEN, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60, **kwargs)


@contextlib.contextmanager
def _serve(root: Path, *options: str, depth: int = 0) -> Iterator[Served]:
    root.mkdir(parents=True, exist_ok=True)
    site = _plugin_dir(root)
    # the server's TMPDIR: short, as most machines have it (the forkserver puts a Unix
    # socket in it, at most 107 bytes, and a CI checkout's pytest folders can be deep);
    # ``depth`` folders of 30 characters below it make it as deep as a test asks
    tmp = Path(tempfile.mkdtemp(prefix="prs-", dir="/tmp" if os.path.isdir("/tmp") else None))
    deep = tmp.joinpath(*["d" * 30] * depth)
    deep.mkdir(parents=True, exist_ok=True)
    token_file = root / "token"
    token_file.write_text(TOKEN + "\n", "utf-8")
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(site), *filter(None, [os.environ.get("PYTHONPATH")])]), "TMPDIR": str(deep)}
    env.pop("PERFRULES_PLUGINS", None)
    env.pop("PERFRULES_DISABLE_PLUGIN_AUTOLOAD", None)
    log = (root / "server.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "perfrules", "serve", "--port", str(port), "--timeout",
         str(TIMEOUT), "--token-file", str(token_file), *options],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            if proc.poll() is not None:
                break
            try:
                if httpx.get(url + "/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not start")
        if proc.poll() is not None:
            log.flush()
            pytest.fail("the server stopped: " + (root / "server.log").read_text("utf-8"))
        yield Served(url, port, tmp, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:  # pragma: no cover
            proc.kill()
            proc.wait()
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with _serve(tmp_path_factory.mktemp("serve"), "--workers", "2", "--max-bytes", "3000000",
                "--max-requests", "100") as served:
        yield served


@pytest.fixture
def client(server: Served) -> Iterator[Any]:
    with server.client() as c:
        yield c


# -- what the library says -------------------------------------------------------------------


def _library(path: Path, lang: str = "zh", kind: str = "score") -> list[dict[str, Any]]:
    """Every form of ``path`` as the library reads and scores it, with the file named as the
    server names an upload (its bare name)."""
    cwd = os.getcwd()
    os.chdir(path.parent)
    try:
        forms = perfrules.load_all(path.name)
        out = []
        for form in forms:
            if kind == "audit":
                out.append(perfrules.audit(form).to_dict())
            else:
                out.append(perfrules.score(form).to_dict(lang=lang))
        return out
    finally:
        os.chdir(cwd)


def _example(tmp: Path, name: str = "xianglushan-2022.json", **changes: str) -> Path:
    """The bundled example, with some actuals changed (``{indicator index: actual}``)."""
    data = json.loads(perfrules.example_path().read_text("utf-8"))
    for index, actual in changes.items():
        data["indicators"][int(index.lstrip("i"))]["actual"] = actual
    path = tmp / name
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
    return path


# -- health, provenance, authentication --------------------------------------------------------


def _test_plugin(plugins: list[dict[str, str]]) -> bool:
    """The test plugin is listed: by its distribution (name 1.0), or on Python 3.9,
    whose importlib.metadata gives an entry point no distribution, by the entry point."""
    return ({"name": "perfrules-servetest", "version": "1.0"} in plugins
            or {"name": "servetest", "version": "unknown"} in plugins)


def _provenance() -> dict[str, Any]:
    reg = perfrules.get_registry()
    rs = reg.ruleset()
    return {"perfrules": perfrules.__version__, "ruleset": {
        "id": rs.id, "version": rs.version, "ref": rs.ref, "sha256": rs.content_hash()}}


def test_health_reports_provenance_without_a_token(server: Served) -> None:
    with server.client(token=None) as c:
        r = c.get("/v1/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    want = _provenance()
    assert body["provenance"]["perfrules"] == want["perfrules"]
    assert body["provenance"]["ruleset"] == want["ruleset"]
    assert _test_plugin(body["provenance"]["plugins"])
    assert r.headers["X-Perfrules-Version"] == perfrules.__version__
    assert r.headers["X-Perfrules-Ruleset"] == "cn-mof-2020@1"
    assert r.headers["X-Perfrules-Ruleset-Sha256"] == want["ruleset"]["sha256"]
    assert "servetest=" in r.headers["X-Perfrules-Plugins"]


@pytest.mark.parametrize("auth", [None, "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x"])
def test_a_request_without_the_token_is_refused(server: Served, auth: str | None) -> None:
    headers = {"Authorization": auth} if auth else {}
    with server.client(token=None) as c:
        r = c.get("/v1/rules", headers=headers)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert r.headers["Content-Type"] == "application/problem+json"
    assert r.json()["code"] == "unauthorized"
    assert r.headers["X-Perfrules-Ruleset"] == "cn-mof-2020@1"  # provenance on errors too


# -- scoring: every format, every form of the file ---------------------------------------------


def _same(served: list[dict[str, Any]], wanted: list[dict[str, Any]]) -> None:
    """Reports equal in every field, every number as the library writes it; the server's
    plugins (the test plugin among them) are its own."""
    plugins = {json.dumps(r["provenance"]["plugins"]) for r in served}
    assert len(plugins) <= 1
    for report in served:
        report["provenance"]["plugins"] = wanted[0]["provenance"]["plugins"]
    assert served == wanted


def _check_score(r: Any, path: Path, lang: str = "zh") -> None:
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["file"] == path.name
    _same([f["report"] for f in body["forms"]], _library(path, lang))
    assert body["provenance"]["ruleset"]["ref"] == r.headers["X-Perfrules-Ruleset"]


def test_score_canonical_json_body(client: Any, tmp_path: Path) -> None:
    path = _example(tmp_path)
    r = client.post("/v1/score", content=path.read_bytes(),
                    params={"filename": path.name},
                    headers={"Content-Type": "application/json"})
    _check_score(r, path)
    assert r.json()["forms"][0]["report"]["total"] == "99.96"


def test_score_json_body_without_a_name(client: Any, tmp_path: Path) -> None:
    path = _example(tmp_path, name="form.json")
    r = client.post("/v1/score", content=path.read_bytes(),
                    headers={"Content-Type": "application/json; charset=utf-8"})
    _check_score(r, path)


def _files(tmp: Path) -> list[tuple[Path, str]]:
    """Real files of every format, each with its media type."""
    import tomli_w
    import yaml

    data = json.loads(perfrules.example_path().read_text("utf-8"), parse_float=Decimal)
    toml = tmp / "form.toml"
    toml.write_text(tomli_w.dumps(json.loads(perfrules.example_path().read_text("utf-8"))),
                    "utf-8")
    yml = tmp / "表单.yaml"
    yml.write_text(yaml.safe_dump(json.loads(json.dumps(data, default=str)),
                                  allow_unicode=True), "utf-8")
    out = [
        (toml, "application/toml"),
        (yml, "application/yaml"),
        (builders.seed_csv(tmp / "seed.csv"), "text/csv"),
        (builders.seed_xlsx(tmp / "seed.xlsx"),
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (builders.seed_docx(tmp / "seed.docx"),
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (fileformats.write(layouts.two_projects_workbook().layout, tmp / "two.xlsx", "xlsx"),
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (fileformats.write(layouts.mof_2020_project().layout, tmp / "project.xls", "xls"),
         "application/vnd.ms-excel"),
    ]
    if fileformats.available("pdf") is None:
        out.append((fileformats.write(layouts.mof_2020_project().layout, tmp / "project.pdf",
                                      "pdf"), "application/pdf"))
    return out


def test_score_every_format_uploaded(client: Any, tmp_path: Path) -> None:
    for path, media in _files(tmp_path):
        # as a multipart upload (curl -F), and as the raw body with its media type
        r = client.post("/v1/score", files={"file": (path.name, path.read_bytes(), media)})
        _check_score(r, path)
        r = client.post("/v1/score", content=path.read_bytes(),
                        headers={"Content-Type": media}, params={"filename": path.name})
        _check_score(r, path)
    two = client.post("/v1/score", files={"file": ("two.xlsx", (tmp_path / "two.xlsx").read_bytes())})
    assert [f["form"] for f in two.json()["forms"]] == ["项目1", "项目2"]


def test_the_media_type_names_the_reader_when_the_name_does_not(client: Any, tmp_path: Path) -> None:
    path = builders.seed_xlsx(tmp_path / "form.xlsx")
    media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    r = client.post("/v1/score", content=path.read_bytes(), headers={"Content-Type": media})
    _check_score(r, path)
    # or format= names the reader, as --from does
    r = client.post("/v1/score", content=path.read_bytes(), params={"format": "xlsx"},
                    headers={"Content-Type": "application/octet-stream"})
    assert r.status_code == 200
    report = r.json()["forms"][0]["report"]
    want = _library(path)[0]
    assert [x["score"] for x in report["indicators"]] == [x["score"] for x in want["indicators"]]
    assert report["total"] == want["total"]


def test_language_by_header_or_parameter(client: Any, tmp_path: Path) -> None:
    path = _example(tmp_path)
    for headers, params, lang in [({"Accept-Language": "en-US,en;q=0.9"}, {}, "en"),
                                  ({"Accept-Language": "zh-CN"}, {}, "zh"),
                                  ({"Accept-Language": "fr, en;q=0.5"}, {}, "en"),
                                  ({"Accept-Language": "en"}, {"lang": "zh"}, "zh")]:
        r = client.post("/v1/score", files={"file": (path.name, path.read_bytes())},
                        headers=headers, params=params)
        _check_score(r, path, lang)


def test_ruleset_by_id_or_by_year_and_region(client: Any, tmp_path: Path) -> None:
    path = _example(tmp_path)
    r = client.post("/v1/score", files={"file": (path.name, path.read_bytes())},
                    params={"ruleset": "cn-mof-2020-linear"})
    assert r.status_code == 200
    assert r.headers["X-Perfrules-Ruleset"] == "cn-mof-2020-linear@1"
    want = perfrules.score(perfrules.load(path), "cn-mof-2020-linear")
    assert r.json()["forms"][0]["report"]["total"] == str(want.total)
    r = client.post("/v1/score", files={"file": (path.name, path.read_bytes())},
                    params={"year": "2023", "region": "CN-HB"})
    assert r.status_code == 200
    assert r.headers["X-Perfrules-Ruleset"] == perfrules.ruleset_for(year=2023,
                                                                     region="CN-HB").ref
    r = client.post("/v1/score", files={"file": (path.name, path.read_bytes())},
                    params={"ruleset": "no-such-ruleset"})
    assert r.status_code == 400
    assert r.json()["code"] == "unknown-ruleset"
    r = client.post("/v1/score", files={"file": (path.name, path.read_bytes())},
                    params={"year": "twenty"})
    assert r.status_code == 400
    assert r.json()["code"] == "bad-param"


# -- audit ---------------------------------------------------------------------------------------


def test_audit_with_findings(client: Any, tmp_path: Path) -> None:
    path = _example(tmp_path, i0="abc", i3="5")
    r = client.post("/v1/audit", files={"file": (path.name, path.read_bytes())})
    assert r.status_code == 200, r.text
    body = r.json()
    served = body["forms"][0]
    want = _library(path, kind="audit")[0]
    assert {k: served[k] for k in want} == want
    assert served["findings"], "the changed cells are findings"
    assert body["summary"]["findings"] == want["counts"]


# -- the columnar path ---------------------------------------------------------------------------


def _table_csv(tmp: Path) -> Path:
    data = json.loads(perfrules.example_path().read_text("utf-8"))
    import csv

    fields = ["form_id", "name", "nature", "target", "actual", "weight", "unit"]
    path = tmp / "table.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        for form_id in ("甲", "乙"):
            for ind in data["indicators"]:
                writer.writerow({"form_id": form_id, **ind})
    return path


def test_score_table_csv_and_arrow(client: Any, tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    path = _table_csv(tmp_path)
    want = perfrules.score_table(path)
    r = client.post("/v1/score-table", content=path.read_bytes(),
                    headers={"Content-Type": "text/csv"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert [f["total"] for f in body["forms"]] == [str(t) for t in want.forms["total"].to_pylist()]
    assert [x["score"] for x in body["lines"]] == [
        None if s is None else str(s) for s in want.lines["score"].to_pylist()]
    # Arrow IPC in, Arrow IPC out
    sink = pa.BufferOutputStream()
    table = pa.csv.read_csv(path, convert_options=pa.csv.ConvertOptions(
        column_types={n: pa.string() for n in ("form_id", "target", "actual", "weight")}))
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    r = client.post("/v1/score-table", content=sink.getvalue().to_pybytes(),
                    headers={"Content-Type": "application/vnd.apache.arrow.stream",
                             "Accept": "application/vnd.apache.arrow.stream"})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "application/vnd.apache.arrow.stream"
    forms = pa.ipc.open_stream(r.content).read_all()
    assert forms["total"].to_pylist() == want.forms["total"].to_pylist()
    r = client.post("/v1/score-table", content=b"not arrow",
                    headers={"Content-Type": "application/vnd.apache.arrow.stream"})
    assert r.status_code == 400
    r = client.post("/v1/score-table", content=b"x", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415


# -- listings, schemas, OpenAPI ------------------------------------------------------------------


def test_listings(client: Any) -> None:
    reg = perfrules.get_registry()
    rules = client.get("/v1/rules").json()["rules"]
    assert {r["name"] for r in rules} == set(reg.rules)
    rulesets = client.get("/v1/rulesets").json()["rulesets"]
    by_ref = {r["ref"]: r for r in rulesets}
    assert set(by_ref) == {rs.ref for rs in reg.rulesets.values()}
    mof = by_ref["cn-mof-2020@1"]
    assert mof["region"] == "CN" and mof["valid_from"] == "2020-02-25"
    assert mof["citation"] == "财预〔2020〕10号"
    assert mof["sha256"] == reg.ruleset("cn-mof-2020@1").content_hash()
    chosen = client.get("/v1/rulesets/select", params={"year": 2022}).json()
    assert chosen["ruleset"]["ref"] == perfrules.ruleset_for(year=2022).ref
    assert client.get("/v1/rulesets/select", params={"date": "2022-13-01"}).status_code == 400
    assert client.get("/v1/rulesets/select", params={"year": 1990}).status_code == 400
    plugins = client.get("/v1/plugins").json()
    assert _test_plugin(plugins["plugins"])
    assert {r["name"] for r in plugins["readers"]} >= {"json", "xlsx", "slow"}


def test_schemas_and_openapi(client: Any) -> None:
    from perfrules.cli import schema_text

    for which in ("form", "report"):
        r = client.get(f"/v1/schemas/{which}")
        assert r.status_code == 200
        assert r.json() == json.loads(schema_text(which))
    assert client.get("/v1/schemas/other").status_code == 404
    doc = client.get("/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    assert {"/v1/score", "/v1/audit", "/v1/score-table", "/v1/rules", "/v1/rulesets",
            "/v1/rulesets/select", "/v1/plugins", "/v1/health"} <= set(doc["paths"])
    assert "香炉山" in json.dumps(doc, ensure_ascii=False)  # examples in Chinese
    jsonschema = pytest.importorskip("jsonschema")
    example = doc["paths"]["/v1/score"]["post"]["responses"]["200"]["content"][
        "application/json"]["example"]["forms"][0]["report"]
    jsonschema.validate(example, json.loads(schema_text("report")))


# -- bad input: the same problems as the command line --------------------------------------------


def test_form_problems_are_422_with_the_command_lines_lines(
        client: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"indicators": [{"name": "培训人次", "weight": "abc"},
                                               {"name": "满意度", "nature": "≥", "weight": "5",
                                                "target": "90%", "actual": "x"}]},
                               ensure_ascii=False), "utf-8")
    for lang in ("zh", "en"):
        r = client.post("/v1/score", files={"file": (path.name, path.read_bytes())},
                        params={"lang": lang})
        assert r.status_code == 422
        body = r.json()
        assert r.headers["Content-Type"] == "application/problem+json"
        assert "Traceback" not in r.text
        capsys.readouterr()
        assert main(["--lang", lang, "score", str(path)]) == 2
        printed = [line[4:] for line in capsys.readouterr().err.splitlines()
                   if line.startswith("  - ")]
        assert [p["text"] for p in body["problems"]] == printed
        assert {p["code"] for p in body["problems"]} >= {"bad-number"}
        assert body["problems"][0]["indicator"] == "培训人次"
        if lang == "en":
            with pytest.raises(perfrules.InputError) as err:
                perfrules.score(perfrules.load(path))
            assert [p["message"] for p in body["problems"]] == [
                p.message for p in err.value.problems]
        assert body["problems"][0]["location"] == "bad.json: indicators[0].weight"


@pytest.mark.parametrize(("body", "name", "status", "code"), [
    (b'{"indicators": [', "form.json", 400, "bad-json"),
    (b"", "form.json", 400, "empty-file"),
    (b"PK\x03\x04 not really a zip", "form.xlsx", 400, "corrupt-file"),
    (b"anything", "form.exe", 415, "unsupported-type"),
])
def test_bad_files(client: Any, body: bytes, name: str, status: int, code: str) -> None:
    r = client.post("/v1/score", files={"file": (name, body)})
    assert r.status_code == status, r.text
    assert r.json()["code"] == code
    assert "Traceback" not in r.text
    assert str(r.json()["detail"])


def test_unsupported_media_types(client: Any) -> None:
    r = client.post("/v1/score", content=b"x", headers={"Content-Type": "image/png"})
    assert r.status_code == 415
    assert r.json()["code"] == "unsupported-type"
    r = client.post("/v1/score", content=b"x", params={"format": "nope"},
                    headers={"Content-Type": "application/octet-stream"})
    assert r.status_code == 415


def test_multipart_without_a_file(client: Any) -> None:
    r = client.post("/v1/score", data={"note": "no file here"}, files={})
    assert r.status_code in (400, 415)
    r = client.post("/v1/score", content=b"--x\r\nContent-Disposition: form-data; name=a\r\n\r\n1"
                    b"\r\n--x--\r\n", headers={"Content-Type": "multipart/form-data; boundary=x"})
    assert r.status_code == 400
    assert r.json()["code"] == "no-file"
    r = client.post("/v1/score", content=b"x", headers={"Content-Type": "multipart/form-data"})
    assert r.status_code == 400


def test_too_large(client: Any, server: Served) -> None:
    big = b"x" * 3_000_001
    r = client.post("/v1/score", content=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.json()["code"] == "too-large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        for _ in range(40):
            yield b" " * 100_000

    r = client.post("/v1/score", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    r = client.post("/v1/score", files={"file": ("a.json", big)})
    assert r.status_code == 413


def test_not_found_and_method(client: Any) -> None:
    r = client.get("/v1/nothing")
    assert r.status_code == 404 and r.json()["code"] == "not-found"
    r = client.get("/v1/score")
    assert r.status_code == 405 and r.json()["code"] == "method"
    assert r.headers["X-Perfrules-Version"] == perfrules.__version__


def test_a_failing_plugin_is_500_without_a_traceback(client: Any, tmp_path: Path) -> None:
    r = client.post("/v1/score", files={"file": ("x.boom", b"1")})
    assert r.status_code == 500
    assert r.json()["code"] == "plugin-error"
    assert "exploded" in r.json()["detail"]
    assert "Traceback" not in r.text
    r = client.post("/v1/score", files={"file": ("x.die", b"1")})
    assert r.status_code == 500
    assert r.json()["code"] == "worker-stopped"
    path = _example(tmp_path)  # and the server goes on
    _check_score(client.post("/v1/score", files={"file": (path.name, path.read_bytes())}), path)


# -- hostile and slow: one request's trouble is never another's ----------------------------------


def test_a_hostile_file_times_out_while_others_are_served(server: Served, tmp_path: Path) -> None:
    path = _example(tmp_path)
    answers: dict[str, Any] = {}

    def hostile() -> None:
        with server.client() as c:
            answers["hostile"] = c.post("/v1/score", files={"file": ("x.slow", b"1")})

    thread = threading.Thread(target=hostile)
    thread.start()
    served = 0
    with server.client() as c:
        while thread.is_alive():
            _check_score(c.post("/v1/score", files={"file": (path.name, path.read_bytes())}),
                         path)
            served += 1
        thread.join()
        r = answers["hostile"]
        assert r.status_code == 422
        assert r.json()["code"] == "took-too-long"
        assert served > 1
        # the worker was replaced: the next requests are served as before
        for _ in range(4):
            _check_score(c.post("/v1/score", files={"file": (path.name, path.read_bytes())}),
                         path)


def test_a_slow_upload_times_out_while_others_are_served(server: Served, tmp_path: Path) -> None:
    path = _example(tmp_path)
    with socket.create_connection(("127.0.0.1", server.port)) as slow:
        slow.sendall(b"POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Authorization: Bearer " + TOKEN.encode() + b"\r\n"
                     b"Content-Length: 1000\r\n\r\n{\"indic")
        start = time.monotonic()
        with server.client() as c:
            _check_score(c.post("/v1/score", files={"file": (path.name, path.read_bytes())}),
                         path)
        slow.settimeout(60)
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = slow.recv(65536)
            if not chunk:
                break
            answer += chunk
    assert time.monotonic() - start >= TIMEOUT - 1  # it waited for the body, then gave up
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408"), head
    assert json.loads(body)["code"] == "slow-upload"


def test_fifty_concurrent_requests_equal_the_library(server: Served, tmp_path: Path) -> None:
    """60 requests at once, each a different form, each answer equal to the library's."""
    paths = [_example(tmp_path, name=f"f{i}.json", i1=str(10 + i), i2=str(i))
             for i in range(60)]
    wanted = [_library(p) for p in paths]

    async def run() -> list[Any]:
        limits = httpx.Limits(max_connections=100)
        async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=120,
                                     headers={"Authorization": f"Bearer {TOKEN}"}) as c:
            return await asyncio.gather(*[
                c.post("/v1/score", files={"file": (p.name, p.read_bytes())}) for p in paths])

    answers = asyncio.run(run())
    for r, want in zip(answers, wanted):
        assert r.status_code == 200, r.text
        _same([f["report"] for f in r.json()["forms"]], want)
    assert len({w[0]["total"] for w in wanted}) > 1  # the forms differ


def test_uploads_stay_in_a_private_folder_and_are_removed(server: Served, tmp_path: Path) -> None:
    with server.client() as c:
        path = _example(tmp_path)
        _check_score(c.post("/v1/score", files={"file": (path.name, path.read_bytes())}), path)
        c.post("/v1/score", files={"file": ("../../escape.json", b"{}")})
        assert c.get("/v1/health").json()["in_flight"] == 0
    folders = list(server.tmp.glob("perfrules-serve-*"))
    assert len(folders) == 1
    assert stat.S_IMODE(folders[0].stat().st_mode) == 0o700
    assert list(folders[0].iterdir()) == []  # every request's folder is gone
    assert not (server.tmp / "escape.json").exists()
    assert not list(server.tmp.parent.glob("escape.json"))


def test_beyond_the_bound_on_requests_503_and_the_readers_budgets(tmp_path: Path) -> None:
    with _serve(tmp_path / "busy", "--workers", "1", "--max-requests", "1",
                "--max-cells", "50") as busy:
        answers: dict[str, Any] = {}

        def hostile() -> None:
            with busy.client() as c:
                answers["hostile"] = c.post("/v1/score", files={"file": ("x.slow", b"1")})

        thread = threading.Thread(target=hostile)
        thread.start()
        with busy.client() as c:
            for _ in range(100):
                r = c.get("/v1/rules")
                if r.status_code == 503:
                    break
                time.sleep(0.05)
            assert r.status_code == 503
            assert r.headers["Retry-After"] == "1"
            assert r.json()["code"] == "busy"
            assert c.get("/v1/health").status_code == 200  # health is never refused
            thread.join()
            assert answers["hostile"].status_code == 422
            assert c.get("/v1/rules").status_code == 200
            # --max-cells reaches the readers in the worker processes, as on the command line
            path = builders.seed_xlsx(tmp_path / "seed.xlsx")
            r = c.post("/v1/score", files={"file": (path.name, path.read_bytes())})
            assert r.status_code == 413
            assert r.json()["code"] == "limit-exceeded"
            assert "--max-cells" in r.json()["problems"][0]["expected"]


# -- the command line ------------------------------------------------------------------------------


def test_serve_without_the_extra_names_it(monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    assert main(["--lang", "en", "serve"]) == 2
    assert 'pip install "perfrules[serve]"' in capsys.readouterr().err


def test_token_file_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "token"
    empty.write_text("\n", "utf-8")
    assert main(["--lang", "en", "serve", "--token-file", str(empty)]) == 2
    assert "is empty" in capsys.readouterr().err
    assert main(["--lang", "zh", "serve", "--token-file", str(tmp_path / "none")]) == 2
    assert "无法读取令牌文件" in capsys.readouterr().err


def test_accept_language() -> None:
    from perfrules.serve._text import accept_language

    assert accept_language("zh-CN,zh;q=0.9,en;q=0.8", "en") == "zh"
    assert accept_language("en-US,zh;q=0.5", "zh") == "en"
    assert accept_language("de, en;q=0.1, zh;q=0.2", "en") == "zh"
    assert accept_language("en;q=0, zh;q=bad", "en") == "en"
    assert accept_language(None, "zh") == "zh"


def _in_process(settings: Any, calls: Any) -> Any:
    """Run ``calls(client)`` against the application in this process, lifespan included."""
    from perfrules.serve import create_app

    app = create_app(settings)

    async def run() -> Any:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
                return await calls(c)

    return asyncio.run(run())


def test_in_process_app(tmp_path: Path) -> None:
    """The same application in this process (threads, no worker processes), as an
    embedding ASGI server runs it."""
    from perfrules.serve import Settings

    path = _example(tmp_path)

    async def calls(c: Any) -> None:
        _check_score(await c.post("/v1/score", files={"file": (path.name, path.read_bytes())}),
                     path)
        r = await c.post("/v1/audit", content=path.read_bytes(), headers={
            "Content-Type": "application/json",
            "Content-Disposition": f'attachment; filename="{path.name}"'})
        assert r.status_code == 200
        assert r.json()["forms"][0]["total"] == "99.96"
        assert r.json()["file"] == path.name
        r = await c.post("/v1/score", content=b"{", headers={"Content-Type": "application/json"})
        assert r.status_code == 400
        assert (await c.get("/v1/openapi.json")).status_code == 200
        assert (await c.get("/v1/rules")).status_code == 200
        assert (await c.get("/v1/rulesets")).status_code == 200
        assert (await c.get("/v1/plugins")).status_code == 200
        assert (await c.get("/v1/rulesets/select?region=CN-HB")).status_code == 200
        r = await c.post("/v1/score", content=b"{}", params={"explain": "maybe"},
                         headers={"Content-Type": "application/json"})
        assert r.status_code == 400
        r = await c.post("/v1/score", content=path.read_bytes(), params={"explain": "no"},
                         headers={"Content-Type": "application/json"})
        assert "explanation" not in r.json()["forms"][0]["report"]["indicators"][0]
        r = await c.post("/v1/score", content=b"x", headers={"Content-Type": "image/png"})
        assert r.status_code == 415
        r = await c.get("/v1/rules", headers={"Accept-Language": "en"})
        assert r.status_code == 200

    _in_process(Settings(workers=0, max_requests=4), calls)


def test_in_process_app_with_a_worker_process(tmp_path: Path) -> None:
    from perfrules.serve import Settings

    path = _example(tmp_path)

    async def calls(c: Any) -> None:
        for _ in range(2):
            r = await c.post("/v1/score", files={"file": (path.name, path.read_bytes())},
                             headers={"Authorization": "Bearer t"})
            _check_score(r, path)
        r = await c.post("/v1/score", files={"file": (path.name, path.read_bytes())})
        assert r.status_code == 401

    _in_process(Settings(workers=1, token="t"), calls)


def test_jsonl_is_not_a_form(client: Any) -> None:
    r = client.post("/v1/score", content=io.BytesIO(b"{}").read(),
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    assert r.json()["problems"]


def test_a_deep_tmpdir_still_serves(tmp_path: Path) -> None:
    """Under a TMPDIR too deep for the forkserver's Unix socket (> 104 bytes with the socket's
    name), the server takes spawn and serves; before, it failed to start."""
    with _serve(tmp_path / "deep", "--workers", "1", depth=4) as deep:
        assert len(str(deep.tmp)) + 4 * 31 > 104
        with deep.client() as c:
            path = _example(tmp_path)
            r = c.post("/v1/score", content=path.read_bytes(), params={"filename": path.name},
                       headers={"Content-Type": "application/json"})
            assert r.status_code == 200, r.text
            assert r.json()["forms"][0]["report"]["total"] == "99.96"
