"""``deploy --fleet --service-catalog`` and ``--stack-set``, against botocore Stubbers (moto provisions no Service
Catalog products, and deploys no rumcfn template as stack instances). Stubbers check every request against the
botocore model, parameter lists included. One site at a time, so the calls come in a known order."""

from __future__ import annotations

import pytest
from botocore.stub import ANY

from rumcfn.aws.fleet import FleetFailed
from rumcfn.aws.fleet_catalog import deploy_catalog, version_name
from rumcfn.aws.fleet_stacksets import deploy_stack_set_fleet
from rumcfn.config.fleet import fleet_from_mapping
from rumcfn.errors import UsageError
from rumcfn.template.fleet import parameter_list, synth_fleet
from tests.support.aws import instant_poller, stubbed

PORTFOLIO = "port-abcdefghijklm"
PRODUCT = "prod-abcdefghijklm"
A, B, C = "111111111111", "222222222222", "333333333333"


def plan_of(*names, **extra):
    sites = [{"name": n, "domains": [f"www.{n}.example"], "bucket": f"{n}-assets", **extra.get(n, {})} for n in names]
    return synth_fleet(fleet_from_mapping({"sites": sites}))


def record(record_id, status, errors=()):
    return {"RecordDetail": {"RecordId": record_id, "Status": status,
                             "RecordErrors": [{"Code": "CFN", "Description": e} for e in errors]}}


def test_service_catalog_provisions_new_sites_updates_existing_ones_and_reports_a_failure():
    plan = plan_of("alpha", "beta", "gamma")
    version = version_name(plan.templates[0].path)
    aws, stubs = stubbed("servicecatalog", "cloudformation")
    sc = stubs["servicecatalog"]
    # the one template is a version of the product already: publishing changes nothing
    sc.add_response("describe_product_as_admin", {
        "ProductViewDetail": {"ProductViewSummary": {"ProductId": PRODUCT}},
        "ProvisioningArtifactSummaries": [{"Id": "pa-fleet1", "Name": version}]}, {"Name": "RUM"})
    sc.add_response("associate_product_with_portfolio", {}, {"ProductId": PRODUCT, "PortfolioId": PORTFOLIO})

    def values(site):
        return parameter_list(plan.values[site], "servicecatalog")

    # alpha: new
    sc.add_client_error("describe_provisioned_product", "ResourceNotFoundException", expected_params={"Name": "alpha"})
    sc.add_response("provision_product", record("rec-1", "CREATED"), {
        "ProductId": PRODUCT, "ProvisioningArtifactId": "pa-fleet1", "ProvisionedProductName": "alpha",
        "ProvisioningParameters": values("alpha"), "ProvisionToken": ANY})
    sc.add_response("describe_record", record("rec-1", "IN_PROGRESS"), {"Id": "rec-1"})
    sc.add_response("describe_record", record("rec-1", "SUCCEEDED"), {"Id": "rec-1"})
    # beta: exists, updated with its values
    sc.add_response("describe_provisioned_product", {"ProvisionedProductDetail": {"Status": "AVAILABLE"}},
                    {"Name": "beta"})
    sc.add_response("update_provisioned_product", record("rec-2", "CREATED"), {
        "ProvisionedProductName": "beta", "ProductId": PRODUCT, "ProvisioningArtifactId": "pa-fleet1",
        "ProvisioningParameters": values("beta"), "UpdateToken": ANY})
    sc.add_response("describe_record", record("rec-2", "SUCCEEDED"), {"Id": "rec-2"})
    # gamma: its record fails; the failure is reported and did not stop the others
    sc.add_client_error("describe_provisioned_product", "ResourceNotFoundException", expected_params={"Name": "gamma"})
    sc.add_response("provision_product", record("rec-3", "CREATED"), {
        "ProductId": PRODUCT, "ProvisioningArtifactId": "pa-fleet1", "ProvisionedProductName": "gamma",
        "ProvisioningParameters": values("gamma"), "ProvisionToken": ANY})
    sc.add_response("describe_record", record("rec-3", "FAILED", ["AppMonitor failed"]), {"Id": "rec-3"})
    lines = []
    with pytest.raises(FleetFailed, match="1 of 3 site\\(s\\) failed: gamma"):
        deploy_catalog(aws, plan, product_name="RUM", portfolio_id=PORTFOLIO, s3_bucket="templates",
                       max_concurrency=1, echo=lines.append, pollers=instant_poller)
    sc.assert_no_pending_responses()
    progress = [line for line in lines if line.startswith("[")]
    assert [line.split(":")[1].split()[0] for line in progress] == ["PROVISIONED", "UPDATED", "FAILED"]
    assert "record rec-3 FAILED (CFN: AppMonitor failed)" in progress[2]


def test_service_catalog_takes_no_accounts_or_regions():
    aws, _ = stubbed("servicecatalog")
    with pytest.raises(UsageError, match="site a names an account"):
        deploy_catalog(aws, plan_of("a", a={"account": A}), product_name="RUM", portfolio_id=PORTFOLIO,
                       s3_bucket="templates")
    with pytest.raises(UsageError, match="a Service Catalog product lives in one Region"):
        deploy_catalog(aws, plan_of("a", a={"region": "eu-west-1"}), product_name="RUM", portfolio_id=PORTFOLIO,
                       s3_bucket="templates")


