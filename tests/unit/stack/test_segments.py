"""Segment budgets and per-release metrics in the template: each segment's vitals as extended metrics (its
dimensions in every event pattern), an alarm per vital in the composite, a dashboard row, the gate's metadata;
the per-release custom metrics; the limits checked at synth time."""

from __future__ import annotations

import json

import pytest

from rumcfn.config import SettingsError, from_mapping
from rumcfn.contract import METADATA_KEY
from rumcfn.facts import INLINE_LIMIT, MAX_COMPOSITE_CHILDREN, MAX_METRIC_DEFINITIONS, MAX_RESOURCES
from rumcfn.stack.assemble import build_template
from rumcfn.template.output import to_json
from tests.support import SITE_FLAGS
from tests.support.variants import SEGMENTS, VARIANTS, template_dict

LCP, INP = "WebVitalsLargestContentfulPaint", "WebVitalsInteractionToNextPaint"


def definitions(t: dict) -> list[dict]:
    (destination,) = t["Resources"]["AppMonitor"]["Properties"]["AppMonitorConfiguration"]["MetricDestinations"]
    return destination["MetricDefinitions"]


def alarms(t: dict) -> dict[str, dict]:
    return {k: r["Properties"] for k, r in t["Resources"].items() if r["Type"] == "AWS::CloudWatch::Alarm"}


@pytest.fixture(scope="module")
def t() -> dict:
    return template_dict(VARIANTS["segments"])


def test_each_segment_vital_is_an_extended_metric_of_its_dimensions_and_values(t):
    checkout = [d for d in definitions(t) if d.get("DimensionKeys") == {"metadata.pageId": "PageId",
                                                                          "metadata.deviceType": "DeviceType"}
                and "/checkout" in d["EventPattern"]]
    assert sorted(d["Name"] for d in checkout) == sorted([LCP, INP, "WebVitalsCumulativeLayoutShift"])
    lcp = next(d for d in checkout if d["Name"] == LCP)
    assert json.loads(lcp["EventPattern"]) == {"event_type": ["com.amazon.rum.largest_contentful_paint_event"],
                                               "metadata": {"pageId": ["/checkout"], "deviceType": ["mobile"]}}
    assert lcp["Namespace"] == "AWS/RUM" and lcp["ValueKey"] == "event_details.value"
    germany = [d for d in definitions(t) if d.get("DimensionKeys") == {"metadata.countryCode": "CountryCode"}]
    assert [(d["Name"], json.loads(d["EventPattern"])["metadata"]) for d in germany] == [
        ("PerformanceNavigationDuration", {"countryCode": ["DE"]})]


def test_a_one_dimension_segment_the_extended_metrics_already_publish_adds_no_definition(t):
    """monitor.extended_metrics publishes LCP by DeviceType for every device type, tablet included."""
    by_device = [
        d
        for d in definitions(t)
        if d["Name"] == LCP and d.get("DimensionKeys") == {"metadata.deviceType": "DeviceType"}
    ]
    assert [json.loads(d["EventPattern"])["metadata"] for d in by_device] == [{"deviceType": [{"exists": True}]}]
    assert "SegmentTabletLcpAlarm" in alarms(t)  # its alarm watches that metric


def test_per_release_custom_metrics_in_the_users_namespace(t):
    release = [d for d in definitions(t) if d["Namespace"] != "AWS/RUM"]
    assert [d["Name"] for d in release] == [LCP, "WebVitalsCumulativeLayoutShift", INP]
    for d in release:
        assert d["Namespace"] == "shop/releases"
        assert d["DimensionKeys"] == {"metadata.aws:releaseId": "ReleaseId"}
        assert json.loads(d["EventPattern"])["metadata"] == {"aws:releaseId": [{"exists": True}]}
    assert [d.get("UnitLabel") for d in release] == ["Milliseconds", None, "Milliseconds"]
    other = definitions(template_dict(VARIANTS["segments-app-version"]))
    (lcp,) = [d for d in other if d["Namespace"] != "AWS/RUM" and d["Name"] == LCP]
    assert lcp["DimensionKeys"] == {"application_version": "ReleaseId"}
    assert json.loads(lcp["EventPattern"]) == {
        "event_type": ["com.amazon.rum.largest_contentful_paint_event"],
        "application_version": [{"exists": True}],
    }


