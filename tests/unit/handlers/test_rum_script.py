"""The rum.js handler exactly as inlined in the template, driven by CloudFormation-shaped events.

S3 and CloudWatch Logs are moto in process; RUM (which moto lacks) is a botocore Stubber on the handler's
own client; the pre-signed response URL is a local server that records each answer.
Every test checks that exactly one answer arrived, its status, and that its reason is useful.
"""

from __future__ import annotations

import json
import time

import pytest

from rumcfn.contract import CustomResources
from tests.support.handler import (
    ACCOUNT,
    BUCKET,
    CONTENT,
    OTHER_ACCOUNT,
    FakeContext,
    assert_failed,
    event,
    inline_source,
    load_index,
    quick_sleeps,
)

# --- success paths ---------------------------------------------------------------------------------


def test_create_writes_once_with_owner_check_and_answers_url_and_etag(world):
    answer = world.call(world.event("Create", CacheControl="max-age=60"))
    assert answer["Status"] == "SUCCESS", answer
    assert answer["PhysicalResourceId"] == f"s3://{BUCKET}/rum.js"
    assert answer["LogicalResourceId"] == "RumScript" and answer["StackId"].startswith("arn:aws:cloudformation:")
    head = world.s3.head_object(Bucket=BUCKET, Key="rum.js")
    assert world.body() == CONTENT
    assert head["ContentType"] == "application/javascript; charset=utf-8"
    assert head["CacheControl"] == "max-age=60"
    assert answer["Data"] == {"Url": f"https://{BUCKET}.s3.us-east-1.amazonaws.com/rum.js",
                              "ETag": head["ETag"].strip('"'), "PreviousObjectArn": f"arn:aws:s3:::{BUCKET}/rum.js"}
    assert world.writes() == ["PutObject"]
    assert world.faults.calls[0][1]["ExpectedBucketOwner"] == ACCOUNT
    # A pre-signed S3 URL is signed for an empty Content-Type.
    assert world.server.answers.headers[-1].get("Content-Type") == ""


def test_update_of_the_same_object_rewrites_it_and_keeps_the_physical_id(world):
    world.call(world.event("Create"))
    new = CONTENT.replace("v1", "v2")
    answer = world.call(world.event("Update", Content=new, physical_id=f"s3://{BUCKET}/rum.js",
                                    old={"Bucket": BUCKET, "Key": "rum.js", "Content": CONTENT}))
    assert answer["Status"] == "SUCCESS" and answer["PhysicalResourceId"] == f"s3://{BUCKET}/rum.js"
    assert world.body() == new
    assert world.writes() == ["PutObject"]


def test_update_to_a_new_bucket_changes_the_physical_id_and_cleanup_deletes_the_old_object(world):
    world.s3.create_bucket(Bucket="new-bucket")
    world.call(world.event("Create"))
    answer = world.call(world.event("Update", Bucket="new-bucket", physical_id=f"s3://{BUCKET}/rum.js",
                                    old={"Bucket": BUCKET, "Key": "rum.js", "Content": CONTENT}))
    assert answer["Status"] == "SUCCESS" and answer["PhysicalResourceId"] == "s3://new-bucket/rum.js"
    assert world.writes() == ["PutObject"]
    assert world.body(bucket="new-bucket") == CONTENT
    assert world.exists(bucket=BUCKET), "the old object stays until CloudFormation's cleanup Delete"
    # CloudFormation's cleanup: a Delete for the old physical id, with the old properties.
    cleanup = world.call(world.event("Delete", physical_id=f"s3://{BUCKET}/rum.js"))
    assert cleanup["Status"] == "SUCCESS" and cleanup["PhysicalResourceId"] == f"s3://{BUCKET}/rum.js"
    assert not world.exists(bucket=BUCKET)
    assert world.exists(bucket="new-bucket")


def test_delete_removes_the_object(world):
    world.call(world.event("Create"))
    answer = world.call(world.event("Delete", physical_id=f"s3://{BUCKET}/rum.js"))
    assert answer["Status"] == "SUCCESS" and answer["PhysicalResourceId"] == f"s3://{BUCKET}/rum.js"
    assert not world.exists()
    assert world.writes() == ["DeleteObject"]
    assert world.faults.calls[0][1]["ExpectedBucketOwner"] == ACCOUNT


def test_delete_of_a_missing_object_succeeds(world):
    answer = world.call(world.event("Delete", physical_id=f"s3://{BUCKET}/rum.js"))
    assert answer["Status"] == "SUCCESS", answer


def test_delete_of_a_missing_bucket_succeeds(world):
    answer = world.call(world.event("Delete", Bucket="gone-bucket", physical_id="s3://gone-bucket/rum.js"))
    assert answer["Status"] == "SUCCESS", answer
    assert world.writes() == ["DeleteObject"]


