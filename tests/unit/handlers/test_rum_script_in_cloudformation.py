"""The handler as CloudFormation and IAM drive it: updates that move or keep rum.js, deletions that meet a
denial, answers that are redirected or long, and the URL it reports in every partition.

Where the order of CloudFormation's requests or the role's scope matters, ``CloudFormation`` (tests/support/
handler.py) deploys synthesized templates in CloudFormation's order and ``Enforcer`` (tests/support/iam.py)
answers each AWS call AccessDenied unless the role's statements, rendered from that template, allow it.
"""

from __future__ import annotations

import json
import time

import boto3
import pytest

from rumcfn.config import from_mapping
from rumcfn.stack.assemble import build_template
from rumcfn.template.output import to_dict
from tests.support.handler import (
    BUCKET,
    OTHER_ACCOUNT,
    CloudFormation,
    FakeContext,
    ResponseServer,
    assert_failed,
    quick_sleeps,
)
from tests.support.iam import Enforcer
from tests.support.partitions import botocore_partitions
from tests.support.tls import make_certificates

SITE = "example-site-assets"  # the default settings' script.bucket


def template(settings: dict | None = None) -> dict:
    return to_dict(build_template(from_mapping(settings or {})))


@pytest.fixture
def cfn(world, index):
    """CloudFormation deploying RumScript, with IAM enforcing the function's role from each template."""
    world.s3.create_bucket(Bucket=SITE)
    return CloudFormation(index, world.server.url, world.server, Enforcer(boto3.DEFAULT_SESSION))


def statuses(answers: list[dict]) -> list[tuple[str, str]]:
    return [(a["Status"], a["Reason"]) for a in answers]


# --- issue 19, item 8: an Update that moves rum.js ---------------------------------------------------


@pytest.mark.parametrize("move", [{"key": "js/rum.js"}, {"bucket": "new-site-bucket"}], ids=["key", "bucket"])
def test_an_update_that_moves_rum_js_removes_the_old_object_under_the_updated_role(world, cfn, move):
    world.s3.create_bucket(Bucket="new-site-bucket")
    assert statuses(cfn.deploy(template())) == [("SUCCESS", "")]
    assert world.exists("rum.js", SITE)
    moved = cfn.deploy(template({"script": move}))
    assert statuses(moved) == [("SUCCESS", ""), ("SUCCESS", "")], "the Update, then CloudFormation's cleanup Delete"
    assert moved[1]["PhysicalResourceId"] == f"s3://{SITE}/rum.js"
    assert not world.exists("rum.js", SITE), "the old rum.js is gone"
    assert world.body(move.get("key", "rum.js"), move.get("bucket", SITE)) == cfn.state["RumScript"][1]["Content"]
    assert cfn.iam.denied == []


def test_the_grant_on_the_previous_object_lasts_only_until_the_next_update(world, cfn):
    cfn.deploy(template())
    cfn.deploy(template({"script": {"key": "js/rum.js"}}))
    old = f"arn:aws:s3:::{SITE}/rum.js"
    assert cfn.iam.role.allows("s3:DeleteObject", old)
    cfn.deploy(template({"script": {"key": "js/rum.js", "cache_control": "max-age=60"}}))
    assert not cfn.iam.role.allows("s3:DeleteObject", old) and not cfn.iam.role.allows("s3:PutObject", old)
    assert cfn.iam.role.allows("s3:PutObject", f"arn:aws:s3:::{SITE}/js/rum.js")


def test_stack_deletion_removes_rum_js_under_the_role_it_has_then(world, cfn):
    cfn.deploy(template())
    cfn.deploy(template({"script": {"key": "js/rum.js"}}))
    assert statuses(cfn.delete()) == [("SUCCESS", "")]
    assert not world.exists("js/rum.js", SITE) and cfn.iam.denied == []


# --- issue 19, item 9: an upgrade must not delete the live rum.js --------------------------------------


