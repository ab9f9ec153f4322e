"""The budget gate's data from AWS: a deployed stack's monitor and budgets (CloudFormation), and each budget's
metric over the window (CloudWatch ``GetMetricData``), judged by :mod:`rumcfn.gate.judge`.

One datapoint per budget: the budget's statistic (``p75`` by default for vitals, the average for counts) over
the whole window, so a percentile is computed over every sample and never averaged across periods. Site
budgets read ``AWS/RUM`` with dimension ``application_name``; a segment's add its dimensions (``PageId``,
``DeviceType`` ...); a release's read the stack's per-release custom metrics (``RUM/CustomMetrics/<namespace>``,
dimension ``ReleaseId``). boto3 is imported only when a client is made.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from rumcfn.aws.errors import translated
from rumcfn.aws.stacks import StackNotFound, deployed_template, find_stack
from rumcfn.contract import Budget, Outputs, Releases, StackMetadata
from rumcfn.errors import OperationFailed
from rumcfn.facts import MAX_METRIC_DATA_QUERIES, RUM_DIMENSION, RUM_NAMESPACE, cloudwatch_statistic
from rumcfn.gate.judge import Gate, Measure, Report, budgets_to_judge, report_of, window
from rumcfn.gate.target import Target


def from_stack(cloudformation, stack_name: str) -> Target:
    """The monitor name (the ``AppMonitorName`` output, else the ``AWS::RUM::AppMonitor`` resource's physical id),
    budgets and release metrics of a deployed stack."""
    with translated():
        stack = find_stack(cloudformation, stack_name)
        if stack is None:
            raise StackNotFound(stack_name)
        template = deployed_template(cloudformation, stack_name)
        recorded = StackMetadata.from_template(template.get("Metadata"), f"stack {stack_name}")
        outputs = {o["OutputKey"]: o.get("OutputValue") for o in (stack.get("Outputs") or [])}
        name = outputs.get(Outputs.APP_MONITOR_NAME)
        if not name:
            logical = next((key for key, res in (template.get("Resources") or {}).items()
                            if res.get("Type") == "AWS::RUM::AppMonitor"), None)
            if logical:
                resource = cloudformation.describe_stack_resource(StackName=stack_name, LogicalResourceId=logical)
                name = resource["StackResourceDetail"].get("PhysicalResourceId")
    if not name:
        raise OperationFailed(f"stack {stack_name} has no {Outputs.APP_MONITOR_NAME} output and no "
                              "AWS::RUM::AppMonitor resource (was it built by rumcfn?)")
    return Target.checked(name, recorded, f"stack {stack_name}")


# --- CloudWatch ----------------------------------------------------------------------------------------


def series(app_monitor: str, budget: Budget, release: str | None = None, releases: Releases | None = None) -> dict:
    """The CloudWatch metric a budget is judged on: the monitor's (and segment's) in ``AWS/RUM``, or a release's."""
    if release is not None and releases is not None:
        return {"Namespace": releases.namespace, "MetricName": budget.metric,
                "Dimensions": [{"Name": releases.dimension, "Value": release}]}
    dimensions = [{"Name": RUM_DIMENSION, "Value": app_monitor}] + [
        {"Name": name, "Value": value} for name, value in budget.dimensions]
    return {"Namespace": RUM_NAMESPACE, "MetricName": budget.metric, "Dimensions": dimensions}


def queries(app_monitor: str, budgets: list[Budget], period: int, *, prefix: str = "", release: str | None = None,
            releases: Releases | None = None) -> list[dict[str, Any]]:
    """Two queries per budget: the statistic (``vN``) and the sample count (``nN``), one period each."""
    result = []
    for index, budget in enumerate(budgets):
        metric = series(app_monitor, budget, release, releases)
        for kind, stat in (("v", cloudwatch_statistic(budget.statistic)), ("n", "SampleCount")):
            result.append(
                {
                    "Id": f"{prefix}{kind}{index}",
                    "MetricStat": {"Metric": metric, "Period": period, "Stat": stat},
                    "ReturnData": True,
                }
            )
    return result


def fetch(cloudwatch, requests: list[dict[str, Any]], start: datetime, end: datetime) -> dict[str, list[float]]:
    """Values by query id; at most 500 metrics per GetMetricData request, every page of each."""
    values: dict[str, list[float]] = {}
    with translated():
        paginator = cloudwatch.get_paginator("get_metric_data")
        for first in range(0, len(requests), MAX_METRIC_DATA_QUERIES):
            chunk = requests[first : first + MAX_METRIC_DATA_QUERIES]
            for page in paginator.paginate(
                MetricDataQueries=chunk, StartTime=start, EndTime=end, ScanBy="TimestampDescending"
            ):
                for item in page.get("MetricDataResults", []):
                    # Vitals are durations and scores, counts are counts: a negative or infinite value is
                    # impossible, so it is not a measurement (it would pass every budget, or fail it forever).
                    values.setdefault(item["Id"], []).extend(
                        v for v in item.get("Values", []) if v is not None and math.isfinite(v) and v >= 0
                    )
    return values


def _value(values: dict[str, list[float]], prefix: str, index: int) -> Measure:
    """(the statistic, the samples); one period spans the window, so if CloudWatch split it, be strict."""
    found = values.get(f"{prefix}v{index}", [])
    return (max(found) if found else None), sum(values.get(f"{prefix}n{index}", []))


def check(cloudwatch, target: Target, gate: Gate | None = None, now: datetime | None = None) -> Report:
    """Fetch one value per budget (and per baseline) over the window and judge it."""
    gate = gate or Gate()
    start, end = window(gate.days, now)
    budgets = budgets_to_judge(target, gate)
    if not budgets:
        return report_of(target, gate, start, end, [], [])
    period = gate.days * 86_400
    own = dict(release=gate.release, releases=target.releases)
    values = fetch(cloudwatch, queries(target.app_monitor, budgets, period, **own), start, end)
    base: dict[str, list[float]] = {}
    if gate.against:
        base = fetch(
            cloudwatch,
            queries(target.app_monitor, budgets, period, prefix="b", release=gate.against, releases=target.releases),
            start,
            end,
        )
    elif gate.baseline:
        base = fetch(
            cloudwatch,
            queries(target.app_monitor, budgets, period, prefix="b", **own),
            start - timedelta(days=gate.days),
            start,
        )
    measured = [_value(values, "", index) for index in range(len(budgets))]
    baselines = [_value(base, "b", index) for index in range(len(budgets))] if gate.compares else []
    return report_of(target, gate, start, end, budgets, measured, baselines)


def clients(aws):
    """CloudFormation and CloudWatch clients of an :class:`rumcfn.aws.session.Aws`, made on first use (boto3 is
    imported only then), with the same session, retries and one-line errors as the deploy commands."""
    return _Lazy(aws, "cloudformation"), _Lazy(aws, "cloudwatch")


class _Lazy:
    """A client created on first attribute access: ``--monitor.name`` never needs CloudFormation."""

    def __init__(self, aws, service: str):
        self._aws, self._service = aws, service

    def __getattr__(self, name: str):
        return getattr(self._aws.client(self._service), name)
