"""``rumcfn snippet --format module``, bundled with esbuild as a site would bundle it, in Chromium.

Unsigned monitors get ``@aws-rum/web-slim`` with the plugins their telemetries need; Cognito ones the
full ``aws-rum-web``. Each walks the test page and must deliver what the CDN snippet delivers.
"""

from __future__ import annotations

import os
import subprocess
import uuid

import pytest

from .flow import (
    ACCESS_KEY,
    ESBUILD,
    EXPECTED,
    LOAD_TIMEOUT,
    REGION,
    ROOT,
    check_signature,
    deliver,
    leave,
    page_exceptions,
    publish,
    rumcfn_snippet,
    seed_guest_credentials,
    short,
    walk,
)

pytestmark = pytest.mark.browser

POOL = f"{REGION}:99998888-7777-6666-5555-444433332222"
#: The site's entry point: import the generated module (its default export is the client, or with a deferred
#: snippet.load a Promise of it), and let the test driver ask for a dispatch.
ENTRY = """import awsRum from './rum-module.js';
Promise.resolve(awsRum).then((client) => { window.__rum = client; });
window.cwr = function (command) { if (command === 'dispatch') { window.__rum.dispatch(); } };
"""


def bundle(tmp_path, module: str) -> str:
    """What a site's bundler makes of the module: one minified script (node_modules from this repo)."""
    (tmp_path / "rum-module.js").write_text(module)
    (tmp_path / "entry.js").write_text(ENTRY)
    out = tmp_path / "bundle.js"
    subprocess.run([str(ESBUILD), str(tmp_path / "entry.js"), "--bundle", "--format=iife", "--minify",
                    f"--outfile={out}", "--log-level=warning"], cwd=tmp_path, check=True, timeout=60,
                   env=dict(os.environ, NODE_PATH=str(ROOT / "node_modules")))
    return out.read_text()


def module_ready(page) -> None:
    page.wait_until("window.__rum !== undefined", LOAD_TIMEOUT, "the bundled web client to start")


def publish_module(servers, tmp_path, *args: str) -> tuple[str, str]:
    monitor_id = str(uuid.uuid4())
    module = rumcfn_snippet("--app-monitor-id", monitor_id, "--region", REGION, "--snippet.endpoint",
                            servers.collector.url, "--format", "module", *args)
    servers.site.snippets[monitor_id] = bundle(tmp_path, module)
    return monitor_id, module


def full_walk(page, collector, url: str, monitor_id: str, ready=None) -> list[dict]:
    walk(page, url, dispatch=True, ready=ready)
    deliver(collector, monitor_id, ("js_error", "http"))
    leave(page)
    return deliver(collector, monitor_id)


def test_slim_module_sends_what_the_snippet_sends(browser, servers, tmp_path):
    collector = servers.collector
    monitor_id, module = publish_module(servers, tmp_path, "--auth.mode", "resource-policy")
    assert 'from "@aws-rum/web-slim"' in module and "new JsErrorPlugin()" in module and "telemetries" not in module
    page = browser.new_page()
    try:
        module_events = full_walk(page, collector, servers.site.page(monitor_id), monitor_id, ready=module_ready)
        assert page_exceptions(page) == []
    finally:
        page.close()

    snippet = publish(servers.site, collector, "--auth.mode", "resource-policy")
    page = browser.new_page()
    try:
        snippet_events = full_walk(page, collector, snippet.page(), snippet.id)
    finally:
        page.close()
    assert {short(e) for e in module_events} >= set(EXPECTED)
    assert {short(e) for e in module_events} == {short(e) for e in snippet_events}
    assert {b.payload["AppMonitorDetails"]["id"] for b in collector.batches(monitor_id)} == {monitor_id}
    for batch in collector.batches(monitor_id):
        assert "authorization" not in batch.headers and "X-Amz-Signature" not in batch.query


def test_full_module_signs_with_cognito_credentials(servers, page, tmp_path):
    collector = servers.collector
    monitor_id, module = publish_module(servers, tmp_path, "--identity-pool-id", POOL)
    assert 'from "aws-rum-web"' in module and f'identityPoolId:"{POOL}"' in module
    seed_guest_credentials(page)
    events = full_walk(page, collector, servers.site.page(monitor_id), monitor_id, ready=module_ready)
    assert {short(e) for e in events} >= set(EXPECTED)
    for batch in collector.batches(monitor_id):
        signed = check_signature(batch)
        assert (signed["access_key"], signed["region"], signed["service"]) == (ACCESS_KEY, REGION, "rum")
    assert page_exceptions(page) == []
