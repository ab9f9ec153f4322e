"""The fleet commands as a user runs them: ``synth --fleet`` as a process; ``deploy --fleet`` and ``import`` in-process
(``cli.run(argv, aws=...)``, whose pollers wait milliseconds) against the CloudFormation stand-in on 127.0.0.1, with
RUM stubbed for ``import``."""

from __future__ import annotations

import json

import pytest

from rumcfn.cli import run
from tests.support.aws import FAKE_CREDENTIALS, stand_in_poller, stubbed
from tests.support.cli import aws_with
from tests.support.cloudformation import CloudFormation, served
from tests.unit.template.test_adopt import answer


def fleet_toml(*names: str) -> str:
    return "[canary]\nenabled = false\n" + "".join(
        f'\n[[sites]]\nname = "{n}"\ndomains = ["www.{n}.example"]\nbucket = "{n}-assets"\n' for n in names)


def test_synth_fleet_writes_the_tree_and_a_bad_site_is_one_line(run_cli, tmp_path):
    (tmp_path / "rumcfn.toml").write_text(fleet_toml("shop", "blog"))
    done = run_cli("synth", "--fleet", "rumcfn.toml", "-o", "out")
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().endswith("out: 2 site(s), 1 template(s) (each linted once, 1 cfn-lint run(s))")
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert [s["stack_name"] for s in manifest["sites"]] == ["shop", "blog"]
    (tmp_path / "rumcfn.toml").write_text(fleet_toml("shop", "blog").replace('"blog-assets"', '"B"'))
    done = run_cli("synth", "--fleet", "rumcfn.toml", "-o", "out2")
    assert done.returncode == 2 and not (tmp_path / "out2").exists()
    assert done.stderr.splitlines() == ["rumcfn: error: site blog: setting script.bucket: must be an S3 bucket name "
                                        "(3-63 of a-z 0-9 . -; see the S3 bucket naming rules), but got 'B'"]
    done = run_cli("synth", "--fleet", "rumcfn.toml", "-o", "out2", "--monitor.name", "x")
    assert done.returncode == 2 and "--fleet: takes each site's settings from the fleet" in done.stderr
    assert "but got '--monitor.name'" in done.stderr


def test_a_directory_fleet_builds_on_the_settings_file_of_the_working_directory_and_names_it(run_cli, tmp_path):
    """As every command does, a directory of site files reads ./rumcfn.toml when no --config is given (named on
    stderr); a fleet file holds its shared settings itself, so --config with one is refused."""
    (tmp_path / "rumcfn.toml").write_text('[monitor]\nsession_sample_rate = 0.5\n[canary]\nenabled = false\n')
    (tmp_path / "sites").mkdir()
    for name in ("shop", "blog"):
        (tmp_path / "sites" / f"{name}.toml").write_text(f'domains = ["www.{name}.example"]\nbucket = "{name}-site"\n')
    done = run_cli("synth", "--fleet", "sites", "-o", "out", "--no-lint")
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[0] == (f"rumcfn: settings under the fleet's site files from "
                                           f"{(tmp_path / 'rumcfn.toml').resolve()} (found in the working directory)")
    values = json.loads((tmp_path / "out" / "parameters" / "blog.cloudformation.json").read_text())
    assert {"ParameterKey": "SessionSampleRate", "ParameterValue": "0.5"} in values
    (tmp_path / "fleet.toml").write_text(fleet_toml("shop"))
    done = run_cli("synth", "--fleet", "fleet.toml", "--config", "rumcfn.toml", "-o", "out2")
    assert done.returncode == 2 and not (tmp_path / "out2").exists()
    assert done.stderr.splitlines() == ["rumcfn: error: setting --config: goes with --fleet only when --fleet is a "
                                        "directory of site files (a fleet file holds the shared settings itself), "
                                        "but got 'rumcfn.toml'"]


def test_a_missing_fleet_is_one_line(run_cli, tmp_path):
    done = run_cli("synth", "--fleet", "nowhere.toml", "-o", "out")
    assert done.returncode == 2 and not (tmp_path / "out").exists()
    assert done.stderr.splitlines() == ["rumcfn: error: setting --fleet: must be a readable TOML file, but got "
                                        "'nowhere.toml (No such file or directory)'"]


