"""Each ``[snippet.config]`` option group, from a settings file through ``rumcfn snippet --config``,
proved with the real web client in Chromium: page ids, session attributes and ``aws:releaseId`` in
the metadata sent with the events (3.x sends them once per request, as ``SessionMetadata``), cookie
attributes on the cookies the client sets, URL rules on ``http`` events, and the X-Ray trace header on
same-origin requests only.
"""

from __future__ import annotations

import json

import pytest

from .flow import deliver, leave, page_exceptions, publish, short, wait_for_client

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

RELEASE = "2026.12.02-e2e"


def settings_file(tmp_path, text: str) -> str:
    path = tmp_path / "rumcfn.toml"
    path.write_text(text)
    return str(path)


def test_page_ids_session_attributes_release_and_cookies(servers, page, tmp_path):
    config = settings_file(
        tmp_path,
        f"""
[snippet]
release_id = "{RELEASE}"
[snippet.config]
pageIdFormat = "PATH_AND_HASH"
sessionAttributes = {{ tenant = "acme", "plan:tier" = 2, beta = true }}
cookieAttributes = {{ sameSite = "Lax", secure = false, path = "/m/" }}
""",
    )
    collector = servers.collector
    monitor = publish(servers.site, collector, "--auth.mode", "resource-policy", "--config", config)
    page.goto(monitor.page() + "#checkout")
    wait_for_client(page)
    page.wait_until("document.readyState === 'complete'", 10, "the load event")
    cookies = {c["name"]: c for c in page.send("Network.getCookies", {"urls": [monitor.page()]})["cookies"]}
    leave(page)
    events = deliver(collector, monitor.id, ("page_view", "performance_navigation"))

    page_id = f"/m/{monitor.id}/index.html#checkout"
    assert {e["details"]["pageId"] for e in events if short(e) == "page_view"} == {page_id}
    assert {e["metadata"]["pageId"] for e in events} == {page_id}
    # aws-rum-web 3.x sends what is common to a session's events once per request, as SessionMetadata:
    # the session attributes and aws:releaseId travel there, beside the events' own metadata.
    batches = collector.batches(monitor.id)
    assert batches
    for batch in batches:
        metadata = json.loads(batch.payload["SessionMetadata"])
        assert (metadata["tenant"], metadata["plan:tier"], metadata["beta"]) == ("acme", 2, True), metadata
        assert metadata["aws:releaseId"] == RELEASE
    # The client's session and user cookies carry the configured attributes (defaults: Strict, Secure, /).
    assert {"cwr_s", "cwr_u"} <= set(cookies), cookies
    for name in ("cwr_s", "cwr_u"):
        assert (cookies[name]["sameSite"], cookies[name]["path"], cookies[name]["secure"]) == ("Lax", "/m/", False)
    assert page_exceptions(page) == []


def test_without_options_the_client_uses_its_defaults(servers, page):
    """The control for the test above: the same page, no [snippet.config], no release."""
    collector = servers.collector
    monitor = publish(servers.site, collector, "--auth.mode", "resource-policy")
    page.goto(monitor.page() + "#checkout")
    wait_for_client(page)
    leave(page)
    events = deliver(collector, monitor.id, ("page_view",))
    assert {e["metadata"]["pageId"] for e in events} == {f"/m/{monitor.id}/index.html"}
    for batch in collector.batches(monitor.id):
        metadata = json.loads(batch.payload["SessionMetadata"])
        assert "tenant" not in metadata and not metadata.get("aws:releaseId"), metadata


FETCHES = """Promise.all([
  fetch('/api/fail').then(r => r.status),
  fetch('/api/missing').then(r => r.status),
  fetch(%r).then(r => r.status, () => 'refused'),
])"""


def http_walk(page, monitor, collector, cross_origin: str) -> list[dict]:
    page.goto(monitor.page())
    wait_for_client(page)
    assert page.evaluate(FETCHES % cross_origin)[:2] == [500, 404]
    page.evaluate("cwr('dispatch'), true")
    events = collector.wait_for(
        monitor.id,
        lambda got: any(short(e) == "http" and e["details"]["request"]["url"].endswith("/api/missing") for e in got),
        15,
    )
    leave(page)
    return events


def test_url_rules_decide_which_requests_are_recorded(servers, page, tmp_path):
    config = settings_file(
        tmp_path,
        """
[snippet.config.http]
urlsToExclude = ["/api/fail$"]
""",
    )
    collector = servers.collector
    monitor = publish(servers.site, collector, "--auth.mode", "resource-policy", "--config", config)
    cross = f"{servers.site.url}/api/cross-check"
    events = http_walk(page, monitor, collector, cross)
    urls = [e["details"]["request"]["url"] for e in events if short(e) == "http"]
    # The excluded request failed in the same page and before the recorded one: it was never recorded.
    assert any(u.endswith("/api/missing") for u in urls), urls
    assert not any(u.endswith("/api/fail") for u in urls), urls


def test_xray_adds_the_trace_header_to_same_origin_requests_only(servers, page, tmp_path):
    config = settings_file(
        tmp_path,
        """
[monitor]
enable_xray = true
""",
    )
    collector = servers.collector
    monitor = publish(servers.site, collector, "--auth.mode", "resource-policy", "--config", config)
    cross = f"{collector.url}/not-a-monitor"  # another origin (port): the header would force a CORS preflight
    events = http_walk(page, monitor, collector, cross)
    sent = {
        e["params"]["request"]["url"]: {k.lower() for k in e["params"]["request"]["headers"]}
        for e in page.my_events("Network.requestWillBeSent")
    }
    same = [url for url in sent if url.startswith(servers.site.url + "/api/")]
    assert same and all("x-amzn-trace-id" in sent[url] for url in same), sent
    assert "x-amzn-trace-id" not in sent[cross], sent[cross]
    traced = [e for e in events if short(e) == "http" and e["details"]["request"]["url"].endswith("/api/missing")]
    assert traced and traced[0]["details"].get("trace_id"), traced
    assert "enableXRay:true" in monitor.snippet
