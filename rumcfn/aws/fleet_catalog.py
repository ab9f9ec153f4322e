"""A fleet through AWS Service Catalog: each distinct template becomes a version of one product (published as
``rumcfn servicecatalog publish`` does, named after the template's hash, so publishing it again changes nothing),
then each site becomes one provisioned product of its template's version with its own parameter values
(``ProvisioningParameters``, Key/Value). A provisioned product that exists is updated; Service Catalog has no empty
change set to read, so every run asks it to update each one.
"""

from __future__ import annotations

import uuid
from typing import Any, Callable

from rumcfn.aws.errors import error_code, translated
from rumcfn.aws.events import Echo, echo_line
from rumcfn.aws.fleet import (
    SiteResult,
    Stop,
    fleet_aws,
    raise_if_failed,
    refuse_accounts,
    run_sites,
)
from rumcfn.aws.poller import Poller, waiter_bound
from rumcfn.aws.servicecatalog import PublishRequest, publish
from rumcfn.aws.session import Aws
from rumcfn.config.fleet import DEFAULT_CONCURRENCY, Site
from rumcfn.errors import OperationFailed, UsageError
from rumcfn.template.fleet import FleetSynth, parameter_list
from rumcfn.template.reader import TemplateSource

#: A provisioning record is done in these states (DescribeRecord ``RecordStatus``; IN_PROGRESS_IN_ERROR still moves
#: and ends FAILED).
RECORD_DONE = {"SUCCEEDED", "FAILED"}
#: Provisioned products that cannot take an update until what runs on them ends (ProvisionedProductStatus).
BUSY = {"UNDER_CHANGE", "PLAN_IN_PROGRESS"}


class ProvisioningFailed(OperationFailed):
    pass


def version_name(template_path: str) -> str:
    """The product version of a fleet template: its hash, as in its file name (templates/<hash>.json)."""
    return "fleet-" + template_path.rsplit("/", 1)[-1].split(".", 1)[0]


def find_provisioned(sc: Any, name: str) -> dict | None:
    try:
        return sc.describe_provisioned_product(Name=name)["ProvisionedProductDetail"]
    except Exception as error:
        if error_code(error) == "ResourceNotFoundException":
            return None
        raise


def wait_for_record(sc: Any, record_id: str, poller: Poller, cfn: Any) -> dict:
    """Wait for a provisioning record to end, as long as botocore waits for a stack to be created."""
    poller.start(waiter_bound(cfn, "stack_create_complete"))
    while True:
        record = sc.describe_record(Id=record_id)["RecordDetail"]
        if record["Status"] in RECORD_DONE:
            return record
        poller.wait(what=f"provisioning record {record_id}",
                    hint=f"it carries on: aws servicecatalog describe-record --id {record_id}")


def provision_site(aws: Aws, site: Site, product_id: str, artifact_id: str, values: dict[str, str],
                   poller: Poller) -> SiteResult:
    """Provision the site's product, or update it; wait for the record."""
    name = site.stack_name
    with translated():
        sc = aws.client("servicecatalog")
        existing = find_provisioned(sc, name)
        parameters = parameter_list(values, "servicecatalog")
        if existing is None:
            record = sc.provision_product(ProductId=product_id, ProvisioningArtifactId=artifact_id,
                                          ProvisionedProductName=name, ProvisioningParameters=parameters,
                                          ProvisionToken=uuid.uuid4().hex)["RecordDetail"]
        else:
            if existing.get("Status") in BUSY:
                raise ProvisioningFailed(f"provisioned product {name} is {existing['Status']}; wait for it "
                                         f"(aws servicecatalog describe-provisioned-product --name {name}) and retry")
            record = sc.update_provisioned_product(ProvisionedProductName=name, ProductId=product_id,
                                                   ProvisioningArtifactId=artifact_id,
                                                   ProvisioningParameters=parameters,
                                                   UpdateToken=uuid.uuid4().hex)["RecordDetail"]
        record = wait_for_record(sc, record["RecordId"], poller, aws.client("cloudformation"))
    kind = "PROVISIONED" if existing is None else "UPDATED"
    if record["Status"] != "SUCCEEDED":
        errors = "; ".join(f"{e.get('Code', '')}: {e.get('Description', '')}" for e in record.get("RecordErrors", []))
        raise ProvisioningFailed(f"record {record['RecordId']} {record['Status']}" + (f" ({errors})" if errors else ""))
    return SiteResult(site.name, name, kind)


def deploy_catalog(aws: Aws, plan: FleetSynth, *, product_name: str, portfolio_id: str, s3_bucket: str,
                   max_concurrency: int = DEFAULT_CONCURRENCY, echo: Echo = echo_line,
                   pollers: Callable[[], Poller] | None = None) -> list[SiteResult]:
    """Publish each distinct template as a version of ``product_name``, then provision every site (each waiting
    with a poller from ``pollers``, else from ``aws``)."""
    refuse_accounts(plan.fleet.sites, "Service Catalog provisions in the credentials' account")
    regions = {site.region for site in plan.fleet.sites if site.region}
    if regions:
        raise UsageError(f"sites name Regions ({', '.join(sorted(regions))}): a Service Catalog product lives in "
                          "one Region; deploy with --region and leave region out of the sites")
    aws = fleet_aws(aws, max_concurrency)
    artifacts: dict[str, tuple[str, str]] = {}
    for template in plan.templates:
        published = publish(aws, PublishRequest(product_name, portfolio_id, version_name(template.path), s3_bucket,
                                                TemplateSource(template.text, template.path),
                                                f"rumcfn fleet template {template.path}"), echo=echo)
        artifacts[template.path] = (published.product_id, published.artifact_id)
    aws.client("servicecatalog")
    aws.client("cloudformation")

    def work(site: Site, stop: Stop) -> SiteResult:
        product_id, artifact_id = artifacts[plan.site_template[site.name].path]
        poller = stop.poller(pollers or aws.poller)
        return provision_site(aws, site, product_id, artifact_id, plan.values[site.name], poller)

    results = run_sites(plan.fleet.sites, work, max_concurrency=max_concurrency, echo=echo,
                        target=lambda site: site.stack_name, what="provisioned product")
    raise_if_failed(results)
    return results
