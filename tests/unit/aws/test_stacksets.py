"""``rumcfn deploy --stack-set``: moto for create / update / new instances, Stubber for what moto always reports
as SUCCEEDED (failed operations, busy stack sets, organizational units); and the template is StackSet-safe."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from rumcfn.aws.stacksets import StackSetRequest, deploy_stack_set, missing_targets
from rumcfn.cli import run
from rumcfn.config import Settings
from rumcfn.template.reader import TemplateSource, from_settings
from tests.support.aws import ACCOUNT, boto_client, instant_poller, small_template, stubbed

A, B = "111111111111", "222222222222"


@pytest.fixture
def logs_template(tmp_path):
    # moto names self-managed instance stacks "StackSet:<name>", which SNS topic names reject: use a log group.
    path = tmp_path / "logs.json"
    path.write_text(small_template("Logs"))
    return str(path)


def test_create_then_update_and_add_a_region(aws_env, logs_template, capsys):
    argv = [
        "deploy",
        "--stack-set",
        "rum",
        "--template-file",
        logs_template,
        "--accounts",
        f"{A},{B}",
        "--regions",
        "us-east-1,eu-west-1",
        "--max-concurrent-percentage",
        "50",
        "--failure-tolerance-percentage",
        "0",
    ]
    assert run(argv) == 0
    out = capsys.readouterr().out
    assert "Created stack set rum" in out
    assert f"Adding stack instances: {A}, {B} in us-east-1, eu-west-1..." in out
    assert re.search(r"Operation \S+ \(CREATE\): SUCCEEDED", out)
    for account in (A, B):
        for region in ("us-east-1", "eu-west-1"):
            assert re.search(rf"{account}\s+{region}\s+CURRENT\s+SUCCEEDED", out)
    assert out.rstrip().endswith("Stack set rum: 4 instance(s) CURRENT.")

    assert (
        run(argv[:-6] + ["--regions", "us-east-1,eu-west-1,ap-southeast-2", "--parameter-overrides", "Env=prod"]) == 0
    )
    out = capsys.readouterr().out
    assert "Updating stack set rum and its existing instances..." in out
    assert re.search(r"Operation \S+ \(UPDATE\): SUCCEEDED", out)
    assert f"Adding stack instances: {A}, {B} in ap-southeast-2..." in out
    assert "Stack set rum: 6 instance(s) CURRENT." in out
    cfn = boto_client("cloudformation", aws_env)
    described = cfn.describe_stack_set(StackSetName="rum")["StackSet"]
    assert described["PermissionModel"] == "SELF_MANAGED"
    assert {p["ParameterKey"]: p["ParameterValue"] for p in described["Parameters"]} == {"Env": "prod"}
    assert len(cfn.list_stack_instances(StackSetName="rum")["Summaries"]) == 6


def test_targets_are_checked_before_calling_aws(aws_env, logs_template, capsys):
    base = ["deploy", "--stack-set", "rum", "--template-file", logs_template]
    assert run(base + ["--regions", "us-east-1"]) == 2
    assert "give either --accounts or --organizational-units" in capsys.readouterr().err
    assert run(base + ["--regions", "us-east-1", "--accounts", "12345"]) == 2
    assert "setting --accounts: must be 12-digit AWS account ids, but got '12345'" in capsys.readouterr().err
    assert run(base + ["--accounts", A]) == 2
    assert "--regions: give at least one region" in capsys.readouterr().err
    assert run(["deploy", "--stack-name", "x", "--template-file", logs_template, "--accounts", A, "-y"]) == 2
    assert run(["deploy", "--template-file", logs_template, "-y"]) == 2
    capsys.readouterr()
    with pytest.raises(Exception, match="StackSetNotFound|not found"):
        boto_client("cloudformation", aws_env).describe_stack_set(StackSetName="rum")


def operation(op_id, status, action="CREATE"):
    return {"StackSetOperation": {"OperationId": op_id, "StackSetId": "rum:1", "Action": action, "Status": status}}


def instance(account, region, status="CURRENT", detailed="SUCCEEDED", reason=None, ou=None):
    item = {
        "StackSetId": "rum:1",
        "Region": region,
        "Account": account,
        "Status": status,
        "StackInstanceStatus": {"DetailedStatus": detailed},
    }
    if reason:
        item["StatusReason"] = reason
    if ou:
        item["OrganizationalUnitId"] = ou
    return item


def test_failed_instances_are_reported(capsys):
    aws, stubs = stubbed("cloudformation")
    cf = stubs["cloudformation"]
    cf.add_client_error("describe_stack_set", "StackSetNotFoundException", "StackSet rum not found")
    cf.add_response("create_stack_set", {"StackSetId": "rum:1"})
    cf.add_response("list_stack_instances", {"Summaries": []})
    cf.add_response("create_stack_instances", {"OperationId": "op-1"})
    cf.add_response("describe_stack_set_operation", operation("op-1", "RUNNING"))
    cf.add_response("describe_stack_set_operation", operation("op-1", "FAILED"))
    reason = (
        "Account 222222222222 should have 'AWSCloudFormationStackSetExecutionRole' role with trust relationship to "
        "Role 'AWSCloudFormationStackSetAdministrationRole'."
    )
    cf.add_response(
        "list_stack_instances",
        {"Summaries": [instance(A, "us-east-1"), instance(B, "us-east-1", "INOPERABLE", "FAILED", reason)]},
    )
    request = StackSetRequest("rum", TemplateSource(small_template("Logs"), "t.json"), ("us-east-1",), accounts=(A, B))
    with pytest.raises(Exception) as raised:
        deploy_stack_set(aws, request, poller=instant_poller())
    out = capsys.readouterr().out
    assert "Operation op-1 (CREATE): RUNNING\nOperation op-1 (CREATE): FAILED\n" in out
    assert re.search(rf"{B}\s+us-east-1\s+INOPERABLE\s+FAILED\s+Account 222222222222 should have", out)
    assert str(raised.value) == (
        "stack set rum: 1 of 2 instance(s) not CURRENT and an operation did not succeed; see "
        "aws cloudformation list-stack-set-operations --stack-set-name rum"
    )
    assert raised.value.exit_code == 1
    cf.assert_no_pending_responses()


def test_organizational_units_use_service_managed_permissions(capsys):
    from botocore.stub import ANY

    aws, stubs = stubbed("cloudformation")
    cf = stubs["cloudformation"]
    body = small_template("Logs")
    cf.add_client_error("describe_stack_set", "StackSetNotFoundException", "StackSet rum not found")
    cf.add_response(
        "create_stack_set",
        {"StackSetId": "rum:1"},
        {
            "StackSetName": "rum",
            "Parameters": [],
            "Capabilities": [],
            "TemplateBody": body,
            "PermissionModel": "SERVICE_MANAGED",
            "AutoDeployment": {"Enabled": True, "RetainStacksOnAccountRemoval": False},
            "ClientRequestToken": ANY,
        },
    )
    cf.add_response("list_stack_instances", {"Summaries": []})
    cf.add_response(
        "create_stack_instances",
        {"OperationId": "op-1"},
        {
            "StackSetName": "rum",
            "Regions": ["eu-west-1"],
            "DeploymentTargets": {"OrganizationalUnitIds": ["ou-ab12-cdefgh34"]},
            "OperationPreferences": {"MaxConcurrentPercentage": 25},
            "OperationId": ANY,
        },
    )
    cf.add_response("describe_stack_set_operation", operation("op-1", "SUCCEEDED"))
    cf.add_response("list_stack_instances", {"Summaries": [instance(A, "eu-west-1", ou="ou-ab12-cdefgh34")]})
    request = StackSetRequest(
        "rum",
        TemplateSource(body, "t.json"),
        ("eu-west-1",),
        organizational_units=("ou-ab12-cdefgh34",),
        max_concurrent_percentage=25,
    )
    assert [i["Account"] for i in deploy_stack_set(aws, request, poller=instant_poller())] == [A]
    cf.assert_no_pending_responses()


def test_busy_stack_set(capsys):
    aws, stubs = stubbed("cloudformation")
    cf = stubs["cloudformation"]
    cf.add_response(
        "describe_stack_set", {"StackSet": {"StackSetName": "rum", "PermissionModel": "SELF_MANAGED", "Parameters": []}}
    )
    cf.add_client_error(
        "update_stack_set", "OperationInProgressException", "Another Operation on StackSet rum is in progress"
    )
    request = StackSetRequest("rum", TemplateSource(small_template("Logs"), "t.json"), ("us-east-1",), accounts=(A,))
    with pytest.raises(Exception, match="stack set rum already has an operation running; wait for it"):
        deploy_stack_set(aws, request, poller=instant_poller())


def test_missing_targets_group_by_regions():
    request = StackSetRequest("rum", TemplateSource("{}", "t"), ("r1", "r2"), accounts=(A, B, ACCOUNT))
    have = [{"Account": A, "Region": "r1"}, {"Account": A, "Region": "r2"}, {"Account": B, "Region": "r1"}]
    assert missing_targets(request, have) == [((B,), ("r2",)), ((ACCOUNT,), ("r1", "r2"))]


# --- the synthesized template is safe to deploy to many accounts and regions --------------------------------

REGION_LITERAL = re.compile(
    r"\b(us|eu|ap|sa|ca|me|af|il|mx|cn|us-gov)-(north|south|east|west|central|northeast|"
    r"southeast|northwest|southwest)-\d\b"
)
NOT_NAMES = {"MetricName"}
#: Names scoped to something of the stack's own, not the account: an inline policy's name is unique per role
#: (AWS::IAM::Policy and AWS::IAM::RolePolicy, "PolicyName": the name of the inline policy of the role).
SCOPED_NAMES = {("AWS::IAM::Policy", "PolicyName"), ("AWS::IAM::RolePolicy", "PolicyName")}


def strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


def stack_unique(value, parameters):
    """A physical name is a parameter, or a Sub that includes the stack name or a parameter; ``parameters``
    also holds the template's resources, whose Ref names a resource of this stack (e.g. FunctionName)."""
    if isinstance(value, dict) and set(value) == {"Ref"}:
        return value["Ref"] in parameters or value["Ref"] == "AWS::StackName"
    if isinstance(value, dict) and set(value) == {"Fn::Sub"}:
        text = value["Fn::Sub"] if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"][0]
        variables = value["Fn::Sub"][1] if isinstance(value["Fn::Sub"], list) else {}
        used = set(re.findall(r"\$\{([^}!]+)\}", text))
        return "AWS::StackName" in used or any(
            u in parameters or stack_unique(variables.get(u), parameters) for u in used
        )
    return False


