"""Pieces of the deploy commands that need no AWS: lazy boto3, capabilities, size limit, polling, views."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from rumcfn.aws import views as view
from rumcfn.cli.options import parse_pairs
from rumcfn.config import SettingsError
from rumcfn.aws.events import WaitTimedOut, new_events
from rumcfn.template.reader import TemplateSource, TemplateTooLarge, TemplateUnreadable
from tests.support.aws import FakeClock, event, stubbed


def test_synth_and_help_do_not_import_boto3(tmp_path):
    code = (f"import sys; from rumcfn.cli import run; assert run(['synth', '-o', {str(tmp_path / 't.json')!r}]) == 0; "
            "assert run(['deploy', '--help']) == 0; "
            "loaded = [m for m in ('boto3', 'botocore', 'moto') if m in sys.modules]; print(loaded)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"


def template(resources, **extra):
    return TemplateSource(json.dumps({"Resources": resources, **extra}), "t.json")


@pytest.mark.parametrize("resources, extra, expected", [
    ({"T": {"Type": "AWS::SNS::Topic"}}, {}, []),
    ({"R": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}}}, {}, ["CAPABILITY_IAM"]),
    ({"R": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": {"Fn::Sub": "${AWS::StackName}-r"}}}}, {},
     ["CAPABILITY_NAMED_IAM"]),
    ({"F": {"Type": "AWS::Serverless::Function"}}, {"Transform": "AWS::Serverless-2016-10-31"}, ["CAPABILITY_AUTO_EXPAND"]),
    ({"T": {"Type": "AWS::SNS::Topic", "Properties": {"Fn::Transform": {"Name": "AWS::Include"}}}}, {},
     ["CAPABILITY_AUTO_EXPAND"]),
])
def test_capabilities_follow_the_template(resources, extra, expected):
    assert template(resources, **extra).capabilities == expected


def test_rumcfn_template_needs_iam_capability():
    from rumcfn.config import Settings
    from rumcfn.template.reader import from_settings

    assert from_settings(Settings()).capabilities == ["CAPABILITY_IAM"]


def test_yaml_templates_with_short_form_functions():
    source = TemplateSource("Parameters:\n  Env: {Type: String}\nResources:\n  R:\n    Type: AWS::IAM::Role\n"
                            "    Properties:\n      RoleName: !Sub '${AWS::StackName}-r'\n", "t.yaml")
    assert source.parameter_keys == ["Env"]
    assert source.capabilities == ["CAPABILITY_NAMED_IAM"]


def test_unreadable_templates():
    with pytest.raises(TemplateUnreadable, match="no Resources section"):
        TemplateSource('{"a": 1}', "t.json").capabilities
    with pytest.raises(TemplateUnreadable, match="not a JSON or YAML template"):
        TemplateSource("{ nope", "t.json").capabilities


def test_size_limit_is_checked_in_bytes():
    body = json.dumps({"Resources": {}, "Metadata": {"x": "é" * 25_600}}, ensure_ascii=False)  # 25,600 characters, over 51,200 bytes
    with pytest.raises(TemplateTooLarge, match="is 51,2.. bytes, over CloudFormation's 51,200-byte limit"):
        TemplateSource(body, "t.json").check_inline()


def test_parse_pairs():
    assert parse_pairs("--tags", ("a=1", "b='x y' c="), several_per_value=True) == {"a": "1", "b": "x y", "c": ""}
    with pytest.raises(SettingsError, match="must be KEY=VALUE"):
        parse_pairs("--tags", ("novalue",), several_per_value=True)
    # One pair per flag (--tag, --budget): a value keeps its spaces.
    assert parse_pairs("--tag", ("team=web ops", "env=prod")) == {"team": "web ops", "env": "prod"}


def test_poller_sleeps_are_bounded_and_reset_on_progress():
    clock = FakeClock()
    poller = clock.poller(first=1, most=5, factor=2)
    poller.start()
    for _ in range(5):
        poller.wait()
    poller.wait(progressed=True)
    assert clock.sleeps == [1, 2, 4, 5, 5, 1]


def test_poller_timeout():
    clock = FakeClock()
    poller = clock.poller(first=10, most=10, timeout=25)
    poller.start()
    poller.wait()
    poller.wait()
    with pytest.raises(WaitTimedOut, match="gave up waiting for stack x after 20 s"):
        poller.wait(what="stack x")


def test_new_events_pages_until_the_last_seen_event():
    aws, stubs = stubbed("cloudformation")
    cf = stubs["cloudformation"]
    page1 = [event(9, "B", "AWS::SNS::Topic", "CREATE_COMPLETE"), event(8, "A", "AWS::SNS::Topic", "CREATE_COMPLETE")]
    page2 = [event(7, "B", "AWS::SNS::Topic", "CREATE_IN_PROGRESS"), event(6, "A", "AWS::SNS::Topic", "CREATE_IN_PROGRESS")]
    cf.add_response("describe_stack_events", {"StackEvents": page1, "NextToken": "t"})
    cf.add_response("describe_stack_events", {"StackEvents": page2}, {"StackName": "s", "NextToken": "t"})
    found = new_events(aws.client("cloudformation"), "s", "event-6")
    assert [e["EventId"] for e in found] == ["event-7", "event-8", "event-9"]


def test_heartbeat_while_nothing_happens():
    from rumcfn.aws.events import watch
    from tests.support.aws import STACK_ID, stack

    aws, stubs = stubbed("cloudformation")
    cf = stubs["cloudformation"]
    for status in ("UPDATE_IN_PROGRESS",) * 12 + ("UPDATE_COMPLETE",):
        cf.add_response("describe_stacks", stack(status))
        cf.add_response("describe_stack_events", {"StackEvents": []})
    lines = []
    outcome = watch(aws.client("cloudformation"), STACK_ID, None, lines.append, FakeClock().poller())
    assert outcome.ok and outcome.status == "UPDATE_COMPLETE"
    assert [line for line in lines if line.startswith("...")] == ["... still UPDATE_IN_PROGRESS after 61 s"]


def test_change_table_shows_replacement_only_for_modify():
    text = view.change_table([
        {"Type": "Resource", "ResourceChange": {"Action": "Modify", "LogicalResourceId": "Monitor",
                                                "ResourceType": "AWS::RUM::AppMonitor", "Replacement": "Conditional"}},
        {"Type": "Resource", "ResourceChange": {"Action": "Remove", "LogicalResourceId": "Old",
                                                "ResourceType": "AWS::SNS::Topic"}},
    ], "site")
    assert text.splitlines()[4:6] == ["* Modify   Monitor            AWS::RUM::AppMonitor  Conditional",
                                      "- Delete   Old                AWS::SNS::Topic       N/A"]
