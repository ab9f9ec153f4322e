"""``rumcfn deploy / diff / outputs / destroy`` against a real local endpoint (moto in server mode).

moto skips RUM, Cognito, Synthetics and alarm resources and can't settle rumcfn's own template, so these tests
deploy small templates through ``--template-file``. What moto can't do is in test_deploy_stubbed.py.
"""

from __future__ import annotations

import json

import pytest

from rumcfn.cli import run
from tests.support.aws import boto_client, small_template


@pytest.fixture
def templates(tmp_path):
    paths = {}
    for name, resources in {"v1": ("Topic", "Logs"), "v2": ("Topic", "Bucket"), "logs": ("Logs",)}.items():
        paths[name] = tmp_path / f"{name}.json"
        paths[name].write_text(small_template(*resources))
    return paths


def cfn(endpoint):
    return boto_client("cloudformation", endpoint)


def status(endpoint, name):
    return cfn(endpoint).describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]


def test_create_then_update_then_no_changes(aws_env, templates, capsys):
    assert run(["deploy", "--stack-name", "site", "--template-file", str(templates["v1"]), "--yes"]) == 0
    out = capsys.readouterr().out
    assert "Creating a change set for stack site in us-east-1" in out
    assert "+ Add      Topic              AWS::SNS::Topic      N/A" in out
    assert "+ Add      Logs               AWS::Logs::LogGroup  N/A" in out
    assert "CREATE_COMPLETE                 AWS::CloudFormation::Stack        site" in out
    assert "Stack site is CREATE_COMPLETE." in out
    assert status(aws_env, "site") == "CREATE_COMPLETE"

    assert run(["deploy", "--stack-name", "site", "--template-file", str(templates["v2"]), "--yes",
                "--parameter-overrides", "Env=prod", "--tags", "team=web"]) == 0
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.startswith(("+ ", "* ", "- "))]
    assert lines == [
        "+ Add      Bucket             AWS::S3::Bucket      N/A",
        "* Modify   Topic              AWS::SNS::Topic      N/A",
        "- Delete   Logs               AWS::Logs::LogGroup  N/A",
    ]
    assert "Stack site is UPDATE_COMPLETE." in out
    described = cfn(aws_env).describe_stacks(StackName="site")["Stacks"][0]
    assert {p["ParameterKey"]: p["ParameterValue"] for p in described["Parameters"]} == {"Env": "prod"}
    # (moto does not apply change-set tags to the stack; test_deploy_stubbed checks that they are sent)
    resources = cfn(aws_env).describe_stack_resources(StackName="site")["StackResources"]
    assert sorted(r["LogicalResourceId"] for r in resources) == ["Bucket", "Topic"]

    assert run(["deploy", "--stack-name", "site", "--template-file", str(templates["v2"]), "--yes"]) == 0
    captured = capsys.readouterr()
    assert "No changes to deploy. Stack site is up to date" in captured.out
    assert captured.err == ""
    assert status(aws_env, "site") == "UPDATE_COMPLETE"


def test_diff_shows_and_deletes_the_change_set(aws_env, templates, capsys):
    assert run(["diff", "--stack-name", "fresh", "--template-file", str(templates["v1"])]) == 0
    assert "+ Add      Topic" in capsys.readouterr().out
    # the change set (and the REVIEW_IN_PROGRESS stack that held it) are gone
    with pytest.raises(Exception, match="does not exist"):
        cfn(aws_env).describe_stacks(StackName="fresh")

    assert run(["deploy", "--stack-name", "fresh", "--template-file", str(templates["v1"]), "-y"]) == 0
    capsys.readouterr()
    before = cfn(aws_env).list_change_sets(StackName="fresh")["Summaries"]
    assert run(["diff", "--stack-name", "fresh", "--template-file", str(templates["v2"])]) == 0
    assert "- Delete   Logs" in capsys.readouterr().out
    assert cfn(aws_env).list_change_sets(StackName="fresh")["Summaries"] == before
    assert status(aws_env, "fresh") == "CREATE_COMPLETE"


def test_no_execute_leaves_the_change_set(aws_env, templates, capsys):
    assert (
        run(["deploy", "--stack-name", "later", "--template-file", str(templates["v1"]), "--no-execute-changeset"]) == 0
    )
    out = capsys.readouterr().out
    assert "Change set created and not executed. Execute it with: aws cloudformation execute-change-set" in out
    assert status(aws_env, "later") == "REVIEW_IN_PROGRESS"
    assert len(cfn(aws_env).list_change_sets(StackName="later")["Summaries"]) == 1
    # a REVIEW_IN_PROGRESS stack counts as new: the next deploy creates it
    assert run(["deploy", "--stack-name", "later", "--template-file", str(templates["v1"]), "--yes"]) == 0
    out = capsys.readouterr().out
    assert "+ Add      Topic" in out and "Stack later is CREATE_COMPLETE." in out
    # (moto then holds two stacks named "later"; CloudFormation reuses the REVIEW_IN_PROGRESS one)


def test_outputs_of_a_deployed_stack(aws_env, templates, capsys):
    # moto rebuilds Outputs only in create_stack (not after a change set), so create it directly.
    cfn(aws_env).create_stack(StackName="out", TemplateBody=templates["v1"].read_text())
    topic = cfn(aws_env).describe_stacks(StackName="out")["Stacks"][0]["Outputs"]
    assert run(["outputs", "--stack-name", "out"]) == 0
    out = capsys.readouterr().out
    assert "Outputs of stack out" in out and "Key          TopicName" in out
    assert run(["outputs", "--stack-name", "out", "--format", "json"]) == 0
    assert set(json.loads(capsys.readouterr().out)) == {"TopicName", "LogsName"}
    assert run(["outputs", "--stack-name", "out", "--key", "TopicName"]) == 0
    assert capsys.readouterr().out.strip() in {o["OutputValue"] for o in topic}
    assert run(["outputs", "--stack-name", "out", "--key", "Nope"]) == 2
    assert "stack out has outputs" in capsys.readouterr().err
    assert run(["outputs", "--stack-name", "missing"]) == 1
    assert capsys.readouterr().err == "rumcfn: error: stack missing does not exist in this account and region\n"


