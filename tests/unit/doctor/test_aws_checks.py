"""``rumcfn doctor --stack-name``: the AWS checks, against moto in server mode where moto can answer (S3,
CloudWatch metrics and alarms, Cognito identity) and botocore's Stubber where it cannot (CloudFormation for
rumcfn's stack, RUM, which moto lacks, and Synthetics' GetCanaryRuns, which moto lacks too).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from botocore.stub import Stubber

from rumcfn.aws.session import Aws
from rumcfn.doctor.report import FAILED, OK, SKIPPED
from rumcfn.doctor.runner import run
from tests.support.aws import boto_client
from tests.support.deployed import MONITOR_ID, REGION, STACK
from tests.support.doctor_world import SETTINGS, World

NOW = datetime.now(timezone.utc).replace(microsecond=0)


@pytest.fixture
def world(moto_url, static_site, aws_credentials):
    return lambda **kwargs: World(moto_url, static_site, now=NOW, **kwargs)


def test_a_healthy_stack_and_site_pass_every_check(world):
    w = world()
    w.page_views(3, 2)
    report, checks = w.doctor()
    assert report.exit_code == 0, report.text()
    assert [c.status for c in report.checks] == [OK] * 3 + [SKIPPED] + [OK] * 4 + [SKIPPED] + [OK] * 3
    assert checks["first-party"].status == SKIPPED  # the stack's snippet sends to the data plane directly
    assert checks["stack"].detail == f"{STACK} is UPDATE_COMPLETE"
    assert checks["policy"].detail == "signed requests: no resource policy needed"
    assert checks["monitor"].detail == (f"shop ({MONITOR_ID}, ACTIVE): domains, telemetries and sample rate match "
                                        f"stack {STACK}")
    assert checks["credentials"].detail == f"identity pool {w.pool} gives guest credentials"
    assert checks["rum.js"].detail.endswith(f"is byte-identical to what stack {STACK} wrote ({len(w.snippet)} bytes)")
    assert checks["data"].detail == "3 page view(s) and 2 session(s) of shop in the last hour"
    assert checks["canary"].detail == f"the last run of shop passed at {NOW - timedelta(minutes=0):%Y-%m-%d %H:%M} UTC"
    assert checks["alarms"].detail == f"{len(w.alarm_names)} alarm(s): {len(w.alarm_names)} OK"
    for stubber in (w.deployed.stubber, *w.stubbers.values()):
        stubber.assert_no_pending_responses()


def test_a_cdn_serving_an_old_rum_js_is_told_from_a_deleted_one(world):
    report, checks = world(site_variant_name="stale").doctor()
    assert checks["rum.js"].status == FAILED
    assert "s3://example-site-assets/rum.js is current, so a cache serves an old copy" in checks["rum.js"].detail
    assert checks["rum.js"].fix == "invalidate /rum.js in your CDN, or wait out its Cache-Control (max-age=300)"

    _, checks = world(site_variant_name="stale", rum_js="deleted").doctor()
    assert checks["rum.js"].detail.endswith("; s3://example-site-assets/rum.js is missing: rum.js is stale")
    assert checks["rum.js"].fix == f"rumcfn restore-snippet --stack-name {STACK}"

    _, checks = world(site_variant_name="missing", rum_js="deleted").doctor()
    assert checks["rum.js"].detail.endswith("answered HTTP 404 and s3://example-site-assets/rum.js is missing "
                                            "(a sync with --delete removes it)")
    assert checks["rum.js"].fix == f"rumcfn restore-snippet --stack-name {STACK}"


def test_a_monitor_changed_in_the_console_and_a_zero_sample_rate_are_named(world):
    w = world(monitor_changes={"config": {"SessionSampleRate": 0.0, "Telemetries": ["errors"]},
                               "Domain": "www.example.com"})
    report, checks = w.doctor()
    assert [c.name for c in report.failures()] == ["monitor", "domain", "data"]
    assert checks["monitor"].detail == (
        f"shop ({MONITOR_ID}, ACTIVE): domains are www.example.com, not 127.0.0.1; "
        "telemetries are errors, not errors, performance, http; sample rate is 0.0, not 1"
    )
    assert checks["monitor"].fix == (
        f"the monitor was changed outside the stack: deploy it again (rumcfn deploy --stack-name {STACK})"
    )
    assert checks["domain"].detail.startswith("127.0.0.1 is not among the domains of the monitor (www.example.com)")
    assert checks["data"].detail == (
        "no page views or sessions of shop in the last hour; likely: the session sample "
        "rate is 0: no session is recorded; the monitor and domain checks above failed"
    )
    assert checks["data"].fix == "set monitor.session_sample_rate above 0 and deploy"


def test_no_data_without_a_visible_cause(world):
    report, checks = world().doctor()
    assert [c.name for c in report.failures()] == ["data"]
    assert checks["data"].detail.endswith(
        "; no cause visible from here; the snippet signs with Cognito guest credentials"
    )
    assert "--browser" in checks["data"].fix


def test_an_excluded_page_is_a_cause(world):
    _, checks = world(monitor_changes={"config": {"ExcludedPages": ["http://127.0.0.1:1/other"]}}).doctor()
    assert "excluded" not in checks["data"].detail  # another page is excluded, not this one
    here = world().url
    _, checks = world(monitor_changes={"config": {"ExcludedPages": [here]}}).doctor()
    assert f"{here} is in the monitor's excluded pages" in checks["data"].detail


def test_a_missing_stack_skips_what_needs_it_but_still_checks_the_site(world):
    w = world()
    w.deployed = type(w.deployed)(SETTINGS)  # a fresh stub, answering "does not exist"
    client = w.deployed.client
    stubber = Stubber(client)
    stubber.add_client_error("describe_stacks", "ValidationError", f"Stack with id {STACK} does not exist")
    w.deployed.stubber = stubber
    w.clients["cloudformation"] = client
    w.stubbers = {}
    report, checks = w.doctor()
    assert checks["stack"].status == FAILED
    assert checks["stack"].detail == f"stack {STACK} does not exist in {REGION}"
    assert checks["stack"].fix.startswith(f"deploy it (rumcfn deploy --stack-name {STACK})")
    assert checks["monitor"].status == SKIPPED and checks["monitor"].detail == "the stack could not be read"
    assert checks["page"].status == OK


@pytest.mark.parametrize(
    "status,fix",
    [
        ("UPDATE_ROLLBACK_COMPLETE", "find the failed resource in the stack's events, fix it and deploy again"),
        ("ROLLBACK_COMPLETE", f"rumcfn destroy --stack-name {STACK} --yes, fix the cause and deploy again"),
    ],
)
def test_an_unhealthy_stack(world, status, fix):
    _, checks = world(status=status).doctor()
    assert checks["stack"].status == FAILED and checks["stack"].fix == fix
    assert checks["monitor"].status == OK  # the rest still runs against what the stack deployed


def test_a_stack_that_is_changing(world):
    _, checks = world(status="UPDATE_IN_PROGRESS").doctor()
    assert checks["stack"].detail == f"stack {STACK} is UPDATE_IN_PROGRESS"
    assert checks["stack"].fix == "wait until it settles, then run rumcfn doctor again"


def test_cognito_refusing_guests_is_named(world):
    w = world()
    cognito = boto_client("cognito-identity", region=REGION)
    stubber = Stubber(cognito)
    stubber.add_client_error(
        "get_id",
        "NotAuthorizedException",
        "Unauthenticated access is not supported for this identity pool.",
        expected_params={"IdentityPoolId": w.pool},
    )
    w.clients["cognito-identity"], w.stubbers["cognito-identity"] = cognito, stubber
    _, checks = w.doctor()
    assert checks["credentials"].detail == (
        f"identity pool {w.pool} gives no guest credentials: NotAuthorizedException: "
        "Unauthenticated access is not supported for this identity pool."
    )
    assert "AllowUnauthenticatedIdentities" in checks["credentials"].fix


def test_a_failing_canary_and_a_firing_alarm(world):
    w = world(runs=("RUNNING", "FAILED", "PASSED"))
    w.page_views(1, 1)
    w.moto["cloudwatch"].set_alarm_state(AlarmName=w.alarm_names[0], StateValue="ALARM", StateReason="LCP over budget")
    report, checks = w.doctor()
    assert [c.name for c in report.failures()] == ["canary", "alarms"]
    assert checks["canary"].detail == (
        f"the last run of shop failed at {NOW - timedelta(minutes=5):%Y-%m-%d %H:%M} UTC: "
        "Navigation timeout of 30000 ms exceeded"
    )
    assert (
        checks["alarms"].detail == f"1 of {len(w.alarm_names)} alarm(s) in ALARM: {w.alarm_names[0]}: LCP over budget"
    )


def test_a_monitor_that_does_not_exist(world):
    w = world()
    w.stubbers["rum"] = Stubber(w.clients["rum"])
    w.stubbers["rum"].add_client_error(
        "get_app_monitor", "ResourceNotFoundException", "AppMonitor not found", http_status_code=404
    )
    w.stubbers["rum"].activate()
    _, checks = w.doctor()
    assert checks["monitor"].detail == f"app monitor shop does not exist in {REGION}"


def test_settings_mode_learns_the_identity_pool_from_the_monitor(world, static_site):
    w = world()
    w.page_views(1, 1)
    for stubber in w.stubbers.values():
        stubber.activate()
    report = run(
        Aws(region=REGION, clients=w.clients),
        settings=SETTINGS,
        app_monitor_id=MONITOR_ID,
        url=w.url,
        timeout=5,
        now=NOW,
    )
    checks = {c.name: c for c in report.checks}
    assert checks["rum.js"].status == OK, report.text()
    assert checks["alarms"].detail == "alarm names come from the stack: give --stack-name"
    assert report.exit_code == 0


# --- the command ------------------------------------------------------------------------------------


@pytest.fixture
def cli(world, invoke):
    from tests.support.cli import aws_with

    def doctor(*args: str, w: World | None = None):
        w = w or world()
        w.deployed.stubber.activate()
        for stubber in w.stubbers.values():
            stubber.activate()
        ran = invoke("doctor", "--region", REGION, *args, aws=aws_with(w.clients))
        return ran.code, ran.out, ran.err, w

    return doctor


def test_command_prints_a_line_per_check_and_exits_1_naming_the_failures(cli, world):
    w = world(site_variant_name="csp-header")
    code, out, err, _ = cli("--stack-name", STACK, "--url", w.url, w=w)
    assert code == 1
    assert err == "rumcfn: error: 2 of 12 checks failed: csp, data\n"
    lines = out.splitlines()
    assert [line.split()[0] for line in lines if not line.startswith(" ")] == [
        "ok",
        "ok",
        "ok",
        "skip",
        "ok",
        "ok",
        "FAIL",
        "ok",
        "skip",
        "FAIL",
        "ok",
        "ok",
    ]
    assert (
        "fix: add to connect-src (header): https://dataplane.rum.eu-west-1.amazonaws.com "
        "https://cognito-identity.eu-west-1.amazonaws.com" in out
    )


def test_command_json(cli, world):
    w = world()
    w.page_views(5, 4)
    code, out, err, _ = cli("--stack-name", STACK, "--url", w.url, "--format", "json", w=w)
    assert code == 0 and err == ""
    document = json.loads(out)
    assert document["status"] == "ok" and [c["name"] for c in document["checks"]][:3] == [
        "stack",
        "monitor",
        "credentials",
    ]
    assert set(document["checks"][0]) == {"name", "status", "detail", "fix"}


@pytest.mark.parametrize(
    "args,says",
    [
        (("--stack-name", STACK, "--app-monitor-id", MONITOR_ID), "give --stack-name alone"),
        (("--stack-name", STACK, "--monitor.domains", "www.example.com"),
         "--monitor.domains does not apply with --stack-name: the stack says what it deployed"),
        ((), "give --stack-name STACK, or settings (flags, --config FILE) with --app-monitor-id ID"),
        (("--app-monitor-id", "not an id!"), "setting --app-monitor-id: must be an app monitor id"),
        (("--app-monitor-id", "not-an-id"), "setting --app-monitor-id: must be an app monitor id"),
        (("--app-monitor-id", MONITOR_ID[:-1] + "g"), "setting --app-monitor-id: must be an app monitor id"),
        (("--stack-name", STACK, "--url", "ftp://example.com/"), "setting --url: must be an http(s) URL"),
    ],
)
def test_usage_errors_exit_2_in_one_line(run_cli, args, says):
    done = run_cli("doctor", "--region", REGION, *args)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and says in done.stderr


def test_a_pool_in_another_region_is_asked_there(aws_credentials):
    from rumcfn.doctor.aws_checks import _client_in

    aws = Aws(region=REGION)
    assert _client_in(aws, "cognito-identity", "us-east-1").meta.region_name == "us-east-1"
    assert _client_in(aws, "cognito-identity", REGION) is aws.client("cognito-identity")


def test_aws_out_of_reach_is_said_once_and_later_aws_checks_are_skipped(static_site, aws_credentials):
    dead = Aws(region=REGION, endpoint_url="http://127.0.0.1:1", timeout=2, max_attempts=1)
    report = run(dead, settings=SETTINGS, app_monitor_id=MONITOR_ID, url=static_site.serve({}), timeout=2)
    checks = {c.name: c for c in report.checks}
    assert checks["monitor"].status == FAILED and checks["monitor"].detail.startswith("cannot reach the AWS endpoint")
    assert {checks[n].detail for n in ("credentials", "data", "canary")} == {"AWS is out of reach (see monitor)"}


# --- alarms: as many as a stack holds, in pages --------------------------------------------------------------
def alarm_check(names: list[str], alarms: list[dict]):
    from rumcfn.doctor import aws_checks
    from rumcfn.doctor.context import Context
    from rumcfn.doctor.target import Target
    from tests.support.aws import DescribeAlarmsPages

    client = boto_client("cloudwatch", region=REGION)
    pages = DescribeAlarmsPages(client, alarms)
    ctx = Context(target=Target(region=REGION, alarm_names=tuple(names)), aws=Aws(region=REGION,
                  clients={"cloudwatch": client}), url=None, timeout=5)
    return aws_checks.alarms(ctx), pages


def stack_alarms(count: int, composites: int = 2) -> list[dict]:
    metric = [{"AlarmName": f"{STACK}-alarm-{i:03d}", "StateValue": "OK", "Type": "MetricAlarm"} for i in range(count)]
    return metric + [
        {"AlarmName": f"{STACK}-site-health-{i}", "StateValue": "OK", "Type": "CompositeAlarm"}
        for i in range(composites)
    ]


def test_every_alarm_is_found_however_many_and_however_paged(aws_credentials):
    """A stack may hold hundreds of alarms (segments, part composites); DescribeAlarms takes at most 100 names
    and answers in pages of its own size."""
    alarms = stack_alarms(230)
    alarms[180]["StateValue"] = "ALARM"
    alarms[180]["StateReason"] = "LCP over budget"
    names = [a["AlarmName"] for a in alarms]
    check, pages = alarm_check(names, alarms)
    assert check.status == FAILED
    assert check.detail == f"1 of 232 alarm(s) in ALARM: {names[180]}: LCP over budget"
    assert all(len(call.get("AlarmNames", ())) <= 100 for call in pages.calls)
    assert sorted(n for call in pages.calls if "NextToken" not in call for n in call["AlarmNames"]) == sorted(names)
    assert any("NextToken" in call for call in pages.calls)  # the pages were followed

    alarms[180]["StateValue"] = "OK"
    check, _ = alarm_check(names, alarms)
    assert (check.status, check.detail) == (OK, "232 alarm(s): 232 OK")


def test_an_alarm_missing_among_many_is_named(aws_credentials):
    alarms = stack_alarms(150)
    names = [a["AlarmName"] for a in alarms]
    gone = alarms.pop(120)
    check, _ = alarm_check(names, alarms)
    assert (check.status, check.detail) == (FAILED, f"alarm(s) missing: {gone['AlarmName']}")


def test_the_describe_alarms_stand_in_enforces_the_api_limits(aws_credentials):
    """Positive control for the tests above: what today's code did (101 names, one call) fails or comes back short."""
    from botocore.exceptions import ClientError

    from tests.support.aws import DescribeAlarmsPages

    client = boto_client("cloudwatch", region=REGION)
    alarms = stack_alarms(150, 0)
    DescribeAlarmsPages(client, alarms)
    names = [a["AlarmName"] for a in alarms]
    with pytest.raises(ClientError, match="less than or equal to 100"):
        client.describe_alarms(AlarmNames=names[:101])
    with pytest.raises(ClientError, match="MaxRecords"):
        client.describe_alarms(MaxRecords=101)
    first = client.describe_alarms(AlarmNames=names[:100], MaxRecords=100)
    assert len(first["MetricAlarms"]) < 100 and first["NextToken"]
    with pytest.raises(ClientError, match="token"):
        client.describe_alarms(AlarmNames=names[:50], NextToken=first["NextToken"])
    assert client.describe_alarms(AlarmNames=names[:1], AlarmTypes=["CompositeAlarm"])["MetricAlarms"] == []
