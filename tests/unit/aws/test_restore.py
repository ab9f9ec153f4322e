"""``rumcfn restore-snippet``: rum.js rebuilt from the deployed stack and written to S3.

moto cannot create this stack (it skips AWS::RUM::AppMonitor and cannot run the custom resource), so
CloudFormation is botocore's Stubber with responses shaped like CloudFormation's, built from the
template rumcfn synthesizes; S3 is moto, in process.
"""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from rumcfn.aws.restore import RestoreFailed, read_script, write_script
from rumcfn.aws.session import Aws
from rumcfn.aws.stacks import StackBusy, StackNotFound
from rumcfn.cli.restore import restore_snippet
from rumcfn.client.snippet import render_concrete
from rumcfn.config import Settings, from_mapping
from rumcfn.contract import CustomResources, Outputs
from tests.support.deployed import ACCOUNT, MONITOR_ID, NOW, POOL_ID, REGION, STACK, STACK_ID, Deployed

# --- a deployed stack (Stubber) and its bucket (moto) ---------------------------------------------------


@pytest.fixture
def s3(monkeypatch):
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        client = boto3.session.Session().client("s3", region_name=REGION)
        client.create_bucket(Bucket="example-site-assets", CreateBucketConfiguration={"LocationConstraint": REGION})
        client.calls = []
        client.meta.events.register("provide-client-params.s3.PutObject",
                                    lambda params, **kw: client.calls.append(dict(params)))
        yield client


def aws_for(deployed: Deployed, s3) -> Aws:
    deployed.stubber.activate()
    return Aws(region=REGION, clients={"cloudformation": deployed.client, "s3": s3})


def object_of(s3, bucket="example-site-assets", key="rum.js") -> dict:
    response = s3.get_object(Bucket=bucket, Key=key)
    return {"body": response["Body"].read().decode(), "type": response["ContentType"],
            "cache": response["CacheControl"]}


def test_restore_writes_exactly_what_the_stack_wrote(s3):
    deployed = Deployed(Settings())
    aws = aws_for(deployed, s3)
    script = read_script(aws, STACK)
    write_script(aws, script)
    deployed.stubber.assert_no_pending_responses()
    expected = render_concrete(app_monitor_id=MONITOR_ID, region=REGION, identity_pool_id=POOL_ID)
    assert object_of(s3) == {"body": expected, "type": "application/javascript; charset=utf-8", "cache": "max-age=300"}
    assert "dataplane.rum.eu-west-1.amazonaws.com" in expected and "${" not in expected
    (put,) = s3.calls
    assert put["ExpectedBucketOwner"] == ACCOUNT


def test_restore_of_a_resource_policy_stack_from_a_yaml_template(s3):
    deployed = Deployed(from_mapping({"auth": {"mode": "resource-policy"}, "script": {"cache_control": "no-cache"}}),
                        yaml=True)
    aws = aws_for(deployed, s3)
    write_script(aws, read_script(aws, STACK))
    expected = render_concrete(app_monitor_id=MONITOR_ID, region=REGION, unsigned=True)
    assert object_of(s3) == {"body": expected, "type": "application/javascript; charset=utf-8", "cache": "no-cache"}


def test_restore_of_a_parameters_stack_uses_the_deployed_parameter_values(s3):
    s3.create_bucket(Bucket="shop-site", CreateBucketConfiguration={"LocationConstraint": REGION})
    deployed = Deployed(
        Settings(parameters=True),
        parameters={"WebsiteBucket": "shop-site", "SessionSampleRate": "0.25", "AppMonitorName": "shop"},
    )
    aws = aws_for(deployed, s3)
    script = read_script(aws, STACK)
    assert (script.bucket, script.key) == ("shop-site", "rum.js")
    write_script(aws, script)
    expected = render_concrete(app_monitor_id=MONITOR_ID, region=REGION, identity_pool_id=POOL_ID, sample_rate=0.25)
    assert object_of(s3, bucket="shop-site")["body"] == expected


def test_restore_into_a_bucket_the_stack_created_uses_its_physical_id(s3):
    s3.create_bucket(Bucket="shop-example-site", CreateBucketConfiguration={"LocationConstraint": REGION})
    deployed = Deployed(
        from_mapping({"script": {"create_bucket": True, "bucket": "shop-example-site", "key": "js/rum.js"}}),
        physical={"SiteBucket": "shop-example-site"},
    )
    aws = aws_for(deployed, s3)
    write_script(aws, read_script(aws, STACK))
    assert object_of(s3, bucket="shop-example-site", key="js/rum.js")["body"].startswith("(function(n,i,v,r,s,c,u,")


def test_a_missing_output_is_named(s3):
    deployed = Deployed(Settings(), outputs={Outputs.APP_MONITOR_ID: None})
    with pytest.raises(RestoreFailed, match=r"cannot resolve RumScript: Fn::GetAtt AppMonitor\.Id"):
        read_script(aws_for(deployed, s3), STACK)


def test_a_stack_that_is_updating_is_refused(s3):
    deployed = Deployed(Settings(), status="UPDATE_IN_PROGRESS")
    with pytest.raises(StackBusy, match="UPDATE_IN_PROGRESS and cannot be read until that finishes"):
        read_script(aws_for(deployed, s3), STACK)