def test_an_alarm_per_segment_vital_with_the_segment_dimensions_in_the_composite(t):
    found = {k: p for k, p in alarms(t).items() if k.startswith("Segment")}
    assert sorted(found) == sorted(
        [
            "SegmentCheckoutMobileLcpAlarm",
            "SegmentCheckoutMobileClsAlarm",
            "SegmentCheckoutMobileInpAlarm",
            "SegmentHomeDesktopLcpAlarm",
            "SegmentTabletLcpAlarm",
            "SegmentGermanyNavigationAlarm",
        ]
    )
    props = found["SegmentCheckoutMobileLcpAlarm"]
    assert props["Dimensions"] == [
        {"Name": "application_name", "Value": {"Ref": "AppMonitor"}},
        {"Name": "PageId", "Value": "/checkout"},
        {"Name": "DeviceType", "Value": "mobile"},
    ]
    assert (props["MetricName"], props["Threshold"], props["ExtendedStatistic"]) == (LCP, 3000, "p75")
    assert props["AlarmName"] == {"Fn::Sub": "${AWS::StackName}-checkout-mobile-lcp"}
    rule = t["Resources"]["SiteHealthAlarm"]["Properties"]["AlarmRule"]["Fn::Sub"]
    for logical in found:
        assert f'ALARM("${{{logical}.Arn}}")' in rule
    names = [p["AlarmName"]["Fn::Sub"] for p in alarms(t).values()]
    assert len(names) == len(set(names))


