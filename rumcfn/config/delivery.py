"""``[snippet]`` (the rum.js loader) and ``[script]`` (the custom resource that writes it into the bucket)."""

from __future__ import annotations

from dataclasses import dataclass

from rumcfn.config import formats
from rumcfn.config.client_options import ClientConfig, FrozenMap, thaw, used_options, version_tuple
from rumcfn.config.routes import Routes
from rumcfn.config.rules import Flag, Number, OneOf, Text, Value, fail
from rumcfn.config.section import Section, setting
from rumcfn.facts import DEFAULT_CLIENT_VERSION, LOG_RETENTION_DAYS

#: A released web client: a semantic version without leading zeros, 1.0.0 or later (aws-rum-web on npm
#: starts at 1.0.3; the CDN serves each release at /<version>/cwr.js).
CLIENT_VERSION = Text(r"[1-9][0-9]{0,2}\.(0|[1-9][0-9]{0,3})\.(0|[1-9][0-9]{0,3})", "must be a version such as 3.2.1")

#: AWS's rule for a release id (CloudWatch user guide, "Enabling unminification of JavaScript error stack
#: traces"; aws-rum-web docs/configuration.md ``releaseId``), and no empty or ".." path segment: the id is a folder
#: of the maps' S3 keys (``<prefix>/<release id>/``), where "/" would make ``maps//`` and ".." climb out.
RELEASE_ID = Text(r"(?!/)(?!.*//)(?!.*/$)(?!(.*/)?\.\.(/|$))[a-zA-Z0-9_\-:/.]{1,200}",
                  "must be 1-200 of letters, digits and _ - : / . (no empty or .. segments between slashes)",
                  optional=True)

#: Where the client sends (``snippet.endpoint``): an http(s) URL whose path has no empty segment and no query or
#: fragment. The client posts to its path with one trailing "/" removed + /appmonitors/<id> (@aws-rum/web-core
#: DataPlaneClient), ignoring a query; the canary answers the path with every trailing "/" removed: with no
#: empty segment the two are the same.
ENDPOINT = Text(rf"https?://{formats.HOST}(:{formats.PORT})?(/|(/[^\s/?#]+)+/?)?",
                "must be an http(s) URL with no empty segments (//) in its path and no query or fragment, such as "
                "https://rum.example.com/collect", max_length=2048, optional=True, summary="an http(s) URL")

#: When the snippet starts the web client (docs/loading-and-first-party.md): after the page's load event, when the
#: browser is idle after it, or at once. Errors thrown before the client runs are kept and replayed in every case.
LOAD_STRATEGIES = ("after-load", "idle", "eager")

#: A path on the site's own origin that CloudFront forwards to RUM's data plane. It becomes a cache behavior's
#: path pattern (``<path>/*``; CloudFront Developer Guide, "Cache behavior settings", Path pattern: at most 255
#: characters); rumcfn takes a safe subset: ``/`` then segments of letters, digits and ``_ - . ~``, no ``.`` or
#: ``..`` segment (browsers resolve them away), no trailing ``/``.
FIRST_PARTY = Text(
    r"(?!.*/\.\.?(/|$))(/[A-Za-z0-9_.~-]+)+",
    "must be a path such as /rum: / then segments of letters, digits and _ - . ~ (no trailing /, no . or ..)",
    max_length=200,
    optional=True,
)


