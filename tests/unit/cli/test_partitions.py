"""Every partition botocore knows, as a user sees it: ``rumcfn snippet``, ``rumcfn csp`` and ``restore-snippet``
(the stack's own snippet, resolved from a deployed stack) name the data plane under the partition's DNS suffix,
and agree with each other. The expected suffix comes from botocore's data here, never from rumcfn.

The deployed stack is botocore's Stubber answering as CloudFormation would (moto cannot create this stack).
"""

from __future__ import annotations

import json

import pytest
from botocore.endpoint_provider import RuleSetStandardLibrary
from botocore.loaders import Loader

from rumcfn.aws.restore import read_script
from rumcfn.aws.session import Aws
from rumcfn.cli import run
from rumcfn.config import Settings, from_mapping
from tests.support.deployed import MONITOR_ID, STACK, Deployed, pool_id

PARTITIONS = Loader().load_data("partitions")


def first_region(partition: dict) -> str:
    """The first Region botocore lists for the partition (not its ``*-global`` endpoint alias)."""
    return next(r for r in partition["regions"] if not r.endswith("-global"))


CASES = [(p["id"], first_region(p)) for p in PARTITIONS["partitions"]]


def data_plane(region: str) -> str:
    """RUM's data plane in ``region``, from botocore's own partition resolution (the endpoint rules' aws.partition)."""
    suffix = RuleSetStandardLibrary(PARTITIONS).aws_partition(region)["dnsSuffix"]
    return f"https://dataplane.rum.{region}.{suffix}"


def test_every_partition_the_issue_names_is_covered():
    assert {p for p, _ in CASES} >= {"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f",
                                     "aws-eusc"}


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = run(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("partition, region", CASES)
def test_snippet_sends_to_the_partitions_data_plane(capsys, partition, region):
    code, out, err = cli(capsys, "snippet", "--app-monitor-id", MONITOR_ID, "--region", region,
                         "--auth.mode", "resource-policy")
    assert (code, err) == (0, "")
    assert f'endpoint:"{data_plane(region)}"' in out


@pytest.mark.parametrize("partition, region", CASES)
def test_csp_allows_the_partitions_data_plane(capsys, monkeypatch, tmp_path, partition, region):
    monkeypatch.chdir(tmp_path)
    code, out, err = cli(capsys, "csp", "--region", region, "--format", "json")
    assert (code, err) == (0, "")
    assert data_plane(region) in json.loads(out)["connect-src"]


@pytest.mark.parametrize("settings", [Settings(), from_mapping({"auth": {"mode": "resource-policy"}})],
                         ids=["cognito", "resource-policy"])
@pytest.mark.parametrize("partition, region", CASES)
def test_restore_writes_what_the_stack_wrote_and_snippet_prints_the_same(capsys, partition, region, settings):
    """The stack's snippet as CloudFormation resolves it in that partition (pseudo parameters from its stack ARN)
    is what ``rumcfn snippet`` prints for the same monitor."""
    deployed = Deployed(settings, region=region, partition=partition)
    deployed.stubber.activate()
    script = read_script(Aws(region=region, clients={"cloudformation": deployed.client}), STACK)
    assert f'endpoint:"{data_plane(region)}"' in script.content
    auth = (["--auth.mode", "resource-policy"] if settings.auth.mode == "resource-policy"
            else ["--identity-pool-id", pool_id(region)])
    code, out, err = cli(capsys, "snippet", "--app-monitor-id", MONITOR_ID, "--region", region, *auth)
    assert (code, err) == (0, "") and out == script.content