def test_destroy_waits_and_is_idempotent(aws_env, templates, capsys):
    assert run(["deploy", "--stack-name", "gone", "--template-file", str(templates["v1"]), "-y"]) == 0
    stack_id = cfn(aws_env).describe_stacks(StackName="gone")["Stacks"][0]["StackId"]
    capsys.readouterr()
    assert run(["destroy", "--stack-name", "gone", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "DELETE_COMPLETE" in out and out.rstrip().endswith("Stack gone deleted.")
    assert status(aws_env, stack_id) == "DELETE_COMPLETE"
    assert run(["destroy", "--stack-name", "gone", "--yes"]) == 0
    assert "Stack gone does not exist; nothing to delete." in capsys.readouterr().out


def test_refuses_to_prompt_without_a_terminal(aws_env, templates, capsys):
    assert run(["deploy", "--stack-name", "quiet", "--template-file", str(templates["v1"])]) == 2
    assert "pass --yes" in capsys.readouterr().err
    assert run(["destroy", "--stack-name", "quiet"]) == 2
    with pytest.raises(Exception, match="does not exist"):
        cfn(aws_env).describe_stacks(StackName="quiet")


def test_endpoint_url_flag(aws_env, templates, monkeypatch, capsys):
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    assert (
        run(
            [
                "deploy",
                "--stack-name",
                "flag",
                "--template-file",
                str(templates["logs"]),
                "-y",
                "--endpoint-url",
                aws_env,
                "--region",
                "eu-west-1",
            ]
        )
        == 0
    )
    assert "in eu-west-1" in capsys.readouterr().out
    assert boto_client("cloudformation", aws_env).meta.region_name == "us-east-1"
    import boto3

    eu = boto3.session.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name="eu-west-1")
    assert eu.client("cloudformation", endpoint_url=aws_env).describe_stacks(StackName="flag")["Stacks"]


def big_template(path, size=60_000):
    body = json.loads(small_template("Logs"))
    body["Metadata"] = {"Padding": "x" * size}
    path.write_text(json.dumps(body))
    return path


def test_large_template_goes_through_s3(aws_env, tmp_path, capsys):
    big = big_template(tmp_path / "big.json")
    assert run(["deploy", "--stack-name", "big", "--template-file", str(big), "-y"]) == 2
    err = capsys.readouterr().err
    assert "over CloudFormation's 51,200-byte limit for an inline template; pass --s3-bucket" in err

    boto_client("s3", aws_env).create_bucket(Bucket="artifacts")
    assert run(["deploy", "--stack-name", "big", "--template-file", str(big), "-y", "--s3-bucket", "artifacts"]) == 0
    assert status(aws_env, "big") == "CREATE_COMPLETE"
    keys = [o["Key"] for o in boto_client("s3", aws_env).list_objects_v2(Bucket="artifacts")["Contents"]]
    assert len(keys) == 1 and keys[0].startswith("rumcfn/big/") and keys[0].endswith(".template")


def test_unknown_parameter_fails_before_calling_aws(aws_env, templates, capsys):
    assert (
        run(
            [
                "deploy",
                "--stack-name",
                "p",
                "--template-file",
                str(templates["v1"]),
                "-y",
                "--parameter-overrides",
                "Nope=1",
            ]
        )
        == 2
    )
    assert "the template has no such parameter (it has: Env)" in capsys.readouterr().err
    with pytest.raises(Exception, match="does not exist"):
        cfn(aws_env).describe_stacks(StackName="p")


def test_an_endpoint_without_rum_is_one_line_and_leaves_no_stack(aws_env, tmp_path, capsys):
    """moto skips AWS::RUM::AppMonitor, so executing rumcfn's own template fails there: one line saying the template
    needs real AWS, and the stack the change set created is deleted (no REVIEW_IN_PROGRESS stack left)."""
    config = tmp_path / "rumcfn.toml"
    config.write_text('[monitor]\nname = "shop"\ndomains = ["shop.example.com"]\n[script]\nbucket = "shop-site"\n')
    assert run(["deploy", "--stack-name", "shop-rum", "--config", str(config), "--yes"]) == 1
    err = capsys.readouterr().err
    (line,) = [line for line in err.splitlines() if line.startswith("rumcfn: error:")]
    assert err.endswith(line + "\n")
    assert line == (
        f"rumcfn: error: stack shop-rum: {aws_env} does not offer AWS::RUM::AppMonitor (resource AppMonitor), so "
        "this template needs real AWS; the stack the change set created was deleted"
    )
    with pytest.raises(Exception, match="does not exist"):
        cfn(aws_env).describe_stacks(StackName="shop-rum")


def test_outputs_of_a_stack_that_was_never_created(aws_env, templates, capsys):
    assert run(["deploy", "--stack-name", "held", "--template-file", str(templates["v1"]),
                "--no-execute-changeset"]) == 0
    capsys.readouterr()
    assert run(["outputs", "--stack-name", "held"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "rumcfn: error: stack held was never created (REVIEW_IN_PROGRESS: it only holds a change set); deploy it "
        "with rumcfn deploy --stack-name held, or remove it with rumcfn destroy --stack-name held\n"
    )
