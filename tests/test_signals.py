"""SIGTERM and SIGHUP stop an audit as Ctrl-C does (issue 15): workers stopped, what is
done written, a message saying so, exit code 128 + the signal; no worker outlives it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .test_batch_cli import write_form
from .test_stream import slow

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(),
                                reason="reads the process tree from /proc")

RUNNER = """
import sys
import perfrules, perfrules._registry as registry
from tests import stream_plugin
registry._default = perfrules.Registry([stream_plugin], entry_points=False)
from perfrules.cli import main
sys.exit(main(sys.argv[1:]))
"""


def children(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.add(int(entry))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_stops_the_audit_and_its_workers(tmp_path: Path, signum: int) -> None:
    folder = tmp_path / "in"
    write_form(folder / "a.json")
    for n in range(4):
        slow(folder / f"b{n}.slowjson", 60)
    out = tmp_path / "out"
    root = Path(__file__).parent.parent
    env = {**os.environ, "PYTHONPATH": f"{root}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
           "PERFRULES_LANG": "en"}
    proc = subprocess.Popen(
        [sys.executable, "-c", RUNNER, "audit", str(folder), "-o", f"{out}/", "--jobs", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=root)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().decode()
        assert "a.json" in first  # the first form is done and written
        workers: set[int] = set()
        deadline = time.monotonic() + 30
        while len(workers) < 2 and time.monotonic() < deadline:
            workers = children(proc.pid)
            time.sleep(0.05)
        assert len(workers) == 2
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:  # pragma: no cover - only when the test fails
            proc.kill()
            proc.wait()
    assert proc.returncode == 128 + signum
    assert b"interrupted by " + signal.Signals(signum).name.encode() in err
    assert b"Traceback" not in err
    deadline = time.monotonic() + 10
    while any(alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [p for p in workers if alive(p)]
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert summary["summary"]["interrupted"] is True
    assert [Path(f["file"]).name for f in summary["forms"]] == ["a.json"]
    assert "interrupted" in (out / "audit.html").read_text("utf-8")
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
