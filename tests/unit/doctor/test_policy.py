"""IAM's evaluation of the one request the doctor asks about: an unsigned ``rum:PutRumEvents`` from a visitor's
browser to one app monitor, under that monitor's resource-based policy (``rumcfn.doctor.policy``).

The policies are AWS's own samples (CloudWatch User Guide, "Using resource-based policies with CloudWatch RUM")
and the one rumcfn's stack writes; the expected answers follow the IAM User Guide's evaluation logic, principal
and condition-operator rules (cited in the module's docstring).
"""

from __future__ import annotations

import json

import pytest

from rumcfn.config import from_mapping
from rumcfn.doctor.policy import Request, evaluate, referer
from rumcfn.stack.auth import resource_policy
from tests.support.partitions import Renderer

ARN = "arn:aws:rum:us-east-1:123456789012:appmonitor/MyApplication"
DATA_PLANE = "https://dataplane.rum.us-east-1.amazonaws.com"


def allow(**changes) -> dict:
    """AWS's first sample: anyone, even without SigV4 credentials, may write to the monitor."""
    statement = {"Effect": "Allow", "Action": "rum:PutRumEvents", "Resource": ARN, "Principal": "*"}
    statement.update(changes)
    return {"Version": "2012-10-17", "Statement": [statement]}


def verdict(document: dict, context: dict | None = None, resource: str = ARN):
    return evaluate(document, Request(resource, context or {}))


def test_aws_sample_policy_lets_anyone_send():
    found = verdict(allow())
    assert (found.allowed, found.detail) == (True, "statement 1 allows it")


@pytest.mark.parametrize("changes", [
    {"Principal": {"AWS": "*"}},  # "For anonymous users, these two methods are equivalent"
    {"Principal": {"AWS": ["arn:aws:iam::123456789012:root", "*"]}},
    {"Action": ["rum:*"]},
    {"Action": "*"},
    {"Action": "RUM:putRumEvents"},  # actions compare case-insensitively
    {"Action": "rum:Put*"},
    {"Resource": "arn:aws:rum:us-east-1:123456789012:appmonitor/*"},
    {"Resource": ["arn:aws:rum:*:123456789012:appmonitor/MyApp?ication"]},
    {"Resource": "*"},
    {"NotAction": "rum:GetAppMonitor"},
    {"Sid": "AllowRUMPutEvents"},
])
def test_what_also_allows_it(changes):
    assert verdict(allow(**changes)).allowed is True


@pytest.mark.parametrize("changes,says", [
    ({"Effect": "Deny"}, "statement 1 denies it"),
    ({"Action": "rum:GetAppMonitor"}, "statement 1 is for rum:GetAppMonitor, not rum:PutRumEvents"),
    ({"NotAction": "rum:*", "Action": None}, "statement 1 excludes rum:PutRumEvents (NotAction rum:*)"),
    ({"Resource": "arn:aws:rum:us-east-1:123456789012:appmonitor/Other"},
     f"statement 1 is for arn:aws:rum:us-east-1:123456789012:appmonitor/Other, not {ARN}"),
    ({"Resource": "arn:aws:rum:us-east-1:210987654321:appmonitor/MyApplication"}, "not " + ARN),
    ({"Resource": "arn:aws:rum:us-east-1:123456789012:appmonitor/myapplication"}, "not " + ARN),  # ARNs: case
    ({"Principal": {"AWS": "arn:aws:iam::123456789012:root"}},
     'statement 1 is for {"AWS":"arn:aws:iam::123456789012:root"}, not for anyone (Principal "*")'),
    ({"Principal": {"Service": "rum.amazonaws.com"}}, "not for anyone"),
    ({"Principal": "arn:aws:iam::*"}, "not for anyone"),  # no wildcard matches part of a principal
])
def test_what_does_not_allow_it(changes, says):
    document = allow(**changes)
    document["Statement"][0] = {k: v for k, v in document["Statement"][0].items() if v is not None}
    found = verdict(document)
    assert found.allowed is False
    assert says in found.detail


def test_a_policy_without_statements_allows_nothing():
    assert (verdict({"Version": "2012-10-17", "Statement": []}).detail) == "no statement allows it"


def test_a_deny_wins_over_an_allow():
    document = allow()
    document["Statement"].append({"Sid": "NoWrites", "Effect": "Deny", "Action": "rum:*", "Resource": "*",
                                  "Principal": "*"})
    found = verdict(document)
    assert (found.allowed, found.detail) == (False, "statement NoWrites denies it")


def test_aws_ip_sample_depends_on_the_visitor():
    """AWS's second sample denies every address but one: the doctor cannot know the visitor's, and says so."""
    document = allow(Resource="arn:aws:rum:us-east-1:123456789012:appmonitor/MyApplication")
    document["Statement"].append({"Effect": "Deny", "Action": "rum:PutRumEvents", "Resource": ARN, "Principal": "*",
                                  "Condition": {"NotIpAddress": {"aws:SourceIp": "198.51.100.252"}}})
    found = verdict(document)
    assert found.allowed is None
    assert found.detail == ('statement 2 (Deny) depends on aws:SourceIp, which the doctor cannot know '
                            '(NotIpAddress aws:SourceIp "198.51.100.252")')


