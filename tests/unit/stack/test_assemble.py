"""The synthesized template: lint-clean, small, deterministic, least privilege, partition-aware."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from rumcfn.config import Settings, from_mapping
from rumcfn.contract import Outputs
from rumcfn.facts import INLINE_LIMIT
from rumcfn.stack.assemble import build_template
from rumcfn.template.output import to_json
from tests.support.variants import FULL, POOL, ROLE, VARIANTS, snippet_body, snippet_variables, template_dict


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_every_variant_has_zero_cfn_lint_findings(name, linter):
    text = to_json(build_template(VARIANTS[name]))
    findings = linter.lint(text)
    assert [str(f) for f in findings] == []


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_every_variant_fits_the_inline_template_limit(name):
    assert len(to_json(build_template(VARIANTS[name])).encode()) < INLINE_LIMIT


def test_same_settings_give_byte_identical_templates_across_processes(tmp_path):
    """Run synth in two fresh interpreters with different hash seeds; any set/dict-order leak shows."""
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"t{seed}.json"
        subprocess.run([sys.executable, "-m", "rumcfn", "synth", "-o", str(out)], check=True,
                       env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"}, cwd=tmp_path)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert outputs[0] == to_json(build_template(Settings())).encode()


def test_no_hard_coded_partition_region_or_account():
    """The region literals allowed: the web client's CDN (AWS serves it from us-east-1 for all regions), the
    Regions the user names in canary.locations, and the GovCloud Regions whose Cognito issuer differs (in the
    conditions that choose it)."""
    from rumcfn.facts import CDN_URL, COGNITO_REGIONAL_ISSUERS

    settings = VARIANTS["all-on"]
    assert settings.canary.locations  # the check below must see them removed, not absent
    text = to_json(build_template(settings)).replace(CDN_URL.split("{")[0], "")
    for literal in (*settings.canary.locations, *COGNITO_REGIONAL_ISSUERS.values(), *COGNITO_REGIONAL_ISSUERS):
        assert literal in text
        text = text.replace(literal, "")
    assert "arn:aws:" not in text
    assert not re.search(r"\b[a-z]{2,4}(-[a-z]+)+-\d\b", text)
    assert not re.search(r"\b\d{12}\b", text)


def resources_of(template: dict, type_: str) -> dict:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == type_}


def guest_statements(settings) -> list[dict]:
    t = template_dict(settings)
    (policy,) = t["Resources"]["GuestRole"]["Properties"]["Policies"]
    return policy["PolicyDocument"]["Statement"]


def test_guest_role_may_only_put_events_to_this_monitor():
    (stmt,) = guest_statements(Settings())
    assert stmt["Action"] == ["rum:PutRumEvents"]
    (arn,) = stmt["Resource"]
    assert arn == {"Fn::Sub": ["arn:${AWS::Partition}:rum:${AWS::Region}:${AWS::AccountId}:appmonitor/${MonitorName}",
                               {"MonitorName": "example-site"}]}


def test_xray_permission_only_when_xray_is_on():
    on = guest_statements(from_mapping({"monitor": {"enable_xray": True}}))
    assert [s["Action"] for s in on] == [["rum:PutRumEvents"], ["xray:PutTraceSegments"]]
    assert all(a != ["xray:PutTraceSegments"] for a in (s["Action"] for s in guest_statements(Settings())))


def test_identity_pool_allows_guests_but_not_classic_flow():
    pool = template_dict()["Resources"]["IdentityPool"]["Properties"]
    assert pool["AllowUnauthenticatedIdentities"] is True
    assert pool["AllowClassicFlow"] is False


def test_resource_policy_mode_has_no_cognito_and_a_scoped_policy():
    t = template_dict(VARIANTS["resource-policy-referer"])
    assert not [r for r in t["Resources"].values() if r["Type"].startswith("AWS::Cognito")]
    assert "GuestRole" not in t["Resources"]
    body, variables = t["Resources"]["AppMonitor"]["Properties"]["ResourcePolicy"]["PolicyDocument"]["Fn::Sub"]
    doc = json.loads(body)
    (stmt,) = doc["Statement"]
    assert stmt["Action"] == ["rum:PutRumEvents"] and stmt["Principal"] == "*"
    assert stmt["Resource"] == ["arn:${AWS::Partition}:rum:${AWS::Region}:${AWS::AccountId}:appmonitor/${MonitorName}"]
    assert stmt["Condition"] == {"StringLike": {"aws:Referer": ["https://www.example.com/*", "https://*.example.com/*"]}}
    assert variables == {"MonitorName": "example-site"}
    assert "signing:false" in snippet_body(VARIANTS["resource-policy"])


def test_resource_policy_without_referer_restriction_has_no_condition():
    t = template_dict(VARIANTS["resource-policy"])
    body, _ = t["Resources"]["AppMonitor"]["Properties"]["ResourcePolicy"]["PolicyDocument"]["Fn::Sub"]
    assert "Condition" not in json.loads(body)["Statement"][0]


def test_existing_pool_and_role_are_reused_not_created():
    t = template_dict(VARIANTS["existing-pool"])
    assert not resources_of(t, "AWS::Cognito::IdentityPool") and "GuestRole" not in t["Resources"]
    config = t["Resources"]["AppMonitor"]["Properties"]["AppMonitorConfiguration"]
    assert config["IdentityPoolId"] == POOL and config["GuestRoleArn"] == ROLE
    assert t["Outputs"][Outputs.IDENTITY_POOL_ID]["Value"] == POOL


def test_monitor_mirrors_every_setting():
    props = template_dict(from_mapping(FULL))["Resources"]["AppMonitor"]["Properties"]
    assert props["Name"] == "shop.example-prod#1"
    assert props["DomainList"] == ["www.example.com", "*.example.org", "example.net"]
    assert "Domain" not in props
    assert props["CwLogEnabled"] is True
    assert props["CustomEvents"] == {"Status": "ENABLED"}
    assert props["DeobfuscationConfiguration"] == {
        "JavaScriptSourceMaps": {"Status": "ENABLED", "S3Uri": "s3://maps-bucket/app/"}}
    assert {"Key": "team", "Value": "web"} in props["Tags"]
    config = props["AppMonitorConfiguration"]
    assert config["EnableXRay"] is True
    assert config["ExcludedPages"] == ["https://www.example.com/admin"]
    assert config["FavoritePages"] == ["https://www.example.com/"]
    (destination,) = config["MetricDestinations"]
    assert destination["Destination"] == "CloudWatch"
    definitions = destination["MetricDefinitions"]
    assert len(definitions) == 4 * 4  # metric x dimension
    lcp = [d for d in definitions if d["Name"] == "WebVitalsLargestContentfulPaint"]
    assert {tuple(d["DimensionKeys"].items())[0] for d in lcp} == {
        ("metadata.pageId", "PageId"), ("metadata.browserName", "BrowserName"),
        ("metadata.deviceType", "DeviceType"), ("metadata.countryCode", "CountryCode")}
    assert all(d["ValueKey"] == "event_details.value" for d in lcp)
    assert json.loads(lcp[0]["EventPattern"]) == {"event_type": ["com.amazon.rum.largest_contentful_paint_event"],
                                                  "metadata": {"pageId": [{"exists": True}]}}
    http = [d for d in definitions if d["Name"] == "Http5xxCount"][0]
    assert "ValueKey" not in http
    assert json.loads(http["EventPattern"])["event_details"]["response"]["status"] == [
        {"numeric": [">=", 500, "<=", 599]}
    ]


def test_parameters_mode_turns_site_values_into_constrained_parameters():
    t = template_dict(VARIANTS["parameters"])
    params = t["Parameters"]
    assert {"AppMonitorName", "Domain", "WebsiteBucket", "SessionSampleRate", "AlertEmail"} <= set(params)
    assert params["SessionSampleRate"]["Type"] == "Number"
    assert (params["SessionSampleRate"]["MinValue"], params["SessionSampleRate"]["MaxValue"]) == (0, 1)
    for name, param in params.items():
        assert "ConstraintDescription" in param, name
        if param["Type"] == "String":
            assert re.fullmatch(param["AllowedPattern"], str(param["Default"])), name
    props = t["Resources"]["AppMonitor"]["Properties"]
    assert props["Name"] == {"Ref": "AppMonitorName"} and props["Domain"] == {"Ref": "Domain"}
    interface = t["Metadata"]["AWS::CloudFormation::Interface"]
    grouped = [p for g in interface["ParameterGroups"] for p in g["Parameters"]]
    assert sorted(grouped) == sorted(params) == sorted(interface["ParameterLabels"])
    assert snippet_variables(VARIANTS["parameters"])["SessionSampleRate"] == {"Ref": "SessionSampleRate"}
    assert "sessionSampleRate:${SessionSampleRate}" in snippet_body(VARIANTS["parameters"])


def test_parameters_mode_with_an_existing_topic_has_no_email_parameter():
    t = template_dict(VARIANTS["parameters-existing-topic"])
    assert "AlertEmail" not in t["Parameters"] and "HasAlertEmail" not in t.get("Conditions", {})


def test_outputs_include_monitor_pool_and_script_tag():
    outputs = template_dict()["Outputs"]
    assert outputs[Outputs.APP_MONITOR_ID]["Value"] == {"Fn::GetAtt": ["AppMonitor", "Id"]}
    assert outputs[Outputs.APP_MONITOR_NAME]["Value"] == {"Ref": "AppMonitor"}
    assert outputs[Outputs.IDENTITY_POOL_ID]["Value"] == {"Ref": "IdentityPool"}
    assert outputs[Outputs.SCRIPT_TAG]["Value"] == '<script src="/rum.js"></script>'
    assert Outputs.IDENTITY_POOL_ID not in template_dict(VARIANTS["resource-policy"])["Outputs"]


def test_budgets_are_recorded_in_metadata_for_the_budget_gate():
    meta = template_dict(from_mapping({"budgets": {"lcp": 3000, "cls": "off", "statistic": "p90"}}))["Metadata"][
        "rumcfn"
    ]
    assert meta["budgets"]["lcp"] == {"metric": "WebVitalsLargestContentfulPaint", "budget": "3000", "statistic": "p90"}
    assert "cls" not in meta["budgets"] and "inp" in meta["budgets"]


def test_builders_compose_into_an_existing_troposphere_template():
    """A user with their own stack adds RUM to it through the builder functions."""
    from troposphere import Template, s3

    from rumcfn.stack.auth import add_auth
    from rumcfn.stack.monitor import add_app_monitor

    template = Template()
    template.add_resource(s3.Bucket("Existing"))
    settings = Settings()
    auth = add_auth(template, settings)
    monitor = add_app_monitor(
        template, settings, identity_pool_id=auth.identity_pool_id, guest_role_arn=auth.guest_role_arn
    )
    assert monitor.title == "AppMonitor" and auth.guest_role is not None
    assert set(template.resources) == {"Existing", "IdentityPool", "GuestRole", "IdentityPoolRoles", "AppMonitor"}


def test_the_generated_description_stays_within_cloudformations_1024_bytes():
    """Five long domains used to make a 1,300-byte Description, which CloudFormation rejects."""
    label = "d" * 60
    domains = [f"{label}.{label}.{label}.site{i}.example.com" for i in range(5)]
    data = template_dict(from_mapping({"monitor": {"domains": domains}}))
    assert len(data["Description"].encode()) <= 1024
    assert "5 domains" in data["Description"]
    assert template_dict()["Description"].startswith("CloudWatch RUM real-user monitoring for www.example.com")
