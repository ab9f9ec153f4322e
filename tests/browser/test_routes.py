"""``snippet.routes`` with the real web client: each page view is recorded with its route as page id, on a page
load and after history-API navigation, and a segment budget on a route is judged on that route's events.

The site (``VitalsSite``) serves the vitals page at every path, so ``/products/123`` is a real page load; each
scenario gets its own app monitor id, so the stand-in data plane keeps their events apart.
"""

from __future__ import annotations

import json
import time

import pytest

from rumcfn.config import from_mapping
from rumcfn.config.budgets import summarize
from rumcfn.gate.judge import Gate, Result, judge
from tests.support.variants import template_dict

from .flow import DELIVERY_TIMEOUT, leave, matches, nudge, publish, records, short, wait_for_client
from .servers import VitalsSite

pytestmark = pytest.mark.browser

ROUTES = ["/products/:id", "/blog/*"]
#: The segment budgets judged below: the products route, and a page no route rewrites.
SEGMENTS = [{"page": "/products/:id", "lcp": 800}, {"page": "/about", "lcp": 800}]
SLOW_CSS_MS = 1500  # one product page's stylesheet: its first (and largest) paint comes after it


@pytest.fixture(scope="module")
def site(client_bundle):
    server = VitalsSite(client_bundle)
    yield server
    server.close()


@pytest.fixture(scope="module")
def routed(tmp_path_factory):
    config = tmp_path_factory.mktemp("routes") / "rumcfn.toml"
    config.write_text(f"[snippet]\nroutes = {json.dumps(ROUTES)}\n")
    return config


def monitor_on(site: VitalsSite, servers, config) -> str:
    """A fresh monitor whose snippet (``rumcfn snippet --config``, with the routes) every page of the site loads."""
    monitor = publish(servers.site, servers.collector, "--unsigned", "--config", str(config))
    site.client_bundle, site.snippet = servers.site.client_bundle, monitor.snippet
    return monitor.id


def visit(page, url: str, *navigations: str, finalize: bool = False) -> None:
    """Load ``url``, wait for the client and the first paint, then ``history.pushState`` to each path in turn.
    With ``finalize``, click the page first, once it has an LCP entry: an input ends the LCP candidates, so the
    client reports LCP (an input before any entry would leave it nothing to report)."""
    page.goto(url)
    wait_for_client(page)
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))")
    if finalize:
        page.evaluate("new Promise(r => new PerformanceObserver((_, observer) => { observer.disconnect(); r(true); })"
                      ".observe({type: 'largest-contentful-paint', buffered: true}))")
        page.click("#text")
        nudge(page)
    for path in navigations:
        page.evaluate(f"history.pushState({{}}, '', {json.dumps(path)}), true")


def sent(page, collector, monitor_id: str, name: str, count: int) -> None:
    """Have the client send what it holds until the collector has ``count`` events ``name`` of the monitor, before
    the page is hidden: on a loaded machine, a run that hid each page right after the click once lost the last
    page's LCP."""
    def enough(events: list[dict]) -> bool:
        return sum(short(e) == name for e in events) >= count

    deadline = time.monotonic() + DELIVERY_TIMEOUT
    while True:
        page.evaluate("new Promise(r => requestAnimationFrame(() => { cwr('dispatch'); r(true); }))")
        if enough(collector.wait_for(monitor_id, enough, 0.5)):
            return
        assert time.monotonic() < deadline, f"{count} {name} event(s) not sent within {DELIVERY_TIMEOUT} s"


def page_views(events: list[dict]) -> list[tuple[str, str | None]]:
    return [(e["details"]["pageId"], e["details"].get("parentPageInteractionId"))
            for e in events if short(e) == "page_view"]


