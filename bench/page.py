"""The page cost of rum.js in headless Chromium: load event and LCP with and without it, per ``snippet.load``.

Everything is served from 127.0.0.1: a small test site (HTML, CSS, a hero image, an app script),
a "CDN" with the real web client (aws-rum-web bundled by esbuild, served gzipped as a CDN would)
and a collector that answers the client's PutRumEvents (with CORS, as the real data plane does).
The page with rum.js loads it the way rumcfn's ``ScriptTag`` output says: ``<script src="/rum.js">``
first in ``<head>``; each strategy's rum.js is the concrete snippet from
``rumcfn.client.snippet.render_concrete``. Every page, the one without RUM too, throws two errors and
rejects a promise before any client can run (inline scripts in ``<head>`` and at the end of ``<body>``);
the collector counts how many of them each variant's client recorded.
"""

from __future__ import annotations

import gzip
import json
import random
import statistics
import struct
import subprocess
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
MONITOR_ID = "2f1c4e1a-6f0b-4d3c-9a55-7f2e8b1c0d9e"


def bundle_client() -> bytes:
    """The real web client as one IIFE (what AWS's CDN serves as cwr.js)."""
    done = subprocess.run([str(ROOT / "node_modules/.bin/esbuild"),
                           str(ROOT / "node_modules/aws-rum-web/dist/es/index-browser.js"),
                           "--bundle", "--format=iife", "--minify", "--log-level=error"],
                          capture_output=True, check=True, timeout=120)
    return done.stdout


#: A site's entry point that imports the module ``rumcfn snippet --format module`` wrote (its default export is
#: the client, or with a deferred ``snippet.load`` a Promise of it).
MODULE_ENTRY = "import awsRum from './rum-module.js';\nPromise.resolve(awsRum).then((c) => { window.__rum = c; });\n"


def bundle_module(package: str, endpoint: str, load: str) -> bytes:
    """The module for ``package`` (unsigned) and ``snippet.load``, bundled and minified as a site's bundler
    would (esbuild, one ES module)."""
    import os
    import tempfile

    from rumcfn.client.module import render_module
    from rumcfn.client.snippet import concrete

    client = concrete(app_monitor_id=MONITOR_ID, region="us-east-1", unsigned=True, endpoint=endpoint, load=load)
    with tempfile.TemporaryDirectory(prefix="rumcfn-bench-module-") as work:
        Path(work, "rum-module.js").write_text(render_module(client, package))
        Path(work, "entry.js").write_text(MODULE_ENTRY)
        done = subprocess.run([str(ROOT / "node_modules/.bin/esbuild"), str(Path(work, "entry.js")), "--bundle",
                               "--format=esm", "--minify", "--log-level=error"], capture_output=True, check=True,
                              timeout=120, env=dict(os.environ, NODE_PATH=str(ROOT / "node_modules")))
    return done.stdout


def png(width: int, height: int, seed: int = 7) -> bytes:
    """A deterministic photo-like PNG (gradient plus noise, so it does not compress to nothing)."""
    rng = random.Random(seed)
    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            n = rng.randrange(4)
            rows += bytes(((x * 255 // width + n) & 255, (y * 255 // height + n) & 255, (96 + n) & 255))
    chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))  # noqa: E731
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes(rows), 6)) + chunk(b"IEND", b""))


LOREM = ("Real-user monitoring measures what visitors actually experience: how fast the largest element "
         "paints, how much the layout shifts, how quickly the page answers a tap. ")


#: What every page throws before a client can run: in ``<head>`` after the loader's tag, and at the end of
#: ``<body>`` (the failing inline scripts a real site has), plus an unhandled rejection.
EARLY_HEAD = ("<script>window.__stub = window.cwr; Promise.reject(new Error('rumcfn bench: early rejection'));"
              "throw new Error('rumcfn bench: early error in head');</script>")
EARLY_BODY = "<script>throw new Error('rumcfn bench: early error in body');</script>"
EARLY_ERRORS_PER_LOAD = 3


