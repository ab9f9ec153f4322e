"""The CloudWatch RUM web client's own options (``[snippet.config]``), in the client's own names.

One table describes every option a settings file may set: its rule (type, allowed values or range)
and the client version that introduced it. Rules: aws-rum-web ``docs/configuration.md`` and
``docs/plugins/RRWebPlugin.md`` at 3.2.1 (the pinned client). Each ``since`` is the first release whose own
TypeScript type declares the option, read from the release tags (``vX.Y.Z``) of aws-observability/aws-rum-web:
``Config`` (``src/orchestration/Orchestration.ts`` to 2.1.0; ``packages/core`` and ``packages/web``
``src/orchestration/config.ts`` from 3.0.0), ``CookieAttributes``, ``CompressionStrategy``, and each telemetry's
plugin config (``JsErrorPluginConfig``; ``ResourcePluginConfig``, then ``PerformancePluginConfig`` from 1.14.0;
``HttpPluginConfig``; ``DomEventPluginConfig``; ``RRWebPluginConfig``). v1.1.0 is the oldest tag, so "1.1.0"
means "in every tagged release". The ``replay`` telemetry itself is in ``TelemetryEnum`` from 3.0.0 (its plugin's
type from 2.1.0). tests/unit/config/test_client_options.py checks every name against the installed client's types.
Options rumcfn derives from other settings, and options that only JavaScript can express, are listed apart with
what to do instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

from rumcfn.config import js_regexp
from rumcfn.config.rules import CONTROL, Each, Flag, Number, OneOf, Rule, Text, fail, is_number


class FrozenMap(tuple):
    """A TOML table kept hashable: its ``(key, value)`` pairs sorted by key (order is not meaningful)."""

    def as_dict(self) -> dict[str, Any]:
        return {key: thaw(value) for key, value in self}

    def keys(self) -> list[str]:
        return [key for key, _ in self]

    def get(self, key: str, default: Any = None) -> Any:
        return next((value for k, value in self if k == key), default)


def freeze(value: Any) -> Any:
    """Tables become :class:`FrozenMap`, lists tuples, all the way down."""
    if isinstance(value, FrozenMap):
        return value
    if isinstance(value, Mapping):
        return FrozenMap(sorted((str(k), freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """The plain form of a frozen value (for messages and rendering)."""
    if isinstance(value, FrozenMap):
        return value.as_dict()
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return value


@dataclass(frozen=True)
class Option:
    """One client option: its rule and the aws-rum-web release that introduced it."""

    rule: Rule
    since: str


# -- rules the option table needs beyond rumcfn.config.rules -------------------------------------
@dataclass(frozen=True)
class Whole(Rule):
    """A whole number of at least ``low`` (the client documents no upper bound)."""

    low: int

    def _check(self, name: str, value: Any) -> None:
        fail(name, isinstance(value, int) and not isinstance(value, bool), "must be a whole number", value)
        fail(name, value >= self.low, f"must be at least {self.low}", value)


@dataclass(frozen=True)
class RegExps(Rule):
    """Regular expressions (rendered as JavaScript ``RegExp`` literals); ``what`` says what they match."""

    what: str = "URLs"

    def _check(self, name: str, value: Any) -> None:
        fail(name, isinstance(value, tuple), f"must be a list of regular expressions over {self.what}", thaw(value))
        for pattern in value:
            check_pattern(name, pattern)


def check_pattern(name: str, pattern: Any) -> None:
    """A JavaScript regular expression source, as a browser compiles ``/pattern/`` (no flags): refused here,
    it cannot turn RUM off in every visitor's browser. A RegExp literal cannot hold a line break, and
    JavaScript counts U+2028 and U+2029 as line breaks too (ECMA-262, "Line Terminators")."""
    fail(name, isinstance(pattern, str) and pattern != "", "must be non-empty regular expressions", pattern)
    fail(name, not re.search("[\n\r\u2028\u2029]", pattern),
         "must be regular expressions with no line breaks (also no U+2028 or U+2029; write \\n, \\u2028 ...)",
         pattern)
    try:
        js_regexp.check(pattern)
    except js_regexp.JsRegExpError as error:
        fail(name, False, f"must be regular expressions JavaScript accepts ({error})", pattern)


@dataclass(frozen=True)
class FlagOrRegExps(Rule):
    """``true``/``false``, or regular expressions over request URLs (``addXRayTraceIdHeader``)."""

    def _check(self, name: str, value: Any) -> None:
        if isinstance(value, bool):
            return
        fail(name, isinstance(value, tuple), "must be true, false or a list of regular expressions over URLs", value)
        RegExps()._check(name, value)


#: Metadata attribute keys (configuration.md, "MetadataAttributes").
ATTRIBUTE_KEY = re.compile(r"(?!pageTags)(?!aws:)[a-zA-Z0-9_:]{1,128}")
#: "You may add up to 10 custom attributes per event" (configuration.md, "MetadataAttributes").
MAX_ATTRIBUTES = 10


@dataclass(frozen=True)
class Attributes(Rule):
    """Custom metadata: up to 10 keys of ``[a-zA-Z0-9_:]{1,128}`` (not ``aws:``, not ``pageTags``),
    values strings of up to 256 characters, numbers or booleans."""

    def _check(self, name: str, value: Any) -> None:
        fail(name, isinstance(value, FrozenMap), "must be a table of KEY = VALUE", value)
        fail(name, len(value) <= MAX_ATTRIBUTES, f"must have at most {MAX_ATTRIBUTES} attributes, but has {len(value)}",
             value.as_dict())
        for key, item in value:
            fail(f"{name}.{key}", ATTRIBUTE_KEY.fullmatch(key) is not None,
                 "keys must be 1-128 of a-z A-Z 0-9 _ : and not start with aws: or pageTags", key)
            ok = is_number(item) or isinstance(item, bool) or (isinstance(item, str) and len(item) <= 256)
            fail(f"{name}.{key}", ok, "must be a string of at most 256 characters, a number or true/false", thaw(item))


@dataclass(frozen=True)
class Table(Rule):
    """A table whose keys are the given options (each checked by its own rule)."""

    options: Any  # Mapping[str, Option]; Any keeps the dataclass hashable
    what: str = "option"

    def _check(self, name: str, value: Any) -> None:
        fail(name, isinstance(value, FrozenMap), "must be a table", value)
        for key, item in value:
            known = sorted(self.options)
            fail(
                f"{name}.{key}",
                key in self.options,
                f"is not a known {self.what} (known: {', '.join(known)})",
                thaw(item),
            )
            self.options[key].rule.check(f"{name}.{key}", item)


@dataclass(frozen=True)
class Headers(Rule):
    """A table of ``NAME = "value"``: HTTP header names, and values ``fetch`` sends. Fetch's ``Headers``
    throws a TypeError for a value with a character above U+00FF (a header value is bytes, WebIDL
    ByteString) or with NUL, CR or LF (Fetch Standard, "header value"), and the client's whole dispatch
    fails with it; control characters are refused as in every setting."""

    def _check(self, name: str, value: Any) -> None:
        fail(name, isinstance(value, FrozenMap), "must be a table of NAME = \"value\"", value)
        for key, item in value:
            fail(f"{name}.{key}", HEADER_NAME.fullmatch(key) is not None, "must be an HTTP header name", key)
            fail(f"{name}.{key}", isinstance(item, str), "must be a string", thaw(item))
            fail(f"{name}.{key}", re.search(CONTROL, item) is None, "must not contain control characters", item)
            fail(f"{name}.{key}", all(ord(c) <= 0xFF for c in item),
                 "must be characters up to U+00FF (fetch sends header values as bytes)", item)


#: An HTTP field name: a token (RFC 9110, section 5.1 and 5.6.2).
HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def control_characters(name: str, value: Any) -> None:
    """Refuse a control character in any string of a nested value (keys included), naming where it is."""
    if isinstance(value, str):
        fail(name, re.search(CONTROL, value) is None, "must not contain control characters", value)
    elif isinstance(value, FrozenMap):
        for key, item in value:
            control_characters(f"{name}.{key}", key)
            control_characters(f"{name}.{key}", item)
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            control_characters(f"{name}[{index}]", item)


@dataclass(frozen=True)
class DomEvents(Rule):
    """``interaction.events``: each ``{event = "click", cssLocator = "..." | elementId = "..."}``."""

    def _check(self, name: str, value: Any) -> None:
        fail(name, isinstance(value, tuple), "must be a list of {event, cssLocator or elementId} tables", thaw(value))
        for item in value:
            fail(
                name,
                isinstance(item, FrozenMap) and isinstance(item.get("event"), str) and item.get("event") != "",
                "entries must be tables with an event name such as event = \"click\"",
                thaw(item),
            )
            extra = [k for k in item.keys() if k not in ("event", "cssLocator", "elementId")]
            fail(
                name,
                not extra,
                "entries may only have event, cssLocator and elementId (element needs JavaScript)",
                thaw(item),
            )
            selectors = [k for k in ("cssLocator", "elementId") if k in item.keys()]
            fail(
                name,
                len(selectors) == 1 and all(isinstance(item.get(k), str) and item.get(k) for k in selectors),
                "entries need exactly one of cssLocator or elementId (a non-empty string)",
                thaw(item),
            )


WHOLE_0, WHOLE_1 = Whole(0), Whole(1)
RESOURCE_TYPES = ("other", "stylesheet", "document", "script", "image", "font")  # configuration.md, "Performance"

#: The first release declaring what is in every tagged release (see the module's docstring).
FIRST = "1.1.0"

COOKIE_ATTRIBUTES = {
    "domain": Option(Text(r"\.?[A-Za-z0-9.\-]{1,253}", "must be a host name such as example.com"), FIRST),
    "path": Option(Text(r"/[^;\s]*", "must be a path starting with / (no ; or spaces)"), FIRST),
    "sameSite": Option(OneOf(("Strict", "Lax", "None")), FIRST),
    "secure": Option(Flag(), FIRST),
    "unique": Option(Flag(), FIRST),
}

#: ``[snippet.config]``: every client option a settings file may set.
CLIENT_OPTIONS: dict[str, Option] = {
    "alias": Option(Text(r".{1,255}", "must be 1-255 characters (PutRumEvents Alias)"), "1.20.0"),
    "applicationAttributes": Option(Attributes(), "3.1.0"),
    "batchLimit": Option(WHOLE_1, FIRST),
    "candidatesCacheSize": Option(WHOLE_1, "1.23.0"),
    "compressionStrategy": Option(Table({"enabled": Option(Flag(), "2.1.0")}), "2.1.0"),
    "cookieAttributes": Option(Table(COOKIE_ATTRIBUTES, "cookie attribute"), FIRST),
    "disableAutoPageView": Option(Flag(), FIRST),
    "enableRumClient": Option(Flag(), FIRST),
    "enableW3CTraceId": Option(Flag(), "1.25.0"),
    "eventCacheSize": Option(WHOLE_1, FIRST),
    "headers": Option(Headers(), "1.22.0"),
    "pageIdFormat": Option(OneOf(("PATH", "HASH", "PATH_AND_HASH")), FIRST),
    "recordResourceUrl": Option(Flag(), FIRST),
    "retries": Option(WHOLE_0, "1.6.0"),
    "routeChangeComplete": Option(WHOLE_0, "1.5.0"),
    "routeChangeTimeout": Option(WHOLE_1, "1.5.0"),
    "sessionAttributes": Option(Attributes(), "1.10.0"),
    "sessionEventLimit": Option(WHOLE_0, FIRST),
    "sessionLengthSeconds": Option(WHOLE_1, FIRST),
    "suppressSessionStartEvent": Option(Flag(), "3.1.0"),
    "useBeacon": Option(Flag(), "1.9.0"),
    "userIdRetentionDays": Option(WHOLE_0, FIRST),
}

#: Per-telemetry tables (``[snippet.config.http]`` ...). errors, performance and http are the monitor's
#: telemetries; interaction and replay are client-only and switched on by their table.
TELEMETRY_OPTIONS: dict[str, dict[str, Option]] = {
    "errors": {
        "stackTraceLength": Option(WHOLE_0, FIRST),
        "ignore": Option(RegExps("error messages"), "1.6.0"),
    },
    "performance": {
        "eventLimit": Option(WHOLE_0, FIRST),
        "ignore": Option(RegExps("resource URLs"), "1.14.0"),
        "recordAllTypes": Option(Each(OneOf(RESOURCE_TYPES), unique=True), FIRST),
        "sampleTypes": Option(Each(OneOf(RESOURCE_TYPES), unique=True), FIRST),
        "reportAllLCP": Option(Flag(), "1.23.0"),
        "reportAllCLS": Option(Flag(), "1.23.0"),
        "reportAllINP": Option(Flag(), "1.23.0"),
    },
    "http": {
        "urlsToInclude": Option(RegExps(), FIRST),
        "urlsToExclude": Option(RegExps(), FIRST),
        "stackTraceLength": Option(WHOLE_0, FIRST),
        "recordAllRequests": Option(Flag(), FIRST),
        "addXRayTraceIdHeader": Option(FlagOrRegExps(), FIRST),
    },
    "interaction": {
        "events": Option(DomEvents(), FIRST),
        "enableMutationObserver": Option(Flag(), "1.4.0"),
    },
    "replay": {  # docs/plugins/RRWebPlugin.md
        "additionalSampleRate": Option(Number(0, 1), "2.1.0"),
        "batchSize": Option(WHOLE_1, "2.1.0"),
        "flushInterval": Option(WHOLE_1, "2.1.0"),
    },
}
#: The client-only telemetries and the release whose telemetry names include each (``interaction`` in
#: Orchestration.ts's ``TelemetryEnum`` of v1.1.0; ``replay`` in packages/web's ``TelemetryEnum`` from v3.0.0).
CLIENT_TELEMETRIES = {"interaction": FIRST, "replay": "3.0.0"}

#: Options rumcfn already sets from another setting: where to set them instead.
DERIVED: dict[str, str] = {
    "allowCookies": "monitor.allow_cookies",
    "debug": "snippet.debug",
    "dispatchInterval": "snippet.dispatch_interval",
    "enableXRay": "monitor.enable_xray",
    "endpoint": "snippet.endpoint",
    "guestRoleArn": "auth.guest_role_arn",
    "identityPoolId": "auth.identity_pool_id (or the identity pool the stack creates)",
    "pagesToExclude": "monitor.excluded_pages",
    "pagesToInclude": "monitor.included_pages",
    "releaseId": "snippet.release_id",
    "sessionSampleRate": "monitor.session_sample_rate",
    "signing": "auth.mode (resource-policy sends unsigned requests)",
    "telemetries": "monitor.telemetries and the [snippet.config.<telemetry>] tables",
}

#: Options a settings file cannot express, and why.
JAVASCRIPT_ONLY: dict[str, str] = {
    "clientBuilder": "it is a JavaScript function; use `rumcfn snippet --format module` and add it there",
    "eventPluginsToLoad": "it holds JavaScript plugin objects; use `rumcfn snippet --format module` and add them there",
    "fetchFunction": "it is a JavaScript function; use `rumcfn snippet --format module` and add it there",
    "interactionId": "it is a JavaScript function; use `rumcfn snippet --format module` and add it there",
    "recordOptions": "it is passed to rrweb as JavaScript; use `rumcfn snippet --format module` and add it there",
    "sessionId": "one value in the snippet would be shared by every visitor; call cwr('pinSessionId', ID) per visitor",
    "userId": "one value in the snippet would be shared by every visitor; call cwr('pinUserId', ID) per visitor",
}


@dataclass(frozen=True)
class ClientConfig(Rule):
    """The ``[snippet.config]`` table: every key is a known client option, set by its rule, once."""

    def normalize(self, value: Any) -> Any:
        return freeze(value) if isinstance(value, Mapping) else value

    def _check(self, name: str, value: Any) -> None:
        fail(name, isinstance(value, FrozenMap), "must be a table of web client options", value)
        for key, item in value:
            where = f"{name}.{key}"
            if key in DERIVED:
                fail(where, False, f"is set by rumcfn from {DERIVED[key]}; set that instead", thaw(item))
            if key in JAVASCRIPT_ONLY:
                fail(where, False, f"cannot be set in a settings file: {JAVASCRIPT_ONLY[key]}", thaw(item))
            if key in TELEMETRY_OPTIONS:
                Table(TELEMETRY_OPTIONS[key], f"{key} option").check(where, item)
                continue
            known = sorted([*CLIENT_OPTIONS, *TELEMETRY_OPTIONS])
            fail(
                where,
                key in CLIENT_OPTIONS,
                f"is not a web client option rumcfn knows (known: {', '.join(known)})",
                thaw(item),
            )
            CLIENT_OPTIONS[key].rule.check(where, item)
        control_characters(name, value)  # after each option's own rule, which says it more precisely


def version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"[0-9]+", text)[:3])


def used_options(config: FrozenMap) -> list[tuple[str, str, Any]]:
    """Every option set in ``config`` as ``(dotted name, since, value)``, telemetry tables included."""
    used = []
    for key, item in config:
        if key in TELEMETRY_OPTIONS:
            used.append((key, CLIENT_TELEMETRIES.get(key, FIRST), item))
            used += [(f"{key}.{sub}", TELEMETRY_OPTIONS[key][sub].since, v) for sub, v in item]
        elif key in CLIENT_OPTIONS:
            used.append((key, CLIENT_OPTIONS[key].since, item))
            if key == "cookieAttributes":
                used += [(f"{key}.{sub}", COOKIE_ATTRIBUTES[sub].since, v) for sub, v in item]
    return used
