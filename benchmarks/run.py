"""perfrules' benchmarks: every path measured against its floor in the same run.

    python benchmarks/run.py            # quick: about a minute
    python benchmarks/run.py --full     # the full sizes (10^6 indicator rows …)
    python benchmarks/run.py --only score,columnar --repeat 7

Each line of the table is a ratio of throughputs, perfrules / floor (higher is
better; for memory, megabytes), timed best of ``--repeat`` in the same run, so
that a loaded machine slows both alike. The floors (benchmarks/README.md):

- score: a hand-written loop over the same forms: per line one comparison, one
  multiply/divide or one tier-word lookup, one quantize; forms of 20 lines with
  mixed natures (≥ ≤ = > <, 定性 with and without a judged score, the execution rate);
- Form.from_dict: turning the same dicts into tuples of Decimal;
- columnar: perfrules.score_table against the object path on the same table (rows to
  dicts, Form.from_dict, perfrules.score), checking that every cent is equal;
- memory: 10^6 rows (--full; 10^5 quick) streamed as record batches into
  score_table in a fresh process: growth of its peak RSS over the RSS after imports;
- readers: perfrules' .xlsx and .docx readers against floors that build the same named grid
  (an etree walk of the sheet XML; an lxml walk resolving merges), and load_all beside them
  (benchmarks/bench_readers.py); the recogniser's share of load_all (load_all − the
  reader) on forms of 20 and 60 lines;
- audit --jobs: ``perfrules audit DIR --jobs 2`` against ``--jobs 1`` on the same files;
- stream: ``perfrules audit DIR -o OUT/`` on 10^3 and 10^4 forms (--full; 200 and 10^3
  quick): forms/s, peak RSS of the main process and of each worker, and the main
  process's growth per form between the two sizes, which must be ~0.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Optional

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import bench_score as score_floor  # noqa: E402  (the honest score floor)
from bench_readers import best  # noqa: E402  (one timer for every benchmark: best of N)

import perfrules  # noqa: E402

Q = Decimal("0.01")
WORDS = {"达成": Decimal(1), "全部完成": Decimal(1), "部分达成": Decimal("0.6"),
         "基本完成": Decimal("0.6"), "未完成": Decimal(0)}


# -- forms of ~20 lines, mixed natures ----------------------------------------------


def form_dict(rng: random.Random, k: int, lines: int = 20) -> dict[str, Any]:
    """A filled-in form as an integrator holds it: decimals as strings."""
    weights = perfrules.normalize_weights([rng.randint(2, 9) for _ in range(lines)])
    indicators: list[dict[str, Any]] = [{
        "name": "全年预算执行率", "nature": "=", "unit": "%", "target": "100",
        "actual": str(Decimal(rng.randint(9000, 10000)) / 100), "weight": str(weights[0])}]
    for i, w in enumerate(weights[1:], 1):
        if i % 4 == 0:
            word = rng.choice(list(WORDS))
            item = {"name": f"满意度{i}", "nature": "定性", "target": "良好", "actual": word,
                    "weight": str(w)}
            if i % 8 == 0:
                tier = perfrules.get_registry().ruleset().tier_of(word)
                assert tier is not None
                item["reported_score"] = str((w * tier.lower).quantize(Q, "ROUND_UP"))
            indicators.append(item)
        else:
            nature = ("≥", "≤", "=", ">", "<")[i % 5]
            indicators.append({
                "name": f"指标{i}", "nature": nature, "unit": "次",
                "target": str(rng.randint(1, 10_000)),
                "actual": str(Decimal(rng.randint(0, 12_000)) / 10), "weight": str(w)})
    return {"title": f"表{k}", "indicators": indicators}


def tuples_of(dicts: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The from_dict floor: every indicator a tuple, numbers as Decimal."""
    out = []
    for form in dicts:
        for d in form["indicators"]:
            target, actual = d["target"], d["actual"]
            out.append((d["name"], d.get("nature"), d.get("unit"),
                        Decimal(target) if target[0].isdigit() else target,
                        Decimal(actual) if actual[0].isdigit() else actual,
                        Decimal(d["weight"]),
                        Decimal(d["reported_score"]) if "reported_score" in d else None))
    return out


