"""``canary.lab_vitals``: the canary's role may put its own namespace only, lab alarms sit on the budgets (in the
site-health alarm at level fail, outside it and silent at warn), the dashboard puts lab and field side by side,
and the namespace's length limit (PutMetricData) reaches the monitor name."""

from __future__ import annotations

import json
import urllib.request

import pytest

from rumcfn.config import SettingsError, from_mapping
from rumcfn.facts import LAB_METRICS
from tests.support.cloudwatch import CloudWatchStandIn, namespaces_allowed
from tests.support.variants import template_dict

LAB = {"canary": {"lab_vitals": True}, "budgets": {"navigation": 3000, "two_levels": True}}


def resources(settings: dict) -> dict:
    return template_dict(from_mapping(settings))["Resources"]


def test_the_role_may_put_the_lab_namespace_and_synthetics_own_only():
    role = resources(LAB)["CanaryRole"]
    assert namespaces_allowed(role) == {"CloudWatchSynthetics", "rumcfn/lab/example-site"}
    assert namespaces_allowed(resources({})["CanaryRole"]) == {"CloudWatchSynthetics"}


def test_lab_alarms_sit_on_the_budgets_the_lab_measures_and_join_the_site_health_alarm():
    r = resources(LAB)
    lab = {name: res["Properties"] for name, res in r.items() if name.startswith("Lab")}
    assert sorted(lab) == ["LabClsAlarm", "LabClsCriticalAlarm", "LabLcpAlarm", "LabLcpCriticalAlarm",
                           "LabNavigationAlarm"]  # INP needs interactions: no lab alarm
    for name, props in lab.items():
        field = r[name.removeprefix("Lab")]["Properties"]
        assert props["Namespace"] == "rumcfn/lab/example-site" and "Dimensions" not in props
        for key in ("MetricName", "Threshold", "ExtendedStatistic", "Period", "EvaluationPeriods",
                    "DatapointsToAlarm", "ComparisonOperator"):
            assert props[key] == field[key], (name, key)
    rule = json.dumps(r["SiteHealthAlarm"]["Properties"]["AlarmRule"])
    assert all(f"${{{name}.Arn}}" in rule for name in lab)


def test_warn_level_lab_alarms_never_notify():
    r = resources({**LAB, "canary": {"lab_vitals": True, "lab_level": "warn"}, "alarms": {"composite": False}})
    lab = [res["Properties"] for name, res in r.items() if name.startswith("Lab")]
    assert lab and not [p for p in lab if "AlarmActions" in p or "OKActions" in p]
    assert "AlarmActions" in r["LcpAlarm"]["Properties"]  # field alarms notify themselves without the composite
    r = resources({**LAB, "canary": {"lab_vitals": True, "lab_level": "warn"}})
    assert "LabLcpAlarm" not in json.dumps(r["SiteHealthAlarm"]["Properties"]["AlarmRule"])


def test_the_dashboard_puts_lab_and_field_side_by_side():
    body = json.loads(resources(LAB)["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"][0])
    lab = [w for w in body["widgets"] if "lab" in w["properties"].get("title", "").lower()]
    titles = [w["properties"]["title"] for w in lab]
    assert titles == ["LCP: lab and field (p75, ms)", "CLS: lab and field (p75)",
                      "navigation: lab and field (p75, ms)", "Lab: FCP and TTFB (p75, ms)"]
    lcp = lab[0]["properties"]["metrics"]
    assert lcp[0][:2] == ["AWS/RUM", "WebVitalsLargestContentfulPaint"]
    assert lcp[1][:2] == ["rumcfn/lab/${MonitorName}", "WebVitalsLargestContentfulPaint"]
    assert len({w["y"] for w in lab}) == 1  # one row


def test_the_namespace_limit_reaches_the_monitor_name():
    with pytest.raises(SettingsError) as error:
        from_mapping({"canary": {"lab_vitals": True, "tag_key": "site"}, "monitor": {"name": "m" * 245}})
    assert error.value.setting == "canary.lab_vitals" and "at most 244" in str(error.value)
    assert from_mapping({"canary": {"lab_vitals": True, "tag_key": "site"}, "monitor": {"name": "m" * 244}})
    parameter = template_dict(from_mapping({**LAB, "parameters": True, "canary": {"lab_vitals": True,
                                                                                   "tag_key": "site"}}))
    assert parameter["Parameters"]["AppMonitorName"]["MaxLength"] == 244
    namespace = parameter["Resources"]["Canary"]["Properties"]["RunConfig"]["EnvironmentVariables"]["LAB_NAMESPACE"]
    assert namespace == {"Fn::Sub": ["rumcfn/lab/${Name}", {"Name": {"Ref": "AppMonitorName"}}]}


def test_the_canary_script_publishes_every_lab_metric_and_nothing_without_lab_vitals():
    script = resources(LAB)["Canary"]["Properties"]["Code"]["Script"]
    assert all(m.metric in script for m in LAB_METRICS.values())
    assert "PutMetricDataCommand" in script and "process.env.LAB_NAMESPACE" in script
    assert "PutMetricData" not in resources({})["Canary"]["Properties"]["Code"]["Script"]


@pytest.mark.parametrize("datum, problem", [
    ({"MetricName": "X", "Value": 1, "Unit": "Millis"}, "not one of"),
    ({"MetricName": "", "Value": 1}, "Invalid length"),
    ({"Value": 1}, "Missing required parameter"),
    ({"MetricName": "X", "Value": 1, "Dimensions": [{"Name": "a", "Value": "b"}] * 31}, "more than 30"),
])
def test_the_stand_in_cloudwatch_holds_calls_to_the_model(datum, problem):
    standin = CloudWatchStandIn({"ns"})
    try:
        request = urllib.request.Request(standin.url, json.dumps(
            {"Operation": "PutMetricData", "Input": {"Namespace": "ns", "MetricData": [datum]}}).encode())
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(request, timeout=10)
        assert error.value.code == 400
    finally:
        standin.close()
    assert standin.calls == [] and problem in standin.refused[0], standin.refused
