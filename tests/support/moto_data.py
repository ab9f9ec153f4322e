"""Data put into moto: RUM metric samples and a stack that carries rumcfn's budget metadata."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from tests.support.aws import boto_client


def put_samples(url: str, monitor: str, metric: str, values, *, hours_ago: float = 1.0) -> None:
    """Samples for ``metric`` of ``monitor``, spread over the hours before now (inside a 7-day window)."""
    cloudwatch = boto_client("cloudwatch", url)
    now = datetime.now(timezone.utc)
    for index, value in enumerate(values):
        cloudwatch.put_metric_data(Namespace="AWS/RUM", MetricData=[{
            "MetricName": metric, "Value": float(value),
            "Dimensions": [{"Name": "application_name", "Value": monitor}],
            "Timestamp": now - timedelta(hours=hours_ago + index),
        }])


def stack_with_budgets(url: str, stack_name: str, monitor: str, budgets: dict, output: bool = True) -> None:
    """A stack in moto that carries rumcfn's budget metadata.

    moto cannot create rumcfn's real stack (it skips AWS::RUM::AppMonitor and then fails on the
    outputs' ``Fn::GetAtt``), so the stack holds a log group, the same ``Metadata.rumcfn`` block a
    real template has, and the ``AppMonitorName`` output as a literal.
    """
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Metadata": {"rumcfn": {"version": "0.1.0", "budgets": budgets}},
        "Resources": {"Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": f"/rum/{monitor}"}}},
    }
    if output:
        template["Outputs"] = {"AppMonitorName": {"Value": monitor}}
    boto_client("cloudformation", url).create_stack(StackName=stack_name, TemplateBody=json.dumps(template))
