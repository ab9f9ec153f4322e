"""``[monitor]`` (the RUM app monitor) and ``[auth]`` (how browsers may send data)."""

from __future__ import annotations

from dataclasses import dataclass

from rumcfn.config import formats
from rumcfn.config.rules import Each, Flag, Lazy, Number, OneOf, Text, Value, fail
from rumcfn.config.section import Section, setting
from rumcfn.facts import (
    AUTH_MODES,
    DIMENSION_EVENTS,
    EXTENDED_DIMENSIONS,
    EXTENDED_METRICS,
    LOG_RETENTION_DAYS,
    TELEMETRIES,
    region_pattern,
)

#: The RUM API's AppMonitorName: ^(?!\.)[\.\-_#A-Za-z0-9]+$, 1-255 (no "/", which CloudFormation's schema allows).
NAME = Text(
    r"(?!\.)[\.\-_#A-Za-z0-9]+",
    r"must match ^(?!\.)[\.\-_#A-Za-z0-9]+$ (no leading dot) and be 1 to 255 characters",
    min_length=1,
    max_length=255,
    summary="1-255 characters of A-Z a-z 0-9 . - _ #, not starting with a dot",
)
#: IncludedPages/ExcludedPages (RUM API ``Pages``: at most 50 ``Url``s); FavoritePages likewise at most 50.
PAGES = Each(formats.PAGE, count=(0, 50), what="pages")
SAMPLE_RATE = Number(0, 1, summary="a number from 0 (no sessions) to 1 (all sessions)")


@dataclass(frozen=True)
class MonitorSettings(Section):
    """The RUM app monitor (``[monitor]`` in rumcfn.toml)."""

    section = "monitor"

    name: Value = setting(
        "example-site",
        "App monitor name; 1-255 of `A-Za-z0-9.-_#`, not starting with a dot (RUM API). "
        "Also names alarms and the canary.",
        NAME,
    )
    domains: tuple = setting(
        ("www.example.com",),
        "1-5 domains the monitor accepts data from; `*.example.com` wildcards allowed.",
        Each(formats.DOMAIN, count=(1, 5), what="domains"),
    )
    telemetries: tuple = setting(
        TELEMETRIES,
        "What the web client records: any of errors, performance, http.",
        Each(OneOf(TELEMETRIES), unique=True),
    )
    session_sample_rate: Value = setting(1.0, "Share of user sessions recorded, 0 to 1.", SAMPLE_RATE)
    allow_cookies: bool = setting(True, "Let the client set cookies to follow users and sessions across pages.", Flag())
    enable_xray: bool = setting(
        False, "Trace HTTP requests with X-Ray (adds xray:PutTraceSegments to the guest role).", Flag()
    )
    cw_log_enabled: bool = setting(False, "Copy RUM events to CloudWatch Logs (billed separately).", Flag())
    log_retention_days: int = setting(
        0,
        "Retention of RUM's own log group with cw_log_enabled, set by a custom resource "
        "(0: leave it as RUM makes it, never expiring).",
        OneOf((0, *LOG_RETENTION_DAYS)),
    )
    included_pages: tuple = setting((), "Only these page URL patterns are recorded (empty: all).", PAGES)
    excluded_pages: tuple = setting((), "Page URL patterns never recorded.", PAGES)
    favorite_pages: tuple = setting((), "Pages pinned in the RUM console.", PAGES)
    custom_events: bool = setting(False, "Accept custom events sent with `cwr('recordEvent', ...)`.", Flag())
    source_maps_s3_uri: str = setting(
        "",
        "`s3://bucket/prefix` of JavaScript source maps for stack-trace deobfuscation, in a bucket you "
        "own in the monitor's region (empty: off; `synth` prints the bucket policy RUM needs).",
        formats.S3_URI,
    )
    source_maps_bucket: bool = setting(
        False,
        "Create an encrypted, SSL-only bucket for source maps that RUM may read, and turn "
        "deobfuscation on (upload with `rumcfn sourcemaps upload`).",
        Flag(),
    )
    source_maps_noncurrent_version_days: int = setting(
        30,
        "Days the source-map bucket rumcfn creates keeps replaced versions of maps (S3 lifecycle NoncurrentDays).",
        Number(1, 36500, integer=True, unit=" days"),
    )
    extended_metrics: tuple = setting(
        (),
        "RUM metric names to publish to CloudWatch with extra dimensions, e.g. WebVitalsLargestContentfulPaint.",
        Each(OneOf(tuple(EXTENDED_METRICS))),
    )
    extended_metric_dimensions: tuple = setting(
        ("BrowserName", "DeviceType"),
        "Dimensions for extended metrics: PageId, BrowserName, DeviceType, OSName, CountryCode, FileType "
        "(FileType only with PerformanceResourceDuration).",
        Each(OneOf(tuple(EXTENDED_DIMENSIONS))),
    )
    tags: tuple = setting((), "Tags for the app monitor (TOML table; `--monitor.tags KEY=VALUE`).", formats.TAGS)
    retain_on_delete: bool = setting(
        False, "Keep the monitor and its data when the stack is deleted or the monitor replaced (`rumcfn import` "
               "sets it for a monitor it adopts).", Flag())

    def check(self) -> None:
        fail(
            "monitor.log_retention_days",
            not self.log_retention_days or self.cw_log_enabled is True,
            "applies only with monitor.cw_log_enabled = true (RUM's log group exists only then)",
            self.log_retention_days,
        )
        fail(
            "monitor.source_maps_bucket",
            not (self.source_maps_bucket and self.source_maps_s3_uri),
            "cannot be combined with monitor.source_maps_s3_uri (create a bucket, or name yours)",
            self.source_maps_bucket,
        )
        fail(
            "monitor.excluded_pages",
            not (self.included_pages and self.excluded_pages),
            "cannot be combined with monitor.included_pages (RUM accepts one or the other)",
            list(self.excluded_pages),
        )
        self.check_dimension_events()

    def check_dimension_events(self) -> None:
        """A dimension only with metrics whose events carry its field: on other events the definition's pattern
        (which must name the field) matches nothing, and the metric never gets data."""
        for dimension in self.extended_metric_dimensions:
            events = DIMENSION_EVENTS[dimension]
            if events is None:
                continue
            lacking = [name for name in self.extended_metrics if EXTENDED_METRICS[name].event not in events]
            carrying = [name for name, metric in EXTENDED_METRICS.items() if metric.event in events]
            fail(
                "monitor.extended_metric_dimensions",
                not lacking,
                f"{dimension} goes only with {', '.join(carrying)} (only {', '.join(events)} events carry "
                f"{EXTENDED_DIMENSIONS[dimension]}); {', '.join(lacking)} would get no data with it",
                list(self.extended_metric_dimensions),
            )


