"""The lab: load a page in headless Chromium under a device profile and read its Web Vitals, run after run.

Each run is a fresh browser context (empty cache, no cookies) in one Debian ``chromium`` driven over the
DevTools pipe (:mod:`rumcfn.doctor.cdp`). The profiles are Lighthouse's (GoogleChrome/lighthouse,
core/config/constants.js): ``mobile`` is its default form factor, the moto g power screen (412 x 823, device
scale factor 1.75, touch) and user agent, on ``throttling.mobileSlow4G`` as DevTools applies it (Lighthouse's
``devtools`` throttling method: request latency 150 ms x 3.75 = 562.5 ms, download 1.6 x 1024 x 0.9 = 1,474.56
Kbps, upload 750 x 0.9 = 675 Kbps, CPU slowed down 4 times); ``desktop`` is its desktop screen (1350 x 940,
scale 1) and user agent, unthrottled (``desktopDense4G`` leaves DevTools' latency and throughput unset, CPU 1).

A run waits for the load event, then until the network has been quiet for 1 s (Lighthouse's default
``pauseAfterLoadMs`` and ``networkQuietThresholdMs``; at most 45 s, its ``maxWaitForLoad``), and reads the vitals
from the page's own performance entries (``templates/vitals.js.j2``, the expression the canary evaluates too). It
also counts what RUM counts per page view: uncaught errors (``js_errors``) and fetch/XHR answers of 500-599
(``http_5xx``). INP and FID need a person's input: a lab without interactions does not measure them.
"""

from __future__ import annotations

import os
import shlex
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from rumcfn.doctor.cdp import CHROMIUM, Browser, CDPError, Page
from rumcfn.errors import OperationFailed
from rumcfn.resources import render


class LabUnavailable(OperationFailed):
    """Chromium could not be started: nothing was measured (exit 1)."""


@dataclass(frozen=True)
class Profile:
    """A device the lab emulates: screen, user agent, network (DevTools units) and CPU slowdown."""

    name: str
    width: int
    height: int
    scale: float
    mobile: bool
    user_agent: str
    latency_ms: float = 0  # 0: no added latency
    download_kbps: float = 0  # 0: unthrottled
    upload_kbps: float = 0
    cpu: float = 1

    def describe(self) -> str:
        network = (f"{self.latency_ms:g} ms latency, {self.download_kbps:g}/{self.upload_kbps:g} Kbps down/up"
                   if self.download_kbps else "unthrottled network")
        return (f"{self.name}: {self.width}x{self.height} at {self.scale:g}x, {network}, "
                + (f"CPU slowed {self.cpu:g}x" if self.cpu != 1 else "CPU unthrottled"))


#: Lighthouse's constants (module docstring): DEVTOOLS_RTT_ADJUSTMENT_FACTOR 3.75, DEVTOOLS_THROUGHPUT_ADJUSTMENT_FACTOR
#: 0.9, mobileSlow4G rttMs 150, throughputKbps 1.6 * 1024, upload 750, cpuSlowdownMultiplier 4;
#: MOTOGPOWER_EMULATION_METRICS and DESKTOP_EMULATION_METRICS; MOTOG4_USERAGENT and DESKTOP_USERAGENT.
RTT_FACTOR, THROUGHPUT_FACTOR = 3.75, 0.9
PROFILES = {
    "mobile": Profile(
        "mobile", 412, 823, 1.75, True,
        "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/119.0.0.0 Mobile Safari/537.36",
        latency_ms=150 * RTT_FACTOR, download_kbps=1.6 * 1024 * THROUGHPUT_FACTOR, upload_kbps=750 * THROUGHPUT_FACTOR,
        cpu=4,
    ),
    "desktop": Profile(
        "desktop", 1350, 940, 1, False,
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/119.0.0.0 Safari/537.36",
    ),
}
#: Lighthouse's defaultSettings: networkQuietThresholdMs (and pauseAfterLoadMs) 1000, maxWaitForLoad 45 s.
QUIET_MS, MOST_SECONDS = 1000, 45
#: What a run measures: the vitals of templates/vitals.js.j2 and RUM's two per-page-view counts.
MEASURED = ("lcp", "cls", "fcp", "ttfb", "navigation", "js_errors", "http_5xx")


@dataclass
class Run:
    """One load of ``url`` under ``device``: each measured value (None: the page had none), the wall time, and
    why nothing could be measured (``problem``)."""

    url: str
    device: str
    values: dict[str, float | None] = field(default_factory=dict)
    seconds: float = 0.0
    problem: str = ""