VARIANTS = {
    "default": Settings(),
    "resource-policy auth, no canary": dataclasses.replace(
        Settings(),
        auth=dataclasses.replace(Settings().auth, mode="resource-policy"),
        canary=dataclasses.replace(Settings().canary, enabled=False),
    ),
}


@pytest.mark.parametrize("variant", VARIANTS)
def test_stack_set_template_has_no_account_region_or_fixed_names(variant):
    # exactly what `rumcfn deploy --stack-set` sends: the --parameters template
    template = from_settings(dataclasses.replace(VARIANTS[variant], parameters=True))
    data = json.loads(template.body)
    text = json.dumps(data)
    assert not re.search(r"(?<!\d)\d{12}(?!\d)", text), "hard-coded account id"
    for value in strings(data):
        if "arn:" in value:
            assert not REGION_LITERAL.search(value), f"region literal in ARN {value!r}"
            assert "arn:aws:" not in value, f"hard-coded partition in {value!r}"
    parameters = set(data.get("Parameters", {}))
    assert parameters, "a StackSet template takes its site values as parameters"
    named = 0
    for logical, resource in data["Resources"].items():
        for prop, value in (resource.get("Properties") or {}).items():
            if prop.endswith("Name") and prop not in NOT_NAMES and (resource["Type"], prop) not in SCOPED_NAMES:
                named += 1
                assert stack_unique(value, parameters | set(data["Resources"])), (
                    f"{logical}.{prop} = {value!r} is not unique per stack"
                )
    assert named >= 1
    assert template.fits_inline() or template.size < 1_000_000


