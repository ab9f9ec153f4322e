"""Every client rumcfn makes, and every client botocore makes for it, has timeouts and bounded retries short
enough for the issue's limits; endpoints botocore could not use are refused before any call."""

from __future__ import annotations

import pytest

from rumcfn.aws import session
from rumcfn.aws.session import Aws, check_endpoint_url
from rumcfn.config import SettingsError
from tests.support.aws import fake_credentials, worst_case_seconds

#: The issue's limits for a whole command, less a few seconds for the process to start.
NEVER_ANSWERS_LIMIT = 30 - 5
REFUSED_LIMIT = 10 - 3


def test_one_call_on_a_dead_endpoint_ends_well_within_the_limits():
    assert worst_case_seconds(session.READ_TIMEOUT) <= NEVER_ANSWERS_LIMIT
    assert worst_case_seconds(session.CONNECT_TIMEOUT) <= NEVER_ANSWERS_LIMIT  # a host that drops the connection
    assert worst_case_seconds(0) <= REFUSED_LIMIT


@pytest.mark.parametrize("service", ["cloudformation", "s3", "cloudwatch", "servicecatalog"])
def test_every_client_has_timeouts_and_bounded_retries(monkeypatch, tmp_path, service):
    fake_credentials(monkeypatch, tmp_path)
    config = Aws(region="eu-west-1").client(service).meta.config
    assert (config.connect_timeout, config.read_timeout) == (session.CONNECT_TIMEOUT, session.READ_TIMEOUT)
    assert config.retries == {"mode": "standard", "total_max_attempts": session.MAX_ATTEMPTS}


def test_clients_botocore_makes_for_credentials_have_them_too(monkeypatch, tmp_path):
    """Credential providers (assume-role, SSO) create their clients from the session's default config."""
    fake_credentials(monkeypatch, tmp_path)
    config = Aws(region="eu-west-1").session().client("sts").meta.config
    assert (config.connect_timeout, config.read_timeout) == (session.CONNECT_TIMEOUT, session.READ_TIMEOUT)
    assert config.retries["total_max_attempts"] == session.MAX_ATTEMPTS


@pytest.mark.parametrize("url", ["http://127.0.0.1:4566", "https://cloudformation.us-east-1.amazonaws.com",
                                 "http://localhost:5000/", "http://[::1]:4566"])
def test_endpoints_botocore_can_use_pass(url):
    check_endpoint_url(url, "--endpoint-url")


@pytest.mark.parametrize("url", ["not a url", "localhost:4566", "ftp://127.0.0.1/", "http://", "http://127.0.0.1:99999",
                                 "http://exa mple.com", ""])
def test_endpoints_botocore_cannot_use_are_one_line(url):
    with pytest.raises(SettingsError, match="setting --endpoint-url: must be an http"):
        check_endpoint_url(url, "--endpoint-url")


def test_an_endpoint_from_the_config_file_is_one_line(monkeypatch, tmp_path):
    fake_credentials(monkeypatch, tmp_path)
    (tmp_path / "no-aws-config").write_text("[default]\nendpoint_url = not a url\n")
    with pytest.raises(SettingsError, match="setting the cloudformation endpoint URL: must be an http"):
        Aws(region="eu-west-1").client("cloudformation")
