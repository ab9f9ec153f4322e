"""The Synthetics canary: its template resources, and its script run for real.

The script is taken from the synthesized template (``Code.Script``), written out under the file name
its ``Handler`` names, and run by ``tests/canary/run.js`` with stand-ins for the Synthetics runtime
modules (``tests/canary/modules``) on puppeteer-core and Debian's chromium, against a site served on
127.0.0.1. Chromium resolves no other host name, so nothing leaves the machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from rumcfn.build.canary import LAMBDA_NAME_CHARS, RUNTIME
from rumcfn.config import Settings, from_mapping
from rumcfn.build.snippet import render_concrete

from tests.support.variants import template_dict

from tests.support import ROOT  # noqa: E402
CANARY_DIR = ROOT / "tests" / "canary"
CHROMIUM = os.environ.get("RUMCFN_CHROMIUM", "/usr/bin/chromium")


def canary_of(settings=None) -> dict:
    return template_dict(settings)["Resources"]["Canary"]["Properties"]


def role_statements(settings=None) -> dict[str, dict]:
    (policy,) = template_dict(settings)["Resources"]["CanaryRole"]["Properties"]["Policies"]
    return {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}


# --- the template -------------------------------------------------------------------------------


def test_canary_uses_a_current_puppeteer_runtime_with_its_new_module_names():
    props = canary_of()
    assert props["RuntimeVersion"] == RUNTIME
    major = float(RUNTIME.rsplit("-", 1)[1])
    assert RUNTIME.startswith("syn-nodejs-puppeteer-") and major >= 13.1  # 13.1+: @aws/synthetics-* names
    script = props["Code"]["Script"]
    assert "require('@aws/synthetics-puppeteer')" in script and "require('Synthetics')" not in script
    file, function = props["Code"]["Handler"].split(".")
    assert f"exports.{function} =" in script and file == "index"


def test_canary_opens_the_site_url_on_the_schedule():
    props = canary_of(from_mapping({"canary": {"url": "https://shop.example.com/cart", "schedule": "rate(10 minutes)"}}))
    assert props["RunConfig"]["EnvironmentVariables"] == {"SITE_URL": "https://shop.example.com/cart"}
    assert props["Schedule"] == {"Expression": "rate(10 minutes)"}
    assert canary_of()["RunConfig"]["EnvironmentVariables"]["SITE_URL"] == Settings().site_url()


def test_artifacts_go_to_a_created_expiring_bucket_under_the_canary_prefix():
    t = template_dict(from_mapping({"canary": {"artifacts_expiry_days": 9}}))
    bucket = t["Resources"]["CanaryArtifacts"]["Properties"]
    (rule,) = bucket["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == 9
    props = t["Resources"]["Canary"]["Properties"]
    assert props["SuccessRetentionPeriod"] == props["FailureRetentionPeriod"] == 9
    location = props["ArtifactS3Location"]["Fn::Sub"]
    assert location[0] == "s3://${Bucket}/${Prefix}"
    assert location[1] == {"Bucket": {"Ref": "CanaryArtifacts"}, "Prefix": "synthetics/example-site"}
    (put,) = role_statements(from_mapping({"canary": {"artifacts_expiry_days": 9}}))["Artifacts"]["Resource"]
    assert put["Fn::Sub"][0] == "arn:${AWS::Partition}:s3:::${Bucket}/${Prefix}/*"
    assert put["Fn::Sub"][1]["Prefix"] == "synthetics/example-site"


def test_an_existing_artifacts_bucket_is_used_and_none_is_created():
    settings = from_mapping({"canary": {"artifacts_bucket": "my-canary-bucket"}})
    t = template_dict(settings)
    assert "CanaryArtifacts" not in t["Resources"]
    assert t["Resources"]["Canary"]["Properties"]["ArtifactS3Location"]["Fn::Sub"][1]["Bucket"] == "my-canary-bucket"
    assert role_statements(settings)["ArtifactsBucket"]["Resource"][0]["Fn::Sub"][1] == {"Bucket": "my-canary-bucket"}


def test_execution_role_is_least_privilege():
    statements = role_statements()
    assert set(statements) == {"Artifacts", "ArtifactsBucket", "ListBuckets", "Logs", "Metrics"}
    metrics = statements["Metrics"]
    assert metrics["Action"] == ["cloudwatch:PutMetricData"]
    assert metrics["Condition"] == {"StringEquals": {"cloudwatch:namespace": "CloudWatchSynthetics"}}
    assert statements["Artifacts"]["Action"] == ["s3:PutObject"]
    (logs,) = statements["Logs"]["Resource"]
    assert logs["Fn::Sub"].endswith(":log-group:/aws/lambda/cwsyn-example-site-*")
    assert statements["ListBuckets"]["Resource"] == ["*"] and statements["ListBuckets"]["Action"] == ["s3:ListAllMyBuckets"]
    trust = template_dict()["Resources"]["CanaryRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust == [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": ["sts:AssumeRole"]}]


def test_log_group_pattern_uses_the_first_21_characters_of_a_long_name():
    name = "a-very-long-canary-name-for-the-shop"
    (logs,) = role_statements(from_mapping({"canary": {"name": name}}))["Logs"]["Resource"]
    assert logs["Fn::Sub"].endswith(f"/aws/lambda/cwsyn-{name[:LAMBDA_NAME_CHARS]}-*")
    assert canary_of(from_mapping({"canary": {"name": name}}))["Name"] == name


def test_tracing_and_its_permission_only_with_xray():
    on = from_mapping({"monitor": {"enable_xray": True}})
    assert canary_of(on)["RunConfig"]["ActiveTracing"] is True
    assert role_statements(on)["Tracing"]["Action"] == ["xray:PutTraceSegments"]
    assert "ActiveTracing" not in canary_of()["RunConfig"]
    assert "Tracing" not in role_statements()


def test_canary_is_tagged_to_its_monitor():
    assert canary_of()["Tags"] == [{"Key": "example-site", "Value": "associated-rum"}]
    custom = from_mapping({"canary": {"tag_key": "rum-monitor", "tag_value": "shop"}})
    assert canary_of(custom)["Tags"] == [{"Key": "rum-monitor", "Value": "shop"}]
    # '#' is allowed in monitor names but not in tag keys
    hashed = from_mapping({"monitor": {"name": "shop#1"}, "canary": {"name": "shop"}})
    assert canary_of(hashed)["Tags"][0]["Key"] == "shop-1"


def test_parameters_mode_takes_name_and_url_from_parameters():
    t = template_dict(Settings(parameters=True))
    props = t["Resources"]["Canary"]["Properties"]
    assert props["Name"] == {"Ref": "CanaryName"}
    assert props["RunConfig"]["EnvironmentVariables"]["SITE_URL"] == {"Ref": "SiteUrl"}
    assert props["Tags"][0]["Key"] == {"Fn::Join": ["-", {"Fn::Split": ["#", {"Ref": "AppMonitorName"}]}]}
    (policy,) = t["Resources"]["CanaryRole"]["Properties"]["Policies"]
    logs = [s for s in policy["PolicyDocument"]["Statement"] if s["Sid"] == "Logs"][0]["Resource"][0]
    assert logs["Fn::Sub"].endswith("/aws/lambda/cwsyn-*")  # a parameter cannot be cut to 21 characters
    assert t["Outputs"]["CanaryName"]["Value"] == {"Ref": "Canary"}


def test_no_canary_means_no_canary_resources():
    t = template_dict(from_mapping({"canary": {"enabled": False}}))
    types = {r["Type"] for r in t["Resources"].values()}
    assert "AWS::Synthetics::Canary" not in types
    assert not {"CanaryRole", "CanaryArtifacts", "CanaryAlarm"} & set(t["Resources"])
    assert "CanaryName" not in t["Outputs"]


# --- the script, run in a browser -----------------------------------------------------------------


class Site(ThreadingHTTPServer):
    """The monitored site on 127.0.0.1: ``/`` is healthy, the rest fail in one way each."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), SiteHandler)
        self.base = f"http://127.0.0.1:{self.server_address[1]}"
        self.rum_js = render_concrete(app_monitor_id="00000000-0000-0000-0000-000000000000", region="eu-west-1",
                                      unsigned=True, endpoint=self.base, client_url=f"{self.base}/cwr.js")
        self.requests: list[str] = []
        threading.Thread(target=self.serve_forever, daemon=True).start()


