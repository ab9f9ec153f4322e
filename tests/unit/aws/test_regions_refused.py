"""A Region that lacks a resource type of the template is refused before any AWS call: exit 2, one line
naming the Region and the type. The Region comes from --region, AWS_REGION, AWS_DEFAULT_REGION or the
profile, resolved offline; StackSets check every Region in --regions."""

from __future__ import annotations

import pytest

from rumcfn.aws.session import Aws
from rumcfn.cli import run
from rumcfn.template.regions import known_regions, offered
from tests.support import SITE_FLAGS
from tests.support.aws import fake_credentials, stubbed

RUM = "AWS::RUM::AppMonitor"
ACCOUNT = "123456789012"


def region_without_rum() -> str:
    """Found in cfn-lint's data at test time (cn-north-1 and others with cfn-lint 1.58)."""
    regions = [region for region in known_regions() if RUM not in offered(region)]
    assert regions
    return regions[0]


@pytest.fixture
def no_aws(monkeypatch, tmp_path):
    """Fake credentials and Stubber clients with no responses queued: any AWS call would fail the test."""
    monkeypatch.chdir(tmp_path)  # no ./rumcfn.toml
    fake_credentials(monkeypatch, tmp_path)
    aws, stubs = stubbed("cloudformation", "s3")
    made = []

    def client(self, service):
        made.append(service)
        return aws.clients[service]

    monkeypatch.setattr(Aws, "client", client)
    yield made
    for stub in stubs.values():
        stub.assert_no_pending_responses()


def refused(capsys, code: int, *names: str) -> str:
    captured = capsys.readouterr()
    assert code == 2, captured.err
    (line,) = captured.err.strip().splitlines()
    for name in names:
        assert name in line
    assert "Traceback" not in captured.err
    return line


@pytest.mark.parametrize("command", [["deploy", "-y"], ["diff"]])
def test_deploy_and_diff_refuse_a_region_without_the_type(command, no_aws, capsys):
    region = region_without_rum()
    code = run([*command, "--stack-name", "site", "--region", region, *SITE_FLAGS])
    refused(capsys, code, region, RUM)
    assert no_aws == []


@pytest.mark.parametrize("source", ["AWS_REGION", "AWS_DEFAULT_REGION", "profile"])
def test_the_region_from_the_environment_or_profile_is_checked_too(source, no_aws, capsys, monkeypatch, tmp_path):
    region = region_without_rum()
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    args = ["deploy", "--stack-name", "site", "-y", *SITE_FLAGS]
    if source == "profile":
        config = tmp_path / "aws-config"
        config.write_text(f"[profile far]\nregion = {region}\n")
        monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
        args += ["--profile", "far"]
    else:
        monkeypatch.setenv(source, region)
    refused(capsys, run(args), region, RUM)
    assert no_aws == []


def test_a_template_file_is_checked_like_a_synthesized_one(no_aws, capsys, tmp_path):
    from rumcfn.stack.assemble import build_template
    from rumcfn.template.output import to_json

    path = tmp_path / "t.json"
    path.write_text(to_json(build_template()))
    region = region_without_rum()
    refused(capsys, run(["deploy", "--stack-name", "site", "--template-file", str(path), "--region", region, "-y"]),
            region, RUM)


def test_stack_set_refuses_when_any_region_lacks_the_type(no_aws, capsys):
    region = region_without_rum()
    code = run(["deploy", "--stack-set", "x", "--accounts", ACCOUNT, "--regions", f"us-east-1,{region}", *SITE_FLAGS])
    line = refused(capsys, code, region, RUM)
    assert "us-east-1" not in line
    assert no_aws == []


def test_a_region_offering_every_type_goes_on_to_aws(no_aws, capsys):
    """us-east-1 passes the check, so the first AWS call happens (and the empty Stubber refuses it)."""
    code = run(["deploy", "--stack-name", "site", "--region", "us-east-1", "-y", *SITE_FLAGS])
    capsys.readouterr()
    assert code != 0 and set(no_aws) == {"cloudformation"}
