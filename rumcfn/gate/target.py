"""What the budget gate judges: the monitor, its budgets and its per-release metrics, from settings or from a
deployed stack's ``Metadata.rumcfn`` (exactly what :mod:`rumcfn.stack.assemble` writes, so a stack can be
judged without its settings file)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from rumcfn.config import Budget
from rumcfn.errors import RumcfnError
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
    budgets = []
    for name, entry in _ordered((entries or {}).items()):
        try:
            budgets.append(Budget.from_metadata(name, entry, segment, dimensions))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise MalformedMetadata(f"stack metadata: {key} {name!r} is malformed ({entry!r}: {error})") from None
    return budgets


def budgets_from_metadata(metadata: Mapping[str, Any] | None) -> list[Budget]:
    """Budgets from a template's ``Metadata.rumcfn``: the site's, then each segment's, in the settings' order."""
    rumcfn = (metadata or {}).get("rumcfn") or {}
    budgets = _entries("budget", rumcfn.get("budgets"))
    for segment in rumcfn.get("segments") or []:
        try:
            name = str(segment["name"])
            dimensions = tuple(_ordered((str(k), str(v)) for k, v in segment["dimensions"].items()))
        except (KeyError, TypeError, AttributeError) as error:
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