SNIPPET_PAGE = '<!doctype html><html><head><script src="/rum.js"></script><title>shop</title></head><body><h1>Shop</h1></body></html>'
PLAIN_PAGE = "<!doctype html><html><head><title>shop</title></head><body><h1>No RUM here</h1></body></html>"


class SiteHandler(BaseHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass

    def do_GET(self):  # noqa: N802
        self.server.requests.append(self.path)
        routes = {
            "/": (200, "text/html", SNIPPET_PAGE),
            "/broken": (500, "text/html", SNIPPET_PAGE),
            "/missing": (404, "text/html", PLAIN_PAGE),
            "/plain": (200, "text/html", PLAIN_PAGE),
            "/rum.js": (200, "text/javascript", self.server.rum_js),
            "/cwr.js": (200, "text/javascript", "/* web client stand-in */"),
        }
        if self.path == "/slow":
            time.sleep(8)  # longer than the page-load timeout of a 5-second canary
            routes["/slow"] = routes["/"]
        status, kind, body = routes.get(self.path, (404, "text/plain", "not found"))
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="module")
def site():
    server = Site()
    yield server
    server.shutdown()
    server.server_close()


def run_canary(site: Site, path: str, tmp_path: Path, timeout_seconds: int = 20) -> tuple[subprocess.CompletedProcess, Path]:
    """Synthesize a stack whose canary opens ``site.base + path``, then run the canary's script."""
    if not (shutil.which("node") and (os.path.isfile(CHROMIUM) or shutil.which(CHROMIUM))):
        pytest.fail("node or chromium missing (apt-get install nodejs chromium; npm ci)", pytrace=False)
    settings = from_mapping({"canary": {"url": site.base + path, "timeout_seconds": timeout_seconds}})
    props = canary_of(settings)
    file, _function = props["Code"]["Handler"].split(".")
    code = tmp_path / "code"
    code.mkdir()
    (code / f"{file}.js").write_text(props["Code"]["Script"])
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    # Chromium's profile holds a Unix socket, whose path may not exceed 108 bytes; pytest's (xdist)
    # tmp paths can, so the profile goes in a short directory of its own, removed afterwards.
    short_tmp = tempfile.mkdtemp(prefix="cnry")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "TMPDIR": short_tmp,
        "NODE_PATH": str(CANARY_DIR / "modules"),
        "HANDLER": props["Code"]["Handler"],
        "CANARY_ARTIFACTS": str(artifacts),
        "CHROMIUM": CHROMIUM,
        **props["RunConfig"]["EnvironmentVariables"],
    }
    try:
        result = subprocess.run(["node", str(CANARY_DIR / "run.js"), str(code)], env=env, cwd=tmp_path,
                                capture_output=True, text=True, timeout=120)
    finally:
        shutil.rmtree(short_tmp, ignore_errors=True)
    return result, artifacts