@pytest.fixture
def stand_in():
    # a rate these few sites never reach: throttling and what botocore makes of it are test_fleet_stacks.py's
    with served(CloudFormation(rate=1000, burst=50, operation_seconds=0.05, change_set_seconds=0.01)) as (service, aws):
        yield service, aws.endpoint_url


def test_deploy_fleet_reports_each_site_and_exits_1_when_one_failed(invoke, tmp_path, monkeypatch, aws_credentials,
                                                                    stand_in):
    service, url = stand_in
    service.fail.add("broken")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    aws = aws_with(pollers=stand_in_poller)
    (tmp_path / "rumcfn.toml").write_text(fleet_toml("a", "b", "broken", "c"))
    done = invoke("deploy", "--fleet", "rumcfn.toml", "--max-concurrency", "2", "--yes", aws=aws)
    assert done.code == 1, done.err
    assert done.err.splitlines()[-1] == "rumcfn: error: 1 of 4 site(s) failed: broken"
    progress = [line for line in done.out.splitlines() if line.startswith("[")]
    assert len(progress) == 4 and sum("CREATE_COMPLETE" in line for line in progress) == 3
    assert "Fleet: 4 site(s), 3 deployed (0 without changes), 1 failed" in done.out
    assert service.max_changing <= 2
    # without the broken site, a second run changes nothing and succeeds
    (tmp_path / "rumcfn.toml").write_text(fleet_toml("a", "b", "c"))
    executed = service.count("ExecuteChangeSet")
    done = invoke("deploy", "--fleet", "rumcfn.toml", "--yes", aws=aws)
    assert done.code == 0, done.err
    assert service.count("ExecuteChangeSet") == executed
    assert "Fleet: 3 site(s), 3 deployed (3 without changes), 0 failed" in done.out


def test_deploy_fleet_asks_first_and_takes_no_single_stack_flags(run_cli, tmp_path):
    (tmp_path / "rumcfn.toml").write_text(fleet_toml("a"))
    done = run_cli("deploy", "--fleet", "rumcfn.toml", env=FAKE_CREDENTIALS)
    assert done.returncode == 2 and "pass --yes" in done.stderr
    done = run_cli("deploy", "--fleet", "rumcfn.toml", "--stack-name", "x", "--yes", env=FAKE_CREDENTIALS)
    assert done.returncode == 2 and "setting --fleet: takes its stacks" in done.stderr


def test_import_writes_the_settings_then_imports_and_grows_the_stack(tmp_path, monkeypatch, aws_credentials,
                                                                     stand_in, capsys):
    service, url = stand_in
    _, stubs = stubbed("rum")
    rum = stubs["rum"]
    rum.add_response("get_app_monitor", {"AppMonitor": answer()}, {"Name": "shop"})
    rum.add_client_error("get_resource_policy", "PolicyNotFoundException")
    rum.add_response("list_rum_metrics_destinations", {"Destinations": []}, {"AppMonitorName": "shop"})
    aws = aws_with(clients={"rum": _.clients["rum"]}, pollers=stand_in_poller)
    target = tmp_path / "rumcfn.toml"
    argv = ["import", "--monitor.name", "shop", "--stack-name", "shop-rum", "--script.bucket", "shop-assets",
            "-o", str(target), "--yes", "--region", "us-east-1", "--endpoint-url", url]
    assert run(argv, aws=aws) == 0, capsys.readouterr().err
    from rumcfn.config import load

    settings = load(target)
    assert settings.monitor.name == "shop" and settings.monitor.retain_on_delete
    assert service.stacks["shop-rum"]["StackStatus"] == "UPDATE_COMPLETE"
    assert [r["ChangeSetType"] for name, r in service.calls if name == "CreateChangeSet"] == ["IMPORT", "UPDATE"]
    # never over a file without --force, and nothing else happens
    calls = len(service.calls)
    assert run(argv, aws=aws) == 2
    assert "exists; rumcfn import never writes over a settings file" in capsys.readouterr().err
    assert len(service.calls) == calls
