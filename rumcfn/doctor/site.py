"""The site as a browser first sees it: one HTTP GET (stdlib, with a timeout), and the page's ``<head>``.

Only what the doctor needs is parsed: ``<script>`` elements (where, ``src`` or text, ``nonce``),
``<meta http-equiv="Content-Security-Policy">`` in ``<head>`` (the only place a browser honours one),
and ``<base href>``. The head ends where the HTML parser would end it: ``</head>``, ``<body>`` or the
first element that only belongs in the body.
"""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from rumcfn.version import __version__

LIMIT = 5 * 1024 * 1024  # bytes read from any response
HEAD_ELEMENTS = {"html", "head", "title", "meta", "link", "style", "script", "base", "noscript", "template"}


@dataclass
class Fetched:
    """One response (after redirects), or why there was none."""

    url: str
    status: int = 0
    headers: dict[str, list[str]] = field(default_factory=dict)  # lower-case names
    body: bytes = b""
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and 200 <= self.status < 300

    def header(self, name: str) -> list[str]:
        return self.headers.get(name.lower(), [])

    def text(self) -> str:
        charset = "utf-8"
        for value in self.header("content-type"):
            for part in value.split(";"):
                key, _, val = part.strip().partition("=")
                if key.lower() == "charset" and val:
                    charset = val.strip('"')
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")

    def describe(self) -> str:
        """``answered HTTP 404``, or ``did not answer: <why>``."""
        return f"did not answer: {self.error}" if self.error else f"answered HTTP {self.status}"


def fetch(url: str, timeout: float) -> Fetched:
    request = urllib.request.Request(url, headers={"User-Agent": f"rumcfn-doctor/{__version__}", "Accept": "*/*"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) only, checked by the caller
            return Fetched(response.geturl(), response.status, _headers(response.headers), response.read(LIMIT))
    except urllib.error.HTTPError as error:
        with error:
            return Fetched(error.geturl() or url, error.code, _headers(error.headers), error.read(LIMIT))
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, (socket.timeout, TimeoutError)):
            return Fetched(url, error=f"no answer within {timeout:g} s")
        return Fetched(url, error=f"cannot connect: {reason}")


def _headers(message) -> dict[str, list[str]]:
    headers: dict[str, list[str]] = {}
    for name, value in message.items():
        headers.setdefault(name.lower(), []).append(value)
    return headers


@dataclass
class Script:
    src: str | None  # as written in the page
    text: str
    nonce: str | None
    in_head: bool
    metas_before: int  # <meta> policies the parser had seen when it reached this element


@dataclass
class Html:
    scripts: list[Script] = field(default_factory=list)
    meta_policies: list[str] = field(default_factory=list)
    base: str | None = None


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.html = Html()
        self.in_head = True
        self._script: Script | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {key.lower(): value or "" for key, value in attrs}
        if tag == "body" or tag not in HEAD_ELEMENTS:
            self.in_head = False
        if tag == "script":
            self._script = Script(attributes.get("src"), "", attributes.get("nonce"), self.in_head,
                                  len(self.html.meta_policies))
        elif tag == "meta" and self.in_head and attributes.get("http-equiv", "").lower() == "content-security-policy":
            self.html.meta_policies.append(attributes.get("content", ""))
        elif tag == "base" and self.html.base is None and attributes.get("href"):
            self.html.base = attributes["href"]

    def handle_endtag(self, tag):
        if tag == "head":
            self.in_head = False
        elif tag == "script" and self._script is not None:
            self.html.scripts.append(self._script)
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            self._script.text += data


def parse_html(text: str) -> Html:
    parser = _Parser()
    parser.feed(text)
    parser.close()
    if parser._script is not None:  # an unclosed <script> at the end
        parser.html.scripts.append(parser._script)
    return parser.html


def absolute(page_url: str, html: Html, src: str) -> str:
    return urljoin(urljoin(page_url, html.base) if html.base else page_url, src.strip())


def is_loader(script: Script, url: str | None, key: str) -> bool:
    """``<script src=".../<key>">`` or an inline snippet (it sets ``window.AwsRumClient``)."""
    if script.src is not None:
        return bool(url) and urlsplit(url).path.rstrip("/").endswith("/" + key.lstrip("/"))
    return "AwsRumClient" in script.text


def http_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)
