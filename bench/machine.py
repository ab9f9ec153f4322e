"""What the numbers were measured on: hardware, OS, interpreter, package versions."""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("rumcfn", "troposphere", "awacs", "cfn-lint", "click", "jinja2", "boto3", "botocore", "moto")


def _first(pattern: str, text: str) -> str | None:
    match = re.search(pattern, text, re.MULTILINE)
    return match.group(1).strip() if match else None


def cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or platform.machine()
    return _first(r"^model name\s*:\s*(.+)$", text) or platform.machine()


def memory() -> str:
    try:
        kib = int(_first(r"^MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text()) or 0)
    except (OSError, ValueError):
        return "unknown"
    return f"{kib / 1024 / 1024:.1f} GiB"


def os_name() -> str:
    try:
        pretty = _first(r'^PRETTY_NAME="?([^"\n]+)"?', Path("/etc/os-release").read_text())
    except OSError:
        pretty = None
    return f"{pretty or platform.system()} (kernel {platform.release()}, {platform.machine()})"


def version_of(argv: list[str], pattern: str = r"([\d.]+)") -> str:
    if shutil.which(argv[0]) is None and not Path(argv[0]).exists():
        return "not installed"
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    out = done.stdout + done.stderr
    found = _first(pattern, out)
    if found:
        return found
    return out.strip().splitlines()[0] if out.strip() else "unknown"


def node_package(name: str) -> str:
    import json

    try:
        return json.loads((ROOT / "node_modules" / name / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return "not installed"


def git_commit() -> str:
    try:
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                             timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except OSError:
        return "unknown"
    return f"{sha}{' (with uncommitted changes)' if dirty else ''}" if sha else "unknown"


def describe() -> list[tuple[str, str]]:
    """(label, value) rows."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    rows = [
        ("CPU", f"{cpu_model()}, {os.cpu_count()} logical cores"),
        ("Memory", memory()),
        ("OS", os_name()),
        ("Load average at start", ", ".join(f"{x:.2f}" for x in load) if load else "unknown"),
        ("Python", f"{platform.python_implementation()} {platform.python_version()} ({sys.executable})"),
    ]
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    rows.append(("Python packages", ", ".join(versions)))
    rows.append(("Node", version_of(["node", "--version"], r"v([\d.]+)")))
    rows.append(
        ("Node packages", ", ".join(f"{n} {node_package(n)}" for n in ("aws-rum-web", "esbuild", "puppeteer-core")))
    )
    rows.append(("Chromium", version_of(["/usr/bin/chromium", "--version"], r"Chromium ([\d.]+)")))
    rows.append(
        ("Graphviz", version_of(["dot", "-V"], r"version ([\d.]+)") if shutil.which("dot") else "not installed")
    )
    rows.append(("rumcfn commit", git_commit()))
    return rows
