"""Where a command's output goes: standard output (``-o -`` or no ``-o``), or a file that is never left
half-written.

``-o`` behaves as a shell's ``>`` would, only atomically: a regular file is replaced whole (readers see the
old content or the new, never half), created with the mode the umask gives (an existing file keeps its own);
a symlink's target is written, and the link stays; a character device or a FIFO is written through, never
replaced by a file. A place that cannot be written is one line, and nothing is left behind.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import uuid
from pathlib import Path

import click

from rumcfn.errors import OperationFailed, RumcfnError, UsageError

STDOUT = "-"

#: Failures that say the path itself is wrong (a usage error, exit 2); any other is a failed write (exit 1).
BAD_PATH = {errno.ENOENT, errno.ENOTDIR, errno.EACCES, errno.EPERM, errno.EROFS, errno.EISDIR, errno.ELOOP,
            errno.ENAMETOOLONG, errno.ENXIO}


def unwritable(path: str, error: OSError, flag: str = "-o") -> RumcfnError:
    """One line saying why ``path`` (given as ``flag``) cannot be written: a usage error when the path itself is
    wrong, else a failed write."""
    folder = os.path.dirname(path) or "."
    reason = error.strerror or str(error)
    if error.errno == errno.ENOENT and not os.path.isdir(folder):
        reason = f"no such directory: {folder}"
    elif error.errno == errno.ENOENT:
        reason = f"{folder} does not take new files"
    elif error.errno == errno.ENOTDIR:
        reason = f"not a directory: {folder}"
    return (UsageError if error.errno in BAD_PATH else OperationFailed)(f"{flag} {path}: cannot write it ({reason})")


def write_atomic(path: str | os.PathLike, content: str | bytes) -> None:
    """Replace the regular file at ``path`` (or create it) via a new file in the same directory and a rename.

    A new file gets the umask's mode (created 0666 & ~umask, as ``open`` does); an existing one keeps its mode."""
    target = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = None
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if mode is not None:
                os.fchmod(handle.fileno(), mode)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_through(path: str, data: bytes) -> None:
    """Write into what is already there (a device, a FIFO) without creating, truncating or replacing anything."""
    fd = os.open(path, os.O_WRONLY)
    with os.fdopen(fd, "wb") as handle:
        if stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # became a regular file since we looked
            raise OSError(errno.EEXIST, "changed while being written", path)
        handle.write(data)


def write_file(path: str, content: str | bytes, flag: str = "-o") -> None:
    """``content`` to the file ``path`` names, as ``-o`` means it (see the module's docstring); ``flag`` names
    the option (or variable) in the one-line error."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        try:
            kind = os.stat(path).st_mode  # through symlinks, /dev/stdout and /dev/fd/N included
        except FileNotFoundError:
            kind = None
        if kind is not None and not stat.S_ISREG(kind):
            write_through(path, data)
        else:
            write_atomic(os.path.realpath(path), data)  # a symlink's target; the link itself stays as it is
    except OSError as error:
        raise unwritable(path, error, flag) from None


def append_file(path: str, content: str, flag: str) -> None:
    """``content`` added to the end of ``path``, as a shell's ``>>`` does (GitHub's step summary is written so):
    through a symlink, a FIFO or a device, created when missing; a place that cannot be written is one line."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        with os.fdopen(fd, "ab") as handle:
            handle.write(content.encode("utf-8"))
    except OSError as error:
        raise unwritable(path, error, flag) from None


def emit(content: str | bytes, output: str | None) -> None:
    """``content`` to the ``-o`` file when one is given, else (or for ``-o -``) to standard output."""
    if output and output != STDOUT:
        write_file(output, content)
    elif isinstance(content, bytes):
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
    else:
        click.echo(content, nl=False)


class OutputDirectoryTaken(UsageError):
    def __init__(self, path: str) -> None:
        super().__init__(f"-o {path}: holds files that are not a fleet's output (no {MANIFEST}); give a new or "
                         "empty directory, or one an earlier `synth --fleet` wrote")


#: What marks a directory as a fleet's output (rumcfn.template.fleet.MANIFEST).
MANIFEST = "manifest.json"


def write_tree(directory: str, files: dict[str, str]) -> list[str]:
    """``files`` (relative path -> text) into ``directory``, each replaced whole, the manifest last. A directory
    an earlier run wrote loses the files its manifest listed that this run does not write (so no stale template
    or parameter file stays); any other non-empty directory is refused. Returns the stale files removed."""
    import json

    root = Path(directory)
    try:
        existing = [p for p in root.iterdir()] if root.is_dir() else []
        previous: list[str] = []
        if existing:
            manifest = root / MANIFEST
            if not manifest.is_file():
                raise OutputDirectoryTaken(directory)
            old = json.loads(manifest.read_text(encoding="utf-8"))
            if not isinstance(old, dict):
                raise OutputDirectoryTaken(directory)
            previous = [*old.get("templates", {}), *(path for site in old.get("sites", []) if isinstance(site, dict)
                                                     for path in (site.get("parameters") or {}).values())]
        for relative in sorted(files, key=lambda name: name == MANIFEST):
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(target, files[relative])
        # only files inside the directory: a manifest is data, and may have been edited
        stale = sorted(p for p in previous if isinstance(p, str) and p not in files and not Path(p).is_absolute()
                       and ".." not in Path(p).parts)
        for relative in stale:
            (root / relative).unlink(missing_ok=True)
        return stale
    except OSError as error:
        raise unwritable(directory, error) from None
    except (ValueError, AttributeError):  # an earlier manifest that is not the JSON a fleet writes
        raise OutputDirectoryTaken(directory) from None


def output_format(output: str | None, fmt: str | None, suffixes: dict[str, str], default: str | None) -> str | None:
    """What to write: ``--format``, else what ``-o``'s suffix names (``suffixes``: ``.yaml`` -> ``yaml``), else
    ``default``. A ``--format`` that the file name contradicts is refused rather than written under the wrong name."""
    named = suffixes.get(Path(output).suffix.lower()) if output and output != STDOUT else None
    if fmt and named and fmt != named:
        raise UsageError(f"-o {output} is a {named} file name, but --format is {fmt}: drop --format, or name the "
                         "file for the format")
    return fmt or named or default