#: Identity pool ids are REGION:GUID, the Region of any partition (Amazon Cognito identity pools, e.g.
#: us-east-1:1a1a1a1a-ffff-1111-9999-12345678abcd; the API's IdentityPoolId is [\w-]+:[0-9a-f-]+ and at most 55
#: characters).
IDENTITY_POOL_ID = Lazy(lambda: Text(
    f"{region_pattern()}:[0-9a-f]{{8}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{12}}",
    "must be an identity pool id such as us-east-1:1a1a1a1a-ffff-1111-9999-12345678abcd",
    max_length=55,
    optional=True,
))


@dataclass(frozen=True)
class AuthSettings(Section):
    """How browsers are allowed to send data (``[auth]``)."""

    section = "auth"

    mode: str = setting(
        "cognito",
        "`cognito` (identity pool + guest role) or `resource-policy` (unsigned requests, no Cognito).",
        OneOf(AUTH_MODES),
    )
    identity_pool_id: Value = setting(
        "",
        "Reuse this existing identity pool instead of creating one (cognito mode; needs guest_role_arn).",
        IDENTITY_POOL_ID,
    )
    guest_role_arn: Value = setting(
        "", "Reuse this existing guest role (cognito mode; needs identity_pool_id).", formats.ROLE_ARN
    )
    restrict_referer: bool = setting(
        False, "resource-policy mode: accept only requests whose aws:Referer matches the monitor's domains.", Flag()
    )

    def check(self) -> None:
        fail(
            "auth.identity_pool_id",
            bool(self.identity_pool_id) == bool(self.guest_role_arn),
            "must be given together with auth.guest_role_arn to reuse an existing pool",
            self.identity_pool_id,
        )
        fail(
            "auth.mode",
            not (self.mode == "resource-policy" and self.identity_pool_id),
            "resource-policy mode uses no Cognito; drop auth.identity_pool_id",
            self.mode,
        )
        fail(
            "auth.restrict_referer",
            not (self.restrict_referer and self.mode != "resource-policy"),
            "applies to resource-policy mode only",
            self.restrict_referer,
        )
