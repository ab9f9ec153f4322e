"""Where ``-o`` output goes: regular files replaced atomically with the umask's mode, devices and FIFOs written
through, symlinks' targets written, ``-`` is standard output, and an unwritable place is one line.

Every path is inside ``tmp_path`` (CI runs as root: a test that wrote to /dev would change the machine).
"""

from __future__ import annotations

import errno
import os
import stat
import threading

import pytest

from rumcfn.cli.files import emit
from rumcfn.errors import OperationFailed, UsageError


@pytest.fixture
def umask():
    """Set the process umask for one test, and put the old one back."""
    old = os.umask(0o022)
    os.umask(old)
    yield lambda value: os.umask(value)
    os.umask(old)


@pytest.mark.parametrize("mask,mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_gets_the_umask_mode(tmp_path, umask, mask, mode):
    umask(mask)
    emit("x", str(tmp_path / "t.json"))
    assert stat.S_IMODE(os.stat(tmp_path / "t.json").st_mode) == mode


def test_an_existing_file_is_replaced_whole_and_keeps_its_mode(tmp_path, umask):
    umask(0o077)
    target = tmp_path / "t.json"
    target.write_text("old content that is longer than the new one")
    target.chmod(0o640)
    emit("new", str(target))
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["t.json"]  # no temporary file left behind


def test_a_symlink_writes_its_target_and_stays_a_link(tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    emit("new", str(link))
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "new"


def test_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "later.json")
    emit("new", str(link))
    assert link.is_symlink() and (tmp_path / "later.json").read_text() == "new"


def test_a_character_device_is_written_through_not_replaced(tmp_path):
    device = tmp_path / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # the null device, inside tmp_path
    emit("discarded", str(device))
    assert stat.S_ISCHR(os.stat(device).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["null"]


def test_a_fifo_is_written_through(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    emit("through the pipe", str(fifo))
    reader.join(timeout=30)
    assert received == [b"through the pipe"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_dash_is_standard_output(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    emit("to stdout", "-")
    assert capsys.readouterr().out == "to stdout"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("where,reason", [
    ("missing/dir/x.json", "no such directory"),
    ("afile/x.json", "not a directory"),
])
def test_a_missing_directory_is_one_line(tmp_path, monkeypatch, where, reason):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("a file, not a directory")
    with pytest.raises(UsageError) as caught:
        emit("x", where)
    message = str(caught.value)
    assert message.startswith(f"-o {where}: cannot write it") and reason in message
    assert "\n" not in message and caught.value.exit_code == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


@pytest.mark.parametrize("code", [errno.EACCES, errno.EROFS])
def test_an_unwritable_directory_is_one_line(tmp_path, monkeypatch, code):
    """As root no directory refuses by its mode, so the refusal is simulated: creating anything in tmp_path fails."""
    real_open = os.open

    def refusing_open(path, flags, *args, **kwargs):
        if str(path).startswith(str(tmp_path)) and flags & os.O_CREAT:
            raise OSError(code, os.strerror(code), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    with pytest.raises((UsageError, OperationFailed), match=os.strerror(code)):
        emit("x", str(tmp_path / "t.json"))
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []
