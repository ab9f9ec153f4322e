"""What a CloudWatch RUM loader snippet makes the browser fetch.

The loader (``templates/rum.js.j2``, the aws-rum-web 3.x CDN snippet) is one call whose arguments say
where the web client comes from and, in its config, where it sends events and how it signs them.
``rumcfn doctor`` reads them from the snippet a page really loads; ``rumcfn csp`` from settings. Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from rumcfn.facts import DATA_PLANE, url_suffix

#: aws-rum-web 3.x builds these itself, always under amazonaws.com, in the identity pool's region
#: (@aws-rum/web-core dist/es/dispatch/CognitoIdentityClient.js and StsClient.js; Authentication.js and
#: BasicAuthentication.js take the region from ``identityPoolId.split(':')[0]``).
COGNITO_IDENTITY = "https://cognito-identity.{region}.amazonaws.com/"
STS = "https://sts.{region}.amazonaws.com/"
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
_STRING = r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'"


@dataclass(frozen=True)
class Loader:
    """What a rendered CloudWatch RUM loader says (rumcfn's, or the console's CDN snippet)."""

    monitor_id: str
    region: str
    client_url: str
    endpoint: str  # a URL, or a path on the page's own origin (snippet.first_party)
    identity_pool_id: str = ""
    guest_role_arn: str = ""
    signing: bool = True
    sample_rate: float | None = None
    alias: str = ""  # sent with every batch; a resource policy may require it (rum:alias)

    @property
    def first_party(self) -> bool:
        """The client sends to a path on the page's own origin (``snippet.first_party``); ``//host`` is no path."""
        return self.endpoint.startswith("/") and not self.endpoint.startswith("//")

    def endpoint_at(self, page_url: str | None) -> str:
        """The endpoint as the client on ``page_url`` makes it: a first-party path after the page's origin, as
        ``location.origin+path`` does (rumcfn.client.snippet.FIRST_PARTY)."""
        return origin_of(page_url) + self.endpoint if self.first_party and page_url else self.endpoint

    def requests(self, page_url: str | None = None) -> tuple[str, ...]:
        """The URLs the client fetches (``connect-src``) on ``page_url``: the data plane, then Cognito when it
        signs. Without a page, a first-party data plane is a path."""
        urls = [data_plane_prefix(self.endpoint_at(page_url)) + self.monitor_id]
        if self.signing and self.identity_pool_id:
            pool_region = self.identity_pool_id.split(":")[0]
            urls.append(COGNITO_IDENTITY.format(region=pool_region))
            if self.guest_role_arn:  # classic flow only (BasicAuthentication)
                urls.append(STS.format(region=pool_region))
        return tuple(urls)


#: One JavaScript escape sequence in a string literal (ECMAScript, "String Literals").
_ESCAPE = re.compile(r"\\(u\{[0-9A-Fa-f]{1,8}\}|u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2}|\r\n|[\s\S])")
_SINGLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0", "\n": "", "\r": "",
                   "\r\n": "", "\u2028": "", "\u2029": ""}
_STRING_AT = re.compile(_STRING, re.DOTALL)
_COMMA = re.compile(r"\s*,\s*")
_BLANK = re.compile(r"\s*")


def _unescape(match: re.Match) -> str:
    escape = match.group(1)
    if escape[0] in "ux" and len(escape) > 1:
        code = int(escape.strip("ux{}"), 16)
        return chr(code) if code <= 0x10FFFF else "\ufffd"
    return _SINGLE_ESCAPES.get(escape, escape)


def data_plane_prefix(endpoint: str) -> str:
    r"""Where the client posts batches, up to the monitor id: the endpoint's origin and path with one trailing "/"
    removed, then ``/appmonitors/`` (@aws-rum/web-core DataPlaneClient: ``endpoint.pathname.replace(/\/$/, '')``)."""
    try:
        parts = urlsplit(endpoint)
    except ValueError:  # no URL (a served rum.js may hold anything): the text as it is
        return f"{endpoint.split('?')[0].removesuffix('/')}/appmonitors/"
    origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme else ""  # a first-party path has none
    return f"{origin}{parts.path.removesuffix('/')}/appmonitors/"