@pytest.mark.browser
def test_canary_passes_on_a_healthy_page_and_keeps_a_screenshot(site, tmp_path):
    result, artifacts = run_canary(site, "/", tmp_path)
    assert result.stdout.strip() == "PASSED", result.stdout + result.stderr
    shots = sorted(p.name for p in artifacts.glob("*.png"))
    assert any("load-succeeded" in s for s in shots) and any("rum-succeeded" in s for s in shots), shots
    assert "/rum.js" in site.requests


@pytest.mark.browser
@pytest.mark.parametrize("path, status", [("/broken", 500), ("/missing", 404)])
def test_canary_fails_on_an_error_status(site, tmp_path, path, status):
    result, artifacts = run_canary(site, path, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.strip() == f"FAILED: {site.base}{path} answered HTTP {status}"
    assert any("load-failed" in p.name for p in artifacts.glob("*.png"))


@pytest.mark.browser
def test_canary_fails_on_a_page_without_the_rum_snippet(site, tmp_path):
    result, _ = run_canary(site, "/plain", tmp_path, timeout_seconds=10)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.strip() == f"FAILED: {site.base}/plain does not load the RUM snippet (window.cwr undefined)"


@pytest.mark.browser
def test_canary_fails_when_the_page_times_out(site, tmp_path):
    started = time.monotonic()
    result, _ = run_canary(site, "/slow", tmp_path, timeout_seconds=5)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.startswith("FAILED: Navigation timeout of 3000 ms exceeded"), result.stdout
    assert time.monotonic() - started < 60


def test_stand_in_blocks_every_host_but_loopback():
    """The runtime stand-in's Chromium resolves no host name but 127.0.0.1 (nothing leaves the machine)."""
    source = (CANARY_DIR / "modules" / "@aws" / "synthetics-puppeteer" / "index.js").read_text()
    assert "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1" in source
    assert "http" not in SNIPPET_PAGE + PLAIN_PAGE  # the pages name no host; rum.js names only 127.0.0.1
