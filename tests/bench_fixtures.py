"""A moto server on 127.0.0.1 for the budget-gate and CI-example tests (and the benchmarks).

Import the fixtures into a test module with ``from tests.bench_fixtures import moto_url, aws_env``.
"""

from __future__ import annotations

import json
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}


@pytest.fixture(scope="module")
def moto_server():
    """One moto server per module; tests reset it through :func:`moto_url`."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def moto_url(moto_server):
    """The server's URL, emptied before each test."""
    request = urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST")
    urllib.request.urlopen(request, timeout=10).read()
    return moto_server


@pytest.fixture
def aws_env(monkeypatch, moto_url, tmp_path):
    """Fake credentials and AWS_ENDPOINT_URL pointing at moto; no real AWS config is read."""
    for key in [k for k in __import__("os").environ if k.startswith("AWS_")]:
        monkeypatch.delenv(key, raising=False)
    for key, value in FAKE_CREDENTIALS.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_url)
    return moto_url


def boto(service: str, url: str):
    import boto3

    return boto3.client(service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing")


def put_samples(url: str, monitor: str, metric: str, values, *, hours_ago: float = 1.0) -> None:
    """Samples for ``metric`` of ``monitor``, spread over the hours before now (inside a 7-day window)."""
    cloudwatch = boto("cloudwatch", url)
    now = datetime.now(timezone.utc)
    for index, value in enumerate(values):
        cloudwatch.put_metric_data(Namespace="AWS/RUM", MetricData=[{
            "MetricName": metric, "Value": float(value),
            "Dimensions": [{"Name": "application_name", "Value": monitor}],
            "Timestamp": now - timedelta(hours=hours_ago + index),
        }])


def stack_with_budgets(url: str, stack_name: str, monitor: str, budgets: dict, output: bool = True) -> None:
    """A stack in moto that carries rumcfn's budget metadata.

    moto cannot create rumcfn's real stack (it skips AWS::RUM::AppMonitor and then fails on the
    outputs' ``Fn::GetAtt``), so the stack holds a log group, the same ``Metadata.rumcfn`` block a
    real template has, and the ``AppMonitorName`` output as a literal.
    """
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Metadata": {"rumcfn": {"version": "0.1.0", "budgets": budgets}},
        "Resources": {"Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": f"/rum/{monitor}"}}},
    }
    if output:
        template["Outputs"] = {"AppMonitorName": {"Value": monitor}}
    boto("cloudformation", url).create_stack(StackName=stack_name, TemplateBody=json.dumps(template))


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
