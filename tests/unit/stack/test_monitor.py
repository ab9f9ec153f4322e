"""The app monitor's metric definitions (extended metrics, segment metrics, per-release custom metrics)
obey the RUM API's rules for ``MetricDefinitionRequest``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rumcfn.config import from_mapping
from rumcfn.facts import DIMENSION_EVENTS, EXTENDED_DIMENSIONS, EXTENDED_METRICS
from tests.support import ROOT
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


# --- each dimension only with the metrics whose events carry its field ---------------------------------------
EVENT_SCHEMAS = ROOT / "node_modules" / "@aws-rum" / "web-core" / "dist" / "es" / "events"
#: The web client's schema of each event type's details (json-schema-to-typescript output in @aws-rum/web-core).
SCHEMA_FILES = {
    "performance_resource": "resource-event.d.ts",
    "performance_navigation": "navigation-event.d.ts",
    "largest_contentful_paint": "largest-contentful-paint-event.d.ts",
    "cumulative_layout_shift": "cumulative-layout-shift-event.d.ts",
    "interaction_to_next_paint": "interaction-to-next-paint.d.ts",
    "first_input_delay": "first-input-delay-event.d.ts",
    "js_error": "js-error-event.d.ts",
    "http": "http-event.d.ts",
    "page_view": "page-view-event.d.ts",
    "session_start": "session-start-event.d.ts",
}


def top_level_fields(schema: Path) -> set[str]:
    """The properties of the exported interface (four-space indent: nested types are indented further)."""
    return set(re.findall(r"^    \"?([\w:]+)\"?\??:", schema.read_text(), re.MULTILINE))


def test_each_extended_dimension_is_allowed_exactly_with_the_events_that_carry_its_field():
    """Metadata is part of every event ("Information collected by the CloudWatch RUM web client", and the
    client's MetaData schema); an event_details field only of the event types whose schema has it."""
    metadata = top_level_fields(EVENT_SCHEMAS / "meta-data.d.ts")
    for dimension, path in EXTENDED_DIMENSIONS.items():
        where, name = path.split(".")
        carried = {event for event, file in SCHEMA_FILES.items() if name in top_level_fields(EVENT_SCHEMAS / file)}
        if where == "metadata":
            assert name in metadata and DIMENSION_EVENTS[dimension] is None, dimension
        else:
            assert carried and set(DIMENSION_EVENTS[dimension]) == carried, (dimension, carried)
    assert {m.event for m in EXTENDED_METRICS.values()} <= set(SCHEMA_FILES)


@pytest.mark.parametrize(
    "metrics", [["WebVitalsLargestContentfulPaint"], ["PerformanceResourceDuration", "JsErrorCount"]]
)
def test_file_type_with_a_metric_whose_events_have_no_file_type_is_refused_at_synth(metrics, run_cli, tmp_path):
    config = tmp_path / "rumcfn.toml"
    config.write_text(f'[monitor]\nextended_metrics = {json.dumps(metrics)}\n'
                      'extended_metric_dimensions = ["BrowserName", "FileType"]\n')
    result = run_cli("synth", "--config", str(config), "-o", "t.json")
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "setting monitor.extended_metric_dimensions: FileType" in result.stderr
    assert metrics[-1] in result.stderr and "PerformanceResourceDuration" in result.stderr
    assert not (tmp_path / "t.json").exists()


def test_file_type_goes_with_resource_durations():
    t = template_dict(from_mapping({"monitor": {"extended_metrics": ["PerformanceResourceDuration"],
                                                "extended_metric_dimensions": ["FileType", "PageId"]}}))
    patterns = {tuple(d["DimensionKeys"].values()): json.loads(d["EventPattern"]) for d in definitions_of(t)}
    assert patterns[("FileType",)] == {"event_type": ["com.amazon.rum.performance_resource_event"],
                                       "event_details": {"fileType": [{"exists": True}]}}
    assert set(patterns) == {("FileType",), ("PageId",)}


def test_an_adopted_monitor_is_retained_when_the_stack_goes(linter):
    """monitor.retain_on_delete (what `rumcfn import` writes): deleting the stack, or replacing the monitor, keeps
    the monitor and its data; cfn-lint wants both policies together (W3011)."""
    from rumcfn.stack.assemble import build_template
    from rumcfn.template.output import to_json

    kept = template_dict(from_mapping({"monitor": {"retain_on_delete": True}}))["Resources"]["AppMonitor"]
    assert (kept["DeletionPolicy"], kept["UpdateReplacePolicy"]) == ("Retain", "Retain")
    assert "DeletionPolicy" not in template_dict(from_mapping({}))["Resources"]["AppMonitor"]
    assert linter.lint(to_json(build_template(from_mapping({"monitor": {"retain_on_delete": True}})))) == []