def test_stack_set_from_settings_sends_the_parameters_template(monkeypatch, tmp_path, capsys):
    from botocore.stub import ANY

    from tests.support.aws import fake_credentials
    from tests.support.cli import aws_with

    monkeypatch.chdir(tmp_path)  # no ./rumcfn.toml
    fake_credentials(monkeypatch, tmp_path)
    aws, stubs = stubbed("cloudformation")
    cf = stubs["cloudformation"]
    body = from_settings(dataclasses.replace(Settings(), parameters=True)).body
    cf.add_client_error("describe_stack_set", "StackSetNotFoundException", "StackSet rum not found")
    cf.add_response(
        "create_stack_set",
        {"StackSetId": "rum:1"},
        {
            "StackSetName": "rum",
            "TemplateBody": body,
            "Capabilities": ["CAPABILITY_IAM"],
            "Parameters": [{"ParameterKey": "Domain", "ParameterValue": "shop.example.com"}],
            "PermissionModel": "SELF_MANAGED",
            "ClientRequestToken": ANY,
        },
    )
    cf.add_response("list_stack_instances", {"Summaries": []})
    cf.add_response("create_stack_instances", {"OperationId": "op-1"})
    cf.add_response("describe_stack_set_operation", operation("op-1", "SUCCEEDED"))
    cf.add_response("list_stack_instances", {"Summaries": [instance(A, "us-east-1")]})
    assert (
        run(
            [
                "deploy",
                "--stack-set",
                "rum",
                "--accounts",
                A,
                "--regions",
                "us-east-1",
                "--parameter-overrides",
                "Domain=shop.example.com",
            ],
            aws=aws_with(aws.clients),
        )
        == 0
    )
    assert "Stack set rum: 1 instance(s) CURRENT." in capsys.readouterr().out
    cf.assert_no_pending_responses()


