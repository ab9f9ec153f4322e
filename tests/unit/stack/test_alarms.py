"""Budget alarms, the canary alarm, the composite alarm and notifications; bad budget input via the CLI."""

from __future__ import annotations

import json

import pytest

from rumcfn.config import Settings, from_mapping
from rumcfn.contract import METADATA_KEY, Outputs
from rumcfn.facts import BUDGET_METRICS, INLINE_LIMIT
from rumcfn.stack.assemble import build_template
from rumcfn.template.output import to_json
from tests.support.variants import MATRIX, TOPIC, template_dict


def alarms_of(t: dict) -> dict[str, dict]:
    return {k: r["Properties"] for k, r in t["Resources"].items() if r["Type"] == "AWS::CloudWatch::Alarm"}


def budget_alarms(t: dict) -> dict[str, dict]:
    return {k: p for k, p in alarms_of(t).items() if p["Namespace"] == "AWS/RUM"}


def test_one_alarm_per_active_budget_at_p75_with_explicit_evaluation():
    t = template_dict()
    alarms = budget_alarms(t)
    active = Settings().budgets.active()
    assert {p["MetricName"] for p in alarms.values()} == {BUDGET_METRICS[k].metric for k in active}
    assert len(alarms) == len(active)
    for props in alarms.values():
        key = [k for k in active if BUDGET_METRICS[k].metric == props["MetricName"]][0]
        assert props["Threshold"] == active[key]
        assert props["Dimensions"] == [{"Name": "application_name", "Value": {"Ref": "AppMonitor"}}]
        assert props["ExtendedStatistic"] == "p75" and "Statistic" not in props
        assert props["ComparisonOperator"] == "GreaterThanThreshold"
        assert (props["Period"], props["EvaluationPeriods"], props["DatapointsToAlarm"]) == (300, 3, 2)
        assert props["TreatMissingData"] == "notBreaching"
        assert props["AlarmName"] == {"Fn::Sub": f"${{AWS::StackName}}-{key.replace('_', '-')}"}


@pytest.mark.parametrize("given, expected", [
    ("avg", {"Statistic": "Average"}), ("max", {"Statistic": "Maximum"}), ("min", {"Statistic": "Minimum"}),
    ("p90", {"ExtendedStatistic": "p90"}), ("p99.9", {"ExtendedStatistic": "p99.9"}),
])
def test_statistic_maps_to_statistic_or_extended_statistic(given, expected):
    for props in budget_alarms(template_dict(from_mapping({"budgets": {"statistic": given}}))).values():
        assert {k: props[k] for k in ("Statistic", "ExtendedStatistic") if k in props} == expected


def test_evaluation_settings_reach_every_alarm():
    settings = from_mapping({"budgets": {"period": 60, "evaluation_periods": 5, "datapoints_to_alarm": 4}})
    for props in budget_alarms(template_dict(settings)).values():
        assert (props["Period"], props["EvaluationPeriods"], props["DatapointsToAlarm"]) == (60, 5, 4)


def test_two_levels_add_critical_alarms_at_the_poor_threshold_where_one_exists():
    settings = from_mapping({"budgets": {"two_levels": True, "navigation": 3000, "lcp": 5000}})
    alarms = budget_alarms(template_dict(settings))
    critical = {p["MetricName"]: p["Threshold"] for k, p in alarms.items() if k.endswith("CriticalAlarm")}
    # LCP's budget (5000) is already above "poor" (4000): no critical; navigation has no "poor"
    assert critical == {BUDGET_METRICS[k].metric: BUDGET_METRICS[k].poor for k in ("cls", "inp")}
    names = [p["AlarmName"]["Fn::Sub"] for p in alarms.values()]
    assert "${AWS::StackName}-cls-critical" in names and len(names) == len(set(names))


