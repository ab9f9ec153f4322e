"""The CloudWatch dashboard: what each widget shows, and that every name in it resolves at deploy time."""

from __future__ import annotations

import json
import re

from rumcfn.config import Settings, from_mapping
from rumcfn.contract import Outputs
from rumcfn.facts import BUDGET_METRICS
from tests.support.variants import template_dict

PSEUDO = {"AWS::Region", "AWS::StackName", "AWS::Partition", "AWS::AccountId", "AWS::URLSuffix"}


def dashboard_of(settings=None) -> tuple[dict, list[dict], dict, dict]:
    """(template, widgets, Sub variables, the dashboard resource)."""
    t = template_dict(settings)
    resource = t["Resources"]["Dashboard"]
    body, variables = resource["Properties"]["DashboardBody"]["Fn::Sub"]
    return t, json.loads(body)["widgets"], variables, resource


def metric_names(widget: dict) -> list[str]:
    return [line[1] for line in widget["properties"].get("metrics", [])]


def by_metric(widgets: list[dict], metric: str) -> dict:
    (widget,) = [w for w in widgets if metric_names(w) == [metric]]
    return widget


def test_each_budget_is_drawn_at_its_statistic_with_the_budget_line():
    settings = from_mapping({"budgets": {"navigation": 3000, "statistic": "p90"}})
    _, widgets, _, _ = dashboard_of(settings)
    for key, budget in settings.budgets.active().items():
        props = by_metric(widgets, BUDGET_METRICS[key].metric)["properties"]
        assert props["stat"] == "p90"
        assert props["annotations"]["horizontal"] == [{"label": "budget", "value": budget}]
        assert props["metrics"][0] == ["AWS/RUM", BUDGET_METRICS[key].metric, "application_name", "${MonitorName}"]
        assert props["region"] == "${AWS::Region}"


def test_two_levels_also_draw_the_poor_line_and_avg_becomes_average():
    _, widgets, _, _ = dashboard_of(from_mapping({"budgets": {"two_levels": True, "statistic": "avg"}}))
    lcp = by_metric(widgets, "WebVitalsLargestContentfulPaint")["properties"]
    assert [line["value"] for line in lcp["annotations"]["horizontal"]] == [2500, 4000]
    assert lcp["stat"] == "Average"


def test_alarm_widget_shows_every_alarm_and_the_composite():
    t, widgets, _, _ = dashboard_of()
    (alarm_widget,) = [w for w in widgets if w["type"] == "alarm"]
    alarms = {
        k for k, r in t["Resources"].items() if r["Type"].startswith("AWS::CloudWatch::") and "Alarm" in r["Type"]
    }
    assert {re.fullmatch(r"\$\{(\w+)\.Arn\}", arn).group(1) for arn in alarm_widget["properties"]["alarms"]} == alarms


def test_canary_errors_traffic_and_navigation_widgets():
    _, widgets, variables, _ = dashboard_of()
    shown = [name for w in widgets for name in metric_names(w)]
    for metric in (
        "SuccessPercent",
        "Duration",
        "JsErrorCount",
        "Http4xxCount",
        "Http5xxCount",
        "PageViewCount",
        "SessionCount",
        "NavigationSatisfiedTransaction",
        "NavigationToleratedTransaction",
        "NavigationFrustratedTransaction",
    ):
        assert metric in shown
    assert variables == {"MonitorName": {"Ref": "AppMonitor"}, "CanaryName": {"Ref": "Canary"}}


def test_canary_widgets_draw_every_location():
    """Success per location as the alarms see it (primary Region, Location dimension); duration per
    location from the Region it ran in (each replica also publishes its metrics there)."""
    _, widgets, _, _ = dashboard_of(from_mapping({"canary": {"locations": ["us-east-1", "ap-southeast-2"]}}))
    success = [w for w in widgets if "SuccessPercent" in metric_names(w)][0]["properties"]["metrics"]
    assert success == [
        ["CloudWatchSynthetics", "SuccessPercent", "CanaryName", "${CanaryName}", {"label": "${AWS::Region}"}],
        [".", ".", ".", ".", "Location", "us-east-1", {"label": "us-east-1"}],
        [".", ".", ".", ".", "Location", "ap-southeast-2", {"label": "ap-southeast-2"}],
    ]
    duration = [w for w in widgets if "Duration" in metric_names(w)][0]["properties"]["metrics"]
    assert duration == [
        ["CloudWatchSynthetics", "Duration", "CanaryName", "${CanaryName}", {"label": "${AWS::Region}"}],
        [".", ".", ".", ".", {"label": "us-east-1", "region": "us-east-1"}],
        [".", ".", ".", ".", {"label": "ap-southeast-2", "region": "ap-southeast-2"}],
    ]


def test_without_canary_no_canary_widgets_or_variable():
    _, widgets, variables, _ = dashboard_of(from_mapping({"canary": {"enabled": False}}))
    assert "SuccessPercent" not in [name for w in widgets for name in metric_names(w)]
    assert "CanaryName" not in variables


def test_every_placeholder_resolves_at_deploy_time():
    for settings in (Settings(), Settings(parameters=True), from_mapping({"budgets": {"two_levels": True}})):
        t, _, variables, resource = dashboard_of(settings)
        body = resource["Properties"]["DashboardBody"]["Fn::Sub"][0]
        for name in set(re.findall(r"\$\{([^}]+)\}", body)):
            ok = name in PSEUDO or name in variables or (name.endswith(".Arn") and name[:-4] in t["Resources"])
            assert ok, name


def test_widgets_tile_the_grid_without_overlap():
    _, widgets, _, _ = dashboard_of(from_mapping({"budgets": {"fid": 100, "navigation": 3000, "js_errors": 1}}))
    cells = set()
    for w in widgets:
        assert w["x"] + w["width"] <= 24
        for x in range(w["x"], w["x"] + w["width"]):
            for y in range(w["y"], w["y"] + w["height"]):
                assert (x, y) not in cells
                cells.add((x, y))


def test_dashboard_url_output_is_partition_aware():
    """The host comes from the partition (tests/unit/stack/test_partitions.py renders it in each one)."""
    t, _, _, resource = dashboard_of()
    assert resource["Properties"]["DashboardName"] == {"Fn::Sub": "${AWS::StackName}-rum"}
    output = t["Outputs"][Outputs.DASHBOARD_URL]
    assert output["Condition"] == "HasConsole"
    body, variables = output["Value"]["Fn::Sub"]
    assert (
        body == "https://${AWS::Region}.${Host}/cloudwatch/home?region=${AWS::Region}#dashboards/dashboard/${Dashboard}"
    )
    assert variables == {"Host": {"Fn::FindInMap": ["ConsoleDomain", {"Ref": "AWS::Partition"}, "Host"]}}
