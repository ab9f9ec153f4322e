"""Deploy the template to many accounts and regions as a CloudFormation StackSet.

Accounts use the self-managed permission model, organizational units the service-managed one (with automatic
deployment to accounts that join). Creates or updates the stack set, adds the missing instances, waits for
each operation and reports every instance.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Mapping

from rumcfn.aws import views as view
from rumcfn.aws.errors import error_code, translated
from rumcfn.aws.events import Echo, echo_line
from rumcfn.aws.poller import Poller, waiter_bound
from rumcfn.aws.session import Aws
from rumcfn.aws.stacks import parameter_list, upload_template
from rumcfn.config.formats import ACCOUNTS
from rumcfn.errors import Interrupted, OperationFailed, SettingsError, UsageError
from rumcfn.template.reader import TemplateSource

OPERATION_DONE = {"SUCCEEDED", "FAILED", "STOPPED"}


class StackSetBusy(OperationFailed):
    def __init__(self, name: str) -> None:
        super().__init__(f"stack set {name} already has an operation running; wait for it "
                         f"(aws cloudformation list-stack-set-operations --stack-set-name {name}) and retry")


@dataclass
class StackSetRequest:
    name: str
    template: TemplateSource
    regions: tuple[str, ...]
    accounts: tuple[str, ...] = ()
    organizational_units: tuple[str, ...] = ()
    parameters: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    s3_bucket: str | None = None
    max_concurrent_percentage: int | None = None
    failure_tolerance_percentage: int | None = None

    def check(self) -> None:
        if not self.regions:
            raise UsageError("--regions: give at least one region")
        if bool(self.accounts) == bool(self.organizational_units):
            raise UsageError("give either --accounts or --organizational-units (not both)")
        if self.accounts:
            ACCOUNTS.check("--accounts", tuple(self.accounts))

    @property
    def permission_model(self) -> str:
        return "SERVICE_MANAGED" if self.organizational_units else "SELF_MANAGED"

    @property
    def preferences(self) -> dict[str, Any]:
        prefs: dict[str, Any] = {}
        if self.max_concurrent_percentage is not None:
            prefs["MaxConcurrentPercentage"] = self.max_concurrent_percentage
        if self.failure_tolerance_percentage is not None:
            prefs["FailureTolerancePercentage"] = self.failure_tolerance_percentage
        return prefs


def check_canary_locations(data: Mapping[str, Any], regions: tuple[str, ...]) -> None:
    """Refuse a multi-location canary (``Replicas``) in more than one Region or in one of its locations.

    Every instance gets the same template and parameter values, so the same canary name and replica Regions:
    two instances in one account would create that name twice in each location (CloudWatch Synthetics user
    guide, multilocation canaries: the name must not exist in any replica Region), and an instance in a location
    fails the template's rule (the primary Region cannot be a replica location). One Region outside the
    locations is safe: each account then has one instance, the only one using the name. Names derived per
    instance would not help: the instances of one account would still each run a copy in every location."""
    for resource in (data.get("Resources") or {}).values():
        if not isinstance(resource, Mapping) or resource.get("Type") != "AWS::Synthetics::Canary":
            continue
        replicas = (resource.get("Properties") or {}).get("Replicas")
        if not isinstance(replicas, list) or not replicas:
            continue
        locations = [str(r.get("Location")) for r in replicas if isinstance(r, Mapping)]
        if len(regions) > 1 or set(regions) & set(locations):
            raise SettingsError(
                "--regions",
                f"must be one Region, not one of canary.locations ({', '.join(locations)}), for a multi-location "
                "canary: every stack set instance creates the same canary in each location, and a canary name may "
                "exist once per Region",
                ",".join(regions),
            )


def find_stack_set(cfn: Any, name: str) -> dict | None:
    try:
        return cfn.describe_stack_set(StackSetName=name)["StackSet"]
    except Exception as error:
        if error_code(error) == "StackSetNotFoundException":
            return None
        raise


def list_instances(cfn: Any, name: str) -> list[dict]:
    instances = []
    for page in cfn.get_paginator("list_stack_instances").paginate(StackSetName=name):
        instances += page.get("Summaries", [])
    return instances


def wait_for_operation(cfn: Any, name: str, operation_id: str, echo: Echo, poller: Poller) -> str:
    """Wait for a StackSet operation to end, at most as long as botocore waits for one stack update (it has no
    StackSet waiter)."""
    poller.start(waiter_bound(cfn, "stack_update_complete"))
    shown = None
    while True:
        operation = cfn.describe_stack_set_operation(StackSetName=name, OperationId=operation_id)["StackSetOperation"]
        status = operation["Status"]
        if status != shown:
            echo(f"Operation {operation_id} ({operation.get('Action', '?')}): {status}")
            shown = status
        if status in OPERATION_DONE:
            return status
        poller.wait(what=f"stack set operation {operation_id}",
                    hint=f"it carries on: aws cloudformation list-stack-set-operations --stack-set-name {name}")


def missing_targets(request: StackSetRequest, instances: list[dict]) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """(targets, regions) groups still without an instance; each group is one CreateStackInstances call."""
    key = "OrganizationalUnitId" if request.organizational_units else "Account"
    have = {(i.get(key), i.get("Region")) for i in instances}
    wanted = request.organizational_units or request.accounts
    by_target: dict[str, tuple[str, ...]] = {}
    for target in wanted:
        regions = tuple(r for r in request.regions if (target, r) not in have)
        if regions:
            by_target[target] = regions
    groups: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for target, regions in by_target.items():
        groups[regions].append(target)
    return [(tuple(targets), regions) for regions, targets in groups.items()]


def start_operation(cfn: Any, name: str, method: str, **args: Any) -> str:
    try:
        return getattr(cfn, method)(**args)["OperationId"]
    except Exception as error:
        if error_code(error) == "OperationInProgressException":
            raise StackSetBusy(name) from None
        raise


def deploy_stack_set(aws: Aws, request: StackSetRequest, *, echo: Echo = echo_line,
                     poller: Poller | None = None) -> list[dict]:
    """Create or update the stack set and its instances; return the requested instances' summaries."""
    poller = poller or aws.poller()
    request.check()
    request.template.check_deployable(request.parameters, request.s3_bucket, request.regions)
    check_canary_locations(request.template.data, request.regions)
    name = request.name
    try:
        with translated():
            cfn = aws.client("cloudformation")
            existing = find_stack_set(cfn, name)
            if existing and existing.get("PermissionModel", "SELF_MANAGED") != request.permission_model:
                raise UsageError(
                    f"stack set {name} is {existing.get('PermissionModel')}: target it with "
                    + (
                        "--organizational-units"
                        if existing.get("PermissionModel") == "SERVICE_MANAGED"
                        else "--accounts"
                    )
                )
            template: dict[str, Any] = (
                {
                    "TemplateURL": upload_template(
                        aws, request.s3_bucket, f"rumcfn/stacksets/{name}", request.template.body
                    )
                }
                if request.s3_bucket
                else {"TemplateBody": request.template.body}
            )
            common = dict(
                StackSetName=name,
                Parameters=parameter_list(request.parameters, request.template.parameter_keys, existing),
                Capabilities=request.template.capabilities,
                **template,
            )
            if request.tags:
                common["Tags"] = [{"Key": k, "Value": v} for k, v in request.tags.items()]
            failed = False
            if existing is None:
                extra = (
                    {
                        "PermissionModel": "SERVICE_MANAGED",
                        "AutoDeployment": {"Enabled": True, "RetainStacksOnAccountRemoval": False},
                    }
                    if request.organizational_units
                    else {"PermissionModel": "SELF_MANAGED"}
                )
                created = cfn.create_stack_set(**common, **extra, ClientRequestToken=uuid.uuid4().hex)
                echo(f"Created stack set {name} ({created['StackSetId']}).")
            else:
                echo(f"Updating stack set {name} and its existing instances...")
                operation = start_operation(
                    cfn,
                    name,
                    "update_stack_set",
                    **common,
                    OperationPreferences=request.preferences,
                    OperationId=uuid.uuid4().hex,
                )
                failed |= wait_for_operation(cfn, name, operation, echo, poller) != "SUCCEEDED"
            for targets, regions in missing_targets(request, list_instances(cfn, name)):
                where = (
                    {"DeploymentTargets": {"OrganizationalUnitIds": list(targets)}}
                    if request.organizational_units
                    else {"Accounts": list(targets)}
                )
                echo(f"Adding stack instances: {', '.join(targets)} in {', '.join(regions)}...")
                operation = start_operation(
                    cfn,
                    name,
                    "create_stack_instances",
                    StackSetName=name,
                    Regions=list(regions),
                    OperationPreferences=request.preferences,
                    OperationId=uuid.uuid4().hex,
                    **where,
                )
                failed |= wait_for_operation(cfn, name, operation, echo, poller) != "SUCCEEDED"
            instances = [i for i in list_instances(cfn, name) if _requested(request, i)]
    except KeyboardInterrupt:
        raise Interrupted(
            f"interrupted; the operations on stack set {name} carry on. Follow them with: "
            f"aws cloudformation list-stack-set-operations --stack-set-name {name}"
        ) from None
    echo(view.instances_table(instances, name))
    bad = [i for i in instances if i.get("Status") != "CURRENT"]
    if failed or bad:
        raise OperationFailed(
            f"stack set {name}: {len(bad)} of {len(instances)} instance(s) not CURRENT"
            + (" and an operation did not succeed" if failed else "")
            + f"; see aws cloudformation list-stack-set-operations --stack-set-name {name}"
        )
    echo(f"Stack set {name}: {len(instances)} instance(s) CURRENT.")
    return instances


def _requested(request: StackSetRequest, instance: dict) -> bool:
    if instance.get("Region") not in request.regions:
        return False
    if request.organizational_units:
        return instance.get("OrganizationalUnitId") in request.organizational_units
    return instance.get("Account") in request.accounts