def test_canary_alarm_on_success_percent():
    t = template_dict(from_mapping({"canary": {"schedule": "rate(10 minutes)"}}))
    props = t["Resources"]["CanaryAlarm"]["Properties"]
    assert (props["Namespace"], props["MetricName"]) == ("CloudWatchSynthetics", "SuccessPercent")
    assert props["Dimensions"] == [{"Name": "CanaryName", "Value": {"Ref": "Canary"}}]
    assert props["ComparisonOperator"] == "LessThanThreshold" and props["Threshold"] == 100
    assert props["Period"] == 600  # one run per period


def test_every_canary_location_has_its_own_alarm_and_the_composite_covers_them():
    """Multilocation canaries publish SuccessPercent in the primary Region with a Location dimension per
    Region (CloudWatch Synthetics multilocation guide); one alarm per replica names the failing location."""
    t = template_dict(
        from_mapping({"canary": {"locations": ["us-east-1", "ap-southeast-2"], "schedule": "rate(10 minutes)"}})
    )
    alarms = alarms_of(t)
    primary = alarms.pop("CanaryAlarm")
    assert primary["Dimensions"] == [{"Name": "CanaryName", "Value": {"Ref": "Canary"}}]
    located = {k: p for k, p in alarms.items() if p["Namespace"] == "CloudWatchSynthetics"}
    assert sorted(located) == ["CanaryAlarmApSoutheast2", "CanaryAlarmUsEast1"]
    for region, props in (
        ("us-east-1", located["CanaryAlarmUsEast1"]),
        ("ap-southeast-2", located["CanaryAlarmApSoutheast2"]),
    ):
        assert props["Dimensions"] == [
            {"Name": "CanaryName", "Value": {"Ref": "Canary"}},
            {"Name": "Location", "Value": region},
        ]
        assert props["AlarmName"] == {"Fn::Sub": f"${{AWS::StackName}}-canary-{region}"}
        assert region in props["AlarmDescription"]
        for key in (
            "MetricName",
            "Statistic",
            "Threshold",
            "ComparisonOperator",
            "Period",
            "EvaluationPeriods",
            "DatapointsToAlarm",
            "TreatMissingData",
        ):
            assert props[key] == primary[key], key
    rule = t["Resources"]["SiteHealthAlarm"]["Properties"]["AlarmRule"]["Fn::Sub"]
    assert all(f'ALARM("${{{name}.Arn}}")' in rule for name in ("CanaryAlarm", *located))


def test_composite_covers_every_alarm_and_alone_notifies():
    t = template_dict()
    composite = t["Resources"]["SiteHealthAlarm"]["Properties"]
    rule = composite["AlarmRule"]["Fn::Sub"]
    alarms = alarms_of(t)
    assert rule == " OR ".join(f'ALARM("${{{name}.Arn}}")' for name in alarms)
    assert composite["AlarmActions"] == [{"Ref": "AlarmTopic"}] == composite["OKActions"]
    assert all("AlarmActions" not in p and "OKActions" not in p for p in alarms.values())


def test_without_composite_every_alarm_notifies_and_ok_is_optional():
    t = template_dict(from_mapping({"alarms": {"composite": False, "notify_ok": False}}))
    assert "SiteHealthAlarm" not in t["Resources"]
    for props in alarms_of(t).values():
        assert props["AlarmActions"] == [{"Ref": "AlarmTopic"}] and "OKActions" not in props


