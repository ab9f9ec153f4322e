"""The app monitor's metric definitions (extended metrics, segment metrics, per-release custom metrics)
obey the RUM API's rules for ``MetricDefinitionRequest``."""

from __future__ import annotations

import json

import pytest

from tests.support.variants import VARIANTS, template_dict


def definitions_of(template: dict) -> list[dict]:
    config = template["Resources"]["AppMonitor"]["Properties"]["AppMonitorConfiguration"]
    return [d for destination in config.get("MetricDestinations", []) for d in destination["MetricDefinitions"]]


def field(pattern: dict, path: str):
    """The part of an event pattern at a dotted event field path (``metadata.browserName``), or None."""
    node = pattern
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_every_dimension_of_every_definition_is_in_its_event_pattern(name):
    """RUM API reference, MetricDefinitionRequest.DimensionKeys: "all dimensions listed in this field must also
    be included in EventPattern"; and if any definition is invalid, none is applied."""
    for definition in definitions_of(template_dict(VARIANTS[name])):
        pattern = json.loads(definition["EventPattern"])
        for path in definition.get("DimensionKeys", {}):
            assert field(pattern, path) is not None, f"{definition['Name']}: {path} missing from {pattern}"


def test_the_all_on_variant_has_extended_metrics_to_check():
    assert any(d.get("DimensionKeys") for d in definitions_of(template_dict(VARIANTS["all-on"])))


def test_an_any_value_dimension_matches_every_event_that_has_the_field():
    (lcp,) = [d for d in definitions_of(template_dict(VARIANTS["all-on"]))
              if d["Name"] == "WebVitalsLargestContentfulPaint" and d["DimensionKeys"] == {"metadata.pageId": "PageId"}]
    assert json.loads(lcp["EventPattern"]) == {"event_type": ["com.amazon.rum.largest_contentful_paint_event"],
                                               "metadata": {"pageId": [{"exists": True}]}}
