"""The lab gate's cost: wall time of ``rumcfn budgets check --lab`` per page and run, in headless Chromium.

Two pages are served from 127.0.0.1 (a plain one, and one whose stylesheet takes 500 ms, as a slow origin
would); each is loaded under the mobile profile (Lighthouse's mobileSlow4G and 4x CPU) and the desktop
profile (unthrottled). The library call is timed per run (``Run.seconds``: a fresh context, the load, the
1 s quiet window, reading the vitals) and as a whole; the CLI is timed as a process, Chromium's start included.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = (b"<!doctype html><html><head><meta name=viewport content='width=device-width'>%s<title>bench</title>"
        b"</head><body><h1>Lab bench</h1><p>A paragraph of text that paints.</p></body></html>")


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # noqa: D102
        pass

    def do_GET(self):  # noqa: N802
        if self.path.startswith("/slow.css"):
            time.sleep(0.5)
            body, kind = b"p { color: #222; }", "text/css"
        elif self.path.startswith("/slow"):
            body, kind = PAGE % b'<link rel="stylesheet" href="/slow.css">', "text/html"
        else:
            body, kind = PAGE % b"", "text/html"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve() -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def measure(runs: int) -> dict:
    """Per (page, device): each run's seconds; the library call's total; one CLI process's wall time."""
    from rumcfn.doctor.lab import measure as lab_measure

    server = serve()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    pages = {"plain": f"{base}/", "slow stylesheet (500 ms)": f"{base}/slow"}
    try:
        started = time.perf_counter()
        done = lab_measure([(url, device) for url in pages.values() for device in ("mobile", "desktop")], runs)
        total = time.perf_counter() - started
        per = {}
        for name, url in pages.items():
            for device in ("mobile", "desktop"):
                mine = [run for run in done if run.url == url and run.device == device]
                per[(name, device)] = {"seconds": [run.seconds for run in mine],
                                       "lcp": [run.values.get("lcp") for run in mine],
                                       "problems": [run.problem for run in mine if run.problem]}
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        cli_started = time.perf_counter()
        cli = subprocess.run([sys.executable, "-m", "rumcfn", "budgets", "check", "--lab", pages["plain"],
                              "--runs", str(runs), "--format", "json"], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=600)
        cli_seconds = time.perf_counter() - cli_started
    finally:
        server.shutdown()
        server.server_close()
    return {"runs": runs, "per": per, "total": total, "loads": len(done), "cli_seconds": cli_seconds,
            "cli_code": cli.returncode}
