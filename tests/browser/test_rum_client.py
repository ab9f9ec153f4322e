"""The snippet from ``rumcfn snippet`` drives the real CloudWatch RUM web client in Chromium.

One walk through the test page (load, layout shift, slow click, failing fetch, uncaught error,
then navigating away) with an unsigned snippet; the tests below each check one part of what the
stand-in data plane received. Negative cases (sampled out, excluded pages) each run a positive
control afterwards, so "nothing arrived" is only concluded once something later did.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from .flow import (
    APP_VERSION,
    ERROR_MESSAGE,
    EXPECTED,
    collector_failures,
    deliver,
    exception_texts,
    leave,
    page_exceptions,
    publish,
    short,
    wait_for_client,
    walk,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def unsigned(browser, servers):
    """One full walk with ``rumcfn snippet --unsigned``: what the data plane got, and what the page saw."""
    collector = servers.collector
    monitor = publish(servers.site, collector, "--auth.mode", "resource-policy")
    page = browser.new_page()
    try:
        walk(page, monitor.page(), dispatch=True)
        # Let the fetch dispatch land before leaving (leaving would cancel it): it carries the
        # error and the failed request, recorded just before it.
        deliver(collector, monitor.id, ("js_error", "http"))
        leave(page)
        events = deliver(collector, monitor.id)
        return SimpleNamespace(
            monitor=monitor,
            events=events,
            batches=collector.batches(monitor.id),
            preflights=collector.preflights(monitor.id),
            exceptions=exception_texts(page),
            failures=collector_failures(page, collector),
            requests=[e["params"]["request"]["url"] for e in page.my_events("Network.requestWillBeSent")],
        )
    finally:
        page.close()


def of_type(events: list[dict], name: str) -> list[dict]:
    return [e for e in events if short(e) == name]


def test_every_measurement_arrives(unsigned):
    events = unsigned.events
    assert {short(e) for e in events} >= set(EXPECTED)
    page_id = f"/m/{unsigned.monitor.id}/index.html"
    assert {e["details"]["pageId"] for e in of_type(events, "page_view")} == {page_id}
    assert of_type(events, "performance_navigation")[0]["details"]["duration"] > 0
    assert of_type(events, "largest_contentful_paint")[0]["details"]["value"] > 0
    assert max(e["details"]["value"] for e in of_type(events, "cumulative_layout_shift")) > 0
    # The click handler blocks for 250 ms, so the interaction's next paint is at least that late.
    assert max(e["details"]["value"] for e in of_type(events, "interaction_to_next_paint")) >= 200
    fid = of_type(events, "first_input_delay")[0]["details"]
    assert fid["value"] >= 0 and fid["attribution"]["eventType"] in ("pointerdown", "mousedown")
    errors = of_type(events, "js_error")
    assert [e["details"]["message"] for e in errors] == [ERROR_MESSAGE], errors
    http = [e["details"] for e in of_type(events, "http")]
    assert any(d["request"]["url"].endswith("/api/fail") and d["response"]["status"] == 500 for d in http), http
    # Every event belongs to the page the walk visited.
    assert {e["metadata"]["pageId"] for e in events if "pageId" in e["metadata"]} == {page_id}


def test_batches_carry_the_monitor_id_and_app_version(unsigned):
    assert unsigned.batches
    for batch in unsigned.batches:
        assert batch.path == f"/appmonitors/{unsigned.monitor.id}"
        assert batch.payload["AppMonitorDetails"]["id"] == unsigned.monitor.id
        assert batch.payload["AppMonitorDetails"]["version"] == APP_VERSION
        assert batch.payload["UserDetails"]["sessionId"]


def test_both_transports_work_across_origins(unsigned):
    """The timer's fetch (JSON, gzip when large, after a CORS preflight) and the hide-time beacon."""
    fetches = [b for b in unsigned.batches if b.headers.get("content-type") == "application/json"]
    beacons = [b for b in unsigned.batches if b.headers.get("content-type", "").startswith("text/plain")]
    assert fetches and beacons, [b.headers.get("content-type") for b in unsigned.batches]
    assert any(b.gzipped for b in fetches), "the fetch batch was expected to be large enough to gzip"
    assert unsigned.preflights and all(p.allowed and p.method == "POST" for p in unsigned.preflights)
    assert unsigned.failures == []
    # CLS and INP only leave with the page-hide flush.
    flushed = {short(e) for b in beacons for e in b.events}
    assert {"cumulative_layout_shift", "interaction_to_next_paint"} <= flushed


def test_the_page_raised_only_the_deliberate_error(unsigned):
    """The snippet and the client run without errors; the one uncaught error is the test's own
    (which also shows that DevTools reports exceptions, so the empty checks elsewhere mean something)."""
    assert len(unsigned.exceptions) == 1 and ERROR_MESSAGE in unsigned.exceptions[0], unsigned.exceptions


