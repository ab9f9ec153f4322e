"""Chromium, as the doctor and the browser tests start it, writes only inside its own temporary directory:
never into the home directory of whoever runs it (an NSS database, caches, crash reports, settings)."""

from __future__ import annotations

import os

import pytest

from rumcfn.doctor.cdp import Browser

pytestmark = pytest.mark.browser


def everything(folder) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


def test_chromium_leaves_the_home_directory_alone(tmp_path, monkeypatch):
    home = tmp_path / "someones-home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in [n for n in os.environ if n.startswith("XDG_")]:
        monkeypatch.delenv(name)
    profile = tmp_path / "run" / "profile"
    profile.mkdir(parents=True)
    chromium = Browser(profile)
    try:
        page = chromium.new_page()
        page.goto("data:text/html,<p>hello</p>")
        assert page.evaluate("document.querySelector('p').textContent") == "hello"
        page.close()
    finally:
        chromium.close()
    assert everything(home) == []
    assert everything(profile)  # it did write, where it was told to
