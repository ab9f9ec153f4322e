"""The suite's fixtures, loaded as a pytest plugin by ``tests/conftest.py``.

Fixtures are found by name; tests never import them (nor anything from another test module).
"""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.support import endpoints
from tests.support.aws import fake_credentials, no_credentials

# --- the machine is left as the suite found it ---------------------------------------------------

#: Device nodes a careless write (an atomic rename onto ``-o /dev/null``) would replace. CI runs as root.
GUARDED = ("/dev/null", "/dev/zero", "/dev/full")


def node_state(paths: tuple[str, ...]) -> dict[str, tuple | None]:
    """What each node is (type and mode, device numbers, inode, owner), without following links."""
    state: dict[str, tuple | None] = {}
    for path in paths:
        try:
            st = os.lstat(path)
        except OSError:
            state[path] = None
        else:
            state[path] = (st.st_mode, st.st_rdev, st.st_ino, st.st_uid, st.st_gid)
    folders = sorted({os.path.dirname(path) for path in paths})
    for folder in folders:  # a regular file appearing next to them (a left-over temporary file)
        with os.scandir(folder) as entries:
            state[f"{folder}/<regular files>"] = tuple(
                sorted(e.name for e in entries if e.is_file(follow_symlinks=False))
            )
    return state


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_GUARD] = node_state(GUARDED)


def pytest_configure(config: pytest.Config) -> None:
    share_botocore_models()
    collect_garbage_seldom()


def collect_garbage_seldom() -> None:
    """A test process collects at the console script's young-generation threshold
    (``rumcfn.cli.app.YOUNG_GC_THRESHOLD``): what it allocates is mostly what lives as long as it does (modules,
    botocore's models, moto's backends), so at CPython's default of 700 the collector scanned much and freed
    little. ``pytest_collection_finish`` then freezes what collection made (the test modules and their objects):
    no later full collection scans it again. Together they took about a tenth of the suite's CPU time."""
    from rumcfn.cli.app import collect_seldom

    collect_seldom()


def pytest_collection_finish(session: pytest.Session) -> None:
    import gc

    gc.collect()
    gc.freeze()


def share_botocore_models() -> None:
    """Every botocore session of a test process reads its data through rumcfn's one loader per data path
    (``rumcfn.aws.session.shared_loader``, which ``Aws`` sessions already use). botocore keeps the models it has
    parsed on the loader, and a session makes its own: the sessions the tests make themselves (a fresh default
    session per handler test, moto's, a test's checking client) parsed S3's model again every time, half the CPU
    time of the AWS tests. The models are read-only data; sessions, credentials, clients and their event hooks
    stay each test's own."""
    import botocore.session

    from rumcfn.aws.session import shared_loader

    botocore.session.create_loader = shared_loader


def pytest_sessionfinish(session: pytest.Session) -> None:
    before = session.config.stash.get(_GUARD, None)
    if before is None:
        return
    after = node_state(GUARDED)
    changed = [f"{path}: {before[path]} -> {after.get(path)}" for path in before if after.get(path) != before[path]]
    if changed:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = "the test session changed the machine: " + "; ".join(changed)
        if reporter is not None:
            reporter.write_line(message, red=True)
        else:
            sys.stderr.write(message + "\n")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_GUARD = pytest.StashKey[dict]()


