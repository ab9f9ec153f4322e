"""Work done once per test session however many pytest-xdist workers need it.

Each xdist worker is a process of its own with its own session fixtures, so a session fixture alone runs once per
worker. The first worker to ask builds into a folder under the session's shared temporary root (the parent of
every worker's base folder) while the others wait on a lock beside it; then all read the same folder. Without
xdist the folder is in the session's own base folder: nothing is shared with another session.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path
from typing import Callable

import pytest

DONE = ".done"


def session_folder(factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """The folder ``name``, filled by ``build(folder)`` once in this test session. A build that failed leaves no
    mark: the next worker to ask builds again (and fails the same way, in its own tests)."""
    base = factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    folder = base / name
    with open(base / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not (folder / DONE).exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            build(folder)
            (folder / DONE).touch()
    return folder