def throttle(page: Page, profile: Profile) -> None:
    """Apply the profile to the tab, as Lighthouse's devtools throttling and screen emulation do."""
    page.send("Emulation.setDeviceMetricsOverride", {
        "width": profile.width, "height": profile.height, "deviceScaleFactor": profile.scale,
        "mobile": profile.mobile, "screenWidth": profile.width, "screenHeight": profile.height})
    page.send("Emulation.setTouchEmulationEnabled", {"enabled": profile.mobile})
    page.send("Emulation.setUserAgentOverride", {"userAgent": profile.user_agent})
    page.send("Network.setCacheDisabled", {"cacheDisabled": True})
    if profile.download_kbps:
        # DevTools takes bytes per second; Lighthouse converts Kbps the same way (kbps * 1024 / 8).
        page.send("Network.emulateNetworkConditions", {
            "offline": False, "latency": profile.latency_ms,
            "downloadThroughput": profile.download_kbps * 1024 / 8,
            "uploadThroughput": profile.upload_kbps * 1024 / 8})
    if profile.cpu != 1:
        page.send("Emulation.setCPUThrottlingRate", {"rate": profile.cpu})


def run_once(browser: Browser, url: str, profile: Profile, vitals_js: str, most: float = MOST_SECONDS) -> Run:
    """Load ``url`` once in a fresh context under ``profile`` and measure it."""
    run = Run(url, profile.name)
    started = time.monotonic()
    page = browser.new_page()
    try:
        throttle(page, profile)
        mark = len(browser.events)
        answer = page.send("Page.navigate", {"url": url}, timeout=most)
        if answer.get("errorText"):
            run.problem = f"{url}: {answer['errorText']}"
            return run
        browser.wait_for(lambda e: e.get("sessionId") == page.session and e["method"] == "Page.loadEventFired",
                         most, f"the load event of {url}", start=mark)
        status = _document_status(page, mark, answer.get("loaderId"))
        if status is not None and status >= 400:
            run.problem = f"{url} answered HTTP {status}"
            return run
        wait_quiet(page, mark, started + most)
        values = page.evaluate(vitals_js, timeout=most)
        run.values = {key: values.get(key) for key in ("lcp", "cls", "fcp", "ttfb", "navigation")}
        run.values["js_errors"] = float(len(page.my_events("Runtime.exceptionThrown")))
        run.values["http_5xx"] = float(sum(
            1 for e in page.my_events("Network.responseReceived")
            if e["params"].get("type") in ("Fetch", "XHR") and 500 <= e["params"]["response"]["status"] <= 599))
    except CDPError as error:
        run.problem = f"{url}: {error}"
    finally:
        run.seconds = time.monotonic() - started
        page.close()
    return run


def _document_status(page: Page, start: int, loader: str | None) -> int | None:
    """The HTTP status of the navigation's document (its Network.responseReceived of type Document)."""
    for event in page.browser.events[start:]:
        params = event.get("params", {})
        if (event.get("sessionId") == page.session and event["method"] == "Network.responseReceived"
                and params.get("type") == "Document" and (loader is None or params.get("loaderId") == loader)):
            return int(params["response"]["status"])
    return None


def wait_quiet(page: Page, start: int, deadline: float) -> None:
    """Until none of the tab's requests (seen since event ``start``) has been in flight, and none has started or
    ended, for :data:`QUIET_MS`; or until ``deadline``."""
    network = ("Network.requestWillBeSent", "Network.loadingFinished", "Network.loadingFailed")
    seen, since = -1, time.monotonic()
    while (now := time.monotonic()) < deadline:
        events = [e for e in page.browser.events[start:] if e.get("sessionId") == page.session
                  and e["method"] in network]
        flying: set[str] = set()
        for event in events:
            (flying.add if event["method"] == network[0] else flying.discard)(event["params"]["requestId"])
        if len(events) != seen or flying:
            seen, since = len(events), now
        elif now - since >= QUIET_MS / 1000:
            return
        time.sleep(0.05)


def measure(urls: list[tuple[str, str]], runs: int, *, echo: Callable[[str], None] | None = None,
            flags: tuple[str, ...] = ()) -> list[Run]:
    """``runs`` loads of each (url, device) pair, in one Chromium; ``RUMCFN_CHROMIUM_FLAGS`` adds flags."""
    extra = tuple(flags) + tuple(shlex.split(os.environ.get("RUMCFN_CHROMIUM_FLAGS", "")))
    vitals_js = render("vitals.js.j2")
    results: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="rumcfn-lab-") as tmp:
        profile_dir = Path(tmp) / "profile"
        profile_dir.mkdir()
        if not (os.path.isfile(CHROMIUM) or shutil.which(CHROMIUM)):
            raise LabUnavailable(f"lab: Chromium not found at {CHROMIUM} (RUMCFN_CHROMIUM names the browser)")
        try:
            browser = Browser(profile_dir, extra)
        except (CDPError, OSError) as error:
            raise LabUnavailable(f"lab: Chromium ({CHROMIUM}) did not start: {str(error).splitlines()[0]}") from None
        try:
            for url, device in urls:
                for number in range(1, runs + 1):
                    run = run_once(browser, url, PROFILES[device], vitals_js)
                    results.append(run)
                    if echo:
                        echo(f"lab: {url} ({device}) run {number}/{runs}: {run.problem or _summary(run)}")
        finally:
            browser.close()
    return results


def _summary(run: Run) -> str:
    shown = [f"{key} {value:.4g}" for key, value in run.values.items() if value is not None and key in ("lcp", "cls")]
    return ", ".join(shown) + f" ({run.seconds:.1f} s)"
