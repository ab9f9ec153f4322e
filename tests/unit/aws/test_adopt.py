"""``rumcfn import`` against stand-ins: RUM stubbed (its answers checked against botocore's rum model), and the
CloudFormation stand-in, which holds the IMPORT change set to CloudFormation's import rules."""

from __future__ import annotations

import json

import pytest

from rumcfn.aws.adopt import MonitorNotFound, import_monitor, read_monitor
from rumcfn.template.adopt import adopt, import_template, live_properties, template_properties
from tests.support.aws import stand_in_poller, stubbed
from tests.support.cloudformation import CloudFormation, served
from tests.unit.template.test_adopt import ACCOUNT, answer, extended, policy


def test_read_monitor_reads_every_part_of_the_monitor():
    aws, stubs = stubbed("rum", "sts")
    rum = stubs["rum"]
    monitor = answer(AppMonitorConfiguration={"Telemetries": ["errors"], "SessionSampleRate": 1.0})
    rum.add_response("get_app_monitor", {"AppMonitor": monitor}, {"Name": "shop"})
    rum.add_response("get_resource_policy", {"PolicyDocument": policy(), "PolicyRevisionId": "1"}, {"Name": "shop"})
    rum.add_response("list_rum_metrics_destinations", {"Destinations": [{"Destination": "CloudWatch"}],
                                                       "NextToken": "page2"}, {"AppMonitorName": "shop"})
    rum.add_response("list_rum_metrics_destinations", {"Destinations": []},
                     {"AppMonitorName": "shop", "NextToken": "page2"})
    definition = extended("JsErrorCount", "BrowserName", "metadata.browserName")
    del definition["ValueKey"]
    rum.add_response("batch_get_rum_metric_definitions", {"MetricDefinitions": [definition]},
                     {"AppMonitorName": "shop", "Destination": "CloudWatch"})
    stubs["sts"].add_response("get_caller_identity", {"Account": ACCOUNT, "Arn": "arn:aws:iam::1:user/u",
                                                      "UserId": "u"}, {})
    live = read_monitor(aws, "shop")
    for stub in stubs.values():
        stub.assert_no_pending_responses()
    assert (live.partition, live.region, live.account) == ("aws", "us-east-1", ACCOUNT)
    assert live.policy == policy() and [d["Name"] for d in live.definitions] == ["JsErrorCount"]
    _, settings = adopt(live, "shop-assets")
    assert template_properties(settings, live) == live_properties(live)


def test_a_monitor_without_a_policy_or_metrics_needs_no_account():
    aws, stubs = stubbed("rum")
    rum = stubs["rum"]
    rum.add_response("get_app_monitor", {"AppMonitor": answer()}, {"Name": "shop"})
    rum.add_client_error("get_resource_policy", "PolicyNotFoundException", expected_params={"Name": "shop"})
    rum.add_response("list_rum_metrics_destinations", {"Destinations": []}, {"AppMonitorName": "shop"})
    live = read_monitor(aws, "shop")
    rum.assert_no_pending_responses()
    assert live.policy is None and live.definitions == () and live.account == ""


def test_a_monitor_that_is_not_there_is_one_line():
    aws, stubs = stubbed("rum")
    stubs["rum"].add_client_error("get_app_monitor", "ResourceNotFoundException", http_status_code=404)
    with pytest.raises(MonitorNotFound, match="there is no app monitor shop in us-east-1"):
        read_monitor(aws, "shop")


@pytest.fixture
def cloudformation(aws_credentials):
    with served(CloudFormation(rate=200, burst=20, operation_seconds=0.02, change_set_seconds=0.01)) as stand_in:
        yield stand_in


def test_the_monitor_is_imported_alone_then_the_stack_grows_around_it(cloudformation):
    service, aws = cloudformation
    _, settings = adopt(read_live(), "shop-assets")
    lines: list[str] = []
    imported, completed = import_monitor(aws, settings, "shop-rum", echo=lines.append, poller=stand_in_poller())
    assert (imported.status, completed.status) == ("IMPORT_COMPLETE", "UPDATE_COMPLETE")
    request = next(r for name, r in service.calls if name == "CreateChangeSet" and r["ChangeSetType"] == "IMPORT")
    assert request["ResourcesToImport"] == [{"ResourceType": "AWS::RUM::AppMonitor", "LogicalResourceId": "AppMonitor",
                                             "ResourceIdentifier": {"Name": "shop"}}]
    stack = service.stacks["shop-rum"]
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    resources = stack["template"]["Resources"]
    assert len(resources) > 1 and resources["AppMonitor"]["DeletionPolicy"] == "Retain"
    # the update kept the monitor exactly as imported: its definition did not change
    assert resources["AppMonitor"] == import_template(settings)["Resources"]["AppMonitor"] | (
        {"DependsOn": resources["AppMonitor"]["DependsOn"]} if "DependsOn" in resources["AppMonitor"] else {})
    assert any("> Import" in line for line in lines)


def test_the_stand_in_holds_an_import_to_cloudformations_rules(cloudformation):
    """The stand-in refuses what CloudFormation refuses, so the test above proves something."""
    from botocore.exceptions import ClientError

    service, aws = cloudformation
    _, settings = adopt(read_live(), "shop-assets")
    cfn = aws.client("cloudformation")
    template = import_template(settings)
    entry = {"ResourceType": "AWS::RUM::AppMonitor", "LogicalResourceId": "AppMonitor",
             "ResourceIdentifier": {"Name": "shop"}}
    bad = [
        ({**template, "Outputs": {"X": {"Value": "x"}}}, entry, "cannot modify or add [Outputs]"),
        ({**template, "Resources": {"AppMonitor": {k: v for k, v in template["Resources"]["AppMonitor"].items()
                                                   if k != "DeletionPolicy"}}}, entry, "DeletionPolicy"),
        (template, {**entry, "ResourceIdentifier": {"Id": "x"}}, "must name ['Name']"),
        (template, {**entry, "ResourceIdentifier": {"Name": "other"}}, "property Name must be other"),
    ]
    for body, resource, message in bad:
        with pytest.raises(ClientError, match=message.replace("[", r"\[").replace("]", r"\]")):
            cfn.create_change_set(StackName="x", ChangeSetName="c", ChangeSetType="IMPORT",
                                  TemplateBody=json.dumps(body), ResourcesToImport=[resource])


def read_live():
    aws, stubs = stubbed("rum")
    stubs["rum"].add_response("get_app_monitor", {"AppMonitor": answer()}, {"Name": "shop"})
    stubs["rum"].add_client_error("get_resource_policy", "PolicyNotFoundException")
    stubs["rum"].add_response("list_rum_metrics_destinations", {"Destinations": []}, {"AppMonitorName": "shop"})
    return read_monitor(aws, "shop")