def bench_score(args: argparse.Namespace, registry: perfrules.Registry) -> list[tuple[Any, ...]]:
    rng = random.Random(1)
    dicts = [form_dict(rng, k) for k in range(args.forms)]
    forms = [perfrules.Form.from_dict(d) for d in dicts]
    # the floor computes what perfrules computes: its cents, line by line, on every form
    wrong = score_floor.differences([*forms, *score_floor.edge_forms()], registry)
    if wrong:
        raise SystemExit("the score floor and perfrules differ (the benchmark is void):\n  "
                         + "\n  ".join(wrong[:20]))
    rs = registry.ruleset()
    tiers, rates = score_floor.tier_table(rs), frozenset(rs.execution_rate_names)
    n = sum(len(f.indicators) for f in forms)
    t_floor = best(lambda: [score_floor.floor(f, tiers, rates) for f in forms], args.repeat)
    t_score = best(lambda: [perfrules.score(f, registry=registry) for f in forms], args.repeat)
    t_tuples = best(lambda: tuples_of(dicts), args.repeat)
    t_from = best(lambda: [perfrules.Form.from_dict(d) for d in dicts], args.repeat)
    t_report = best(lambda: [perfrules.score(perfrules.Form.from_dict(d), registry=registry)
                             for d in dicts], args.repeat)
    return [
        (f"score(), {args.forms} forms × 20 lines ({n:,} lines' cents equal to the floor's)",
         n / t_score, n / t_floor, ">= 0.5"),
        ("Form.from_dict, dict → Form", n / t_from, n / t_tuples, ">= 0.33 (within 3x)"),
        ("dict → report (from_dict + score)", n / t_report, n / (t_tuples + t_floor), "info"),
    ]


# -- the columnar path ------------------------------------------------------------------


def indicator_rows(n_forms: int, seed: int, lines: int = 20,
                   unique: bool = False) -> Iterator[dict[str, Any]]:
    """One row per indicator, as 预算一体化 databases hold them; one form in ~500 has a
    problem (a weight that is no number), so the object path's errors are in the table.

    ``unique``: every form's names its own (``培训人次-17-3``), as real tables have
    them; else drawn from 200 names, which flatters any cache keyed by name."""
    rng = random.Random(seed)
    words = list(WORDS)
    names = [f"指标{i}" for i in range(200)]
    stems = ["培训人次", "覆盖率", "成本控制", "完成及时率", "满意度", "设备采购数量", "资金到位率"]
    for f in range(n_forms):
        weights = perfrules.normalize_weights([rng.randint(1, 9) for _ in range(lines)])
        bad = rng.random() < 0.002
        for i, w in enumerate(weights):
            row: dict[str, Any] = {"form_id": f"{seed}-{f:07d}", "weight": str(w), "name": None,
                                   "nature": None, "unit": None, "target": None, "actual": None,
                                   "reported_score": None, "budget": None, "executed": None}
            if i == 0:
                budget = Decimal(rng.randint(100, 10**7)).scaleb(-2)
                row.update(name="预算执行率", nature="=", unit="%", target="100",
                           budget=str(budget), executed=str(
                               (budget * rng.randint(90, 100) / 100).quantize(Q)))
            elif i % 4 == 0:
                row.update(name=f"满意度{i}-{f}" if unique else f"满意度{i}", nature="定性",
                           target="良好", actual=rng.choice(words))
                if rng.random() < 0.5:
                    row["reported_score"] = str((w * Decimal("0.8")).quantize(Q, "ROUND_UP")) \
                        if row["actual"] in ("达成", "全部完成") else None
            else:
                name = f"{rng.choice(stems)}-{f}-{i}" if unique else rng.choice(names)
                row.update(name=name, nature=rng.choice(["≥", "≤", "=", ">", "<"]),
                           unit=rng.choice(["%", "次", "万元"]),
                           target=str(Decimal(rng.randint(1, 100_000)).scaleb(-rng.randint(0, 2))),
                           actual=str(Decimal(rng.randint(0, 120_000)).scaleb(-rng.randint(0, 2))))
            if bad and i == 3:
                row["weight"] = "待定"
            yield row


