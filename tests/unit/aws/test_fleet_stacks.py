"""``deploy --fleet``: 200 sites against a CloudFormation stand-in that throttles like CloudFormation.

The stand-in (tests/support/cloudformation.py) speaks the query protocol to a real botocore client, so botocore's
adaptive retries meet real ``Throttling`` answers; it records how many requests and stack changes were in flight
at once.

Where the throttling comes from: a sender that outruns the stand-in's rate is throttled, but whether a loaded test
machine outruns it is chance, and each burst of throttles makes botocore's adaptive limiter cut its rate to 0.7x
per answer and climb back over seconds. So the rate is one the fleet seldom reaches, and the fleet is throttled
for certain once it is under way (its measured rate is what the limiter cuts from) by the account's other callers
spending the rate (``busy``). That the stand-in throttles past its rate is proven on its own, below.
"""

from __future__ import annotations

import dataclasses

import pytest

from rumcfn.aws.fleet import FAILED, NO_CHANGES, FleetFailed, deploy_stacks
from rumcfn.aws.poller import Poller
from rumcfn.aws.session import Aws
from rumcfn.config.fleet import fleet_from_mapping
from rumcfn.template.fleet import synth_fleet
from tests.support.aws import stand_in_poller
from tests.support.cloudformation import CloudFormation, served

SITES = 200
BOUND = 6
BROKEN = "site-0042"
#: Once this many sites have finished, the next request finds CloudFormation's rate spent by the account's others.
BUSY_AFTER = 50




@pytest.fixture(scope="module")
def plan():
    sites = [{"name": f"site-{i:04d}", "domains": [f"www.site{i:04d}.example"], "bucket": f"site-{i:04d}-assets",
              **({"monitor": {"telemetries": ["errors"]}} if i % 50 == 0 else {})} for i in range(SITES)]
    return synth_fleet(fleet_from_mapping({"canary": {"enabled": False}, "sites": sites}))


@pytest.fixture
def cloudformation(aws_credentials):
    with served(CloudFormation(rate=500, burst=20, operation_seconds=0.02, change_set_seconds=0.01)) as stand_in:
        yield stand_in


def test_two_hundred_sites_within_the_bound_through_throttling(plan, cloudformation):
    service, aws = cloudformation
    service.fail.add(BROKEN)
    lines: list[str] = []

    def echo(line: str) -> None:
        lines.append(line)
        if len(lines) == BUSY_AFTER:
            service.busy = 1

    with pytest.raises(FleetFailed, match=f"1 of {SITES} site\\(s\\) failed: {BROKEN}"):
        deploy_stacks(aws, plan, max_concurrency=BOUND, echo=echo, pollers=stand_in_poller)
    # every stack reached its final state; the broken one was rolled back and reported, the others finished
    statuses = {name: stack["StackStatus"] for name, stack in service.stacks.items()}
    assert len(statuses) == SITES
    assert statuses.pop(BROKEN) == "ROLLBACK_COMPLETE"
    assert set(statuses.values()) == {"CREATE_COMPLETE"}
    # CloudFormation throttled, and botocore's retries carried every call through
    assert service.busy == 0 and service.throttled > 0
    assert service.max_in_flight <= BOUND and service.max_changing <= BOUND
    assert service.max_changing > 1  # sites did run side by side
    # one progress line per site, then the summary naming the failure
    progress = [line for line in lines if line.startswith("[")]
    assert len(progress) == SITES and len(lines) == SITES + 1
    broken = [line for line in progress if f"] {BROKEN} " in line]
    assert len(broken) == 1 and f"{FAILED} in" in broken[0] and "ROLLBACK_COMPLETE" in broken[0]
    assert "(AppMonitor (AWS::RUM::AppMonitor) CREATE_FAILED: Resource handler returned message" in broken[0]
    assert lines[-1].startswith(f"Fleet: {SITES} site(s), {SITES - 1} deployed (0 without changes), 1 failed")
    # each stack got the parameter values of its own site
    assert {p["ParameterKey"]: p["ParameterValue"] for p in service.stacks["site-0007"]["Parameters"]}[
        "AppMonitorName"] == "site-0007"

    # a second run changes nothing: every change set is empty; the rolled-back stack cannot be updated
    executed = service.count("ExecuteChangeSet")
    lines.clear()
    with pytest.raises(FleetFailed):
        deploy_stacks(aws, plan, max_concurrency=BOUND, echo=lines.append, pollers=stand_in_poller)
    assert service.count("ExecuteChangeSet") == executed
    assert sum(f"{NO_CHANGES} in" in line for line in lines) == SITES - 1
    assert lines[-1].startswith(f"Fleet: {SITES} site(s), {SITES - 1} deployed ({SITES - 1} without changes), 1 failed")
    assert service.max_in_flight <= BOUND and service.max_changing <= BOUND