# --- how pytest-xdist shares the tests out ---------------------------------------------------------


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """With ``-n`` and ``--dist load`` (its default), the tests go to the workers in units of three kinds:
    - every browser test, together: one Chromium at a time (beside the example workflow's lab job at most), and
      the lab run of a module fixture made once. They mostly wait on their pages' network, so a third worker fills
      the core they leave idle; they passed with both cores kept busy by other processes, where shared out over
      three workers they once lost an event;
    - an integration test module, whole: its module fixtures (one checkov scan, one CI install) run once, not once
      per worker that got some of its tests;
    - any other test, on its own, as ``--dist load`` shares them out.
    (``--dist loadgroup`` with ``xdist_group`` marks would do this, but with pytest 9.2 it no longer groups
    anything: pytest-dev/pytest-xdist#1386.)"""
    if config.getoption("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Units(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            if path.startswith("tests/browser/"):
                return "tests/browser/"
            return path if path.startswith("tests/integration/") else nodeid

    return Units(config, log)


@pytest.fixture(scope="session")
def linter():
    """cfn-lint loads its rules once for the whole session."""
    from rumcfn.template.lint import Linter

    return Linter()


@pytest.fixture
def run_cli(tmp_path):
    """Run ``rumcfn`` as a user would (a separate process), from an empty directory."""

    def run(
        *args: str, cwd: Path | None = None, stdin: str | bytes | None = None, env: dict[str, str] | None = None,
        timeout: float = 120,
    ) -> subprocess.CompletedProcess:
        """``stdin``: text, or bytes sent as they are; ``env``: variables set for this run (no AWS_* variable of
        the machine's ever leaks in); ``timeout``: seconds the command may take (more fails the test)."""
        environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | (env or {})
        done = subprocess.run(
            [sys.executable, "-m", "rumcfn", *args],
            cwd=cwd or tmp_path,
            input=stdin,
            capture_output=True,
            text=not isinstance(stdin, bytes),
            env=environment,
            timeout=timeout,
        )
        if isinstance(stdin, bytes):
            done.stdout, done.stderr = (out.decode("utf-8", "replace") for out in (done.stdout, done.stderr))
        return done

    return run


@pytest.fixture
def invoke(capsys):
    """Run ``rumcfn`` in this process: ``invoke(*args, aws=factory)`` -> ``Ran(code, out, err)``; the factory
    (``tests.support.cli.aws_with``) says which clients, timeouts and clock the AWS commands use."""
    from tests.support.cli import invoke_with

    return invoke_with(capsys)


@pytest.fixture(scope="module")
def moto_server() -> Iterator[str]:
    """A moto server on 127.0.0.1 for this test module; yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def moto_url(moto_server: str) -> str:
    """The module's moto server, emptied before each test."""
    request = urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST")
    urllib.request.urlopen(request, timeout=10).read()
    return moto_server


@pytest.fixture(scope="module")
def silent_endpoint() -> Iterator[endpoints.SilentEndpoint]:
    """An endpoint on 127.0.0.1 that accepts connections and never answers (``.url``, ``.connections``)."""
    yield from endpoints.silent_endpoint()


@pytest.fixture
def refused_endpoint() -> Iterator[str]:
    """The URL of a port on 127.0.0.1 that refuses every connection."""
    yield from endpoints.refused_endpoint()


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """Fake credentials only (for tests whose clients are Stubbers or point elsewhere)."""
    fake_credentials(monkeypatch, tmp_path)


@pytest.fixture
def no_aws_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """No AWS credentials at all (and no instance metadata lookups): only site-side checks can run."""
    no_credentials(monkeypatch, tmp_path)


@pytest.fixture
def static_site():
    """An empty website on 127.0.0.1 (``tests.support.doctor_site.StaticSite``); tests lay out its pages."""
    from tests.support.doctor_site import StaticSite

    site = StaticSite()
    yield site
    site.close()


@pytest.fixture
def raw_site():
    """A website on 127.0.0.1 that answers with raw bytes (``tests.support.raw_site.RawSite``)."""
    from tests.support.raw_site import RawSite

    site = RawSite()
    yield site
    site.close()


@pytest.fixture
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> list:
    """Every connection to an address outside 127.0.0.0/8 and ::1 is refused at once and recorded (the
    list this yields): code that should never reach out shows it did, and never leaves the machine."""
    import ipaddress
    import socket

    attempts: list = []
    connect = socket.socket.connect

    def guarded(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0].split("%")[0]
            try:
                loopback = ipaddress.ip_address(host).is_loopback
            except ValueError:
                loopback = False
            if not loopback:
                attempts.append(address)
                raise ConnectionRefusedError(111, "refused by the test (not loopback)")
        return connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    return attempts


@pytest.fixture
def aws_env(moto_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> str:
    """A reset moto server reachable through ``AWS_ENDPOINT_URL`` with fake credentials; yields the URL."""
    fake_credentials(monkeypatch, tmp_path)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_url)
    return moto_url


@pytest.fixture
def moto_percentiles(monkeypatch):
    """Teach the in-process moto server percentiles (``p75``), which moto 5.2's GetMetricData
    cannot compute (it answers HTTP 500). Nearest-rank percentile over the raw samples, which is
    what CloudWatch returns for a single period over non-aggregated data."""
    import math
    import re

    from moto.cloudwatch.models import Statistics

    original = Statistics.get_statistics_for_type

    def get_statistics_for_type(self, stat):
        match = re.fullmatch(r"p(\d+(?:\.\d+)?)", stat)
        if not match:
            return original(self, stat)
        values = sorted(self.metric_single_values_list)
        if not values:
            return None
        rank = max(1, math.ceil(float(match[1]) / 100 * len(values)))
        return values[rank - 1]

    monkeypatch.setattr(Statistics, "get_statistics_for_type", get_statistics_for_type)


@pytest.fixture(scope="session")
def dist(tmp_path_factory):
    """The sdist and wheel ``make dist`` builds (once per test session, shared by the xdist workers)."""
    from tests.support.dist import built_dist, make_dist
    from tests.support.once import session_folder

    return built_dist(session_folder(tmp_path_factory, "dist", make_dist))


@pytest.fixture
def user_venv(tmp_path_factory):
    """A fresh virtual environment outside the repository, without rumcfn: its ``bin`` folder."""
    from tests.support.dist import fresh_venv

    return fresh_venv(tmp_path_factory.mktemp("user") / "venv")