def test_retain_on_delete_keeps_the_object(world):
    world.call(world.event("Create", RetainOnDelete="true"))
    answer = world.call(world.event("Delete", RetainOnDelete="true", physical_id=f"s3://{BUCKET}/rum.js"))
    assert answer["Status"] == "SUCCESS"
    assert world.body() == CONTENT
    assert world.writes() == []


def test_delete_after_a_failed_create_touches_nothing(world):
    world.s3.put_object(Bucket=BUCKET, Key="rum.js", Body=b"the site's own rum.js")
    world.faults.deny["PutObject"] = "Access Denied"
    created = world.call(world.event("Create"))
    assert_failed(created, "AccessDenied")
    assert not created["PhysicalResourceId"].startswith("s3://"), "a failed create must not claim the object"
    del world.faults.deny["PutObject"]
    answer = world.call(world.event("Delete", physical_id=created["PhysicalResourceId"]))
    assert answer["Status"] == "SUCCESS" and answer["PhysicalResourceId"] == created["PhysicalResourceId"]
    assert world.faults.calls == []
    assert world.body() == "the site's own rum.js"


def test_delete_after_a_malformed_create_succeeds_without_touching_anything(world):
    created = world.call(world.event("Create", Bucket="Bad_Bucket"))
    assert_failed(created, "malformed event", "Bucket")
    answer = world.call(world.event("Delete", Bucket="Bad_Bucket", physical_id=created["PhysicalResourceId"]))
    assert answer["Status"] == "SUCCESS" and world.faults.calls == []


def test_throttling_then_success_is_one_write_retried_by_botocore(world):
    world.faults.throttle["PutObject"] = 1
    answer = world.call(world.event("Create"))
    assert answer["Status"] == "SUCCESS", answer
    assert world.writes() == ["PutObject"]
    assert world.faults.attempts == ["PutObject", "PutObject"]
    assert world.body() == CONTENT


def test_response_url_failing_twice_still_gets_one_answer(world, monkeypatch):
    slept = quick_sleeps(monkeypatch, world.index)
    world.server.answers.fail_next = 2
    answer = world.call(world.event("Create"))
    assert answer["Status"] == "SUCCESS"
    assert world.server.answers.refused == 2
    assert slept == [0.5, 1], "a pause before each retry, doubling"


def test_answer_retries_are_bounded_when_the_response_url_never_accepts(world, monkeypatch):
    slept = quick_sleeps(monkeypatch, world.index)
    world.server.answers.fail_next = 100
    started = time.monotonic()
    world.index.handler(world.event("Create"), FakeContext())
    assert world.server.answers.bodies == []
    assert world.server.answers.refused == world.index.TRIES == 4
    assert slept == [0.5, 1, 2], "a pause between attempts, doubling; none after the last"
    # the pauses and TRIES attempts of at most ATTEMPT seconds each fit in the timer's 20 s margin
    assert sum(slept) + world.index.TRIES * world.index.ATTEMPT < 20
    assert time.monotonic() - started < 10


# --- failures ----------------------------------------------------------------------------------------


def test_access_denied_names_operation_bucket_key_and_code(world):
    world.faults.deny["PutObject"] = "Access Denied"
    answer = world.call(world.event("Create"))
    assert_failed(answer, "Create", "PutObject", f"s3://{BUCKET}/rum.js", "AccessDenied")
    assert not world.exists()


def test_update_failure_keeps_the_old_physical_id(world):
    world.faults.deny["PutObject"] = "Access Denied"
    answer = world.call(world.event("Update", physical_id=f"s3://{BUCKET}/rum.js"))
    assert_failed(answer, "Update", "PutObject", "AccessDenied")
    assert answer["PhysicalResourceId"] == f"s3://{BUCKET}/rum.js"


def test_bucket_owned_by_another_account_is_refused(world):
    answer = world.call(world.event("Create", account=OTHER_ACCOUNT))
    assert_failed(answer, "PutObject", f"s3://{BUCKET}/rum.js", "AccessDenied")
    assert world.faults.calls[0][1]["ExpectedBucketOwner"] == OTHER_ACCOUNT
    assert not world.exists()


def test_a_long_reason_is_cut_so_the_answer_stays_under_4096_bytes(world):
    world.faults.deny["PutObject"] = "x" * 6000
    answer = world.call(world.event("Create", Key="k/" + "a" * 1000))
    assert_failed(answer, "PutObject", "AccessDenied")
    assert answer["Reason"].endswith("...")
    assert len(json.dumps(answer).encode()) <= 4096