def test_a_dashboard_row_per_segment(t):
    body, _ = t["Resources"]["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    widgets = json.loads(body)["widgets"]
    rows = {}
    for w in widgets:
        if w["type"] == "metric" and w["properties"]["title"].startswith(
            ("checkout-mobile:", "home-desktop:", "tablet:", "germany:")
        ):
            rows.setdefault(w["properties"]["title"].split(":")[0], []).append(w)
    assert sorted(rows) == ["checkout-mobile", "germany", "home-desktop", "tablet"]
    checkout = rows["checkout-mobile"]
    assert len({w["y"] for w in checkout}) == 1 and sum(w["width"] for w in checkout) <= 24
    assert len({row[0]["y"] for row in rows.values()}) == 4
    lcp = next(w for w in checkout if w["properties"]["metrics"][0][1] == LCP)["properties"]
    assert lcp["metrics"] == [
        ["AWS/RUM", LCP, "application_name", "${MonitorName}", "PageId", "/checkout", "DeviceType", "mobile"]
    ]
    assert lcp["annotations"]["horizontal"] == [{"label": "budget", "value": 3000}]
    site_bottom = max(w["y"] + w["height"] for w in widgets if not any(w in row for row in rows.values()))
    assert min(row[0]["y"] for row in rows.values()) >= site_bottom


def test_metadata_tells_the_gate_segments_levels_and_releases(t):
    meta = t["Metadata"][METADATA_KEY]
    assert meta["budgets"]["inp"]["level"] == "warn" and "level" not in meta["budgets"]["lcp"]
    assert meta["segments"][0] == {
        "name": "checkout-mobile",
        "dimensions": {"PageId": "/checkout", "DeviceType": "mobile"},
        "budgets": {
            "lcp": {"metric": LCP, "budget": "3000", "statistic": "p75"},
            "cls": {"metric": "WebVitalsCumulativeLayoutShift", "budget": "0.15", "statistic": "p75"},
            "inp": {"metric": INP, "budget": "300", "statistic": "p75"},
        },
    }
    assert meta["segments"][1]["budgets"]["lcp"]["level"] == "warn"
    assert meta["releases"] == {"namespace": "RUM/CustomMetrics/shop/releases", "dimension": "ReleaseId"}
    assert "segments" not in template_dict()["Metadata"][METADATA_KEY]


def test_user_text_in_a_segment_cannot_become_a_dashboard_placeholder():
    t = template_dict(from_mapping({"budgets": {"segments": [{"page": "/${AWS::AccountId}", "lcp": 3000}]}}))
    body, _ = t["Resources"]["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    assert "/${AWS::AccountId}" not in body and "/${!AWS::AccountId}" in body


def many_segments(count: int, vitals: dict, composite: bool = True):
    return from_mapping(
        {
            "alarms": {"composite": composite},
            "canary": {"enabled": False},
            "dashboard": False,
            "budgets": {"segments": [{"page": f"/p{i}", **vitals} for i in range(count)]},
        }
    )


def test_more_alarms_than_one_rule_may_name_nest_under_part_composites():
    """PutCompositeAlarm names at most 100 children per rule: more alarms get part composites
    (tests/unit/stack/test_composite_rules.py holds every rule to the limits)."""
    t = template_dict(many_segments(MAX_COMPOSITE_CHILDREN, {"lcp": 3000}))  # + the three site budgets: 103
    composites = {
        k: r["Properties"] for k, r in t["Resources"].items() if r["Type"] == "AWS::CloudWatch::CompositeAlarm"
    }
    assert len(composites) > 2 and "SiteHealthAlarm1" in composites
    for props in composites.values():
        assert props["AlarmRule"]["Fn::Sub"].count("ALARM(") <= MAX_COMPOSITE_CHILDREN


def test_part_composites_count_toward_the_resource_quota():
    def builds(count: int) -> bool:
        try:
            build_template(many_segments(count, {"lcp": 3000}))
        except SettingsError as error:
            assert "must leave the stack at most 500 resources" in str(error)
            return False
        return True

    low, high = MAX_COMPOSITE_CHILDREN, MAX_RESOURCES  # builds(low) and not builds(high)
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if builds(middle) else (low, middle)
    t = build_template(many_segments(low, {"lcp": 3000}))
    assert len(t.resources) >= MAX_RESOURCES - 1  # the parts counted: refused only where they would not fit
    assert sum(r.resource_type == "AWS::CloudWatch::CompositeAlarm" for r in t.resources.values()) > 2


def test_more_resources_than_a_stack_may_hold_is_a_settings_error():
    with pytest.raises(
        SettingsError, match=rf"budgets.segments: must leave the stack at most {MAX_RESOURCES} resources"
    ):
        build_template(many_segments(MAX_RESOURCES, {"lcp": 3000}, composite=False))


def test_more_metric_definitions_than_a_destination_holds_is_a_settings_error():
    vitals = {"lcp": 3000, "cls": 0.2, "inp": 300, "fid": 200, "navigation": 4000}
    with pytest.raises(
        SettingsError, match=rf"must leave the monitor at most {MAX_METRIC_DEFINITIONS} metric definitions"
    ):
        build_template(many_segments(MAX_METRIC_DEFINITIONS // 5 + 1, vitals, composite=False))


def test_the_definition_limit_is_the_cloudformation_schema_s(linter):
    """AWS::RUM::AppMonitor, MetricDestination.MetricDefinitions maxItems, in cfn-lint's bundled schema."""
    from cfnlint.schema.manager import PROVIDER_SCHEMA_MANAGER

    schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", "AWS::RUM::AppMonitor").schema
    assert (
        schema["definitions"]["MetricDestination"]["properties"]["MetricDefinitions"]["maxItems"]
        == MAX_METRIC_DEFINITIONS
    )


def test_synth_warns_on_stderr_over_the_inline_limit(tmp_path, run_cli):
    config = tmp_path / "segments.toml"
    pages = "".join(
        f'[[budgets.segments]]\npage = "/page-{i}"\ndevice = "mobile"\nlcp = 3000\ninp = 300\n\n' for i in range(15)
    )
    config.write_text('[monitor]\nname = "shop"\ndomains = ["shop.example.com"]\n[script]\nbucket = "shop-site"\n\n'
                      + pages)
    result = run_cli("synth", "--config", str(config), "-o", "t.json")
    assert result.returncode == 0, result.stderr
    size = (tmp_path / "t.json").stat().st_size
    assert size > INLINE_LIMIT
    assert result.stderr == (
        f"rumcfn: warning: t.json is {size:,} bytes, over CloudFormation's 51,200-byte limit "
        "for a template passed inline (aws cloudformation deploy without --s3-bucket); deploy it "
        "through S3: rumcfn deploy --s3-bucket BUCKET, or aws cloudformation deploy --s3-bucket BUCKET\n"
    )
    small = run_cli("synth", *SITE_FLAGS, "-o", "small.json")
    assert small.returncode == 0 and small.stderr == ""


def test_segments_variant_is_deterministic():
    assert to_json(build_template(from_mapping(SEGMENTS))) == to_json(build_template(from_mapping(SEGMENTS)))
