"""The rum.js loader snippet, rendered from ``templates/rum.js.j2``.

One renderer serves two callers: the stack (an ``Fn::Sub`` whose ``${...}`` placeholders
CloudFormation fills at deploy time) and ``rumcfn snippet`` (a concrete file). Values are rendered
to JavaScript here; in Sub mode literal ``${`` is escaped as ``${!`` so user text can never be
mistaken for a placeholder.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import urlsplit, urlunsplit

from troposphere import GetAtt, Sub

from rumcfn.config import Settings, SettingsError, is_literal, with_overrides
from rumcfn.config.client_options import TELEMETRY_OPTIONS, FrozenMap, thaw, version_tuple
from rumcfn.config.delivery import APP_MONITOR_ID
from rumcfn.config.formats import REGION
from rumcfn.config.monitor import IDENTITY_POOL_ID
from rumcfn.facts import CDN_URL, DATA_PLANE, url_suffix
from rumcfn.resources import render


@dataclass(frozen=True)
class Placeholder:
    """A ``${Name}`` filled by CloudFormation: quoted for strings, bare for numbers."""

    name: str
    quoted: bool = True


@dataclass(frozen=True)
class RegExp:
    """A JavaScript regular-expression literal."""

    source: str


@dataclass(frozen=True)
class JsCode:
    """JavaScript code: ``template`` (rumcfn's own text) with ``{0}``, ``{1}`` ... filled by ``args``
    rendered as literals (so user values are escaped like everywhere else)."""

    template: str
    args: tuple = ()


#: ``addXRayTraceIdHeader`` for same-origin requests: relative URLs, or absolute ones on the page's
#: own origin (read from ``location.origin`` in the browser, so one snippet serves every domain).
SAME_ORIGIN = JsCode('[new RegExp("^(?:(?![A-Za-z][A-Za-z0-9+.-]*:|//)|"+location.origin.replace('
                     '/[.*+?^$(){}|[\\]\\\\\\/]/g,"\\\\$&")+"(?:[/?#]|$))")]')
#: ``[snippet.config.errors] ignore``: patterns over the message the client records for the event it is given
#: (@aws-rum/web-core plugins/utils/js-error-utils.js, the same since 1.6.0): the thrown value's ``message``, or the
#: value itself when a primitive is thrown; else the ErrorEvent's own ``message`` ("Uncaught Error: ..." in
#: Chromium), and "undefined" for a rejection whose reason has none.
IGNORE_ERRORS = (
    "function(e){{var j=e&&e.type==='unhandledrejection',x=j?e.reason:e&&e.error,"
    "m=j||!e||e.message===undefined?'undefined':e.message;"
    "if(x&&(typeof x==='object'||typeof x==='function')){{if(x.message)m=x.message}}"
    "else if(x!==undefined&&x!==null)m=x;m=String(m);"
    "return {0}.some(function(r){{return r.test(m)}})}}"
)
#: ``[snippet.config.performance] ignore`` replaces web-core's ``defaultIgnore`` (plugins/utils/performance-utils.js),
#: so the function keeps its tests: non-http(s) resources and, since aws-rum-web 1.15.0 (#450), the page's own
#: fetch and XHR requests (the http telemetry's business, and each would cost a resource event).
IGNORED_SCHEMES = "!/^https?:/.test(e.name)"
IGNORED_REQUESTS, IGNORED_REQUESTS_SINCE = "/^(fetch|xmlhttprequest)$/.test(e.initiatorType)", "1.15.0"
IGNORED_URLS = "{0}.some(function(r){{return r.test(e.name)}})"


def ignore_resources(client_version: str) -> str:
    """The ``performance.ignore`` function of ``client_version``: its client's default, and the patterns."""
    tests = [IGNORED_SCHEMES]
    if version_tuple(client_version) >= version_tuple(IGNORED_REQUESTS_SINCE):
        tests.append(IGNORED_REQUESTS)
    return "function(e){{return e.entryType==='resource'&&(" + "||".join([*tests, IGNORED_URLS]) + ")}}"


DEFAULT_PORTS = {"http": 80, "https": 443}


def location_form(url: str) -> str:
    """``url`` spelled as the browser's ``window.location`` spells it: lower-case scheme and host, no
    default port, and at least ``/`` as path (``https://example.com`` is ``https://example.com/``)."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:  # out of range: no browser loads it, leave the text alone
        return url
    host = (parts.hostname or "") + (
        f":{port}" if port is not None and port != DEFAULT_PORTS.get(parts.scheme.lower()) else ""
    )
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", parts.query, parts.fragment))


def page_pattern(url: str) -> RegExp:
    """A monitor page URL as the client's ``RegExp`` over ``window.location``: that page, any query or hash."""
    escaped = re.sub(r"([\\^$.*+?()[\]{}|/-])", r"\\\1", location_form(url))
    return RegExp(f"^{escaped}(?:[?#]|$)")


def js_key(key: str, sub: bool) -> str:
    """An object key: bare when it is an identifier, quoted otherwise (``"user:tier"``, ``"x-api-key"``)."""
    return key if re.fullmatch(r"[A-Za-z_$][A-Za-z0-9_$]*", key) else to_js(key, sub)


def to_js(value: Any, sub: bool) -> str:
    """Render a Python value as a JavaScript literal (compact, deterministic)."""
    if isinstance(value, Placeholder):
        return f'"${{{value.name}}}"' if value.quoted else f"${{{value.name}}}"
    if isinstance(value, JsCode):
        return value.template.format(*(to_js(arg, sub) for arg in value.args)) if value.args else value.template
    if isinstance(value, RegExp):
        text = "/" + re.sub(r"(?<!\\)((?:\\\\)*)/", r"\1\\/", value.source).replace("</", "<\\/") + "/"
    elif isinstance(value, Mapping):
        return "{" + ",".join(f"{js_key(key, sub)}:{to_js(item, sub)}" for key, item in value.items()) + "}"
    elif isinstance(value, (list, tuple)):
        return "[" + ",".join(to_js(item, sub) for item in value) + "]"
    elif isinstance(value, bool):
        return "true" if value else "false"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False).replace("</", "<\\/")
    return text.replace("${", "${!") if sub else text


