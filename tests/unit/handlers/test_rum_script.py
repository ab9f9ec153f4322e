"""The rum.js handler exactly as inlined in the template, driven by CloudFormation-shaped events.

S3 is moto in process; the pre-signed response URL is a local server that records each answer.
Every test checks that exactly one answer arrived, its status, and that its reason is useful.
"""

from __future__ import annotations

import json
import time

import boto3
import pytest
from moto import mock_aws

from tests.support.handler import (ACCOUNT, OTHER_ACCOUNT, FakeContext, ResponseServer, S3Faults, event,
                              inline_source, load_index)

BUCKET = "site-bucket"
CONTENT = "(function(){/* rum loader v1 */})();\n"


@pytest.fixture(scope="module")
def index():
    return load_index(inline_source())


class World:
    """moto S3 with a website bucket, fault hooks, a recording response URL."""

    def __init__(self, index, faults, server):
        self.index, self.faults, self.server = index, faults, server
        self.s3 = boto3.session.Session().client("s3")  # a session without the fault hooks, for checks

    def call(self, request: dict, context=None) -> dict:
        """Invoke the handler; return its one answer (failing unless there is exactly one)."""
        self.faults.calls.clear()
        self.faults.attempts.clear()
        self.index.handler(request, context or FakeContext())
        bodies = self.server.answers.bodies
        assert len(bodies) == 1, f"expected exactly one answer, got {bodies}"
        answer = bodies.pop()
        self.server.answers.sizes.clear()
        return answer

    def event(self, request_type: str, **kwargs) -> dict:
        kwargs.setdefault("Bucket", BUCKET)
        kwargs.setdefault("Content", CONTENT)
        return event(request_type, self.server.url, **kwargs)

    def body(self, key: str = "rum.js", bucket: str = BUCKET) -> str:
        return self.s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()

    def exists(self, key: str = "rum.js", bucket: str = BUCKET) -> bool:
        return key in [o["Key"] for o in self.s3.list_objects_v2(Bucket=bucket).get("Contents", [])]

    def writes(self) -> list[str]:
        return [name for name, _ in self.faults.calls if name in ("PutObject", "DeleteObject")]


@pytest.fixture
def world(index, monkeypatch):
    import os

    for name in [n for n in os.environ if n.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    with mock_aws(), ResponseServer() as server:
        boto3.setup_default_session()
        try:
            world = World(index, S3Faults(boto3.DEFAULT_SESSION), server)
            world.s3.create_bucket(Bucket=BUCKET)
            yield world
        finally:
            boto3.DEFAULT_SESSION = None


def assert_failed(answer: dict, *words: str) -> None:
    assert answer["Status"] == "FAILED", answer
    for word in words:
        assert word in answer["Reason"], (word, answer["Reason"])


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
                              "ETag": head["ETag"].strip('"')}
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


def test_response_url_failing_twice_still_gets_one_answer(world):
    world.server.answers.fail_next = 2
    answer = world.call(world.event("Create"))
    assert answer["Status"] == "SUCCESS"
    assert world.server.answers.refused == 2


def test_answer_retries_are_bounded_when_the_response_url_never_accepts(world):
    world.server.answers.fail_next = 100
    started = time.monotonic()
    world.index.handler(world.event("Create"), FakeContext())
    assert world.server.answers.bodies == []
    assert world.server.answers.refused == world.index.TRIES == 4
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


def test_delete_in_a_bucket_of_another_account_fails_and_keeps_the_object(world):
    world.call(world.event("Create"))
    answer = world.call(world.event("Delete", account=OTHER_ACCOUNT, physical_id=f"s3://{BUCKET}/rum.js"))
    assert_failed(answer, "Delete", "DeleteObject", "AccessDenied")
    assert world.exists()


def test_a_long_reason_is_cut_so_the_answer_stays_under_4096_bytes(world):
    world.faults.deny["PutObject"] = "x" * 6000
    answer = world.call(world.event("Create", Key="k/" + "a" * 1000))
    assert_failed(answer, "PutObject", "AccessDenied")
    assert answer["Reason"].endswith("...")
    assert len(json.dumps(answer).encode()) < 4096


def test_a_handler_outliving_its_deadline_answers_failed_once_before_it(world):
    world.faults.delay["PutObject"] = 3.5
    context = FakeContext(seconds=3.0)  # the timer answers at 2 s, leaving 1 s (20 s in a real Lambda)
    started = time.monotonic()
    answer = world.call(world.event("Create"), context)
    assert_failed(answer, "Create", "Lambda timeout")
    assert world.server.answers.times[-1] < context.deadline
    assert time.monotonic() - started >= 3.5, "the slow call finished; its success was not sent a second time"
    assert world.server.answers.bodies == []


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
