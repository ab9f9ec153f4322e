"""CloudFormation custom resources (inlined as index.py; stdlib + boto3).

TYPES maps each resource type this function serves to (parse, run, undo): parse reads the request's
properties (Invalid says what is wrong), run does the work and returns (physical id, data, note), undo takes
back a write that landed after the timer had answered FAILED.
Custom::RumScript: Create/Update put Content at s3://Bucket/Key, Delete removes it. Custom::EmptyBucket:
when the stack is deleted (or its creation rolled back), Delete removes every object version and delete
marker from Bucket so that CloudFormation can delete the bucket; nothing else changes anything.
Custom::RumLogRetention: Create/Update set the retention of the log group CloudWatch RUM writes to for
MonitorName (creating it if RUM has not yet); Delete leaves the group and its events as they are.
Each request gets exactly one answer of at most 4,096 bytes: a timer answers FAILED before the Lambda's
own deadline, so CloudFormation never hangs, and a write that lands after that answer is undone. A Delete
never fails on a property it cannot read, nor on a denial: it keeps what it would have removed and says so.
"""
import hashlib
import json
import re
import threading
import time
import types
import urllib.error
import urllib.parse
import urllib.request

import boto3
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.loaders import create_loader

BUCKET = r"[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]"
# Physical ids this handler hands out: s3://bucket/key, or s3+sha256://bucket/<SHA-256 of the key> when
# that would be long (a PhysicalResourceId "can be up to 1 KB", and the whole answer must fit in 4 KB).
OURS = re.compile(f"s3(\\+sha256)?://({BUCKET})/(.{{1,1024}})", re.S)
LIMIT = 4096  # "The total size of the response body can't exceed 4096 bytes" (crpg-ref-responses)
TRIES = 4  # answer attempts, 0.5 s, 1 s, 2 s apart ...
ATTEMPT = 4  # ... each at most 4 s: 19.5 s in all, inside the timer's 20 s margin
# Redirects followed within one attempt: S3 redirects REST requests meant for another endpoint (307 Temporary
# Redirect, "Request redirection and the REST API"), and urllib never sends a PUT again on its own.
REDIRECTS, HOPS = (301, 302, 307, 308), 5
# Seconds to wait before trying a denied DeleteObject again: a policy CloudFormation has just updated can
# take a while to apply everywhere (IAM User Guide: changes are eventually consistent).
SETTLE = (1, 2, 4)
GONE = ("DELETE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS")  # stack statuses in which its buckets are deleted too
# Left as they are in the object's URL: its key's / and RFC 3986 sub-delimiters (rumcfn's script.key rule
# allows only these and unreserved characters), so a long key's URL is no longer than the key.
SAFE = "/!'()*"


class Invalid(Exception):
    """The event is malformed."""


class Denied(RuntimeError):
    """AWS answered AccessDenied."""


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
    """PUT the answer, following at most HOPS redirects, each to an https URL only."""
    try:
        for _ in range(HOPS + 1):
            request = urllib.request.Request(url, raw, {"Content-Type": ""}, method="PUT")  # signed for no type
            try:
                urllib.request.urlopen(request, timeout=ATTEMPT).close()
                result.append(None)
                return
            except urllib.error.HTTPError as error:
                error.close()
                if error.code not in REDIRECTS or not error.headers.get("Location"):
                    raise
                url = urllib.parse.urljoin(url, error.headers["Location"])
                if not url.startswith("https://"):
                    raise RuntimeError(f"{error.code} to a URL that is not https: not followed") from None
        raise RuntimeError(f"more than {HOPS} redirects")
    except Exception as error:
        result.append(error)


def body(e, status, reason, physical=None, data=None):
    b = {"Status": status, "Reason": reason, "PhysicalResourceId": physical or e.get("PhysicalResourceId")
         or e.get("RequestId") or "none", "Data": data or {}}
    b.update({k: e.get(k, "") for k in ("StackId", "RequestId", "LogicalResourceId")})
    return b


def fit(body):
    """JSON of at most LIMIT bytes: the reason cut to what fits, each character counted as JSON writes it
    (6 bytes escaped, 12 beyond the Basic Multilingual Plane)."""
    raw = json.dumps(body).encode()
    if len(raw) > LIMIT:
        room, keep = LIMIT - len(json.dumps(dict(body, Reason="...")).encode()), 0
        for char in body["Reason"]:
            room -= len(json.dumps(char)) - 2
            if room < 0:
                break
            keep += 1
        body["Reason"] = body["Reason"][:keep] + "..."
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


