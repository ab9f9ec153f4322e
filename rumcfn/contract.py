"""What a deployed rumcfn stack promises the code that reads it, written once for both sides.

The builders (:mod:`rumcfn.stack`) write these names and this block; ``rumcfn outputs``, ``budgets check``,
``restore-snippet``, ``sourcemaps upload`` and the doctor read them back from a stack deployed months ago,
perhaps by another version of rumcfn. So a name here is never changed lightly, and the ``Metadata.rumcfn``
block is read as untrusted data: anything that is not what :meth:`StackMetadata.to_dict` writes is one
line, exit 1 (:class:`MalformedMetadata`).

The inline function (``handlers/rum_script.py``) is stdlib-only and cannot import this module; it spells
the custom-resource types itself, and a test holds them equal to :class:`CustomResources`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping

from rumcfn.errors import OperationFailed
from rumcfn.facts import BUDGET_METRICS, RELEASE_DIMENSION, SEGMENT_DIMENSIONS
from rumcfn.text import clipped
from rumcfn.version import __version__


class Outputs:
    """The stack's output names."""

    APP_MONITOR_NAME = "AppMonitorName"
    APP_MONITOR_ID = "AppMonitorId"
    IDENTITY_POOL_ID = "IdentityPoolId"  # cognito mode
    SNIPPET_URL = "SnippetUrl"
    SCRIPT_TAG = "ScriptTag"
    SOURCE_MAPS_S3_URI = "SourceMapsS3Uri"  # with a source-maps location
    DASHBOARD_URL = "DashboardUrl"  # with a dashboard
    CANARY_NAME = "CanaryName"  # with a canary
    ALARM_TOPIC_ARN = "AlarmTopicArn"  # when rumcfn creates the topic
    # With snippet.first_party: what the site's one CloudFront cache behavior is built from.
    FIRST_PARTY_PATH_PATTERN = "FirstPartyPathPattern"
    FIRST_PARTY_ORIGIN_DOMAIN = "FirstPartyOriginDomain"
    FIRST_PARTY_FUNCTION_ARN = "FirstPartyFunctionArn"
    FIRST_PARTY_FUNCTION_NAME = "FirstPartyFunctionName"
    FIRST_PARTY_ORIGIN_REQUEST_POLICY_ID = "FirstPartyOriginRequestPolicyId"
    FIRST_PARTY_CACHE_POLICY_ID = "FirstPartyCachePolicyId"


class CustomResources:
    """The custom-resource types the stack's one inline function serves."""

    RUM_SCRIPT = "Custom::RumScript"  # rum.js in the website bucket
    EMPTY_BUCKET = "Custom::EmptyBucket"  # the canary's artifacts, emptied when the stack is deleted
    LOG_RETENTION = "Custom::RumLogRetention"  # the retention of the log group RUM writes to


#: The key of rumcfn's block in the template's ``Metadata``.
METADATA_KEY = "rumcfn"
#: A budget's levels: ``fail`` decides the gate's exit code, ``warn`` is only shown.
LEVELS = ("fail", "warn")
#: The order budgets and a segment's dimensions are listed in (as settings list them), whatever order a
#: template keeps its keys in.
ORDER = {name: index for index, name in enumerate([*BUDGET_METRICS, *SEGMENT_DIMENSIONS.values()])}


class MalformedMetadata(OperationFailed):
    """A deployed template's ``Metadata.rumcfn`` is not what rumcfn writes."""


@dataclass(frozen=True)
class Budget:
    """One budget as the stack records it (template Metadata) and the budget gate judges it.

    ``segment`` names the segment (empty: the whole site) whose extra ``dimensions`` the metric carries;
    ``level`` "warn" budgets are reported by the gate but never fail it."""

    key: str  # lcp, cls, ...
    metric: str  # WebVitalsLargestContentfulPaint, ...
    budget: float
    statistic: str  # as configured: p75, avg, ...
    level: str = "fail"
    segment: str = ""
    dimensions: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, str]:
        entry = {"metric": self.metric, "budget": f"{self.budget:g}", "statistic": self.statistic}
        if self.level != "fail":
            entry["level"] = self.level
        return entry

    @classmethod
    def from_dict(cls, key: str, entry: Any, segment: str = "", dimensions: tuple[tuple[str, str], ...] = ()) -> Budget:
        """Raises ValueError when ``entry`` is not what :meth:`to_dict` writes."""
        if not isinstance(entry, Mapping):
            raise ValueError("not a mapping")
        level = str(entry.get("level") or "fail")
        if level not in LEVELS:
            raise ValueError(f"level must be one of {', '.join(LEVELS)}")
        if "metric" not in entry or "budget" not in entry:
            raise ValueError("metric and budget are required")
        return cls(key, str(entry["metric"]), float(entry["budget"]), str(entry.get("statistic") or "p75"), level,
                   segment, dimensions)


