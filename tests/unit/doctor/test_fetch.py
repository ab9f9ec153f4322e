"""``doctor.fetch`` with a body: the first-party check's small JSON POST, and what a redirect does to it (as the
Fetch Standard's "HTTP-redirect fetch" says: 307 and 308 keep the method and body, 301, 302 and 303 make a GET
without a body)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rumcfn.doctor.fetch import fetch


class Recorder(BaseHTTPRequestHandler):
    """``/redirect/<status>`` answers that redirect to ``/end``; ``/end`` answers 200. Every request is kept."""

    seen: list[tuple[str, str, bytes, str | None]] = []

    def handle_one(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.seen.append((self.command, self.path, body, self.headers.get("Content-Type")))
        if self.path.startswith("/redirect/"):
            self.send_response(int(self.path.rsplit("/", 1)[1]))
            self.send_header("Location", "/end")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    do_GET = do_POST = handle_one

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server(loopback_only):
    Recorder.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_json_body_is_posted_as_application_json(server):
    answer = fetch(f"{server}/end", 5, json_body=b"{}")
    assert answer.ok and Recorder.seen == [("POST", "/end", b"{}", "application/json")]
    assert fetch(f"{server}/end", 5).ok and Recorder.seen[-1] == ("GET", "/end", b"", None)


@pytest.mark.parametrize("status", [307, 308])
def test_a_307_or_308_keeps_the_post(server, status):
    assert fetch(f"{server}/redirect/{status}", 5, json_body=b"{}").ok
    assert [(method, path, body) for method, path, body, _ in Recorder.seen] == [
        ("POST", f"/redirect/{status}", b"{}"), ("POST", "/end", b"{}")]


@pytest.mark.parametrize("status", [301, 302, 303])
def test_any_other_redirect_becomes_a_get_without_the_body(server, status):
    assert fetch(f"{server}/redirect/{status}", 5, json_body=b"{}").ok
    assert [(method, path, body) for method, path, body, _ in Recorder.seen] == [
        ("POST", f"/redirect/{status}", b"{}"), ("GET", "/end", b"")]
