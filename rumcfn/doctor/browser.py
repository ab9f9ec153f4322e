"""``--browser``: load the page in headless Chromium and prove the web client sends a batch, recording nothing.

Chromium (Debian's ``chromium``, over the DevTools pipe of :mod:`rumcfn.doctor.cdp`) loads the page
with the DevTools Fetch domain pausing every request to ``<endpoint>/appmonitors/*``. Each one (CORS
preflight, ``fetch`` or ``sendBeacon``) is answered locally with 200, so it never reaches the data plane
and nothing is recorded; the request itself proves the client got that far (past CSP, the sample rate,
Cognito). The doctor asks the client to dispatch; if nothing comes, it hides the page (navigating away),
which makes the client send by beacon. Every wait has a deadline, and ends early once Chromium has refused the
data plane under the page's Content-Security-Policy (nothing can come after that). ``RUMCFN_CHROMIUM`` names the binary,
``RUMCFN_CHROMIUM_FLAGS`` adds flags (a proxy, ``--no-sandbox``).
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import shlex
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from rumcfn.client.loader import data_plane_prefix
from rumcfn.doctor.cdp import Browser, CDPError, Page
from rumcfn.text import clipped

#: The loader's queueing stub (``window[n]=function(c,p){x.q.push(...)}``) until the client replaces it.
CLIENT_LOADED = "typeof window.cwr === 'function' && !String(window.cwr).includes('q.push')"
#: The longest problem shown: Chromium's refusal of a data plane, with its note on a fallback directive, takes about
#: 320 characters; whatever a page logs beyond this is cut, visibly.
PROBLEM_CHARS = 500


@dataclass
class Outcome:
    """What the page sent to the data plane (every request answered locally) and what went wrong on the way."""

    requests: list[str] = field(default_factory=list)  # "POST <url> (fetch, 3 events: page_view, ...)"
    batches: int = 0
    problems: list[str] = field(default_factory=list)


def _body(request: dict) -> bytes:
    entries = request.get("postDataEntries") or []
    if entries:
        return b"".join(base64.b64decode(e.get("bytes", "")) for e in entries)
    return (request.get("postData") or "").encode("utf-8", errors="surrogateescape")


def describe_batch(request: dict) -> str:
    """``N events: types`` when the body is a PutRumEvents batch (JSON, possibly gzip-encoded)."""
    raw = _body(request)
    try:
        payload = json.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)
        types = sorted({e["type"].removeprefix("com.amazon.rum.").removesuffix("_event") for e in payload["RumEvents"]})
        return f"{len(payload['RumEvents'])} event(s): {', '.join(types)}"
    except (ValueError, KeyError, TypeError, OSError):
        return f"{len(raw)} bytes"


def _answer(page: Page, event: dict) -> None:
    """200 for the batch; for a CORS preflight, the headers the client asks for."""
    request = event["params"]["request"]
    headers = {k.lower(): v for k, v in request.get("headers", {}).items()}
    reply = [{"name": "Access-Control-Allow-Origin", "value": headers.get("origin", "*")},
             {"name": "Content-Type", "value": "application/json"}, {"name": "Vary", "value": "Origin"}]
    if request["method"] == "OPTIONS":
        reply += [{"name": "Access-Control-Allow-Methods", "value": "POST"},
                  {"name": "Access-Control-Allow-Headers", "value": headers.get("access-control-request-headers", "")},
                  {"name": "Access-Control-Max-Age", "value": "0"}]
    page.send("Fetch.fulfillRequest", {"requestId": event["params"]["requestId"], "responseCode": 200,
                                       "responseHeaders": reply, "body": base64.b64encode(b"{}").decode()})


def refuses(event: dict, data_plane: str) -> bool:
    """Chromium refused a connection to the data plane under the page's Content-Security-Policy (a ``security``
    console entry quoting the URL): every later batch and beacon is refused the same way."""
    entry = event.get("params", {}).get("entry", {})
    return event["method"] == "Log.entryAdded" and entry.get("source") == "security" and data_plane in entry.get(
        "text", "")


def _serve(page: Page, outcome: Outcome, start: int, seconds: float, until_batch: bool = True, *,
           data_plane: str) -> int:
    """Answer paused data-plane requests for ``seconds`` (or until a batch came, or until Chromium refused the
    ``data_plane`` prefix); the next event index."""
    browser = page.browser
    deadline = time.monotonic() + seconds
    while not (until_batch and outcome.batches):
        left = deadline - time.monotonic()
        if left <= 0:
            return start
        try:
            event = browser.wait_for(
                lambda e: e.get("sessionId") == page.session
                and (e["method"] == "Fetch.requestPaused" or refuses(e, data_plane)),
                left,
                "a request to the data plane",
                start=start,
            )
        except CDPError:
            return start
        start = browser.events.index(event, start) + 1
        if event["method"] != "Fetch.requestPaused":
            return start
        _answer(page, event)
        request = event["params"]["request"]
        kind = "beacon" if event["params"].get("resourceType") == "Ping" else "fetch"
        if request["method"] == "POST":
            outcome.batches += 1
            outcome.requests.append(f"POST {request['url']} ({kind}, {describe_batch(request)})")
        else:
            outcome.requests.append(f"{request['method']} {request['url']} (CORS preflight)")
    return start


def _leave(page: Page, outcome: Outcome, start: int, data_plane: str, quiet: float = 1.0, most: float = 10.0) -> None:
    """Navigate away while still intercepting, and answer what the page sends as it goes (its beacon),
    until it has been quiet for ``quiet`` seconds: closing the browser earlier would end the interception
    and let a last beacon reach the real data plane."""
    page.send("Page.navigate", {"url": "about:blank"})
    deadline = time.monotonic() + most
    while time.monotonic() < deadline:
        before = len(outcome.requests)
        start = _serve(page, outcome, start, quiet, until_batch=False, data_plane=data_plane)
        if len(outcome.requests) == before:
            return


def _problems(page: Page) -> list[str]:
    """CSP refusals and other console errors, uncaught exceptions, failed requests (not those the doctor's own
    navigation away cancelled)."""
    found = []
    for event in page.my_events("Log.entryAdded"):
        entry = event["params"]["entry"]
        if entry.get("level") == "error" and not entry.get("url", "").endswith("/favicon.ico"):
            found.append(entry.get("text", ""))
    for event in page.my_events("Runtime.exceptionThrown"):
        details = event["params"]["exceptionDetails"]
        found.append((details.get("exception") or {}).get("description") or details.get("text", ""))
    urls = {
        e["params"]["requestId"]: e["params"]["request"]["url"] for e in page.my_events("Network.requestWillBeSent")
    }
    for event in page.my_events("Network.loadingFailed"):
        params = event["params"]
        if params.get("canceled"):
            continue
        found.append(
            (
                f"{urls.get(params['requestId'], '?')}: {params.get('errorText')} "
                f"{params.get('blockedReason') or ''}"
            ).strip()
        )
    return list(dict.fromkeys(clipped(" ".join(p.split()), PROBLEM_CHARS) for p in found if p))


def send_one_batch(url: str, endpoint: str, *, timeout: float = 15, flags: tuple[str, ...] = ()) -> Outcome:
    """Load ``url`` and wait for the client's first batch to ``endpoint``, answering it locally."""
    extra = tuple(flags) + tuple(shlex.split(os.environ.get("RUMCFN_CHROMIUM_FLAGS", "")))
    outcome = Outcome()
    with tempfile.TemporaryDirectory(prefix="rumcfn-doctor-") as tmp:
        profile = Path(tmp) / "profile"
        profile.mkdir()
        try:
            browser = Browser(profile, extra)
        except (CDPError, OSError) as error:
            outcome.problems.append(str(error).splitlines()[0])
            return outcome
        try:
            page = browser.new_page()
            page.send("Log.enable")
            data_plane = data_plane_prefix(endpoint)
            page.send("Fetch.enable", {"patterns": [{"urlPattern": f"{data_plane}*", "requestStage": "Request"}]})
            start = len(browser.events)
            page.goto(url, timeout)
            try:
                page.wait_until(CLIENT_LOADED, timeout, "the RUM web client to load")
                page.evaluate("cwr('dispatch'), true")
            except CDPError as error:
                outcome.problems.append(str(error).split(" (")[0])
            start = _serve(page, outcome, start, timeout, data_plane=data_plane)
            _leave(page, outcome, start, data_plane)  # hidden, the client sends what it has left by beacon
            outcome.problems.extend(_problems(page))  # after the quiet second of leaving: every entry is in
        except CDPError as error:
            outcome.problems.append(str(error))
        finally:
            browser.close()
    return outcome