def test_unsigned_mode_sends_no_authorization(unsigned):
    assert "signing:false" in unsigned.monitor.snippet
    for batch in unsigned.batches:
        assert "authorization" not in batch.headers
        assert not [h for h in batch.headers if h.startswith("x-amz-")]
        assert not [q for q in batch.query if q.lower().startswith("x-amz-")]


def test_the_page_talks_only_to_the_local_site_and_data_plane(unsigned, servers):
    assert unsigned.requests
    local = (servers.site.url + "/", servers.collector.url + "/appmonitors/")
    assert all(url.startswith(local) for url in unsigned.requests), unsigned.requests
    assert f"{servers.site.url}/client/cwr.js" in unsigned.requests


def test_the_browser_contacts_nothing_beyond_loopback(unsigned, servers):
    """Every request outside 127.0.0.1 would have gone to the trap proxy (proved to work when the
    browser started); host names resolve to nothing. The session's end checks the trap again."""
    assert servers.trap.attempts == []


def test_sample_rate_zero_sends_nothing(browser, servers, page):
    collector = servers.collector
    monitor = publish(servers.site, collector, "--auth.mode", "resource-policy", "--monitor.session-sample-rate", "0")
    walk(page, monitor.page(), dispatch=True)
    leave(page)
    control_after(browser, servers)
    assert collector.anything_for(monitor.id) == []
    assert page_exceptions(page) == []


def only_the_control_page_sends(page, collector, monitor) -> list[dict]:
    """Visit the monitor's other page in the same session: once its events have arrived, anything the
    excluded page had sent would have arrived too, so "nothing from it" is a finding, not a timeout."""
    page.goto(monitor.page("index"))
    wait_for_client(page)
    leave(page)
    events = deliver(collector, monitor.id, ("page_view", "performance_navigation"))
    assert {e["metadata"].get("pageId") for e in events} == {f"/m/{monitor.id}/index.html"}
    return events


def test_an_excluded_page_sends_nothing(servers, page):
    collector, site = servers.collector, servers.site
    monitor = publish(
        site,
        collector,
        "--auth.mode", "resource-policy",
        page_args=lambda monitor_id: ("--monitor.excluded-pages", site.page(monitor_id, "excluded")),
    )
    # Query and fragment do not make an excluded page count.
    walk(page, monitor.page("excluded") + "?utm_source=test#top", dispatch=True)
    leave(page)
    events = only_the_control_page_sends(page, collector, monitor)
    # The excluded page's error and failed request never left the browser.
    assert not [e for e in events if short(e) in ("js_error", "http")]
    assert page_exceptions(page) == []


def test_an_excluded_site_root_given_without_a_slash_sends_nothing(servers, page):
    """``--exclude-page http://host:port`` names the page the browser calls ``http://host:port/``."""
    collector, site = servers.collector, servers.site
    monitor = publish(site, collector, "--auth.mode", "resource-policy", "--monitor.excluded-pages", site.url)
    site.root_key = monitor.id
    walk(page, site.url + "/", dispatch=True)
    leave(page)
    only_the_control_page_sends(page, collector, monitor)
    assert page_exceptions(page) == []


def test_the_html_snippet_works_pasted_into_a_page(servers, page):
    collector = servers.collector
    monitor = publish(servers.site, collector, "--auth.mode", "resource-policy", "--html")
    assert monitor.snippet.startswith("<script>\n") and monitor.snippet.endswith("</script>\n")
    page.goto(monitor.page())
    wait_for_client(page)
    assert page.evaluate("document.querySelector('script[src=\"rum.js\"]') === null")
    leave(page)
    events = deliver(collector, monitor.id, ("page_view", "performance_navigation"))
    assert {b.payload["AppMonitorDetails"]["version"] for b in collector.batches(monitor.id)} == {APP_VERSION}
    assert {e["metadata"]["pageId"] for e in events} == {f"/m/{monitor.id}/index.html"}
    assert page_exceptions(page) == []


def test_telemetries_limit_what_is_recorded(servers, page):
    collector = servers.collector
    monitor = publish(servers.site, collector, "--auth.mode", "resource-policy", "--monitor.telemetries", "errors")
    walk(page, monitor.page(), dispatch=True)
    # That dispatch came after the failing fetch and the error: its batch closes the books.
    events = deliver(collector, monitor.id, ("page_view", "js_error"))
    leave(page)
    recorded = {short(e) for e in events}
    assert not recorded & {"http", "performance_navigation", "largest_contentful_paint", "first_input_delay"}, recorded


def control_after(browser, servers) -> None:
    """A positive control in a fresh context: a monitor that records, delivering its page-hide flush.
    Whatever a preceding negative case might have sent would have arrived before this did."""
    monitor = publish(servers.site, servers.collector, "--auth.mode", "resource-policy")
    page = browser.new_page()
    try:
        page.goto(monitor.page())
        wait_for_client(page)
        leave(page)
        deliver(servers.collector, monitor.id, ("page_view", "performance_navigation"))
    finally:
        page.close()