def client_config(
    settings: Settings,
    *,
    endpoint: Any,
    identity_pool_id: Any = None,
    unsigned: bool = False,
    sample_rate: Any = None,
) -> dict[str, Any]:
    """The web client's config, mirroring the monitor. Telemetries are always explicit: the
    client's own default would also turn on session replay."""
    monitor, snip = settings.monitor, settings.snippet
    config: dict[str, Any] = {
        "sessionSampleRate": monitor.session_sample_rate if sample_rate is None else sample_rate,
        "endpoint": endpoint,
        "telemetries": list(monitor.telemetries),
        "allowCookies": monitor.allow_cookies,
        "enableXRay": monitor.enable_xray,
    }
    if identity_pool_id is not None:
        config["identityPoolId"] = identity_pool_id  # enhanced flow: no guestRoleArn
    if unsigned:
        config["signing"] = False
    if monitor.included_pages:
        config["pagesToInclude"] = [page_pattern(url) for url in monitor.included_pages]
    if monitor.excluded_pages:
        config["pagesToExclude"] = [page_pattern(url) for url in monitor.excluded_pages]
    if snip.dispatch_interval:
        config["dispatchInterval"] = snip.dispatch_interval
    if snip.debug:
        config["debug"] = True
    if snip.release_id:
        config["releaseId"] = snip.release_id
    config.update((key, thaw(value)) for key, value in snip.config if key not in TELEMETRY_OPTIONS)
    config["telemetries"] = [
        [name, options] if options else name for name, options in telemetry_options(settings).items()
    ]
    return config


def telemetry_options(settings: Settings) -> dict[str, dict[str, Any]]:
    """Each telemetry the client records, with its options as JavaScript values: the monitor's
    telemetries in order, then the client-only ``interaction`` and ``replay`` when their table is set."""
    config = settings.snippet.config
    names = [*settings.monitor.telemetries, *(t for t in ("interaction", "replay") if t in config.keys())]
    result = {}
    for name in names:
        options = thaw(config.get(name, FrozenMap()))
        for key in ("urlsToInclude", "urlsToExclude", "addXRayTraceIdHeader"):
            if isinstance(options.get(key), list):
                options[key] = [RegExp(pattern) for pattern in options[key]]
        if "ignore" in options:
            code = IGNORE_ERRORS if name == "errors" else ignore_resources(settings.snippet.client_version)
            options["ignore"] = JsCode(code, ([RegExp(pattern) for pattern in options["ignore"]],))
        if name == "http" and settings.monitor.enable_xray and "addXRayTraceIdHeader" not in options:
            options["addXRayTraceIdHeader"] = SAME_ORIGIN
        result[name] = options
    return result


def render_snippet(
    *, app_monitor_id: Any, region: Any, client_url: Any, app_version: Any, config: Mapping[str, Any], sub: bool = False
) -> str:
    """The loader as JavaScript text; with ``sub`` the text is an ``Fn::Sub`` body."""
    return (
        render(
            "rum.js.j2",
            namespace=to_js("cwr", sub),
            app_monitor_id=to_js(app_monitor_id, sub),
            app_version=to_js(app_version, sub),
            region=to_js(region, sub),
            client_url=to_js(client_url, sub),
            config=to_js(config, sub),
        )
        + "\n"
    )


