"""The RUM log-retention handler, as inlined into the template, answering a local response URL;
RUM and CloudWatch Logs are botocore Stubbers with AWS-shaped responses (moto has no RUM)."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import Stubber

from rumcfn.config import from_mapping
from rumcfn.template.output import to_dict
from rumcfn.build.stack import build_template
from tests.support.handler import FakeContext, ResponseServer, event, load_index

GROUP = "/aws/vendedlogs/RUMService_shop0f2ad3c2"
SETTINGS = from_mapping({"monitor": {"name": "shop", "cw_log_enabled": True, "log_retention_days": 90}})


@pytest.fixture(scope="module")
def index():
    resources = to_dict(build_template(SETTINGS))["Resources"]
    return load_index(resources["RumLogRetentionFunction"]["Properties"]["Code"]["ZipFile"])


def clients(aws_credentials):
    rum, logs = boto3.client("rum", region_name="us-east-1"), boto3.client("logs", region_name="us-east-1")
    return rum, Stubber(rum), logs, Stubber(logs)


def monitor_response(group: str | None) -> dict:
    storage = {"CwLog": {"CwLogEnabled": True, "CwLogGroup": group}} if group else {"CwLog": {"CwLogEnabled": False}}
    return {"AppMonitor": {"Name": "shop", "Id": "0f2ad3c2-5b4e-4c8e-9a53-1b2f4a6e7d90", "DataStorage": storage}}


def run(index, request_type, rum, logs, properties=None, physical=None) -> dict:
    with ResponseServer() as server:
        request = event(request_type, server.url, physical_id=physical)
        request["ResourceProperties"] = properties or {"MonitorName": "shop", "RetentionInDays": "90"}
        index.handler(request, FakeContext(), rum=rum, logs=logs)
    (answer,) = server.answers.bodies
    return answer


def test_create_sets_retention_on_the_group_rum_names(index, aws_credentials):
    rum, rum_stub, logs, logs_stub = clients(aws_credentials)
    rum_stub.add_response("get_app_monitor", monitor_response(GROUP), {"Name": "shop"})
    logs_stub.add_response("put_retention_policy", {}, {"logGroupName": GROUP, "retentionInDays": 90})
    with rum_stub, logs_stub:
        answer = run(index, "Create", rum, logs)
    assert (answer["Status"], answer["PhysicalResourceId"]) == ("SUCCESS", GROUP)
    logs_stub.assert_no_pending_responses()


def test_a_group_rum_has_not_made_yet_is_created_first(index, aws_credentials):
    rum, rum_stub, logs, logs_stub = clients(aws_credentials)
    rum_stub.add_response("get_app_monitor", monitor_response(GROUP))
    logs_stub.add_client_error("put_retention_policy", "ResourceNotFoundException", "The specified log group does not exist.")
    logs_stub.add_response("create_log_group", {}, {"logGroupName": GROUP})
    logs_stub.add_response("put_retention_policy", {}, {"logGroupName": GROUP, "retentionInDays": 90})
    with rum_stub, logs_stub:
        assert run(index, "Update", rum, logs, physical=GROUP)["Status"] == "SUCCESS"
    logs_stub.assert_no_pending_responses()


def test_failures_are_answered_not_swallowed(index, aws_credentials):
    rum, rum_stub, logs, logs_stub = clients(aws_credentials)
    rum_stub.add_response("get_app_monitor", monitor_response(None))
    with rum_stub, logs_stub:
        answer = run(index, "Create", rum, logs)
    assert answer["Status"] == "FAILED" and "reports no CloudWatch Logs group" in answer["Reason"]
    rum, rum_stub, logs, logs_stub = clients(aws_credentials)
    rum_stub.add_response("get_app_monitor", monitor_response(GROUP))
    logs_stub.add_client_error("put_retention_policy", "AccessDeniedException", "not allowed")
    with rum_stub, logs_stub:
        answer = run(index, "Create", rum, logs)
    assert answer["Status"] == "FAILED" and "AccessDenied" in answer["Reason"]


def test_delete_leaves_the_group_alone(index, aws_credentials):
    rum, rum_stub, logs, logs_stub = clients(aws_credentials)
    with rum_stub, logs_stub:  # no call is expected: a stubbed client fails on any
        answer = run(index, "Delete", rum, logs, physical=GROUP)
    assert (answer["Status"], answer["PhysicalResourceId"]) == ("SUCCESS", GROUP)


def test_the_stack_wires_it_after_the_monitor_with_least_privilege():
    resources = to_dict(build_template(SETTINGS))["Resources"]
    resource = resources["RumLogRetention"]["Properties"]
    assert resource["MonitorName"] == {"Ref": "AppMonitor"} and resource["RetentionInDays"] == 90
    statements = {s["Sid"]: s for s in resources["RumLogRetentionRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]}
    assert statements["ReadMonitor"]["Action"] == ["rum:GetAppMonitor"]
    assert statements["SetRetention"]["Action"] == ["logs:PutRetentionPolicy", "logs:CreateLogGroup"]
    assert [r["Fn::Sub"][0].split("log-group:")[1] for r in statements["SetRetention"]["Resource"]] == \
        ["/aws/vendedlogs/RUMService_${MonitorName}*", "RUMService_${MonitorName}*"]
    plain = to_dict(build_template(from_mapping({"monitor": {"cw_log_enabled": True}})))["Resources"]
    assert "RumLogRetention" not in plain


def test_retention_needs_rum_logs_on():
    from rumcfn.config import SettingsError

    with pytest.raises(SettingsError, match="monitor.log_retention_days: applies only with monitor.cw_log_enabled"):
        from_mapping({"monitor": {"log_retention_days": 30}})
    with pytest.raises(SettingsError, match="monitor.log_retention_days: must be one of 0, 1, 3"):
        from_mapping({"monitor": {"cw_log_enabled": True, "log_retention_days": 10}})
    assert json.dumps(SETTINGS.monitor.log_retention_days) == "90"
