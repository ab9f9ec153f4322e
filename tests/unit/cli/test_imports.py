"""What each entry point loads (issue 18): the package root is lazy (PEP 562), so ``import rumcfn.cli`` and
``rumcfn --version`` load click alone; ``rumcfn synth`` loads what builds a template and neither boto3 nor
cfn-lint; the AWS library modules load boto3 only when a client is made. The public API still works.

One process per entry point, started fresh: ``sys.modules`` of this test process says nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

#: The heavy libraries, by top-level package.
HEAVY = ("troposphere", "awacs", "jinja2", "boto3", "botocore", "cfnlint", "yaml", "cfn_flip")


def loaded_after(code: str, cwd) -> list[str]:
    """The heavy packages a fresh interpreter has loaded after running ``code``."""
    probe = f"{code}\nimport sys\nprint(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r}))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=cwd, capture_output=True, text=True, check=True,
                          stdin=subprocess.DEVNULL)
    return json.loads(done.stdout.strip().splitlines()[-1].replace("'", '"'))


@pytest.mark.parametrize("code", [
    "import rumcfn.cli",
    "import rumcfn",
    "from rumcfn.cli import run\ntry:\n    run(['--version'])\nexcept SystemExit:\n    pass",
    "from rumcfn.cli import run\nrun(['--help'])",
], ids=["import rumcfn.cli", "import rumcfn", "rumcfn --version", "rumcfn --help"])
def test_the_entry_points_load_no_heavy_library(code, tmp_path):
    assert loaded_after(code, tmp_path) == []


def test_synth_loads_what_builds_a_template_and_nothing_of_aws(tmp_path):
    loaded = loaded_after("from rumcfn.cli import run\nassert run(['synth', '-o', 't.json']) == 0", tmp_path)
    assert {"troposphere", "awacs"} <= set(loaded)
    assert not {"boto3", "botocore", "cfnlint"} & set(loaded)


def test_init_loads_nothing_of_aws(tmp_path):
    """``rumcfn init`` checks the site as synth would build it (troposphere) and asks AWS nothing."""
    code = ("from rumcfn.cli import run\nassert run(['init', '--monitor.domains', 'shop.example.com', "
            "'--script.bucket', 'shop-site']) == 0")
    loaded = loaded_after(code, tmp_path)
    assert (tmp_path / "rumcfn.toml").is_file()
    assert not {"boto3", "botocore", "cfnlint"} & set(loaded)


def test_the_lab_gate_and_the_doctors_policy_check_load_no_boto3(tmp_path):
    """``budgets check --lab`` judges pages in Chromium, no AWS call; the policy check is pure evaluation."""
    code = ("import rumcfn.doctor.lab_gate, rumcfn.doctor.policy\nfrom rumcfn.cli import run\n"
            "run(['budgets', 'check', '--help'])\nrun(['init', '--help'])")
    assert not {"boto3", "botocore", "cfnlint"} & set(loaded_after(code, tmp_path))


def test_aws_library_modules_and_command_help_load_boto3_only_for_a_client(tmp_path):
    code = ("import rumcfn.aws.budget_data, rumcfn.gate.judge, rumcfn.gate.report, rumcfn.gate.target, "
            "rumcfn.aws.deploy, rumcfn.aws.session\nfrom rumcfn.cli import run\nrun(['deploy', '--help'])")
    assert not {"boto3", "botocore"} & set(loaded_after(code, tmp_path))


def test_the_public_api_is_there_on_first_use():
    import rumcfn

    assert set(rumcfn.__all__) <= set(dir(rumcfn))
    for name in rumcfn.__all__:
        assert getattr(rumcfn, name) is not None
    settings = rumcfn.with_overrides(rumcfn.Settings(), {"monitor.name": "shop"})
    text = rumcfn.to_json(rumcfn.build_template(settings))
    assert json.loads(text)["Resources"]
    assert rumcfn.build_stack(settings).template.to_dict() == json.loads(text)
    assert rumcfn.to_yaml(rumcfn.build_template(settings)).startswith("AWSTemplateFormatVersion")
    with pytest.raises(rumcfn.SettingsError):
        rumcfn.from_mapping({"monitor": {"name": "bad name!"}})
    with pytest.raises(AttributeError, match="module 'rumcfn' has no attribute 'nothing'"):
        rumcfn.nothing  # noqa: B018


def test_every_command_is_where_the_table_says():
    """``rumcfn.cli.app.COMMANDS`` names each command once, and each named module lists exactly those."""
    import importlib

    from rumcfn.cli.app import COMMANDS, main

    for module in set(COMMANDS.values()):
        listed = {command.name for command in importlib.import_module(f"rumcfn.cli.{module}").COMMANDS}
        assert listed == {name for name, where in COMMANDS.items() if where == module}
    assert main.list_commands(None) == sorted(COMMANDS)
    assert all(main.get_command(None, name).name == name for name in COMMANDS)
    assert main.get_command(None, "nothing") is None