def cloudformation_update(world, request: dict) -> dict:
    """An Update as CloudFormation runs it: a new physical id in the answer is a replacement, and the cleanup
    sends a Delete for the old id with the old properties."""
    answer = world.call(request)
    if answer["Status"] == "SUCCESS" and answer["PhysicalResourceId"] != request["PhysicalResourceId"]:
        cleanup = world.call(world.event("Delete", physical_id=request["PhysicalResourceId"],
                                         **{k: v for k, v in request["OldResourceProperties"].items()}))
        assert cleanup["Status"] == "SUCCESS", cleanup
    return answer


@pytest.mark.parametrize("key", ["assets/" + "a" * 250 + ".js", "k" * 1000], ids=["258 characters", "1000"])
def test_an_upgrade_keeps_rum_js_whose_id_an_earlier_version_made_long(world, key):
    """Before the hashed form, a long key made the id ``s3://bucket/<key>``; the next Update must keep it."""
    earlier = f"s3://{BUCKET}/{key}"  # as the earlier handler answered, and CloudFormation keeps
    world.s3.put_object(Bucket=BUCKET, Key=key, Body=b"v1")
    old = world.event("Create", Key=key)["ResourceProperties"]
    answer = cloudformation_update(world, world.event("Update", Key=key, Content="v2", physical_id=earlier, old=old))
    assert answer["Status"] == "SUCCESS", answer
    assert world.body(key) == "v2", "the object the Update wrote is still there"
    assert answer["PhysicalResourceId"] == earlier


def test_an_update_of_the_same_object_keeps_its_hashed_id(world):
    key = "k" * 1000
    created = world.call(world.event("Create", Key=key))
    assert created["PhysicalResourceId"].startswith("s3+sha256://")
    again = cloudformation_update(world, world.event("Update", Key=key, Content="v2",
                                                     physical_id=created["PhysicalResourceId"],
                                                     old=world.event("Create", Key=key)["ResourceProperties"]))
    assert again["PhysicalResourceId"] == created["PhysicalResourceId"] and world.body(key) == "v2"


# --- issue 19, item 10: a Delete that meets AccessDenied ----------------------------------------------


@pytest.fixture
def quick_settle(world, monkeypatch):
    """The waits before a denied Delete is tried again, shortened (2 s, 4 s, 8 s in Lambda)."""
    monkeypatch.setattr(world.index, "SETTLE", (0.05, 0.05, 0.05))


def test_a_delete_in_a_bucket_now_of_another_account_succeeds_keeps_the_object_and_says_why(world, quick_settle):
    world.call(world.event("Create"))
    answer = world.call(world.event("Delete", account=OTHER_ACCOUNT, physical_id=f"s3://{BUCKET}/rum.js"))
    assert answer["Status"] == "SUCCESS", answer
    assert f"kept s3://{BUCKET}/rum.js" in answer["Reason"]
    assert "DeleteObject" in answer["Reason"] and "AccessDenied" in answer["Reason"]
    assert world.exists()


def test_a_delete_the_role_may_not_do_succeeds_and_keeps_the_object(world, quick_settle):
    world.call(world.event("Create"))
    world.faults.deny["DeleteObject"] = "not authorized to perform: s3:DeleteObject"
    answer = world.call(world.event("Delete", physical_id=f"s3://{BUCKET}/rum.js"))
    assert answer["Status"] == "SUCCESS" and "AccessDenied" in answer["Reason"], answer
    assert world.exists()
    assert world.faults.attempts.count("DeleteObject") == 1 + len(world.index.SETTLE), "tried again, boundedly"


def test_a_denial_that_passes_while_a_new_grant_settles_is_tried_again(world, quick_settle):
    """IAM changes take time to apply everywhere: a cleanup Delete right after a policy update may be denied."""
    world.call(world.event("Create"))
    world.faults.deny_next["DeleteObject"] = 2
    answer = world.call(world.event("Delete", physical_id=f"s3://{BUCKET}/rum.js"))
    assert answer["Status"] == "SUCCESS" and answer["Reason"] == "", answer
    assert not world.exists()


