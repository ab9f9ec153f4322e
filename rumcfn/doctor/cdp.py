"""A minimal Chrome DevTools Protocol client over ``--remote-debugging-pipe`` (stdlib only).

Chromium reads commands on fd 3 and writes answers and events on fd 4, each message one JSON
object ended by a NUL byte. One reader thread sorts what arrives: answers wake the waiting
``send``; events are appended to ``events`` (every one, in order) and wake ``wait_for``.
``rumcfn doctor --browser`` drives Debian's ``chromium`` with it, and so do the browser tests.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Callable

CHROMIUM = os.environ.get("RUMCFN_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"

#: Headless flags (Debian's chromium, checked on these machines), plus quieting what Chromium 156
#: still fetches at startup despite them: network time, translation, optimization hints, ... Chromium's
#: sandbox stays on except as root, where it cannot run.
FLAGS = (
    "--headless",
    *(("--no-sandbox",) if os.geteuid() == 0 else ()),
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-default-browser-check",
    "--disable-features=Translate,OptimizationHints,MediaRouter,NetworkTimeServiceQuerying,"
    "AutofillServerCommunication,CertificateTransparencyComponentUpdater",
    "--disable-field-trial-config",
    "--disable-client-side-phishing-detection",
    "--disable-domain-reliability",
    "--metrics-recording-only",
    "--safebrowsing-disable-auto-update",
    "--disable-dev-shm-usage",
    "--mute-audio",
    "--window-size=1024,768",
)


class CDPError(RuntimeError):
    pass


def private_home(home: Path) -> dict[str, str]:
    """A home directory (and XDG base directories) of the browser's own: Chromium writes an NSS database,
    caches, crash reports and settings under ``$HOME`` and the XDG directories, which belong to whoever
    runs rumcfn, not to a throwaway browser."""
    folders = {"HOME": home, "XDG_CONFIG_HOME": home / ".config", "XDG_CACHE_HOME": home / ".cache",
               "XDG_DATA_HOME": home / ".local" / "share", "XDG_STATE_HOME": home / ".local" / "state"}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    return {name: str(folder) for name, folder in folders.items()}


class Browser:
    """One headless Chromium and its DevTools pipe; it writes only under ``user_data_dir``'s parent."""

    def __init__(self, user_data_dir: Path, extra_flags: tuple[str, ...] = ()):
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        # bash puts the pipe ends on fds 3 and 4 (dash cannot name fds above 9; and no preexec_fn,
        # which is unsafe in the threads pytest-xdist runs).
        wrapper = 'exec "$0" "$@" 3<&"$RUMCFN_CDP_IN" 4>&"$RUMCFN_CDP_OUT"'
        env = dict(os.environ, RUMCFN_CDP_IN=str(to_chrome_r), RUMCFN_CDP_OUT=str(from_chrome_w),
                   **private_home(user_data_dir.parent / "home"))
        args = [
            *FLAGS,
            *extra_flags,
            f"--user-data-dir={user_data_dir}",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        self._log = open(user_data_dir.parent / "chromium.log", "wb")
        self.proc = subprocess.Popen(
            ["/bin/bash", "-c", wrapper, CHROMIUM, *args],
            env=env,
            pass_fds=(to_chrome_r, from_chrome_w),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._lock = threading.Lock()
        self._cond = threading.Condition()
        self._next_id = 0
        self._answers: dict[int, dict] = {}
        self.events: list[dict] = []
        self._closed = False
        self._reader = threading.Thread(target=self._read, name="cdp-reader", daemon=True)
        self._reader.start()
        self.log_path = user_data_dir.parent / "chromium.log"
        try:
            self.send("Browser.getVersion", timeout=30)  # the pipe is up
        except CDPError as error:
            self.close()
            tail = self.log_path.read_text(errors="replace")[-2000:]
            raise CDPError(f"Chromium ({CHROMIUM}) did not start: {error}\n{tail}") from None

    # -- transport -------------------------------------------------------------------------
    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = os.read(self._from_chrome, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                break
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            with self._cond:
                for raw in messages:
                    message = json.loads(raw)
                    if "id" in message:
                        self._answers[message["id"]] = message
                    else:
                        self.events.append(message)
                self._cond.notify_all()
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def send(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 15) -> dict:
        with self._lock:
            self._next_id += 1
            ident = self._next_id
            message: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
            if session:
                message["sessionId"] = session
            os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        with self._cond:
            while ident not in self._answers:
                left = deadline - time.monotonic()
                if self._closed or left <= 0:
                    raise CDPError(
                        f"{method}: no answer from Chromium within {timeout:g} s"
                        + (" (browser exited)" if self._closed else "")
                    )
                self._cond.wait(left)
            answer = self._answers.pop(ident)
        if "error" in answer:
            raise CDPError(f"{method}: {answer['error']}")
        return answer.get("result", {})

    def wait_for(self, predicate: Callable[[dict], bool], timeout: float, what: str, start: int = 0) -> dict:
        """The first event (from index ``start``) matching ``predicate``, waiting up to ``timeout`` s."""
        deadline = time.monotonic() + timeout
        index = start
        with self._cond:
            while True:
                while index < len(self.events):
                    if predicate(self.events[index]):
                        return self.events[index]
                    index += 1
                left = deadline - time.monotonic()
                if self._closed or left <= 0:
                    raise CDPError(f"timed out after {timeout:g} s waiting for {what}")
                self._cond.wait(left)

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except CDPError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        for fd in (self._to_chrome, self._from_chrome):
            try:
                os.close(fd)
            except OSError:
                pass
        self._log.close()

    # -- pages -----------------------------------------------------------------------------
    def new_page(self) -> "Page":
        """A tab in a fresh browser context (its own cookies and localStorage)."""
        context = self.send("Target.createBrowserContext", {"disposeOnDetach": False})["browserContextId"]
        target = self.send("Target.createTarget", {"url": "about:blank", "browserContextId": context})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        return Page(self, context, target, session)


class Page:
    """One tab, with Page, Runtime and Network events on."""

    def __init__(self, browser: Browser, context: str, target: str, session: str):
        self.browser, self.context, self.target, self.session = browser, context, target, session
        self.first_event = len(browser.events)
        for domain in ("Page", "Runtime", "Network"):
            self.send(f"{domain}.enable")

    def send(self, method: str, params: dict | None = None, timeout: float = 15) -> dict:
        return self.browser.send(method, params, self.session, timeout)

    def my_events(self, method: str | None = None) -> list[dict]:
        return [
            e
            for e in self.browser.events[self.first_event :]
            if e.get("sessionId") == self.session and (method is None or e["method"] == method)
        ]

    def goto(self, url: str, timeout: float = 15) -> None:
        """Navigate and wait for the load event."""
        mark = len(self.browser.events)
        answer = self.send("Page.navigate", {"url": url})
        if answer.get("errorText"):
            raise CDPError(f"navigating to {url}: {answer['errorText']}")
        self.browser.wait_for(
            lambda e: e.get("sessionId") == self.session and e["method"] == "Page.loadEventFired",
            timeout,
            f"the load event of {url}",
            start=mark,
        )

    def evaluate(self, expression: str, timeout: float = 15) -> Any:
        """Evaluate in the page (awaiting promises); the value, or CDPError on a thrown exception."""
        answer = self.send(
            "Runtime.evaluate", {"expression": expression, "awaitPromise": True, "returnByValue": True}, timeout
        )
        if "exceptionDetails" in answer:
            raise CDPError(f"{expression!r} threw: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    def wait_until(self, expression: str, timeout: float, what: str) -> Any:
        """Poll a page expression until it is truthy."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise CDPError(f"timed out after {timeout:g} s waiting for {what} ({expression})")
            time.sleep(0.05)

    def click(self, selector: str) -> None:
        """A real (trusted) mouse click in the middle of ``selector``."""
        box = self.evaluate(
            f"(() => {{ const r = document.querySelector({json.dumps(selector)})"
            ".getBoundingClientRect(); return {x: r.x + r.width / 2, y: r.y + r.height / 2}; })()"
        )
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.send(
                "Input.dispatchMouseEvent",
                {
                    "type": kind,
                    "x": box["x"],
                    "y": box["y"],
                    "button": "left" if kind != "mouseMoved" else "none",
                    "clickCount": 1 if kind != "mouseMoved" else 0,
                },
            )

    def close(self) -> None:
        try:
            self.browser.send("Target.closeTarget", {"targetId": self.target})
            self.browser.send("Target.disposeBrowserContext", {"browserContextId": self.context})
        except CDPError:
            pass
