"""Rendering snippets through the CLI and walking a page through the interactions RUM measures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from rumcfn.doctor.cdp import CDPError, Page

from .servers import Batch, Collector, Site
from .sigv4 import check_header_signature, check_presigned

ROOT = Path(__file__).resolve().parents[2]
ESBUILD = ROOT / "node_modules" / ".bin" / "esbuild"
REGION = "us-east-1"
APP_VERSION = "4.5.6-e2e"
ERROR_MESSAGE = "rumcfn browser test: uncaught"
#: What one walk through the page must deliver (short names, see ``short``).
EXPECTED = ("page_view", "performance_navigation", "largest_contentful_paint", "cumulative_layout_shift",
            "interaction_to_next_paint", "first_input_delay", "js_error", "http")
#: Generous bounds: each is a deadline for a poll, never a sleep.
LOAD_TIMEOUT = 10
DELIVERY_TIMEOUT = 15


def short(event: dict) -> str:
    """``com.amazon.rum.page_view_event`` -> ``page_view``."""
    return event["type"].removeprefix("com.amazon.rum.").removesuffix("_event")


def rumcfn_snippet(*args: str) -> str:
    """``rumcfn snippet ARGS`` in a separate process, as a user runs it; its stdout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    done = subprocess.run([sys.executable, "-m", "rumcfn", "snippet", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=60)
    if done.returncode:
        raise AssertionError(f"rumcfn snippet {' '.join(args)} failed ({done.returncode}): {done.stderr}")
    return done.stdout


@dataclass
class Monitor:
    """One app monitor's worth of test: its id, its snippet on the site, its pages."""

    id: str
    site: Site
    snippet: str

    def page(self, name: str = "index") -> str:
        return self.site.page(self.id, name)


def publish(site: Site, collector: Collector, *args: str, page_args=lambda monitor_id: ()) -> Monitor:
    """Render a snippet for a fresh monitor id pointing at the local servers, and serve it.

    ``page_args(monitor_id)`` adds arguments that depend on the monitor's own page URLs.
    """
    monitor_id = str(uuid.uuid4())
    text = rumcfn_snippet("--app-monitor-id", monitor_id, "--region", REGION, "--snippet.endpoint", collector.url,
                          "--snippet.client-url", f"{site.url}/client/cwr.js", "--snippet.app-version", APP_VERSION,
                          *args, *page_args(monitor_id))
    site.snippets[monitor_id] = text
    if "--html" in args:
        site.inline.add(monitor_id)
    return Monitor(monitor_id, site, text)


def nudge(page: Page) -> None:
    """The headless quirk (facts.md): after a synthetic click idle callbacks stall until another
    frame is requested; a mouse move and one requestAnimationFrame get them going."""
    page.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": 5, "y": 5})
    page.evaluate("new Promise(resolve => requestAnimationFrame(() => resolve(true)))")


def wait_for_client(page: Page) -> None:
    """The web client loaded and took over ``window.cwr`` from the snippet's queueing stub."""
    try:
        page.wait_until(
            "typeof window.cwr === 'function' && window.__stub !== undefined && window.cwr !== window.__stub",
            LOAD_TIMEOUT,
            "the RUM web client to load and replace the snippet's command queue",
        )
    except CDPError as error:
        failed = [e["params"].get("errorText") for e in page.my_events("Network.loadingFailed")]
        raise AssertionError(
            f"{error}; page exceptions: {exception_texts(page) or 'none'}; failed requests: {failed or 'none'}"
        ) from None


def walk(page: Page, url: str, *, dispatch: bool = False, ready=None) -> None:
    """Load ``url`` and do what RUM measures: a layout shift, a slow click (FID and INP), a failing
    fetch and an uncaught error. With ``dispatch``, ask the client to send by fetch right away
    (what its 5 s timer would do). The page stays visible; ``leave`` hides it. ``ready(page)`` waits for
    the client (default: the CDN snippet's)."""
    page.goto(url)
    (ready or wait_for_client)(page)
    # Let the first frame paint (the LCP candidate), then push the content down.
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))")
    page.evaluate("shiftLayout()")
    page.wait_until("window.__seen.shifts > 0", LOAD_TIMEOUT, "the browser to report the layout shift")
    page.click("#slow")
    nudge(page)
    page.wait_until("window.__seen.slowEvents > 0", LOAD_TIMEOUT, "the browser to time the slow click")
    status = page.evaluate("failFetch()")
    assert status == 500, f"/api/fail answered {status}"
    page.evaluate("throwUncaught()")
    page.wait_until("window.__seen.errors > 0", LOAD_TIMEOUT, "the uncaught error")
    if dispatch:
        page.evaluate("cwr('dispatch'), true")


# Test credentials in AWS's documented example format; they sign locally and reach nothing.
ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = "rumcfn-e2e-session-token"
SEED = "try { localStorage.setItem('cwr_c', JSON.stringify(%s)); } catch (e) { /* about:blank: no storage */ }"


