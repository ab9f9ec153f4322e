"""The canary's script, run for real against the real RUM web client.

The script is taken from the synthesized template (``Code.Script``), written out under the file name
its ``Handler`` names, and run by ``tests/canary/run.js`` with stand-ins for the Synthetics runtime
modules (``tests/canary/modules``) on puppeteer-core and Debian's chromium. The site is served on
127.0.0.1 and loads the pinned aws-rum-web bundle; its snippets send to the suite's stand-in data
plane (``servers.collector``). Chromium resolves no other host name, so nothing leaves the machine.

The canary must prove the client sends a batch without that batch reaching the data plane: every
passing run is followed by a positive control (the same kind of page, opened by the suite's own
browser) that does reach the collector, so "the collector got nothing" means something.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from rumcfn.client.snippet import render_concrete
from rumcfn.config import from_mapping
from rumcfn.facts import LAB_METRICS
from tests.support import ROOT
from tests.support.cloudwatch import CloudWatchStandIn, namespaces_allowed
from tests.support.variants import template_dict

from .flow import deliver, wait_for_client

CANARY_DIR = ROOT / "tests" / "canary"
CHROMIUM = os.environ.get("RUMCFN_CHROMIUM", "/usr/bin/chromium")
REGION = "eu-west-1"
POOL = f"{REGION}:0a1b2c3d-1111-2222-3333-444455556666"

pytestmark = pytest.mark.browser


def page_html(script: str | None, head: str = "", body: str = "") -> str:
    """A page loading ``script`` (a snippet) or none; ``window.__stub`` keeps the loader's queue, as
    tests/browser/site/page.html does, so ``wait_for_client`` can tell when the client took over."""
    head = (f'<script src="{script}"></script><script>window.__stub = window.cwr;</script>' if script else "") + head
    return f"<!doctype html><html><head>{head}<title>shop</title></head><body><h1>Shop</h1>{body}</body></html>"


SLOW_CSS_MS = 800
#: How long /slow takes to answer: longer than the page-load timeout of a 3-second canary (1,800 ms), which is all the
#: test needs; the canary's last step waits for the document, so the test takes this long, not the timeout.
SLOW_PAGE_S = 3.5
#: A page whose first paint waits for a slow stylesheet and whose layout shifts after it: what the lab measures.
VITALS_PAGE = page_html(
    "/rum.js",
    head='<link rel="stylesheet" href="/slow.css">',
    body='<div id="slot"></div><p>Products</p><script>requestAnimationFrame(() => requestAnimationFrame(() => '
         "setTimeout(() => { const d = document.createElement('div'); d.style.height = '300px'; "
         "document.getElementById('slot').appendChild(d); }, 50)));</script>",
)


class Site(ThreadingHTTPServer):
    """The monitored site: each page loads one snippet (or none); one monitor id per snippet."""

    daemon_threads = True

    def __init__(self, client_bundle: Path, endpoint: str):
        super().__init__(("127.0.0.1", 0), SiteHandler)
        self.base = f"http://127.0.0.1:{self.server_address[1]}"
        self.client = client_bundle.read_bytes()
        self.endpoint = endpoint
        self.ids = {
            name: str(uuid.uuid4())
            for name in ("rum", "no-client", "unsampled", "control", "other", "cognito", "first")
        }
        self.scripts = {
            "rum": self.snippet("rum"),
            # A snippet whose web client cannot be loaded: the loader defines window.cwr, nothing sends.
            "no-client": self.snippet("no-client", client_url=f"{self.base}/nowhere/cwr.js"),
            # A site that samples out every session: the canary's own visit must still be recorded.
            "unsampled": self.snippet("unsampled", sample_rate=0.0),
            "control": self.snippet("control"),
            # A snippet for some other app monitor than the stack's.
            "other": self.snippet("other"),
            # Cognito mode: the client asks Cognito for guest credentials before it signs a batch.
            "cognito": self.snippet("cognito", unsigned=False, identity_pool_id=POOL),
            # First-party ingestion: the client sends to /rum on the site's own origin.
            "first": self.snippet("first", endpoint=None, first_party="/rum"),
        }
        self.requests: list[str] = []
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def snippet(self, name: str, **options) -> str:
        options.setdefault("client_url", f"{self.base}/cwr.js")
        options.setdefault("unsigned", True)
        options.setdefault("endpoint", self.endpoint)
        return render_concrete(app_monitor_id=self.ids[name], region=REGION, **options)


class SiteHandler(BaseHTTPRequestHandler):
    server: Site

    def log_message(self, format, *args):  # noqa: A002
        pass

    def do_GET(self):  # noqa: N802
        site = self.server
        site.requests.append(self.path)
        name = self.path.strip("/")
        routes = {
            "/": (200, "text/html", page_html("/rum.js")),
            "/broken": (500, "text/html", page_html("/rum.js")),
            "/missing": (404, "text/html", page_html(None)),
            "/plain": (200, "text/html", page_html(None)),
            "/cwr.js": (200, "text/javascript", site.client),
            "/vitals": (200, "text/html", VITALS_PAGE),
            "/slow.css": (200, "text/css", "p { color: #222; }"),
        }
        if name in site.scripts and name != "rum":
            routes[self.path] = (200, "text/html", page_html(f"/{name}.js"))
        if name.endswith(".js") and name[:-3] in site.scripts:
            routes[self.path] = (200, "text/javascript", site.scripts[name[:-3]])
        if self.path == "/slow.css":
            time.sleep(SLOW_CSS_MS / 1000)
        if self.path == "/slow":
            time.sleep(SLOW_PAGE_S)
            routes["/slow"] = routes["/"]
        status, kind, body = routes.get(self.path, (404, "text/plain", "not found"))
        data = body if isinstance(body, bytes) else body.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="module")
def site(client_bundle, servers):
    server = Site(client_bundle, servers.collector.url)
    yield server
    server.shutdown()
    server.server_close()


def records_for(collector, monitor_id: str) -> list:
    """Everything the stand-in data plane got for the monitor: batches and CORS preflights."""
    return collector.anything_for(monitor_id)


def run_canary(site: Site, path: str, tmp_path: Path, timeout_seconds: int = 20, monitor: str = "rum",
               snippet: dict | None = None, cloudwatch: CloudWatchStandIn | None = None, lab: bool = False):
    """Synthesize a stack whose canary opens ``site.base + path`` (its snippet's endpoint is the stand-in
    data plane unless ``snippet`` says otherwise, its monitor id the site's ``monitor`` id), then run the
    canary's script; with ``lab``, the canary measures lab vitals and puts them to ``cloudwatch``."""
    if not (shutil.which("node") and (os.path.isfile(CHROMIUM) or shutil.which(CHROMIUM))):
        pytest.fail("node or chromium missing (apt-get install nodejs chromium; npm ci)", pytrace=False)
    settings = from_mapping(
        {
            "canary": {"url": site.base + path, "timeout_seconds": timeout_seconds, "lab_vitals": lab},
            "snippet": snippet or {"endpoint": site.endpoint},
            "auth": {"mode": "resource-policy" if snippet else "cognito"},
        }
    )
    template = template_dict(settings)
    props = template["Resources"]["Canary"]["Properties"]
    file, _function = props["Code"]["Handler"].split(".")
    code = tmp_path / "code"
    code.mkdir()
    (code / f"{file}.js").write_text(props["Code"]["Script"])
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    variables = dict(props["RunConfig"]["EnvironmentVariables"])
    # What CloudFormation resolves at deploy time: the app monitor's id.
    assert variables["APP_MONITOR_ID"] == {"Fn::GetAtt": ["AppMonitor", "Id"]}
    variables["APP_MONITOR_ID"] = site.ids[monitor]
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
        **variables,
    }
    if cloudwatch is not None:
        env["CLOUDWATCH_STANDIN"] = cloudwatch.url
    try:
        result = subprocess.run(
            ["node", str(CANARY_DIR / "run.js"), str(code)],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        shutil.rmtree(short_tmp, ignore_errors=True)
    return result, artifacts


def control(page, site: Site, collector) -> None:
    """Positive control: the same kind of page, opened by the suite's browser, does reach the collector."""
    page.goto(f"{site.base}/control")
    wait_for_client(page)
    page.evaluate("cwr('dispatch'), true")
    deliver(collector, site.ids["control"], ("page_view",))


def test_canary_passes_on_a_healthy_page_and_its_batch_never_reaches_the_data_plane(site, servers, page, tmp_path):
    result, artifacts = run_canary(site, "/", tmp_path)
    assert result.stdout.strip() == "PASSED", result.stdout + result.stderr
    shots = sorted(p.name for p in artifacts.glob("*.png"))
    assert any("load-succeeded" in s for s in shots) and any("rum-succeeded" in s for s in shots), shots
    assert "/rum.js" in site.requests and "/cwr.js" in site.requests  # the real client loaded
    assert f"answered {site.ids['rum']}" in result.stderr, result.stderr  # the canary took the client's batch
    assert records_for(servers.collector, site.ids["rum"]) == []
    control(page, site, servers.collector)
    # Still nothing, after the canary's browser has closed (no page-hide beacon got out either).
    assert records_for(servers.collector, site.ids["rum"]) == []


def test_canary_records_its_visit_even_where_the_site_samples_sessions_out(site, servers, page, tmp_path):
    result, _ = run_canary(site, "/unsampled", tmp_path, monitor="unsampled")
    assert result.stdout.strip() == "PASSED", result.stdout + result.stderr
    assert records_for(servers.collector, site.ids["unsampled"]) == []
    control(page, site, servers.collector)
    assert records_for(servers.collector, site.ids["unsampled"]) == []


@pytest.mark.parametrize("path, status", [("/broken", 500), ("/missing", 404)])
def test_canary_fails_on_an_error_status(site, servers, tmp_path, path, status):
    result, artifacts = run_canary(site, path, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.strip() == f"FAILED: {site.base}{path} answered HTTP {status}"
    assert any("load-failed" in p.name for p in artifacts.glob("*.png"))
    assert records_for(servers.collector, site.ids["rum"]) == []  # /broken loads the snippet: still nothing out


def test_canary_fails_on_a_page_without_the_rum_snippet(site, tmp_path):
    result, _ = run_canary(site, "/plain", tmp_path, timeout_seconds=10)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.strip() == f"FAILED: {site.base}/plain does not load the RUM snippet (window.cwr undefined)"


def test_canary_fails_when_the_snippet_cannot_load_the_web_client(site, tmp_path):
    """The loader runs (window.cwr is its queue) but the client never does: no batch, a failed run."""
    result, _ = run_canary(site, "/no-client", tmp_path, timeout_seconds=10, monitor="no-client")
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.strip().startswith(
        f"FAILED: {site.base}/no-client: the RUM web client sent no batch to "
        f"{site.endpoint}/appmonitors/{site.ids['no-client']} within "
    ), result.stdout
    assert "/nowhere/cwr.js" in site.requests


def test_canary_fails_when_the_snippet_sends_to_another_app_monitor(site, servers, tmp_path):
    result, _ = run_canary(site, "/other", tmp_path, timeout_seconds=10, monitor="rum")
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.strip() == (
        f"FAILED: {site.base}/other: the RUM snippet sends to app monitor {site.ids['other']}, not {site.ids['rum']}"
    )
    assert records_for(servers.collector, site.ids["other"]) == []  # answered by the canary all the same


def test_canary_lets_cognito_through_so_an_unreachable_identity_pool_fails_it(site, servers, tmp_path):
    """The canary answers the data plane only: Cognito (unreachable here, as a broken pool would be for
    visitors) is not faked, the client gets no credentials and sends nothing, and the run fails."""
    result, _ = run_canary(site, "/cognito", tmp_path, timeout_seconds=10, monitor="cognito")
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.strip().startswith(f"FAILED: {site.base}/cognito: the RUM web client sent no batch to "), (
        result.stdout
    )
    assert records_for(servers.collector, site.ids["cognito"]) == []


def test_canary_fails_when_the_page_times_out(site, tmp_path):
    started = time.monotonic()
    result, _ = run_canary(site, "/slow", tmp_path, timeout_seconds=3)  # the shortest a canary takes
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.startswith("FAILED: Navigation timeout of 1800 ms exceeded"), result.stdout
    assert time.monotonic() - started < 60


def test_canary_answers_a_first_party_endpoint_itself(site, tmp_path):
    """snippet.first_party: the snippet and the canary's RUM_ENDPOINT name a path on the site's own origin; the
    canary resolves it against the page and answers the batch there, so nothing reaches the site's /rum."""
    result, _ = run_canary(site, "/first", tmp_path, monitor="first", snippet={"first_party": "/rum"})
    assert result.stdout.strip() == "PASSED", result.stdout + result.stderr
    assert f"answered {site.ids['first']}" in result.stderr, result.stderr
    assert not [r for r in site.requests if r.startswith("/rum/")], site.requests
@pytest.fixture
def canary_role():
    """The canary role of a stack with lab vitals, as the template declares it."""
    return template_dict(from_mapping({"canary": {"lab_vitals": True}}))["Resources"]["CanaryRole"]


def test_canary_publishes_the_pages_lab_vitals_in_its_own_namespace(site, servers, tmp_path, canary_role):
    """The stand-in CloudWatch lets the canary put exactly what its role's policy lets it put (the namespace
    condition, read from the template) and holds the call to botocore's PutMetricData model."""
    allowed = namespaces_allowed(canary_role)
    assert allowed == {"CloudWatchSynthetics", "rumcfn/lab/example-site"}
    cloudwatch = CloudWatchStandIn(allowed)
    try:
        result, artifacts = run_canary(site, "/vitals", tmp_path, cloudwatch=cloudwatch, lab=True)
    finally:
        cloudwatch.close()
    assert result.stdout.strip() == "PASSED", result.stdout + result.stderr
    assert cloudwatch.refused == [] and len(cloudwatch.calls) == 1, cloudwatch.refused
    call = cloudwatch.calls[0]
    assert call["Namespace"] == "rumcfn/lab/example-site"
    data = {d["MetricName"]: d for d in call["MetricData"]}
    assert set(data) == {m.metric for m in LAB_METRICS.values()}
    assert {d["Unit"] for name, d in data.items() if name != "WebVitalsCumulativeLayoutShift"} == {"Milliseconds"}
    assert data["WebVitalsCumulativeLayoutShift"]["Unit"] == "None"
    # The stylesheet held the first paint back; the late block shifted the paragraph.
    assert data["WebVitalsLargestContentfulPaint"]["Value"] >= SLOW_CSS_MS
    assert data["WebVitalsFirstContentfulPaint"]["Value"] >= SLOW_CSS_MS
    assert data["WebVitalsCumulativeLayoutShift"]["Value"] > 0
    assert 0 < data["WebVitalsTimeToFirstByte"]["Value"] < data["WebVitalsFirstContentfulPaint"]["Value"]
    assert data["PerformanceNavigationDuration"]["Value"] >= SLOW_CSS_MS
    assert any("vitals-succeeded" in p.name for p in artifacts.glob("*.png"))
    assert records_for(servers.collector, site.ids["rum"]) == []  # the RUM batch still went nowhere


def test_canary_fails_when_its_role_may_not_put_the_lab_vitals(site, tmp_path):
    """A role without the lab statement (only CloudWatchSynthetics): AWS refuses the call, and the run fails
    saying so, rather than the lab alarms quietly going without data."""
    cloudwatch = CloudWatchStandIn({"CloudWatchSynthetics"})
    try:
        result, _ = run_canary(site, "/vitals", tmp_path, cloudwatch=cloudwatch, lab=True)
    finally:
        cloudwatch.close()
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.strip().startswith(
        "FAILED: the lab vitals could not be published to rumcfn/lab/example-site: AccessDenied: "), result.stdout
    assert cloudwatch.calls == [] and len(cloudwatch.refused) == 1


def test_canary_without_lab_vitals_puts_no_metrics(site, tmp_path):
    cloudwatch = CloudWatchStandIn({"CloudWatchSynthetics", "rumcfn/lab/example-site"})
    try:
        result, _ = run_canary(site, "/vitals", tmp_path, cloudwatch=cloudwatch)
    finally:
        cloudwatch.close()
    assert result.stdout.strip() == "PASSED", result.stdout + result.stderr
    assert cloudwatch.calls == [] and cloudwatch.refused == []
