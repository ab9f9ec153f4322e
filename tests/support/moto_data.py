"""Data put into moto: RUM metric samples and a stack that carries rumcfn's budget metadata."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from rumcfn.contract import METADATA_KEY, Outputs
from tests.support.aws import boto_client


def put_samples(url: str, monitor: str | None, metric: str, values, *, hours_ago: float = 1.0,
                dimensions: dict[str, str] | None = None, namespace: str = "AWS/RUM") -> None:
    """Samples for ``metric`` of ``monitor``, spread over the hours before now (inside a 7-day window).

    ``dimensions`` are a segment's (``PageId`` ...) or a release's (``ReleaseId``, with ``monitor`` None and the
    stack's custom ``namespace``), as RUM publishes them."""
    cloudwatch = boto_client("cloudwatch", url)
    now = datetime.now(timezone.utc)
    extra = [{"Name": name, "Value": value} for name, value in (dimensions or {}).items()]
    own = [{"Name": "application_name", "Value": monitor}] if monitor is not None else []
    for index, value in enumerate(values):
        cloudwatch.put_metric_data(Namespace=namespace, MetricData=[{
            "MetricName": metric, "Value": float(value), "Dimensions": own + extra,
            "Timestamp": now - timedelta(hours=hours_ago + index),
        }])


def stack_with_budgets(url: str, stack_name: str, monitor: str, budgets: dict, output: bool = True,
                       metadata: dict | None = None) -> None:
    """A stack in moto that carries rumcfn's budget metadata.

    moto cannot create rumcfn's real stack (it skips AWS::RUM::AppMonitor and then fails on the
    outputs' ``Fn::GetAtt``), so the stack holds a log group, the same ``Metadata.rumcfn`` block a
    real template has (``metadata``: its segments and releases), and the ``AppMonitorName`` output as a literal.
    """
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Metadata": {METADATA_KEY: {"version": "0.1.0", "budgets": budgets, **(metadata or {})}},
        "Resources": {"Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": f"/rum/{monitor}"}}},
    }
    if output:
        template["Outputs"] = {Outputs.APP_MONITOR_NAME: {"Value": monitor}}
    boto_client("cloudformation", url).create_stack(StackName=stack_name, TemplateBody=json.dumps(template))