def test_a_delete_that_fails_otherwise_still_fails(world):
    world.call(world.event("Create"))
    world.faults.fail["DeleteObject"] = (500, "InternalError", "We encountered an internal error.")
    assert_failed(world.call(world.event("Delete", physical_id=f"s3://{BUCKET}/rum.js")), "DeleteObject",
                  "InternalError")
    assert world.exists()


# --- issue 19, item 11: the answer redirected; a long reason in other scripts ------------------------------


@pytest.fixture
def tls(tmp_path, monkeypatch):
    """A server certificate for 127.0.0.1 and its key, from an authority urllib trusts (through SSL_CERT_FILE)
    for this test only."""
    import urllib.request

    certificates = make_certificates(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates.ca))
    # Since Python 3.13 (Lambda's is newer: RUNTIME in rumcfn/stack/snippet_writer.py), urllib's HTTPSHandler makes
    # its SSL context when the process's first urlopen builds the shared opener, and keeps it: without a new opener,
    # the authority this test names after that would never be read. The process's opener comes back after the test.
    monkeypatch.setattr(urllib.request, "_opener", None)
    return str(certificates.chain), str(certificates.key)


def send(world, server: ResponseServer, **kwargs) -> None:
    request = world.event("Create", **kwargs)
    request["ResponseURL"] = server.url
    world.index.handler(request, FakeContext())


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirected_answer_is_sent_again_to_the_new_location(world, tls, status):
    """S3 answers a request meant for another endpoint with a redirect (307 Temporary Redirect for REST requests,
    S3 User Guide, "Request redirection and the REST API"); urllib never re-sends a PUT on its own."""
    with ResponseServer(tls) as server:
        server.answers.redirect["/cfn-response"] = (status, f"{server.origin}/moved?X-Amz-Signature=other")
        send(world, server)
        assert server.answers.redirected == ["/cfn-response"]
        (answer,) = server.answers.bodies
        assert answer["Status"] == "SUCCESS" and server.answers.headers[-1].get("Content-Type") == ""


def test_a_relative_redirect_is_resolved_against_the_url(world, tls):
    with ResponseServer(tls) as server:
        server.answers.redirect["/cfn-response"] = (307, "/moved")
        send(world, server)
        assert len(server.answers.bodies) == 1


def test_a_redirect_away_from_https_is_not_followed(world, tls, monkeypatch):
    slept = quick_sleeps(monkeypatch, world.index)  # the pauses between answer attempts: recorded, not waited
    with ResponseServer(tls) as server, ResponseServer() as plain:
        server.answers.redirect["/cfn-response"] = (307, plain.url)
        send(world, server)
        assert plain.answers.bodies == [] and server.answers.bodies == []
        assert len(server.answers.redirected) == world.index.TRIES, "each attempt stops at the redirect"
        assert len(slept) == world.index.TRIES - 1


def test_redirects_are_bounded(world, tls, monkeypatch):
    slept = quick_sleeps(monkeypatch, world.index)  # the pauses between answer attempts: recorded, not waited
    with ResponseServer(tls) as server:
        server.answers.redirect["/cfn-response"] = (307, "/cfn-response")
        started = time.monotonic()
        send(world, server)
        assert server.answers.bodies == []
        assert len(server.answers.redirected) == world.index.TRIES * (world.index.HOPS + 1)
        assert len(slept) == world.index.TRIES - 1
        assert time.monotonic() - started < 10


@pytest.mark.parametrize("char", ["é", "ü", "字", "😀"], ids=["2-byte", "2-byte-2", "3-byte", "astral"])
def test_a_long_reason_in_any_script_keeps_as_much_as_fits(world, char):
    """JSON escapes each non-ASCII character to 6 bytes (12 beyond the Basic Multilingual Plane): the 4,096
    bytes are counted as sent."""
    world.faults.deny["PutObject"] = char * 3000
    answer = world.call(world.event("Create"))  # call() checks the 4,096 bytes
    assert_failed(answer, "PutObject", "AccessDenied", char * 100)
    escaped = len(json.dumps(char))  # the character as JSON writes it, quotes included
    raw = len(json.dumps(answer).encode())
    assert raw > 4096 - escaped - 3, f"only {raw} bytes of 4,096 used"
    assert answer["Reason"].endswith("...")


