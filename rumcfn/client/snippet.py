"""The rum.js loader snippet, rendered from ``templates/rum.js.j2``, and the web client's config.

One renderer serves two callers: the stack (:mod:`rumcfn.stack.snippet` passes :class:`Placeholder`
values and ``sub=True``, and wraps the text in an ``Fn::Sub`` CloudFormation fills at deploy time) and
``rumcfn snippet`` (a concrete file, :func:`render_concrete`). Values become JavaScript through
:func:`rumcfn.client.js.to_js`. Nothing here knows troposphere: this is what runs in the browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import urlsplit, urlunsplit

from rumcfn.client import routes as routing
from rumcfn.client.js import JsCode, RegExp, to_js
from rumcfn.config import Settings, SettingsError, with_overrides
from rumcfn.config.client_options import TELEMETRY_OPTIONS, FrozenMap, thaw, version_tuple
from rumcfn.config.delivery import APP_MONITOR_ID
from rumcfn.config.formats import REGION
from rumcfn.config.monitor import IDENTITY_POOL_ID
from rumcfn.facts import CDN_URL, DATA_PLANE, url_suffix
from rumcfn.resources import render

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


#: ``snippet.first_party``: the page's own origin (read in the browser, so one snippet serves every domain of
#: the monitor) and the path the site's CloudFront distribution forwards to RUM's data plane.
FIRST_PARTY = "location.origin+{0}"
#: How many early errors the loader keeps while the client is not there (a blocked or failed cwr.js must not
#: let a page that throws in a loop grow the queue without end).
EARLY_ERRORS = 100
#: ``snippet.load = "idle"``: the longest the loader waits for an idle period after the load event, in ms.
IDLE_TIMEOUT_MS = 5000


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
    if snip.routes:
        config["disableAutoPageView"] = True  # the router records each view, by route (client/routes.py)
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


@dataclass(frozen=True)
class Loading:
    """How the loader starts the client: when (``snippet.load``), and whether it keeps early errors (only with
    the errors telemetry, whose plugin ``recordError`` needs) and filters them by ``[snippet.config.errors]
    ignore`` as the client's own listener would."""

    load: str = "after-load"
    errors: bool = True
    ignore: bool = False


def loading_of(settings: Settings) -> Loading:
    errors = "errors" in settings.monitor.telemetries
    return Loading(settings.snippet.load, errors, errors and "ignore" in telemetry_options(settings)["errors"])


def route_table(routes: tuple[str, ...], sub: bool) -> str:
    """``snippet.routes`` as the router's JavaScript array of ``[RegExp, template]``."""
    return to_js([[RegExp(source), template] for source, template in routing.table(routes)], sub)


def render_snippet(
    *,
    app_monitor_id: Any,
    region: Any,
    client_url: Any,
    app_version: Any,
    config: Mapping[str, Any],
    loading: Loading = Loading(),
    routes: tuple[str, ...] = (),
    sub: bool = False,
) -> str:
    """The loader as JavaScript text (and, with ``routes``, the router after it); with ``sub`` the text is an
    ``Fn::Sub`` body."""
    namespace = to_js("cwr", sub)
    if routes:  # the first view before the telemetries' plugins record (client/routes.py)
        config = {**config, "eventPluginsToLoad": [JsCode(routing.FIRST_VIEW)]}
    return (
        render(
            "rum.js.j2",
            namespace=namespace,
            app_monitor_id=to_js(app_monitor_id, sub),
            app_version=to_js(app_version, sub),
            region=to_js(region, sub),
            client_url=to_js(client_url, sub),
            config=to_js(config, sub),
            load=loading.load,
            errors=loading.errors,
            ignore=loading.ignore,
            buffer=EARLY_ERRORS,
            idle_timeout=IDLE_TIMEOUT_MS,
            router=routing.router(routing.QUEUE.format(namespace), route_table(routes, sub)) if routes else "",
        )
        + "\n"
    )


def client_url_of(settings: Settings) -> str:
    return settings.snippet.client_url or CDN_URL.format(version=settings.snippet.client_version)


def data_plane_endpoint(settings: Settings, region: str) -> str:
    """Where the client sends from a monitor in ``region``: ``snippet.first_party`` (a path on the page's own
    origin), else ``snippet.endpoint``, else that region's data plane."""
    return (
        settings.snippet.first_party
        or settings.snippet.endpoint
        or DATA_PLANE.format(region=region, suffix=url_suffix(region))
    )


def first_party_endpoint(path: str) -> JsCode:
    """A first-party path made absolute on the page's own origin in the browser (the client needs a URL:
    ``new URL(endpoint)``)."""
    return JsCode(FIRST_PARTY, (path,))


def client_endpoint(settings: Settings, region: str) -> Any:
    """The client's ``endpoint`` for a monitor in ``region``: :func:`data_plane_endpoint`, with a first-party
    path made absolute on the page's origin."""
    if settings.snippet.first_party:
        return first_party_endpoint(settings.snippet.first_party)
    return data_plane_endpoint(settings, region)


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
    first_party: str | None = None,
    load: str | None = None,
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
            "--identity-pool-id",
            "give it in cognito mode, or --auth.mode resource-policy (unsigned requests), not both",
            identity_pool_id,
        )
    IDENTITY_POOL_ID.check("--identity-pool-id", identity_pool_id or "")
    overrides = {
        "snippet.endpoint": endpoint,
        "snippet.first_party": first_party,
        "snippet.load": load,
        "snippet.client_url": client_url,
        "snippet.client_version": client_version,
        "snippet.app_version": app_version,
        "monitor.telemetries": telemetries,
        "monitor.session_sample_rate": sample_rate,
        "monitor.excluded_pages": excluded_pages,
        "snippet.release_id": release_id,
    }
    settings = settings or Settings()
    # As the stack's check (Settings.check) says for auth.mode: CloudFront rewrites the host and path a signature
    # covers, so first-party ingestion sends unsigned (the resource-policy mode).
    if (first_party or settings.snippet.first_party) and not unsigned:
        raise SettingsError(
            "snippet.first_party",
            "needs unsigned requests (--auth.mode resource-policy): Cognito-signed requests are signed for "
            "the data plane's host and path, which CloudFront rewrites",
            first_party or settings.snippet.first_party,
        )
    if first_party or settings.snippet.first_party:
        overrides["auth.mode"] = "resource-policy"  # what unsigned means; Settings.check asks for it
    settings = with_overrides(settings, {k: v for k, v in overrides.items() if v is not None})
    config = client_config(
        settings,
        endpoint=client_endpoint(settings, region),
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
        loading=loading_of(client.settings),
        routes=client.settings.snippet.routes,
    )


def script_tag(key: str) -> str:
    """The tag a site adds to its <head> to load the snippet from the bucket."""
    return f'<script src="/{key}"></script>'


