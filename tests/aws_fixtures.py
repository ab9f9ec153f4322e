"""AWS test doubles for the deploy tests: a moto server on a free port, fake credentials, Stubber clients,
small templates moto can deploy, and a clock that never sleeps.

Import explicitly: ``from tests.aws_fixtures import moto_server, aws_env  # noqa: F401``.
"""

from __future__ import annotations

import json
import urllib.request
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator

import pytest

from rumcfn.aws.session import Aws
from rumcfn.aws.events import Poller

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account


@pytest.fixture(scope="module")
def moto_server() -> Iterator[str]:
    """A moto server for this test module; yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def fake_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """Fake keys and region in the environment; no real profile or config file can leak in."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_REGION",
                 "AWS_ENDPOINT_URL", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def aws_env(moto_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> str:
    """A reset moto server reachable through ``AWS_ENDPOINT_URL`` with fake credentials; yields the URL."""
    urllib.request.urlopen(urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST"), timeout=10).read()
    fake_credentials(monkeypatch, tmp_path)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    return moto_server


def boto_client(service: str, endpoint_url: str | None = None) -> Any:
    import boto3

    return boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                 region_name=REGION).client(service, endpoint_url=endpoint_url)


def stubbed(*services: str) -> tuple[Aws, dict[str, Any]]:
    """An ``Aws`` whose clients are botocore Stubbers (one per service), and the stubbers by service."""
    from botocore.stub import Stubber

    clients = {s: boto_client(s) for s in services}
    stubbers = {s: Stubber(c) for s, c in clients.items()}
    for stubber in stubbers.values():
        stubber.activate()
    return Aws(region=REGION, clients=clients), stubbers


class FakeClock:
    """``Poller`` clock and sleep: sleeping only moves the clock forward."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def poller(self, **kwargs: Any) -> Poller:
        return Poller(sleep=self.sleep, clock=self.clock, **kwargs)


def instant_poller() -> Poller:
    return FakeClock().poller()


# Templates moto can deploy (it skips RUM, Cognito, Synthetics and alarms, so rumcfn's own template can't settle).
def small_template(*resources: str, outputs: bool = True) -> str:
    kinds = {
        "Topic": {"Type": "AWS::SNS::Topic"},
        "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}},
        "Bucket": {"Type": "AWS::S3::Bucket"},
    }
    body: dict[str, Any] = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": {"Env": {"Type": "String", "Default": "test"}},
        "Resources": {name: kinds[name] for name in resources},
    }
    if outputs:
        body["Outputs"] = {f"{name}Name": {"Value": {"Ref": name}} for name in resources}
    return json.dumps(body, indent=1)


# Responses shaped like CloudFormation's, for Stubber.
STACK_ID = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/site/0f1e2d3c-aaaa-bbbb-cccc-000000000001"
CHANGE_SET_ID = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:changeSet/rumcfn-1/0f1e2d3c-aaaa-bbbb-cccc-000000000002"
T0 = datetime(2026, 11, 23, 20, 14, 2, tzinfo=timezone.utc)


def event(n: int, logical: str, kind: str, status: str, reason: str = "", stack_id: str = STACK_ID,
          seconds: int | None = None) -> dict:
    item = {"StackId": stack_id, "EventId": f"event-{n}", "StackName": stack_id.split("/")[1],
            "LogicalResourceId": logical, "PhysicalResourceId": stack_id if kind == "AWS::CloudFormation::Stack" else f"{logical}-phys",
            "ResourceType": kind, "Timestamp": T0 + timedelta(seconds=n if seconds is None else seconds),
            "ResourceStatus": status}
    if reason:
        item["ResourceStatusReason"] = reason
    return item


def stack(status: str, outputs: list[dict] | None = None, parameters: list[dict] | None = None,
          protection: bool = False, stack_id: str = STACK_ID) -> dict:
    item = {"StackId": stack_id, "StackName": stack_id.split("/")[1], "CreationTime": T0, "StackStatus": status,
            "EnableTerminationProtection": protection}
    if outputs is not None:
        item["Outputs"] = outputs
    if parameters is not None:
        item["Parameters"] = parameters
    return {"Stacks": [item]}


def not_found(stubber: Any, method: str = "describe_stacks", name: str = "site") -> None:
    stubber.add_client_error(method, service_error_code="ValidationError",
                             service_message=f"Stack with id {name} does not exist", http_status_code=400)
