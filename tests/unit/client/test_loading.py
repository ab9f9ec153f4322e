"""``snippet.load`` and the early-error buffer, with the loader run in Node against a scripted page.

The page here is a stand-in that records listeners and inserted scripts and lets the test say when
the load event fires, when the browser is idle and when "the client" takes over ``window.cwr``; the
real client and browser are in tests/browser/test_loading.py.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from rumcfn.client.snippet import render_concrete
from rumcfn.config import SettingsError, from_mapping

NODE = shutil.which("node") or "node"
MONITOR = "8bd5f4a2-1b7c-4a36-9a0e-0d4fbbd1d0c3"
POOL = "eu-west-1:7c1e9a52-3d4f-4b6a-8e2d-5f0a9b8c7d61"

#: STEPS is a list of [what, argument]: error (an ErrorEvent-like event with that message), reject (an
#: unhandled rejection with that reason), load, idle, tick (run timers), takeover (the client replaces cwr).
HARNESS = r"""
const src = require('fs').readFileSync(0, 'utf8');
const inserted = [], listeners = {}, idle = [], timeline = [];
global.window = global;
global.location = {origin: 'https://shop.example.com'};
global.addEventListener = (type, listener) => (listeners[type] = listeners[type] || []).push(listener);
if (HAS_IDLE) global.requestIdleCallback = (callback, options) => idle.push([callback, options]);
global.document = {createElement: (tag) => ({tag}), head: {insertBefore: (el) => inserted.push(el)},
                   getElementsByTagName: () => [{}], readyState: 'loading'};
const fire = (type, event) => (listeners[type] || []).forEach((listener) => listener(event));
eval(src);
const run = async () => {
  for (const [what, arg] of STEPS) {
    if (what === 'error') fire('error', {type: 'error', message: arg, error: new Error(arg)});
    if (what === 'reject') fire('unhandledrejection', {type: 'unhandledrejection', reason: arg});
    if (what === 'load') { document.readyState = 'complete'; fire('load', {type: 'load'}); }
    if (what === 'idle') idle.splice(0).forEach(([callback]) => callback({timeRemaining: () => 10}));
    if (what === 'tick') await new Promise((resolve) => setTimeout(resolve, 0));
    if (what === 'takeover') window.cwr = () => {};
    timeline.push([what, inserted.length]);
  }
  const q = window.AwsRumClient.q.map(({c, p}) => [c, p && p.message !== undefined ? p.message : p]);
  console.log(JSON.stringify({q, timeline, idle: idle.map(([, options]) => options),
                              listening: Object.keys(listeners).sort(), endpoint: window.AwsRumClient.c.endpoint}));
};
run();
"""


def run(text: str, steps, has_idle: bool = True) -> dict:
    code = HARNESS.replace("STEPS", json.dumps(steps)).replace("HAS_IDLE", json.dumps(has_idle))
    done = subprocess.run([NODE, "-e", code], input=text, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def snippet(settings: dict | None = None, **kwargs) -> str:
    kwargs.setdefault("unsigned", True)
    return render_concrete(app_monitor_id=MONITOR, region="eu-west-1",
                           settings=from_mapping(settings) if settings else None, **kwargs)


def test_the_default_fetches_the_client_only_after_the_load_event():
    got = run(snippet(), [["tick", None], ["load", None], ["tick", None]])
    assert got["timeline"] == [["tick", 0], ["load", 0], ["tick", 1]]


def test_eager_fetches_the_client_at_once():
    got = run(snippet(load="eager"), [["tick", None]])
    assert got["timeline"] == [["tick", 1]]


def test_idle_waits_for_an_idle_period_after_the_load_event():
    got = run(snippet(load="idle"), [["load", None], ["tick", None], ["idle", None]])
    assert got["timeline"] == [["load", 0], ["tick", 0], ["idle", 1]]
    assert got["idle"] == [] and run(snippet(load="idle"), [["load", None], ["tick", None]])["idle"] == [
        {"timeout": 5000}
    ]


def test_idle_without_requestidlecallback_fetches_after_the_load_event():
    got = run(snippet(load="idle"), [["load", None], ["tick", None]], has_idle=False)
    assert got["timeline"] == [["load", 0], ["tick", 1]]


def test_errors_before_the_client_are_queued_for_it_to_replay():
    got = run(snippet(), [["error", "early boom"], ["reject", "early rejection"], ["load", None], ["tick", None]])
    assert got["q"] == [["recordError", "early boom"], ["recordError", "early rejection"]]


def test_errors_after_the_client_took_over_are_left_to_it():
    got = run(snippet(load="eager"), [["error", "before"], ["takeover", None], ["error", "after"]])
    assert got["q"] == [["recordError", "before"]]


def test_the_buffer_is_bounded():
    got = run(snippet(), [["error", f"e{i}"] for i in range(150)])
    assert len(got["q"]) == 100


def test_ignored_errors_are_not_buffered():
    settings = {"snippet": {"config": {"errors": {"ignore": ["^Warning:"]}}}}
    got = run(snippet(settings), [["error", "Warning: deprecated"], ["error", "TypeError: x"]])
    assert got["q"] == [["recordError", "TypeError: x"]]


def test_without_the_errors_telemetry_nothing_listens():
    got = run(snippet(telemetries=("performance", "http")), [["error", "boom"], ["load", None]])
    assert got["q"] == [] and got["listening"] == ["load"]
    assert "recordError" not in snippet(telemetries=("performance", "http"))


def test_cwr_calls_before_the_client_are_kept_in_order_with_errors():
    text = snippet() + "cwr('recordPageView', '/x');\n"
    got = run(text, [["error", "boom"]])
    assert got["q"] == [["recordPageView", "/x"], ["recordError", "boom"]]


def test_first_party_sends_to_the_pages_own_origin():
    settings = {"snippet": {"first_party": "/rum"}, "auth": {"mode": "resource-policy"}}
    assert run(snippet(settings), [])["endpoint"] == "https://shop.example.com/rum"
    assert run(snippet(first_party="/edge/rum"), [])["endpoint"] == "https://shop.example.com/edge/rum"


def test_first_party_refuses_signed_requests():
    with pytest.raises(SettingsError,
                       match=r"snippet\.first_party: needs unsigned requests \(--auth\.mode resource-policy\)"):
        snippet(first_party="/rum", unsigned=False, identity_pool_id=POOL)


@pytest.mark.parametrize("load", ["after-load", "idle", "eager"])
def test_every_strategy_stays_under_1_kb(load):
    """rumcfn's target for rum.js (README, Limits): the buffer and the strategy fit in it, Cognito included."""
    assert len(snippet(load=load, unsigned=False, identity_pool_id=POOL).encode()) < 1024