@pytest.mark.parametrize("context,allowed", [
    ({"rum:alias": "alias1"}, True),
    ({"rum:alias": "alias2"}, True),
    ({"rum:alias": "Alias1"}, False),  # StringEquals is case-sensitive
    ({"rum:alias": "other"}, False),
    ({"rum:alias": None}, False),  # a key the request lacks fails a positive operator
    ({}, None),  # the snippet is unknown: so is its alias
])
def test_aws_alias_sample(context, allowed):
    """AWS's third sample: requests must carry alias1 or alias2."""
    document = allow(Sid="AllowRUMPutEvents", Condition={"StringEquals": {"rum:alias": ["alias1", "alias2"]}})
    found = verdict(document, context)
    assert found.allowed is allowed
    if allowed is False:
        assert found.key == "rum:alias"
        assert found.detail.startswith('statement AllowRUMPutEvents needs StringEquals rum:alias ["alias1","alias2"]')


@pytest.mark.parametrize("operator,context,allowed", [
    ("StringNotEquals", {"rum:alias": None}, True),  # absent: a negated operator holds
    ("StringNotEquals", {"rum:alias": "blocked"}, False),
    ("StringNotEquals", {"rum:alias": "web"}, True),
    ("StringEqualsIfExists", {"rum:alias": None}, True),  # ...IfExists holds on an absent key
    ("StringEqualsIfExists", {"rum:alias": "web"}, False),
    ("StringEqualsIgnoreCase", {"rum:alias": "BLOCKED"}, True),
    ("ForAnyValue:StringLike", {"rum:alias": "blocked"}, True),
    ("NumericLessThan", {"rum:alias": "blocked"}, None),  # not evaluated here: never guessed
])
def test_condition_operators(operator, context, allowed):
    document = allow(Condition={operator: {"RUM:Alias": "blocked"}})  # key names compare case-insensitively
    assert verdict(document, context).allowed is allowed


def test_null_tests_presence():
    document = allow(Condition={"Null": {"aws:Referer": "false"}})
    assert verdict(document, {"aws:referer": "https://shop.example.com/"}).allowed is True
    assert verdict(document, {"aws:referer": None}).allowed is False


def stack_policy(settings, region: str = "us-east-1") -> dict:
    """The policy rumcfn's stack writes, as CloudFormation resolves it."""
    renderer = Renderer({}, region, "aws")
    return json.loads(renderer.value(resource_policy(settings).to_dict()))


def test_the_stacks_referer_condition_needs_the_page_served_over_https_from_a_domain():
    settings = from_mapping({"monitor": {"name": "MyApplication", "domains": ["shop.example.com", "*.example.org"]},
                             "auth": {"mode": "resource-policy", "restrict_referer": True}})
    document = stack_policy(settings)

    def on(page: str):
        return verdict(document, {"aws:referer": referer(page, DATA_PLANE), "rum:alias": None})

    assert on("https://shop.example.com/checkout?step=2#pay").allowed is True
    assert on("https://shop.example.com/").detail == "statement 1 allows it (aws:Referer https://shop.example.com/)"
    assert on("https://www.example.org/").allowed is True
    for page in ("http://shop.example.com/", "https://shop.example.com:8443/", "https://evil.example.net/"):
        found = on(page)
        assert (found.allowed, found.key) == (False, "aws:Referer"), page
        assert f"which aws:Referer {referer(page, DATA_PLANE)} does not meet" in found.detail
    assert verdict(document, {"rum:alias": None}).allowed is None  # no page to judge the Referer by


def test_the_stacks_alias_condition():
    settings = from_mapping({"monitor": {"name": "MyApplication", "domains": ["shop.example.com"]},
                             "auth": {"mode": "resource-policy"}, "snippet": {"config": {"alias": "web"}}})
    document = stack_policy(settings)
    assert verdict(document, {"rum:alias": "web"}).allowed is True
    assert verdict(document, {"rum:alias": None}).allowed is False


@pytest.mark.parametrize("page,request_url,sent", [
    ("https://shop.example.com/a/b?x=1#top", DATA_PLANE, "https://shop.example.com/"),  # cross-origin: origin only
    ("https://shop.example.com:443/a", DATA_PLANE, "https://shop.example.com/"),  # the default port is not sent
    ("https://user:pw@shop.example.com/a", DATA_PLANE, "https://shop.example.com/"),
    ("http://127.0.0.1:8000/", DATA_PLANE, "http://127.0.0.1:8000/"),
    ("https://shop.example.com/a/b?x=1#top", "https://shop.example.com/rum", "https://shop.example.com/a/b?x=1"),
    ("https://shop.example.com/a", "http://collector.example.com/", None),  # https -> http: nothing
])
def test_the_referer_a_browser_sends_by_default(page, request_url, sent):
    """``strict-origin-when-cross-origin``, the default referrer policy (Fetch Standard)."""
    assert referer(page, request_url) == sent
