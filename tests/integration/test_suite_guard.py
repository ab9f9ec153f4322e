"""The suite itself fails when a test changes device nodes it must never touch (CI runs as root)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from tests.support import ROOT

DAMAGE = """
import os

def test_replaces_the_device():
    with open({tmp!r}, "w") as handle:
        handle.write("x")
    os.replace({tmp!r}, {node!r})  # what an atomic write to -o <device> used to do
"""
HARMLESS = """
def test_reads_the_device():
    with open({node!r}, "rb") as handle:
        assert handle.read(1) == b""
"""


@pytest.mark.parametrize("body,failed", [(DAMAGE, True), (HARMLESS, False)], ids=["replaced", "read"])
def test_a_session_that_replaces_a_guarded_device_fails(tmp_path, body, failed):
    node = tmp_path / "dev" / "null"
    node.parent.mkdir()
    os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a null device inside tmp_path stands in for /dev/null
    session = tmp_path / "session"
    session.mkdir()
    (session / "conftest.py").write_text(
        "from tests.support import fixtures\n"
        f"fixtures.GUARDED = ({str(node)!r},)\n"
        'pytest_plugins = ("tests.support.fixtures",)\n')
    (session / "test_it.py").write_text(body.format(node=str(node), tmp=str(node.parent / "t.tmp")))
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "."],
                            cwd=session, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert "1 passed" in result.stdout, result.stdout + result.stderr
    assert (result.returncode != 0) is failed
    assert ("the test session changed the machine: " + str(node) in result.stdout) is failed
