"""The console script's entry point: the command runs under a raised young-generation threshold (what a run
allocates lives until it exits), and an in-process caller gets its own threshold back."""

from __future__ import annotations

import gc

import pytest

from rumcfn.cli import app


@pytest.fixture
def default_threshold():
    """CPython's default thresholds while the test runs (the suite's processes raise their own)."""
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield (700, 10, 10)
    gc.set_threshold(*before)


@pytest.mark.parametrize("code", [0, 2])
def test_the_command_runs_under_the_raised_threshold_and_exits_with_its_code(default_threshold, monkeypatch, code):
    seen = []
    monkeypatch.setattr(app, "run", lambda: seen.append(gc.get_threshold()) or code)
    with pytest.raises(SystemExit) as exit_:
        app.entry()
    assert exit_.value.code == code
    assert seen == [(app.YOUNG_GC_THRESHOLD, 10, 10)]
    assert gc.get_threshold() == default_threshold


def test_a_command_that_raises_still_gives_the_threshold_back(default_threshold, monkeypatch):
    def fails():
        raise RuntimeError("boom")

    monkeypatch.setattr(app, "run", fails)
    with pytest.raises(RuntimeError):
        app.entry()
    assert gc.get_threshold() == default_threshold
