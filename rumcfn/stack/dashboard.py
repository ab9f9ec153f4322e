"""The CloudWatch dashboard: each budgeted metric at its alarm statistic with the budget drawn as a
line, alarm states, the canary, errors, traffic and navigation satisfaction.

The body is compact JSON inside ``Fn::Sub``, so the region, the monitor and canary names and the
alarm ARNs resolve at deploy time (also when they are template parameters).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from troposphere import Equals, FindInMap, Or, Ref, Sub, Template, cloudwatch

from rumcfn.config import Settings
from rumcfn.facts import (
    BUDGET_METRICS,
    CANARY_NAMESPACE,
    CONSOLE_HOSTS,
    LAB_METRICS,
    LAB_NAMESPACE_PREFIX,
    MAX_ALARM_WIDGET_ALARMS,
    RUM_DIMENSION,
    RUM_NAMESPACE,
    cloudwatch_statistic,
)
from rumcfn.stack.alarms import Alarms

WIDTH = 8  # three widgets per row on the 24-column grid
HEIGHT = 6
#: Console host per partition, for the DashboardUrl output, which only partitions with a console get.
CONSOLE_MAPPING = "ConsoleDomain"
HAS_CONSOLE = "HasConsole"


@dataclass(frozen=True)
class Dashboard:
    dashboard: cloudwatch.Dashboard
    url: Any  # the console URL (an Fn::Sub)
    condition: str  # true where the partition has a console, so the URL output exists only there


def _rum(metric: str, first: bool = True) -> list:
    """An AWS/RUM metric of this monitor; later lines of a widget use the console's "." shorthand."""
    return [RUM_NAMESPACE, metric, RUM_DIMENSION, "${MonitorName}"] if first else [".", metric, ".", "."]


def _rums(*metrics: str) -> list:
    return [_rum(metric, index == 0) for index, metric in enumerate(metrics)]


def _metric_widget(title: str, metrics: list, stat: str, annotations: list | None = None) -> dict:
    """A time series (the default view, 300 s period) on the monitor's region."""
    props: dict[str, Any] = {"title": title, "region": "${AWS::Region}", "stat": stat, "metrics": metrics}
    if annotations:
        props["annotations"] = {"horizontal": annotations}
    return {"type": "metric", "properties": props}


def _canary_lines(metric: str, locations: tuple[str, ...]) -> list:
    """The canary's metric, one line per location when it runs from several.

    SuccessPercent per replica is the series its alarm watches: the primary Region's, with a ``Location``
    dimension. Other metrics are drawn from the replica's own Region, where each replica also publishes
    its metrics under its name (CloudWatch Synthetics guide, "Monitoring and troubleshooting
    multilocation canaries")."""
    first = [CANARY_NAMESPACE, metric, "CanaryName", "${CanaryName}"]
    if not locations:
        return [first]
    lines = [first + [{"label": "${AWS::Region}"}]]
    for location in locations:
        if metric == "SuccessPercent":
            lines.append([".", ".", ".", ".", "Location", location, {"label": location}])
        else:
            lines.append([".", ".", ".", ".", {"label": location, "region": location}])
    return lines


