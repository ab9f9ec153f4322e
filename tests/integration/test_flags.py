"""One name per setting: a flag that sets a setting is its key path in rumcfn.toml (``_`` written ``-``), on every
command; the previous release's names still work, hidden, each with one deprecation line; ``synth
--snippet.release-id``, ``snippet --stack-name``, ``deploy --monitor.tags`` (the monitor's) apart from ``--tags``
(the stack's), and ``budgets check --release-id``."""

from __future__ import annotations

import json

import click
import pytest

from rumcfn.cli import main, run
from rumcfn.config.settings import setting_field
from tests.support import SITE_FLAGS
from tests.support.aws import boto_client
from tests.support.cli import aws_with, subcommands


def every_command(group: click.Group = main, path: tuple[str, ...] = ()):
    for name, command in subcommands(group).items():
        if isinstance(command, click.Group):
            yield from every_command(command, (*path, name))
        else:
            yield (*path, name), command


COMMANDS = dict(every_command())


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_a_flag_with_a_dot_is_a_setting_and_says_what_the_setting_does(path):
    for option in COMMANDS[path].params:
        for flag in option.opts + option.secondary_opts:
            if "." not in flag:
                continue
            key = flag.removeprefix("--no-").removeprefix("--").replace("-", "_")
            field = setting_field(key)  # KeyError: a dotted flag that names no setting
            assert option.hidden or option.help == field.metadata["doc"], flag


def test_settings_flags_are_the_same_on_every_command_that_takes_them():
    seen: dict[str, set[str]] = {}
    for command in COMMANDS.values():
        for option in command.params:
            if not getattr(option, "hidden", False) and any("." in flag for flag in option.opts):
                seen.setdefault(option.name, set()).add(" ".join(option.opts))
    assert all(len(names) == 1 for names in seen.values()), seen
    assert {"monitor__name", "monitor__domains", "script__bucket", "snippet__release_id", "budgets__lcp"} <= set(seen)


OLD = [
    ("--app-monitor-name", "shop", "--monitor.name"),
    ("--domain", "shop.example.com", "--monitor.domains"),
    ("--bucket", "shop-site", "--script.bucket"),
    ("--sample-rate", "0.5", "--monitor.session-sample-rate"),
    ("--site-url", "https://shop.example.com/home", "--canary.url"),
    ("--auth", "resource-policy", "--auth.mode"),
    ("--telemetries", "errors,http", "--monitor.telemetries"),
    ("--tag", "team=web", "--monitor.tags"),
    ("--alert-email", "ops@example.com", "--alarms.email"),
]


def test_the_old_names_still_work_with_one_deprecation_line_each(run_cli, tmp_path):
    old = run_cli("synth", *[arg for name, value, _ in OLD for arg in (name, value)], "--budget", "lcp=3000",
                  "--no-canary", "-o", "old.json")
    new = run_cli("synth", *[arg for _, value, name in OLD for arg in (name, value)], "--budgets.lcp", "3000",
                  "--no-canary.enabled", "-o", "new.json")
    assert old.returncode == new.returncode == 0, old.stderr + new.stderr
    assert (tmp_path / "old.json").read_text() == (tmp_path / "new.json").read_text()
    assert new.stderr == ""
    expected = [f"rumcfn: warning: {name} is deprecated and goes in the next release; use {new_name}"
                for name, _, new_name in OLD]
    expected += ["rumcfn: warning: --no-canary is deprecated and goes in the next release; use --canary.enabled",
                 "rumcfn: warning: --budget KEY=VALUE is deprecated and goes in the next release; use --budgets.KEY "
                 "VALUE"]
    assert sorted(old.stderr.splitlines()) == sorted(expected)
    help_text = run_cli("synth", "--help").stdout
    assert "--app-monitor-name" not in help_text and "--monitor.name" in help_text


def test_synth_takes_the_release_id(run_cli, tmp_path):
    done = run_cli("synth", *SITE_FLAGS, "--snippet.release-id", "2026.12.02-1", "-o", "t.json")
    assert done.returncode == 0, done.stderr
    assert 'releaseId:"2026.12.02-1"' in (tmp_path / "t.json").read_text().replace("\\", "")