def _string(token: str) -> str:
    """A JavaScript string literal's value (surrogate pairs joined; a lone surrogate is U+FFFD)."""
    text = _ESCAPE.sub(_unescape, token[1:-1])
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _call_arguments(text: str, pos: int, end: int) -> tuple[list[str], str] | None:
    """Five string literals and an object from ``pos`` (just after ``})(``), the object closing at ``end``."""
    strings = []
    pos = _BLANK.match(text, pos).end()
    for index in range(5):
        found = _STRING_AT.match(text, pos)
        if not found:
            return None
        strings.append(found.group())
        comma = _COMMA.match(text, found.end())
        if not comma.group().strip():
            return None
        pos = comma.end()
        if index == 4:
            if text[pos : pos + 1] != "{" or pos >= end:
                return None
            return strings, text[pos + 1 : end]
    return None


def parse_loader(text: str) -> Loader | None:
    """The loader's arguments, or None when ``text`` is not a RUM loader call.

    The text must end with the call ``})("cwr", "<monitor id>", "<version>", "<region>", "<client URL>", {...});``.
    Each ``})(`` is tried once, left to right, and each try reads only as far as its own strings go: a
    hostile rum.js cannot make this backtrack."""
    text = text.strip()
    tail = text.removesuffix(";").rstrip()
    if not tail.endswith(")"):
        return None
    tail = tail[:-1].rstrip()
    if not tail.endswith("}"):
        return None
    end, start = len(tail) - 1, 0
    while (at := text.find("})(", start, end)) >= 0:
        found = _call_arguments(text, at + 3, end)
        if found:
            break
        start = at + 1
    else:
        return None
    (_, monitor_id, _, region, client_url), config = [_string(token) for token in found[0]], found[1]

    def value(key: str, pattern: str = _STRING) -> str | None:
        found = re.search(rf"(?:^|[,{{\s])[\"']?{key}[\"']?\s*:\s*({pattern})", config)
        return found.group(1) if found else None

    endpoint = value("endpoint")
    # snippet.first_party: the page's own origin plus a path (rumcfn.client.snippet.FIRST_PARTY).
    first_party = value("endpoint", rf"location\.origin\s*\+\s*(?:{_STRING})")
    rate = value("sessionSampleRate", r"[0-9.eE+\-]+")
    if first_party:
        endpoint = first_party.split("+", 1)[1].strip()
    try:
        sample_rate = float(rate) if rate else None
    except ValueError:  # not a number JavaScript would read either
        sample_rate = None
    return Loader(
        monitor_id=monitor_id, region=region, client_url=client_url,
        endpoint=_string(endpoint) if endpoint else DATA_PLANE.format(region=region, suffix=url_suffix(region)),
        identity_pool_id=_string(value("identityPoolId") or '""'),
        guest_role_arn=_string(value("guestRoleArn") or '""'),
        signing=value("signing", "true|false") != "false",
        sample_rate=sample_rate,
        alias=_string(value("alias") or '""'),
    )


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` as a source expression (the port only when it is not the default)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # no URL (an unclosed "[", a port out of range): the browser loads nothing from it
        return url
    host = parts.hostname or ""
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != DEFAULT_PORTS.get(parts.scheme) else "")


def directives_for(loader: Loader, loader_url: str = "/rum.js") -> dict[str, list[str]]:
    """The directives a page needs for ``loader`` when it loads it from ``loader_url`` (relative: its own origin)."""
    script = ["'self'" if not urlsplit(loader_url).scheme else origin_of(loader_url)]
    for source in (origin_of(loader.client_url),):
        if source not in script:
            script.append(source)
    connect: list[str] = []
    for url in loader.requests():
        source = "'self'" if loader.first_party and url.startswith("/") else origin_of(url)
        if source not in connect:
            connect.append(source)
    return {"script-src": script, "connect-src": connect}


def loader_of_settings(settings, region: str, monitor_id: str = "APP_MONITOR_ID") -> Loader:
    """The loader a stack built from ``settings`` writes in ``region`` (its identity pool, when the stack
    creates one, is in the stack's region too)."""
    from rumcfn.client.snippet import client_url_of, data_plane_endpoint

    cognito = settings.auth.mode == "cognito"
    return Loader(
        monitor_id=monitor_id, region=region, client_url=client_url_of(settings),
        endpoint=data_plane_endpoint(settings, region),
        identity_pool_id=(settings.auth.identity_pool_id or f"{region}:") if cognito else "",
        signing=cognito, sample_rate=settings.monitor.session_sample_rate,
    )
