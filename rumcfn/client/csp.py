"""Content-Security-Policy: what the RUM loader makes the browser fetch, and whether a policy allows it.

A page's policies may block three things the loader needs: the loader itself (``<script src=".../rum.js">``
or the pasted inline snippet), the web client it inserts (``script-src``), and the client's requests
(``connect-src``): ``POST <endpoint>/appmonitors/<id>`` and, when it signs with Cognito guest
credentials, Cognito identity (and STS in Cognito's classic flow, which rumcfn's snippet never uses).

Matching follows CSP Level 3 (w3c/webappsec-csp ``index.bs``: "Does url match expression in origin with
redirect count?", "Script directives pre-request check", "Does element match source list for type and
source?", "Get fetch directive fallback list"). One deliberate difference: the spec's newest host-part
matching refuses IP addresses, but Chromium 156 still matches an exact IP literal, and the browser is
what blocks or allows. Pure: no I/O.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from typing import Mapping
from urllib.parse import unquote, urlsplit

from rumcfn.client.loader import DEFAULT_PORTS, Loader, origin_of

FALLBACK = {  # "Get fetch directive fallback list"
    "script-src-elem": ("script-src-elem", "script-src", "default-src"),
    "connect-src": ("connect-src", "default-src"),
}
_SCHEME = r"[A-Za-z][A-Za-z0-9+.\-]*"
SCHEME_SOURCE = re.compile(rf"({_SCHEME}):")
HOST_SOURCE = re.compile(rf"(?:({_SCHEME})://)?(\*|(?:\*\.)?[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.?)"
                         r"(?::(\*|[0-9]+))?(/[^;,\s]*)?")
HASH_SOURCE = re.compile(r"'(sha256|sha384|sha512)-([A-Za-z0-9+/\-_]+={0,2})'", re.IGNORECASE)
NONCE_SOURCE = re.compile(r"'nonce-([A-Za-z0-9+/\-_]+={0,2})'", re.IGNORECASE)


# --- policies --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    """One serialized policy: directive name -> source list (the first of a repeated directive wins)."""

    directives: Mapping[str, tuple[str, ...]]
    where: str  # "header" or "<meta>"

    def governing(self, effective: str) -> str | None:
        """The directive that decides for ``effective`` ("Should fetch directive execute"), or None."""
        return next((name for name in FALLBACK[effective] if name in self.directives), None)


def parse_policy(text: str, where: str) -> Policy | None:
    directives: dict[str, tuple[str, ...]] = {}
    for token in text.split(";"):
        words = token.split()
        if not words or not re.fullmatch(r"[A-Za-z0-9\-]+", words[0]):
            continue
        directives.setdefault(words[0].lower(), tuple(words[1:]))
    return Policy(directives, where) if directives else None


def parse_header(values: list[str] | tuple[str, ...], where: str = "header") -> list[Policy]:
    """Every policy in ``Content-Security-Policy`` header values (each may list several, comma-separated)."""
    return [p for value in values for text in value.split(",") if (p := parse_policy(text, where))]


# --- matching ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Origin:
    scheme: str
    host: str
    port: int | None  # None: the scheme's default port

    @classmethod
    def of(cls, url: str) -> "Origin":
        parts = urlsplit(url)
        port = parts.port
        scheme = parts.scheme.lower()
        return cls(scheme, (parts.hostname or "").lower(), None if port == DEFAULT_PORTS.get(scheme) else port)

    def effective_port(self) -> int | None:
        return self.port if self.port is not None else DEFAULT_PORTS.get(self.scheme)


def scheme_part_matches(a: str, b: str) -> bool:
    a, b = a.lower(), b.lower()
    return a == b or (a, b) in {("http", "https"), ("ws", "wss"), ("ws", "http"), ("ws", "https"), ("wss", "https")}


def host_part_matches(pattern: str, host: str) -> bool:
    pattern, host = pattern.lower().rstrip("."), host.lower()
    if pattern == "*":
        return True
    if pattern.startswith("*."):
        return host.endswith(pattern[1:])
    return pattern == host


def port_part_matches(port: str | None, url: Origin) -> bool:
    if port == "*":
        return True
    wanted = int(port) if port is not None else None
    return wanted == url.port or (url.port is None and wanted == DEFAULT_PORTS.get(url.scheme))


def path_part_matches(pattern: str, path: str) -> bool:
    if not pattern or (pattern == "/" and not path):
        return True
    exact = not pattern.endswith("/")
    a, b = pattern.split("/"), path.split("/")
    if len(a) > len(b) or (exact and len(a) != len(b)):
        return False
    if not exact:
        a = a[:-1]
    return all(unquote(x) == unquote(y) for x, y in zip(a, b, strict=False))


def url_matches(url: str, expression: str, self_origin: Origin) -> bool:
    """"Does url match expression in origin with redirect count (0)?"."""
    target = Origin.of(url)
    if expression == "*":
        return target.scheme in ("http", "https") or target.scheme == self_origin.scheme
    scheme_only = SCHEME_SOURCE.fullmatch(expression)
    if scheme_only:
        return scheme_part_matches(scheme_only.group(1), target.scheme)
    host = HOST_SOURCE.fullmatch(expression)
    if host:
        scheme, pattern, port, path = host.groups()
        if scheme and not scheme_part_matches(scheme, target.scheme):
            return False
        if not target.host or (not scheme and not scheme_part_matches(self_origin.scheme, target.scheme)):
            return False
        return (host_part_matches(pattern, target.host) and port_part_matches(port, target)
                and (not path or path_part_matches(path, urlsplit(url).path)))
    if expression.lower() == "'self'":
        if target == self_origin:
            return True
        same_place = (target.host == self_origin.host
                      and target.effective_port() in (self_origin.effective_port(), DEFAULT_PORTS.get(target.scheme)))
        return same_place and (target.scheme in ("https", "wss")
                               or (self_origin.scheme == "http" and target.scheme in ("http", "ws")))
    return False


def list_matches(url: str, sources: tuple[str, ...], self_origin: Origin) -> bool:
    if not sources or (len(sources) == 1 and sources[0].lower() == "'none'"):
        return False
    return any(url_matches(url, expression, self_origin) for expression in sources)


def _nonce_matches(sources: tuple[str, ...], nonce: str | None) -> bool:
    return bool(nonce) and any((m := NONCE_SOURCE.fullmatch(s)) and m.group(1) == nonce for s in sources)


def _strict_dynamic(sources: tuple[str, ...]) -> bool:
    return any(s.lower() == "'strict-dynamic'" for s in sources)


def script_hash(text: str, algorithm: str = "sha256") -> str:
    return f"'{algorithm}-{base64.b64encode(hashlib.new(algorithm, text.encode('utf-8')).digest()).decode()}'"


def allows_script_url(policy: Policy, url: str, self_origin: Origin, *, nonce: str | None = None,
                      parser_inserted: bool = True) -> bool:
    """The script directives' pre-request check for an external script (integrity metadata aside)."""
    name = policy.governing("script-src-elem")
    if name is None:
        return True
    sources = policy.directives[name]
    if _nonce_matches(sources, nonce):
        return True
    if _strict_dynamic(sources):
        return not parser_inserted
    return list_matches(url, sources, self_origin)


