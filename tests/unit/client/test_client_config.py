"""``[snippet.config]`` rendered into the snippet, the stack's Fn::Sub and the ES module, evaluated in Node."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from rumcfn.client.js import RegExp, to_js
from rumcfn.client.module import render_module
from rumcfn.client.snippet import concrete, render_concrete
from rumcfn.config import from_mapping
from rumcfn.stack.assemble import build_stack

NODE = shutil.which("node") or "node"
MONITOR = "8bd5f4a2-1b7c-4a36-9a0e-0d4fbbd1d0c3"

# Run the snippet with a fake DOM and a page origin; report the config and what its functions decide.
HARNESS = r"""
const src = require('fs').readFileSync(0, 'utf8');
global.location = {origin: 'https://shop.example.com'};
global.window = {};
global.document = {createElement: () => ({}), head: {insertBefore: () => {}}, getElementsByTagName: () => [{}],
                   readyState: 'loading'};
global.addEventListener = () => {};
eval(src);
const c = window.AwsRumClient.c;
const tele = Object.fromEntries(c.telemetries.map(t => Array.isArray(t) ? t : [t, {}]));
const test = (rs, u) => rs.some(r => r.test(u));
const http = tele.http || {};
console.log(JSON.stringify({
  config: c, telemetries: c.telemetries.map(t => Array.isArray(t) ? t[0] : t),
  xray: Array.isArray(http.addXRayTraceIdHeader)
    ? URLS.map(u => test(http.addXRayTraceIdHeader, u)) : http.addXRayTraceIdHeader,
  exclude: (http.urlsToExclude || []).map(r => r.source),
  errors: tele.errors && tele.errors.ignore ? ERRORS.map(e => !!tele.errors.ignore(e)) : null,
  resources: tele.performance && tele.performance.ignore ? RESOURCES.map(e => !!tele.performance.ignore(e)) : null,
}));
"""
URLS = [
    "/api/x",
    "api/x",
    "https://shop.example.com/api",
    "https://shop.example.com",
    "https://shop.example.com.evil.io/",
    "//cdn.example.com/x",
    "https://api.example.com/x",
    "HTTPS://other.example/x",
]
# Shaped as Chromium hands them to the client: ErrorEvent (message "Uncaught ...", error the thrown value) and
# PromiseRejectionEvent (reason, no message). The filter tests what the client records (tests/browser proves it).
ERRORS = [
    {"type": "error", "message": "Uncaught Error: Warning: deprecated", "error": {"message": "Warning: deprecated"}},
    {"type": "error", "message": "Uncaught TypeError: x", "error": {"message": "x"}},
    {"type": "unhandledrejection", "reason": {"message": "Warning: later"}},
    {"type": "unhandledrejection", "reason": "Warning: plain"},
    None,
    {"type": "error", "message": "Uncaught Warning: thrown string", "error": "Warning: thrown string"},
    {"type": "error", "message": "Warning: cross-origin script, no error object", "error": None},
    {"type": "unhandledrejection", "reason": {"message": "Uncaught Warning: looks like Chromium's prefix"}},
]
RESOURCES = [
    {"entryType": "resource", "name": "https://shop.example.com/beacon/1", "initiatorType": "img"},
    {"entryType": "resource", "name": "https://shop.example.com/app.js", "initiatorType": "script"},
    {"entryType": "resource", "name": "chrome-extension://abc/x.js", "initiatorType": "script"},
    {"entryType": "navigation", "name": "https://shop.example.com/beacon/", "initiatorType": "navigation"},
    {"entryType": "resource", "name": "https://shop.example.com/api/cart", "initiatorType": "fetch"},
    {"entryType": "resource", "name": "https://shop.example.com/api/cart", "initiatorType": "xmlhttprequest"},
]


def run(text: str) -> dict:
    code = (
        HARNESS.replace("URLS", json.dumps(URLS))
        .replace("ERRORS", json.dumps(ERRORS))
        .replace("RESOURCES", json.dumps(RESOURCES))
    )
    out = subprocess.run([NODE, "-e", code], input=text, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def snippet_for(data: dict, **kwargs) -> str:
    return render_concrete(
        app_monitor_id=MONITOR, region="eu-west-1", unsigned=True, settings=from_mapping(data), **kwargs
    )


WEB = {
    "monitor": {"enable_xray": True},
    "snippet": {
        "release_id": "2026.12.02-1",
        "config": {
            "pageIdFormat": "PATH_AND_HASH",
            "sessionAttributes": {"tenant": "acme", "plan:tier": 2},
            "headers": {"x-api-key": "k"},
            "cookieAttributes": {"sameSite": "Lax"},
            "errors": {"stackTraceLength": 500, "ignore": ["^Warning:"]},
            "performance": {"ignore": ["/beacon/"]},
            "http": {"urlsToExclude": ["/health$", "^https://x.example/a/b"]},
            "interaction": {"events": [{"event": "click", "cssLocator": "[data-rum]"}]},
        },
    },
}


def test_options_reach_the_client_in_its_own_names():
    got = run(snippet_for(WEB))
    config = got["config"]
    assert config["releaseId"] == "2026.12.02-1" and config["pageIdFormat"] == "PATH_AND_HASH"
    assert config["sessionAttributes"] == {"tenant": "acme", "plan:tier": 2}
    assert config["headers"] == {"x-api-key": "k"} and config["cookieAttributes"] == {"sameSite": "Lax"}
    assert got["telemetries"] == ["errors", "performance", "http", "interaction"]
    assert config["telemetries"][3] == ["interaction", {"events": [{"cssLocator": "[data-rum]", "event": "click"}]}]
    # RegExp literals with "/" escaped, so the browser parses the pattern the user wrote.
    assert got["exclude"] == ["\\/health$", "^https:\\/\\/x.example\\/a\\/b"]


def test_xray_header_goes_to_same_origin_requests_only():
    assert run(snippet_for(WEB))["xray"] == [True, True, True, True, False, False, False, False]
    assert run(snippet_for({"monitor": {"enable_xray": False}})).get("xray") is None
    own = {
        "monitor": {"enable_xray": True},
        "snippet": {"config": {"http": {"addXRayTraceIdHeader": ["^https://api\\."]}}},
    }
    assert run(snippet_for(own))["xray"] == [False, False, False, False, False, False, True, False]


def test_ignore_rules_become_the_clients_functions():
    got = run(snippet_for(WEB))
    assert got["errors"] == [True, False, True, True, False, True, True, False]
    # The client's default (non-http(s) resources; the page's own fetch and XHR since 1.15.0) stays ignored
    # beside the configured URLs.
    assert got["resources"] == [True, False, True, False, True, True]
    old = run(snippet_for({"snippet": {"client_version": "1.14.0",
                                       "config": {"performance": WEB["snippet"]["config"]["performance"]}}}))
    assert old["resources"] == [True, False, True, False, False, False]  # 1.14's default kept them


def test_replay_is_only_on_when_asked_for():
    assert "replay" not in run(snippet_for({}))["telemetries"]
    got = run(snippet_for({"snippet": {"config": {"replay": {"additionalSampleRate": 0.1}}}}))
    assert got["telemetries"][-1] == "replay" and got["config"]["telemetries"][-1] == [
        "replay",
        {"additionalSampleRate": 0.1},
    ]


def test_user_text_cannot_end_the_script_or_become_a_placeholder():
    assert to_js(RegExp("</script>"), False) == "/<\\/script>/"
    data = {
        "auth": {"mode": "resource-policy"},
        "snippet": {"config": {"alias": "${AWS::AccountId}", "sessionAttributes": {"k": "${Evil}"}}},
    }
    stack = build_stack(from_mapping(data))
    body = stack.snippet.to_dict()["Fn::Sub"][0]
    assert 'alias:"${!AWS::AccountId}"' in body and 'k:"${!Evil}"' in body
    policy = stack.monitor.properties["ResourcePolicy"].to_dict()["PolicyDocument"]["Fn::Sub"][0]
    assert json.loads(policy.replace("${!", "${").replace("${MonitorName}", "m"))["Statement"][0]["Condition"] == {
        "StringEquals": {"rum:alias": "${AWS::AccountId}"}
    }


def test_the_stack_snippet_carries_the_same_config():
    settings = from_mapping({**WEB, "auth": {"mode": "resource-policy"}})
    body = build_stack(settings).snippet.to_dict()["Fn::Sub"][0]
    concrete_text = snippet_for(WEB)
    tail = concrete_text[concrete_text.index("telemetries:") :]
    assert tail.split(",allowCookies")[0] in body


def test_alias_adds_the_resource_policy_condition():
    stack = build_stack(from_mapping({"auth": {"mode": "resource-policy"}, "snippet": {"config": {"alias": "prod"}}}))
    policy = stack.monitor.properties["ResourcePolicy"].to_dict()["PolicyDocument"]["Fn::Sub"][0]
    assert '"Condition":{"StringEquals":{"rum:alias":"prod"}}' in policy
    assert "rum:alias" not in json.dumps(
        build_stack(from_mapping({"auth": {"mode": "resource-policy"}})).template.to_dict()
    )


MODULE_HARNESS = r"""
const src = require('fs').readFileSync(0, 'utf8');
global.location = {origin: 'https://shop.example.com'};
global.window = global;
const listeners = {};
global.addEventListener = (type, listener) => (listeners[type] = listeners[type] || []).push(listener);
global.removeEventListener = (type, listener) => {
  listeners[type] = (listeners[type] || []).filter(l => l !== listener);
};
global.document = {readyState: 'loading'};
const made = [];
class AwsRum { constructor(...args) { made.push(args); } recordError() {} }
const plugins = {};
for (const name of NAMES) plugins[name] = class { constructor(config) { this.name = name; this.config = config; } };
// Both forms: `export default awsRum` (eager) or a default Promise of the client (after-load, idle).
const body = src.replace(/^import .*$/m, '').replace('export default awsRum;', '')
  .replace('export default ', 'exported = ');
