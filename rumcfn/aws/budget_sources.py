"""Where the budget gate's budgets come from: a deployed stack (its template's ``Metadata.rumcfn``) or settings.

The metadata holds the site's budgets (``budgets``), each segment's name, dimensions and budgets
(``segments``) and, when the stack publishes per-release metrics, their namespace and dimension
(``releases``) — exactly what :mod:`rumcfn.stack.assemble` writes, so a stack can be judged without its
settings file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from rumcfn.aws.errors import translated
from rumcfn.aws.stacks import deployed_template, find_stack
from rumcfn.config import Budget, SettingsError
from rumcfn.config.budgets import STATISTIC
from rumcfn.config.monitor import NAME as MONITOR_NAME
from rumcfn.config.segments import NAME as SEGMENT_NAME
from rumcfn.config.segments import VALUE as DIMENSION_VALUE
from rumcfn.errors import RumcfnError, StackNotFound
from rumcfn.facts import BUDGET_METRICS, RELEASE_DIMENSION, SEGMENT_DIMENSIONS

#: The order budgets and a segment's dimensions are listed in (as settings list them), whatever order a
#: template keeps its keys in.
ORDER = {name: index for index, name in enumerate([*BUDGET_METRICS, *SEGMENT_DIMENSIONS.values()])}


def _ordered(items):
    return sorted(items, key=lambda pair: ORDER.get(pair[0], len(ORDER)))


class MalformedMetadata(RumcfnError):
    """The template's ``Metadata.rumcfn`` is not what rumcfn writes."""


@dataclass(frozen=True)
class Releases:
    """Where a stack publishes its per-release vitals: the CloudWatch namespace and the release dimension."""

    namespace: str
    dimension: str = RELEASE_DIMENSION


@dataclass(frozen=True)
class Target:
    """What the gate judges: the monitor, its budgets (the site's, then each segment's), its release metrics."""

    app_monitor: str
    budgets: list[Budget] = field(default_factory=list)
    releases: Releases | None = None


def _entries(key: str, entries: Any, segment: str = "", dimensions: tuple = ()) -> list[Budget]:
    """Each budget as rumcfn wrote it: a known vital, its own metric, a statistic the settings allow."""
    budgets = []
    for name, entry in _ordered((entries or {}).items()):
        try:
            budget = Budget.from_metadata(name, entry, segment, dimensions)
            if name not in BUDGET_METRICS or budget.metric != BUDGET_METRICS[name].metric:
                raise ValueError(f"not a budget rumcfn writes ({', '.join(BUDGET_METRICS)})")
            STATISTIC.check("statistic", budget.statistic)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise MalformedMetadata(f"stack metadata: {key} {name!r} is malformed ({entry!r}: {error})") from None
        budgets.append(budget)
    return budgets


def _segment(segment: Any) -> tuple[str, tuple[tuple[str, str], ...]]:
    """A segment's name and dimensions, held to the rules its settings have (they name rows, alarms and output
    lines, so a name from a template cannot carry what a settings file could not)."""
    name = str(segment["name"])
    SEGMENT_NAME.check("name", name)
    dimensions = tuple(_ordered((str(k), str(v)) for k, v in segment["dimensions"].items()))
    for dimension, value in dimensions:
        if dimension not in SEGMENT_DIMENSIONS.values():
            raise ValueError(f"dimension {dimension!r} is not one of {', '.join(SEGMENT_DIMENSIONS.values())}")
        DIMENSION_VALUE.check(dimension, value)
    return name, dimensions


def budgets_from_metadata(metadata: Mapping[str, Any] | None) -> list[Budget]:
    """Budgets from a template's ``Metadata.rumcfn``: the site's, then each segment's, in the settings' order."""
    rumcfn = (metadata or {}).get("rumcfn") or {}
    budgets = _entries("budget", rumcfn.get("budgets"))
    for segment in rumcfn.get("segments") or []:
        try:
            name, dimensions = _segment(segment)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise MalformedMetadata(f"stack metadata: segment {segment!r} is malformed ({error})") from None
        budgets += _entries(f"segment {name} budget", segment.get("budgets"), name, dimensions)
    return budgets


def releases_from_metadata(metadata: Mapping[str, Any] | None) -> Releases | None:
    entry = ((metadata or {}).get("rumcfn") or {}).get("releases")
    if not entry:
        return None
    if not isinstance(entry, Mapping) or not entry.get("namespace"):
        raise MalformedMetadata(f"stack metadata: releases is malformed ({entry!r})")
    return Releases(str(entry["namespace"]), str(entry.get("dimension") or RELEASE_DIMENSION))


def budgets_from_settings(settings) -> list[Budget]:
    """Budgets exactly as a stack built from ``settings`` records them."""
    b = settings.budgets
    return b.budgets() + [budget for segment in b.segments for budget in b.segment_budgets(segment)]


def from_settings(settings) -> Target:
    b = settings.budgets
    releases = Releases(b.release_namespace_in_cloudwatch()) if b.release_namespace else None
    return Target(settings.monitor.name, budgets_from_settings(settings), releases)


def from_stack(cloudformation, stack_name: str) -> Target:
    """The monitor name (``AppMonitorName`` output, else the ``AWS::RUM::AppMonitor`` resource's physical id),
    budgets and release metrics of a deployed stack."""
    with translated():
        stack = find_stack(cloudformation, stack_name)
        if stack is None:
            raise StackNotFound(stack_name)
        template = deployed_template(cloudformation, stack_name)
        outputs = {o["OutputKey"]: o.get("OutputValue") for o in (stack.get("Outputs") or [])}
        name = outputs.get("AppMonitorName")
        if not name:
            logical = next((key for key, res in (template.get("Resources") or {}).items()
                            if res.get("Type") == "AWS::RUM::AppMonitor"), None)
            if logical:
                resource = cloudformation.describe_stack_resource(StackName=stack_name, LogicalResourceId=logical)
                name = resource["StackResourceDetail"].get("PhysicalResourceId")
    if not name:
        raise MalformedMetadata(
            f"stack {stack_name!r} has no AppMonitorName output and no AWS::RUM::AppMonitor resource"
        )
    try:
        MONITOR_NAME.check("AppMonitorName", name)
    except SettingsError as error:
        raise MalformedMetadata(f"stack {stack_name!r}: its AppMonitorName is no app monitor name "
                                f"({error.rule}, but got {name!r})") from None
    metadata = template.get("Metadata")
    return Target(name, budgets_from_metadata(metadata), releases_from_metadata(metadata))
