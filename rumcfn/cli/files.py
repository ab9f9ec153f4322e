"""Where a command's output goes: standard output, or a file that is never left half-written."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click


def write_atomic(path: str | os.PathLike, content: str | bytes) -> None:
    """Write via a temporary file in the same directory, then rename: readers see old or new, never half."""
    target = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(dir=target.parent or ".", prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def emit(content: str | bytes, output: str | None) -> None:
    """``content`` to the ``-o`` file when one is given, else to standard output."""
    if output:
        write_atomic(output, content)
    elif isinstance(content, bytes):
        sys.stdout.buffer.write(content)
    else:
        click.echo(content, nl=False)