const exported = new Function('AwsRum', ...NAMES, `let exported; ${body}; return exported;`)(
  AwsRum, ...NAMES.map(n => plugins[n]));
(async () => {
  if (exported instanceof Promise) {
    document.readyState = 'complete';
    (listeners.load || []).forEach((listener) => listener());
    await exported;
  }
  const [id, version, region, config] = made[0];
  console.log(JSON.stringify({id, version, region, config,
    plugins: (config.eventPluginsToLoad || []).map(p =>
      [p.name, p.config === undefined ? null : Object.keys(p.config)])}));
})();
"""


def imported_names(text: str) -> list[str]:
    """The classes the module takes from the package."""
    return re.search(r"^import \{ (.*) \} from", text, re.M).group(1).split(", ")


def run_module(text: str) -> dict:
    names = imported_names(text)[1:]
    code = MODULE_HARNESS.replace("NAMES", json.dumps(names))
    out = subprocess.run([NODE, "-e", code], input=text, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_slim_module_loads_exactly_the_plugins_the_telemetries_need():
    client = concrete(app_monitor_id=MONITOR, region="eu-west-1", unsigned=True, settings=from_mapping(WEB))
    text = render_module(client)
    assert re.search(
        r'^import \{ AwsRum, DomEventPlugin, FetchPlugin, JsErrorPlugin, NavigationPlugin, '
        r'ResourcePlugin, WebVitalsPlugin, XhrPlugin \} from "@aws-rum/web-slim";$',
        text,
        re.M,
    )
    assert "import(" not in text  # a dynamic import would keep the package's whole namespace
    got = run_module(text)
    assert (got["id"], got["version"], got["region"]) == (MONITOR, "1.0.0", "eu-west-1")
    assert got["plugins"] == [
        ["JsErrorPlugin", ["ignore", "stackTraceLength"]],
        ["NavigationPlugin", ["ignore"]],
        ["ResourcePlugin", ["ignore"]],
        ["WebVitalsPlugin", ["ignore"]],
        ["FetchPlugin", ["urlsToExclude", "addXRayTraceIdHeader"]],
        ["XhrPlugin", ["urlsToExclude", "addXRayTraceIdHeader"]],
        ["DomEventPlugin", ["events"]],
    ]
    assert not {"telemetries", "signing", "identityPoolId"} & set(got["config"])
    assert got["config"]["releaseId"] == "2026.12.02-1"


def test_full_module_keeps_telemetries_and_cognito():
    pool = "eu-west-1:11111111-2222-3333-4444-555555555555"
    client = concrete(
        app_monitor_id=MONITOR,
        region="eu-west-1",
        identity_pool_id=pool,
        settings=from_mapping({"monitor": {"telemetries": ["errors"]}}),
    )
    text = render_module(client)
    assert 'import { AwsRum } from "aws-rum-web";' in text
    got = run_module(text)
    assert got["config"]["identityPoolId"] == pool and got["config"]["telemetries"] == ["errors"]
    assert got["plugins"] == []


@pytest.mark.parametrize("fmt", ["js", "module"])
def test_cli_reads_the_settings_file(run_cli, tmp_path, fmt):
    (tmp_path / "site.toml").write_text('[snippet]\nrelease_id = "r-7"\n[snippet.config]\npageIdFormat = "HASH"\n')
    done = run_cli(
        "snippet",
        "--app-monitor-id",
        MONITOR,
        "--region",
        "eu-west-1",
        "--auth.mode", "resource-policy",
        "--config",
        "site.toml",
        "--format",
        fmt,
    )
    assert done.returncode == 0, done.stderr
    assert 'releaseId:"r-7"' in done.stdout and 'pageIdFormat:"HASH"' in done.stdout
    flag = run_cli(
        "snippet",
        "--app-monitor-id",
        MONITOR,
        "--region",
        "eu-west-1",
        "--auth.mode", "resource-policy",
        "--config",
        "site.toml",
        "--snippet.release-id",
        "r-8",
    )
    assert 'releaseId:"r-8"' in flag.stdout


def test_cli_bad_option_is_one_line_exit_2(run_cli, tmp_path):
    (tmp_path / "site.toml").write_text('[snippet.config]\nsessionSampleRate = 0.5\n')
    done = run_cli(
        "snippet", "--app-monitor-id", MONITOR, "--region", "eu-west-1", "--auth.mode", "resource-policy",
        "--config", "site.toml"
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (
        "rumcfn: error: setting snippet.config.sessionSampleRate: is set by rumcfn from "
        "monitor.session_sample_rate; set that instead, but got 0.5\n"
    )


def test_eager_module_builds_the_client_on_import():
    client = concrete(app_monitor_id=MONITOR, region="eu-west-1", unsigned=True, load="eager")
    text = render_module(client)
    assert re.search(r'^import \{ AwsRum, FetchPlugin, .* \} from "@aws-rum/web-slim";$', text, re.M)
    assert "export default awsRum;" in text and "addEventListener" not in text
    assert run_module(text)["id"] == MONITOR


def test_deferred_module_shares_the_error_filter_with_the_plugin():
    settings = from_mapping({"snippet": {"config": {"errors": {"ignore": ["^Warning:"]}}}})
    for unsigned, pool in ((True, None), (False, "eu-west-1:11111111-2222-3333-4444-555555555555")):
        text = render_module(concrete(app_monitor_id=MONITOR, region="eu-west-1", unsigned=unsigned,
                                      identity_pool_id=pool, settings=settings))
        assert text.count("/^Warning:/") == 1 and "ignore:ignoreError" in text
        assert "&& !ignoreError(event)" in text


@pytest.mark.parametrize("load", ["after-load", "eager"])
def test_the_module_sends_first_party_too(load):
    """The bundler path: with snippet.first_party its batches go to the page's own origin as well."""
    client = concrete(app_monitor_id=MONITOR, region="eu-west-1", unsigned=True, first_party="/rum", load=load)
    assert run_module(render_module(client))["config"]["endpoint"] == "https://shop.example.com/rum"
