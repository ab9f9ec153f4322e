"""What the app monitor publishes beyond RUM's default metrics: extended metrics in ``AWS/RUM`` (the
``monitor.extended_metrics`` by each dimension, and each segment's vitals by its dimensions) and the
per-release custom metrics of ``budgets.release_namespace``.

Every definition names each of its dimensions in its event pattern (RUM API reference,
``MetricDefinitionRequest.DimensionKeys``: "all dimensions listed in this field must also be included in
``EventPattern``"; with one invalid definition, none is applied).
"""

from __future__ import annotations

import json
from typing import Any

from troposphere import rum

from rumcfn.config import Settings
from rumcfn.errors import SettingsError
from rumcfn.facts import (
    BUDGET_METRICS,
    EXTENDED_DIMENSIONS,
    EXTENDED_METRICS,
    MAX_METRIC_DEFINITIONS,
    RELEASE_DIMENSION,
    RELEASE_FIELDS,
    RUM_NAMESPACE,
    VITAL_KEYS,
)

#: An event-pattern value that matches any event carrying the field (the event-pattern ``exists`` filter).
ANY_VALUE = [{"exists": True}]
#: CloudWatch's unit for the millisecond vitals (PutMetricData StandardUnit).
UNITS = {"ms": "Milliseconds"}


def event_pattern(metric_name: str, fields: dict[str, Any]) -> dict[str, Any]:
    """The event pattern RUM requires for an extended metric (``event_type``, and ``event_details`` for HTTP
    status counts), with each dimension's event field in it. ``fields`` maps a dotted event field
    (``metadata.pageId``) to what it must match (``ANY_VALUE`` or a one-value list such as ``["/checkout"]``)."""
    metric = EXTENDED_METRICS[metric_name]
    pattern: dict[str, Any] = {"event_type": [metric.event_type]}
    if metric.details:
        pattern["event_details"] = json.loads(json.dumps(metric.details))
    for path, match in fields.items():
        node = pattern
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = match
    return pattern


def _definition(name: str, fields: dict[str, Any], dimension_keys: dict[str, str], namespace: str = RUM_NAMESPACE,
                unit: str = "") -> rum.MetricDefinition:
    kwargs: dict[str, Any] = {
        "Name": name,
        "Namespace": namespace,
        "DimensionKeys": dimension_keys,
        "EventPattern": json.dumps(event_pattern(name, fields), separators=(",", ":"), sort_keys=True),
    }
    if EXTENDED_METRICS[name].value_key:
        kwargs["ValueKey"] = EXTENDED_METRICS[name].value_key
    if unit:
        kwargs["UnitLabel"] = unit
    return rum.MetricDefinition(**kwargs)


def extended(settings: Settings) -> list[rum.MetricDefinition]:
    """``monitor.extended_metrics`` x ``monitor.extended_metric_dimensions``: one dimension each, any value."""
    return [_definition(name, {EXTENDED_DIMENSIONS[d]: ANY_VALUE}, {EXTENDED_DIMENSIONS[d]: d})
            for name in settings.monitor.extended_metrics for d in settings.monitor.extended_metric_dimensions]


def segments(settings: Settings) -> list[rum.MetricDefinition]:
    """Each segment's vitals by its dimensions, matching only its values. A one-dimension segment whose metric
    the extended metrics already publish by that dimension (for every value) adds nothing."""
    m = settings.monitor
    published = {(name, dimension) for name in m.extended_metrics for dimension in m.extended_metric_dimensions}
    result = []
    for segment in settings.budgets.segments:
        dimensions = segment.dimensions()
        for key in segment.active():
            name = BUDGET_METRICS[key].metric
            if len(dimensions) == 1 and (name, dimensions[0][0]) in published:
                continue
            fields = {EXTENDED_DIMENSIONS[d]: [value] for d, value in dimensions}
            result.append(_definition(name, fields, {EXTENDED_DIMENSIONS[d]: d for d, _ in dimensions}))
    return result


def releases(settings: Settings) -> list[rum.MetricDefinition]:
    """The budgeted vitals by release, as custom metrics in the user's namespace (RUM publishes them under
    ``RUM/CustomMetrics/<namespace>``), from the event field ``budgets.release_source`` names."""
    b = settings.budgets
    if not b.release_namespace:
        return []
    path = RELEASE_FIELDS[b.release_source]
    return [_definition(BUDGET_METRICS[key].metric, {path: ANY_VALUE}, {path: RELEASE_DIMENSION},
                        namespace=b.release_namespace, unit=UNITS.get(BUDGET_METRICS[key].unit, ""))
            for key in b.active() if key in VITAL_KEYS]


def metric_definitions(settings: Settings) -> list[rum.MetricDefinition]:
    """Every definition of the monitor's CloudWatch destination, within its limit of 2000."""
    definitions = extended(settings) + segments(settings) + releases(settings)
    if len(definitions) > MAX_METRIC_DEFINITIONS:
        setting = "budgets.segments" if settings.budgets.segments else "monitor.extended_metrics"
        raise SettingsError(setting, f"must leave the monitor at most {MAX_METRIC_DEFINITIONS} metric definitions "
                            "(the limit of one CloudWatch destination)", f"{len(definitions)} definitions")
    return definitions