def widgets(settings: Settings, alarms: Alarms | None, canary: bool) -> list[dict]:
    """The widgets, in reading order (budgets first)."""
    result = []
    critical = {level.key for level in settings.budgets.levels() if level.level == "critical"}
    for key, budget in settings.budgets.active().items():
        metric = BUDGET_METRICS[key]
        stat = cloudwatch_statistic(settings.budgets.statistic_of(key))
        lines = [{"label": "budget", "value": budget}]
        if key in critical:
            lines.append({"label": "poor", "value": metric.poor, "color": "#d62728"})
        unit = f", {metric.unit}" if metric.unit else ""
        title = f"{_title(key)} ({stat}{unit})"
        result.append(_metric_widget(title, [_rum(metric.metric)], stat, lines))
    if alarms is not None and alarms.alarms:
        result += alarm_widgets(alarms)
    if canary:
        result.append(
            _metric_widget("Canary success %", _canary_lines("SuccessPercent", settings.canary.locations), "Average")
        )
        result.append(
            _metric_widget("Canary duration (ms)", _canary_lines("Duration", settings.canary.locations), "Average")
        )
    result.append(_metric_widget("Errors", _rums("JsErrorCount", "Http4xxCount", "Http5xxCount"), "Sum"))
    result.append(_metric_widget("Page views and sessions", _rums("PageViewCount", "SessionCount"), "Sum"))
    result.append(
        _metric_widget(
            "Navigations",
            _rums(*(f"Navigation{k}Transaction" for k in ("Satisfied", "Tolerated", "Frustrated"))),
            "Sum",
        )
    )
    for index, widget in enumerate(result):
        widget.update(x=(index % 3) * WIDTH, y=(index // 3) * HEIGHT, width=WIDTH, height=HEIGHT)
    y = ((len(result) + 2) // 3) * HEIGHT
    if canary and settings.canary.lab_vitals:
        result.extend(lab_row(settings, y))
        y += HEIGHT
    for row, segment in enumerate(settings.budgets.segments):
        result.extend(segment_row(settings, segment, y + row * HEIGHT))
    return result


def alarm_widgets(alarms: Alarms) -> list[dict]:
    """The site-health alarm (not its parts) and every alarm, at most 100 to a widget."""
    shown = ((alarms.composite,) if alarms.composite is not None else ()) + alarms.alarms + tuple(
        lab.alarm for lab in alarms.lab if lab.alarm not in alarms.alarms)
    arns = ["${%s.Arn}" % alarm.title for alarm in shown]
    chunks = [arns[start:start + MAX_ALARM_WIDGET_ALARMS] for start in range(0, len(arns), MAX_ALARM_WIDGET_ALARMS)]
    return [
        {"type": "alarm", "properties": {
            "title": "Alarms" if len(chunks) == 1 else f"Alarms ({number} of {len(chunks)})", "alarms": chunk}}
        for number, chunk in enumerate(chunks, 1)
    ]


#: The canary's lab namespace in the body's Fn::Sub (stack/canary.py lab_namespace, with the monitor's name).
LAB_NAMESPACE = LAB_NAMESPACE_PREFIX + "${MonitorName}"


def lab_row(settings: Settings, y: int) -> list[dict]:
    """Lab and field side by side: each budgeted vital the canary measures, RUM's value and the canary's on one
    widget at the budget's statistic with the budget line; then the lab's FCP and TTFB, which have no budget."""
    row = []
    for key, budget in settings.budgets.active().items():
        lab = next((m for m in LAB_METRICS.values() if m.budget == key), None)
        if lab is None:
            continue
        metric = BUDGET_METRICS[key]
        stat = cloudwatch_statistic(settings.budgets.statistic_of(key))
        unit = f", {metric.unit}" if metric.unit else ""
        lines = [_rum(metric.metric) + [{"label": "field (RUM)"}],
                 [LAB_NAMESPACE, lab.metric, {"label": "lab (canary)"}]]
        row.append(_metric_widget(f"{_title(key)}: lab and field ({stat}{unit})", lines, stat,
                                  [{"label": "budget", "value": budget}]))
    extra = [m for m in LAB_METRICS.values() if m.budget is None]
    row.append(_metric_widget(
        "Lab: " + " and ".join(m.key.upper() for m in extra) + " (p75, ms)",
        [[LAB_NAMESPACE, m.metric, {"label": m.key.upper()}] for m in extra], "p75"))
    width = 24 // len(row)
    for index, widget in enumerate(row):
        widget.update(x=index * width, y=y, width=width, height=HEIGHT)
    return row


def _title(key: str) -> str:
    return key.upper() if len(key) <= 3 else key.replace("_", " ")


def segment_row(settings: Settings, segment, y: int) -> list[dict]:
    """One row per segment: each of its vitals (the extended metric with its dimensions) and its budget line."""
    active = segment.active()
    width = 24 // len(active)
    where = ", ".join(value for _, value in segment.dimensions())
    row = []
    for index, (key, budget) in enumerate(active.items()):
        metric = BUDGET_METRICS[key]
        stat = cloudwatch_statistic(settings.budgets.statistic_of(key))
        line = [RUM_NAMESPACE, metric.metric, RUM_DIMENSION, "${MonitorName}"]
        for name, value in segment.dimensions():
            line += [name, value.replace("${", "${!")]
        unit = f", {metric.unit}" if metric.unit else ""
        widget = _metric_widget(
            f"{segment.label()}: {_title(key)} ({stat}{unit}) - {where.replace('${', '${!')}",
            [line],
            stat,
            [{"label": "budget", "value": budget}],
        )
        widget.update(x=index * width, y=y, width=width, height=HEIGHT)
        row.append(widget)
    return row


def body(settings: Settings, alarms: Alarms | None, canary: bool) -> str:
    return json.dumps(
        {"widgets": widgets(settings, alarms, canary)}, separators=(",", ":"), sort_keys=True, allow_nan=False
    )


def add_dashboard(
    template: Template, settings: Settings, *, monitor_name: Any, canary_name: Any = None, alarms: Alarms | None = None
) -> Dashboard:
    """Add the dashboard, and the console-host mapping and condition its URL output needs."""
    text = body(settings, alarms, canary_name is not None)
    variables = {"MonitorName": monitor_name}
    if canary_name is not None:
        variables["CanaryName"] = canary_name
    dashboard = template.add_resource(
        cloudwatch.Dashboard(
            "Dashboard",
            DashboardName=Sub("${AWS::StackName}-rum"),
            DashboardBody=Sub(text, **variables),
        )
    )
    template.add_mapping(CONSOLE_MAPPING, {partition: {"Host": host} for partition, host in CONSOLE_HOSTS.items()})
    template.add_condition(HAS_CONSOLE, Or(*(Equals(Ref("AWS::Partition"), partition) for partition in CONSOLE_HOSTS)))
    url = Sub(
        "https://${AWS::Region}.${Host}/cloudwatch/home?region=${AWS::Region}#dashboards/dashboard/${Dashboard}",
        Host=FindInMap(CONSOLE_MAPPING, Ref("AWS::Partition"), "Host"),
    )
    return Dashboard(dashboard=dashboard, url=url, condition=HAS_CONSOLE)
