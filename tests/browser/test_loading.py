"""``snippet.load`` with the real web client in Chromium: what a client that starts late still records.

``early.html`` throws twice and rejects a promise before the client can exist (in ``<head>``, right
after rum.js, and at the end of ``<body>``), fetches a failing URL and shifts its layout after the first
paint. Each strategy must deliver those errors as ``js_error`` events, and the default must deliver the
page's vitals from buffered performance entries. What a late client cannot see is measured too, with the
client held back by the site (``?delay=``) while the visitor clicks.
"""

from __future__ import annotations

import json

import pytest

from .flow import deliver, exception_texts, leave, nudge, publish, short, wait_for_client

pytestmark = pytest.mark.browser

EARLY = ("rumcfn early: thrown in head", "rumcfn early: rejected in head", "rumcfn early: thrown in body")
#: What the default strategy must still record although the client starts after the load event.
VITALS = ("page_view", "performance_navigation", "largest_contentful_paint", "cumulative_layout_shift",
          "first_contentful_paint", "time_to_first_byte")


def of_type(events: list[dict], name: str) -> list[dict]:
    return [e for e in events if short(e) == name]


def visit(browser, servers, *args: str, client_query: str = "", act=None, after=None) -> tuple[list[dict], dict]:
    """Publish a snippet with ``args``, load early.html, let ``act(page)`` run before the client starts,
    wait for the client, run ``after(page)``, leave (the page-hide flush) and return the events and what the
    page noted."""
    site = servers.site
    monitor = publish(site, servers.collector, "--auth.mode", "resource-policy", "--snippet.client-url",
                      f"{site.url}/client/cwr.js{client_query}", *args)
    page = browser.new_page()
    try:
        page.goto(monitor.page("early"))
        if act:
            act(page)
        wait_for_client(page)
        if after:
            after(page)
        noted = page.evaluate("JSON.stringify(window.__early)")
        exceptions = exception_texts(page)
        # Send what was recorded while the page is visible; leaving then flushes the rest (CLS, INP).
        page.evaluate("cwr('dispatch'), true")
        deliver(servers.collector, monitor.id, ("page_view", "js_error"))
        leave(page)
        events = deliver(servers.collector, monitor.id, ("page_view", "js_error"))
    finally:
        page.close()
    return events, dict(json.loads(noted), exceptions=exceptions, monitor=monitor)


def finish_lcp(page):
    """A click after the client started: web-vitals reports LCP on the first input, in an idle callback (the
    page-hide flush leaves before its report on hiding), from the entries the browser buffered before the
    client existed. Then dispatch, so the report leaves while the page is visible."""
    page.click("#slow")
    nudge(page)
    page.wait_until("document.getElementById('status').textContent === 'clicked'", 10, "the click")
    page.evaluate("new Promise(resolve => requestIdleCallback(() => resolve(true)))")  # after web-vitals' own
    page.evaluate("cwr('dispatch'), true")


def test_the_default_records_early_errors_and_the_vitals(browser, servers):
    """The default (``after-load``): the errors thrown before the client existed arrive as js_error
    events, and page view, navigation, LCP, CLS, FCP and TTFB come from buffered entries."""
    events, noted = visit(browser, servers, after=finish_lcp)
    assert "AwsRumClient" in noted["monitor"].snippet and "addEventListener('load'" in noted["monitor"].snippet
    # The page really threw before the client existed, and the layout shifted before it too.
    assert noted["clientAtStart"] is False and noted["shiftedBeforeClient"] is True
    assert sorted(EARLY) == sorted(m for m in EARLY if any(m in text for text in noted["exceptions"]))
    events = deliver(servers.collector, noted["monitor"].id, VITALS + ("js_error",))
    assert sorted(e["details"]["message"] for e in of_type(events, "js_error")) == sorted(EARLY)
    thrown = next(e["details"] for e in of_type(events, "js_error") if e["details"]["message"] == EARLY[0])
    assert thrown["type"] == "Error" and "early.html" in thrown.get("filename", "") and thrown["stack"]
    assert of_type(events, "largest_contentful_paint")[0]["details"]["value"] > 0
    assert max(e["details"]["value"] for e in of_type(events, "cumulative_layout_shift")) > 0
    assert of_type(events, "first_contentful_paint")[0]["details"]["value"] > 0
    assert of_type(events, "time_to_first_byte")[0]["details"]["value"] >= 0
    assert of_type(events, "performance_navigation")[0]["details"]["duration"] > 0


@pytest.mark.parametrize("load", ["idle", "eager"])
def test_every_strategy_records_early_errors(browser, servers, load):
    events, noted = visit(browser, servers, "--snippet.load", load)
    events = deliver(servers.collector, noted["monitor"].id, ("page_view", "js_error"))
    assert sorted(e["details"]["message"] for e in of_type(events, "js_error")) == sorted(EARLY)


def click_before_the_client(page):
    page.wait_until("document.readyState === 'complete' && window.__early.shifts > 0", 10,
                    "the load event and the early layout shift")
    page.click("#slow")
    nudge(page)
    page.wait_until("document.getElementById('status').textContent === 'clicked'", 10, "the slow click")
    assert page.evaluate("window.cwr === window.__stub"), "the client started before the click was handled"


def fetch_and_click_late(page):
    assert page.evaluate("fetch('/api/fail?late=1').then(r => r.status)") == 500
    page.click("#slow")
    nudge(page)


def test_what_a_late_client_still_sees_and_misses(browser, servers, tmp_path):
    """Measured, for the docs: with the client held back 1.5 s after the load event, a slow (250 ms) click
    before it starts still yields FID and INP (the browser buffers first-input and event timing entries), but
    neither that click (interaction telemetry: the client listens for DOM events once it runs) nor the
    failing fetch made before it started are recorded: not as an http event (the client wraps fetch when it
    starts) and not as a resource event (the client ignores fetch and XHR resource entries by default). The
    same fetch and click after the client started are recorded (the positive control)."""
    (tmp_path / "rumcfn.toml").write_text('[snippet.config.interaction]\nevents = [{event = "click", '
                                          'elementId = "slow"}]\n')
    events, noted = visit(browser, servers, "--config", str(tmp_path / "rumcfn.toml"), client_query="?delay=1500",
                          act=click_before_the_client, after=fetch_and_click_late)
    events = deliver(servers.collector, noted["monitor"].id, ("page_view", "js_error", "first_input_delay", "http",
                                                              "interaction_to_next_paint", "dom"))
    assert max(e["details"]["value"] for e in of_type(events, "interaction_to_next_paint")) >= 200
    assert of_type(events, "first_input_delay")[0]["details"]["value"] >= 0
    http = [e["details"]["request"]["url"] for e in of_type(events, "http")]
    assert any("late=1" in url for url in http) and not any("early=1" in url for url in http), http
    resources = [e["details"].get("targetUrl", "") for e in of_type(events, "performance_resource")]
    assert resources and not any("early=1" in url for url in resources), resources
    assert len(of_type(events, "dom")) == 1, of_type(events, "dom")  # the late click only
    assert sorted(e["details"]["message"] for e in of_type(events, "js_error")) == sorted(EARLY)
