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


def test_every_client_botocore_makes_reads_whole_answers_within_the_read_timeout(monkeypatch, tmp_path):
    """rumcfn's clients and the credential providers' (STS) alike: their connections read through the deadline."""
    from rumcfn.aws.deadline import POOLS, WholeAnswers

    fake_credentials(monkeypatch, tmp_path)
    aws = Aws(region="eu-west-1")
    for client in (aws.client("cloudformation").raw, aws.session().client("sts")):
        assert isinstance(client, WholeAnswers)
        assert client._endpoint.http_session._pool_classes_by_scheme == POOLS


def test_the_deadline_is_for_the_whole_answer_not_each_read():
    """A peer that sends a byte every 50 ms never makes one read wait 0.3 s; the answer as a whole stops at 0.3 s."""
    import socket
    import threading
    import time

    from rumcfn.aws.deadline import DeadlineReader

    ours, theirs = socket.socketpair()
    stop = threading.Event()

    def trickle():
        while not stop.is_set():
            try:
                theirs.send(b"x")
            except OSError:
                return
            time.sleep(0.05)

    threading.Thread(target=trickle, daemon=True).start()
    ours.settimeout(0.3)
    reader = DeadlineReader(ours, ours.gettimeout())
    started, got = time.monotonic(), b""
    try:
        with pytest.raises(TimeoutError):
            while True:
                got += reader.read(1)
    finally:
        stop.set()
        reader.close()
        ours.close()
        theirs.close()
    assert 2 <= len(got) and 0.3 <= time.monotonic() - started < 0.3 + 0.5


def test_answers_are_checked_where_the_code_reads_them():
    """A stubbed answer without what the code indexes is one line naming the operation and the path."""
    from rumcfn.aws.errors import MalformedAnswer
    from rumcfn.aws.stacks import find_stack
    from tests.support.aws import stubbed

    aws, stubs = stubbed("cloudformation")
    stubs["cloudformation"].add_response("describe_stacks", {"Stacks": []})
    with pytest.raises(MalformedAnswer, match="answer to DescribeStacks is not an AWS answer: Stacks has no item 0"):
        find_stack(aws.client("cloudformation"), "site")
    stubs["cloudformation"].add_response("describe_stacks", {})
    answer = aws.client("cloudformation").describe_stacks(StackName="site")
    assert answer.get("Stacks") is None and answer == {}  # reading what may be absent stays ordinary


def test_a_listing_stops_at_the_cap():
    from rumcfn.aws.errors import TooManyPages
    from tests.support.aws import stubbed

    aws, stubs = stubbed("cloudformation")
    aws.max_pages = 2
    for page in range(3):
        stubs["cloudformation"].add_response("list_stack_resources",
                                             {"StackResourceSummaries": [], "NextToken": f"t{page}"})
    pages = aws.client("cloudformation").get_paginator("list_stack_resources").paginate(StackName="site")
    with pytest.raises(TooManyPages, match="ListStackResources: the AWS endpoint .* still had more after 2 pages"):
        list(pages)


def test_in_region_keeps_the_limits_and_the_clock(monkeypatch, tmp_path):
    from tests.support.aws import instant_poller

    fake_credentials(monkeypatch, tmp_path)
    aws = Aws(region="eu-west-1", endpoint_url="http://127.0.0.1:1", timeout=0.5, max_attempts=1, max_pages=7,
              pollers=instant_poller)
    other = aws.in_region("us-west-2")
    assert (other.region, other.endpoint_url, other.timeout, other.max_attempts, other.max_pages, other.pollers) == (
        "us-west-2", "http://127.0.0.1:1", 0.5, 1, 7, instant_poller)
    config = other.client("cognito-identity").meta.config
    assert (config.read_timeout, config.retries["total_max_attempts"]) == (0.5, 1)


def test_what_an_endpoint_sent_is_shown_escaped():
    """An unreadable answer's text reaches the one error line with its control characters escaped."""
    from rumcfn.aws.answers import unreadable

    line = str(unreadable(ValueError("bad\x1b[31m\n::error::x\x07"), "DescribeStacks", "http://127.0.0.1:1"))
    assert "\x1b" not in line and "\x07" not in line and "\n" not in line
    assert "bad\\x1b[31m ::error::x\\x07" in line


def test_what_an_endpoint_sent_is_escaped_as_every_outside_text_is_and_a_cut_is_marked():
    """A bidirectional override is named as the character it is (not a Latin-1 byte followed by two letters), and a
    long answer is cut visibly."""
    from rumcfn.aws.answers import unreadable

    line = str(unreadable(ValueError("evil\u202etxt.exe"), "DescribeStacks", "http://127.0.0.1:1"))
    assert "\u202e" not in line and "evil\\u202etxt.exe" in line
    long = str(unreadable(ValueError("<html>" + "x" * 1000), "DescribeStacks", "http://127.0.0.1:1"))
    detail = long.split("cannot read (", 1)[1].split("); check", 1)[0]
    assert len(detail) == 160 and detail.startswith("ValueError: <html>x") and detail.endswith("x...")