def site_files(rum_js: dict[str, str], modules: dict[str, bytes] | None = None,
               prefixes: tuple[str, ...] = ("",)) -> dict[str, tuple[bytes, str]]:
    """path -> (body, content type) of the test site. ``rum_js``: strategy -> its rum.js; ``modules``: name ->
    the bundle. Each page is served under every prefix (one per network profile), so the collector can
    tell which profile's loads an event came from (the client's page id is the path)."""
    from rumcfn.client.snippet import script_tag

    paragraphs = "\n".join(f"<p>{LOREM * 3}</p>" for _ in range(24))
    items = ",".join(f'{{"id":{i},"name":"Product {i}","price":{(i * 37) % 200 + 0.99}}}' for i in range(400))
    app = ("(function(){var data=[" + items + "];var ul=document.createElement('ul');"
           "data.slice(0,50).forEach(function(p){var li=document.createElement('li');"
           "li.textContent=p.name+' '+p.price.toFixed(2);ul.appendChild(li);});"
           "document.getElementById('products').appendChild(ul);})();\n")
    css = "\n".join(f".c{i}{{margin:{i % 7}px;padding:{i % 5}px;color:#{i * 9973 % 0xFFFFFF:06x}}}" for i in range(150))
    css += "\nbody{font-family:sans-serif;max-width:1000px;margin:0 auto}img{display:block;width:100%;height:auto}\n"

    def page(head: str) -> bytes:
        return (f"<!doctype html><html lang=en><head><meta charset=utf-8>{head}{EARLY_HEAD}<title>Shop</title>"
                f"<meta name=viewport content='width=device-width'><link rel=stylesheet href=/style.css>"
                f"<script src=/app.js defer></script></head><body><header><h1>Example shop</h1></header>"
                f"<img src=/hero.png width=1000 height=450 alt=hero><main>{paragraphs}"
                f"<section id=products></section></main>{EARLY_BODY}</body></html>").encode()

    html = "text/html; charset=utf-8"
    pages = {"/page.html": page("")}
    for load in rum_js:  # what the ScriptTag output says, for each strategy's rum.js
        pages[f"/page-{load}.html"] = page(script_tag(f"rum-{load}.js"))
    for name in modules or {}:
        pages[f"/page-{name}.html"] = page(f'<script type=module src="/{name}.js"></script>')
    files = {f"{prefix}{path}": (body, html) for prefix in prefixes for path, body in pages.items()}
    files.update({f"/rum-{load}.js": (text.encode(), "application/javascript; charset=utf-8")
                  for load, text in rum_js.items()})
    files.update({f"/{name}.js": (body, "application/javascript") for name, body in (modules or {}).items()})
    return {
        **files,
        "/style.css": (css.encode(), "text/css"),
        "/app.js": (app.encode(), "application/javascript"),
        "/hero.png": (png(480, 216), "image/png"),  # ~160 KB, shown 1000 px wide
    }


def static_server(files: dict[str, tuple[bytes, str]]) -> ThreadingHTTPServer:
    """Serves ``files`` over HTTP/1.1 keep-alive, gzip for text when asked (as a CDN would)."""
    compressed = {path: gzip.compress(body, 6) for path, (body, kind) in files.items() if not kind.startswith("image/")}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802
            path = self.path.split("?")[0]
            if path not in files:
                self.send_error(404)
                return
            body, kind = files[path]
            self.send_response(200)
            if path in compressed and "gzip" in (self.headers.get("Accept-Encoding") or ""):
                body = compressed[path]
                self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "max-age=300")
            self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    return Server(("127.0.0.1", 0), Handler)


class Collector:
    """The RUM data plane's PutRumEvents, with CORS; counts batches and events, and js_error events per page."""

    def __init__(self):
        self.batches, self.events, self.types, self.errors = 0, 0, {}, {}
        collector = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def cors(self):
                self.send_header("Access-Control-Allow-Origin", self.headers.get("Origin") or "*")
                self.send_header("Access-Control-Allow-Methods", "POST, OPTIONS")
                self.send_header(
                    "Access-Control-Allow-Headers", self.headers.get("Access-Control-Request-Headers") or "*"
                )
                self.send_header("Access-Control-Allow-Credentials", "true")
                self.send_header("Access-Control-Max-Age", "600")

            def do_OPTIONS(self):  # noqa: N802
                self.send_response(204)
                self.cors()
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Content-Encoding") == "gzip" or body[:2] == b"\x1f\x8b":
                    body = gzip.decompress(body)
                try:
                    events = json.loads(body).get("RumEvents", [])
                except ValueError:
                    events = []
                collector.batches += 1
                collector.events += len(events)
                for event in events:
                    kind = str(event.get("type", "?")).rsplit(".", 1)[-1]
                    collector.types[kind] = collector.types.get(kind, 0) + 1
                    if kind == "js_error_event":
                        try:
                            page = json.loads(event.get("metadata") or "{}").get("pageId", "?")
                        except ValueError:
                            page = "?"
                        collector.errors[page] = collector.errors.get(page, 0) + 1
                self.send_response(200)
                self.cors()
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = Server(("127.0.0.1", 0), Handler)


class Server(ThreadingHTTPServer):
    """Quiet about clients that hang up (closing a browser context resets its connections)."""

    daemon_threads = True

    def handle_error(self, request, client_address):
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


def serve(server: ThreadingHTTPServer) -> str:
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def summary(samples: list[dict], key: str) -> dict[str, float]:
    values = [s[key] for s in samples]
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "q1": statistics.quantiles(values, n=4, method="inclusive")[0] if len(values) > 3 else min(values),
        "q3": statistics.quantiles(values, n=4, method="inclusive")[2] if len(values) > 3 else max(values),
        "n": len(values),
    }


