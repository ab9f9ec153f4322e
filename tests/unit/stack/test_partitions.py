"""The one template in every Region and partition: the Cognito issuer the guest role trusts, and the
console URL (left out where the partition has no console)."""

from __future__ import annotations

import pytest

from rumcfn.config import from_mapping
from rumcfn.contract import Outputs
from rumcfn.facts import CONSOLE_HOSTS, cognito_issuer
from tests.support.partitions import botocore_partitions, partition_of, policy, regions, rendered
from tests.support.variants import VARIANTS, template_dict

DEFAULT = template_dict()


def guest_trust_in(region: str, template: dict = DEFAULT) -> dict:
    role = rendered(template, region).resource("GuestRole")
    return policy(role["Properties"]["AssumeRolePolicyDocument"])


@pytest.mark.parametrize("region", regions())
def test_guest_role_trusts_the_cognito_issuer_of_every_region(region):
    """Principal and both condition keys name the same issuer, the one of the Region deployed to."""
    issuer = cognito_issuer(region)
    (statement,) = guest_trust_in(region)["Statement"]
    assert statement["Principal"] == {"Federated": issuer}
    assert statement["Action"] == ["sts:AssumeRoleWithWebIdentity"]
    assert statement["Condition"] == {"StringEquals": {f"{issuer}:aud": "<Ref IdentityPool>"},
                                      "ForAnyValue:StringLike": {f"{issuer}:amr": "unauthenticated"}}


@pytest.mark.parametrize("region, issuer", [
    ("us-gov-west-1", "cognito-identity-us-gov.amazonaws.com"),  # GovCloud user guide, Amazon Cognito
    ("us-gov-east-1", "cognito-identity.us-gov-east-1.amazonaws.com"),
    ("us-east-1", "cognito-identity.amazonaws.com"),
    ("cn-north-1", "cognito-identity.amazonaws.com"),  # the China edition of the Cognito guide
    ("us-iso-east-1", "cognito-identity.amazonaws.com"),
    ("eusc-de-east-1", "cognito-identity.amazonaws.com"),
])
def test_the_issuers_aws_documents(region, issuer):
    (statement,) = guest_trust_in(region)["Statement"]
    assert statement["Principal"] == {"Federated": issuer}
    assert set(statement["Condition"]["StringEquals"]) == {f"{issuer}:aud"}


def test_an_existing_pool_brings_its_own_role_and_no_region_conditions():
    template = template_dict(VARIANTS["existing-pool"])
    assert "GuestRole" not in template["Resources"]
    assert not [name for name in template.get("Conditions", {}) if name.startswith("In")]


def every_partition() -> list[str]:
    """Every partition botocore knows, those with a console, and one AWS has not made yet."""
    return sorted({p["id"] for p in botocore_partitions()} | set(CONSOLE_HOSTS) | {"aws-future"})


@pytest.mark.parametrize("partition", every_partition())
def test_dashboard_url_only_in_partitions_with_a_console(partition):
    region = next((r for r in regions() if partition_of(r) == partition), "xx-test-1")
    outputs = rendered(DEFAULT, region, partition).outputs()
    if partition in CONSOLE_HOSTS:
        assert outputs[Outputs.DASHBOARD_URL] == (f"https://{region}.{CONSOLE_HOSTS[partition]}/cloudwatch/home"
                                           f"?region={region}#dashboards/dashboard/<Dashboard>")
    else:
        assert Outputs.DASHBOARD_URL not in outputs
    assert {Outputs.APP_MONITOR_ID, Outputs.SNIPPET_URL, Outputs.SCRIPT_TAG} <= set(outputs)


def test_console_hosts_are_those_aws_names():
    assert CONSOLE_HOSTS == {"aws": "console.aws.amazon.com", "aws-cn": "console.amazonaws.cn",
                             "aws-us-gov": "console.amazonaws-us-gov.com", "aws-eusc": "console.amazonaws-eusc.eu"}


def test_no_dashboard_no_console_mapping_or_condition():
    template = template_dict(from_mapping({"dashboard": False}))
    assert Outputs.DASHBOARD_URL not in template["Outputs"]
    assert "Mappings" not in template
