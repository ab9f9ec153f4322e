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

from rumcfn.build.resources import render
from rumcfn.config.settings import Settings, is_literal

#: Where AWS serves the web client; the same CDN for every region.
CDN_URL = "https://client.rum.us-east-1.amazonaws.com/{version}/cwr.js"


@dataclass(frozen=True)
class Placeholder:
    """A ``${Name}`` filled by CloudFormation: quoted for strings, bare for numbers."""

    name: str
    quoted: bool = True


@dataclass(frozen=True)
class RegExp:
    """A JavaScript regular-expression literal."""

    source: str


DEFAULT_PORTS = {"http": 80, "https": 443}


def location_form(url: str) -> str:
    """``url`` spelled as the browser's ``window.location`` spells it: lower-case scheme and host, no
    default port, and at least ``/`` as path (``https://example.com`` is ``https://example.com/``)."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:  # out of range: no browser loads it, leave the text alone
        return url
    host = (parts.hostname or "") + (f":{port}" if port is not None and port != DEFAULT_PORTS.get(parts.scheme.lower()) else "")
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", parts.query, parts.fragment))


def page_pattern(url: str) -> RegExp:
    """A monitor page URL as the client's ``RegExp`` over ``window.location``: that page, any query or hash."""
    escaped = re.sub(r"([\\^$.*+?()[\]{}|/-])", r"\\\1", location_form(url))
    return RegExp(f"^{escaped}(?:[?#]|$)")


def to_js(value: Any, sub: bool) -> str:
    """Render a Python value as a JavaScript literal (compact, deterministic)."""
    if isinstance(value, Placeholder):
        return f'"${{{value.name}}}"' if value.quoted else f"${{{value.name}}}"
    if isinstance(value, RegExp):
        text = f"/{value.source}/"
    elif isinstance(value, Mapping):
        text = "{" + ",".join(f"{key}:{to_js(item, sub)}" for key, item in value.items()) + "}"
        return text
    elif isinstance(value, (list, tuple)):
        return "[" + ",".join(to_js(item, sub) for item in value) + "]"
    elif isinstance(value, bool):
        return "true" if value else "false"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = json.dumps(value, ensure_ascii=False).replace("</", "<\\/")
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
    return config


def render_snippet(*, app_monitor_id: Any, region: Any, client_url: Any, app_version: Any,
                   config: Mapping[str, Any], sub: bool = False) -> str:
    """The loader as JavaScript text; with ``sub`` the text is an ``Fn::Sub`` body."""
    return render(
        "rum.js.j2",
        namespace=to_js("cwr", sub),
        app_monitor_id=to_js(app_monitor_id, sub),
        app_version=to_js(app_version, sub),
        region=to_js(region, sub),
        client_url=to_js(client_url, sub),
        config=to_js(config, sub),
    ) + "\n"


def client_url_of(settings: Settings) -> str:
    return settings.snippet.client_url or CDN_URL.format(version=settings.snippet.client_version)


def snippet_sub(settings: Settings, monitor, identity_pool_id: Any = None) -> Sub:
    """The snippet as ``Fn::Sub``: monitor id, region, endpoint and pool come from the stack."""
    variables: dict[str, Any] = {"AppMonitorId": GetAtt(monitor, "Id")}
    endpoint: Any = settings.snippet.endpoint or Placeholder("Endpoint")
    if not settings.snippet.endpoint:
        variables["Endpoint"] = Sub("https://dataplane.rum.${AWS::Region}.${AWS::URLSuffix}")
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
        config=client_config(settings, endpoint=endpoint, identity_pool_id=pool,
                             unsigned=settings.auth.mode == "resource-policy", sample_rate=rate),
        sub=True,
    )
    return Sub(body, **variables)


def render_concrete(*, app_monitor_id: str, region: str, identity_pool_id: str | None = None,
                    unsigned: bool = False, endpoint: str | None = None, client_url: str | None = None,
                    client_version: str | None = None, app_version: str | None = None,
                    telemetries: tuple[str, ...] | None = None, sample_rate: float | None = None,
                    excluded_pages: tuple[str, ...] | None = None, settings: Settings | None = None) -> str:
    """A ready rum.js for an existing monitor (``rumcfn snippet``), validated like the stack's settings."""
    from rumcfn.config.settings import SettingsError, with_overrides

    check_monitor_id(app_monitor_id)
    check_region(region)
    if bool(identity_pool_id) == bool(unsigned):
        raise SettingsError("--identity-pool-id", "give exactly one of --identity-pool-id and --unsigned",
                            identity_pool_id)
    if identity_pool_id and not re.fullmatch(r"[\w-]+:[0-9a-f-]+", identity_pool_id):
        raise SettingsError("--identity-pool-id", "must be an identity pool id such as us-east-1:1111-2222",
                            identity_pool_id)
    overrides = {
        "snippet.endpoint": endpoint, "snippet.client_url": client_url, "snippet.client_version": client_version,
        "snippet.app_version": app_version, "monitor.telemetries": telemetries,
        "monitor.session_sample_rate": sample_rate, "monitor.excluded_pages": excluded_pages,
    }
    settings = with_overrides(settings or Settings(), {k: v for k, v in overrides.items() if v is not None})
    config = client_config(
        settings,
        endpoint=settings.snippet.endpoint or f"https://dataplane.rum.{region}.{url_suffix(region)}",
        identity_pool_id=identity_pool_id or None,
        unsigned=unsigned,
    )
    return render_snippet(app_monitor_id=app_monitor_id, region=region, client_url=client_url_of(settings),
                          app_version=settings.snippet.app_version, config=config)


def check_monitor_id(value: str | None) -> None:
    from rumcfn.config.settings import SettingsError

    if not re.fullmatch(r"[0-9a-f-]{36}|[\w-]{1,64}", value or ""):
        raise SettingsError("--app-monitor-id", "must be an app monitor id (a UUID)", value)


def check_region(value: str | None) -> None:
    from rumcfn.config.settings import SettingsError

    if not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-[0-9]", value or ""):
        raise SettingsError("--region", "must be an AWS region such as eu-west-1", value)


def url_suffix(region: str) -> str:
    """The partition's URL suffix, as ``AWS::URLSuffix`` gives it inside a stack."""
    return "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"


def script_tag(key: str) -> str:
    """The tag a site adds to its <head> to load the snippet from the bucket."""
    return f'<script src="/{key}"></script>'


__all__ = ["render_snippet", "client_config", "snippet_sub", "script_tag", "client_url_of", "render_concrete", "Placeholder", "RegExp"]