def test_a_route_is_the_page_id_on_load_and_after_push_state(browser, servers, site, routed):
    monitor_id = monitor_on(site, servers, routed)
    assert "disableAutoPageView:true" in site.snippet
    spa = ("/blog/2026/routes", "/products/789", "/products/790", "/contact")
    for url, navigations in ((f"{site.url}/products/123", ()), (f"{site.url}/products/456", ()),
                             (f"{site.url}/about", spa)):
        page = browser.new_page()  # a fresh browser context: a new visitor
        try:
            visit(page, url, *navigations)
            leave(page)
        finally:
            page.close()
    events = servers.collector.wait_for(monitor_id, lambda got: len(page_views(got)) >= 6)
    views = sorted(page_views(events), key=lambda view: view[1] or "")
    # /products/790 follows /products/789, the same route: the client counts no new page (PageManager, same id).
    assert views == [("/products/:id", None), ("/products/:id", None), ("/about", None), ("/blog/*", "/about-0"),
                     ("/products/:id", "/blog/*-1"), ("/contact", "/products/:id-2")], views
    # Every event carries the route, never the raw path.
    recorded = {e["metadata"].get("pageId") for e in events}
    assert recorded == {"/products/:id", "/about", "/blog/*", "/contact"}, recorded


def test_a_reload_of_the_same_route_is_no_new_page_view_but_its_vitals_carry_the_route(browser, servers, site, routed):
    """One visitor loads /products/123, then /products/456: the session resumes on page /products/:id, which the
    client treats as a reload (no page view, as for one path loaded twice); the second load is still measured."""
    monitor_id = monitor_on(site, servers, routed)
    page = browser.new_page()
    try:
        visit(page, f"{site.url}/products/123")
        visit(page, f"{site.url}/products/456")
        leave(page)
    finally:
        page.close()
    events = servers.collector.wait_for(
        monitor_id, lambda got: sum(short(e) == "performance_navigation" for e in got) >= 2)
    assert [view for view, _ in page_views(events)] == ["/products/:id"]
    navigations = [e for e in events if short(e) == "performance_navigation"]
    assert len(navigations) == 2 and {e["metadata"]["pageId"] for e in navigations} == {"/products/:id"}


def test_a_segment_budget_on_a_route_is_met_or_broken_by_that_routes_events(browser, servers, site, routed):
    """A slow product page breaks the products route's LCP budget; /about, fast, keeps its own; the metric
    definitions the stack makes for the two segments take exactly their route's events."""
    monitor_id = monitor_on(site, servers, routed)
    for count, path in enumerate(("/products/123", f"/products/456?css={SLOW_CSS_MS}", "/about"), start=1):
        page = browser.new_page()
        try:
            visit(page, site.url + path, finalize=True)  # the click ends LCP: the client records it
            sent(page, servers.collector, monitor_id, "largest_contentful_paint", count)
            leave(page)
        finally:
            page.close()
    events = records(servers.collector.batches(monitor_id))
    settings = from_mapping({"snippet": {"routes": ROUTES}, "budgets": {"segments": SEGMENTS}})
    verdicts = {}
    for segment in settings.budgets.segments:
        budget = settings.budgets.segment_budgets(segment)[0]
        pattern = next(pattern for pattern in map(json.loads, (d["EventPattern"] for d in metric_definitions(settings)))
                       if pattern["metadata"]["pageId"] == [segment.page])
        values = [e["event_details"]["value"] for e in events if matches(pattern, e)]
        result = Result(budget.key, budget.metric, budget.statistic, budget.budget, segment=budget.segment,
                        value=summarize(values, budget.statistic), samples=len(values))
        judge(result, Gate(), "")
        verdicts[segment.page] = (len(values), result.status)
    assert verdicts == {"/products/:id": (2, "FAIL"), "/about": (1, "pass")}, verdicts


def metric_definitions(settings) -> list[dict]:
    """The segment metric definitions of the stack built from ``settings`` (its extended metrics in AWS/RUM)."""
    template = template_dict(settings)
    return [definition for resource in template["Resources"].values() if resource["Type"] == "AWS::RUM::AppMonitor"
            for destination in resource["Properties"]["AppMonitorConfiguration"].get("MetricDestinations", [])
            for definition in destination.get("MetricDefinitions", [])]