@dataclass(frozen=True)
class SegmentBudgets:
    """One ``[[budgets.segments]]`` entry as recorded: its name, dimensions and budgets."""

    name: str
    dimensions: tuple[tuple[str, str], ...]
    budgets: tuple[Budget, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "dimensions": dict(self.dimensions),
                "budgets": {budget.key: budget.to_dict() for budget in self.budgets}}


@dataclass(frozen=True)
class Releases:
    """Where a stack publishes its per-release vitals: the CloudWatch namespace and the release dimension."""

    namespace: str
    dimension: str = RELEASE_DIMENSION

    def to_dict(self) -> dict[str, str]:
        return {"namespace": self.namespace, "dimension": self.dimension}


@dataclass(frozen=True)
class StackMetadata:
    """``Metadata.rumcfn``: what ``rumcfn budgets check`` needs to judge a deployed stack without its settings
    file: the site's budgets, each segment's, and where per-release vitals are published."""

    budgets: tuple[Budget, ...] = ()
    segments: tuple[SegmentBudgets, ...] = ()
    releases: Releases | None = None
    version: str = __version__  # of the rumcfn that wrote it

    def all_budgets(self) -> list[Budget]:
        """The site's budgets, then each segment's."""
        return [*self.budgets, *(budget for segment in self.segments for budget in segment.budgets)]

    def to_dict(self) -> dict[str, Any]:
        """The block as the template holds it (the order is part of the byte-identical template)."""
        block: dict[str, Any] = {"version": self.version,
                                 "budgets": {budget.key: budget.to_dict() for budget in self.budgets}}
        if self.segments:
            block["segments"] = [segment.to_dict() for segment in self.segments]
        if self.releases:
            block["releases"] = self.releases.to_dict()
        return block

    @classmethod
    def from_template(cls, metadata: Any, origin: str = "the template") -> StackMetadata:
        """The block of a template's ``Metadata`` (none: no budgets); :class:`MalformedMetadata` names what is
        wrong in one line."""
        try:
            return cls._parse(metadata)
        except _Malformed as error:
            raise MalformedMetadata(f"{origin}: malformed Metadata.{METADATA_KEY}: {error}") from None

    @classmethod
    def _parse(cls, metadata: Any) -> StackMetadata:
        if metadata is not None and not isinstance(metadata, Mapping):
            raise _Malformed(f"Metadata is not a mapping ({_shown(metadata)})")
        block = (metadata or {}).get(METADATA_KEY) or {}
        if not isinstance(block, Mapping):
            raise _Malformed(f"not a mapping ({_shown(block)})")
        budgets = _budgets("budgets", block.get("budgets"))
        segments = []
        entries = block.get("segments") or []
        if not isinstance(entries, list):
            raise _Malformed(f"segments is not a list ({_shown(entries)})")
        for entry in entries:
            try:
                name = str(entry["name"])
                dimensions = tuple(_ordered((str(k), str(v)) for k, v in entry["dimensions"].items()))
            except (KeyError, TypeError, AttributeError) as error:
                raise _Malformed(f"segment {_shown(entry)} needs a name and dimensions ({error})") from None
            segments.append(SegmentBudgets(name, dimensions,
                                           tuple(_budgets(f"segment {name} budgets", entry.get("budgets"), name,
                                                          dimensions))))
        releases = block.get("releases")
        if releases and (not isinstance(releases, Mapping) or not releases.get("namespace")):
            raise _Malformed(f"releases needs a namespace ({_shown(releases)})")
        return cls(tuple(budgets), tuple(segments),
                   Releases(str(releases["namespace"]), str(releases.get("dimension") or RELEASE_DIMENSION))
                   if releases else None,
                   str(block.get("version") or ""))


class _Malformed(Exception):
    pass


def _ordered(items):
    return sorted(items, key=lambda pair: ORDER.get(pair[0], len(ORDER)))


def _shown(value: Any) -> str:
    """A value from the template, short, on one line."""
    text = json.dumps(value, default=str, ensure_ascii=False)
    return clipped(text, 80)


def _budgets(where: str, entries: Any, segment: str = "", dimensions: tuple = ()) -> list[Budget]:
    if entries is None:
        return []
    if not isinstance(entries, Mapping):
        raise _Malformed(f"{where} is not a mapping ({_shown(entries)})")
    budgets = []
    for key, entry in _ordered(entries.items()):
        try:
            budgets.append(Budget.from_dict(str(key), entry, segment, dimensions))
        except (TypeError, ValueError) as error:
            raise _Malformed(f"{where.removesuffix('s')} {key!r} is {_shown(entry)}: {error}") from None
    return budgets
