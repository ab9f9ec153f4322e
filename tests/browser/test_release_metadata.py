"""What the real web client (aws-rum-web 3.2.1) sends as event metadata, and that rumcfn's metric definitions
match it: the per-release custom metrics read ``metadata.aws:releaseId`` (sent once the client's ``releaseId``
is set), segment metrics read ``metadata.pageId`` and ``metadata.deviceType``.

Since 3.0 the client sends session-level attributes (browser, OS, device type, ``aws:releaseId`` ...) once per
batch, in the request's ``SessionMetadata``, and only page attributes with each event; RUM merges the two into
the event's metadata, event keys winning (@aws-rum/web-core event-cache/EventCache.js, ``createEvent``). The
records below are merged the same way.

The snippet here gets ``releaseId`` added to its config by the test (the stack's snippet takes it from
``snippet.release_id``); what matters is what the client sends with it."""

from __future__ import annotations

import json

import pytest

from rumcfn.config import from_mapping
from tests.support.variants import template_dict

from .flow import deliver, leave, matches, publish, short, walk

pytestmark = pytest.mark.browser
RELEASE = "2026.11.20-1"


@pytest.fixture(scope="module")
def released(browser, servers):
    """One walk with ``releaseId`` in the client's config: the events as RUM records them."""
    monitor = publish(servers.site, servers.collector, "--auth.mode", "resource-policy")
    assert "{sessionSampleRate:" in monitor.snippet
    servers.site.snippets[monitor.id] = monitor.snippet.replace(
        "{sessionSampleRate:", '{releaseId:"%s",sessionSampleRate:' % RELEASE, 1)
    page = browser.new_page()
    try:
        walk(page, monitor.page(), dispatch=True)
        deliver(servers.collector, monitor.id, ("page_view", "largest_contentful_paint", "first_input_delay"))
        leave(page)
        deliver(servers.collector, monitor.id, ("cumulative_layout_shift", "interaction_to_next_paint"))
        batches = servers.collector.batches(monitor.id)
    finally:
        page.close()
    records = [{"event_type": event["type"], "event_details": json.loads(event["details"]),
                "metadata": {**json.loads(batch.payload["SessionMetadata"]), **json.loads(event["metadata"])},
                "application_version": batch.payload["AppMonitorDetails"]["version"]}
               for batch in batches for event in batch.payload["RumEvents"]]
    return monitor, batches, records


def test_every_event_carries_the_release_id_as_aws_release_id_metadata(released):
    _, batches, records = released
    assert {json.loads(b.payload["SessionMetadata"])["aws:releaseId"] for b in batches} == {RELEASE}
    assert all("aws:releaseId" not in json.loads(e["metadata"]) for b in batches for e in b.payload["RumEvents"])
    assert records and {r["metadata"].get("aws:releaseId") for r in records} == {RELEASE}


def test_the_segment_dimensions_come_from_metadata_the_client_sends(released):
    monitor, _, records = released
    assert {r["metadata"]["pageId"] for r in records if "pageId" in r["metadata"]} == {f"/m/{monitor.id}/index.html"}
    assert {r["metadata"]["deviceType"] for r in records} == {"desktop"}  # headless Chromium on a desktop OS
    assert all(r["metadata"].get("browserName") and r["metadata"].get("osName") for r in records)


def test_release_and_segment_definitions_match_the_events_they_are_for(released):
    monitor, _, records = released
    page = f"/m/{monitor.id}/index.html"
    settings = from_mapping(
        {
            "snippet": {"release_id": RELEASE},
            "budgets": {
                "release_namespace": "shop/releases",
                "segments": [
                    {"page": page, "device": "desktop", "lcp": 3000, "inp": 500, "cls": 0.2},
                    {"page": page, "device": "mobile", "lcp": 3000},
                ],
            },
        }
    )
    config = template_dict(settings)["Resources"]["AppMonitor"]["Properties"]["AppMonitorConfiguration"]
    (destination,) = config["MetricDestinations"]
    for definition in destination["MetricDefinitions"]:
        pattern = json.loads(definition["EventPattern"])
        matched = [r for r in records if matches(pattern, r)]
        wanted = pattern["event_type"][0]
        if pattern.get("metadata", {}).get("deviceType") == ["mobile"]:
            assert matched == [], "a desktop visit must not count for the mobile segment"
            continue
        assert matched and {r["event_type"] for r in matched} == {wanted}, (definition, {short({"type": wanted})})
        assert all(definition["ValueKey"].split(".")[1] in r["event_details"] for r in matched)
