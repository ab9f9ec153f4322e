"""The console script's entry point: the command runs under a raised young-generation threshold (what a run
allocates lives until it exits), an in-process caller gets its own threshold back, and what the run made is frozen
before the interpreter exits, so its last collections do not scan it."""

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


@pytest.fixture
def freezes(monkeypatch):
    """Each ``gc.freeze()`` call, recorded instead of made (it would keep this test process's objects forever)."""
    calls: list[str] = []
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    return calls


@pytest.mark.parametrize("code", [0, 2])
def test_the_command_runs_under_the_raised_threshold_and_exits_with_its_code(default_threshold, freezes, monkeypatch,
                                                                             code):
    seen = []
    monkeypatch.setattr(app, "run", lambda: seen.append((gc.get_threshold(), list(freezes))) or code)
    with pytest.raises(SystemExit) as exit_:
        app.entry()
    assert exit_.value.code == code
    assert seen == [((app.YOUNG_GC_THRESHOLD, 10, 10), [])]  # nothing frozen while the command runs ...
    assert freezes == ["freeze"]  # ... and everything once it has
    assert gc.get_threshold() == default_threshold


def test_a_command_that_raises_still_gives_the_threshold_back(default_threshold, freezes, monkeypatch):
    def fails():
        raise RuntimeError("boom")

    monkeypatch.setattr(app, "run", fails)
    with pytest.raises(RuntimeError):
        app.entry()
    assert gc.get_threshold() == default_threshold
