"""Publish the ``--parameters`` template as an AWS Service Catalog product version.

First publish: upload to S3, create the product with this version, associate it with the portfolio.
Later: add a provisioning artifact (version). Publishing a version that exists changes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from rumcfn.aws.errors import error_code, translated
from rumcfn.aws.events import Echo, echo_line
from rumcfn.aws.session import Aws
from rumcfn.aws.stacks import upload_template
from rumcfn.errors import Interrupted
from rumcfn.template.reader import TemplateSource


@dataclass
class PublishRequest:
    product_name: str
    portfolio_id: str
    version: str
    s3_bucket: str
    template: TemplateSource
    description: str = ""
    owner: str = "rumcfn"


@dataclass
class Published:
    product_id: str
    artifact_id: str


def find_product(sc: Any, name: str) -> dict | None:
    """``describe_product_as_admin`` by name, or None when no product has that name."""
    try:
        return sc.describe_product_as_admin(Name=name)
    except Exception as error:
        if error_code(error) == "ResourceNotFoundException":
            return None
        raise


def _artifact(request: PublishRequest, url: str) -> dict[str, Any]:
    return {"Name": request.version, "Description": request.description or f"Version {request.version}",
            "Info": {"LoadTemplateFromURL": url}, "Type": "CLOUD_FORMATION_TEMPLATE"}


def _token(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:64]


def publish(aws: Aws, request: PublishRequest, *, echo: Echo = echo_line) -> Published:
    try:
        with translated():
            return _publish(aws, request, echo)
    except KeyboardInterrupt:
        raise Interrupted(f"interrupted; check product {request.product_name} with: aws servicecatalog "
                                 f"describe-product-as-admin --name {request.product_name}") from None


def _publish(aws: Aws, request: PublishRequest, echo: Echo) -> Published:
    sc = aws.client("servicecatalog")
    product = find_product(sc, request.product_name)
    if product is not None:
        product_id = product["ProductViewDetail"]["ProductViewSummary"]["ProductId"]
        for artifact in product.get("ProvisioningArtifactSummaries", []):
            if artifact.get("Name") == request.version:
                sc.associate_product_with_portfolio(ProductId=product_id, PortfolioId=request.portfolio_id)
                echo(f"Version {request.version} of product {request.product_name} already exists; nothing to publish "
                     "(publish a changed template under a new --version).")
                _report(echo, product_id, artifact["Id"])
                return Published(product_id, artifact["Id"])
    url = upload_template(
        aws, request.s3_bucket, f"rumcfn/servicecatalog/{request.product_name}", request.template.body
    )
    echo(f"Uploaded the template to {url}")
    body_hash = hashlib.sha256(request.template.body.encode()).hexdigest()
    if product is None:
        created = sc.create_product(
            Name=request.product_name,
            Owner=request.owner,
            **({"Description": request.description} if request.description else {}),
            ProductType="CLOUD_FORMATION_TEMPLATE",
            ProvisioningArtifactParameters=_artifact(request, url),
            IdempotencyToken=_token("product", request.product_name, request.version, body_hash),
        )
        product_id = created["ProductViewDetail"]["ProductViewSummary"]["ProductId"]
        artifact_id = created.get("ProvisioningArtifactDetail", {}).get("Id", "")
        echo(f"Created product {request.product_name} with version {request.version}.")
    else:
        created = sc.create_provisioning_artifact(
            ProductId=product_id,
            Parameters=_artifact(request, url),
            IdempotencyToken=_token("artifact", product_id, request.version, body_hash),
        )
        artifact_id = created["ProvisioningArtifactDetail"]["Id"]
        echo(f"Added version {request.version} to product {request.product_name}.")
    sc.associate_product_with_portfolio(ProductId=product_id, PortfolioId=request.portfolio_id)
    echo(f"Product {request.product_name} is in portfolio {request.portfolio_id}.")
    _report(echo, product_id, artifact_id)
    return Published(product_id, artifact_id)


def _report(echo: Echo, product_id: str, artifact_id: str) -> None:
    echo(f"Product ID: {product_id}")
    echo(f"Provisioning artifact ID: {artifact_id}")
