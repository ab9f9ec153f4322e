"""The stripped copy of each handler that ships beside it, and when ``synth`` may use it."""

from __future__ import annotations

import hashlib

import pytest

from rumcfn.stack import inline
from tests.support import ROOT


def test_every_shipped_copy_is_the_handler_as_it_is_now_stripped():
    handlers = sorted((ROOT / "handlers").glob("*.py"))
    assert handlers
    for handler in handlers:
        copy = handler.with_name(handler.name + inline.SUFFIX)
        assert copy.is_file(), f"{copy.name} is missing: run `make inline`"
        assert copy.read_text(encoding="utf-8") == inline.stripped_copy(handler.name), \
            f"{copy.name} is stale: run `make inline`"


@pytest.fixture
def handlers(tmp_path, monkeypatch):
    """A handlers/ directory of one handler, which inline.py reads instead of the package's."""
    (tmp_path / "h.py").write_text('def handler(event, context):  # a comment\n    """Doc."""\n    return 1\n')
    monkeypatch.setattr(inline, "resource_dir", lambda name: tmp_path)
    return tmp_path


STRIPPED = "# rumcfn h.py, comments stripped\ndef handler(event, context):\n return 1\n"


def test_without_a_copy_the_handler_is_stripped(handlers):
    assert inline.inline_handler.__wrapped__("h.py") == STRIPPED


def test_a_copy_made_from_this_source_is_used_as_it_is(handlers):
    digest = hashlib.sha256((handlers / "h.py").read_bytes()).hexdigest()
    (handlers / "h.py.inlined").write_text(f"# sha256 {digest}\nthe copy\n")
    assert inline.inline_handler.__wrapped__("h.py") == "the copy\n"


def test_a_copy_made_from_another_source_is_ignored(handlers):
    digest = hashlib.sha256(b"def handler(event, context):\n    return 2\n").hexdigest()
    (handlers / "h.py.inlined").write_text(f"# sha256 {digest}\nthe copy\n")
    assert inline.inline_handler.__wrapped__("h.py") == STRIPPED


def test_make_inline_writes_each_copy_once_and_the_copy_is_then_used(handlers):
    assert inline.write_stripped_copies() == ["h.py.inlined"]
    assert inline.write_stripped_copies() == []
    assert (handlers / "h.py.inlined").read_text().partition("\n")[2] == STRIPPED
    assert inline.inline_handler.__wrapped__("h.py") == STRIPPED