def placed(*names):
    accounts = {"a": (A, "eu-west-1"), "b": (B, "eu-west-1"), "c": (C, "us-east-1")}
    return plan_of(*names, **{n: {"account": accounts[n][0], "region": accounts[n][1]} for n in names})


def operation(cfn, method, site, plan, op_id, account, region, status="SUCCEEDED"):
    cfn.add_response(method, {"OperationId": op_id}, {
        "StackSetName": "rum", "Accounts": [account], "Regions": [region],
        "ParameterOverrides": parameter_list(plan.values[site]), "OperationId": ANY})
    cfn.add_response("describe_stack_set_operation", {"StackSetOperation": {"Status": status, "Action": "CREATE"}},
                     {"StackSetName": "rum", "OperationId": op_id})


def test_stack_set_gives_each_site_its_own_instance_and_overrides():
    plan = placed("a", "b", "c")
    aws, stubs = stubbed("cloudformation")
    cfn = stubs["cloudformation"]
    template = plan.templates[0].text
    first = parameter_list(plan.values["a"])
    cfn.add_response("describe_stack_set", {"StackSet": {"StackSetName": "rum", "TemplateBody": template,
                                                         "PermissionModel": "SELF_MANAGED"}}, {"StackSetName": "rum"})
    cfn.add_response("list_stack_instances", {"Summaries": [
        {"Account": A, "Region": "eu-west-1", "Status": "CURRENT"},
        {"Account": B, "Region": "eu-west-1", "Status": "CURRENT"}]}, {"StackSetName": "rum"})
    # a: its instance has its values already: left alone
    cfn.add_response("describe_stack_instance", {"StackInstance": {"Status": "CURRENT", "ParameterOverrides": first}},
                     {"StackSetName": "rum", "StackInstanceAccount": A, "StackInstanceRegion": "eu-west-1"})
    # b: its instance is there with other values: updated
    cfn.add_response("describe_stack_instance", {"StackInstance": {"Status": "CURRENT", "ParameterOverrides": first}},
                     {"StackSetName": "rum", "StackInstanceAccount": B, "StackInstanceRegion": "eu-west-1"})
    operation(cfn, "update_stack_instances", "b", plan, "op-b", B, "eu-west-1")
    # c: no instance yet: created, and its operation fails
    operation(cfn, "create_stack_instances", "c", plan, "op-c", C, "us-east-1", status="FAILED")
    cfn.add_response("list_stack_set_operation_results", {"Summaries": [
        {"Account": C, "Region": "us-east-1", "Status": "FAILED", "StatusReason": "Account not bootstrapped"}]},
        {"StackSetName": "rum", "OperationId": "op-c"})
    lines = []
    with pytest.raises(FleetFailed, match="1 of 3 site\\(s\\) failed: c"):
        deploy_stack_set_fleet(aws, plan, name="rum", echo=lines.append, pollers=instant_poller)
    cfn.assert_no_pending_responses()
    progress = [line for line in lines if line.startswith("[")]
    assert [line.split(":")[1].split()[0] for line in progress] == ["NO_CHANGES", "UPDATED", "FAILED"]
    assert f"{C}/us-east-1: Account not bootstrapped" in progress[2]


def test_a_new_stack_set_takes_the_first_sites_values_for_its_own():
    plan = placed("a")
    aws, stubs = stubbed("cloudformation")
    cfn = stubs["cloudformation"]
    cfn.add_client_error("describe_stack_set", "StackSetNotFoundException")
    cfn.add_response("create_stack_set", {"StackSetId": "rum:1"}, {
        "StackSetName": "rum", "TemplateBody": plan.templates[0].text, "Parameters": parameter_list(plan.values["a"]),
        "Capabilities": ["CAPABILITY_IAM"], "PermissionModel": "SELF_MANAGED", "ClientRequestToken": ANY})
    cfn.add_response("list_stack_instances", {"Summaries": []}, {"StackSetName": "rum"})
    operation(cfn, "create_stack_instances", "a", plan, "op-a", A, "eu-west-1")
    lines = []
    deploy_stack_set_fleet(aws, plan, name="rum", echo=lines.append, pollers=instant_poller)
    cfn.assert_no_pending_responses()
    assert lines[0] == "Created stack set rum."
    assert lines[1].startswith(f"[1/1] a ({A}/eu-west-1): CREATED in ")


@pytest.mark.parametrize(("plan", "message"), [
    (lambda: plan_of("a", "b", a={"account": A, "region": "eu-west-1"}), "site b: --stack-set needs every site"),
    (lambda: plan_of("a", "b", a={"account": A, "region": "eu-west-1"},
                     b={"account": A, "region": "eu-west-1", "monitor": {"name": "b2"}}),
     "sites a and b both name account"),
    (lambda: plan_of("a", "b", a={"account": A, "region": "eu-west-1"},
                     b={"account": B, "region": "eu-west-1", "monitor": {"telemetries": ["errors"]}}),
     "--stack-set needs sites that share one template, but they make 2"),
])
def test_stack_set_sites_map_one_to_one_to_instances_of_one_template(plan, message):
    aws, stubs = stubbed("cloudformation")
    with pytest.raises(UsageError, match=message):
        deploy_stack_set_fleet(aws, plan(), name="rum")
    stubs["cloudformation"].assert_no_pending_responses()
