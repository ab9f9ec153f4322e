"""The budget gate: compare a deployed monitor's Web Vitals with the budgets its stack was built with.

Budgets come from the stack itself (``Metadata.rumcfn.budgets`` of the deployed template) or from
settings; values come from CloudWatch ``GetMetricData`` in ``AWS/RUM`` with dimension
``application_name``: one datapoint per budget, the configured statistic (``p75`` by default) over
the whole window, so a percentile is computed over every sample and never averaged across periods.

A budget passes when the value is at most the budget. :func:`check` returns a :class:`Report`;
the CLI turns it into exit codes: 0 all budgets met, 1 a budget broken, 3 not enough data.
boto3 is imported only when a client is made.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping

from rumcfn.aws.errors import AwsError, translated
from rumcfn.aws.stacks import deployed_template, find_stack
from rumcfn.aws.views import table as text_table
from rumcfn.config import Budget
from rumcfn.errors import RumcfnError, StackNotFound
from rumcfn.facts import BUDGET_METRICS, RUM_DIMENSION, RUM_NAMESPACE, cloudwatch_statistic

PASS, FAIL, NO_DATA = "pass", "FAIL", "no data"


class BudgetsBroken(RumcfnError):
    """At least one vital is over its budget."""

    exit_code = 1


class NotEnoughData(RumcfnError):
    """The gate cannot decide: too few samples, or no budgets at all."""

    exit_code = 3


class MalformedMetadata(RumcfnError):
    """The template's ``Metadata.rumcfn.budgets`` is not what rumcfn writes."""


@dataclass
class Result:
    key: str
    metric: str
    statistic: str
    budget: float
    value: float | None = None
    samples: float | None = None
    status: str = NO_DATA


@dataclass
class Report:
    app_monitor: str
    days: int
    start: str
    end: str
    results: list[Result] = field(default_factory=list)

    @property
    def status(self) -> str:
        """``FAIL`` if any budget is broken, else ``no data`` if any lacks data (or none exist), else ``pass``."""
        statuses = {r.status for r in self.results}
        if FAIL in statuses:
            return FAIL
        if NO_DATA in statuses or not self.results:
            return NO_DATA
        return PASS

    def broken(self) -> list[Result]:
        return [r for r in self.results if r.status == FAIL]

    def missing(self) -> list[Result]:
        return [r for r in self.results if r.status == NO_DATA]

    def as_dict(self) -> dict[str, Any]:
        return {"app_monitor": self.app_monitor, "days": self.days, "start": self.start, "end": self.end,
                "status": {PASS: "pass", FAIL: "fail", NO_DATA: "no-data"}[self.status],
                "budgets": [asdict(r) | {"status": {PASS: "pass", FAIL: "fail", NO_DATA: "no-data"}[r.status]}
                            for r in self.results]}


# --- where budgets come from ---------------------------------------------------------------------


def budgets_from_metadata(metadata: Mapping[str, Any] | None) -> list[Budget]:
    """Budgets from a template's ``Metadata`` (``rumcfn.budgets``), in the stored order."""
    entries = ((metadata or {}).get("rumcfn") or {}).get("budgets") or {}
    budgets = []
    for key, entry in entries.items():
        try:
            budgets.append(Budget.from_metadata(key, entry))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise MalformedMetadata(f"stack metadata: budget {key!r} is malformed ({entry!r}: {error})") from None
    return budgets


def budgets_from_settings(settings) -> list[Budget]:
    """Budgets exactly as a stack built from ``settings`` records them."""
    return settings.budgets.budgets()


def from_stack(cloudformation, stack_name: str) -> tuple[str, list[Budget]]:
    """The monitor name and budgets of a deployed stack: ``AppMonitorName`` output (else the
    ``AWS::RUM::AppMonitor`` resource's physical id) and the template's budget metadata."""
    with translated():
        stack = find_stack(cloudformation, stack_name)
        if stack is None:
            raise StackNotFound(stack_name)
        template = deployed_template(cloudformation, stack_name)
        outputs = {o["OutputKey"]: o.get("OutputValue") for o in (stack.get("Outputs") or [])}
        name = outputs.get("AppMonitorName")
        if not name:
            logical = next((key for key, res in (template.get("Resources") or {}).items()
                            if res.get("Type") == "AWS::RUM::AppMonitor"), None)
            if logical:
                resource = cloudformation.describe_stack_resource(StackName=stack_name, LogicalResourceId=logical)
                name = resource["StackResourceDetail"].get("PhysicalResourceId")
    if not name:
        raise MalformedMetadata(f"stack {stack_name!r} has no AppMonitorName output and no AWS::RUM::AppMonitor resource")
    return name, budgets_from_metadata(template.get("Metadata"))


# --- the check ------------------------------------------------------------------------------------