def test_snippet_reads_the_monitor_from_the_stack(aws_env, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    outputs = {"AppMonitorId": "8bd5f4a2-1b7c-4a36-9a0e-0d4fbbd1d0c3",
               "IdentityPoolId": "eu-west-1:0f1e2d3c-aaaa-bbbb-cccc-000000000001"}
    template = {"Resources": {"T": {"Type": "AWS::SNS::Topic"}},
                "Outputs": {key: {"Value": value} for key, value in outputs.items()}}
    boto_client("cloudformation", aws_env, region="eu-west-1").create_stack(StackName="shop-rum",
                                                                             TemplateBody=json.dumps(template))
    assert run(["snippet", "--stack-name", "shop-rum", "--region", "eu-west-1"]) == 0
    signed = capsys.readouterr().out
    assert outputs["AppMonitorId"] in signed and outputs["IdentityPoolId"] in signed
    assert '"eu-west-1"' in signed and "signing" not in signed
    del template["Outputs"]["IdentityPoolId"]
    boto_client("cloudformation", aws_env, region="eu-west-1").create_stack(StackName="open-rum",
                                                                             TemplateBody=json.dumps(template))
    assert run(["snippet", "--stack-name", "open-rum", "--region", "eu-west-1"]) == 0
    assert "signing:false" in capsys.readouterr().out.replace(" ", "")
    assert run(["snippet", "--stack-name", "shop-rum", "--region", "eu-west-1", "--app-monitor-id", "x"]) == 2
    assert "give --stack-name alone" in capsys.readouterr().err


def test_deploy_keeps_the_monitors_tags_and_the_stacks_apart(tmp_path, capsys, monkeypatch):
    """``--monitor.tags`` go into the template (the monitor's Tags), ``--tags`` onto the stack (the change set's)."""
    from botocore.stub import ANY

    from rumcfn.config import from_mapping
    from rumcfn.stack.assemble import build_template
    from rumcfn.template.output import to_json
    from tests.support.aws import CHANGE_SET_ID, STACK_ID, fake_credentials, not_found, stack, stubbed

    fake_credentials(monkeypatch, tmp_path)
    monkeypatch.chdir(tmp_path)
    aws, stubs = stubbed("cloudformation")
    cf = stubs["cloudformation"]
    not_found(cf)
    site = {"monitor": {"name": "shop", "domains": ["shop.example.com"], "tags": {"team": "web"}},
            "script": {"bucket": "shop-site"}}
    cf.add_response("create_change_set", {"Id": CHANGE_SET_ID, "StackId": STACK_ID}, {
        "StackName": "site", "ChangeSetName": ANY, "ChangeSetType": "CREATE", "Description": ANY, "Parameters": [],
        "Capabilities": ["CAPABILITY_IAM"], "TemplateBody": to_json(build_template(from_mapping(site))),
        "Tags": [{"Key": "cost", "Value": "rum"}]})
    change = {"Type": "Resource", "ResourceChange": {"Action": "Add", "LogicalResourceId": "AppMonitor",
                                                     "ResourceType": "AWS::RUM::AppMonitor"}}
    cf.add_response("describe_change_set", {"ChangeSetId": CHANGE_SET_ID, "ChangeSetName": "rumcfn-1",
                                            "StackId": STACK_ID, "StackName": "site", "Status": "CREATE_COMPLETE",
                                            "ExecutionStatus": "AVAILABLE", "Changes": [change]})
    cf.add_response("delete_change_set", {})
    cf.add_response("describe_stacks", stack("REVIEW_IN_PROGRESS"))
    cf.add_response("delete_stack", {}, {"StackName": STACK_ID})
    assert run(["diff", "--stack-name", "site", *SITE_FLAGS, "--monitor.tags", "team=web", "--tags", "cost=rum"],
               aws=aws_with(aws.clients)) == 0
    assert "+ Add      AppMonitor" in capsys.readouterr().out
    cf.assert_no_pending_responses()


def test_budgets_check_names_the_release_like_every_other_command(run_cli):
    new = run_cli("budgets", "check", "--monitor.name", "shop", "--against", "r1")
    assert new.returncode == 2
    assert new.stderr == "rumcfn: error: --against compares two releases: give --release-id too\n"
    old = run_cli("budgets", "check", "--monitor.name", "shop", "--release", "r2", "--baseline", "previous")
    assert old.returncode == 2
    assert old.stderr.splitlines() == [
        "rumcfn: warning: --release is deprecated and goes in the next release; use --release-id",
        "rumcfn: error: --baseline previous compares windows; with --release-id, compare with --against RELEASE",
    ]


def examples_of(path: tuple[str, ...]) -> list[str]:
    """The examples at the end of ``rumcfn PATH --help``."""
    from click.testing import CliRunner

    text = CliRunner().invoke(main, [*path, "--help"], prog_name="rumcfn").output
    head, _, tail = text.rstrip("\n").rpartition("\n  Examples:\n")
    assert head, f"rumcfn {' '.join(path)} --help has no examples at its end:\n{text}"
    return [line.strip() for line in tail.splitlines()]


def every_path(group: click.Group = main, path: tuple[str, ...] = ()):
    yield path
    for name, command in subcommands(group).items():
        if isinstance(command, click.Group):
            yield from every_path(command, (*path, name))
        else:
            yield (*path, name)


@pytest.mark.parametrize("path", list(every_path()), ids=lambda path: " ".join(path) or "rumcfn")
def test_every_help_ends_with_examples_that_parse(path):
    """One or two examples, each a command line the command accepts (its flags exist, its values pass the rules)."""
    import shlex

    examples = examples_of(path)
    assert 1 <= len(examples) <= 3, examples
    for example in examples:
        words = shlex.split(example.split("  #")[0])
        assert words[0] == "rumcfn", example
        command: click.Command = main
        words = words[1:]
        while isinstance(command, click.Group):
            command, words = subcommands(command)[words[0]], words[1:]
        command.make_context(command.name, list(words))  # raises on an unknown flag or a bad value


def test_the_load_strategy_and_first_party_path_are_key_path_flags(run_cli, tmp_path):
    """snippet.load and snippet.first_party (issue 22) as --snippet.load and --snippet.first-party, on synth and
    on snippet; the first-party path with Cognito is one line naming both settings, exit 2, nothing written."""
    done = run_cli("synth", *SITE_FLAGS, "--auth.mode", "resource-policy", "--snippet.load", "eager",
                   "--snippet.first-party", "/rum", "-o", "t.json")
    assert done.returncode == 0 and done.stderr == "", done.stderr
    template = json.loads((tmp_path / "t.json").read_text())
    assert template["Outputs"]["FirstPartyPathPattern"]["Value"] == "/rum/*"
    body = template["Resources"]["RumScript"]["Properties"]["Content"]["Fn::Sub"][0]
    assert "location.origin+\"/rum\"" in body and "addEventListener('load'" not in body  # eager: at once
    refused = run_cli("synth", *SITE_FLAGS, "--snippet.first-party", "/rum", "-o", "c.json")
    assert refused.returncode == 2 and not (tmp_path / "c.json").exists()
    assert refused.stderr.startswith("rumcfn: error: setting snippet.first_party: needs auth.mode = "
                                     "\"resource-policy\" (auth.mode is 'cognito'"), refused.stderr
    assert len(refused.stderr.splitlines()) == 1
    snippet = run_cli("snippet", "--app-monitor-id", "0f2ad3c2-5b4e-4c8e-9a53-1b2f4a6e7d90", "--region",
                      "eu-west-1", "--auth.mode", "resource-policy", "--snippet.first-party", "/rum",
                      "--snippet.load", "idle")
    assert snippet.returncode == 0 and snippet.stderr == "", snippet.stderr
    assert 'endpoint:location.origin+"/rum"' in snippet.stdout and "requestIdleCallback" in snippet.stdout
    bad = run_cli("snippet", "--app-monitor-id", "0f2ad3c2-5b4e-4c8e-9a53-1b2f4a6e7d90", "--region", "eu-west-1",
                  "--snippet.load", "later")
    assert bad.returncode == 2 and "--snippet.load" in bad.stderr and "later" in bad.stderr
