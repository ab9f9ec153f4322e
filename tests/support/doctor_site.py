"""A website for ``rumcfn doctor`` tests on 127.0.0.1, one variant per cause of "no data".

``StaticSite`` answers GET from a table of path -> response, so each test lays out exactly the site it
needs. ``site_variant`` builds the table for a named variant from the snippet the stack would write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from rumcfn.client.csp import script_hash
from tests.support.http import QuietHandler, Server

PAGE = ('<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>shop</title>\n{head}</head>\n'
        '<body>\n<h1>Shop</h1>\n<p>The largest thing on this page.</p>\n{body}</body>\n</html>\n')
TAG = '<script src="/rum.js"></script>\n'
#: A strict policy that allows the snippet's script but forgets the data plane.
NO_DATA_PLANE = "default-src 'self'; script-src 'self' https://client.rum.us-east-1.amazonaws.com; connect-src 'self'"


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


class StaticHandler(QuietHandler):
    server_obj: "StaticSite"

    def do_GET(self):
        site = self.server_obj
        path = urlsplit(self.path).path
        site.requests.append(path)
        response = site.routes.get(path)
        if response is None:
            self.reply(404, b"not found")
        else:
            self.reply(response.status, response.body, response.content_type, response.headers)

    do_HEAD = do_GET


class StaticSite(Server):
    handler = StaticHandler

    def __init__(self, tls=None) -> None:
        self.routes: dict[str, Response] = {}
        self.requests: list[str] = []
        super().__init__(tls)

    def serve(self, routes: dict[str, Response]) -> str:
        """Replace the whole site; the page's URL."""
        self.routes = dict(routes)
        return f"{self.url}/"


def page(head: str = TAG, body: str = "", headers: dict[str, str] | None = None, status: int = 200) -> Response:
    return Response(status, PAGE.format(head=head, body=body).encode(), headers=headers or {})


def js(text: str) -> Response:
    return Response(200, text.encode(), "application/javascript; charset=utf-8")


VARIANTS = ("healthy", "no-tag", "stale", "missing", "csp-header", "csp-meta", "inline", "tag-in-body", "error-page")


def site_variant(name: str, snippet: str, client: Path | None = None) -> dict[str, Response]:
    """The site for variant ``name``; ``snippet`` is rum.js as the stack wrote it; ``client`` a web client
    bundle to serve at /client/cwr.js."""
    routes = {"/": page(), "/rum.js": js(snippet)}
    if name == "no-tag":
        routes["/"] = page(head="")
    elif name == "stale":
        routes["/rum.js"] = js(snippet.replace("sessionSampleRate:1", "sessionSampleRate:0.5"))
    elif name == "missing":
        del routes["/rum.js"]
    elif name == "csp-header":
        routes["/"] = page(headers={"Content-Security-Policy": NO_DATA_PLANE})
    elif name == "csp-meta":
        routes["/"] = page(head=f'<meta http-equiv="Content-Security-Policy" content="{NO_DATA_PLANE}">\n{TAG}')
    elif name == "inline":
        inline = f"<script>\n{snippet}</script>\n"
        policy = f"script-src {script_hash(chr(10) + snippet)} https://client.rum.us-east-1.amazonaws.com"
        routes["/"] = page(head=inline, headers={"Content-Security-Policy": policy})
        del routes["/rum.js"]
    elif name == "tag-in-body":
        routes["/"] = page(head="", body=TAG)
    elif name == "error-page":
        routes["/"] = page(status=503)
    elif name != "healthy":
        raise ValueError(name)
    if client is not None:
        routes["/client/cwr.js"] = Response(200, client.read_bytes(), "text/javascript")
    return routes
