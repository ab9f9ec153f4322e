"""Sets the retention of CloudWatch RUM's own log group for CloudFormation (inlined as index.py; stdlib + boto3).

With CwLogEnabled, RUM creates its log group itself, named after the monitor and its id, and never
expires it. A stack cannot declare that group as AWS::Logs::LogGroup (RUM made it first), so this
reads its name from GetAppMonitor and sets its retention. Delete leaves the group as it is: the
events in it are the account's, not the stack's.
"""
import json
import time
import urllib.request

import boto3

TRIES = 4  # PUTs of the answer, 0.5 s, 1 s, 2 s apart
PHYSICAL = "rum-log-retention"


def answer(event, status, reason, physical):
    """The one response CloudFormation waits for (PUT to its pre-signed URL, retried)."""
    body = {"Status": status, "Reason": reason[:2000], "PhysicalResourceId": physical, "Data": {}}
    body.update({k: event.get(k, "") for k in ("StackId", "RequestId", "LogicalResourceId")})
    print(json.dumps({k: body[k] for k in ("Status", "Reason", "PhysicalResourceId")}))
    for attempt in range(TRIES):
        try:
            put = urllib.request.Request(event["ResponseURL"], json.dumps(body).encode(), {"Content-Type": ""},
                                         method="PUT")
            with urllib.request.urlopen(put, timeout=4):
                return
        except Exception as error:
            print(f"answer attempt {attempt + 1} of {TRIES}: {error}")
            if attempt + 1 < TRIES:
                time.sleep(0.5 * 2 ** attempt)


def log_group(rum, monitor):
    """The group RUM writes to, as RUM names it (GetAppMonitor DataStorage.CwLog.CwLogGroup)."""
    found = rum.get_app_monitor(Name=monitor)["AppMonitor"]
    group = found.get("DataStorage", {}).get("CwLog", {}).get("CwLogGroup")
    if not group:
        raise ValueError(f"app monitor {monitor} reports no CloudWatch Logs group (is CwLogEnabled on?)")
    return group


def apply(logs, group, days):
    """Set the retention; create the group first if RUM has not yet."""
    try:
        logs.put_retention_policy(logGroupName=group, retentionInDays=days)
    except logs.exceptions.ResourceNotFoundException:
        logs.create_log_group(logGroupName=group)
        logs.put_retention_policy(logGroupName=group, retentionInDays=days)


def handler(event, context, rum=None, logs=None):
    physical = event.get("PhysicalResourceId") or PHYSICAL
    try:
        if event["RequestType"] != "Delete":
            props = event["ResourceProperties"]
            physical = log_group(rum or boto3.client("rum"), props["MonitorName"])
            apply(logs or boto3.client("logs"), physical, int(props["RetentionInDays"]))
        answer(event, "SUCCESS", "", physical)
    except Exception as error:
        answer(event, "FAILED", f"{type(error).__name__}: {error}", physical)
