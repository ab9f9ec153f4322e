"""The rum.js loader, executed in Node with a fake DOM: what the browser would hand the RUM client."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess

import pytest

from rumcfn.client.snippet import page_pattern, render_concrete
from rumcfn.config import SettingsError

NODE = shutil.which("node") or "node"

# Evaluate the snippet against stand-ins for window/document, let the page load (the default strategy inserts
# the client after the load event), and print what it queued and inserted.
HARNESS = r"""
const src = require('fs').readFileSync(0, 'utf8');
const inserted = [];
const listeners = {};
global.window = {};
global.addEventListener = (type, listener) => (listeners[type] = listeners[type] || []).push(listener);
global.document = {
  createElement: (tag) => ({tag}),
  head: {insertBefore: (el, ref) => inserted.push(el)},
  getElementsByTagName: () => [{}],
  readyState: 'loading',
};
eval(src);
document.readyState = 'complete';
(listeners.load || []).forEach((listener) => listener());
setTimeout(() => {
const c = window.AwsRumClient;
const regexps = {};
for (const key of ['pagesToInclude', 'pagesToExclude']) {
  if (c.c[key]) regexps[key] = c.c[key].map(r => ({source: r.source, isRegExp: r instanceof RegExp,
    matches: TESTS.map(u => r.test(u))}));
}
console.log(JSON.stringify({n: c.n, i: c.i, v: c.v, r: c.r, c: c.c, regexps, script: inserted[0],
                            queued: typeof window.cwr}));
}, 0);
"""


def run_snippet(text: str, urls=()) -> dict:
    code = HARNESS.replace("TESTS", json.dumps(list(urls)))
    out = subprocess.run([NODE, "-e", code], input=text, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


MONITOR = "8bd5f4a2-1b7c-4a36-9a0e-0d4fbbd1d0c3"


def test_unsigned_snippet_configures_the_client():
    text = render_concrete(app_monitor_id=MONITOR, region="eu-west-1", unsigned=True, app_version="2.0.0")
    got = run_snippet(text)
    assert (got["n"], got["i"], got["v"], got["r"]) == ("cwr", MONITOR, "2.0.0", "eu-west-1")
    assert got["script"] == {"tag": "script", "async": True,
                             "src": "https://client.rum.us-east-1.amazonaws.com/3.2.1/cwr.js"}
    assert got["c"] == {"sessionSampleRate": 1, "endpoint": "https://dataplane.rum.eu-west-1.amazonaws.com",
                        "telemetries": ["errors", "performance", "http"], "allowCookies": True,
                        "enableXRay": False, "signing": False}
    assert got["queued"] == "function"


def test_cognito_snippet_uses_the_enhanced_flow():
    pool = "eu-west-1:0a1b2c3d-1111-2222-3333-444455556666"
    got = run_snippet(render_concrete(app_monitor_id=MONITOR, region="eu-west-1", identity_pool_id=pool))
    assert got["c"]["identityPoolId"] == pool
    assert "guestRoleArn" not in got["c"] and "signing" not in got["c"]


def test_china_regions_use_the_china_endpoint_suffix():
    got = run_snippet(render_concrete(app_monitor_id=MONITOR, region="cn-north-1", unsigned=True))
    assert got["c"]["endpoint"] == "https://dataplane.rum.cn-north-1.amazonaws.com.cn"


def test_overrides_reach_the_client():
    text = render_concrete(app_monitor_id=MONITOR, region="us-east-1", unsigned=True,
                           endpoint="http://127.0.0.1:9000", client_url="http://127.0.0.1:9001/cwr.js",
                           telemetries=("errors", "http"), sample_rate=0.5)
    got = run_snippet(text)
    assert got["script"]["src"] == "http://127.0.0.1:9001/cwr.js"
    assert got["c"]["endpoint"] == "http://127.0.0.1:9000"
    assert got["c"]["telemetries"] == ["errors", "http"]
    assert got["c"]["sessionSampleRate"] == 0.5


def test_excluded_pages_become_regexps_over_window_location():
    page = "https://www.example.com/a.b/admin(1)"
    text = render_concrete(app_monitor_id=MONITOR, region="us-east-1", unsigned=True, excluded_pages=(page,))
    urls = [page, page + "?x=1", page + "#top", page + "/more", "https://www.example.com/aXb/admin(1)"]
    (regexp,) = run_snippet(text, urls)["regexps"]["pagesToExclude"]
    assert regexp["isRegExp"] is True
    assert regexp["matches"] == [True, True, True, False, False]


def test_snippet_stays_small():
    text = render_concrete(
        app_monitor_id=MONITOR, region="us-east-1", identity_pool_id="us-east-1:0a1b2c3d-1111-2222-3333-444455556666"
    )
    assert len(text.encode()) < 1024
    assert len(gzip.compress(text.encode())) < 600


@pytest.mark.parametrize(
    "kwargs,setting",
    [
        ({"app_monitor_id": "not an id!", "region": "us-east-1", "unsigned": True}, "--app-monitor-id"),
        ({"app_monitor_id": "not-an-id", "region": "us-east-1", "unsigned": True}, "--app-monitor-id"),
        ({"app_monitor_id": "x" * 36, "region": "us-east-1", "unsigned": True}, "--app-monitor-id"),
        ({"app_monitor_id": "-" * 36, "region": "us-east-1", "unsigned": True}, "--app-monitor-id"),
        ({"app_monitor_id": MONITOR, "region": "mars-1", "unsigned": True}, "--region"),
        ({"app_monitor_id": MONITOR, "region": "us-east-1"}, "--identity-pool-id"),
        (
            {"app_monitor_id": MONITOR, "region": "us-east-1", "unsigned": True, "identity_pool_id": "us-east-1:ab"},
            "--identity-pool-id",
        ),
        (
            {"app_monitor_id": MONITOR, "region": "us-east-1", "unsigned": True, "sample_rate": 2.0},
            "monitor.session_sample_rate",
        ),
    ],
)
def test_bad_snippet_input_is_rejected(kwargs, setting):
    with pytest.raises(SettingsError, match=f"setting {setting}"):
        render_concrete(**kwargs)


def test_page_pattern_escapes_every_regexp_metacharacter():
    assert page_pattern("https://a.b/c?d").source == r"^https:\/\/a\.b\/c\?d(?:[?#]|$)"