def client_url_of(settings: Settings) -> str:
    return settings.snippet.client_url or CDN_URL.format(version=settings.snippet.client_version)


def data_plane_endpoint(settings: Settings, region: str | None = None) -> Any:
    """Where the snippet's client sends: ``snippet.endpoint``, else the data plane of ``region`` (of the stack's
    region, as ``Fn::Sub``, when none is given)."""
    if settings.snippet.endpoint:
        return settings.snippet.endpoint
    if region is None:
        return Sub(DATA_PLANE.format(region="${AWS::Region}", suffix="${AWS::URLSuffix}"))
    return DATA_PLANE.format(region=region, suffix=url_suffix(region))


def snippet_sub(settings: Settings, monitor, identity_pool_id: Any = None) -> Sub:
    """The snippet as ``Fn::Sub``: monitor id, region, endpoint and pool come from the stack."""
    variables: dict[str, Any] = {"AppMonitorId": GetAtt(monitor, "Id")}
    endpoint: Any = settings.snippet.endpoint or Placeholder("Endpoint")
    if not settings.snippet.endpoint:
        variables["Endpoint"] = data_plane_endpoint(settings)
    pool = None
    if settings.auth.mode == "cognito":
        pool = Placeholder("IdentityPoolId")
        variables["IdentityPoolId"] = identity_pool_id
    rate = settings.monitor.session_sample_rate
    if not is_literal(rate):
        variables["SessionSampleRate"] = rate
        rate = Placeholder("SessionSampleRate", quoted=False)
    body = render_snippet(
        app_monitor_id=Placeholder("AppMonitorId"),
        region=Placeholder("AWS::Region"),
        client_url=client_url_of(settings),
        app_version=settings.snippet.app_version,
        config=client_config(
            settings,
            endpoint=endpoint,
            identity_pool_id=pool,
            unsigned=settings.auth.mode == "resource-policy",
            sample_rate=rate,
        ),
        sub=True,
    )
    return Sub(body, **variables)


@dataclass(frozen=True)
class Concrete:
    """A client for a monitor that already exists: checked settings, ids, and the client's config."""

    settings: Settings
    app_monitor_id: str
    region: str
    config: dict
    unsigned: bool


def concrete(
    *,
    app_monitor_id: str,
    region: str,
    identity_pool_id: str | None = None,
    unsigned: bool = False,
    endpoint: str | None = None,
    client_url: str | None = None,
    client_version: str | None = None,
    app_version: str | None = None,
    telemetries: tuple[str, ...] | None = None,
    sample_rate: float | None = None,
    excluded_pages: tuple[str, ...] | None = None,
    release_id: str | None = None,
    settings: Settings | None = None,
) -> Concrete:
    """The client config for an existing monitor (``rumcfn snippet``), validated like the stack's settings:
    ``settings`` (from ``--config``) first, flags over them."""
    APP_MONITOR_ID.check("--app-monitor-id", app_monitor_id)
    REGION.check("--region", region)
    if bool(identity_pool_id) == bool(unsigned):
        raise SettingsError(
            "--identity-pool-id", "give exactly one of --identity-pool-id and --unsigned", identity_pool_id
        )
    IDENTITY_POOL_ID.check("--identity-pool-id", identity_pool_id or "")
    overrides = {
        "snippet.endpoint": endpoint,
        "snippet.client_url": client_url,
        "snippet.client_version": client_version,
        "snippet.app_version": app_version,
        "monitor.telemetries": telemetries,
        "monitor.session_sample_rate": sample_rate,
        "monitor.excluded_pages": excluded_pages,
        "snippet.release_id": release_id,
    }
    settings = with_overrides(settings or Settings(), {k: v for k, v in overrides.items() if v is not None})
    config = client_config(
        settings,
        endpoint=data_plane_endpoint(settings, region),
        identity_pool_id=identity_pool_id or None,
        unsigned=unsigned,
    )
    return Concrete(settings, app_monitor_id, region, config, unsigned)


def render_concrete(**kwargs: Any) -> str:
    """A ready rum.js for an existing monitor (arguments as :func:`concrete`)."""
    client = concrete(**kwargs)
    return render_snippet(
        app_monitor_id=client.app_monitor_id,
        region=client.region,
        client_url=client_url_of(client.settings),
        app_version=client.settings.snippet.app_version,
        config=client.config,
    )


def script_tag(key: str) -> str:
    """The tag a site adds to its <head> to load the snippet from the bucket."""
    return f'<script src="/{key}"></script>'


__all__ = [
    "render_snippet",
    "client_config",
    "snippet_sub",
    "script_tag",
    "client_url_of",
    "render_concrete",
    "concrete",
    "Concrete",
    "Placeholder",
    "RegExp",
    "JsCode",
    "to_js",
    "telemetry_options",
]