# --- a multi-location canary in a stack set ------------------------------------------------------------------
SITE = '[monitor]\nname = "shop"\ndomains = ["shop.example.com"]\n[script]\nbucket = "shop-site"\n'
LOCATIONS = SITE + '[canary]\nlocations = ["ap-southeast-2", "eu-west-1"]\n'


def stack_set_deploy(monkeypatch, tmp_path, capsys, regions: str, accounts: str = A, settings: str = LOCATIONS):
    """``rumcfn deploy --stack-set`` from ./rumcfn.toml, with a CloudFormation client that answers nothing: any
    call fails the command with exit 1, so exit 2 means it stopped before calling AWS."""
    from tests.support.aws import fake_credentials
    from tests.support.cli import aws_with

    monkeypatch.chdir(tmp_path)
    (tmp_path / "rumcfn.toml").write_text(settings)
    fake_credentials(monkeypatch, tmp_path)
    aws, stubs = stubbed("cloudformation")
    code = run(["deploy", "--stack-set", "rum", "--accounts", accounts, "--regions", regions,
                "--config", "rumcfn.toml"], aws=aws_with(aws.clients))
    return code, capsys.readouterr().err


@pytest.mark.parametrize("regions", ["us-east-1,us-west-2", "eu-west-1", "us-east-1,eu-west-1"])
def test_a_multi_location_canary_is_refused_where_instances_would_collide(monkeypatch, tmp_path, capsys, regions):
    """Every instance gets the same canary name and replica Regions: two instances of one account put that name
    in each location twice (Synthetics: a multilocation canary's name must not exist in a replica Region), and
    an instance in a location breaks the template's own rule (the primary Region cannot be a replica)."""
    code, err = stack_set_deploy(monkeypatch, tmp_path, capsys, regions)
    assert code == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("rumcfn: setting --regions:") or "setting --regions:" in err
    assert "canary.locations" in err and "ap-southeast-2" in err and repr(regions) in err


def test_a_multi_location_canary_deploys_to_one_region_outside_its_locations(monkeypatch, tmp_path, capsys):
    """One Region per account: each instance (one per account) is the only one using the name there."""
    code, err = stack_set_deploy(monkeypatch, tmp_path, capsys, "us-east-1", f"{A},{B}")
    assert code == 1 and "canary.locations" not in err  # it went on to call CloudFormation, which the stub refuses
    code, err = stack_set_deploy(monkeypatch, tmp_path, capsys, "us-east-1,us-west-2", settings=SITE)
    assert code == 1 and "canary.locations" not in err  # no locations: many Regions are fine
