"""CloudFormation custom resources (inlined as index.py; stdlib + boto3).

Custom::RumScript: Create/Update put Content at s3://Bucket/Key, Delete removes it. Custom::EmptyBucket:
when the stack is deleted (or its creation rolled back), Delete removes every object version and delete
marker from Bucket so that CloudFormation can delete the bucket; nothing else changes anything.
Custom::RumLogRetention: Create/Update set the retention of the log group CloudWatch RUM writes to for
MonitorName (creating it if RUM has not yet); Delete leaves the group and its events as they are.
Each request gets exactly one answer of at most 4,096 bytes: a timer answers FAILED before the Lambda's
own deadline, so CloudFormation never hangs, and a write that lands after that answer is undone.
"""
import hashlib
import json
import re
import threading
import time
import urllib.request
from urllib.parse import quote

import boto3
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import ClientError

BUCKET = r"[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]"
# Physical ids this handler hands out: s3://bucket/key, or s3+sha256://bucket/<SHA-256 of the key> when
# that would be long (a PhysicalResourceId "can be up to 1 KB", and the whole answer must fit in 4 KB).
OURS = re.compile(f"s3(\\+sha256)?://({BUCKET})/(.{{1,1024}})", re.S)
LIMIT = 4096  # "The total size of the response body can't exceed 4096 bytes" (crpg-ref-responses)
TRIES = 4  # answer attempts, 0.5 s, 1 s, 2 s apart ...
ATTEMPT = 4  # ... each at most 4 s: 19.5 s in all, inside the timer's 20 s margin
GONE = ("DELETE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS")  # stack statuses in which its buckets are deleted too
RETENTION = "Custom::RumLogRetention"


class Invalid(Exception):
    """The event is malformed."""


class Answer:
    """The invocation's one response: calls after the first do nothing and return False."""

    def __init__(self, event):
        self.event, self.lock, self.sent = event, threading.Lock(), False

    def __call__(self, status, reason, physical=None, data=None):
        with self.lock:
            if self.sent:
                return False
            self.sent = True
        b = body(self.event, status, reason, physical, data)
        print(json.dumps({k: b[k] for k in ("Status", "Reason", "PhysicalResourceId")}))
        raw = fit(b)
        for attempt in range(TRIES):
            result = []
            thread = threading.Thread(target=put, args=(self.event["ResponseURL"], raw, result), daemon=True)
            thread.start()
            thread.join(ATTEMPT)  # urlopen's timeout bounds each read, not the whole request
            if result == [None]:
                break
            print(f"answer attempt {attempt + 1} of {TRIES}: {result or 'no reply in time'}")
            if attempt + 1 < TRIES:
                time.sleep(0.5 * 2 ** attempt)
        return True


def put(url, raw, result):
    try:
        request = urllib.request.Request(url, raw, {"Content-Type": ""}, method="PUT")  # signed for no type
        urllib.request.urlopen(request, timeout=ATTEMPT).close()
        result.append(None)
    except Exception as error:
        result.append(error)


def body(e, status, reason, physical=None, data=None):
    b = {"Status": status, "Reason": reason, "PhysicalResourceId": physical or e.get("PhysicalResourceId")
         or e.get("RequestId") or "none", "Data": data or {}}
    b.update({k: e.get(k, "") for k in ("StackId", "RequestId", "LogicalResourceId")})
    return b


def fit(body):
    """JSON under LIMIT bytes: cut the reason (each character cut saves at least one byte)."""
    raw = json.dumps(body).encode()
    over = len(raw) - LIMIT + 4
    if over > 0:
        body["Reason"] = body["Reason"][:max(0, len(body["Reason"]) - over)] + "..."
        raw = json.dumps(body).encode()
    return raw


def text(p, name, default=None, pattern="(?s).*", rule="a string"):
    value = p.get(name, default)
    if not isinstance(value, str) or not re.fullmatch(pattern, value):
        raise Invalid(f"property {name} must be {rule}, got {value!r}")
    return value


def props(event, name):
    p = event.get(name)
    if not isinstance(p, dict):
        raise Invalid(f"{name} must be an object")
    return p


