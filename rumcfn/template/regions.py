"""Where a template can deploy: the resource types each Region offers, as cfn-lint's bundled region
schemas say (the data its rule E3006 checks), read when asked and never typed here.

``lint --region`` takes its Regions from here; ``deploy`` and StackSet deploys refuse, before any AWS
call, a Region that lacks a type the template uses; ``make readme`` lists where the stack cannot deploy.
cfn-lint is imported inside the functions: building a template never loads it.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from rumcfn.errors import UsageError

#: cfn-lint's name for every custom resource type (``Custom::...``): CloudFormation offers it everywhere.
CUSTOM_RESOURCE = "AWS::CloudFormation::CustomResource"


def data_source() -> str:
    """Which data answered, for messages: ``cfn-lint 1.58.0``."""
    from cfnlint.version import __version__

    return f"cfn-lint {__version__}"


def known_regions() -> tuple[str, ...]:
    """Every Region cfn-lint has data for (all partitions)."""
    from cfnlint.helpers import REGIONS

    return tuple(REGIONS)


def offered(region: str) -> frozenset[str]:
    """The resource types CloudFormation offers in ``region``."""
    from cfnlint.schema.manager import PROVIDER_SCHEMA_MANAGER

    return frozenset(PROVIDER_SCHEMA_MANAGER.get_resource_types(region))


def unavailable(data: Mapping[str, Any], region: str) -> list[str]:
    """The resource types of template ``data`` that ``region`` does not offer, sorted ([] where cfn-lint
    has no data for the Region: nothing is known there). A resource whose Condition cannot hold in the
    Region does not count (cfn-lint's condition solver decides, as for its rule E3006)."""
    if region not in known_regions():
        return []
    types = offered(region)
    solver = None
    missing = set()
    for resource in (data.get("Resources") or {}).values():
        kind = resource.get("Type") if isinstance(resource, Mapping) else None
        if not isinstance(kind, str) or (CUSTOM_RESOURCE if kind.startswith("Custom::") else kind) in types:
            continue
        condition = resource.get("Condition")
        if isinstance(condition, str):
            if solver is None:
                from cfnlint.template import Template

                solver = Template(None, dict(data), [region]).conditions
            if True not in solver.build_scenerios_on_region(condition, region):
                continue
        missing.add(kind)
    return sorted(missing)


def table(data: Mapping[str, Any]) -> dict[str, list[str]]:
    """Every Region cfn-lint knows that lacks a type of ``data`` -> those types (Regions in cfn-lint's order)."""
    return {region: kinds for region in known_regions() if (kinds := unavailable(data, region))}


def check_regions(data: Mapping[str, Any], regions: Iterable[str]) -> None:
    """Refuse, naming each Region and type, when a Region lacks a type the template uses."""
    missing = {region: kinds for region in dict.fromkeys(regions) if (kinds := unavailable(data, region))}
    if missing:
        where = "; ".join(f"{region} ({', '.join(kinds)})" for region, kinds in missing.items())
        raise UsageError(f"the stack cannot deploy in {where}: CloudFormation does not offer the resource "
                                f"type(s) named there ({data_source()} region data)")


def markdown(data: Mapping[str, Any]) -> str:
    """The list of Regions where the stack cannot deploy (docs/deploying.md)."""
    lines = [f"From the region schemas bundled with {data_source()}:", "",
             "| Region | Resource types not offered there |", "| --- | --- |"]
    lines += [f"| `{region}` | {', '.join(f'`{kind}`' for kind in kinds)} |" for region, kinds in table(data).items()]
    return "\n".join(lines) + "\n"