def record_batches(n_rows: int, seed: int, batch_rows: int = 65_536,
                   unique: bool = False) -> Iterator[Any]:
    import pyarrow as pa

    rows = indicator_rows(n_rows // 20, seed, unique=unique)
    while True:
        chunk = [row for _, row in zip(range(batch_rows), rows)]
        if not chunk:
            return
        yield pa.RecordBatch.from_pylist(chunk, schema=pa.schema(
            [(k, pa.string()) for k in chunk[0]]))


def object_path(table: Any, registry: perfrules.Registry) -> list[Any]:
    from perfrules._columnar import form_dicts

    out = []
    for form_id, data in form_dicts(table):
        try:
            report = perfrules.score(perfrules.Form.from_dict(data, source=str(form_id)),
                                     registry=registry)
        except perfrules.PerfrulesError as exc:
            out.append((form_id, None, str(exc), ()))
        else:
            out.append((form_id, report.total, None,
                        tuple(line.points for line in report.lines)))
    return out


def columnar_result(table: Any, registry: perfrules.Registry) -> list[Any]:
    result = perfrules.score_table(table, registry=registry)
    lines: dict[Any, list[Any]] = {}
    for form_id, score in zip(result.lines.column("form_id").to_pylist(),
                              result.lines.column("score").to_pylist()):
        lines.setdefault(form_id, []).append(score)
    return [(f["form_id"], f["total"], f["error"], tuple(lines.get(f["form_id"], ())))
            for f in result.forms.to_pylist()]


def bench_columnar(args: argparse.Namespace, registry: perfrules.Registry) -> list[tuple[Any, ...]]:
    """score_table against the object path, on names repeated across forms (200 names)
    and on names unique per form (realistic); both ratios are reported."""
    out = []
    for unique in (False, True):
        out.append(_columnar_once(args, registry, unique))
    return out


def _columnar_once(args: argparse.Namespace, registry: perfrules.Registry,
                   unique: bool) -> tuple[Any, ...]:
    import pyarrow as pa

    table = pa.Table.from_batches(list(record_batches(args.rows, seed=2, unique=unique)))
    n = table.num_rows
    want = object_path(table, registry)
    got = columnar_result(table, registry)
    same = got == want
    bulk = perfrules.score_table(table, registry=registry).forms.column("bulk").to_pylist()
    repeat = max(1, args.repeat // 2) if args.full else args.repeat
    t_object = best(lambda: object_path(table, registry), 1 if args.full else repeat)
    t_table = best(lambda: perfrules.score_table(table, registry=registry), repeat)
    names = "names unique per form" if unique else "200 names repeated across forms"
    note = (f"{names}; {n:,} rows, {len(bulk):,} forms ({sum(bulk) / len(bulk):.1%} in bulk), "
            f"cents {'identical' if same else 'DIFFERENT'}")
    return (f"score_table vs object path ({note})", n / t_table, n / t_object,
            ">= 10" if same else "identical cents")


def _status(field: str) -> Optional[int]:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])  # kB
    except OSError:
        pass
    return None


