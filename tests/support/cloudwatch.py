"""A stand-in CloudWatch for PutMetricData on 127.0.0.1, enforcing what AWS would: the request against botocore's
own model of the operation (required members, types, lengths, patterns, enums, list sizes; values finite, as the
operation's documentation says), and the caller's identity policy (the ``cloudwatch:namespace`` condition of the
statements that allow ``cloudwatch:PutMetricData``). It speaks the JSON the SDK stand-in of
``tests/canary/modules/@aws-sdk/client-cloudwatch`` posts, and keeps every accepted call."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from tests.support.http import QuietHandler, Server


def put_metric_data_shape():
    import botocore.session

    return botocore.session.get_session().get_service_model("cloudwatch").operation_model("PutMetricData").input_shape


def problems(shape, value: Any, path: str) -> list[str]:
    """What breaks the model's limits (botocore's own validator checks types, required members and minimums)."""
    found = []
    if shape.type_name == "structure" and isinstance(value, dict):
        for name, member in shape.members.items():
            if name in value:
                found += problems(member, value[name], f"{path}.{name}")
    elif shape.type_name == "list" and isinstance(value, list):
        if "max" in shape.metadata and len(value) > shape.metadata["max"]:
            found.append(f"{path}: more than {shape.metadata['max']} entries")
        for index, item in enumerate(value):
            found += problems(shape.member, item, f"{path}[{index}]")
    elif shape.type_name == "string" and isinstance(value, str):
        if "max" in shape.metadata and len(value) > shape.metadata["max"]:
            found.append(f"{path}: longer than {shape.metadata['max']}")
        if "pattern" in shape.metadata and not re.fullmatch(shape.metadata["pattern"], value):
            found.append(f"{path}: does not match {shape.metadata['pattern']}")
        if shape.enum and value not in shape.enum:
            found.append(f"{path}: not one of {shape.enum}")
    elif shape.type_name == "double" and isinstance(value, (int, float)) and not math.isfinite(value):
        found.append(f"{path}: NaN and infinities are not supported")
    return found


class Handler(QuietHandler):
    server_obj: "CloudWatchStandIn"

    def do_POST(self):
        from botocore.validate import ParamValidator

        request = json.loads(self.body() or b"{}")
        operation, params = request.get("Operation"), request.get("Input") or {}
        standin = self.server_obj
        if operation != "PutMetricData":
            return self.error(400, "InvalidAction", f"the stand-in serves PutMetricData, not {operation}")
        shape = put_metric_data_shape()
        report = ParamValidator().validate(params, shape)
        found = ([report.generate_report()] if report.has_errors() else []) + problems(shape, params, "PutMetricData")
        namespace = params.get("Namespace", "")
        if isinstance(namespace, str) and (namespace.startswith("AWS/") or not namespace.isascii()):
            found.append("Namespace: ASCII, and not starting with AWS/ (reserved for AWS services)")
        if len(params.get("MetricData") or []) > 1000:
            found.append("MetricData: at most 1000 metrics per request")
        if found:
            return self.error(400, "InvalidParameterValue", "; ".join(found))
        if namespace not in standin.allowed_namespaces:
            return self.error(403, "AccessDenied", f"User: {standin.principal} is not authorized to perform: "
                              "cloudwatch:PutMetricData because no identity-based policy allows the "
                              f"cloudwatch:PutMetricData action (namespace {namespace})")
        standin.calls.append(params)
        self.reply(200, b"{}", "application/json")

    def error(self, status: int, code: str, message: str) -> None:
        self.server_obj.refused.append(f"{code}: {message}")
        self.reply(status, json.dumps({"Code": code, "Message": message}).encode(), "application/json")


class CloudWatchStandIn(Server):
    """``allowed_namespaces``: what the caller's role lets it put (see :func:`namespaces_allowed`)."""

    handler = Handler

    def __init__(self, allowed_namespaces: set[str], principal: str = "arn:aws:sts::123456789012:assumed-role/canary"):
        self.allowed_namespaces = set(allowed_namespaces)
        self.principal = principal
        self.calls: list[dict] = []
        self.refused: list[str] = []
        super().__init__()


def namespaces_allowed(role: dict) -> set[str]:
    """The namespaces an ``AWS::IAM::Role`` resource's inline policies let it put metrics in: every statement that
    allows ``cloudwatch:PutMetricData`` must carry a ``StringEquals`` on ``cloudwatch:namespace`` (none may allow
    every namespace); its literal values."""
    allowed = set()
    for policy in role["Properties"].get("Policies", []):
        for statement in policy["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if statement["Effect"] != "Allow" or not {"cloudwatch:PutMetricData", "cloudwatch:*", "*"} & set(actions):
                continue
            values = statement.get("Condition", {}).get("StringEquals", {}).get("cloudwatch:namespace")
            assert values is not None, f"statement {statement.get('Sid')} lets the role put metrics in any namespace"
            allowed.update(values if isinstance(values, list) else [values])
    return allowed
