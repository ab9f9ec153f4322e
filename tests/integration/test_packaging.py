"""The wheel carries handlers/ and templates/: installed into a fresh virtual environment, rumcfn
works from any directory. Dependencies come from the test environment through a path entry, so the
check needs no network; rumcfn itself must come from the wheel."""

from __future__ import annotations

import json
import os
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


def pip_environment(work: Path) -> dict[str, str]:
    """pip without its cache or its version check, and with a home directory of its own inside ``work``:
    a test writes only inside its temporary directory."""
    home = work / "home"
    home.mkdir()
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "PIP_"))}
    return environment | {"HOME": str(home), "PIP_NO_CACHE_DIR": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
                          "PIP_CACHE_DIR": str(work / "pip-cache"), "XDG_CACHE_HOME": str(home / ".cache"),
                          "PIP_NO_INPUT": "1"}


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    work = tmp_path_factory.mktemp("wheel")
    pip_env = pip_environment(work)
    src = work / "src"
    src.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, src / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "-w", str(work / "dist"), str(src)], check=True, capture_output=True, env=pip_env)
    (wheel,) = (work / "dist").glob("rumcfn-*.whl")
    env_dir = work / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", purelib, str(wheel)],
                   check=True, capture_output=True, env=pip_env)
    # Dependencies only: a plain path entry does not run the test environment's editable-install hook.
    Path(purelib, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python, wheel, work


def test_pip_ran_without_its_cache_and_its_version_check(installed):
    """pip ran with a home inside the test's directory, and left no cache or self-check state even there."""
    _, _, work = installed
    assert not (work / "pip-cache").exists() and not (work / "home" / ".cache" / "pip").exists()
    assert list(work.rglob("selfcheck*")) == []


def test_wheel_contains_handlers_and_templates(installed):
    import zipfile

    _, wheel, _ = installed
    names = zipfile.ZipFile(wheel).namelist()
    assert "rumcfn/templates/rum.js.j2" in names
    assert any(n.startswith("rumcfn/handlers/") and n.endswith(".py") for n in names)


def test_installed_rumcfn_synthesizes_from_another_directory(installed, tmp_path):
    python, _, _ = installed
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