def test_a_handler_outliving_its_deadline_answers_failed_once_before_it(world):
    world.faults.hold["PutObject"] = world.server.answers.answered  # the write lands only after an answer
    context = FakeContext(seconds=0.6)  # the timer answers at 0.4 s, leaving 0.2 s (20 s in a real Lambda)
    answer = world.call(world.event("Create"), context)
    assert_failed(answer, "Create", "Lambda timeout")
    assert world.server.answers.times[-1] < context.deadline
    assert world.writes()[0] == "PutObject", "the slow call finished within the handler..."
    assert world.server.answers.bodies == [], "... and its success was not sent a second time"


MALFORMED = {
    "missing Bucket": ({"Bucket": None}, "Bucket"),
    "numeric Bucket": ({"Bucket": 42}, "Bucket"),
    "bad bucket name": ({"Bucket": "Not_A_Bucket"}, "Bucket"),
    "missing Content": ({"Content": None}, "Content"),
    "Content not a string": ({"Content": {"Fn::Sub": "x"}}, "Content"),
    "empty Key": ({"Key": ""}, "Key"),
    "RetainOnDelete not boolean": ({"RetainOnDelete": "sometimes"}, "RetainOnDelete"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_properties_fail_with_a_clear_reason(world, case):
    change, word = MALFORMED[case]
    request = world.event("Create")
    for key, value in change.items():
        if value is None:
            request["ResourceProperties"].pop(key)
        else:
            request["ResourceProperties"][key] = value
    answer = world.call(request)
    assert_failed(answer, "malformed event", word)
    assert world.writes() == []


@pytest.mark.parametrize("field,value,word", [
    ("RequestType", "Upsert", "RequestType"),
    ("ResourceProperties", "Bucket=x", "ResourceProperties"),
    ("StackId", "not-an-arn", "StackId"),
])
def test_malformed_requests_fail_with_a_clear_reason(world, field, value, word):
    request = world.event("Create")
    request[field] = value
    request.pop("ServiceToken")
    assert_failed(world.call(request), "malformed event", word)
    assert world.writes() == []


def test_an_event_without_a_response_url_is_logged_not_crashed(world):
    request = world.event("Create")
    del request["ResponseURL"]
    assert world.index.handler(request, FakeContext()) is None
    assert world.server.answers.bodies == [] and world.faults.calls == []


def test_fit_keeps_short_bodies_and_cuts_long_reasons(index):
    short = {"Status": "FAILED", "Reason": "fine", "Data": {}}
    assert json.loads(index.fit(dict(short))) == short
    long = index.fit({"Status": "FAILED", "Reason": "é" * 5000, "Data": {}})
    assert len(long) < 4096 and json.loads(long)["Reason"].endswith("...")


# --- answers of at most 4,096 bytes --------------------------------------------------------------------


LONG_KEYS = {
    "1024 plain characters": "a" * 1024,
    "1024 characters the URL must escape": "!" * 1024,  # rumcfn's own script.key rule allows these
    "a deep path": "/".join(["assets"] * 145) + "/r.js",
}


@pytest.mark.parametrize("case", sorted(LONG_KEYS))
def test_a_long_key_gets_a_success_under_4096_bytes_and_a_delete_finds_it_again(world, case):
    key = LONG_KEYS[case]
    answer = world.call(world.event("Create", Key=key))  # call() checks the size
    assert answer["Status"] == "SUCCESS", answer
    assert world.body(key) == CONTENT
    assert answer["Data"]["Url"].startswith(f"https://{BUCKET}.s3.us-east-1.amazonaws.com/")
    update = world.call(world.event("Update", Key=key, Content="v2", physical_id=answer["PhysicalResourceId"]))
    assert update["Status"] == "SUCCESS" and update["PhysicalResourceId"] == answer["PhysicalResourceId"]
    deleted = world.call(world.event("Delete", Key=key, physical_id=answer["PhysicalResourceId"]))
    assert deleted["Status"] == "SUCCESS", deleted
    assert not world.exists(key)


def test_a_key_whose_answer_cannot_fit_is_refused_before_anything_is_written(world):
    key = "é" * 1024  # 1,024 characters; its escaped URL alone would be 6 KB
    answer = world.call(world.event("Create", Key=key))
    assert_failed(answer, "malformed event", "Key", "4096")
    assert world.writes() == []


def test_a_failed_answer_with_a_long_reason_and_a_long_physical_id_stays_under_4096_bytes(world):
    physical = "s3://" + BUCKET + "/" + "k" * 1000  # a 1 KB id CloudFormation accepted earlier
    world.faults.fail["DeleteObject"] = (500, "InternalError", "x" * 6000)
    answer = world.call(world.event("Delete", physical_id=physical, Key="k" * 1000))
    assert_failed(answer, "DeleteObject", "InternalError")
    assert answer["PhysicalResourceId"] == physical


# --- every path answers ----------------------------------------------------------------------------


class NoClock:
    """A context without a usable deadline."""


class BrokenClock:
    def get_remaining_time_in_millis(self):
        raise RuntimeError("no clock")


class NanClock:
    def get_remaining_time_in_millis(self):
        return float("nan")


@pytest.mark.parametrize("context", [None, NoClock(), BrokenClock(), NanClock()], ids=lambda c: type(c).__name__)
def test_a_context_without_a_usable_deadline_still_gets_one_answer(world, context):
    """Such a context leaves the fallback of 3 s; a warm start first (clients and models loaded, as in a warm
    Lambda), so the 3 s measure the request and not a loaded test machine's imports."""
    assert world.call(world.event("Create"), FakeContext())["Status"] == "SUCCESS"
    answer = world.call(world.event("Create"), context)
    assert answer["Status"] == "SUCCESS", answer
    assert world.body() == CONTENT


def test_a_response_url_that_trickles_bytes_does_not_hold_the_handler(world, monkeypatch):
    """urlopen's timeout is per read; a server that sends one byte at a time never trips it."""
    import threading

    monkeypatch.setattr(world.index, "ATTEMPT", 0.5)  # seconds per whole attempt (4 in Lambda)
    slept = quick_sleeps(monkeypatch, world.index)  # the pauses between attempts: recorded, not waited
    world.server.answers.trickle = 0.2
    done = threading.Event()
    thread = threading.Thread(target=lambda: (world.index.handler(world.event("Create"), FakeContext()), done.set()),
                              daemon=True)
    thread.start()
    # Four attempts of 0.5 s: the handler is done in about 2 s. Before the fix each attempt read the trickle
    # for minutes.
    assert done.wait(60), "the handler was still reading a trickling response URL"
    assert world.server.answers.trickled == world.index.TRIES
    assert slept == [0.5, 1, 2]


# --- a write that lands after the timer's answer -------------------------------------------------


def test_a_create_that_lands_after_the_timer_answered_is_undone(world):
    world.faults.hold["PutObject"] = world.server.answers.answered  # the write lands only after an answer
    context = FakeContext(seconds=0.6)  # the timer answers at 0.4 s; then the write lands (nothing races a clock)
    answer = world.call(world.event("Create"), context)
    assert_failed(answer, "Lambda timeout")
    assert not world.exists(), "CloudFormation was told the Create failed: rum.js must not stay behind"
    assert world.writes() == ["PutObject", "DeleteObject"]
    # CloudFormation's rollback: a Delete of the id it was given, which is not an object.
    world.faults.hold.clear()
    rollback = world.call(world.event("Delete", physical_id=answer["PhysicalResourceId"]))
    assert rollback["Status"] == "SUCCESS" and not world.exists()


@pytest.mark.parametrize("change", [{"Content": "new"}, {"Key": "new.js"}], ids=["in place", "to a new key"])
def test_an_update_that_lands_after_the_timer_answered_leaves_the_old_object_only(world, change):
    """In place, the old content is put back; a new key's object is deleted."""
    world.call(world.event("Create"))
    world.server.answers.answered.clear()
    world.faults.hold["PutObject"] = world.server.answers.answered  # the write lands only after an answer
    answer = world.call(world.event("Update", physical_id=f"s3://{BUCKET}/rum.js", **change,
                                    old=world.event("Create")["ResourceProperties"]), FakeContext(seconds=0.6))
    assert_failed(answer, "Lambda timeout")
    assert answer["PhysicalResourceId"] == f"s3://{BUCKET}/rum.js"
    assert world.body() == CONTENT, "CloudFormation keeps the old object: so does the bucket"
    assert [o["Key"] for o in world.s3.list_objects_v2(Bucket=BUCKET)["Contents"]] == ["rum.js"]


# --- a Delete never fails on a property it cannot read --------------------------------------------


UNREADABLE = {
    "RetainOnDelete not boolean": (
        lambda e: e["ResourceProperties"].update(RetainOnDelete="sometimes"),
        "RetainOnDelete",
    ),
    "RetainOnDelete a list": (lambda e: e["ResourceProperties"].update(RetainOnDelete=["true"]), "RetainOnDelete"),
    "no ResourceProperties": (lambda e: e.pop("ResourceProperties"), "ResourceProperties"),
    "StackId not an ARN": (lambda e: e.update(StackId="stack"), "StackId"),
}


@pytest.mark.parametrize("case", sorted(UNREADABLE))
def test_a_delete_with_an_unreadable_property_keeps_the_object_and_says_so(world, case):
    change, word = UNREADABLE[case]
    world.call(world.event("Create"))
    request = world.event("Delete", physical_id=f"s3://{BUCKET}/rum.js")
    change(request)
    answer = world.call(request)
    assert answer["Status"] == "SUCCESS", answer
    assert answer["PhysicalResourceId"] == f"s3://{BUCKET}/rum.js"
    assert f"kept s3://{BUCKET}/rum.js" in answer["Reason"] and word in answer["Reason"], answer["Reason"]
    assert world.body() == CONTENT and world.writes() == []


# --- Custom::EmptyBucket: the canary's artifacts bucket, emptied when the stack is deleted ------------

ARTIFACTS = "canary-artifacts"


def fill(world, objects: int = 400, rewritten: int = 400, deleted: int = 201) -> int:
    """A versioned bucket as a canary leaves it: objects, older versions and delete markers, more entries
    than one ListObjectVersions page (1,000). Returns how many versions and delete markers it holds."""
    world.s3.create_bucket(Bucket=ARTIFACTS)
    world.s3.put_bucket_versioning(Bucket=ARTIFACTS, VersioningConfiguration={"Status": "Enabled"})
    for i in range(objects):
        world.s3.put_object(Bucket=ARTIFACTS, Key=f"synthetics/site/2026/{i:04d}.png", Body=b"v1")
    for i in range(rewritten):
        world.s3.put_object(Bucket=ARTIFACTS, Key=f"synthetics/site/2026/{i:04d}.png", Body=b"v2")
    gone = [{"Key": f"synthetics/site/2026/{i:04d}.png"} for i in range(deleted)]  # a delete marker each
    world.s3.delete_objects(Bucket=ARTIFACTS, Delete={"Objects": gone, "Quiet": True})
    return objects + rewritten + deleted


def versions(world) -> int:
    pages = world.s3.get_paginator("list_object_versions").paginate(Bucket=ARTIFACTS)
    return sum(len(p.get("Versions", [])) + len(p.get("DeleteMarkers", [])) for p in pages)


def empty_event(world, request_type: str, **kwargs) -> dict:
    request = event(request_type, world.server.url, **{"Bucket": ARTIFACTS, **kwargs})
    request["ResourceType"], request["LogicalResourceId"] = CustomResources.EMPTY_BUCKET, "CanaryArtifactsEmptier"
    for name in ("Key", "ContentType", "CacheControl", "UrlSuffix"):
        request["ResourceProperties"].pop(name)
    return request


@pytest.mark.parametrize("status", ["DELETE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS"])
def test_stack_deletion_empties_every_version_and_delete_marker_so_the_bucket_can_go(world, status):
    held = fill(world)
    assert held > 1000 and versions(world) == held
    world.stack.status = status
    answer = world.call(empty_event(world, "Delete", physical_id=f"empty-on-delete:{ARTIFACTS}"))
    assert answer["Status"] == "SUCCESS", answer
    assert answer["PhysicalResourceId"] == f"empty-on-delete:{ARTIFACTS}"
    assert answer["Reason"] == f"emptied s3://{ARTIFACTS}: {held} object versions and delete markers"
    assert versions(world) == 0
    world.s3.delete_bucket(Bucket=ARTIFACTS)  # what CloudFormation does next: it now succeeds
    lists = [params for name, params in world.faults.calls if name == "ListObjectVersions"]
    deletes = [params for name, params in world.faults.calls if name == "DeleteObjects"]
    assert len(lists) >= 2 and len(deletes) >= 2, "more than one page"
    assert all(p["ExpectedBucketOwner"] == ACCOUNT for p in lists + deletes)
    assert all(len(p["Delete"]["Objects"]) <= 1000 for p in deletes)
    assert world.stack.calls == [{"StackName": empty_event(world, "Delete")["StackId"]}]


@pytest.mark.parametrize(
    "status",
    [
        "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
        "UPDATE_ROLLBACK_IN_PROGRESS",
        "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
        "UPDATE_IN_PROGRESS",
    ],
)
def test_a_delete_while_the_stack_stays_empties_nothing(world, status):
    """This resource alone is replaced or removed (opt-in turned off): the bucket stays, so do its objects."""
    held = fill(world, 5, 5, 2)
    world.stack.status = status
    answer = world.call(empty_event(world, "Delete", physical_id=f"empty-on-delete:{ARTIFACTS}"))
    assert answer["Status"] == "SUCCESS" and answer["Reason"] == f"emptied nothing: stack status {status}"
    assert versions(world) == held
    assert [name for name, _ in world.faults.calls] == []


def test_a_delete_that_cannot_read_the_stack_status_empties_nothing(world):
    """E.g. the role lost the permission in the same update that removed this resource."""
    held = fill(world, 5, 5, 2)
    world.stack.deny = True
    answer = world.call(empty_event(world, "Delete", physical_id=f"empty-on-delete:{ARTIFACTS}"))
    assert (
        answer["Status"] == "SUCCESS" and "emptied nothing" in answer["Reason"] and "AccessDenied" in answer["Reason"]
    )
    assert versions(world) == held


def test_create_and_update_touch_nothing_and_keep_one_physical_id(world):
    held = fill(world, 5, 5, 2)
    created = world.call(empty_event(world, "Create"))
    assert created["Status"] == "SUCCESS" and created["PhysicalResourceId"] == f"empty-on-delete:{ARTIFACTS}"
    world.s3.create_bucket(Bucket="replacement-bucket")
    updated = world.call(
        empty_event(world, "Update", physical_id=created["PhysicalResourceId"], Bucket="replacement-bucket")
    )
    assert updated["Status"] == "SUCCESS"
    assert updated["PhysicalResourceId"] == created["PhysicalResourceId"], (
        "a new id would make CloudFormation send a Delete"
    )
    assert world.faults.calls == [] and world.stack.calls == [] and versions(world) == held


def test_a_create_with_a_bad_bucket_fails_and_its_rollback_delete_empties_nothing(world):
    created = world.call(empty_event(world, "Create", Bucket="Bad_Bucket"))
    assert_failed(created, "malformed event", "Bucket")
    answer = world.call(empty_event(world, "Delete", Bucket="Bad_Bucket", physical_id=created["PhysicalResourceId"]))
    assert answer["Status"] == "SUCCESS" and answer["Reason"].startswith(
        f"kept {created['PhysicalResourceId']}: property Bucket")
    assert world.faults.calls == []


def test_a_bucket_already_gone_is_empty(world):
    answer = world.call(empty_event(world, "Delete", physical_id=f"empty-on-delete:{ARTIFACTS}"))
    assert answer["Status"] == "SUCCESS" and answer["Reason"].endswith(": 0 object versions and delete markers")


def test_a_bucket_of_another_account_is_not_emptied(world):
    held = fill(world, 5, 5, 2)
    answer = world.call(empty_event(world, "Delete", account=OTHER_ACCOUNT, physical_id=f"empty-on-delete:{ARTIFACTS}"))
    assert_failed(answer, "Delete failed", "ListObjectVersions", "AccessDenied")
    assert versions(world) == held


def test_access_denied_on_deleting_versions_fails_the_delete_and_names_the_operation(world):
    fill(world, 5, 5, 2)
    world.faults.deny["DeleteObjects"] = "Access Denied"
    answer = world.call(empty_event(world, "Delete", physical_id=f"empty-on-delete:{ARTIFACTS}"))
    assert_failed(answer, "Delete failed", "DeleteObjects", "AccessDenied")


def test_the_answer_bound_is_cloudformations():
    from rumcfn.facts import CUSTOM_RESOURCE_RESPONSE_LIMIT

    assert load_index(inline_source()).LIMIT == CUSTOM_RESOURCE_RESPONSE_LIMIT


# --- Custom::RumLogRetention: the retention of the log group RUM keeps its copies in ----------------

GROUP = "/aws/vendedlogs/RUMService_shop0f2ad3c2"
MONITOR_ID = "0f2ad3c2-5b4e-4c8e-9a53-1b2f4a6e7d90"


def monitor(rum, group: str | None = GROUP, name: str = "shop") -> None:
    """Queue one GetAppMonitor answer, shaped like RUM's, reporting ``group`` (None: CloudWatch Logs off)."""
    storage = {"CwLog": {"CwLogEnabled": True, "CwLogGroup": group}} if group else {"CwLog": {"CwLogEnabled": False}}
    rum.add_response(
        "get_app_monitor", {"AppMonitor": {"Name": name, "Id": MONITOR_ID, "DataStorage": storage}}, {"Name": name}
    )


def retention_event(world, request_type: str, days="90", name="shop", **kwargs) -> dict:
    request = event(request_type, world.server.url, **kwargs)
    request["ResourceType"], request["LogicalResourceId"] = CustomResources.LOG_RETENTION, "RumLogGroupRetention"
    props = request["ResourceProperties"]
    for key in ("Key", "ContentType", "CacheControl", "UrlSuffix"):
        props.pop(key)
    props.update(MonitorName=name, RetentionInDays=days)  # CloudFormation sends every property value as a string
    return request


def retention(world, group: str = GROUP):
    """The group's retention in days (None: it never expires); KeyError when there is no such group."""
    (found,) = [
        g
        for g in world.logs_client.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
        if g["logGroupName"] == group
    ]
    return found.get("retentionInDays")


def test_retention_create_sets_the_retention_of_the_group_rum_names(world, rum, logs):
    logs.create_log_group(logGroupName=GROUP)  # as RUM makes it: no retention
    monitor(rum)
    answer = world.call(retention_event(world, "Create"))
    assert answer["Status"] == "SUCCESS", answer
    assert answer["PhysicalResourceId"] == GROUP and answer["Data"] == {"LogGroup": GROUP}
    assert retention(world) == 90
    assert world.logs.calls[-1] == ("PutRetentionPolicy", {"logGroupName": GROUP, "retentionInDays": 90})
    rum.assert_no_pending_responses()


def test_retention_a_group_rum_has_not_made_yet_is_made_first(world, rum, logs):
    monitor(rum)
    answer = world.call(retention_event(world, "Create"))
    assert answer["Status"] == "SUCCESS", answer
    assert retention(world) == 90
    assert world.logs.names() == ["CreateLogGroup", "PutRetentionPolicy"]


def test_retention_update_keeps_the_physical_id_of_the_same_group(world, rum, logs):
    logs.create_log_group(logGroupName=GROUP)
    logs.put_retention_policy(logGroupName=GROUP, retentionInDays=90)
    monitor(rum)
    answer = world.call(
        retention_event(
            world, "Update", days="30", physical_id=GROUP, old={"MonitorName": "shop", "RetentionInDays": "90"}
        )
    )
    assert answer["Status"] == "SUCCESS" and answer["PhysicalResourceId"] == GROUP, answer
    assert retention(world) == 30


def test_retention_of_a_new_monitor_s_group_gets_its_id_and_leaves_the_old_group(world, rum, logs):
    """A replaced monitor is a new group: a new physical id, so CloudFormation's cleanup Delete is for the old one."""
    new = "/aws/vendedlogs/RUMService_shop-v27c1e9a04"
    logs.create_log_group(logGroupName=GROUP)
    logs.put_retention_policy(logGroupName=GROUP, retentionInDays=90)
    monitor(rum, new, name="shop-v2")
    answer = world.call(retention_event(world, "Update", name="shop-v2", physical_id=GROUP))
    assert answer["Status"] == "SUCCESS" and answer["PhysicalResourceId"] == new
    cleanup = world.call(retention_event(world, "Delete", physical_id=GROUP))
    assert cleanup["Status"] == "SUCCESS" and cleanup["PhysicalResourceId"] == GROUP
    assert (retention(world, new), retention(world)) == (90, 90)


def test_retention_delete_leaves_the_group_and_its_retention(world, rum, logs):
    logs.create_log_group(logGroupName=GROUP)
    logs.put_retention_policy(logGroupName=GROUP, retentionInDays=90)
    answer = world.call(retention_event(world, "Delete", physical_id=GROUP))  # no RUM answer queued: no call
    assert answer["Status"] == "SUCCESS" and answer["PhysicalResourceId"] == GROUP, answer
    assert retention(world) == 90 and world.logs.calls == []


@pytest.mark.parametrize(
    "case", ["no ResourceProperties", "no MonitorName", "RetentionInDays not a number", "StackId not an ARN"]
)
def test_retention_delete_never_fails_not_even_on_properties_it_cannot_read(world, rum, logs, case):
    request = retention_event(world, "Delete", physical_id=GROUP)
    {
        "no ResourceProperties": lambda: request.pop("ResourceProperties"),
        "no MonitorName": lambda: request["ResourceProperties"].pop("MonitorName"),
        "RetentionInDays not a number": lambda: request["ResourceProperties"].update(RetentionInDays="ninety"),
        "StackId not an ARN": lambda: request.update(StackId="stack"),
    }[case]()
    answer = world.call(request)
    assert answer["Status"] == "SUCCESS" and answer["PhysicalResourceId"] == GROUP, answer
    assert world.logs.calls == []


def test_retention_of_a_monitor_without_logs_fails_and_its_rollback_delete_touches_nothing(world, rum, logs):
    monitor(rum, None)
    created = world.call(retention_event(world, "Create"))
    assert_failed(created, "Create failed", "shop", "CwLogEnabled")
    assert created["PhysicalResourceId"] != GROUP and world.logs.calls == []
    rollback = world.call(retention_event(world, "Delete", physical_id=created["PhysicalResourceId"]))
    assert rollback["Status"] == "SUCCESS" and world.logs.calls == []


@pytest.mark.parametrize(
    "group",
    ["", "g" * 513, "/aws/vendedlogs/RUMService_shop 0f2ad3c2", "/aws/é"],
    ids=["empty", "513 characters", "a space", "not ASCII"],
)
def test_retention_refuses_a_group_name_cloudwatch_logs_would_not_take(world, rum, logs, group):
    """Its name becomes the physical id: only a valid one (at most 512 characters) keeps the answer bounded."""
    rum.add_response(
        "get_app_monitor",
        {
            "AppMonitor": {
                "Name": "shop",
                "Id": MONITOR_ID,
                "DataStorage": {"CwLog": {"CwLogEnabled": True, "CwLogGroup": group}},
            }
        },
    )
    answer = world.call(retention_event(world, "Create"))
    assert_failed(answer, "Create failed", "log group")
    assert world.logs.calls == []


def test_retention_of_the_longest_group_name_answers_within_bounds(world, rum, logs):
    group = "/aws/vendedlogs/RUMService_" + "n" * (512 - 27)
    monitor(rum, group)
    answer = world.call(retention_event(world, "Create"))  # call() checks 4,096 bytes and a 1 KB physical id
    assert answer["Status"] == "SUCCESS" and answer["PhysicalResourceId"] == group
    assert retention(world, group) == 90


def test_retention_access_denied_names_the_operation_and_code_and_an_update_keeps_its_id(world, rum, logs):
    logs.create_log_group(logGroupName=GROUP)
    world.logs.deny["PutRetentionPolicy"] = "AccessDeniedException"
    monitor(rum)
    answer = world.call(retention_event(world, "Update", days="30", physical_id=GROUP))
    assert_failed(answer, "Update failed", "PutRetentionPolicy", "AccessDeniedException")
    assert answer["PhysicalResourceId"] == GROUP
    assert retention(world) is None


def test_retention_of_a_monitor_rum_does_not_know_fails_with_rum_s_error(world, rum, logs):
    rum.add_client_error("get_app_monitor", "ResourceNotFoundException", "App monitor shop not found", 404)
    answer = world.call(retention_event(world, "Create"))
    assert_failed(answer, "Create failed", "GetAppMonitor", "ResourceNotFoundException")
    assert world.logs.calls == []


@pytest.mark.parametrize(
    "change,word",
    [
        ({"MonitorName": None}, "MonitorName"),
        ({"MonitorName": ["shop"]}, "MonitorName"),
        ({"RetentionInDays": None}, "RetentionInDays"),
        ({"RetentionInDays": "ninety"}, "RetentionInDays"),
        ({"RetentionInDays": "-1"}, "RetentionInDays"),
    ],
    ids=[
        "no MonitorName",
        "MonitorName a list",
        "no RetentionInDays",
        "RetentionInDays a word",
        "RetentionInDays negative",
    ],
)
def test_retention_malformed_properties_fail_with_a_clear_reason_before_any_call(world, rum, logs, change, word):
    request = retention_event(world, "Create")
    for key, value in change.items():
        if value is None:
            request["ResourceProperties"].pop(key)
        else:
            request["ResourceProperties"][key] = value
    assert_failed(world.call(request), "malformed event", word)
    assert world.logs.calls == []  # and RUM: a call would find no queued answer


def test_retention_properties_not_an_object_fail_with_a_clear_reason(world, rum, logs):
    request = retention_event(world, "Create")
    request["ResourceProperties"] = "MonitorName=shop"
    assert_failed(world.call(request), "malformed event", "ResourceProperties")


def test_retention_outliving_the_deadline_answers_failed_once_before_it(world, rum, logs):
    """A Create's late retention stays, as a Delete of a created one would leave it; the rollback Delete
    of the id the timer's answer gave touches nothing."""
    monitor(rum)
    world.logs.hold["PutRetentionPolicy"] = [world.server.answers.answered]  # it lands only after an answer
    context = FakeContext(seconds=0.6)  # the timer answers at 0.4 s, leaving 0.2 s (20 s in a real Lambda)
    answer = world.call(retention_event(world, "Create"), context)
    assert_failed(answer, "Create", "Lambda timeout")
    assert world.server.answers.times[-1] < context.deadline
    assert world.server.answers.bodies == [], "the late success was not sent a second time"
    assert answer["PhysicalResourceId"] != GROUP
    rollback = world.call(retention_event(world, "Delete", physical_id=answer["PhysicalResourceId"]))
    assert rollback["Status"] == "SUCCESS" and world.logs.names() == []


def test_retention_an_update_that_lands_after_the_timer_answered_is_set_back(world, rum, logs):
    """CloudFormation was told the Update failed, so the group keeps the old retention, even when the
    late call lands after the rollback set it."""
    logs.create_log_group(logGroupName=GROUP)
    logs.put_retention_policy(logGroupName=GROUP, retentionInDays=90)
    monitor(rum)
    monitor(rum)  # the undo reads the group again, for the old properties
    world.logs.hold["PutRetentionPolicy"] = [world.server.answers.answered]  # it lands only after an answer
    answer = world.call(
        retention_event(
            world, "Update", days="30", physical_id=GROUP, old={"MonitorName": "shop", "RetentionInDays": "90"}
        ),
        FakeContext(seconds=0.6),  # the timer answers at 0.4 s; then the call lands
    )
    assert_failed(answer, "Lambda timeout")
    assert answer["PhysicalResourceId"] == GROUP
    assert [p["retentionInDays"] for name, p in world.logs.calls if name == "PutRetentionPolicy"] == [30, 90]
    assert retention(world) == 90
    rum.assert_no_pending_responses()