def window(days: int, now: datetime | None = None) -> tuple[datetime, datetime]:
    """``days`` ending at the current minute (CloudWatch aligns periods on whole minutes)."""
    end = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(second=0, microsecond=0)
    return end - timedelta(days=days), end


def queries(app_monitor: str, budgets: list[Budget], period: int) -> list[dict[str, Any]]:
    """Two queries per budget: the statistic (``vN``) and the sample count (``nN``), one period each."""
    result = []
    for index, budget in enumerate(budgets):
        metric = {"Namespace": RUM_NAMESPACE, "MetricName": budget.metric,
                  "Dimensions": [{"Name": RUM_DIMENSION, "Value": app_monitor}]}
        for prefix, stat in (("v", cloudwatch_statistic(budget.statistic)), ("n", "SampleCount")):
            result.append({"Id": f"{prefix}{index}", "MetricStat": {"Metric": metric, "Period": period, "Stat": stat},
                           "ReturnData": True})
    return result


def check(cloudwatch, app_monitor: str, budgets: list[Budget], *, days: int = 7, min_samples: int = 1,
          now: datetime | None = None) -> Report:
    """Fetch one value per budget over the last ``days`` and judge it (value <= budget passes)."""
    start, end = window(days, now)
    report = Report(app_monitor, days, start.isoformat(), end.isoformat())
    if not budgets:
        return report
    period = days * 86_400
    values: dict[str, list[float]] = {}
    with translated():
        paginator = cloudwatch.get_paginator("get_metric_data")
        for page in paginator.paginate(MetricDataQueries=queries(app_monitor, budgets, period),
                                       StartTime=start, EndTime=end, ScanBy="TimestampDescending"):
            for item in page.get("MetricDataResults", []):
                values.setdefault(item["Id"], []).extend(v for v in item.get("Values", []) if v is not None)
    for index, budget in enumerate(budgets):
        result = Result(budget.key, budget.metric, budget.statistic, budget.budget)
        found = [v for v in values.get(f"v{index}", []) if not math.isnan(v)]
        samples = sum(values.get(f"n{index}", []))
        result.samples = samples
        if found and samples >= min_samples:
            # One period spans the window, so there is one value; if CloudWatch split it, be strict.
            result.value = max(found)
            result.status = PASS if result.value <= budget.budget else FAIL
        report.results.append(result)
    return report


def verdict(report: Report) -> None:
    """Raise the error whose exit code matches the report (1 broken, 3 not enough data)."""
    if report.status == FAIL:
        names = ", ".join(f"{r.key} {_num(r.value)} > {_num(r.budget)}" for r in report.broken())
        raise BudgetsBroken(f"{report.app_monitor}: {len(report.broken())} of {len(report.results)} budget(s) broken ({names})")
    if not report.results:
        raise NotEnoughData(f"{report.app_monitor}: no budgets to check (all budgets are off)")
    if report.status == NO_DATA:
        names = ", ".join(r.key for r in report.missing())
        raise NotEnoughData(f"{report.app_monitor}: not enough data in the last {report.days} day(s) for {names}")


# --- presentation ---------------------------------------------------------------------------------


def _num(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.4g}" if abs(value) < 10 else f"{value:,.0f}"


def table(report: Report) -> str:
    rows = []
    for r in report.results:
        known = BUDGET_METRICS.get(r.key)
        unit = f" {known.unit}" if known and known.unit else ""
        rows.append((r.key, r.metric, r.statistic, _num(r.value) + (unit if r.value is not None else ""),
                     _num(r.budget) + unit, _num(r.samples) if r.samples else "0", r.status))
    body = text_table(("vital", "metric", "statistic", "value", "budget", "samples", "result"), rows, rules=False)
    return (f"{body}\n{report.app_monitor}: {report.status} over the last {report.days} day(s) "
            f"({report.start} to {report.end})\n")


def to_json(report: Report) -> str:
    return json.dumps(report.as_dict(), indent=2) + "\n"


# --- AWS plumbing ---------------------------------------------------------------------------------


def clients(aws):
    """CloudFormation and CloudWatch clients of an :class:`rumcfn.aws.session.Aws`, made on first use (boto3 is
    imported only then), with the same session, retries and one-line errors as the deploy commands."""
    return _Lazy(aws, "cloudformation"), _Lazy(aws, "cloudwatch")


class _Lazy:
    """A client created on first attribute access: ``--app-monitor-name`` never needs CloudFormation."""

    def __init__(self, aws, service: str):
        self._aws, self._service = aws, service

    def __getattr__(self, name: str):
        return getattr(self._aws.client(self._service), name)


__all__ = ["Budget", "Result", "Report", "check", "verdict", "from_stack", "budgets_from_metadata",
           "budgets_from_settings", "table", "to_json", "clients", "BudgetsBroken", "NotEnoughData",
           "StackNotFound", "MalformedMetadata", "AwsError"]