def parse(event, name="ResourceProperties"):
    """What the request names, from the event; Invalid says what is wrong."""
    p, arn = props(event, name), str(event.get("StackId")).split(":")
    if len(arn) < 6 or not re.fullmatch(r"\d{12}", arn[4]):
        raise Invalid("StackId must be a CloudFormation stack ARN")
    job = {"account": arn[4], "Bucket": text(p, "Bucket", None, BUCKET, "an S3 bucket name"),
           "retain": text(p, "RetainOnDelete", "false", "(?i)true|false", "true or false").lower() == "true"}
    if event.get("ResourceType") == "Custom::EmptyBucket":
        return job
    job.update({k: text(p, k) for k in ("Content", "ContentType", "CacheControl")},
               Key=text(p, "Key", None, "(?s).{1,1024}", "1 to 1024 characters"))
    job["id"] = f"s3://{job['Bucket']}/{job['Key']}"
    if len(job["id"]) > 200:  # leaves the 4 KB answer room for the object's URL (see run)
        job["id"] = f"s3+sha256://{job['Bucket']}/{hashlib.sha256(job['Key'].encode()).hexdigest()}"
    return job


def s3(operation, job, **kwargs):
    """One S3 request on the job's object; an error names the operation, object and AWS error code."""
    try:
        call = getattr(client(), xform_name(operation))
        return call(Bucket=job["Bucket"], Key=job["Key"], ExpectedBucketOwner=job["account"], **kwargs)
    except ClientError as error:
        err = error.response.get("Error", {})
        if operation == "DeleteObject" and err.get("Code") in ("NoSuchBucket", "NoSuchKey"):
            return {}  # already gone
        problem = f"{err.get('Code')}: {err.get('Message')}"
    except Exception as error:
        problem = f"{type(error).__name__}: {error}"
    raise RuntimeError(f"{operation} s3://{job['Bucket']}/{job['Key']}: {problem}")


def client(service="s3"):
    config = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=15)
    return boto3.client(service, config=config)


def write(job):
    return s3("PutObject", job, Body=job["Content"].encode(), ContentType=job["ContentType"],
              CacheControl=job["CacheControl"])


def undo(event, kind):
    """The timer answered FAILED while the write was in flight: leave what CloudFormation now believes."""
    if event.get("ResourceType") == RETENTION:
        if kind == "Update":  # the old retention, as a rollback sets it; a Create's stays, as its Delete leaves it
            retain(event, "OldResourceProperties")
        return
    job = parse(event)
    try:
        old = parse(event, "OldResourceProperties")
    except Invalid:
        old = job
    if kind == "Update" and old["id"] == job["id"]:
        write(old)  # what CloudFormation's rollback writes too
    else:
        s3("DeleteObject", job)
    print(f"undid the late {kind} of {job['id']}")


def forget(event, physical):
    """Delete the object ``physical`` names unless it is to be kept; returns what it did. Never Invalid."""
    ours = OURS.fullmatch(str(physical))
    if not ours:
        return ""  # not ours: e.g. the id of a failed Create; touch nothing
    try:
        job = parse(event)
        if ours[1] and job["id"] != physical:
            raise Invalid("properties Bucket and Key do not match it")
    except Invalid as error:
        return f"kept {physical}: {error}"
    if not ours[1]:
        job.update(Bucket=ours[2], Key=ours[3])
    if job["retain"]:
        return f"kept {physical}: RetainOnDelete"
    s3("DeleteObject", job)
    return ""


def empty(event, kind):
    """Custom::EmptyBucket: (physical id, no data, note). Never Invalid on Delete."""
    physical = event.get("PhysicalResourceId")
    try:
        job = parse(event)
    except Invalid as error:
        if kind != "Delete":
            raise
        return physical, {}, f"emptied nothing: {error}"
    name, owner = job["Bucket"], job["account"]
    if kind != "Delete":
        return physical or f"empty-on-delete:{name}", {}, ""
    try:
        status = client("cloudformation").describe_stacks(StackName=event["StackId"])["Stacks"][0]["StackStatus"]
    except Exception as error:  # e.g. the permission went with this resource's removal from the template
        status = error
    if status not in GONE:  # e.g. this resource alone is removed: the bucket stays, and so do its objects
        return physical, {}, f"emptied nothing: stack status {status}"
    c, count = client(), 0
    try:
        while True:  # the first page again each time: deleting what was listed would move a paginator's marker
            page = c.list_object_versions(Bucket=name, ExpectedBucketOwner=owner)
            items = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                     for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
            if not items:
                break
            errors = c.delete_objects(Bucket=name, ExpectedBucketOwner=owner,
                                      Delete={"Objects": items, "Quiet": True}).get("Errors")
            if errors:
                raise RuntimeError(f"DeleteObjects: {errors[0]}")
            count += len(items)
    except ClientError as error:
        if "NoSuchBucket" not in str(error):  # names the operation and the error code
            raise
    return physical, {}, f"emptied s3://{name}: {count} object versions and delete markers"


