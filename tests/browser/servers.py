"""The local stand-ins the browser talks to, all on 127.0.0.1.

- ``Collector``: the RUM data plane. Accepts ``POST /appmonitors/<id>`` (JSON, gzip-encoded or
  not), answers CORS preflights, and records every request with its events decoded. Like AWS it
  answers with an ``x-amzn-RequestId``, and refuses a batch without PutRumEvents' required members
  (400 ``ValidationException``) before recording anything.
- ``Site``: the monitored website. ``/m/<key>/<page>.html`` pages load ``rum.js`` (relative, so
  each key serves its own snippet; or carry it inline for keys in ``inline``), the web client
  bundle at ``/client/cwr.js`` (``?delay=MS`` holds it back), and ``/api/fail`` answers 500 for the
  failing fetch. ``early.html`` throws, fetches and shifts its layout before the client can exist.
- ``TrapProxy``: Chromium's proxy for everything that is not loopback. It records the request
  line (``CONNECT host:443`` or ``GET http://...``) and refuses, so nothing leaves the machine
  and every attempt is visible.
"""

from __future__ import annotations

import gzip
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from tests.support.http import QuietHandler, Server

SITE_FILES = Path(__file__).resolve().parent / "site"

#: Headers the stand-in data plane lets a cross-origin page send (what the web client uses,
#: signed or not). A header outside this list makes the browser's preflight fail, as it would
#: against a data plane that did not allow it.
ALLOWED_HEADERS = (
    "content-type", "content-encoding", "authorization", "x-amz-date", "x-amz-security-token",
    "x-amz-content-sha256", "x-amz-user-agent", "amz-sdk-invocation-id", "amz-sdk-request",
)


# -- the data plane ----------------------------------------------------------------------------
@dataclass
class Batch:
    """One PutRumEvents request as the collector received it."""

    monitor_id: str
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    raw: bytes
    payload: dict
    events: list[dict] = field(default_factory=list)  # metadata and details parsed

    @property
    def gzipped(self) -> bool:
        return self.headers.get("content-encoding") == "gzip"


@dataclass
class Preflight:
    monitor_id: str
    origin: str
    method: str
    headers: tuple[str, ...]
    allowed: bool


def required_members() -> tuple[str, ...]:
    """PutRumEvents' required body members (botocore's RUM model; ``Id`` is the path's ``{Id}``)."""
    import botocore.session

    shape = botocore.session.get_session().get_service_model("rum").operation_model("PutRumEvents").input_shape
    return tuple(name for name in shape.required_members if shape.members[name].serialization.get("location") is None)


class CollectorHandler(QuietHandler):
    server_obj: "Collector"
    PATH = re.compile(r"/appmonitors/([\w-]+)")
    REQUIRED = required_members()

    def aws(self, cors: dict[str, str], error: str = "") -> dict[str, str]:
        """The headers of an AWS rest-json answer: a request id, and the error type when it is one
        (botocore/parsers.py reads both from these headers)."""
        headers = dict(cors, **{"x-amzn-RequestId": str(uuid.uuid4())})
        if error:
            headers["x-amzn-ErrorType"] = error
        return headers

    def do_OPTIONS(self):
        match = self.PATH.fullmatch(urlsplit(self.path).path)
        requested = tuple(h.strip().lower() for h in self.headers.get("Access-Control-Request-Headers", "").split(",")
                          if h.strip())
        allowed = bool(match) and all(h in ALLOWED_HEADERS for h in requested)
        self.server_obj.record(Preflight(match.group(1) if match else "", self.headers.get("Origin", ""),
                                         self.headers.get("Access-Control-Request-Method", ""), requested, allowed))
        if not allowed:
            self.reply(403, b"preflight refused")
            return
        self.reply(204, headers={
            "Access-Control-Allow-Origin": self.headers.get("Origin", "*"),
            "Access-Control-Allow-Methods": "POST, OPTIONS",
            "Access-Control-Allow-Headers": ", ".join(ALLOWED_HEADERS),
            "Access-Control-Max-Age": "0",
            "Vary": "Origin",
        })

    def do_POST(self):
        split = urlsplit(self.path)
        match = self.PATH.fullmatch(split.path)
        raw = self.body()
        cors = {"Access-Control-Allow-Origin": self.headers.get("Origin", "*"), "Vary": "Origin"}
        if not match:
            self.reply(404, b"not found", headers=cors)
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        data = gzip.decompress(raw) if headers.get("content-encoding") == "gzip" else raw
        try:
            payload = json.loads(data)
            missing = [name for name in self.REQUIRED if name not in payload]
            if missing:  # what the data plane refuses before recording anything
                self.reply(400, json.dumps({"message": f"missing {', '.join(missing)}"}).encode(), "application/json",
                           self.aws(cors, "ValidationException"))
                return
            events = [dict(e, metadata=json.loads(e["metadata"]), details=json.loads(e["details"]))
                      for e in payload["RumEvents"]]
        except (ValueError, KeyError, TypeError) as error:
            self.server_obj.errors.append(f"{self.path}: unparseable batch ({error}): {data[:200]!r}")
            self.reply(400, b'{"message":"bad batch"}', "application/json", cors)
            return
        self.server_obj.record(Batch(match.group(1), "POST", split.path, parse_qs(split.query), headers, raw,
                                     payload, events))
        self.reply(200, b"{}", "application/json", self.aws(cors))


