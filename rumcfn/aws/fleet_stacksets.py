"""A fleet as one StackSet: each site is one stack instance (its ``account`` and ``region``) with its own parameter
values as the instance's ``ParameterOverrides``.

Every instance of a stack set has the stack set's template, so the sites must share one template (one shape), and
each site must name its own account and Region: a stack instance is one account in one Region, and overrides are
set per instance. Instances can only override parameters the stack set itself has values for ("You can only
override the parameter values that are specified in the stack set", CreateStackInstances), so the stack set takes
the first site's values; every instance overrides all of them. A stack set runs one operation at a time, so sites
go one after another; an instance that is CURRENT with the site's values already is left as it is.
"""

from __future__ import annotations

import uuid
from typing import Any, Callable

from rumcfn.aws.errors import translated
from rumcfn.aws.events import Echo, echo_line
from rumcfn.aws.fleet import NO_CHANGES, SiteResult, Stop, raise_if_failed, run_sites
from rumcfn.aws.poller import Poller
from rumcfn.aws.session import Aws
from rumcfn.aws.stacks import upload_template
from rumcfn.aws.stacksets import (
    check_canary_locations,
    find_stack_set,
    list_instances,
    start_operation,
    wait_for_operation,
)
from rumcfn.config.fleet import Site
from rumcfn.errors import OperationFailed, UsageError
from rumcfn.template.fleet import FleetSynth, parameter_list
from rumcfn.template.reader import TemplateSource


class InstanceFailed(OperationFailed):
    pass


def check_one_to_one(plan: FleetSynth) -> None:
    """Each site names an account and a Region of its own; all share one template."""
    places: dict[tuple[str, str], str] = {}
    for site in plan.fleet.sites:
        if not (site.account and site.region):
            raise UsageError(f"site {site.name}: --stack-set needs every site to name its account and region (a stack "
                             "instance is one account in one Region)")
        other = places.setdefault((site.account, site.region), site.name)
        if other != site.name:
            raise UsageError(f"sites {other} and {site.name} both name account {site.account} in {site.region}: a "
                             "stack set has one instance there, so one site")
    if len(plan.templates) != 1:
        shapes = "; ".join(f"{t.path}: {', '.join(t.sites[:3])}{' ...' if len(t.sites) > 3 else ''}"
                           for t in plan.templates)
        raise UsageError(f"--stack-set needs sites that share one template, but they make {len(plan.templates)} "
                         f"({shapes}); deploy each shape as its own stack set")


def instance_overrides(cfn: Any, name: str, site: Site) -> tuple[str, dict[str, str]]:
    instance = cfn.describe_stack_instance(StackSetName=name, StackInstanceAccount=site.account,
                                           StackInstanceRegion=site.region)["StackInstance"]
    return instance.get("Status", ""), {p["ParameterKey"]: p.get("ParameterValue", "")
                                        for p in instance.get("ParameterOverrides") or []}


def operation_failure(cfn: Any, name: str, operation_id: str) -> str:
    pages = cfn.get_paginator("list_stack_set_operation_results").paginate(StackSetName=name,
                                                                           OperationId=operation_id)
    reasons = [f"{s.get('Account')}/{s.get('Region')}: {s.get('StatusReason') or s.get('Status')}"
               for page in pages for s in page.get("Summaries", []) if s.get("Status") != "SUCCEEDED"]
    return "; ".join(reasons) or "no reason given"


def deploy_stack_set_fleet(aws: Aws, plan: FleetSynth, *, name: str, s3_bucket: str | None = None,
                           tags: dict[str, str] | None = None, echo: Echo = echo_line,
                           pollers: Callable[[], Poller] | None = None) -> list[SiteResult]:
    pollers = pollers or aws.poller  # the waits of the command's Aws unless a caller names others
    check_one_to_one(plan)
    template = plan.templates[0]
    source = TemplateSource(template.text, template.path)
    regions = tuple(sorted({site.region for site in plan.fleet.sites}))
    source.check_deployable({}, s3_bucket, regions)
    check_canary_locations(source.data, regions)
    first = plan.values[plan.fleet.sites[0].name]
    with translated():
        cfn = aws.client("cloudformation")
        body = ({"TemplateURL": upload_template(aws, s3_bucket, f"rumcfn/stacksets/{name}", template.text)}
                if s3_bucket else {"TemplateBody": template.text})
        common: dict[str, Any] = dict(StackSetName=name, Parameters=parameter_list(first),
                                      Capabilities=source.capabilities, **body)
        if tags:
            common["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
        existing = find_stack_set(cfn, name)
        if existing is None:
            cfn.create_stack_set(**common, PermissionModel="SELF_MANAGED", ClientRequestToken=uuid.uuid4().hex)
            echo(f"Created stack set {name}.")
        elif existing.get("PermissionModel", "SELF_MANAGED") != "SELF_MANAGED":
            raise UsageError(f"stack set {name} is {existing.get('PermissionModel')}; a fleet's instances are "
                             "accounts, which a self-managed stack set takes")
        elif existing.get("TemplateBody") != template.text:
            echo(f"Updating stack set {name}'s template (its instances follow)...")
            operation = start_operation(cfn, name, "update_stack_set", **common, OperationId=uuid.uuid4().hex)
            if wait_for_operation(cfn, name, operation, lambda *a, **k: None, pollers()) != "SUCCEEDED":
                raise InstanceFailed(f"stack set {name}: the template update failed: "
                                     f"{operation_failure(cfn, name, operation)}")
        have = {(i.get("Account"), i.get("Region")) for i in list_instances(cfn, name)}

    def work(site: Site, stop: Stop) -> SiteResult:
        where = f"{site.account}/{site.region}"
        overrides = parameter_list(plan.values[site.name])
        with translated():
            if (site.account, site.region) in have:
                status, current = instance_overrides(cfn, name, site)
                if status == "CURRENT" and current == plan.values[site.name]:
                    return SiteResult(site.name, where, NO_CHANGES)
                method, kind = "update_stack_instances", "UPDATED"
            else:
                method, kind = "create_stack_instances", "CREATED"
            operation = start_operation(cfn, name, method, StackSetName=name, Accounts=[site.account],
                                        Regions=[site.region], ParameterOverrides=overrides,
                                        OperationId=uuid.uuid4().hex)
            status = wait_for_operation(cfn, name, operation, lambda *a, **k: None, stop.poller(pollers))
            if status != "SUCCEEDED":
                raise InstanceFailed(f"operation {operation} {status}: {operation_failure(cfn, name, operation)}")
        return SiteResult(site.name, where, kind)

    # one operation at a time per stack set: the sites go one after another
    results = run_sites(plan.fleet.sites, work, max_concurrency=1, echo=echo,
                        target=lambda site: f"{site.account}/{site.region}", what="instance")
    raise_if_failed(results)
    return results

