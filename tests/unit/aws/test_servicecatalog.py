"""``rumcfn servicecatalog publish``: the template goes to S3 on moto; Service Catalog is stubbed because moto
implements neither DescribeProductAsAdmin, AssociateProductWithPortfolio nor CreateProvisioningArtifact."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable

import pytest
from botocore.stub import ANY

from rumcfn.cli import run
from tests.support import SITE_FLAGS
from tests.support.aws import REGION, boto_client, stubbed
from tests.support.cli import aws_with

PORTFOLIO = "port-abcdefghijklm"
PRODUCT = "prod-abcdefghijklm"


def product(*versions):
    return {"ProductViewDetail": {"ProductViewSummary": {"Id": "prodview-1", "ProductId": PRODUCT, "Name": "RUM"}},
            "ProvisioningArtifactSummaries": [{"Id": f"pa-{v.replace('.', '')}", "Name": v} for v in versions]}


@dataclass
class Catalog:
    stub: Any
    aws: Callable


@pytest.fixture
def catalog(aws_env):
    """servicecatalog stubbed, everything else (S3) on moto (made on demand, through AWS_ENDPOINT_URL); the
    bucket exists."""
    boto_client("s3", aws_env).create_bucket(Bucket="catalog-templates")
    aws, stubs = stubbed("servicecatalog")
    return Catalog(stubs["servicecatalog"], aws_with({"servicecatalog": aws.clients["servicecatalog"]}))


def uploaded(endpoint):
    s3 = boto_client("s3", endpoint)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="catalog-templates").get("Contents", [])]
    return {key: s3.get_object(Bucket="catalog-templates", Key=key)["Body"].read().decode() for key in keys}


ARGS = ["servicecatalog", "publish", "--product-name", "RUM", "--portfolio-id", PORTFOLIO, *SITE_FLAGS,
        "--s3-bucket", "catalog-templates", "--description", "Real-user monitoring for a website"]


def test_first_publish_creates_the_product(catalog, aws_env, capsys):
    catalog.stub.add_client_error("describe_product_as_admin", "ResourceNotFoundException", "Product not found")
    catalog.stub.add_response("create_product", {
        "ProductViewDetail": {"ProductViewSummary": {"Id": "prodview-1", "ProductId": PRODUCT, "Name": "RUM"}},
        "ProvisioningArtifactDetail": {"Id": "pa-v100", "Name": "v1.0.0"}}, {
        "Name": "RUM", "Owner": "rumcfn", "Description": "Real-user monitoring for a website",
        "ProductType": "CLOUD_FORMATION_TEMPLATE", "IdempotencyToken": ANY,
        "ProvisioningArtifactParameters": {
            "Name": "v1.0.0", "Description": "Real-user monitoring for a website", "Type": "CLOUD_FORMATION_TEMPLATE",
            "Info": {"LoadTemplateFromURL": ANY}}})
    catalog.stub.add_response("associate_product_with_portfolio", {}, {"ProductId": PRODUCT, "PortfolioId": PORTFOLIO})
    assert run(ARGS + ["--version", "v1.0.0"], aws=catalog.aws) == 0
    out = capsys.readouterr().out
    catalog.stub.assert_no_pending_responses()
    assert out.endswith(f"Created product RUM with version v1.0.0.\nProduct RUM is in portfolio {PORTFOLIO}.\n"
                        f"Product ID: {PRODUCT}\nProvisioning artifact ID: pa-v100\n")
    (key, body), = uploaded(aws_env).items()
    assert f"https://catalog-templates.s3.{REGION}.amazonaws.com/{key}" in out
    template = json.loads(body)
    # the --parameters template: site values are parameters the catalog user fills in
    assert {"AppMonitorName", "Domain", "WebsiteBucket"} <= set(template["Parameters"])
    assert "AWS::CloudFormation::Interface" in template["Metadata"]


def test_later_versions_add_a_provisioning_artifact(catalog, aws_env, capsys):
    catalog.stub.add_response("describe_product_as_admin", product("v1.0.0"), {"Name": "RUM"})
    catalog.stub.add_response(
        "create_provisioning_artifact",
        {"ProvisioningArtifactDetail": {"Id": "pa-v110", "Name": "v1.1.0"}},
        {
            "ProductId": PRODUCT,
            "IdempotencyToken": ANY,
            "Parameters": {
                "Name": "v1.1.0",
                "Description": "Real-user monitoring for a website",
                "Type": "CLOUD_FORMATION_TEMPLATE",
                "Info": {"LoadTemplateFromURL": ANY},
            },
        },
    )
    catalog.stub.add_response("associate_product_with_portfolio", {})
    assert run(ARGS + ["--version", "v1.1.0", "--monitor.session-sample-rate", "0.5"], aws=catalog.aws) == 0
    out = capsys.readouterr().out
    assert "Added version v1.1.0 to product RUM." in out and "Provisioning artifact ID: pa-v110" in out
    (body,) = uploaded(aws_env).values()
    assert json.loads(body)["Parameters"]["SessionSampleRate"]["Default"] == "0.5"
    catalog.stub.assert_no_pending_responses()


def test_publishing_an_existing_version_changes_nothing(catalog, aws_env, capsys):
    catalog.stub.add_response("describe_product_as_admin", product("v1.0.0", "v1.1.0"))
    catalog.stub.add_response("associate_product_with_portfolio", {})
    assert run(ARGS + ["--version", "v1.1.0"], aws=catalog.aws) == 0
    out = capsys.readouterr().out
    assert out.startswith("Version v1.1.0 of product RUM already exists; nothing to publish")
    assert out.endswith(f"Product ID: {PRODUCT}\nProvisioning artifact ID: pa-v110\n")
    assert uploaded(aws_env) == {}
    catalog.stub.assert_no_pending_responses()


def test_access_denied_is_one_line(catalog, capsys):
    catalog.stub.add_client_error(
        "describe_product_as_admin",
        "AccessDeniedException",
        "User is not authorized to perform: servicecatalog:DescribeProductAsAdmin",
        400,
    )
    assert run(ARGS + ["--version", "v1"], aws=catalog.aws) == 1
    assert capsys.readouterr().err == (
        "rumcfn: error: access denied calling DescribeProductAsAdmin: User is not "
        "authorized to perform: servicecatalog:DescribeProductAsAdmin\n"
    )


def test_missing_bucket_is_one_line(catalog, capsys):
    catalog.stub.add_client_error("describe_product_as_admin", "ResourceNotFoundException", "Product not found")
    assert run(ARGS[:-4] + ["--s3-bucket", "no-such-bucket", "--version", "v1"], aws=catalog.aws) == 1
    assert capsys.readouterr().err.startswith("rumcfn: error: PutObject failed: NoSuchBucket:")
