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
global.addEventListener = window.addEventListener;  // the loader's own listeners (error, load) are global
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
    eager = {"snippet": {**ROUTES["snippet"], "load": "eager"}}
    client = concrete(app_monitor_id=MONITOR, region="eu-west-1", unsigned=True, settings=from_mapping(eager))
    module = render_module(client)
    assert "disableAutoPageView:true" in module
    assert "awsRum&&awsRum.recordPageView(p)" in module and '"/products/:id"' in module
    for load in ("eager", "after-load"):
        plain = concrete(app_monitor_id=MONITOR, region="eu-west-1", unsigned=True,
                         settings=from_mapping({"snippet": {"load": load}}))
        assert "recordPageView" not in render_module(plain)


#: The deferred module (snippet.load = after-load) with a stand-in AwsRum that loads its config's plugins in
#: order, as PluginManager does, and then records the navigation timing, as NavigationPlugin does when the load
#: event is over: navigations before the load event, then the load event, then one more navigation.
DEFERRED_HARNESS = r"""
const src = require('fs').readFileSync(0, 'utf8');
const listeners = {}, views = [];
global.window = global;
global.location = {pathname: START};
global.addEventListener = (type, fn) => (listeners[type] = listeners[type] || []).push(fn);
global.removeEventListener = () => {};
global.history = {pushState(state, title, url) { location.pathname = url; }, replaceState() {}};
global.document = {readyState: 'loading'};
class AwsRum {
  constructor(id, version, region, config) {
    const context = {recordPageView: (view) => views.push(['client', view.pageId])};
    (config.eventPluginsToLoad || []).forEach((plugin) => plugin.load && plugin.load(context));
    views.push(['navigation timing']);
  }
  recordPageView(view) { views.push(['client', view.pageId]); }
  recordError() {}
}
const body = src.replace(/^import .*$/m, '').replace('export default ', 'exported = ');
const names = (src.match(/^import \{ (.*) \} from/m) || [, ''])[1].split(', ').filter((n) => n !== 'AwsRum');
const exported = new Function('AwsRum', ...names, `let exported; ${body}; return exported;`)(
  AwsRum, ...names.map(() => class {}));
history.pushState({}, '', '/blog/2026/hello');
views.push(['load event']);
document.readyState = 'complete';
(listeners.load || []).forEach((fn) => fn());
exported.then((client) => {
  history.pushState({}, '', '/products/9');
  console.log(JSON.stringify({views, started: client instanceof AwsRum}));
});
"""


def test_the_deferred_module_records_views_from_before_the_client_when_it_starts():
    """snippet.load = after-load: the router runs at import (as the CDN snippet's does); the views it sees before
    the client exists are recorded, in order, as the client is built and before its plugins record the
    navigation timing; later ones at once."""
    client = concrete(app_monitor_id=MONITOR, region="eu-west-1", unsigned=True, settings=from_mapping(ROUTES))
    module = render_module(client)
    done = subprocess.run([NODE, "-e", DEFERRED_HARNESS.replace("START", json.dumps("/products/123"))],
                          input=module, text=True, capture_output=True, timeout=30, check=True)
    seen = json.loads(done.stdout)
    assert seen["started"] is True
    assert seen["views"] == [["load event"], ["client", "/products/:id"], ["client", "/blog/*"],
                             ["navigation timing"], ["client", "/products/:id"]]


#: The loader, then a stand-in for how the CDN client starts after the load event (aws-rum-web CommandQueue
#: .initCwr: the client is built, loading its config's plugins, and records the navigation timing at once, as
#: NavigationPlugin does once the load event is over; then it takes over cwr and replays the queue). A view
#: with the current page id is no new page (PageManager.recordPageView).
LATE_CLIENT_HARNESS = r"""
const src = require('fs').readFileSync(0, 'utf8');
global.window = global;
global.location = {pathname: START};
global.addEventListener = () => {};
global.history = {pushState(state, title, url) { location.pathname = url; }, replaceState() {}};
global.document = {createElement: () => ({}), head: {insertBefore: () => {}}, getElementsByTagName: () => [{}],
                   readyState: 'loading'};
eval(src);
history.pushState({}, '', '/blog/2026/hello');
const recorded = [];
let page;
const recordPageView = (view) => { if (view.pageId !== page) recorded.push(['view', page = view.pageId]); };
const x = window.AwsRumClient;
(x.c.eventPluginsToLoad || []).forEach((plugin) => plugin.load({recordPageView}));
recorded.push(['navigation timing', page || null]);
window.cwr = (command, payload) => { if (command === 'recordPageView') recordPageView(payload); };
x.q.forEach(({c, p}) => window.cwr(c, p));
history.pushState({}, '', '/products/9');
console.log(JSON.stringify(recorded));
"""


def test_a_late_cdn_client_has_the_routes_page_before_it_records_the_navigation_timing():
    """snippet.load = after-load: the client's own plugin records the first queued view as the client is built,
    so the navigation timing it records then carries the route; the queue's views follow in order."""
    text = render_concrete(app_monitor_id=MONITOR, region="eu-west-1", unsigned=True, settings=from_mapping(ROUTES))
    done = subprocess.run([NODE, "-e", LATE_CLIENT_HARNESS.replace("START", json.dumps("/products/123"))],
                          input=text, text=True, capture_output=True, timeout=30, check=True)
    assert json.loads(done.stdout) == [["view", "/products/:id"], ["navigation timing", "/products/:id"],
                                       ["view", "/blog/*"], ["view", "/products/:id"]]
