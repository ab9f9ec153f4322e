"""Session fixtures for the real-browser tests: the web client bundle, the local servers, Chromium.

Everything here is built once per test process (each xdist worker that runs browser tests; a browser
test module runs whole on one worker, ``tests/support/fixtures.py``): esbuild bundles the pinned
aws-rum-web into ``cwr.js`` (~0.3 s), three servers start on 127.0.0.1, and one headless Chromium
serves every test (each test gets a fresh browser context, so cookies and localStorage never leak
between scenarios).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from rumcfn.doctor.cdp import CHROMIUM, Browser

from .flow import ESBUILD, ROOT
from .servers import Collector, Site, TrapProxy, network_flags

CLIENT_ENTRY = ROOT / "node_modules" / "aws-rum-web" / "dist" / "es" / "index-browser.js"


@pytest.fixture(scope="session")
def client_bundle(tmp_path_factory) -> Path:
    """The RUM web client as the CDN would serve it, bundled from the pinned npm package."""
    if not ESBUILD.exists() or not CLIENT_ENTRY.exists():
        pytest.fail("node_modules lacks esbuild or aws-rum-web: run `npm ci` (make test does)", pytrace=False)
    out = tmp_path_factory.mktemp("client") / "cwr.js"
    subprocess.run([str(ESBUILD), str(CLIENT_ENTRY), "--bundle", "--format=iife", "--minify",
                    f"--outfile={out}", "--log-level=warning"], cwd=ROOT, check=True, timeout=60)
    return out


@pytest.fixture(scope="session")
def servers(client_bundle):
    collector, site, trap = Collector(), Site(client_bundle), TrapProxy()
    # A loopback port that is bound but never listens: connections to it are refused.
    dead = socket.socket()
    dead.bind(("127.0.0.1", 0))
    yield SimpleNamespace(collector=collector, site=site, trap=trap, dead_port=dead.getsockname()[1])
    dead.close()
    for server in (collector, site, trap):
        server.close()


@pytest.fixture(scope="session")
def browser(servers, tmp_path_factory):
    if not (os.path.isfile(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.fail(f"Chromium not found at {CHROMIUM}: `apt-get install chromium` (.ci/run does), "
                    "set RUMCFN_CHROMIUM, or deselect with -m 'not browser'", pytrace=False)
    profile = tmp_path_factory.mktemp("chromium") / "profile"
    profile.mkdir()
    chromium = Browser(profile, network_flags(servers.trap.port, servers.dead_port))
    try:
        prove_the_trap_works(chromium, servers)
        yield chromium
    finally:
        chromium.close()
    # Whatever the browser tried beyond 127.0.0.1 in the whole session, background traffic included.
    if servers.trap.attempts:
        pytest.fail(f"Chromium tried to reach beyond 127.0.0.1: {servers.trap.attempts}", pytrace=False)


TRAP_PROBE = "http://trap-probe.invalid/rumcfn"


def prove_the_trap_works(chromium: Browser, servers) -> None:
    """Positive control for the loopback assertions: a request to another host does reach the
    trap (and nothing else), so an empty trap later means nothing was attempted."""
    page = chromium.new_page()
    try:
        page.goto(f"{servers.site.url}/trap-probe")  # any page; this one is a 404
        page.evaluate(f"fetch({TRAP_PROBE!r}).then(() => 'answered', () => 'refused')")
    finally:
        page.close()
    probes = [a for a in servers.trap.attempts if "trap-probe.invalid" in a]
    if not probes:
        pytest.fail(f"the trap proxy never saw a request to {TRAP_PROBE}; the loopback check would prove nothing "
                    f"(trap saw {servers.trap.attempts})", pytrace=False)
    servers.trap.attempts[:] = [a for a in servers.trap.attempts if "trap-probe.invalid" not in a]


@pytest.fixture
def page(browser):
    tab = browser.new_page()
    yield tab
    tab.close()