def allows_inline_script(policy: Policy, text: str, *, nonce: str | None = None) -> bool:
    """"Does element match source list" for a parser-inserted inline ``<script>``."""
    name = policy.governing("script-src-elem")
    if name is None:
        return True
    sources = policy.directives[name]
    unsafe_inline = any(s.lower() == "'unsafe-inline'" for s in sources)
    overridden = any(NONCE_SOURCE.fullmatch(s) or HASH_SOURCE.fullmatch(s) for s in sources) or _strict_dynamic(sources)
    if unsafe_inline and not overridden:
        return True
    if _nonce_matches(sources, nonce):
        return True
    for source in sources:
        found = HASH_SOURCE.fullmatch(source)
        if found and script_hash(text, found.group(1).lower()) == "'%s-%s'" % (
                found.group(1).lower(), found.group(2).replace("-", "+").replace("_", "/")):
            return True
    return False


def allows_connect(policy: Policy, url: str, self_origin: Origin) -> bool:
    name = policy.governing("connect-src")
    return name is None or list_matches(url, policy.directives[name], self_origin)


@dataclass
class Verdict:
    """What the page's policies block, and what to add where (directive -> sources), per policy."""

    blocked: list[str] = field(default_factory=list)
    additions: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, policy: Policy, effective: str, source: str) -> None:
        key = f"{policy.governing(effective)} ({policy.where})"
        if source not in self.additions.setdefault(key, []):
            self.additions[key].append(source)


@dataclass(frozen=True)
class LoaderTag:
    """How the page includes the loader: ``src`` (external) or ``text`` (inline), its nonce, and the
    policies in force when the parser reaches it (headers, and ``<meta>`` policies before it)."""

    src: str | None = None
    text: str | None = None
    nonce: str | None = None
    policies_before: tuple[Policy, ...] = ()


def judge(page_url: str, policies: list[Policy], tag: LoaderTag, loader: Loader) -> Verdict:
    """What ``policies`` block of the loader, the client and its requests, and the sources that fix it."""
    self_origin = Origin.of(page_url)
    page_origin = origin_of(page_url)
    verdict = Verdict()

    def source_for(url: str) -> str:
        return "'self'" if origin_of(url) == page_origin else origin_of(url)

    for policy in policies:
        if policy in tag.policies_before:
            if tag.src and not allows_script_url(policy, tag.src, self_origin, nonce=tag.nonce):
                verdict.blocked.append(f"the loader {tag.src} ({policy.where} {policy.governing('script-src-elem')})")
                if _strict_dynamic(policy.directives[policy.governing("script-src-elem")]):
                    verdict.notes.append("with 'strict-dynamic', give the loader's <script> tag the page's nonce")
                else:
                    verdict.add(policy, "script-src-elem", source_for(tag.src))
            if tag.text is not None and not allows_inline_script(policy, tag.text, nonce=tag.nonce):
                verdict.blocked.append(f"the inline snippet ({policy.where} {policy.governing('script-src-elem')})")
                verdict.add(policy, "script-src-elem", script_hash(tag.text))
        if not allows_script_url(policy, loader.client_url, self_origin, parser_inserted=False):
            verdict.blocked.append(
                f"the web client {loader.client_url} ({policy.where} {policy.governing('script-src-elem')})"
            )
            verdict.add(policy, "script-src-elem", source_for(loader.client_url))
        for url in loader.requests(page_url):
            if not allows_connect(policy, url, self_origin):
                what = (
                    "Cognito identity"
                    if "//cognito-identity." in url
                    else "STS"
                    if "//sts." in url
                    else "the data plane"
                )
                verdict.blocked.append(f"{what} {url} ({policy.where} {policy.governing('connect-src')})")
                verdict.add(policy, "connect-src", source_for(url))
    return verdict
