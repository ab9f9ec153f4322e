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

from tests.support.aws import fake_credentials, no_credentials


@pytest.fixture(scope="session")
def linter():
    """cfn-lint loads its rules once for the whole session."""
    from rumcfn.template.lint import Linter

    return Linter()


@pytest.fixture
def run_cli(tmp_path):
    """Run ``rumcfn`` as a user would (a separate process), from an empty directory."""

    def run(*args: str, cwd: Path | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        return subprocess.run([sys.executable, "-m", "rumcfn", *args], cwd=cwd or tmp_path, input=stdin,
                              capture_output=True, text=True, env=env, timeout=120)

    return run


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