def test_a_missing_stack_is_one_clear_error(s3):
    client = boto3.session.Session().client("cloudformation", region_name=REGION)
    stubber = Stubber(client)
    stubber.add_client_error(
        "describe_stacks",
        "ValidationError",
        f"Stack with id {STACK} does not exist",
        expected_params={"StackName": STACK},
    )
    stubber.activate()
    with pytest.raises(StackNotFound, match=f"stack {STACK} does not exist in {REGION}"):
        read_script(Aws(region=REGION, clients={"cloudformation": client, "s3": s3}), STACK)


def test_a_stack_without_the_custom_resource_is_refused(s3):
    deployed = Deployed(Settings())
    del deployed.template["Resources"]["RumScript"]
    client = boto3.session.Session().client("cloudformation", region_name=REGION)
    stubber = Stubber(client)
    stack = {"StackName": STACK, "StackId": STACK_ID, "StackStatus": "CREATE_COMPLETE", "CreationTime": NOW}
    stubber.add_response("describe_stacks", {"Stacks": [stack]})
    stubber.add_response("get_template", {"TemplateBody": json.dumps(deployed.template)})
    stubber.add_response("list_stack_resources", {"StackResourceSummaries": []})
    stubber.activate()
    with pytest.raises(RestoreFailed, match=f"has 0 {CustomResources.RUM_SCRIPT} resources"):
        read_script(Aws(region=REGION, clients={"cloudformation": client, "s3": s3}), STACK)


def test_access_denied_on_the_bucket_is_one_line(s3):
    deployed = Deployed(Settings())
    aws = aws_for(deployed, s3)
    script = read_script(aws, STACK)
    from botocore.awsrequest import AWSResponse

    from rumcfn.errors import RumcfnError

    denied = {
        "Error": {"Code": "AccessDenied", "Message": "Access Denied"},
        "ResponseMetadata": {"HTTPStatusCode": 403},
    }
    s3.meta.events.register_first(
        "before-call.s3.PutObject", lambda **kw: (AWSResponse("https://s3", 403, {}, None), denied)
    )

    with pytest.raises(RumcfnError, match="access denied calling PutObject"):
        write_script(aws, script)


# --- the command -------------------------------------------------------------------------------------


@pytest.fixture
def cli(s3, invoke):
    """Run ``rumcfn restore-snippet`` in process with the stubbed stack; return (exit code, stdout, stderr)."""
    from tests.support.cli import aws_with

    def restore(*args: str, deployed: Deployed | None = None):
        deployed = deployed or Deployed(Settings())
        if isinstance(deployed, Deployed):
            deployed.stubber.activate()
        clients = {"cloudformation": deployed.client, "s3": s3}
        ran = invoke("restore-snippet", "--stack-name", STACK, "--region", REGION, *args, aws=aws_with(clients))
        return ran.code, ran.out, ran.err

    return restore


def test_command_restores_and_check_tells_missing_from_present(cli, s3):
    code, _, err = cli("--check")
    assert code == 1 and err.strip() == (
        f"rumcfn: error: s3://example-site-assets/rum.js is missing; run rumcfn restore-snippet --stack-name {STACK}"
    )
    code, out, _ = cli()
    assert code == 0 and out.startswith("restored s3://example-site-assets/rum.js from stack site-rum (")
    code, out, _ = cli("--check")
    assert code == 0 and "matches" in out
    s3.put_object(Bucket="example-site-assets", Key="rum.js", Body=b"stale")
    code, _, err = cli("--check")
    assert code == 1 and "different from the stack's snippet" in err


def test_command_reports_a_missing_stack_in_one_line(cli, s3):
    client = boto3.session.Session().client("cloudformation", region_name=REGION)
    stubber = Stubber(client)
    stubber.add_client_error("describe_stacks", "ValidationError", f"Stack with id {STACK} does not exist")
    stubber.activate()
    holder = type("D", (), {"client": client})()
    code, out, err = cli(deployed=holder)
    assert code == 1 and out == "" and err.count("\n") == 1 and "does not exist" in err


def test_command_is_registered():
    from rumcfn.cli import main

    assert main.get_command(None, "restore-snippet") is restore_snippet


def test_a_deployed_template_built_to_hurt_is_one_line_not_a_hang():
    """An endpoint answering GetTemplate with a YAML alias bomb or 30,000 levels of nesting."""
    from rumcfn.aws.stacks import deployed_template
    from rumcfn.template.reader import TemplateUnreadable
    from tests.support.aws import stubbed

    bomb = (
        "Resources:\n  A: {Type: AWS::SNS::Topic, Metadata: {l0: &l0 [x, x, x],"
        + "".join(f" l{i}: &l{i} [*l{i - 1}, *l{i - 1}, *l{i - 1}]," for i in range(1, 30))
        + "}}\n"
    )
    deep = "Resources: " + "[" * 30000 + "]" * 30000 + "\n"
    deep_json = '{"Resources": ' + "[" * 30000 + "]" * 30000 + "}"  # botocore's own JSON decoding would overflow
    aws, stubs = stubbed("cloudformation")
    for body in (bomb, deep, deep_json):
        stubs["cloudformation"].add_response("get_template", {"TemplateBody": body})
    with pytest.raises(TemplateUnreadable, match="stack site's deployed template: line 2: uses a YAML alias"):
        deployed_template(aws.client("cloudformation"), "site")
    for _ in range(2):
        with pytest.raises(TemplateUnreadable, match="stack site's deployed template: nested more than 100 levels"):
            deployed_template(aws.client("cloudformation"), "site")