HOSTILE_TEXT = "<!--<script>x</SCRIPT><Script>"


def test_no_value_can_open_a_comment_or_a_script_in_the_html_output():
    """In a <script> element the HTML tokenizer treats <!-- ... <script> as an escape in which </script> no
    longer ends the element, so the rest of the page becomes script; no user text may carry those openings."""
    data = {
        "auth": {"mode": "resource-policy"},
        "snippet": {"config": {"alias": HOSTILE_TEXT, "sessionAttributes": {"k": HOSTILE_TEXT},
                               "errors": {"ignore": ["<!--<script>", "\\<!--"]}}},
    }
    text = snippet_for(data)
    assert not re.search(r"<!--|<script|</script", text, re.IGNORECASE), text
    got = run(text)
    assert got["config"]["alias"] == HOSTILE_TEXT and got["config"]["sessionAttributes"]["k"] == HOSTILE_TEXT
    assert got["errors"] is not None
    ignore = subprocess.run([NODE, "-e", "const src=require('fs').readFileSync(0,'utf8');global.window={};"
                             "global.addEventListener=()=>{};"
                             "global.document={createElement:()=>({}),head:{insertBefore:()=>{}},"
                             "getElementsByTagName:()=>[{}]};eval(src);"
                             "const t=window.AwsRumClient.c.telemetries.find(t=>Array.isArray(t)&&t[0]==='errors')[1];"
                             "console.log(JSON.stringify(['<!--<script>','<!--','x'].map(m=>t.ignore({message:m}))))"],
                            input=text, capture_output=True, text=True, check=True)
    assert json.loads(ignore.stdout) == [True, True, False]


def test_line_separators_in_strings_are_written_as_escapes():
    text = snippet_for({"snippet": {"config": {"alias": "a\u2028b\u2029c"}}})
    assert "\u2028" not in text and "\u2029" not in text and "a\\u2028b\\u2029c" in text
    assert run(text)["config"]["alias"] == "a\u2028b\u2029c"
