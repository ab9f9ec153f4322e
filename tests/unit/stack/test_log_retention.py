"""RUM's own log group retention in the template: served by the rum.js function, allowed only when on."""

from __future__ import annotations

import json

import pytest

from rumcfn.config import SettingsError, from_mapping
from rumcfn.contract import CustomResources
from rumcfn.facts import INLINE_LIMIT
from rumcfn.stack.assemble import build_template
from rumcfn.stack.log_retention import LOGICAL_ID
from rumcfn.template.output import to_json
from tests.support.variants import template_dict

ON = {"monitor": {"name": "shop", "cw_log_enabled": True, "log_retention_days": 90}}
RETENTION_ACTIONS = ("rum:GetAppMonitor", "logs:PutRetentionPolicy", "logs:CreateLogGroup")

VARIANTS = {
    "on": ON,
    "on-parameters": {**ON, "parameters": True},
    "on-with-emptier": {**ON, "canary": {"empty_artifacts_on_delete": True}},
}


def writer_statements(t: dict) -> dict[str, dict]:
    return {s["Sid"]: s for p in t["Resources"]["RumScriptRole"]["Properties"]["Policies"]
            for s in p["PolicyDocument"]["Statement"]}


def test_the_rum_js_function_serves_it_after_the_monitor_once_retries_are_off():
    t = template_dict(from_mapping(ON))
    resource = t["Resources"][LOGICAL_ID]
    assert resource["Type"] == CustomResources.LOG_RETENTION
    assert resource["Properties"] == {
        "ServiceToken": {"Fn::GetAtt": ["RumScriptFunction", "Arn"]},
        "ServiceTimeout": 300,
        "MonitorName": {"Ref": "AppMonitor"},
        "RetentionInDays": 90,
    }
    assert resource["DependsOn"] == ["RumScriptFunctionInvokeConfig"]
    assert "log group" in t["Resources"]["RumScriptFunction"]["Properties"]["Description"]


def test_it_adds_one_custom_resource_and_no_function_role_or_log_group_of_its_own():
    for extra in ({}, {"canary": {"empty_artifacts_on_delete": True}}):
        off = template_dict(from_mapping({**extra, "monitor": {**ON["monitor"], "log_retention_days": 0}}))["Resources"]
        on = template_dict(from_mapping({**extra, **ON}))["Resources"]
        added = {name: r["Type"] for name, r in on.items() if name not in off}
        assert added == {LOGICAL_ID: CustomResources.LOG_RETENTION}
        assert set(off) <= set(on)


def test_a_stack_made_when_it_had_a_function_of_its_own_can_be_updated():
    """CloudFormation cannot change a custom resource's ServiceToken ("Updates aren't supported",
    AWS::CloudFormation::CustomResource): an id that named a resource of another function may not name it now."""
    earlier = {"RumLogRetention": "RumLogRetentionFunction"}  # logical id -> its function, before the fold
    for name, resource in template_dict(from_mapping(ON))["Resources"].items():
        if name in earlier and resource["Type"].startswith("Custom::"):
            assert resource["Properties"]["ServiceToken"] == {"Fn::GetAtt": [earlier[name], "Arn"]}


def test_only_the_option_lets_the_role_read_this_monitor_and_set_retention_on_rum_s_groups():
    statements = writer_statements(template_dict(from_mapping(ON)))
    assert statements["ReadMonitor"]["Action"] == ["rum:GetAppMonitor"]
    assert statements["ReadMonitor"]["Resource"] == [
        {
            "Fn::Sub": [
                "arn:${AWS::Partition}:rum:${AWS::Region}:${AWS::AccountId}:appmonitor/${MonitorName}",
                {"MonitorName": "shop"},
            ]
        }
    ]
    assert statements["SetRetention"]["Action"] == ["logs:PutRetentionPolicy", "logs:CreateLogGroup"]
    group = "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/vendedlogs/RUMService_"
    assert statements["SetRetention"]["Resource"] == [
        {"Fn::Sub": [group + "${MonitorName}????????" + tail, {"MonitorName": "shop"}]} for tail in ("", ":*")
    ]
    assert set(statements) == {"WriteSnippet", "WriteOwnLogs", "ReadMonitor", "SetRetention"}
    for off in ({"monitor": {"cw_log_enabled": True}}, {}):
        t = template_dict(from_mapping(off))
        assert not [r for r in t["Resources"].values() if r["Type"] == CustomResources.LOG_RETENTION]
        assert not [action for action in RETENTION_ACTIONS if action in json.dumps(t["Resources"]["RumScriptRole"])]
        assert "rum:GetAppMonitor" not in json.dumps(t)


def test_retention_needs_rum_logs_on():
    with pytest.raises(SettingsError, match="monitor.log_retention_days: applies only with monitor.cw_log_enabled"):
        from_mapping({"monitor": {"log_retention_days": 30}})
    with pytest.raises(SettingsError, match="monitor.log_retention_days: must be one of 0, 1, 3"):
        from_mapping({"monitor": {"cw_log_enabled": True, "log_retention_days": 10}})


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variants_have_zero_cfn_lint_findings_and_fit_inline(name, linter):
    text = to_json(build_template(from_mapping(VARIANTS[name])))
    assert [str(f) for f in linter.lint(text)] == []
    assert len(text.encode()) < INLINE_LIMIT


def test_the_role_may_set_retention_on_this_monitor_s_group_and_no_other():
    """RUM names the group ``/aws/vendedlogs/RUMService_<monitor name><first 8 characters of its id>``; a grant
    on ``RUMService_shop*`` would also cover monitors whose names start with ``shop``. IAM evaluates the
    log-group ARN with ``:*`` for these actions (CloudWatch Logs User Guide, "CloudWatch Logs resources and
    operations")."""
    from tests.support.handler import role_in

    role = role_in(template_dict(from_mapping(ON)))

    def group(name: str) -> str:
        return f"arn:aws:logs:us-east-1:123456789012:log-group:{name}:*"

    for action in ("logs:PutRetentionPolicy", "logs:CreateLogGroup"):
        assert role.allows(action, group("/aws/vendedlogs/RUMService_shop0f2ad3c2"))
        for other in ("/aws/vendedlogs/RUMService_shop-v27c1e9a04",  # monitor "shop-v2"
                      "/aws/vendedlogs/RUMService_shopping0f2ad3c2",  # monitor "shopping"
                      "/aws/vendedlogs/RUMService_shop0f2ad3c",  # not RUM's form
                      "RUMService_shop0f2ad3c2", "/aws/lambda/shop0f2ad3c2"):
            assert not role.allows(action, group(other)), other
