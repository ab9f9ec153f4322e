"""What moto can't act out, with botocore's Stubber and responses shaped like CloudFormation's: per-resource
events and progress, outputs after a change set, failures and rollbacks, stacks that can't be updated, AWS
errors (access denied, expired token, throttling), Ctrl-C, confirmation, termination protection."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pytest
from botocore.stub import ANY

import rumcfn.aws.deploy
from rumcfn.aws.deploy import StackRequest, deploy
from rumcfn.aws.session import Aws
from rumcfn.cli import run
from rumcfn.template.reader import TemplateSource
from tests.support.aws import (
    CHANGE_SET_ID,
    STACK_ID,
    FakeClock,
    event,
    fake_credentials,
    instant_poller,
    not_found,
    small_template,
    stack,
    stubbed,
)
from tests.support.cli import aws_with

TEMPLATE = small_template("Topic", "Logs")
OUTPUTS = [{"OutputKey": "ScriptTag", "OutputValue": '<script src="https://www.example.com/rum.js" async></script>',
            "Description": "Add this tag to the <head> of every page"},
           {"OutputKey": "DashboardUrl", "OutputValue": "https://console.aws.amazon.com/cloudwatch/home#dashboards:name=site"}]
CHANGES = [
    {
        "Type": "Resource",
        "ResourceChange": {"Action": "Add", "LogicalResourceId": "Topic", "ResourceType": "AWS::SNS::Topic"},
    },
    {
        "Type": "Resource",
        "ResourceChange": {"Action": "Add", "LogicalResourceId": "Logs", "ResourceType": "AWS::Logs::LogGroup"},
    },
]


def change_set(changes=CHANGES, status="CREATE_COMPLETE", reason=None):
    body = {
        "ChangeSetId": CHANGE_SET_ID,
        "ChangeSetName": "rumcfn-1",
        "StackId": STACK_ID,
        "StackName": "site",
        "Status": status,
        "ExecutionStatus": "AVAILABLE" if status == "CREATE_COMPLETE" else "UNAVAILABLE",
        "Changes": changes,
    }
    if reason:
        body["StatusReason"] = reason
    return body


def events(*items):
    """describe_stack_events response: newest first, as CloudFormation pages them."""
    return {"StackEvents": list(reversed(items))}


@dataclass
class StubbedCli:
    """``rumcfn`` commands in this process against Stubber clients, with a clock that never sleeps."""

    stubs: dict
    aws: Callable

    def run(self, argv: list[str]) -> int:
        return run(argv, aws=self.aws)


@pytest.fixture
def cli_with(monkeypatch, tmp_path):
    fake_credentials(monkeypatch, tmp_path)

    def use(*services, pollers=instant_poller):
        aws, stubs = stubbed(*services)
        return StubbedCli(stubs, aws_with(aws.clients, pollers=pollers))

    return use


@pytest.fixture
def template_file(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(TEMPLATE)
    return str(path)


def expect_new_stack_change_set(cf, changes=CHANGES, pending=True, next_token=None):
    not_found(cf)
    cf.add_response(
        "create_change_set",
        {"Id": CHANGE_SET_ID, "StackId": STACK_ID},
        {
            "StackName": "site",
            "ChangeSetName": ANY,
            "ChangeSetType": "CREATE",
            "Description": ANY,
            "Parameters": [],
            "Capabilities": [],
            "TemplateBody": TEMPLATE,
        },
    )
    if pending:
        cf.add_response("describe_change_set", change_set(status="CREATE_PENDING", changes=[]))
    first_page = change_set(changes=changes)
    if next_token:
        first_page["NextToken"] = next_token
    cf.add_response("describe_change_set", first_page)


def test_create_streams_resource_events_then_prints_outputs(cli_with, template_file, capsys):
    cli = cli_with("cloudformation")
    cf = cli.stubs["cloudformation"]
    expect_new_stack_change_set(cf)
    review = event(0, "site", "AWS::CloudFormation::Stack", "REVIEW_IN_PROGRESS", "User Initiated")
    cf.add_response("describe_stack_events", events(review))
    cf.add_response("execute_change_set", {}, {"ChangeSetName": CHANGE_SET_ID})
    first = [
        review,
        event(1, "site", "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS", "User Initiated"),
        event(2, "Topic", "AWS::SNS::Topic", "CREATE_IN_PROGRESS"),
        event(3, "Logs", "AWS::Logs::LogGroup", "CREATE_IN_PROGRESS"),
    ]
    cf.add_response("describe_stacks", stack("CREATE_IN_PROGRESS"))
    cf.add_response("describe_stack_events", events(*first))
    second = first + [
        event(4, "Logs", "AWS::Logs::LogGroup", "CREATE_COMPLETE"),
        event(5, "Topic", "AWS::SNS::Topic", "CREATE_COMPLETE"),
        event(6, "site", "AWS::CloudFormation::Stack", "CREATE_COMPLETE"),
    ]
    # the description that shows the stack settled has its outputs: no call after it asks again
    cf.add_response("describe_stacks", stack("CREATE_COMPLETE", outputs=OUTPUTS))
    cf.add_response("describe_stack_events", events(*second))

    assert cli.run(["deploy", "--stack-name", "site", "--template-file", template_file, "--yes"]) == 0
    out = capsys.readouterr().out
    cf.assert_no_pending_responses()
    assert out == EXPECTED_CREATE


EXPECTED_CREATE = """\
Creating a change set for stack site in us-east-1...
CloudFormation change set for stack site
--------------------------------------------------------------
Operation  LogicalResourceId  ResourceType         Replacement
--------------------------------------------------------------
+ Add      Topic              AWS::SNS::Topic      N/A
+ Add      Logs               AWS::Logs::LogGroup  N/A
--------------------------------------------------------------
Executing the change set; waiting for stack site to settle...
Time      Progress  ResourceStatus                  ResourceType                      LogicalResourceId         Reason
20:14:03  0/2       CREATE_IN_PROGRESS              AWS::CloudFormation::Stack        site                      User Initiated
20:14:04  0/2       CREATE_IN_PROGRESS              AWS::SNS::Topic                   Topic
20:14:05  0/2       CREATE_IN_PROGRESS              AWS::Logs::LogGroup               Logs
20:14:06  1/2       CREATE_COMPLETE                 AWS::Logs::LogGroup               Logs
20:14:07  2/2       CREATE_COMPLETE                 AWS::SNS::Topic                   Topic
20:14:08  2/2       CREATE_COMPLETE                 AWS::CloudFormation::Stack        site
Stack site is CREATE_COMPLETE.
Outputs of stack site
------------------------------------------------------------------------
Key          ScriptTag
Description  Add this tag to the <head> of every page
Value        <script src="https://www.example.com/rum.js" async></script>
------------------------------------------------------------------------
Key          DashboardUrl
Value        https://console.aws.amazon.com/cloudwatch/home#dashboards:name=site
------------------------------------------------------------------------
"""  # noqa: E501


def test_failed_first_create_reports_resources_and_how_to_remove_the_stack(cli_with, template_file, capsys):
    cli = cli_with("cloudformation")
    cf = cli.stubs["cloudformation"]
    expect_new_stack_change_set(cf)
    cf.add_response(
        "describe_stack_events", events(event(0, "site", "AWS::CloudFormation::Stack", "REVIEW_IN_PROGRESS"))
    )
    cf.add_response("execute_change_set", {})
    cf.add_response("describe_stacks", stack("ROLLBACK_COMPLETE"))
    cf.add_response(
        "describe_stack_events",
        events(
            event(0, "site", "AWS::CloudFormation::Stack", "REVIEW_IN_PROGRESS"),
            event(1, "site", "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS", "User Initiated"),
            event(2, "Topic", "AWS::SNS::Topic", "CREATE_IN_PROGRESS"),
            event(
                3,
                "Logs",
                "AWS::Logs::LogGroup",
                "CREATE_FAILED",
                "Resource handler returned message: \"Resource of type 'AWS::Logs::LogGroup' with identifier 'site' "
                "already exists.\" (HandlerErrorCode: AlreadyExists)",
            ),
            event(4, "Topic", "AWS::SNS::Topic", "CREATE_FAILED", "Resource creation cancelled"),
            event(
                5,
                "site",
                "AWS::CloudFormation::Stack",
                "ROLLBACK_IN_PROGRESS",
                "The following resource(s) failed to create: [Logs, Topic]. Rollback requested by user.",
            ),
            event(6, "Topic", "AWS::SNS::Topic", "DELETE_COMPLETE"),
            event(7, "site", "AWS::CloudFormation::Stack", "ROLLBACK_COMPLETE"),
        ),
    )

    assert cli.run(["deploy", "--stack-name", "site", "--template-file", template_file, "--yes"]) == 1
    captured = capsys.readouterr()
    assert "ROLLBACK_COMPLETE" in captured.out
    assert captured.err == (
        "Failed resources:\n"
        "  Logs (AWS::Logs::LogGroup) CREATE_FAILED: Resource handler returned message: \"Resource of type "
        "'AWS::Logs::LogGroup' with identifier 'site' already exists.\" (HandlerErrorCode: AlreadyExists)\n"
        "  Topic (AWS::SNS::Topic) CREATE_FAILED: Resource creation cancelled\n"
        "Final stack status: ROLLBACK_COMPLETE\n"
        "rumcfn: error: stack site ended in ROLLBACK_COMPLETE: the first create failed and was rolled back; "
        "remove the stack with: rumcfn destroy --stack-name site\n"
    )
    assert "Traceback" not in captured.err


def test_failed_update_rolls_back(cli_with, template_file, capsys):
    cli = cli_with("cloudformation")
    cf = cli.stubs["cloudformation"]
    cf.add_response(
        "describe_stacks", stack("UPDATE_COMPLETE", parameters=[{"ParameterKey": "Env", "ParameterValue": "prod"}])
    )
    cf.add_response(
        "create_change_set",
        {"Id": CHANGE_SET_ID, "StackId": STACK_ID},
        {
            "StackName": "site",
            "ChangeSetName": ANY,
            "ChangeSetType": "UPDATE",
            "Description": ANY,
            "Parameters": [{"ParameterKey": "Env", "UsePreviousValue": True}],
            "Capabilities": [],
            "TemplateBody": TEMPLATE,
            "Tags": [{"Key": "team", "Value": "web"}],
            "RoleARN": "arn:aws:iam::123456789012:role/cfn",
        },
    )
    modify = [
        {
            "Type": "Resource",
            "ResourceChange": {
                "Action": "Modify",
                "LogicalResourceId": "Logs",
                "ResourceType": "AWS::Logs::LogGroup",
                "Replacement": "True",
            },
        }
    ]
    cf.add_response("describe_change_set", change_set(changes=modify))
    cf.add_response("describe_stack_events", events(event(0, "site", "AWS::CloudFormation::Stack", "UPDATE_COMPLETE")))
    cf.add_response("execute_change_set", {})
    cf.add_response("describe_stacks", stack("UPDATE_ROLLBACK_COMPLETE"))
    cf.add_response(
        "describe_stack_events",
        events(
            event(0, "site", "AWS::CloudFormation::Stack", "UPDATE_COMPLETE"),
            event(1, "site", "AWS::CloudFormation::Stack", "UPDATE_IN_PROGRESS", "User Initiated"),
            event(2, "Logs", "AWS::Logs::LogGroup", "UPDATE_FAILED", "Access denied for logs:CreateLogGroup"),
            event(3, "site", "AWS::CloudFormation::Stack", "UPDATE_ROLLBACK_COMPLETE"),
        ),
    )

    code = cli.run(
        [
            "deploy",
            "--stack-name",
            "site",
            "--template-file",
            template_file,
            "--yes",
            "--tags",
            "team=web",
            "--role-arn",
            "arn:aws:iam::123456789012:role/cfn",
        ]
    )
    captured = capsys.readouterr()
    assert code == 1
    assert "* Modify   Logs               AWS::Logs::LogGroup  True" in captured.out
    assert "  Logs (AWS::Logs::LogGroup) UPDATE_FAILED: Access denied for logs:CreateLogGroup\n" in captured.err
    assert captured.err.endswith(
        "rumcfn: error: stack site ended in UPDATE_ROLLBACK_COMPLETE: the update was rolled "
        "back; the stack is as it was before\n"
    )


@pytest.mark.parametrize(
    "status, message",
    [
        (
            "UPDATE_IN_PROGRESS",
            "stack site is UPDATE_IN_PROGRESS and cannot be changed until that finishes; follow it "
            "with: aws cloudformation describe-stack-events --stack-name site",
        ),
        (
            "ROLLBACK_COMPLETE",
            "stack site is ROLLBACK_COMPLETE and cannot be updated; its first create failed; remove "
            "it with: rumcfn destroy --stack-name site",
        ),
        (
            "UPDATE_ROLLBACK_FAILED",
            "stack site is UPDATE_ROLLBACK_FAILED and cannot be updated; recover it with: aws "
            "cloudformation continue-update-rollback --stack-name site",
        ),
    ],
)
def test_stack_that_cannot_be_updated(cli_with, template_file, capsys, status, message):
    cli = cli_with("cloudformation")
    cf = cli.stubs["cloudformation"]
    cf.add_response("describe_stacks", stack(status))
    assert cli.run(["deploy", "--stack-name", "site", "--template-file", template_file, "--yes"]) == 1
    assert capsys.readouterr().err == f"rumcfn: error: {message}\n"
    cf.assert_no_pending_responses()


def test_stack_that_starts_updating_meanwhile(cli_with, template_file, capsys):
    cli = cli_with("cloudformation")
    cf = cli.stubs["cloudformation"]
    cf.add_response("describe_stacks", stack("UPDATE_COMPLETE"))
    cf.add_client_error(
        "create_change_set",
        "ValidationError",
        f"Stack:{STACK_ID} is in UPDATE_IN_PROGRESS state and can not be updated.",
    )
    cf.add_response("describe_stacks", stack("UPDATE_IN_PROGRESS"))
    assert cli.run(["deploy", "--stack-name", "site", "--template-file", template_file, "--yes"]) == 1
    assert "stack site is UPDATE_IN_PROGRESS and cannot be changed until that finishes" in capsys.readouterr().err


@pytest.mark.parametrize(
    "code, message, meta, expected",
    [
        (
            "AccessDenied",
            "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: cloudformation:DescribeStacks",
            None,
            "access denied calling DescribeStacks: User: arn:aws:iam::123456789012:user/dev is not authorized to "
            "perform: cloudformation:DescribeStacks",
        ),
        (
            "ExpiredToken",
            "The security token included in the request is expired",
            None,
            "AWS credentials have expired (ExpiredToken: The security token included in the request is expired); "
            "refresh them (e.g. `aws sso login`) and retry",
        ),
        (
            "Throttling",
            "Rate exceeded",
            {"RetryAttempts": "7"},
            "AWS kept throttling DescribeStacks (gave up after 8 attempt(s)); wait a minute and retry",
        ),
        (
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
            None,
            "AWS rejected the credentials calling DescribeStacks: "
            "The security token included in the request is invalid.",
        ),
    ],
)
def test_aws_errors_are_one_line(cli_with, template_file, capsys, code, message, meta, expected):
    cli = cli_with("cloudformation")
    cf = cli.stubs["cloudformation"]
    cf.add_client_error("describe_stacks", code, message, 403 if code != "Throttling" else 400, response_meta=meta)
    assert cli.run(["deploy", "--stack-name", "site", "--template-file", template_file, "--yes"]) == 1
    assert capsys.readouterr().err == f"rumcfn: error: {expected}\n"


def test_throttling_attempts_come_from_botocore_retries():
    from botocore.exceptions import ClientError

    from rumcfn.aws.errors import Throttled, translate

    error = ClientError(
        {"Error": {"Code": "Throttling", "Message": "Rate exceeded"}, "ResponseMetadata": {"RetryAttempts": 7}},
        "DescribeStackEvents",
    )
    assert isinstance(translate(error), Throttled) and "after 8 attempt(s)" in str(translate(error))


def test_clients_retry_in_standard_mode(monkeypatch, tmp_path):
    fake_credentials(monkeypatch, tmp_path)
    client = Aws(region="eu-west-1").client("cloudformation")
    assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": 3}
    assert client.meta.region_name == "eu-west-1"
    monkeypatch.setenv("AWS_REGION", "eu-north-1")  # like the AWS CLI v2, AWS_REGION wins over AWS_DEFAULT_REGION
    assert Aws().region_name == "eu-north-1"
    assert Aws(region="ap-south-1").region_name == "ap-south-1"


def test_no_credentials_and_no_region(monkeypatch, tmp_path, capsys):
    fake_credentials(monkeypatch, tmp_path)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    assert run(["outputs", "--stack-name", "site"]) == 1
    assert capsys.readouterr().err.startswith("rumcfn: error: no AWS credentials found; set AWS_PROFILE")
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    assert run(["outputs", "--stack-name", "site"]) == 2
    assert capsys.readouterr().err == (
        "rumcfn: error: no AWS region; pass --region or set AWS_REGION (or AWS_DEFAULT_REGION)\n"
    )
    assert run(["outputs", "--stack-name", "site", "--profile", "nobody"]) == 2
    assert "AWS profile 'nobody' is not configured" in capsys.readouterr().err


def test_unreachable_endpoint(monkeypatch, tmp_path, capsys):
    fake_credentials(monkeypatch, tmp_path)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    once = aws_with(max_attempts=1)
    assert run(["outputs", "--stack-name", "site", "--endpoint-url", f"http://127.0.0.1:{port}"], aws=once) == 1
    assert capsys.readouterr().err.startswith("rumcfn: error: cannot reach the AWS endpoint")


def test_ctrl_c_while_waiting_leaves_the_stack(monkeypatch, template_file, capsys):
    aws, stubs = stubbed("cloudformation")
    cf = stubs["cloudformation"]
    expect_new_stack_change_set(cf, pending=False)
    cf.add_response("describe_stack_events", events())
    cf.add_response("execute_change_set", {})
    cf.add_response("describe_stacks", stack("CREATE_IN_PROGRESS"))
    cf.add_response(
        "describe_stack_events", events(event(1, "site", "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS"))
    )

    def interrupt(seconds):
        raise KeyboardInterrupt

    poller = FakeClock().poller()
    poller.sleep = interrupt
    request = StackRequest("site", TemplateSource(TEMPLATE, template_file))
    with pytest.raises(rumcfn.aws.deploy.Interrupted) as raised:
        deploy(aws, request, poller=poller)
    assert raised.value.exit_code == 130
    assert str(raised.value) == (
        "interrupted; stack site is left as it is and CloudFormation carries on. Follow it with: aws cloudformation "
        "describe-stack-events --stack-name site (or rumcfn outputs --stack-name site once it settles)"
    )
    cf.assert_no_pending_responses()  # no delete, no cancel


def test_ctrl_c_through_the_cli_exits_130(cli_with, template_file, capsys):
    def interrupted_poller():
        poller = instant_poller()
        poller.sleep = lambda seconds: (_ for _ in ()).throw(KeyboardInterrupt())
        return poller

    cli = cli_with("cloudformation", pollers=interrupted_poller)
    cf = cli.stubs["cloudformation"]
    expect_new_stack_change_set(cf, pending=False)  # the first sleep is while the stack deploys
    cf.add_response("describe_stack_events", events())
    cf.add_response("execute_change_set", {})
    cf.add_response("describe_stacks", stack("CREATE_IN_PROGRESS"))
    cf.add_response("describe_stack_events", events())
    assert cli.run(["deploy", "--stack-name", "site", "--template-file", template_file, "--yes"]) == 130
    assert "aws cloudformation describe-stack-events --stack-name site" in capsys.readouterr().err


@pytest.mark.parametrize("answer, code", [("y\n", 0), ("n\n", 1)])
def test_confirmation_on_a_terminal(cli_with, template_file, monkeypatch, answer, code):
    from click.testing import CliRunner

    from rumcfn.cli import main
    from rumcfn.cli.app import Wiring

    monkeypatch.setattr("rumcfn.cli.deploy.interactive", lambda: True)
    cli = cli_with("cloudformation")
    cf = cli.stubs["cloudformation"]
    expect_new_stack_change_set(cf)
    if answer == "y\n":
        cf.add_response("describe_stack_events", events())
        cf.add_response("execute_change_set", {})
        cf.add_response("describe_stacks", stack("CREATE_COMPLETE", outputs=OUTPUTS))
        cf.add_response(
            "describe_stack_events", events(event(1, "site", "AWS::CloudFormation::Stack", "CREATE_COMPLETE"))
        )
    else:  # the change set and the empty REVIEW_IN_PROGRESS stack are removed
        cf.add_response("delete_change_set", {}, {"ChangeSetName": CHANGE_SET_ID})
        cf.add_response("describe_stacks", stack("REVIEW_IN_PROGRESS"))
        cf.add_response("delete_stack", {}, {"StackName": STACK_ID})
    result = CliRunner().invoke(
        main, ["deploy", "--stack-name", "site", "--template-file", template_file], input=answer, standalone_mode=False,
        obj=Wiring(aws=cli.aws),
    )
    assert "Deploy this change set to stack site? [y/N]" in result.output
    cf.assert_no_pending_responses()
    if code:
        assert isinstance(result.exception, rumcfn.aws.deploy.Cancelled)
        assert str(result.exception) == "deployment cancelled; change set deleted, stack site unchanged"
    else:
        assert result.exception is None and "Stack site is CREATE_COMPLETE." in result.output


def test_failed_change_set_reason(cli_with, template_file, capsys):
    cli = cli_with("cloudformation")
    cf = cli.stubs["cloudformation"]
    not_found(cf)
    cf.add_response("create_change_set", {"Id": CHANGE_SET_ID, "StackId": STACK_ID})
    cf.add_response(
        "describe_change_set",
        change_set(
            changes=[],
            status="FAILED",
            reason=("Template error: instance of Fn::GetAtt references undefined resource Monitor"),
        ),
    )
    assert cli.run(["deploy", "--stack-name", "site", "--template-file", template_file, "--yes"]) == 1
    assert capsys.readouterr().err == (
        "rumcfn: error: CloudFormation could not create a change set for stack site: "
        "Template error: instance of Fn::GetAtt references undefined resource Monitor\n"
    )


def test_no_changes_from_a_failed_empty_change_set(cli_with, template_file, capsys):
    cli = cli_with("cloudformation")
    cf = cli.stubs["cloudformation"]
    cf.add_response("describe_stacks", stack("UPDATE_COMPLETE", protection=False))
    cf.add_response("create_change_set", {"Id": CHANGE_SET_ID, "StackId": STACK_ID})
    cf.add_response(
        "describe_change_set",
        change_set(
            changes=[],
            status="FAILED",
            reason=(
                "The submitted information didn't contain changes. Submit different information to create a change set."
            ),
        ),
    )
    cf.add_response("delete_change_set", {}, {"ChangeSetName": CHANGE_SET_ID})
    # one description serves both: the protection to change, and the outputs (which the change leaves alone)
    cf.add_response("describe_stacks", stack("UPDATE_COMPLETE", outputs=OUTPUTS, protection=False))
    cf.add_response(
        "update_termination_protection",
        {"StackId": STACK_ID},
        {"StackName": "site", "EnableTerminationProtection": True},
    )
    assert (
        cli.run(["deploy", "--stack-name", "site", "--template-file", template_file, "-y", "--termination-protection"])
        == 0
    )
    out = capsys.readouterr().out
    assert out.startswith(
        "Creating a change set for stack site in us-east-1...\n"
        "No changes to deploy. Stack site is up to date\n"
        "Termination protection enabled for stack site.\n"
    )
    assert "Value        <script src=" in out
    cf.assert_no_pending_responses()


def test_destroy_failure_and_protection(cli_with, capsys):
    cli = cli_with("cloudformation")
    cf = cli.stubs["cloudformation"]
    cf.add_response("describe_stacks", stack("UPDATE_COMPLETE", protection=True))
    assert cli.run(["destroy", "--stack-name", "site", "--yes"]) == 1
    assert (
        "update-termination-protection --no-enable-termination-protection --stack-name site" in capsys.readouterr().err
    )

    cf.add_response("describe_stacks", stack("UPDATE_COMPLETE"))
    cf.add_response("describe_stack_events", events(event(0, "site", "AWS::CloudFormation::Stack", "UPDATE_COMPLETE")))
    cf.add_response("delete_stack", {}, {"StackName": STACK_ID, "RoleARN": "arn:aws:iam::123456789012:role/cfn"})
    cf.add_response("describe_stacks", stack("DELETE_FAILED"))
    cf.add_response(
        "describe_stack_events",
        events(
            event(0, "site", "AWS::CloudFormation::Stack", "UPDATE_COMPLETE"),
            event(1, "site", "AWS::CloudFormation::Stack", "DELETE_IN_PROGRESS", "User Initiated"),
            event(2, "Bucket", "AWS::S3::Bucket", "DELETE_FAILED", "The bucket you tried to delete is not empty"),
            event(
                3,
                "site",
                "AWS::CloudFormation::Stack",
                "DELETE_FAILED",
                "The following resource(s) failed to delete: [Bucket].",
            ),
        ),
    )
    role = "arn:aws:iam::123456789012:role/cfn"
    assert cli.run(["destroy", "--stack-name", "site", "--yes", "--role-arn", role]) == 1
    err = capsys.readouterr().err
    assert "  Bucket (AWS::S3::Bucket) DELETE_FAILED: The bucket you tried to delete is not empty\n" in err
    assert err.endswith(
        "rumcfn: error: stack site ended in DELETE_FAILED; fix or retain the resources above, then "
        "run rumcfn destroy --stack-name site again\n"
    )
    cf.assert_no_pending_responses()


def test_deploy_from_settings_sends_the_synthesized_template(cli_with, capsys, monkeypatch, tmp_path):
    from rumcfn.config import Settings, with_overrides
    from rumcfn.stack.assemble import build_template
    from rumcfn.template.output import to_json

    monkeypatch.chdir(tmp_path)  # no ./rumcfn.toml
    settings = with_overrides(Settings(), {"monitor.name": "shop", "monitor.domains": ("shop.example.com",),
                                           "script.bucket": "shop-site"})
    cli = cli_with("cloudformation")
    cf = cli.stubs["cloudformation"]
    not_found(cf)
    cf.add_response(
        "create_change_set",
        {"Id": CHANGE_SET_ID, "StackId": STACK_ID},
        {
            "StackName": "site",
            "ChangeSetName": ANY,
            "ChangeSetType": "CREATE",
            "Description": ANY,
            "Parameters": [],
            "Capabilities": ["CAPABILITY_IAM"],
            "TemplateBody": to_json(build_template(settings)),
        },
    )
    cf.add_response(
        "describe_change_set",
        change_set(
            changes=[
                {
                    "Type": "Resource",
                    "ResourceChange": {
                        "Action": "Add",
                        "LogicalResourceId": "AppMonitor",
                        "ResourceType": "AWS::RUM::AppMonitor",
                    },
                }
            ]
        ),
    )
    cf.add_response("delete_change_set", {})
    cf.add_response("describe_stacks", stack("REVIEW_IN_PROGRESS"))
    cf.add_response("delete_stack", {}, {"StackName": STACK_ID})
    assert cli.run(["diff", "--stack-name", "site", "--monitor.name", "shop", "--monitor.domains", "shop.example.com",
                    "--script.bucket", "shop-site"]) == 0
    assert "+ Add      AppMonitor         AWS::RUM::AppMonitor  N/A" in capsys.readouterr().out
    cf.assert_no_pending_responses()


def test_a_change_set_of_several_pages_is_shown_whole(cli_with, template_file, capsys):
    """The first page comes with the poll; the paginator fetches the rest from its NextToken."""
    cli = cli_with("cloudformation")
    cf = cli.stubs["cloudformation"]
    expect_new_stack_change_set(cf, changes=CHANGES[:1], pending=False, next_token="page-2")
    cf.add_response(
        "describe_change_set", change_set(changes=CHANGES[1:]), {"ChangeSetName": CHANGE_SET_ID, "NextToken": "page-2"}
    )
    cf.add_response("delete_change_set", {}, {"ChangeSetName": CHANGE_SET_ID})
    cf.add_response("describe_stacks", stack("REVIEW_IN_PROGRESS"))
    cf.add_response("delete_stack", {}, {"StackName": STACK_ID})
    code = cli.run(["diff", "--stack-name", "site", "--template-file", template_file])
    out = capsys.readouterr().out
    assert code == 0
    assert "+ Add      Topic" in out and "+ Add      Logs" in out
    cf.assert_no_pending_responses()


def test_a_refused_execution_of_a_new_stack_removes_it(cli_with, template_file, capsys):
    """ExecuteChangeSet refused for any reason: the stack that only held the change set is deleted, one line."""
    cli = cli_with("cloudformation")
    cf = cli.stubs["cloudformation"]
    expect_new_stack_change_set(cf)
    cf.add_response("describe_stack_events", events(event(0, "site", "AWS::CloudFormation::Stack",
                                                          "REVIEW_IN_PROGRESS", "User Initiated")))
    cf.add_client_error("execute_change_set", "InsufficientCapabilitiesException", "Requires capabilities")
    cf.add_response("delete_change_set", {}, {"ChangeSetName": CHANGE_SET_ID})
    cf.add_response("describe_stacks", stack("REVIEW_IN_PROGRESS"), {"StackName": STACK_ID})
    cf.add_response("delete_stack", {}, {"StackName": STACK_ID})
    assert cli.run(["deploy", "--stack-name", "site", "--template-file", template_file, "--yes"]) == 1
    assert capsys.readouterr().err == (
        "rumcfn: error: ExecuteChangeSet failed: InsufficientCapabilitiesException: Requires capabilities; "
        "the stack the change set created was deleted\n"
    )
    cf.assert_no_pending_responses()
