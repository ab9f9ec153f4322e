"""``tools/newest_python.py``: which CPython ``make test-newest`` runs the suite on a second time."""

from __future__ import annotations

import importlib.util
import os
import stat
import subprocess
import sys

import pytest

from tests.support import ROOT


def load():
    spec = importlib.util.spec_from_file_location("newest_python", ROOT / "tools" / "newest_python.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fake(path, answer: str, status: int = 0):
    """An executable that answers the tool's question the way a Python would (or fails with ``status``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\necho '{answer}'\nexit {status}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


@pytest.fixture
def machine(tmp_path, monkeypatch):
    """PATH and pyenv's root in tmp_path only, so the real machine's Pythons are not seen."""
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "pyenv"))
    return tmp_path


def test_the_newest_cpython_newer_than_the_running_one_is_chosen(machine):
    tool = load()
    fake(machine / "bin" / "python3.12", "cpython 3 12")
    fake(machine / "bin" / "python3.13-config", "cpython 3 99")  # not an interpreter: never asked
    fake(machine / "bin" / "python3.15", "pypy 3 15")  # not CPython
    fake(machine / "bin" / "python3.16", "cpython 3 16", status=1)  # does not start
    fake(machine / "bin" / "python3.17", "Python 3.17.0")  # answers something else
    newest = fake(machine / "pyenv" / "versions" / "3.13.0" / "bin" / "python3", "cpython 3 13")
    fake(machine / "pyenv" / "versions" / "3.10.13" / "bin" / "python3", "cpython 3 10")
    assert tool.newest(tool.candidates(), (3, 11)) == newest


def test_nothing_is_chosen_when_no_python_is_newer(machine):
    tool = load()
    fake(machine / "bin" / "python3.11", "cpython 3 11")
    fake(machine / "pyenv" / "versions" / "3.10.13" / "bin" / "python3", "cpython 3 10")
    assert tool.newest(tool.candidates(), (3, 11)) is None
    printed = subprocess.run([sys.executable, str(ROOT / "tools" / "newest_python.py")], capture_output=True,
                             text=True, env=dict(os.environ), timeout=60, check=True).stdout
    assert printed == "\n"