def bucket_job(event, name="ResourceProperties"):
    """The stack's partition, Region and account (from StackId) and the Bucket the request names."""
    p, arn = props(event, name), str(event.get("StackId")).split(":")
    if len(arn) < 6 or not re.fullmatch(r"\d{12}", arn[4]):
        raise Invalid("StackId must be a CloudFormation stack ARN")
    return {"partition": arn[1], "region": arn[3], "account": arn[4],
            "Bucket": text(p, "Bucket", None, BUCKET, "an S3 bucket name")}


def script_job(event, name="ResourceProperties"):
    """Custom::RumScript: the object, its content and headers, whether a Delete keeps it, and its id."""
    job, p = bucket_job(event, name), props(event, name)
    job.update({k: text(p, k) for k in ("Content", "ContentType", "CacheControl")},
               Key=text(p, "Key", None, "(?s).{1,1024}", "1 to 1024 characters"),
               keep=text(p, "RetainOnDelete", "false", "(?i)true|false", "true or false").lower() == "true",
               suffix=text(p, "UrlSuffix", "", "[-.a-z0-9]*", "a DNS suffix"))
    job["id"] = f"s3://{job['Bucket']}/{job['Key']}"
    if len(job["id"]) > 200:  # leaves the 4 KB answer room for the object's URL (see put_script)
        job["id"] = f"s3+sha256://{job['Bucket']}/{digest(job['Key'])}"
    return job


def digest(key):
    return hashlib.sha256(key.encode()).hexdigest()


def names(physical, job):
    """Whether ``physical``, in either form, names the job's object."""
    ours = OURS.fullmatch(str(physical))
    return bool(ours) and ours[2] == job["Bucket"] and ours[3] == (digest(job["Key"]) if ours[1] else job["Key"])


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
        kind = Denied if err.get("Code") == "AccessDenied" else RuntimeError
    except Exception as error:
        problem, kind = f"{type(error).__name__}: {error}", RuntimeError
    raise kind(f"{operation} s3://{job['Bucket']}/{job['Key']}: {problem}")


def client(service="s3"):
    config = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=15)
    return boto3.client(service, config=config)


def write(job):
    return s3("PutObject", job, Body=job["Content"].encode(), ContentType=job["ContentType"],
              CacheControl=job["CacheControl"])


def dns_suffix(region):
    """The partition's DNS suffix from the SDK's own data (botocore's partitions.json), for a request from
    before the template passed ``UrlSuffix`` (a rollback to an earlier version's properties)."""
    for partition in create_loader().load_data("partitions")["partitions"]:
        if region in partition["regions"] or re.match(partition["regionRegex"], region):
            return partition["outputs"]["dnsSuffix"]


def put_script(event, kind, job):
    """Custom::RumScript: write the object; on Delete, remove it (see forget).

    An Update that names the object the physical id already names keeps that id, in whatever form an earlier
    version gave it: a new id is a replacement to CloudFormation, whose cleanup Delete would remove the object
    just written. PreviousObjectArn names the object of the old properties: the template lets the role write and
    delete it too (AWS::IAM::RolePolicy reading this attribute), so that the cleanup Delete of a moved rum.js,
    which runs under the updated role, may remove it."""
    physical = event.get("PhysicalResourceId")
    if kind == "Delete":
        return physical, {}, forget(physical, job)
    if kind == "Update" and names(physical, job):
        job["id"] = physical
    try:
        old = script_job(event, "OldResourceProperties") if kind == "Update" else job
    except Invalid:
        old = job
    host = f"{job['Bucket']}.s3.{job['region']}.{job['suffix'] or dns_suffix(job['region'])}"
    data = {"Url": f"https://{host}/{urllib.parse.quote(job['Key'], safe=SAFE)}", "ETag": "0" * 64,
            "PreviousObjectArn": f"arn:{job['partition']}:s3:::{old['Bucket']}/{old['Key']}"}
    if len(json.dumps(body(event, "SUCCESS", "", job["id"], data))) > LIMIT:
        raise Invalid(f"property Key makes the answer longer than CloudFormation's {LIMIT} bytes")
    data["ETag"] = write(job)["ETag"].strip('"')
    return job["id"], data, ""


