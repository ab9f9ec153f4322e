"""Print the newest CPython on this machine that is newer than the one running this script; print nothing if none is.

setup.cfg admits Python 3.10 and later, and Lambda runs the inline handler on a newer Python than Debian's python3
(``RUNTIME`` in rumcfn/stack/snippet_writer.py), so CI runs the suite a second time on the newest one it finds
(``make test-newest``). Pythons installed side by side are looked for as ``python3.N`` on PATH and in pyenv's
versions folder.
"""

from __future__ import annotations

import glob
import os
import re
import subprocess
import sys

ASK = "import sys; print(sys.implementation.name, *sys.version_info[:2])"


def candidates() -> list[str]:
    found = [path for folder in os.environ.get("PATH", "").split(os.pathsep) if folder
             for path in glob.glob(os.path.join(folder, "python3.*")) if re.search(r"python3\.\d+$", path)]
    pyenv = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    return found + sorted(glob.glob(os.path.join(pyenv, "versions", "*", "bin", "python3")))


def version(python: str) -> tuple[int, int] | None:
    """(major, minor) of a CPython that starts, else None: a broken shim, PyPy, a hung binary, a program that
    answers something other than a version."""
    try:
        answer = subprocess.run([python, "-c", ASK], capture_output=True, text=True, timeout=20, check=True).stdout
        name, major, minor = answer.split()
        return (int(major), int(minor)) if name == "cpython" else None
    except (OSError, subprocess.SubprocessError, ValueError):  # ValueError: it answered something else
        return None


def newest(paths: list[str], than: tuple[int, int]) -> str | None:
    newer = [(found, path) for path in paths if (found := version(path)) and found > than]
    return max(newer, key=lambda pair: pair[0])[1] if newer else None


if __name__ == "__main__":
    print(newest(candidates(), sys.version_info[:2]) or "")
