"""Writes rum.js for CloudFormation (inlined as index.py; stdlib + boto3).

Create/Update put Content at s3://Bucket/Key, Delete removes it. Each request gets exactly one
answer: a timer answers FAILED before the Lambda's own deadline, so CloudFormation never hangs.
"""
import json
import re
import threading
import time
import urllib.request
from urllib.parse import quote

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

BUCKET = r"[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]"
OURS = re.compile(f"s3://({BUCKET})/(.{{1,1024}})", re.S)  # physical ids this handler hands out
LIMIT = 4096  # CloudFormation rejects larger answers
TRIES = 4  # PUTs of the answer, 0.5 s, 1 s, 2 s apart: at most 19.5 s, inside the timer's 20 s margin


class Invalid(Exception):
    """The event is malformed."""


class Answer:
    """The invocation's one response: calls after the first do nothing."""

    def __init__(self, event):
        self.event, self.lock, self.sent = event, threading.Lock(), False

    def __call__(self, status, reason, physical, data=None):
        with self.lock:
            if self.sent:
                return
            self.sent = True
        e = self.event
        body = {"Status": status, "Reason": reason, "PhysicalResourceId": physical, "Data": data or {}}
        body.update({k: e.get(k, "") for k in ("StackId", "RequestId", "LogicalResourceId")})
        print(json.dumps({k: body[k] for k in ("Status", "Reason", "PhysicalResourceId")}))
        raw = fit(body)
        for attempt in range(TRIES):
            try:
                put = urllib.request.Request(e["ResponseURL"], raw, {"Content-Type": ""}, method="PUT")
                with urllib.request.urlopen(put, timeout=4):
                    return
            except Exception as error:
                print(f"answer attempt {attempt + 1} of {TRIES}: {error}")
                if attempt + 1 < TRIES:
                    time.sleep(0.5 * 2 ** attempt)


def fit(body):
    """JSON under LIMIT bytes: cut the reason (each character cut saves at least one byte)."""
    raw = json.dumps(body).encode()
    over = len(raw) - LIMIT + 4
    if over > 0:
        body["Reason"] = body["Reason"][:max(0, len(body["Reason"]) - over)] + "..."
        raw = json.dumps(body).encode()
    return raw


def parse(event, kind):
    """What to do, from the event; Invalid names the first thing wrong."""
    props = event.get("ResourceProperties")
    if not isinstance(props, dict):
        raise Invalid("ResourceProperties must be an object")
    arn = str(event.get("StackId") or "").split(":")
    if len(arn) < 6 or not re.fullmatch(r"\d{12}", arn[4]):
        raise Invalid("StackId must be a CloudFormation stack ARN")
    job = {"account": arn[4], "retain": str(props.get("RetainOnDelete", "false")).lower()}
    if job["retain"] not in ("true", "false"):
        raise Invalid(f"property RetainOnDelete must be true or false, got {props['RetainOnDelete']!r}")
    if kind == "Delete":
        return job
    defaults = {"Key": "rum.js", "ContentType": "application/javascript; charset=utf-8",
                "CacheControl": "max-age=300", "Bucket": None, "Content": None}
    for name, default in defaults.items():
        job[name] = props.get(name, default)
        if not isinstance(job[name], str):
            raise Invalid(f"property {name} must be a string, got {job[name]!r}")
    if not re.fullmatch(BUCKET, job["Bucket"]):
        raise Invalid(f"property Bucket must be an S3 bucket name, got {job['Bucket']!r}")
    if not 0 < len(job["Key"]) <= 1024:
        raise Invalid("property Key must be 1 to 1024 characters")
    return job


def s3(call, operation, bucket, key, **kwargs):
    """One S3 request; an error names the operation, object and AWS error code."""
    try:
        return call(Bucket=bucket, Key=key, **kwargs)
    except ClientError as error:
        err = error.response.get("Error", {})
        if operation == "DeleteObject" and err.get("Code") in ("NoSuchBucket", "NoSuchKey"):
            return {}  # already gone
        problem = f"{err.get('Code')}: {err.get('Message')}"
    except Exception as error:
        problem = f"{type(error).__name__}: {error}"
    raise RuntimeError(f"{operation} s3://{bucket}/{key}: {problem}")


def client():
    config = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=15)
    return boto3.client("s3", config=config)


def run(event, kind):
    """The one write this request needs; returns (physical id, data)."""
    if kind == "Delete":
        physical = event.get("PhysicalResourceId", "")
        ours = OURS.fullmatch(physical)  # not ours: e.g. the id of a failed Create; touch nothing
        if ours:
            job = parse(event, kind)
            if job["retain"] == "false":
                s3(client().delete_object, "DeleteObject", *ours.groups(), ExpectedBucketOwner=job["account"])
        return physical, {}
    job, s3_client = parse(event, kind), client()
    bucket, key = job["Bucket"], job["Key"]
    put = s3(s3_client.put_object, "PutObject", bucket, key, Body=job["Content"].encode(),
             ContentType=job["ContentType"], CacheControl=job["CacheControl"], ExpectedBucketOwner=job["account"])
    region = s3_client.meta.region_name
    host = f"{bucket}.s3.{region}.amazonaws.com" + (".cn" if region.startswith("cn-") else "")
    return f"s3://{bucket}/{key}", {"Url": f"https://{host}/{quote(key)}", "ETag": put["ETag"].strip('"')}


def handler(event, context):
    if not isinstance(event, dict) or not isinstance(event.get("ResponseURL"), str):
        print("not a CloudFormation request (no ResponseURL): nothing to answer")
        return
    answer, kind = Answer(event), event.get("RequestType")
    fallback = event.get("PhysicalResourceId") or event.get("RequestId") or "none"
    left = context.get_remaining_time_in_millis() / 1000
    timer = threading.Timer(max(0.0, left - min(20.0, left / 3)), answer, (
        "FAILED", f"{kind} did not finish before the Lambda timeout ({left:.0f} s)", fallback))
    timer.daemon = True
    timer.start()
    try:
        if kind not in ("Create", "Update", "Delete"):
            raise Invalid(f"RequestType must be Create, Update or Delete, got {kind!r}")
        answer("SUCCESS", "", *run(event, kind))
    except Invalid as error:
        answer("FAILED", f"malformed event: {error}", fallback)
    except Exception as error:
        answer("FAILED", f"{kind} failed: {error}", fallback)
    finally:
        timer.cancel()
        timer.join()  # a timer that is answering must finish before Lambda freezes the process