def seed_guest_credentials(page: Page) -> None:
    """Put guest credentials where the client keeps them after a Cognito round trip (localStorage
    ``cwr_c``), before any page script runs: its credential chain then finds them and never calls
    Cognito, which is out of reach offline."""
    expiration = (datetime.now(timezone.utc) + timedelta(hours=1)).isoformat()
    credentials = {
        "accessKeyId": ACCESS_KEY,
        "secretAccessKey": SECRET_KEY,
        "sessionToken": SESSION_TOKEN,
        "expiration": expiration,
    }
    page.send("Page.addScriptToEvaluateOnNewDocument", {"source": SEED % json.dumps(credentials)})


def leave(page: Page) -> None:
    """Navigate away: the page is hidden, so the client flushes CLS and INP by beacon."""
    page.goto("about:blank")


def exception_texts(page: Page) -> list[str]:
    """Every uncaught exception the page reported to DevTools."""
    texts = []
    for event in page.my_events("Runtime.exceptionThrown"):
        details = event["params"]["exceptionDetails"]
        texts.append(details.get("exception", {}).get("description") or details.get("text", ""))
    return texts


def visible_dispatch(page: Page, collector: Collector, url: str, monitor_id: str) -> list[Batch]:
    """Load ``url`` and have the client send while the page is visible: once by fetch, then (after
    a failing fetch) once by beacon; leave; the monitor's batches.

    Signed clients presign the page-hide beacon with async WebCrypto, so that beacon may not leave
    before the page is gone; nothing here depends on it."""
    page.goto(url)
    wait_for_client(page)
    page.wait_until("document.readyState === 'complete'", LOAD_TIMEOUT, "the load event")
    page.evaluate("cwr('dispatch'), true")
    deliver(collector, monitor_id, ("page_view", "performance_navigation"))  # what dispatch missed, the timer sends
    assert page.evaluate("failFetch()") == 500
    page.evaluate("cwr('dispatchBeacon'), true")
    deliver(collector, monitor_id, ("http",))
    leave(page)
    return collector.batches(monitor_id)


def check_signature(batch: Batch) -> dict:
    """Verify a batch's SigV4 signature, header-signed (fetch) or presigned (beacon)."""
    if "authorization" in batch.headers:
        return check_header_signature("POST", batch.path, batch.headers, batch.raw, SECRET_KEY)
    assert "X-Amz-Signature" in batch.query, f"an unsigned batch: {batch.headers}"
    return check_presigned("POST", batch.path, batch.query, batch.headers, batch.raw, SECRET_KEY)


def page_exceptions(page: Page) -> list[str]:
    """Uncaught exceptions in the page other than the test's own deliberate one."""
    return [text for text in exception_texts(page) if ERROR_MESSAGE not in text]


def collector_failures(page: Page, collector: Collector) -> list[str]:
    """Requests from the page to the data plane that the browser failed (CORS, refused, ...)."""
    urls = {
        e["params"]["requestId"]: e["params"]["request"]["url"] for e in page.my_events("Network.requestWillBeSent")
    }
    return [
        f"{urls.get(e['params']['requestId'], '?')}: {e['params'].get('errorText')} "
        f"{json.dumps(e['params'].get('corsErrorStatus') or e['params'].get('blockedReason') or '')}"
        for e in page.my_events("Network.loadingFailed")
        if urls.get(e["params"]["requestId"], "").startswith(collector.url)
    ]


def require(events: list[dict], names=EXPECTED) -> None:
    missing = [name for name in names if not any(short(e) == name for e in events)]
    if missing:
        raise AssertionError(
            f"the data plane never received {missing}; it got {sorted({short(e) for e in events}) or 'nothing'}"
        )


def deliver(collector: Collector, monitor_id: str, names=EXPECTED) -> list[dict]:
    """Poll the collector until every event type in ``names`` has arrived for the monitor."""
    events = collector.wait_for(monitor_id, lambda got: {short(e) for e in got} >= set(names), DELIVERY_TIMEOUT)
    require(events, names)
    return events


def matches(pattern: dict, record: dict) -> bool:
    """An event pattern (literal values and ``{"exists": true}``) against a RUM event record."""
    for key, wanted in pattern.items():
        if key not in record:
            return False
        value = record[key]
        if isinstance(wanted, dict):
            if not isinstance(value, dict) or not matches(wanted, value):
                return False
        elif not any(w == value or w == {"exists": True} for w in wanted):
            return False
    return True


def records(batches: list[Batch]) -> list[dict]:
    """Each event as RUM records it (what metric definitions' event patterns are matched against): the batch's
    session metadata merged into the event's own, event keys winning (@aws-rum/web-core EventCache.createEvent)."""
    return [{"event_type": event["type"], "event_details": json.loads(event["details"]),
             "metadata": {**json.loads(batch.payload.get("SessionMetadata") or "{}"), **json.loads(event["metadata"])},
             "application_version": batch.payload["AppMonitorDetails"]["version"]}
            for batch in batches for event in batch.payload["RumEvents"]]