def test_the_stand_in_throttles_past_its_rate_as_cloudformation_does(aws_credentials):
    """Bursts of ``burst`` requests, then ``rate`` a second; past that, HTTP 400 ``Throttling``: "Rate exceeded"."""
    import boto3
    import botocore.config
    from botocore.exceptions import ClientError

    from tests.support.cloudformation import RateLimit

    now = [0.0]
    limit = RateLimit(rate=10, burst=3, clock=lambda: now[0])
    assert [limit.take() for _ in range(4)] == [True, True, True, False]
    now[0] += 0.1  # one request's worth at 10 a second
    assert [limit.take(), limit.take()] == [True, False]
    now[0] += 60  # a quiet minute refills the burst, no more
    assert [limit.take() for _ in range(4)] == [True, True, True, False]

    with served(CloudFormation(rate=0.001, burst=2)) as (service, aws):
        once = botocore.config.Config(retries={"mode": "standard", "total_max_attempts": 1})
        cfn = boto3.client("cloudformation", region_name="us-east-1", endpoint_url=aws.endpoint_url, config=once)
        for _ in range(2):
            assert cfn.describe_stacks()["Stacks"] == []
        with pytest.raises(ClientError) as refused:
            cfn.describe_stacks()
        error = refused.value.response
        assert error["Error"]["Code"] == "Throttling" and error["Error"]["Message"] == "Rate exceeded"
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 400 and service.throttled == 1


def test_fleet_clients_retry_adaptively_with_a_connection_per_thread(aws_credentials):
    from rumcfn.aws.fleet import FLEET_ATTEMPTS, fleet_aws

    client = fleet_aws(Aws(region="us-east-1"), 16).client("cloudformation")
    assert client.meta.config.retries == {"mode": "adaptive", "total_max_attempts": FLEET_ATTEMPTS}
    assert client.meta.config.max_pool_connections == 16


def test_ctrl_c_stops_the_sites_not_started_and_interrupts_the_running_ones():
    """Ctrl-C reaches the main thread (here: while it prints the first progress line). Sites not started never
    start; running ones stop at their next poll, inside their own deploy, as an interrupted deploy does."""
    import threading

    from rumcfn.aws.fleet import SiteResult, run_sites
    from rumcfn.config.fleet import fleet_from_mapping
    from rumcfn.errors import Interrupted

    fleet = fleet_from_mapping({"sites": [{"name": f"s{i}", "domains": [f"www.s{i}.example"],
                                           "bucket": f"s{i}-assets"} for i in range(20)]})
    started, interrupted = [], []
    first_done = threading.Event()

    def work(site, stop):
        started.append(site.name)
        if site.name == "s0":
            first_done.set()
            return SiteResult(site.name, site.name, "CREATE_COMPLETE")
        poller = stop.poller(lambda: Poller(first=0.05, most=0.05, timeout=30))
        poller.start()
        try:
            while True:
                poller.wait()
        except KeyboardInterrupt:
            interrupted.append(site.name)
            raise Interrupted(f"{site.name} interrupted") from None

    def echo(line):
        raise KeyboardInterrupt

    with pytest.raises(Interrupted, match="interrupted after 1 of 20 site"):
        run_sites(fleet.sites, work, max_concurrency=3, echo=echo, target=lambda s: s.name)
    assert first_done.is_set()
    assert len(started) <= 4 and sorted(interrupted) == sorted(set(started) - {"s0"})


def test_with_a_bucket_each_distinct_template_is_uploaded_once(plan, cloudformation, monkeypatch):
    import rumcfn.aws.stacks

    service, aws = cloudformation
    uploads = []

    def upload(aws, bucket, prefix, body):
        url = f"https://{bucket}.s3.us-east-1.amazonaws.com/{prefix}/{len(uploads)}.template"
        uploads.append(url)
        service.objects[url] = body
        return url

    monkeypatch.setattr(rumcfn.aws.stacks, "upload_template", upload)
    few = dataclasses.replace(plan, fleet=dataclasses.replace(plan.fleet, sites=plan.fleet.sites[:3] + (
        plan.fleet.site("site-0050"),)))
    deploy_stacks(aws, few, s3_bucket="templates", echo=lambda line: None, pollers=stand_in_poller)
    assert len(uploads) == len(few.templates) == 2
    assert {r["TemplateURL"] for name, r in service.calls if name == "CreateChangeSet"} == set(uploads)


def test_the_sites_wait_with_the_pollers_the_aws_was_given(plan, cloudformation):
    """``rumcfn deploy --fleet`` passes only its ``Aws``: the pollers it carries (``cli.run(argv, aws=...)``) must
    reach every site's waits, as they reach a single stack's."""
    service, aws = cloudformation
    made = []

    def pollers() -> Poller:
        made.append(stand_in_poller())
        return made[-1]

    two = dataclasses.replace(plan, fleet=dataclasses.replace(plan.fleet, sites=plan.fleet.sites[:2]))
    deploy_stacks(dataclasses.replace(aws, pollers=pollers), two, echo=lambda line: None)
    assert len(made) == 2 and all(poller.elapsed() > 0 for poller in made)
