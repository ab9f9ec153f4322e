"""The wheel carries handlers/ and templates/: installed into a fresh virtual environment, rumcfn
works from any directory. Dependencies come from the test environment through a path entry, so the
check needs no network; rumcfn itself must come from the wheel."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from tests.support import ROOT  # noqa: E402

#: What the wheel is built from (a build writes build/ and *.egg-info beside its sources, so it runs on a copy).
SOURCES = ("setup.cfg", "pyproject.toml", "README.md", "rumcfn", "handlers", "templates")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    src.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, src / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "-w", str(work / "dist"), str(src)], check=True, capture_output=True)
    (wheel,) = (work / "dist").glob("rumcfn-*.whl")
    env_dir = work / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", purelib, str(wheel)],
                   check=True, capture_output=True)
    # Dependencies only: a plain path entry does not run the test environment's editable-install hook.
    Path(purelib, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python, wheel


def test_wheel_contains_handlers_and_templates(installed):
    import zipfile

    _, wheel = installed
    names = zipfile.ZipFile(wheel).namelist()
    assert "rumcfn/templates/rum.js.j2" in names
    assert any(n.startswith("rumcfn/handlers/") and n.endswith(".py") for n in names)


def test_installed_rumcfn_synthesizes_from_another_directory(installed, tmp_path):
    python, _ = installed
    where = subprocess.run([str(python), "-c", "import rumcfn; print(rumcfn.__file__)"], cwd=tmp_path,
                           check=True, capture_output=True, text=True).stdout
    assert str(python.parent.parent) in where, where
    result = subprocess.run([str(python), "-m", "rumcfn", "synth", "-o", "t.json"], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    template = json.loads((tmp_path / "t.json").read_text())
    assert "AppMonitor" in template["Resources"]
    snippet = subprocess.run([str(python), "-m", "rumcfn", "snippet", "--app-monitor-id",
                              "8bd5f4a2-1b7c-4a36-9a0e-0d4fbbd1d0c3", "--region", "us-east-1", "--unsigned"],
                             cwd=tmp_path, capture_output=True, text=True)
    assert snippet.returncode == 0 and "cwr.js" in snippet.stdout