def test_topic_is_encrypted_with_a_key_cloudwatch_may_use():
    t = template_dict(from_mapping({"alarms": {"email": "ops@example.com"}}))
    topic = t["Resources"]["AlarmTopic"]["Properties"]
    assert topic["KmsMasterKeyId"] == {"Ref": "AlarmTopicKey"}
    key = t["Resources"]["AlarmTopicKey"]["Properties"]
    assert key["EnableKeyRotation"] is True
    cloudwatch = [
        s for s in key["KeyPolicy"]["Statement"] if s.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}
    ]
    assert cloudwatch and set(cloudwatch[0]["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    subscription = t["Resources"]["AlarmEmail"]
    assert subscription["Properties"] == {
        "Protocol": "email",
        "Endpoint": "ops@example.com",
        "TopicArn": {"Ref": "AlarmTopic"},
    }
    assert "Condition" not in subscription
    assert t["Outputs"][Outputs.ALARM_TOPIC_ARN]["Value"] == {"Ref": "AlarmTopic"}
    assert "AlarmEmail" not in template_dict()["Resources"]  # no address, no subscription


def test_existing_topic_is_used_and_nothing_is_created():
    t = template_dict(from_mapping({"alarms": {"topic_arn": TOPIC}}))
    assert not {"AlarmTopic", "AlarmTopicKey", "AlarmEmail"} & set(t["Resources"])
    assert t["Resources"]["SiteHealthAlarm"]["Properties"]["AlarmActions"] == [TOPIC]
    assert Outputs.ALARM_TOPIC_ARN not in t["Outputs"]


def test_parameters_mode_subscribes_the_email_parameter_only_when_given():
    t = template_dict(Settings(parameters=True))
    subscription = t["Resources"]["AlarmEmail"]
    assert subscription["Condition"] == "HasAlertEmail"
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlertEmail"}
    assert "HasAlertEmail" in t["Conditions"]


def test_nothing_to_watch_means_no_alarms_and_no_topic():
    t = template_dict(
        from_mapping({"canary": {"enabled": False}, "budgets": {"lcp": "off", "cls": "off", "inp": "off"}})
    )
    types = {r["Type"] for r in t["Resources"].values()}
    assert not {"AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm", "AWS::SNS::Topic", "AWS::KMS::Key"} & types
    assert Outputs.ALARM_TOPIC_ARN not in t["Outputs"]


# --- every combination lints clean and fits inline --------------------------------------------------


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_every_alarm_variant_lints_clean_and_fits_inline(name, linter):
    text = to_json(build_template(MATRIX[name]))
    assert [str(f) for f in linter.lint(text)] == []
    assert len(text.encode()) < INLINE_LIMIT


# --- bad input through the CLI: one line, exit 2 -----------------------------------------------------


@pytest.mark.parametrize(
    "args, toml, expected",
    [
        (["--budgets.lcp", "0"], None, "setting budgets.lcp: must be a positive number (or off), but got 0"),
        (["--budgets.inp", "-5"], None, "setting budgets.inp: must be a positive number (or off), but got -5"),
        (["--budgets.cls", "2.5"], None, "CLS is unitless, not milliseconds, but got 2.5"),
        (["--budgets.ttfb", "800"], None, "No such option '--budgets.ttfb'"),
        (
            [],
            '[budgets]\nstatistic = "p750"\n',
            "setting budgets.statistic: must be pNN (e.g. p75), avg, max or min, but got 'p750'",
        ),
        ([], '[budgets]\nstatistic = "median"\n', "but got 'median'"),
        (
            [],
            '[canary]\nschedule = "every 5 minutes"\n',
            "setting canary.schedule: must be rate(1 minute) to rate(1 hour)",
        ),
        ([], '[canary]\nschedule = "rate(90 minutes)"\n', "setting canary.schedule"),
        ([], '[canary]\nname = "Shop_Canary"\n', r"setting canary.name: must match ^[0-9a-z_\-]{1,255}$"),
        ([], f'[canary]\nname = "{"a" * 256}"\n', "setting canary.name"),
        (
            [],
            '[canary]\nschedule = "rate(1 minute)"\ntimeout_seconds = 120\n',
            "setting canary.timeout_seconds: must not exceed the schedule's interval (60 s, rate(1 minute)), "
            "but got 120",
        ),
    ],
)
def test_bad_budget_and_canary_input_is_one_line_and_exit_2(run_cli, tmp_path, args, toml, expected):
    if toml is not None:
        (tmp_path / "rumcfn.toml").write_text(toml)
    result = run_cli("synth", *args)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("rumcfn: error: ") and expected in lines[0], result.stderr


def test_derived_canary_names_always_fit_the_pattern():
    """Monitor names may hold upper case, '.' and '#'; the derived canary name never does."""
    settings = from_mapping({"monitor": {"name": "Shop.Example-Prod#1"}})
    assert settings.canary_name() == "shop-example-prod-1"
    assert (
        json.loads(to_json(build_template(settings)))["Resources"]["Canary"]["Properties"]["Name"]
        == "shop-example-prod-1"
    )


def test_an_email_with_an_existing_topic_is_subscribed_to_that_topic_not_dropped():
    t = template_dict(from_mapping({"alarms": {"email": "ops@example.com", "topic_arn": TOPIC}}))
    (subscription,) = [r for r in t["Resources"].values() if r["Type"] == "AWS::SNS::Subscription"]
    assert subscription["Properties"] == {"Protocol": "email", "Endpoint": "ops@example.com", "TopicArn": TOPIC}
    assert not [r for r in t["Resources"].values() if r["Type"] == "AWS::SNS::Topic"]


def test_count_budgets_use_the_average_and_vitals_the_configured_statistic():
    """The p75 of a per-page-view count stays 0 until more than a quarter of page views fail: count budgets
    are judged on the average; the statistic setting applies to the vitals (issue 11 item 9)."""
    settings = from_mapping({"budgets": {"js_errors": 0.5, "http_5xx": 0.1, "statistic": "p90"}})
    t = template_dict(settings)
    stats = {p["MetricName"]: p.get("ExtendedStatistic", p.get("Statistic")) for p in budget_alarms(t).values()}
    assert stats == {
        "WebVitalsLargestContentfulPaint": "p90",
        "WebVitalsCumulativeLayoutShift": "p90",
        "WebVitalsInteractionToNextPaint": "p90",
        "JsErrorCountPerPageView": "Average",
        "Http5xxCountPerPageView": "Average",
    }
    metadata = t["Metadata"][METADATA_KEY]["budgets"]
    assert {key: entry["statistic"] for key, entry in metadata.items()} == {
        "lcp": "p90",
        "cls": "p90",
        "inp": "p90",
        "js_errors": "avg",
        "http_5xx": "avg",
    }
    body, _ = t["Resources"]["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    widgets = {
        w["properties"]["metrics"][0][1]: w["properties"]["stat"]
        for w in json.loads(body)["widgets"]
        if w["type"] == "metric" and len(w["properties"]["metrics"]) == 1
    }
    assert widgets["JsErrorCountPerPageView"] == widgets["Http5xxCountPerPageView"] == "Average"
    assert widgets["WebVitalsLargestContentfulPaint"] == "p90"


# --- long segment values: the alarm's description is shortened, never refused ---------------------------


def test_a_long_segment_keeps_every_alarm_description_within_what_cloudwatch_takes(linter):
    """PutMetricAlarm AlarmDescription: at most 1,024 characters (botocore cloudwatch model). Two dimension values
    of up to 1,024 characters each are legal, so the description elides them instead of refusing the segment."""
    from botocore.loaders import Loader

    most = Loader().load_service_model("cloudwatch", "service-2")["shapes"]["AlarmDescription"]["max"]
    page, browser = "/" + "p" * 1023, "B" * 1024
    settings = from_mapping({"budgets": {"segments": [{"name": "long", "page": page, "browser": browser,
                                                        "lcp": 3000, "inp": 300}]}})
    text = to_json(build_template(settings))
    segment = {k: p for k, p in alarms_of(json.loads(text)).items() if k.startswith("Segment")}
    assert len(segment) == 2
    for props in segment.values():
        description = props["AlarmDescription"]
        assert len(description) <= most, len(description)
        assert description.startswith("Warning: ") and "segment long" in description and "..." in description
        assert [d["Value"] for d in props["Dimensions"][1:]] == [page, browser]  # the alarm itself is unchanged
    assert [str(f) for f in linter.lint(text)] == []


def test_a_short_segment_description_is_whole():
    settings = from_mapping({"budgets": {"segments": [{"page": "/checkout", "device": "mobile", "lcp": 3000}]}})
    (props,) = [p for k, p in alarms_of(template_dict(settings)).items() if k.startswith("Segment")]
    assert props["AlarmDescription"].endswith("(lcp budget of segment checkout-mobile: PageId /checkout, "
                                              "DeviceType mobile)")
