"""Forms per second over HTTP (``perfrules serve``) against ``perfrules.score`` in-process.

    python benchmarks/bench_serve.py [--forms 400] [--workers 2] [--concurrency 8] [--repeat 3]

Needs the serve extra and httpx (``pip install -e '.[test]'``). The server is
started as a process of its own on a free port, as a client system would run
it; each request posts one canonical JSON form (the bundled example, an actual
changed per form so that no two are alike) and reads its JSON report.

Two in-process baselines, timed best of ``--repeat`` in the same run:

- ``score()``: ``perfrules.score`` on forms already read (what the issue names);
- ``load+score+JSON``: the work the server does for a request, in one process —
  read the JSON file, score, ``Report.to_dict`` and ``json.dumps``.

The ratios HTTP / baseline are the numbers to watch; the HTTP figure includes
the upload, the private temporary folder, the worker process round trip and
the JSON answer. Every HTTP answer's total is checked against the library's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_readers import best  # one timer for every benchmark: best of N

import perfrules


def _forms(folder: Path, n: int) -> list[Path]:
    data = json.loads(perfrules.example_path().read_text("utf-8"))
    paths = []
    for i in range(n):
        data["indicators"][1]["actual"] = str(10 + i % 97)
        path = folder / f"f{i}.json"
        path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
        paths.append(path)
    return paths


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    import httpx

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--forms", type=int, default=400)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    paths = _forms(folder, args.forms)
    bodies = [p.read_bytes() for p in paths]
    forms = [perfrules.load(p) for p in paths]
    want = [str(perfrules.score(f).total) for f in forms]

    t_score = best(lambda: [perfrules.score(f) for f in forms], args.repeat)

    def full() -> None:
        for p in paths:
            json.dumps(perfrules.score(perfrules.load(p)).to_dict(), ensure_ascii=False)

    t_full = best(full, args.repeat)

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "perfrules", "serve", "--port", str(port),
                             "--workers", str(args.workers), "--max-requests", "1000"],
                            stderr=subprocess.DEVNULL, env={**os.environ})
    try:
        for _ in range(300):
            try:
                if httpx.get(url + "/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)

        async def http() -> None:
            limits = httpx.Limits(max_connections=args.concurrency)
            gate = asyncio.Semaphore(args.concurrency)
            async with httpx.AsyncClient(base_url=url, limits=limits, timeout=120) as client:
                async def one(i: int) -> None:
                    async with gate:
                        r = await client.post("/v1/score", content=bodies[i],
                                              params={"filename": paths[i].name},
                                              headers={"Content-Type": "application/json"})
                    total = r.json()["forms"][0]["report"]["total"]
                    if r.status_code != 200 or total != want[i]:
                        raise SystemExit(f"form {i}: {r.status_code} {total} != {want[i]}")
                await asyncio.gather(*[one(i) for i in range(len(bodies))])

        asyncio.run(http())  # warm-up: workers import their readers
        t_http = best(lambda: asyncio.run(http()), args.repeat)
    finally:
        proc.terminate()
        proc.wait(20)

    n = args.forms
    rows = [("score() in-process", n / t_score), ("load+score+JSON in-process", n / t_full),
            (f"HTTP, {args.workers} workers, {args.concurrency} at once", n / t_http)]
    print(f"{n} forms of {len(forms[0].indicators)} lines, Python "
          f"{sys.version.split()[0]}, {os.cpu_count()} CPUs")
    for name, rate in rows:
        print(f"  {name:38} {rate:9.1f} forms/s")
    print(f"  ratio HTTP / score()          {(n / t_http) / (n / t_score):.3f}")
    print(f"  ratio HTTP / load+score+JSON  {(n / t_http) / (n / t_full):.3f}")


if __name__ == "__main__":
    main()