class Collector(Server):
    handler = CollectorHandler

    def __init__(self):
        self.records: list[Batch | Preflight] = []
        self.errors: list[str] = []
        self._cond = threading.Condition()
        super().__init__()

    def record(self, item) -> None:
        with self._cond:
            self.records.append(item)
            self._cond.notify_all()

    def batches(self, monitor_id: str) -> list[Batch]:
        with self._cond:
            return [r for r in self.records if isinstance(r, Batch) and r.monitor_id == monitor_id]

    def preflights(self, monitor_id: str) -> list[Preflight]:
        with self._cond:
            return [r for r in self.records if isinstance(r, Preflight) and r.monitor_id == monitor_id]

    def anything_for(self, monitor_id: str) -> list:
        with self._cond:
            return [r for r in self.records if r.monitor_id == monitor_id]

    def events(self, monitor_id: str) -> list[dict]:
        return [e for b in self.batches(monitor_id) for e in b.events]

    def wait_for(self, monitor_id: str, done: Callable[[list[dict]], bool], timeout: float = 15) -> list[dict]:
        """Poll until ``done(events)`` holds for the monitor's events; return them either way."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                events = [e for r in self.records if isinstance(r, Batch) and r.monitor_id == monitor_id
                          for e in r.events]
                left = deadline - time.monotonic()
                if done(events) or left <= 0:
                    return events
                self._cond.wait(min(left, 0.5))


# -- the website -------------------------------------------------------------------------------
class SiteHandler(QuietHandler):
    server_obj: "Site"

    def do_GET(self):
        site = self.server_obj
        path = urlsplit(self.path).path
        site.requests.append(path)
        if path == "/client/cwr.js":
            # ?delay=MS holds the client back, as a slow network would (what a late client misses).
            delay = parse_qs(urlsplit(self.path).query).get("delay", ["0"])[0]
            time.sleep(min(int(delay), 5000) / 1000)
            self.reply(200, site.client_bundle.read_bytes(), "text/javascript")
        elif path == "/api/fail":
            self.reply(500, b'{"message":"deliberate failure"}', "application/json")
        elif path == "/favicon.ico":
            self.reply(204)
        elif path in ("/", "/rum.js") and site.root_key in site.snippets:
            # The site root, for the monitor named by ``root_key``.
            if path == "/":
                self.reply(200, (SITE_FILES / "page.html").read_bytes(), "text/html; charset=utf-8")
            else:
                self.reply(200, site.snippets[site.root_key].encode(), "text/javascript")
        elif match := re.fullmatch(r"/m/([\w-]+)/(rum\.js|[\w-]+\.html)", path):
            key, name = match.groups()
            if key not in site.snippets:
                self.reply(404, b"no such snippet")
            elif name == "rum.js":
                self.reply(200, site.snippets[key].encode(), "text/javascript")
            else:
                html = (SITE_FILES / ("early.html" if name == "early.html" else "page.html")).read_text("utf-8")
                if key in site.inline:  # the snippet pasted into the page (``rumcfn snippet --html``)
                    html = html.replace('<script src="rum.js"></script>\n', site.snippets[key], 1)
                self.reply(200, html.encode(), "text/html; charset=utf-8")
        else:
            self.reply(404, b"not found")

    do_HEAD = do_GET

    def do_POST(self):
        self.body()
        self.do_GET()


class Site(Server):
    handler = SiteHandler

    def __init__(self, client_bundle: Path):
        self.client_bundle = client_bundle
        self.snippets: dict[str, str] = {}
        self.root_key = ""
        self.inline: set[str] = set()
        self.requests: list[str] = []
        super().__init__()

    def page(self, key: str, name: str = "index") -> str:
        return f"{self.url}/m/{key}/{name}.html"


class VitalsHandler(QuietHandler):
    server_obj: "VitalsSite"

    def do_GET(self):
        site = self.server_obj
        split = urlsplit(self.path)
        query = {key: values[-1] for key, values in parse_qs(split.query).items()}
        site.requests.append(self.path)
        if split.path == "/client/cwr.js":
            self.reply(200, site.client_bundle.read_bytes(), "text/javascript")
        elif split.path == "/rum.js" and site.snippet:
            self.reply(200, site.snippet.encode(), "text/javascript")
        elif split.path == "/slow.css":
            time.sleep(int(query.get("delay", "0")) / 1000)
            self.reply(200, b"#text { color: #222; }", "text/css")
        elif split.path == "/favicon.ico":
            self.reply(204)
        else:
            time.sleep(int(query.get("ttfb", "0")) / 1000)
            html = (SITE_FILES / "vitals.html").read_text(encoding="utf-8")
            if site.snippet:
                html = html.replace(  # window.__stub: the loader's queue, as page.html keeps it (flow.wait_for_client)
                    "<!--rum-->", '<script src="/rum.js"></script><script>window.__stub = window.cwr;</script>')
            if query.get("css"):
                html = html.replace("<!--css-->", f'<link rel="stylesheet" href="/slow.css?delay={int(query["css"])}">')
            self.reply(int(query.get("status", "200")), html.encode(), "text/html; charset=utf-8")

    do_HEAD = do_GET


class VitalsSite(Server):
    """A site whose every path is the vitals page (so route templates can be tried on any path): ``?css=MS``
    delays its stylesheet (first and largest paint come later), ``?ttfb=MS`` its HTML, ``?shift=1`` shifts its
    layout after the first paint, ``?error=1`` throws. With ``snippet`` set, each page loads it as /rum.js."""

    handler = VitalsHandler

    def __init__(self, client_bundle: Path, snippet: str = ""):
        self.client_bundle = client_bundle
        self.snippet = snippet
        self.requests: list[str] = []
        super().__init__()


# -- the trap ----------------------------------------------------------------------------------
class TrapHandler(BaseHTTPRequestHandler):
    server_obj: "TrapProxy"

    def handle_one_request(self):
        self.raw_requestline = self.rfile.readline(65537)
        if self.raw_requestline:
            self.server_obj.attempts.append(self.raw_requestline.decode("latin-1").strip())
            self.wfile.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        self.close_connection = True


class TrapProxy(Server):
    handler = TrapHandler

    def __init__(self):
        self.attempts: list[str] = []
        super().__init__()


def network_flags(proxy_port: int, dead_port: int) -> tuple[str, ...]:
    """Chromium flags that keep the browser on 127.0.0.1: other host names resolve to nothing, every
    non-loopback request goes to the trap proxy (which records and refuses it), and the Google
    service URLs Chromium 156 still calls at startup (the component updater's on-demand check and
    Gaia's ListAccounts, which have no off switch) point at a loopback port nobody listens on."""
    dead = f"http://127.0.0.1:{dead_port}/"
    return (
        f"--proxy-server=http://127.0.0.1:{proxy_port}",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
        f"--component-updater=url-source={dead}",
        f"--gaia-url={dead}",
    )
