"""The handler as inlined in the template, in a world of moto S3 and CloudWatch Logs, a stubbed RUM and a
recording response URL (tests/support/handler.py)."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from rumcfn.config import from_mapping
from tests.support.handler import BUCKET, ResponseServer, S3Faults, StackStatus, World, inline_source, load_index


@pytest.fixture(scope="session")
def index():
    """The handler from a template that uses all of its resource types (the same function serves them)."""
    source = inline_source(from_mapping({"canary": {"empty_artifacts_on_delete": True},
                                         "monitor": {"cw_log_enabled": True, "log_retention_days": 90}}))
    assert source == inline_source()
    return load_index(source)


@pytest.fixture
def aws_env(monkeypatch):
    """No AWS variable of the machine's; fake credentials; us-east-1."""
    import os

    for name in [n for n in os.environ if n.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")


@pytest.fixture
def world(index, aws_env):
    with mock_aws(), ResponseServer() as server:
        boto3.setup_default_session()
        try:
            world = World(index, S3Faults(boto3.DEFAULT_SESSION), server)
            world.stack = StackStatus(boto3.DEFAULT_SESSION)
            world.s3.create_bucket(Bucket=BUCKET)
            yield world
        finally:
            boto3.DEFAULT_SESSION = None


@pytest.fixture
def rum(world, monkeypatch):
    """RUM as a Stubber on the rum client the handler's own ``client`` makes (moto has no RUM); any call
    nobody queued a response for fails the test's request."""
    from botocore.stub import Stubber

    make = world.index.client
    rum_client = make("rum")
    monkeypatch.setattr(world.index, "client", lambda service="s3": rum_client if service == "rum" else make(service))
    with Stubber(rum_client) as stub:
        yield stub


@pytest.fixture
def logs(world):
    world.logs_client = boto3.session.Session().client("logs")  # without the hooks, for checks
    return world.logs_client



