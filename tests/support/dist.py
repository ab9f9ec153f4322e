"""What a user installs: the sdist and wheel ``make dist`` builds (on a copy of the sources, so that the build's
by-products stay out of the repository), and a fresh virtual environment outside the repository to install into.

The fresh environment finds rumcfn's dependencies, and pip, through a path entry to the test environment's
site-packages, so pip sees them installed and fetches nothing; rumcfn itself comes only from the wheel. (The test
environment's pip is the one ``venv`` would bundle, or newer; creating a venv with ensurepip costs seconds per
environment.) The wheel is built once per test session, and shared by every xdist worker."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from dataclasses import dataclass
from pathlib import Path

from tests.support import ROOT

#: What the distributions are built from, and the Makefile whose ``dist`` target builds them.
SOURCES = ("setup.cfg", "pyproject.toml", "README.md", "Makefile", "rumcfn", "handlers", "templates")


@dataclass(frozen=True)
class Dist:
    wheel: Path
    sdist: Path
    log: str  # what make dist printed (twine's verdicts among it)


def make_dist(work: Path) -> None:
    """``make dist`` on a copy of the sources in ``work``, with this test environment as the Makefile's venv; what
    it printed goes to ``work/make.log``."""
    src = work / "src"
    src.mkdir(parents=True)
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, src / name)
    env_dir = Path(sys.prefix)
    done = subprocess.run(["make", "-C", str(src), "-o", str(env_dir / ".installed"), "dist", f"VENV={env_dir}"],
                          capture_output=True, text=True, timeout=600)
    (work / "make.log").write_text(done.stdout + done.stderr)
    assert done.returncode == 0, done.stdout + done.stderr


def built_dist(work: Path) -> Dist:
    """What :func:`make_dist` built in ``work``."""
    (wheel,) = (work / "src" / "dist").glob("rumcfn-*.whl")
    (sdist,) = (work / "src" / "dist").glob("rumcfn-*.tar.gz")
    return Dist(wheel, sdist, (work / "make.log").read_text())


def fresh_venv(where: Path) -> Path:
    """A new virtual environment without rumcfn, whose ``python -m pip`` is the test environment's; returns its
    ``bin`` folder."""
    venv.EnvBuilder().create(where)
    python = where / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    # Dependencies and pip only: a plain path entry does not run the test environment's editable-install hook.
    Path(purelib, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return where / "bin"


def user_environment(bin_dir: Path, **extra: str) -> dict[str, str]:
    """A user's shell: the fresh environment first on PATH, none of the machine's AWS settings; pip without its
    cache, its version check or a registry, and with a home inside the test's directory (a test writes only
    there)."""
    home = bin_dir.parent.parent / "home"
    home.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "VIRTUAL_ENV", "PYTHON", "XDG_", "PIP_"))}
    env["PATH"] = os.pathsep.join([str(bin_dir), "/usr/local/bin", "/usr/bin", "/bin"])
    env |= {"HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache"), "PIP_NO_CACHE_DIR": "1",
            "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1",
            "PIP_NO_INDEX": "1"}  # everything it needs is already there: nothing may come from a registry
    env.update(extra)
    return env
