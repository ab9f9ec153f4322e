"""``snippet.routes`` in the loader, run in Node with a stand-in window: the page view it queues for the page
load and after each history change, and the client config that leaves page views to it."""

from __future__ import annotations

import json
import shutil
import subprocess

from rumcfn.client.module import render_module
from rumcfn.client.snippet import concrete, render_concrete
from rumcfn.config import from_mapping

NODE = shutil.which("node") or "node"
HARNESS = r"""
const src = require('fs').readFileSync(0, 'utf8');
const listeners = {};
global.window = {location: {pathname: START}, addEventListener: (type, fn) => { listeners[type] = fn; }};
window.history = {pushState(state, title, url) { window.location.pathname = url; },
                  replaceState(state, title, url) { window.location.pathname = url; }};
global.document = {createElement: (tag) => ({tag}), head: {insertBefore: () => {}}, getElementsByTagName: () => [{}]};
eval(src);
window.history.pushState({}, '', '/blog/2026/hello');
window.history.replaceState({}, '', '/products/9');
window.location.pathname = '/about';
if (listeners.popstate) listeners.popstate({});
console.log(JSON.stringify({queue: window.AwsRumClient.q, config: window.AwsRumClient.c}));
"""
ROUTES = {"snippet": {"routes": ["/products/:id", "/blog/*"]}}
MONITOR = "11111111-2222-3333-4444-555555555555"


def run(text: str, start: str) -> dict:
    done = subprocess.run([NODE, "-e", HARNESS.replace("START", json.dumps(start))], input=text, text=True,
                          capture_output=True, timeout=30, check=True)
    return json.loads(done.stdout)


def test_the_loader_queues_each_page_view_with_its_route():
    text = render_concrete(app_monitor_id=MONITOR, region="eu-west-1", unsigned=True, settings=from_mapping(ROUTES))
    seen = run(text, "/products/123")
    assert seen["queue"] == [{"c": "recordPageView", "p": {"pageId": page}}
                             for page in ("/products/:id", "/blog/*", "/products/:id", "/about")]
    assert seen["config"]["disableAutoPageView"] is True


def test_without_routes_the_client_records_page_views_itself():
    text = render_concrete(app_monitor_id=MONITOR, region="eu-west-1", unsigned=True)
    seen = run(text, "/products/123")
    assert seen["queue"] == [] and "disableAutoPageView" not in seen["config"]
    assert "recordPageView" not in text


def test_the_module_records_by_route_on_the_client_it_made():
    client = concrete(app_monitor_id=MONITOR, region="eu-west-1", unsigned=True, settings=from_mapping(ROUTES))
    module = render_module(client)
    assert "disableAutoPageView:true" in module
    assert "awsRum&&awsRum.recordPageView(p)" in module and '"/products/:id"' in module
    assert "recordPageView" not in render_module(concrete(app_monitor_id=MONITOR, region="eu-west-1", unsigned=True))
