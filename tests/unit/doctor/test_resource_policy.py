"""``rumcfn doctor``'s policy check: in resource-policy mode the monitor's resource-based policy must let a visitor's
browser send its unsigned ``PutRumEvents``.

RUM is botocore's Stubber (moto has no RUM): ``GetResourcePolicy`` answers with the policy rumcfn's stack wrote,
another document, or the errors the installed RUM model lists for it, each checked by the Stubber against that
model. STS (settings mode's account) is moto's.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from botocore.exceptions import ParamValidationError
from botocore.stub import Stubber

from rumcfn.aws.session import Aws
from rumcfn.config import from_mapping
from rumcfn.doctor import aws_checks
from rumcfn.doctor.context import Context
from rumcfn.doctor.report import FAILED, OK, SKIPPED
from rumcfn.doctor.runner import run
from rumcfn.doctor.target import Target, settings_script
from tests.support.aws import boto_client
from tests.support.deployed import ACCOUNT, MONITOR_ID, REGION, STACK
from tests.support.doctor_world import UNSIGNED, World, add_policy_answer

NOW = datetime.now(timezone.utc).replace(microsecond=0)
ARN = f"arn:aws:rum:{REGION}:{ACCOUNT}:appmonitor/shop"
REFERER = from_mapping({"monitor": {"name": "shop", "domains": ["127.0.0.1"]},
                        "auth": {"mode": "resource-policy", "restrict_referer": True}})


@pytest.fixture
def world(moto_url, static_site, aws_credentials):
    return lambda **kwargs: World(moto_url, static_site, now=NOW, settings=kwargs.pop("settings", UNSIGNED), **kwargs)


def statement(**changes) -> dict:
    found = {"Effect": "Allow", "Principal": "*", "Action": ["rum:PutRumEvents"], "Resource": [ARN]}
    found.update(changes)
    return found


def test_the_policy_the_stack_wrote_lets_browsers_send(world):
    w = world()
    w.page_views(2, 1)
    report, checks = w.doctor()
    assert report.exit_code == 0, report.text()
    assert checks["credentials"].status == SKIPPED
    assert (checks["policy"].status, checks["policy"].detail) == (
        OK, f"the resource policy of shop lets browsers send unsigned rum:PutRumEvents to {ARN}: statement 1 allows it"
    )
    for stubber in (w.deployed.stubber, *w.stubbers.values()):
        stubber.assert_no_pending_responses()  # GetResourcePolicy was asked, for this monitor


def test_no_policy_fails_with_the_fix(world):
    report, checks = world(policy="PolicyNotFoundException").doctor()
    assert checks["policy"].status == FAILED
    assert checks["policy"].detail == ("app monitor shop has no resource policy: RUM refuses the snippet's unsigned "
                                       "requests")
    assert checks["policy"].fix == (f"deploy the stack again (rumcfn deploy --stack-name {STACK}): in resource-policy "
                                    "mode it writes the policy the snippet needs")
    assert checks["data"].detail.endswith("; likely: the policy check above failed")  # named among the causes


def test_a_caller_that_may_not_read_the_policy_is_told_and_nothing_fails(world):
    report, checks = world(policy="AccessDeniedException").doctor()
    assert checks["policy"].status == SKIPPED
    assert checks["policy"].detail == ("cannot read the resource policy of shop: the caller may not call "
                                       "rum:GetResourcePolicy (AccessDeniedException for shop)")
    assert "policy" not in [c.name for c in report.failures()]


def test_a_monitor_that_is_gone(world):
    _, checks = world(policy="ResourceNotFoundException").doctor()
    assert checks["policy"].status == FAILED
    assert checks["policy"].detail == f"app monitor shop does not exist in {REGION}"


@pytest.mark.parametrize("statements,says", [
    ([statement(), statement(Effect="Deny", Sid="Closed")], "statement Closed denies it"),
    ([statement(Action="rum:GetAppMonitor")], "statement 1 is for rum:GetAppMonitor, not rum:PutRumEvents"),
    ([statement(Resource=ARN.replace("/shop", "/other"))], f"statement 1 is for {ARN.replace('/shop', '/other')}, "
                                                           f"not {ARN}"),
    ([statement(Resource=ARN.replace(ACCOUNT, "210987654321"))], f"not {ARN}"),
    ([statement(Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"})], 'not for anyone (Principal "*")'),
])
def test_a_policy_that_does_not_allow_the_call_fails(world, statements, says):
    _, checks = world(policy={"Version": "2012-10-17", "Statement": statements}).doctor()
    check = checks["policy"]
    assert check.status == FAILED
    assert check.detail.startswith(f"the resource policy of shop refuses unsigned rum:PutRumEvents to {ARN}: ")
    assert says in check.detail
    assert check.fix.startswith(f"deploy the stack again (rumcfn deploy --stack-name {STACK})")


def test_a_condition_the_doctor_cannot_see_is_said_not_guessed(world):
    ip = {"Effect": "Deny", "Principal": "*", "Action": "rum:PutRumEvents", "Resource": ARN,
          "Condition": {"NotIpAddress": {"aws:SourceIp": "198.51.100.0/24"}}}
    _, checks = world(policy={"Version": "2012-10-17", "Statement": [statement(), ip]}).doctor()
    assert checks["policy"].status == SKIPPED
    assert checks["policy"].detail.startswith("whether the resource policy of shop lets browsers send depends on "
                                              "what the doctor cannot see: statement 2 (Deny) depends on aws:SourceIp")


def test_restrict_referer_refuses_a_page_the_stacks_referer_values_do_not_match(world):
    """The stack's aws:Referer values are https://<domain>/*; this page is http://127.0.0.1:<port>/, whose origin
    the browser sends as the Referer."""
    w = world(settings=REFERER)
    _, checks = w.doctor()
    check = checks["policy"]
    assert check.status == FAILED
    assert check.detail.endswith(f'statement 1 needs StringLike aws:Referer ["https://127.0.0.1/*"], which '
                                 f"aws:Referer {w.url} does not meet")
    assert check.fix == (f"serve {w.url} over https from one of the monitor's domains (the Referer a browser sends "
                         "must match the policy's aws:Referer values), or deploy with auth.restrict_referer off")


def policy_check(settings, url: str | None, answer, *, account: str | None = ACCOUNT):
    """The policy check alone, for a page that is not served (it reads the page's URL, not the page)."""
    rum = boto_client("rum", region=REGION)
    stubber = Stubber(rum)
    add_policy_answer(stubber, answer)
    stubber.activate()
    target = Target(region=REGION, partition="aws", account=account, monitor_name="shop", monitor_id=MONITOR_ID,
                    auth_mode=settings.auth.mode, stack_name=STACK,
                    expected_script=settings_script(settings, MONITOR_ID, REGION, None))
    ctx = Context(target=target, aws=Aws(region=REGION, clients={"rum": rum}), url=url, timeout=5)
    check = aws_checks.resource_policy(ctx)
    stubber.assert_no_pending_responses()
    return check


def test_restrict_referer_passes_a_page_served_from_a_domain(world, aws_credentials):
    policy = world(settings=REFERER).policy
    check = policy_check(REFERER, "https://127.0.0.1/checkout#pay", json.loads(policy))
    assert (check.status, check.detail) == (OK, "the resource policy of shop lets browsers send unsigned "
                                            f"rum:PutRumEvents to {ARN}: statement 1 allows it "
                                            "(aws:Referer https://127.0.0.1/)")
    check = policy_check(REFERER, None, json.loads(policy))  # no page: the Referer is unknown
    assert check.status == SKIPPED and "depends on aws:Referer, which the doctor cannot know" in check.detail


def test_an_alias_the_policy_wants(aws_credentials):
    wants = {"Version": "2012-10-17", "Statement": [statement(Condition={"StringEquals": {"rum:alias": "web"}})]}
    aliased = from_mapping({"monitor": {"name": "shop", "domains": ["127.0.0.1"]}, "auth": {"mode": "resource-policy"},
                            "snippet": {"config": {"alias": "web"}}})
    assert policy_check(aliased, None, wants).status == OK
    check = policy_check(UNSIGNED, None, wants)
    assert check.status == FAILED
    assert check.detail.endswith('statement 1 needs StringEquals rum:alias "web", and the request has no rum:alias')
    assert check.fix == "send an alias the policy lists in rum:alias (snippet.config alias) and deploy"


def test_settings_mode_asks_sts_for_the_account(world):
    w = world()
    w.page_views(1, 1)
    for stubber in w.stubbers.values():
        stubber.activate()
    report = run(Aws(region=REGION, clients=w.clients), settings=UNSIGNED, app_monitor_id=MONITOR_ID, url=w.url,
                 timeout=5, now=NOW)
    checks = {c.name: c for c in report.checks}
    assert checks["policy"].status == OK, report.text()
    assert ARN in checks["policy"].detail  # moto's STS answers for account 123456789012, the stack's


def test_cognito_mode_needs_no_policy(world):
    _, checks = world(settings=from_mapping({"monitor": {"name": "shop", "domains": ["127.0.0.1"]}})).doctor()
    assert (checks["policy"].status, checks["policy"].detail) == (SKIPPED, "signed requests: no resource policy needed")


def test_the_stand_in_holds_answers_to_the_rum_model(aws_credentials):
    """Positive control: the Stubber refuses a GetResourcePolicy answer or error the installed RUM model does not
    allow, so the answers above are shaped as RUM's."""
    stubber = Stubber(boto_client("rum", region=REGION))
    with pytest.raises(ParamValidationError):
        stubber.add_response("get_resource_policy", {"PolicyDocument": {"Statement": []}})  # a string in the model
    with pytest.raises(ParamValidationError):
        stubber.add_response("get_resource_policy", {"PolicyRevisionId": ""})  # min length 1
    with pytest.raises(ParamValidationError):  # the model's ResourceNotFoundException requires resourceName
        stubber.add_client_error("get_resource_policy", "ResourceNotFoundException", "gone",
                                 modeled_fields={"message": "gone"})
    with pytest.raises(ValueError):
        add_policy_answer(stubber, "NoSuchErrorException")  # not among the operation's errors