#: Page variants: rum.js (the ScriptTag output) with each ``snippet.load``, and the bundled module.
VARIANTS = {
    "without rum.js": "/page.html",
    "rum.js, load = after-load (default)": "/page-after-load.html",
    "rum.js, load = idle": "/page-idle.html",
    "rum.js, load = eager": "/page-eager.html",
    "module, web-slim, load = after-load": "/page-module-slim-after-load.html",
    "module, web-slim, load = eager": "/page-module-slim-eager.html",
    "module, full aws-rum-web, load = eager": "/page-module-full-eager.html",
}
#: The variant the page-load target is about: rumcfn's default.
DEFAULT = "rum.js, load = after-load (default)"
#: How the page tells that its client runs: the snippet's client replaced window.cwr, a module resolved.
CLIENT_RUNS = "(window.__stub !== undefined && window.cwr !== window.__stub) || window.__rum !== undefined"

PROFILES = [
    {"name": "localhost, no throttling", "latency": 0, "down": 0, "up": 0},
    {
        "name": "throttled: 40 ms RTT, 10 Mbit/s down, 5 Mbit/s up",
        "latency": 40,
        "down": 10_000_000 / 8,
        "up": 5_000_000 / 8,
    },
]


def measure(runs: int = 9, warmup: int = 1, throttled_runs: int = 5) -> dict[str, Any]:
    from rumcfn.client.module import FULL, SLIM
    from rumcfn.client.snippet import render_concrete

    client = bundle_client()
    collector = Collector()
    collector_url = serve(collector.server)
    cdn = static_server({"/cwr.js": (client, "application/javascript")})
    cdn_url = serve(cdn)
    rum_js = {
        load: render_concrete(app_monitor_id=MONITOR_ID, region="us-east-1", unsigned=True, endpoint=collector_url,
                              client_url=f"{cdn_url}/cwr.js", load=load)
        for load in ("after-load", "idle", "eager")
    }
    modules = {f"module-{name}-{load}": bundle_module(package, collector_url, load)
               for name, package, load in (("slim", SLIM, "after-load"), ("slim", SLIM, "eager"),
                                           ("full", FULL, "eager"))}
    prefixes = tuple(f"/p{index}" for index in range(len(PROFILES)))
    files = site_files(rum_js, modules, prefixes)
    site = static_server(files)
    site_url = serve(site)
    profiles = [
        dict(PROFILES[0], runs=runs, warmup=warmup, prefix=prefixes[0]),
        dict(PROFILES[1], runs=throttled_runs, warmup=min(warmup, 1), prefix=prefixes[1]),
    ]
    config = {
        "chromium": CHROMIUM,
        "site": site_url,
        "variants": VARIANTS,
        "profiles": profiles,
        "settle": 200,
        "clientRuns": CLIENT_RUNS,
        "withoutRum": "without rum.js",
    }
    try:
        done = subprocess.run(
            ["node", str(HERE / "page.mjs"), json.dumps(config)], capture_output=True, text=True, cwd=ROOT, timeout=1500
        )
        if done.returncode != 0:
            raise RuntimeError(f"page.mjs failed: {done.stderr.strip()[-800:]}")
        results = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        for server in (site, cdn, collector.server):
            server.shutdown()
    builds = {
        "CDN cwr.js (full client, loaded by the snippet)": client,
        "bundled module, full `aws-rum-web`": modules["module-full-eager"],
        "bundled module, `@aws-rum/web-slim` + the telemetries' plugins": modules["module-slim-eager"],
    }
    out: dict[str, Any] = {
        "profiles": {},
        "client_bytes": len(client),
        "client_gzip": len(gzip.compress(client, 6)),
        "builds": {name: (len(body), len(gzip.compress(body, 6))) for name, body in builds.items()},
        "page_bytes": {name: len(body) for name, (body, _) in files.items()},
        "rum_js_bytes": {load: len(text.encode()) for load, text in rum_js.items()},
        "collector": {
            "batches": collector.batches,
            "events": collector.events,
            "types": dict(sorted(collector.types.items())),
        },
    }
    for profile, (name, samples) in zip(profiles, results.items(), strict=True):
        rows = {}
        for variant, runs_ in samples.items():
            measured = [s for s in runs_ if not s.get("warmup")]
            loads = len(runs_)  # warm-up loads send errors too
            page_id = profile["prefix"] + VARIANTS[variant]
            rows[variant] = {
                "load": summary(measured, "load"),
                "lcp": summary(measured, "lcp"),
                "dcl": summary(measured, "dcl"),
                "bytes": statistics.median(s["bytes"] for s in measured),
                "rum_loaded": sum(1 for s in measured if s["rumLoaded"]),
                "client_at": statistics.median(s["clientAt"] for s in measured) if all(
                    s["clientAt"] is not None for s in measured) else None,
                "early_errors": (collector.errors.get(page_id, 0), EARLY_ERRORS_PER_LOAD * loads),
                "n": len(measured),
            }
        out["profiles"][name] = rows
    return out