@dataclass(frozen=True)
class SnippetSettings(Section):
    """The rum.js loader snippet (``[snippet]``)."""

    section = "snippet"

    client_version: str = setting(
        DEFAULT_CLIENT_VERSION, "Pinned version of the CloudWatch RUM web client loaded from the CDN.", CLIENT_VERSION
    )
    client_url: str = setting(
        "", "Where the web client is loaded from (empty: AWS's CDN at client_version).", formats.url(optional=True)
    )
    endpoint: str = setting(
        "",
        "Data-plane endpoint (empty: `https://dataplane.rum.<region>.<url suffix>`, from the stack).",
        ENDPOINT,
    )
    app_version: str = setting(
        "1.0.0",
        "Your site's version, reported with every event.",
        Text(r"[\w.+\-]{1,64}", "must be 1-64 of A-Za-z0-9_.+-"),
    )
    dispatch_interval: int = setting(
        0,
        "Milliseconds between event batches (0: the client's default, 5000).",
        Number(0, 3_600_000, integer=True, unit=" ms"),
    )
    debug: bool = setting(False, "Let the client log to the browser console.", Flag())
    release_id: str = setting(
        "",
        "Release of the site's JavaScript, sent as `releaseId` so RUM finds its source maps (empty: none).",
        RELEASE_ID,
    )
    load: str = setting(
        "after-load",
        "When the web client loads: `after-load` (after the page's load event), `idle` (when the browser is idle "
        "after it) or `eager` (at once, competing with the page). Errors thrown earlier are kept and replayed.",
        OneOf(LOAD_STRATEGIES),
    )
    first_party: str = setting(
        "",
        "Path on the site's own origin that CloudFront forwards to RUM's data plane, such as `/rum` (needs "
        "auth.mode = \"resource-policy\"; the stack creates the function and policy the behavior needs). Empty: "
        "the client sends to the data plane directly.",
        FIRST_PARTY,
    )
    routes: tuple = setting(
        (),
        "Route templates such as [\"/products/:id\", \"/blog/*\"]: the page id the client records for a path is "
        "its first matching route (`:name` one segment, a final `*` the rest), else the path; on page loads and "
        "history-API navigation. Segments and budgets name routes.",
        Routes(),
    )
    config: FrozenMap = setting(
        FrozenMap(),
        "The web client's own options in its own names (`[snippet.config]` table; see \"The web client's options\").",
        ClientConfig(),
    )

    def check(self) -> None:
        fail(
            "snippet.first_party",
            not (self.first_party and self.endpoint),
            f"cannot be set together with snippet.endpoint ({self.endpoint}): the first-party path is the endpoint",
            self.first_party,
        )
        version = version_tuple(self.client_version)
        for name, since, value in used_options(self.config):
            fail(
                f"snippet.config.{name}",
                version >= version_tuple(since),
                f"needs web client {since} or later (snippet.client_version is {self.client_version})",
                thaw(value),
            )
        complete, timeout = self.config.get("routeChangeComplete"), self.config.get("routeChangeTimeout", 10_000)
        fail(
            "snippet.config.routeChangeComplete",
            complete is None or complete < timeout,
            f"must be less than routeChangeTimeout ({timeout})",
            complete,
        )
        if self.routes:
            # The snippet records each page view itself (with the route as page id), from the path.
            for option, allowed in (("disableAutoPageView", (None, True)), ("pageIdFormat", (None, "PATH"))):
                fail(
                    f"snippet.config.{option}",
                    self.config.get(option) in allowed,
                    "cannot be set with snippet.routes (the snippet records page views by route, from the path)",
                    thaw(self.config.get(option)),
                )
        cookies = self.config.get("cookieAttributes", FrozenMap())
        # Browsers reject SameSite=None cookies that are not Secure (MDN, Set-Cookie "SameSite=None").
        fail(
            "snippet.config.cookieAttributes.sameSite",
            not (cookies.get("sameSite") == "None" and cookies.get("secure") is False),
            "None needs secure = true (browsers reject SameSite=None cookies without Secure)",
            "None",
        )


#: What ``rumcfn snippet`` and ``rumcfn doctor`` need to know about a monitor that already exists: its id, a UUID
#: (botocore rum model, AppMonitorId: 36 characters of [a-fA-F0-9]{8}-[a-fA-F0-9]{4}-...-[a-fA-F0-9]{12}).
APP_MONITOR_ID = Text(r"[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}",
                      "must be an app monitor id (a UUID such as 8bd5f4a2-1b7c-4a36-9a0e-0d4fbbd1d0c3)",
                      min_length=36, max_length=36)

#: The object key of rum.js. S3 keys are at most 1,024 bytes of UTF-8; rumcfn takes the safe characters of the
#: S3 object-key guidelines except * and ? (IAM wildcards: the writer role may write exactly this object), and
#: no "." or ".." segments (browsers resolve them, so the ScriptTag would point elsewhere).
KEY = Text(
    r"(?!.*(^|/)\.\.?(/|$))[\w!\-.'()/]+",
    "must be an S3 key of letters, digits and ! - _ . ' ( ) / (no * or ?, no . or .. segments), at most 1,024 bytes",
    min_length=1,
    max_bytes=1024,
)
#: A Cache-Control header value: visible ASCII and spaces (RFC 9110 field values), at most 256 characters.
CACHE_CONTROL = Text(r"[ -~]{1,256}", "must be a Cache-Control header value (1-256 visible ASCII characters)")


@dataclass(frozen=True)
class ScriptSettings(Section):
    """The custom resource that writes rum.js into the website bucket (``[script]``)."""

    section = "script"

    bucket: Value = setting("example-site-assets", "The website's S3 bucket, which receives rum.js.", formats.BUCKET)
    key: str = setting("rum.js", "Object key of the snippet in the bucket.", KEY)
    create_bucket: bool = setting(
        False, "Create the website bucket too (encrypted, public access blocked, SSL only, versioned).", Flag()
    )
    noncurrent_version_days: int = setting(
        30,
        "Days the bucket rumcfn creates keeps replaced versions of site files (S3 lifecycle NoncurrentDays).",
        Number(1, 36500, integer=True, unit=" days"),
    )
    cache_control: str = setting("max-age=300", "Cache-Control header of rum.js.", CACHE_CONTROL)
    retain_on_delete: bool = setting(False, "Keep rum.js in the bucket when the stack is deleted.", Flag())
    log_retention_days: int = setting(30, "Retention of the handler's log group, in days.", OneOf(LOG_RETENTION_DAYS))
    service_timeout: int = setting(
        300,
        "Seconds CloudFormation waits for the handler's answer before failing.",
        Number(1, 3600, integer=True, unit=" seconds"),
    )

    def check(self) -> None:
        fail("script.key", not self.key.startswith("/"), "must not start with /", self.key)
