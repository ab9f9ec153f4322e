"""Each ``[snippet.config]`` option group, from a settings file through ``rumcfn snippet --config``,
proved with the real web client in Chromium: page ids, session attributes and ``aws:releaseId`` in
the metadata sent with the events (3.x sends them once per request, as ``SessionMetadata``), cookie
attributes on the cookies the client sets, URL rules on ``http`` events, and the X-Ray trace header on
same-origin requests only.
"""

from __future__ import annotations

import json

import pytest

from .flow import ERROR_MESSAGE, deliver, leave, page_exceptions, publish, short, wait_for_client

pytestmark = pytest.mark.browser

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


# --- ignore rules: what the real client records, with and without them ---------------------------------------
# The page's own requests (fetch and XHR), then a stylesheet whose resource event (fileType stylesheet, which the
# client records without sampling) arrives after theirs would: once it is in, theirs would have been too.
REQUESTS = """Promise.all([
  fetch('/api/fail').then(r => r.text().then(() => r.status)),  // the entry comes once the body is read
  new Promise(done => { const x = new XMLHttpRequest(); x.open('GET', '/api/missing');
                        x.onloadend = () => done(x.status); x.send(); }),
]).then(statuses => new Promise(done => {
  const link = document.createElement('link');
  link.rel = 'stylesheet'; link.href = '/sentinel.css';
  link.onload = link.onerror = () => done(statuses);
  document.head.appendChild(link);
}))"""


def resource_walk(servers, page, tmp_path, settings: str) -> list[dict]:
    """The page loads (its rum.js and the client are script resources), makes its own requests, then the
    sentinel; the performance_resource events the client sent."""
    collector = servers.collector
    args = ("--config", settings_file(tmp_path, settings)) if settings else ()
    monitor = publish(servers.site, collector, "--auth.mode", "resource-policy", *args)
    page.goto(monitor.page())
    wait_for_client(page)
    page.wait_until("document.readyState === 'complete'", 10, "the load event")
    assert page.evaluate(REQUESTS) == [500, 404]
    page.evaluate("cwr('dispatch'), true")
    events = collector.wait_for(
        monitor.id,
        lambda got: any(short(e) == "performance_resource" and e["details"].get("fileType") == "stylesheet"
                        for e in got),
        15,
    )
    leave(page)
    resources = [e["details"] for e in events if short(e) == "performance_resource"]
    assert any(d.get("fileType") == "stylesheet" for d in resources), resources
    return resources


def test_performance_ignore_keeps_the_clients_default_of_not_recording_the_pages_own_requests(servers, page, tmp_path):
    """web-core's defaultIgnore also drops fetch and XHR resource entries (@aws-rum/web-core
    plugins/utils/performance-utils.js): an ``ignore`` pattern adds to it and must not bring them back."""
    for settings in ("", '[snippet.config.performance]\nignore = ["/client/cwr\\\\.js"]\n'):
        resources = resource_walk(servers, page, tmp_path, settings)
        urls = [d.get("targetUrl", "") for d in resources]
        assert not [d for d in resources if d["initiatorType"] in ("fetch", "xmlhttprequest")], resources
        assert not [u for u in urls if "/api/" in u], urls
        assert any(u.endswith("/rum.js") for u in urls), urls  # other scripts are still recorded
        # the configured pattern drops the client's own script; without it, it is recorded
        assert any(u.endswith("/client/cwr.js") for u in urls) == (not settings), urls


ERRORS_THROWN = """new Promise(done => {
  window.__rejections = 0;
  window.addEventListener('unhandledrejection', () => { window.__rejections += 1; });
  setTimeout(() => { throw new Error('Warning: deprecated API'); }, 0);
  setTimeout(() => { throw 'Warning: a thrown string'; }, 0);
  setTimeout(() => { Promise.reject(new Error('Warning: a rejected promise')); }, 0);
  setTimeout(() => { Promise.reject('Warning: a rejected string'); }, 0);
  setTimeout(() => { throw new TypeError('kept: not a warning'); }, 0);
  setTimeout(() => done(true), 50);
})"""


def test_errors_ignore_matches_the_message_the_client_records(servers, page, tmp_path):
    """Chromium's ErrorEvent.message reads "Uncaught Error: Warning: ..."; the client records error.message
    (reason.message for rejections; the value itself when a string is thrown), and so must the filter:
    "^Warning:" drops every one of them (@aws-rum/web-core plugins/utils/js-error-utils.js)."""
    collector = servers.collector
    config = settings_file(tmp_path, '[snippet.config.errors]\nignore = ["^Warning:", "^Uncaught"]\n')
    monitor = publish(servers.site, collector, "--auth.mode", "resource-policy", "--config", config)
    page.goto(monitor.page())
    wait_for_client(page)
    page.evaluate(ERRORS_THROWN)
    page.wait_until("window.__seen.errors >= 3 && window.__rejections >= 2", 10, "the errors and rejections")
    page.evaluate("throwUncaught()")  # the control, thrown last: recorded, and so sent after any earlier one
    page.wait_until("window.__seen.errors >= 4", 10, "the control error")
    page.evaluate("cwr('dispatch'), true")
    events = collector.wait_for(
        monitor.id, lambda got: any(short(e) == "js_error" and e["details"]["message"] == ERROR_MESSAGE
                                    for e in got), 15)
    leave(page)
    messages = [e["details"]["message"] for e in events if short(e) == "js_error"]
    assert sorted(messages) == sorted([ERROR_MESSAGE, "kept: not a warning"]), messages


def test_a_value_that_opens_a_comment_and_a_script_cannot_swallow_the_page(servers, page, tmp_path):
    """``<!--<script>`` in a value, pasted with ``--html``: the page after the snippet still parses as HTML,
    the client loads, and it holds the value as written."""
    hostile = "<!--<script>"
    config = settings_file(tmp_path, f"""
[snippet.config]
alias = "{hostile}"
sessionAttributes = {{ note = "{hostile}" }}
[snippet.config.errors]
ignore = ["{hostile}"]
""")
    monitor = publish(servers.site, servers.collector, "--auth.mode", "resource-policy", "--html", "--config", config)
    page.goto(monitor.page())
    wait_for_client(page)
    seen = page.evaluate("""({hero: !!document.getElementById('hero'), alias: window.AwsRumClient.c.alias,
      note: window.AwsRumClient.c.sessionAttributes.note,
      ignored: window.AwsRumClient.c.telemetries.find(t => Array.isArray(t) && t[0] === 'errors')[1]
        .ignore({message: 'x <!--<script> y'})})""")
    assert seen == {"hero": True, "alias": hostile, "note": hostile, "ignored": True}
    assert page_exceptions(page) == []
