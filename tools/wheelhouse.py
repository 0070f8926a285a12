"""Build a wheelhouse: perfrules and every dependency of its extras as wheels, in one
folder (and optionally one .zip), to carry into a network without a package index.

    python tools/wheelhouse.py                          # this computer's Python and platform
    python tools/wheelhouse.py --target win_amd64:3.11 --target linux:3.11 --zip
    python tools/wheelhouse.py --check                  # then install it offline and run it

On the computer without an index (Windows cmd, PowerShell or a POSIX shell alike):

    python -m venv perfrules-env
    perfrules-env\\Scripts\\python -m pip install --no-index --find-links wheelhouse "perfrules[all]"
    (POSIX: perfrules-env/bin/python -m pip install --no-index --find-links wheelhouse "perfrules[all]")

A target is PLATFORM:PYTHON, PLATFORM one of ``win_amd64``, ``win32``, ``linux``
(manylinux x86-64), ``linux_aarch64``, or any pip platform tag; PYTHON such as 3.11.
Only wheels are taken (``--only-binary=:all:``): nothing is compiled on the target.
``--check`` installs the wheelhouse of this computer's Python into a fresh virtual
environment with ``--no-index`` and no pip configuration, and runs
``perfrules score --example``: what CI runs (.ci/run, "offline install" step).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: short platform names -> pip platform tags, preferred first: manylinux2014 (glibc 2.17,
#: as on CentOS 7 and older Kylin servers) when a package has it, else newer
PLATFORMS = {
    "linux": ["manylinux2014_x86_64", "manylinux_2_17_x86_64", "manylinux2010_x86_64",
              "manylinux1_x86_64", "manylinux_2_28_x86_64"],
    "linux_aarch64": ["manylinux2014_aarch64", "manylinux_2_17_aarch64",
                      "manylinux_2_28_aarch64"],
    "win_amd64": ["win_amd64"],
    "win32": ["win32"],
}

INSTALL = """perfrules {version} — offline install / 离线安装

This folder holds perfrules and every package it needs for: {targets}.
本文件夹包含 perfrules 及其所需的全部安装包，适用于：{targets}。

Windows (cmd or PowerShell / 命令提示符或 PowerShell):

    py -m venv perfrules-env
    perfrules-env\\Scripts\\python -m pip install --no-index --find-links {folder} "perfrules[{extras}]"
    perfrules-env\\Scripts\\perfrules score --example

Linux / macOS:

    python3 -m venv perfrules-env
    perfrules-env/bin/python -m pip install --no-index --find-links {folder} "perfrules[{extras}]"
    perfrules-env/bin/perfrules score --example
"""


def run(*args: str, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(args), flush=True)
    subprocess.run(args, check=True, env=env)


def clean_env() -> dict[str, str]:
    """The environment without pip's configuration: no index, no find-links but ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def build_wheel(out: Path) -> Path:
    """perfrules' own wheel, built from this checkout."""
    before = set(out.glob("perfrules-*.whl"))
    for old in before:
        old.unlink()
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT))
    (wheel,) = out.glob("perfrules-*.whl")
    return wheel


def download(wheel: Path, out: Path, extras: str, target: str | None) -> None:
    """Every dependency of ``perfrules[extras]`` as wheels for ``target`` (None: this Python)."""
    args = [sys.executable, "-m", "pip", "download", "--only-binary=:all:", "--quiet",
            "--dest", str(out), "--find-links", str(out)]
    if target is not None:
        platform, _, python = target.partition(":")
        if not python:
            raise SystemExit(f"target {target!r}: give PLATFORM:PYTHON, such as win_amd64:3.11")
        for tag in PLATFORMS.get(platform, [platform]):
            args += ["--platform", tag]
        args += ["--python-version", python, "--implementation", "cp"]
    run(*args, f"{wheel}[{extras}]")


def check(out: Path, extras: str) -> None:
    """Install the wheelhouse into a fresh venv with no index and run the example."""
    with tempfile.TemporaryDirectory(prefix="perfrules-offline-") as tmp:
        venv = Path(tmp) / "venv"
        run(sys.executable, "-m", "venv", str(venv))
        scripts = "Scripts" if os.name == "nt" else "bin"
        python = venv / scripts / ("python.exe" if os.name == "nt" else "python")
        env = clean_env()
        run(str(python), "-m", "pip", "install", "--no-index", "--find-links", str(out),
            "--quiet", f"perfrules[{extras}]", env=env)
        exe = venv / scripts / ("perfrules.exe" if os.name == "nt" else "perfrules")
        result = subprocess.run([str(exe), "score", "--example"], check=True, env=env,
                                capture_output=True, text=True, encoding="utf-8", cwd=tmp)
        print(result.stdout.splitlines()[-1])
        run(str(python), "-c", "import perfrules, sys; "
            "assert 'perfrules-offline-' in perfrules.__file__, perfrules.__file__; "
            "import openpyxl, yaml, lxml, xlrd, pdfplumber", env=env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="wheelhouse", help="the folder (default: wheelhouse)")
    parser.add_argument("--extras", default="all", help="perfrules' extras (default: all)")
    parser.add_argument("--target", action="append", default=[], metavar="PLATFORM:PYTHON",
                        help="a platform and Python to download for (repeatable; default: "
                             "this computer's)")
    parser.add_argument("--zip", action="store_true", help="also pack the folder as OUT.zip")
    parser.add_argument("--check", action="store_true",
                        help="install it offline into a fresh venv and run the example "
                             "(needs this computer's platform among the targets)")
    args = parser.parse_args(argv)
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    wheel = build_wheel(out)
    targets = args.target or [None]
    for target in targets:
        download(wheel, out, args.extras, target)
    here = f"{sysconfig.get_platform()}:{sys.version_info[0]}.{sys.version_info[1]}"
    version = wheel.name.split("-")[1]
    (out / "INSTALL.txt").write_text(INSTALL.format(
        version=version, targets=", ".join(t or here for t in targets), folder=out.name,
        extras=args.extras), "utf-8")
    print(f"{out}: {len(list(out.glob('*.whl')))} wheels")
    if args.zip:
        archive = out.with_suffix(".zip")
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(out.iterdir()):
                zf.write(path, f"{out.name}/{path.name}")
        print(f"{archive}: {archive.stat().st_size // 1024} KiB")
    if args.check:
        check(out, args.extras)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