def test_fit_counts_escaped_bytes(index):
    for reason in ("é" * 5000, "😀" * 2000, "a" * 3000 + "é" * 2000):
        raw = index.fit({"Status": "FAILED", "Reason": reason, "Data": {}})
        assert 4096 - 12 - 3 < len(raw) <= 4096, len(raw)
        assert json.loads(raw)["Reason"].endswith("...")
    short = {"Status": "FAILED", "Reason": "é" * 10, "Data": {}}
    assert json.loads(index.fit(dict(short))) == short


# --- issue 19, item 12: the URL in every partition -----------------------------------------------------


def partition_regions() -> list[tuple[str, str, str]]:
    """(partition, a Region of it, its DNS suffix) for every partition botocore knows."""
    import re

    found = []
    for partition in botocore_partitions():
        regions = [r for r in partition["regions"] if not r.endswith("-global")]
        if not regions:  # a partition botocore lists without Regions yet: one its regionRegex accepts
            regions = [next(r for r in ("us-isof-south-1", "eusc-de-east-1", "xx-test-1")
                            if re.match(partition["regionRegex"], r))]
        found.append((partition["id"], regions[0], partition["outputs"]["dnsSuffix"]))
    return found


@pytest.mark.parametrize("partition,region,suffix", partition_regions(), ids=[p for p, _, _ in partition_regions()])
def test_the_url_uses_the_partition_s_dns_suffix(world, index, partition, region, suffix):
    """CloudFormation resolves AWS::URLSuffix per partition (botocore's partitions.json: the same data)."""
    world.s3.create_bucket(Bucket=SITE)
    cfn = CloudFormation(index, world.server.url, world.server, Enforcer(boto3.DEFAULT_SESSION),
                         region=region, partition=partition)
    (answer,) = cfn.deploy(template())
    assert answer["Status"] == "SUCCESS", answer
    assert answer["Data"]["Url"] == f"https://{SITE}.s3.{region}.{suffix}/rum.js"


def test_a_request_made_before_the_template_passed_the_suffix_takes_it_from_botocore(world):
    """A rollback to properties an earlier version wrote has no UrlSuffix: the SDK's own partition data decide."""
    old = world.event("Create")["ResourceProperties"]
    request = world.event("Update", physical_id=f"s3://{BUCKET}/rum.js", old=old)
    request["StackId"] = request["StackId"].replace("arn:aws:", "arn:aws-cn:").replace("us-east-1", "cn-north-1")
    request["ResourceProperties"].pop("UrlSuffix", None)
    answer = world.call(request)
    assert answer["Status"] == "SUCCESS", answer
    assert answer["Data"]["Url"] == f"https://{BUCKET}.s3.cn-north-1.amazonaws.com.cn/rum.js"


# --- issue 20, item 9: the log group grant, as IAM evaluates it ------------------------------------------


def test_retention_is_set_through_a_grant_on_exactly_this_monitor_s_group(world, index, rum, logs):
    settings = {"monitor": {"name": "shop", "cw_log_enabled": True, "log_retention_days": 90}}
    cfn = CloudFormation(index, world.server.url, world.server, Enforcer(boto3.DEFAULT_SESSION),
                         served=("RumScript", "RumLogGroupRetention"))
    world.s3.create_bucket(Bucket=SITE)
    group = "/aws/vendedlogs/RUMService_shop0f2ad3c2"  # name + the first 8 characters of the monitor id
    rum.add_response("get_app_monitor", {"AppMonitor": {"Name": "shop", "Id": "0f2ad3c2-5b4e-4c8e-9a53-1b2f4a6e7d90",
                                                        "DataStorage": {"CwLog": {"CwLogEnabled": True,
                                                                                  "CwLogGroup": group}}}})
    answers = cfn.deploy(template(settings))
    assert statuses(answers) == [("SUCCESS", ""), ("SUCCESS", "")] and cfn.iam.denied == []
    (found,) = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert found["retentionInDays"] == 90