def retain(event, name="ResourceProperties"):
    """Custom::RumLogRetention: (group, data, note). With CwLogEnabled, RUM keeps copies of its data in a log
    group of its own, which GetAppMonitor names (RUM API reference: CwLog.CwLogGroup, "The name of the log
    group where the copies are stored"); like any log group, it keeps events forever unless a retention is set."""
    p = props(event, name)
    monitor, days = text(p, "MonitorName"), int(text(p, "RetentionInDays", None, "[0-9]{1,4}", "a number of days"))
    group = client("rum").get_app_monitor(Name=monitor)["AppMonitor"].get("DataStorage", {}).get("CwLog", {}).get("CwLogGroup")  # noqa: E501
    # LogGroupName: 1 to 512 of these (botocore's logs service model), so the answer stays under LIMIT
    if not re.fullmatch("[-._/#A-Za-z0-9]{1,512}", group or ""):
        raise RuntimeError(f"RUM names no log group for {monitor} (is CwLogEnabled on?): {group!r:.99}")
    logs = client("logs")
    try:
        logs.create_log_group(logGroupName=group)  # if RUM has not made it yet
    except logs.exceptions.ResourceAlreadyExistsException:
        pass
    logs.put_retention_policy(logGroupName=group, retentionInDays=days)
    return group, {"LogGroup": group}, ""


def run(event, kind):
    """The work this request needs; returns (physical id, data, note)."""
    physical = event.get("PhysicalResourceId")
    if event.get("ResourceType") == "Custom::EmptyBucket":
        return empty(event, kind)
    if event.get("ResourceType") == RETENTION:
        return (physical, {}, "") if kind == "Delete" else retain(event)
    if kind == "Delete":
        return physical, {}, forget(event, physical)
    job, region = parse(event), client().meta.region_name
    host = f"{job['Bucket']}.s3.{region}.amazonaws.com" + (".cn" if region.startswith("cn-") else "")
    data = {"Url": f"https://{host}/{quote(job['Key'])}", "ETag": "0" * 64}
    if len(json.dumps(body(event, "SUCCESS", "", job["id"], data))) > LIMIT:
        raise Invalid(f"property Key makes the answer longer than CloudFormation's {LIMIT} bytes")
    data["ETag"] = write(job)["ETag"].strip('"')
    return job["id"], data, ""


def deadline(context):
    """Seconds left; 3 (the shortest timeout rumcfn gives the function) when the context cannot say."""
    try:
        left = float(context.get_remaining_time_in_millis()) / 1000
    except Exception:
        left = -1
    return min(left, 900) if left >= 0 else 3  # 900 s: Lambda's longest timeout (and NaN is not >= 0)


def handler(event, context):
    if not isinstance(event, dict) or not isinstance(event.get("ResponseURL"), str):
        print("not a CloudFormation request (no ResponseURL): nothing to answer")
        return
    answer, kind, timer = Answer(event), event.get("RequestType"), None
    try:  # everything from here on ends in exactly one answer
        left = deadline(context)
        timer = threading.Timer(max(0, left - min(20, left / 3)), answer, (
            "FAILED", f"{kind} did not finish before the Lambda timeout ({left:.0f} s)"))
        timer.daemon = True
        timer.start()
        if kind not in ("Create", "Update", "Delete"):
            raise Invalid(f"RequestType must be Create, Update or Delete, got {kind!r}")
        physical, data, note = run(event, kind)
        if not answer("SUCCESS", note, physical, data) and data:  # data: rum.js was written, or a retention set
            undo(event, kind)
    except Invalid as error:
        answer("FAILED", f"malformed event: {error}")
    except BaseException as error:
        if not answer("FAILED", f"{kind} failed: {error}"):
            print(f"after the answer: {error}")
    finally:
        if timer:
            timer.cancel()
            timer.join()  # a timer that is answering must finish before Lambda freezes the process