def _reset_peak_rss() -> int:
    """Reset the peak RSS to the current RSS (Linux: /proc/self/clear_refs); the RSS in kB.

    ru_maxrss would not do: after fork and exec it keeps the parent's peak."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:
        pass
    return _status("VmRSS") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _peak_rss() -> int:
    return _status("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def memory_child(rows: int) -> None:
    """In a fresh process: peak RSS growth while streaming ``rows`` rows into score_table."""
    import pyarrow as pa

    registry = perfrules.Registry(entry_points=False)
    perfrules.score_table(next(record_batches(1000, seed=9)), registry=registry)  # warm up
    template = next(record_batches(65_520, seed=3, batch_rows=65_520))  # 3,276 forms

    def stream() -> Iterator[Any]:
        """The template's rows again and again, each time with new form ids: an input
        that costs next to nothing to make, so that the peak is score_table's."""
        import numpy as np

        per_form = np.repeat(np.arange(template.num_rows // 20, dtype=np.int64), 20)
        at = template.schema.get_field_index("form_id")
        for start in range(0, rows, template.num_rows):
            ids = pa.array(per_form + start // 20).cast(pa.string())
            yield template.set_column(at, "form_id", ids).slice(0, rows - start)

    base = _reset_peak_rss()
    start = time.perf_counter()
    result = perfrules.score_table(stream(), registry=registry)
    seconds = time.perf_counter() - start
    peak = _peak_rss()
    print(json.dumps({"base_kb": base, "peak_kb": peak, "rows": rows, "seconds": seconds,
                      "forms": result.forms.num_rows, "lines": result.lines.num_rows,
                      "arrow_peak": pa.default_memory_pool().max_memory()}))


def bench_memory(args: argparse.Namespace) -> list[tuple[Any, ...]]:
    out = subprocess.run([sys.executable, __file__, "--memory-child", str(args.memory_rows)],
                         capture_output=True, text=True, check=True)
    data = json.loads(out.stdout.strip().splitlines()[-1])
    grown = (data["peak_kb"] - data["base_kb"]) / 1024
    note = (f"{data['rows']:,} rows streamed at {data['rows'] / data['seconds']:,.0f}/s, output kept; "
            f"peak RSS {data['peak_kb'] / 1024:.0f} MB, "
            f"{data['base_kb'] / 1024:.0f} MB before; Arrow pool peak "
            f"{data['arrow_peak'] / 2**20:.0f} MB")
    return [(f"score_table peak RSS growth, MB ({note})", grown, None, "< 200 MB")]


# -- readers and audit --jobs -------------------------------------------------------------


def bench_readers(args: argparse.Namespace, tmp: Path) -> list[tuple[Any, ...]]:
    import bench_readers
    from tests import fileformats

    sheets = bench_readers.layout(20, 1)
    xlsx = fileformats.write(sheets, tmp / "form.xlsx", "xlsx")
    docx = fileformats.write(sheets, tmp / "form.docx", "docx")
    assert len(perfrules.load_all(xlsx)) == 1 == len(perfrules.load_all(docx))
    # the reader alone against a floor that builds the same named grid (issue 18: ≤ 1.3× its
    # time, i.e. ≥ 0.77 of its files/s); load_all adds the recogniser, shown beside it
    times = {
        "xlsx": best(lambda: bench_readers.xlsx_perfrules_read(xlsx), args.repeat),
        "xlsx floor": best(lambda: bench_readers.xlsx_floor(xlsx), args.repeat),
        "xlsx load_all": best(lambda: perfrules.load_all(xlsx), args.repeat),
        "docx": best(lambda: bench_readers.docx_perfrules_read(docx), args.repeat),
        "docx floor": best(lambda: bench_readers.docx_floor(docx), args.repeat),
        "docx load_all": best(lambda: perfrules.load_all(docx), args.repeat),
    }
    rows: list[tuple[Any, ...]] = [
        (".xlsx files/s: perfrules reader vs same-grid etree floor", 1 / times["xlsx"],
         1 / times["xlsx floor"], ">= 0.77 (<= 1.3x time)"),
        (".docx files/s: perfrules reader vs lxml walk resolving merges", 1 / times["docx"],
         1 / times["docx floor"], ">= 0.77 (<= 1.3x time)"),
        (".xlsx files/s: load_all (reader + recogniser) vs the same floor", 1 / times["xlsx load_all"],
         1 / times["xlsx floor"], "-"),
        (".docx files/s: load_all (reader + recogniser) vs the same floor", 1 / times["docx load_all"],
         1 / times["docx floor"], "-"),
    ]
    # the recogniser's share (issue 18): load_all − the reader alone, on the 20-line form and
    # on a 60-line one; "recogniser / reader" above 1 is where the recogniser is more than the read
    shares = {20: (xlsx, docx)}
    sheets = bench_readers.layout(60, 1)
    shares[60] = (fileformats.write(sheets, tmp / "form60.xlsx", "xlsx"),
                  fileformats.write(sheets, tmp / "form60.docx", "docx"))
    for lines, (xlsx_n, docx_n) in shares.items():
        for fmt, path, reader in ((".xlsx", xlsx_n, bench_readers.xlsx_perfrules_read),
                                  (".docx", docx_n, bench_readers.docx_perfrules_read)):
            if lines == 20:
                read, full = times[fmt[1:]], times[fmt[1:] + " load_all"]
            else:
                read = best(lambda p=path, r=reader: r(p), args.repeat)  # type: ignore[misc]
                full = best(lambda p=path: perfrules.load_all(p), args.repeat)  # type: ignore[misc]
            rows.append((f"{fmt} recogniser µs per {lines}-line form (load_all − reader): "
                         f"{(full - read) / full:.0%} of load_all, {(full - read) / read:.1f}× the "
                         f"reader's {read * 1e6:,.0f} µs", (full - read) * 1e6, None, "-"))
    return rows


def bench_audit_jobs(args: argparse.Namespace, tmp: Path) -> list[tuple[Any, ...]]:
    import bench_readers
    from tests import fileformats

    folder = tmp / "forms"
    folder.mkdir()
    for k in range(args.audit_files):
        fileformats.write(bench_readers.layout(20, 1), folder / f"form{k:04d}.xlsx", "xlsx")

    def audit(jobs: int) -> Callable[[], object]:
        return lambda: subprocess.run(
            [sys.executable, "-m", "perfrules", "audit", str(folder), "--jobs", str(jobs)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
            env={**os.environ, "PERFRULES_DISABLE_PLUGIN_AUTOLOAD": "1"})

    repeat = max(1, min(args.repeat, 3))
    one, two = best(audit(1), repeat), best(audit(2), repeat)
    n = args.audit_files
    return [(f"audit --jobs 2 vs --jobs 1, {n} .xlsx files/s", n / two, n / one,
             ">= 1.5 (ours, 2 cores)")]


def _vm(pid: int, field: str) -> Optional[int]:
    """A field of /proc/PID/status in kB (None when the process is gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as fh:
            return [int(p) for p in fh.read().split()]
    except OSError:
        return []


AUDIT_CHILD = """
import os, sys
from perfrules.cli import main
code = main(sys.argv[1:])
with open("/proc/self/status", encoding="ascii") as status:
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(f"peak_kb={peak}", file=sys.stderr)
sys.exit(code)
"""


def audit_run(folder: Path, out: Path, jobs: int) -> dict[str, float]:
    """One ``perfrules audit DIR -o OUT/``: seconds, the main process's peak RSS (its own
    VmHWM at the end) and the largest peak RSS of its workers (polled), in MB."""
    import threading

    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", AUDIT_CHILD, "audit", str(folder), "-o", f"{out}/",
         "--jobs", str(jobs)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PERFRULES_DISABLE_PLUGIN_AUTOLOAD": "1",
             "PYTHONPATH": str(HERE.parent / "src")})
    workers: dict[int, int] = {}
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            for child in _children(proc.pid):
                peak = _vm(child, "VmHWM")
                if peak is not None:
                    workers[child] = max(workers.get(child, 0), peak)
            done.wait(0.05)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - start
    done.set()
    watcher.join()
    main_kb = next((int(x.split("=")[1]) for x in err.split() if x.startswith("peak_kb=")), 0)
    if proc.returncode not in (0, 1) or not main_kb:
        raise SystemExit(f"perfrules audit failed ({proc.returncode}): {err[-2000:]}")
    return {"seconds": seconds, "main_mb": main_kb / 1024,
            "worker_mb": max(workers.values(), default=0) / 1024, "workers": len(workers)}


def bench_audit_scale(args: argparse.Namespace, tmp: Path) -> list[tuple[Any, ...]]:
    """The streaming audit at two sizes: time, forms/s, peak memory of the main process
    and of the workers, and how the main process grows per form (which must be ~0)."""
    import shutil

    import bench_readers
    from tests import fileformats

    from perfrules._pool import available_cores

    jobs = available_cores()
    templates = [fileformats.write(bench_readers.layout(lines, 1), tmp / f"t{lines}.xlsx", "xlsx")
                 for lines in (18, 20, 22)]  # one form of about 20 lines a file
    sizes = args.stream_sizes or ((1_000, 10_000) if args.full else (200, 1_000))
    runs = {}
    for size in sizes:
        folder = tmp / f"audit-{size}"
        for k in range(size):
            sub = folder / f"{k // 1000:03d}"
            sub.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(templates[k % 3], sub / f"form{k:06d}.xlsx")
        runs[size] = audit_run(folder, tmp / f"out-{size}", jobs)
        summary = json.loads((tmp / f"out-{size}" / "summary.json").read_text("utf-8"))
        assert summary["summary"]["forms"] == size, summary["summary"]
        shutil.rmtree(folder)
        shutil.rmtree(tmp / f"out-{size}")
    rows: list[tuple[Any, ...]] = []
    for size, r in runs.items():
        rows.append((f"audit -o DIR/ --jobs {jobs}, {size:,} .xlsx forms: forms/s "
                     f"({r['seconds']:.1f} s)", size / r["seconds"], None, "info"))
        rows.append((f"audit, {size:,} forms: peak RSS of the main process, MB",
                     r["main_mb"], None, "< 300"))
        rows.append((f"audit, {size:,} forms: largest peak RSS of a worker, MB "
                     f"({r['workers']} workers seen)", r["worker_mb"], None, "< 300"))
    small, large = sizes
    per_form = (runs[large]["main_mb"] - runs[small]["main_mb"]) * 1024 * 1024 / (large - small)
    rows.append((f"audit: main process growth per form from {small:,} to {large:,} forms, "
                 f"bytes (was ~135,000 before streaming)", max(per_form, 0.0), None, "< 2048"))
    return rows


# -- the table --------------------------------------------------------------------------


def met(ratio: float, target: str) -> str:
    if target.startswith(">="):
        return "met" if ratio >= float(target.split()[1]) else "MISSED"
    if target.startswith("<"):
        return "met" if ratio < float(target.split()[1].replace(",", "")) else "MISSED"
    return "-"


def _sizes(text: str) -> tuple[int, int]:
    small, large = (int(x.replace("_", "")) for x in text.split(","))
    if not 0 < small < large:
        raise argparse.ArgumentTypeError("two sizes, the smaller first: 1000,100000")
    return small, large


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true",
                        help="the full sizes: 10^6 indicator rows, 4,000 forms, 600 files, "
                             "audits of 10^3 and 10^4 forms")
    parser.add_argument("--repeat", type=int, default=3, help="best of N (default 3)")
    parser.add_argument("--only", default="score,columnar,memory,readers,audit,stream",
                        help="comma-separated: score, columnar, memory, readers, audit, stream")
    parser.add_argument("--stream-sizes", type=_sizes, metavar="SMALL,LARGE",
                        help="the two batch sizes of the streaming audit (default 1000,10000 "
                             "with --full, else 200,1000; 1000,100000 for the province case)")
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        memory_child(args.memory_child)
        return 0
    args.forms = 4000 if args.full else 1000
    args.rows = 10**6 if args.full else 10**5
    args.memory_rows = 10**6 if args.full else 10**5
    args.audit_files = 600 if args.full else 150
    only = set(args.only.split(","))
    registry = perfrules.Registry(entry_points=False)
    rows: list[tuple[Any, ...]] = []
    with tempfile.TemporaryDirectory() as tmp:
        steps: list[tuple[str, Callable[[], list[tuple[Any, ...]]]]] = [
            ("score", lambda: bench_score(args, registry)),
            ("columnar", lambda: bench_columnar(args, registry)),
            ("memory", lambda: bench_memory(args)),
            ("readers", lambda: bench_readers(args, Path(tmp))),
            ("audit", lambda: bench_audit_jobs(args, Path(tmp))),
            ("stream", lambda: bench_audit_scale(args, Path(tmp))),
        ]
        for name, step in steps:
            if name in only:
                print(f"… {name}", file=sys.stderr, flush=True)
                rows.extend(step())
    print(f"perfrules {perfrules.__version__}, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, best of {args.repeat}, "
          f"{'full' if args.full else 'quick'}")
    print(f"{'measure':<96} {'perfrules':>12} {'floor':>12} {'ratio':>7}  {'target':<22} result")
    for name, value, floor, target in rows:
        if floor is None:
            print(f"{name:<96} {value:>12,.0f} {'':>12} {'':>7}  {target:<22} {met(value, target)}")
        else:
            ratio = value / floor
            print(f"{name:<96} {value:>12,.0f} {floor:>12,.0f} {ratio:>7.2f}  {target:<22} "
                  f"{met(ratio, target)}")
    print("(perfrules and floor in items/s; ratio = perfrules / floor, higher is better)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