def forget(physical, job):
    """Delete the object ``physical`` names unless it is to be kept; returns what it did. A denial (a bucket now
    of another account, a role without the grant) keeps the object: deleting the stack must never get stuck."""
    ours = OURS.fullmatch(str(physical))
    if not ours:
        return ""  # not ours: e.g. the id of a failed Create; touch nothing
    if ours[1] and not names(physical, job):
        return f"kept {physical}: properties Bucket and Key do not match it"
    if not ours[1]:
        job.update(Bucket=ours[2], Key=ours[3])
    if job["keep"]:
        return f"kept {physical}: RetainOnDelete"
    for wait in (*SETTLE, None):
        try:
            s3("DeleteObject", job)
            return ""
        except Denied as error:
            if wait is None or time.monotonic() + wait > job["until"]:
                return f"kept {physical}: {error}"
            time.sleep(wait)


def take_back(event, kind):
    """The timer answered FAILED while rum.js was being written: leave what CloudFormation now believes."""
    job = script_job(event)
    try:
        old = script_job(event, "OldResourceProperties")
    except Invalid:
        old = job
    if kind == "Update" and (old["Bucket"], old["Key"]) == (job["Bucket"], job["Key"]):
        write(old)  # what CloudFormation's rollback writes too
    else:
        s3("DeleteObject", job)
    print(f"undid the late {kind} of {job['id']}")


def empty(event, kind, job):
    """Custom::EmptyBucket: on Delete while the stack is being deleted, every version and delete marker."""
    physical = event.get("PhysicalResourceId")
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


def retention_job(event, name="ResourceProperties"):
    p = props(event, name)
    return {"monitor": text(p, "MonitorName"),
            "days": int(text(p, "RetentionInDays", None, "[0-9]{1,4}", "a number of days"))}


def set_retention(event, kind, job):
    """Custom::RumLogRetention: (group, data, note). With CwLogEnabled, RUM keeps copies of its data in a log
    group of its own, which GetAppMonitor names (RUM API reference: CwLog.CwLogGroup, "The name of the log
    group where the copies are stored"); like any log group, it keeps events forever unless a retention is set.
    Delete leaves the group, its retention and its events."""
    if kind == "Delete":
        return event.get("PhysicalResourceId"), {}, ""
    monitor = job["monitor"]
    group = client("rum").get_app_monitor(Name=monitor)["AppMonitor"].get("DataStorage", {}).get("CwLog", {}).get("CwLogGroup")  # noqa: E501
    # LogGroupName: 1 to 512 of these (botocore's logs service model), so the answer stays under LIMIT
    if not re.fullmatch("[-._/#A-Za-z0-9]{1,512}", group or ""):
        raise RuntimeError(f"RUM names no log group for {monitor} (is CwLogEnabled on?): {group!r:.99}")
    logs = client("logs")
    try:
        logs.create_log_group(logGroupName=group)  # if RUM has not made it yet
    except logs.exceptions.ResourceAlreadyExistsException:
        pass
    logs.put_retention_policy(logGroupName=group, retentionInDays=job["days"])
    return group, {"LogGroup": group}, ""


def reset_retention(event, kind):
    """An Update's late retention goes back to the old one, as a rollback sets it; a Create's stays, as its
    Delete would leave it."""
    if kind == "Update":
        set_retention(event, kind, retention_job(event, "OldResourceProperties"))


def unknown(event, name="ResourceProperties"):
    raise Invalid(f"ResourceType must be one of {', '.join(TYPES)}")


TYPES = types.MappingProxyType({
    "Custom::RumScript": (script_job, put_script, take_back),
    "Custom::EmptyBucket": (bucket_job, empty, None),
    "Custom::RumLogRetention": (retention_job, set_retention, reset_retention),
})


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
        at = max(0, left - min(20, left / 3))
        late = f"{kind} did not finish before the Lambda timeout ({left:.0f} s)"
        timer = threading.Timer(at, answer, ("FAILED", late))
        timer.daemon = True
        timer.start()
        if kind not in ("Create", "Update", "Delete"):
            raise Invalid(f"RequestType must be Create, Update or Delete, got {kind!r}")
        parse, run, undo = TYPES.get(event.get("ResourceType"), (unknown, None, None))
        physical = event.get("PhysicalResourceId")
        try:
            job = parse(event)
        except Invalid as error:
            if kind != "Delete":
                raise
            physical, data, note = physical, {}, f"kept {physical}: {error}"  # a Delete never fails on its properties
        else:
            job["until"] = time.monotonic() + at - 1  # work that may wait stops waiting before the timer answers
            physical, data, note = run(event, kind, job)
        if not answer("SUCCESS", note, physical, data) and data and undo:  # data: something was written or set
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
