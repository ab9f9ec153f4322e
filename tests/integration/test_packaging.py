"""What a user installs: ``make dist`` builds an sdist and a wheel that twine's checker passes; the wheel carries
handlers/ and templates/, installs with pip into a fresh virtual environment outside the repository, and rumcfn
works there from any directory. Nothing in the repository tells anyone to install an unpublished name."""

from __future__ import annotations

import json
import re
import subprocess
import tarfile
import zipfile

from tests.support import ROOT
from tests.support.dist import user_environment


def test_make_dist_builds_an_sdist_and_a_wheel_that_twine_passes(dist):
    assert re.search(rf"Checking .*{re.escape(dist.wheel.name)}: .*PASSED", dist.log), dist.log
    assert re.search(rf"Checking .*{re.escape(dist.sdist.name)}: .*PASSED", dist.log), dist.log
    names = zipfile.ZipFile(dist.wheel).namelist()
    assert "rumcfn/templates/rum.js.j2" in names
    assert any(n.startswith("rumcfn/handlers/") and n.endswith(".py") for n in names)
    assert "rumcfn/handlers/rum_script.py.inlined" in names  # synth's stripped copy (rumcfn/stack/inline.py)
    members = tarfile.open(dist.sdist).getnames()
    assert any(m.endswith("/handlers/rum_script.py.inlined") for m in members)
    assert any(m.endswith("/README.md") for m in members) and any(m.endswith("/setup.cfg") for m in members)


def test_the_wheel_installs_with_pip_and_works_from_another_directory(dist, user_venv, tmp_path):
    env = user_environment(user_venv)
    pip = subprocess.run(["python", "-m", "pip", "install", "--quiet", str(dist.wheel)], env=env,
                         capture_output=True, text=True, timeout=300)
    assert pip.returncode == 0, pip.stderr
    where = subprocess.run(["python", "-c", "import rumcfn; print(rumcfn.__file__)"], cwd=tmp_path, env=env,
                           check=True, capture_output=True, text=True).stdout
    assert str(user_venv.parent) in where, where
    result = subprocess.run(["rumcfn", "synth", "-o", "t.json"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "AppMonitor" in json.loads((tmp_path / "t.json").read_text())["Resources"]
    snippet = subprocess.run(["rumcfn", "snippet", "--app-monitor-id", "8bd5f4a2-1b7c-4a36-9a0e-0d4fbbd1d0c3",
                              "--region", "us-east-1",
                              "--auth.mode", "resource-policy"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert snippet.returncode == 0 and "cwr.js" in snippet.stdout


def test_pip_ran_without_its_cache_and_its_version_check(dist, user_venv):
    """pip runs with a home inside the test's directory, and leaves no cache or self-check state even there."""
    env = user_environment(user_venv)
    done = subprocess.run(["python", "-m", "pip", "install", "--quiet", str(dist.wheel)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    home = user_venv.parent.parent / "home"
    assert not (home / ".cache" / "pip").exists() and list(user_venv.parent.parent.rglob("selfcheck*")) == []


def test_setup_cfg_and_the_code_name_the_same_source():
    from rumcfn.version import SOURCE

    assert f"url = {SOURCE}\n" in (ROOT / "setup.cfg").read_text()


def test_nothing_tells_anyone_to_install_an_unpublished_name():
    """Nothing named rumcfn is on PyPI: whoever registered it would run code in the user's CI."""
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    pattern = re.compile(r"pip install +rumcfn *$", re.M)
    offenders = []
    for name in tracked.splitlines():
        path = ROOT / name
        if path.is_file() and path.suffix not in (".png", ".svg", ".gz"):
            text = path.read_text(errors="replace")
            offenders += [f"{name}: {m[0]}" for m in pattern.finditer(text)]
    assert offenders == []
