"""Settings: frozen dataclasses with documented defaults, validation and TOML loading.

This is the only module that knows what a valid setting is. Every field documents its default in
its metadata (``doc``), and every literal value is checked when the dataclass is built, so bad
input fails at synth time with one line naming the setting, the rule and the value received.

A value may also be a troposphere ``Ref`` to a template parameter (``--parameters`` mode): such
values cannot be checked at build time and are passed through untouched.
"""

from __future__ import annotations

import dataclasses
import re
import typing
from dataclasses import dataclass, field
from typing import Any, Mapping, Union

from troposphere import AWSHelperFn

#: A setting value: a literal, or a CloudFormation function such as ``Ref(parameter)``.
Value = Union[str, AWSHelperFn]
#: A number that may also be a parameter (``--parameters`` mode).
Number = Union[float, AWSHelperFn]
#: A budget: a positive number, or ``None`` for off ("off" in files and flags).
Budget = Union[float, None]

MONITOR_NAME = re.compile(r"[\.\-_/#A-Za-z0-9]{1,255}")
# A host name, optionally starting with a "*." wildcard label (as RUM's DomainList allows).
DOMAIN = re.compile(
    r"(\*\.)?(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*"
    r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
)
URL = re.compile(r"https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?(/[^\s]*)?")
BUCKET = re.compile(r"(?!xn--)(?!.*-s3alias$)[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]")
S3_URI = re.compile(r"s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9](/.*)?")
TAG_KEY = re.compile(r"(?!aws:)[\w\s.:/=+\-@]{1,128}")
VERSION = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+")
IDENTITY_POOL_ID = re.compile(r"[\w-]+:[0-9a-f-]+")
ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}")
TOPIC_ARN = re.compile(r"arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[\w-]{1,256}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
STATISTIC = re.compile(r"p(\d{1,2}(\.\d{1,2})?|100)|avg|max|min|Average|Maximum|Minimum")
SCHEDULE = re.compile(
    r"rate\(0 minutes?\)|rate\(1 (minute|hour)\)|rate\(([2-9]|[1-5][0-9]|60) minutes\)"
    r"|rate\(([2-9]|1[0-9]|2[0-4]) hours\)|cron\([^()]+\)"
)


def schedule_interval(schedule: str) -> int | None:
    """Seconds between canary runs for ``rate(N minutes|hours)``; None for ``cron(...)`` and run-once ``rate(0 ...)``."""
    match = re.fullmatch(r"rate\((\d+) (minute|hour)s?\)", schedule)
    if not match or match.group(1) == "0":
        return None
    return int(match.group(1)) * (60 if match.group(2) == "minute" else 3600)


CANARY_NAME = re.compile(r"[0-9a-z_\-]{1,255}")

TELEMETRIES = ("errors", "performance", "http")
AUTH_MODES = ("cognito", "resource-policy")
EXTENDED_DIMENSIONS = {
    "PageId": "metadata.pageId",
    "BrowserName": "metadata.browserName",
    "DeviceType": "metadata.deviceType",
    "OSName": "metadata.osName",
    "CountryCode": "metadata.countryCode",
    "FileType": "event_details.fileType",
}
DEFAULT_CLIENT_VERSION = "3.2.1"

_EVENT = "com.amazon.rum.{}_event"
#: Extended metrics RUM accepts in AWS/RUM: name -> (ValueKey, event type, extra event_details pattern).
EXTENDED_METRICS = {
    "WebVitalsLargestContentfulPaint": ("event_details.value", "largest_contentful_paint", None),
    "WebVitalsCumulativeLayoutShift": ("event_details.value", "cumulative_layout_shift", None),
    "WebVitalsInteractionToNextPaint": ("event_details.value", "interaction_to_next_paint", None),
    "WebVitalsFirstInputDelay": ("event_details.value", "first_input_delay", None),
    "PerformanceNavigationDuration": ("event_details.duration", "performance_navigation", None),
    "PerformanceResourceDuration": ("event_details.duration", "performance_resource", None),
    "JsErrorCount": (None, "js_error", None),
    "HttpErrorCount": (None, "http", None),
    "Http4xxCount": (None, "http", {"response": {"status": [{"numeric": [">=", 400, "<", 500]}]}}),
    "Http5xxCount": (None, "http", {"response": {"status": [{"numeric": [">=", 500, "<=", 599]}]}}),
    "PageViewCount": (None, "page_view", None),
    "SessionCount": (None, "session_start", None),
}


class SettingsError(ValueError):
    """A setting broke a rule. ``str()`` is the one line the user sees."""

    def __init__(self, setting: str, rule: str, value: Any):
        self.setting, self.rule, self.value = setting, rule, value
        super().__init__(f"setting {setting!s}: {rule}, but got {value!r}")


def is_literal(value: Any) -> bool:
    """True unless ``value`` is a CloudFormation function, which cannot be checked at build time."""
    return not isinstance(value, AWSHelperFn)


def setting(default: Any, doc: str, *, factory: bool = False):
    """A dataclass field whose default and meaning are documented in one place."""
    if factory:
        return field(default_factory=default, metadata={"doc": doc})
    return field(default=default, metadata={"doc": doc})


def _check(name: str, ok: bool, rule: str, value: Any) -> None:
    if not ok:
        raise SettingsError(name, rule, value)


def check_pattern(name: str, value: Any, pattern: re.Pattern, rule: str) -> None:
    """Literal strings must fully match ``pattern``; ``Ref``s pass through."""
    if is_literal(value):
        _check(name, isinstance(value, str) and pattern.fullmatch(value) is not None, rule, value)


def check_range(name: str, value: Any, low: float, high: float, unit: str = "") -> None:
    """Literal numbers must lie in ``[low, high]``; ``Ref``s pass through."""
    if is_literal(value):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        _check(name, ok and low <= value <= high, f"must be between {low:g} and {high:g}{unit}", value)


def check_choice(name: str, value: Any, choices: tuple[str, ...]) -> None:
    if is_literal(value):
        _check(name, value in choices, f"must be one of {', '.join(map(str, choices))}", value)


def check_items(name: str, values: Any, low: int, high: int, what: str) -> None:
    if is_literal(values):
        n = len(values)
        _check(name, low <= n <= high, f"must have {low} to {high} {what}, but has {n}", list(values))


@dataclass(frozen=True)
class MonitorSettings:
    """The RUM app monitor (``[monitor]`` in rumcfn.toml)."""

    name: Value = setting("example-site", "App monitor name; 1-255 of `A-Za-z0-9.-_/#`. Also names alarms and the canary.")
    domains: tuple[Value, ...] = setting(("www.example.com",), "1-5 domains the monitor accepts data from; `*.example.com` wildcards allowed.")
    telemetries: tuple[str, ...] = setting(TELEMETRIES, "What the web client records: any of errors, performance, http.")
    session_sample_rate: Number = setting(1.0, "Share of user sessions recorded, 0 to 1.")
    allow_cookies: bool = setting(True, "Let the client set cookies to follow users and sessions across pages.")
    enable_xray: bool = setting(False, "Trace HTTP requests with X-Ray (adds xray:PutTraceSegments to the guest role).")
    cw_log_enabled: bool = setting(False, "Copy RUM events to CloudWatch Logs (billed separately).")
    included_pages: tuple[str, ...] = setting((), "Only these page URL patterns are recorded (empty: all).")
    excluded_pages: tuple[str, ...] = setting((), "Page URL patterns never recorded.")
    favorite_pages: tuple[str, ...] = setting((), "Pages pinned in the RUM console.")
    custom_events: bool = setting(False, "Accept custom events sent with `cwr('recordEvent', ...)`.")
    source_maps_s3_uri: str = setting("", "`s3://bucket/prefix` of JavaScript source maps for stack-trace deobfuscation (empty: off).")
    extended_metrics: tuple[str, ...] = setting((), "RUM metric names to publish to CloudWatch with extra dimensions, e.g. WebVitalsLargestContentfulPaint.")
    extended_metric_dimensions: tuple[str, ...] = setting(("BrowserName", "DeviceType"), "Dimensions for extended metrics: PageId, BrowserName, DeviceType, OSName, CountryCode, FileType.")
    tags: tuple[tuple[str, str], ...] = setting((), "Tags for the app monitor (TOML table; `--tag KEY=VALUE`).")

    def __post_init__(self):
        check_pattern("monitor.name", self.name, MONITOR_NAME, r"must match [\.\-_/#A-Za-z0-9]+ and be 1 to 255 characters")
        check_items("monitor.domains", self.domains, 1, 5, "domains")
        for domain in self.domains if is_literal(self.domains) else ():
            check_pattern("monitor.domains", domain, DOMAIN, "must be a host name such as www.example.com or *.example.com")
        for telemetry in self.telemetries:
            check_choice("monitor.telemetries", telemetry, TELEMETRIES)
        _check("monitor.telemetries", len(set(self.telemetries)) == len(self.telemetries), "must not repeat an entry", list(self.telemetries))
        check_range("monitor.session_sample_rate", self.session_sample_rate, 0, 1)
        _check("monitor.excluded_pages", not (self.included_pages and self.excluded_pages),
               "cannot be combined with monitor.included_pages (RUM accepts one or the other)", list(self.excluded_pages))
        for key in ("included_pages", "excluded_pages", "favorite_pages"):
            for page in getattr(self, key):
                check_pattern(f"monitor.{key}", page, URL, "must be full page URLs such as https://www.example.com/checkout")
        if self.source_maps_s3_uri:
            check_pattern("monitor.source_maps_s3_uri", self.source_maps_s3_uri, S3_URI, "must be an S3 URI such as s3://bucket/prefix")
        for metric in self.extended_metrics:
            check_choice("monitor.extended_metrics", metric, tuple(EXTENDED_METRICS))
        for dimension in self.extended_metric_dimensions:
            check_choice("monitor.extended_metric_dimensions", dimension, tuple(EXTENDED_DIMENSIONS))
        check_tags("monitor.tags", self.tags)


def check_tags(name: str, tags: tuple[tuple[str, str], ...]) -> None:
    keys = [key for key, _ in tags]
    for key, value in tags:
        check_pattern(name, key, TAG_KEY, "tag keys must be 1-128 characters and not start with aws:")
        _check(name, isinstance(value, str) and len(value) <= 256, "tag values must be at most 256 characters", value)
    _check(name, len(keys) == len(set(keys)), "must not repeat a tag key", keys)


@dataclass(frozen=True)
class AuthSettings:
    """How browsers are allowed to send data (``[auth]``)."""

    mode: str = setting("cognito", "`cognito` (identity pool + guest role) or `resource-policy` (unsigned requests, no Cognito).")
    identity_pool_id: Value = setting("", "Reuse this existing identity pool instead of creating one (cognito mode; needs guest_role_arn).")
    guest_role_arn: Value = setting("", "Reuse this existing guest role (cognito mode; needs identity_pool_id).")
    restrict_referer: bool = setting(False, "resource-policy mode: accept only requests whose aws:Referer matches the monitor's domains.")

    def __post_init__(self):
        check_choice("auth.mode", self.mode, AUTH_MODES)
        if self.identity_pool_id:
            check_pattern("auth.identity_pool_id", self.identity_pool_id, IDENTITY_POOL_ID, "must be an identity pool id such as us-east-1:1111-2222")
        if self.guest_role_arn:
            check_pattern("auth.guest_role_arn", self.guest_role_arn, ROLE_ARN, "must be an IAM role ARN")
        _check("auth.identity_pool_id", bool(self.identity_pool_id) == bool(self.guest_role_arn),
               "must be given together with auth.guest_role_arn to reuse an existing pool", self.identity_pool_id)
        _check("auth.mode", not (self.mode == "resource-policy" and self.identity_pool_id),
               "resource-policy mode uses no Cognito; drop auth.identity_pool_id", self.mode)
        _check("auth.restrict_referer", not (self.restrict_referer and self.mode != "resource-policy"),
               "applies to resource-policy mode only", self.restrict_referer)


@dataclass(frozen=True)
class SnippetSettings:
    """The rum.js loader snippet (``[snippet]``)."""

    client_version: str = setting(DEFAULT_CLIENT_VERSION, "Pinned version of the CloudWatch RUM web client loaded from the CDN.")
    client_url: str = setting("", "Where the web client is loaded from (empty: AWS's CDN at client_version).")
    endpoint: str = setting("", "Data-plane endpoint (empty: `https://dataplane.rum.<region>.<url suffix>`, from the stack).")
    app_version: str = setting("1.0.0", "Your site's version, reported with every event.")
    dispatch_interval: int = setting(0, "Milliseconds between event batches (0: the client's default, 5000).")
    debug: bool = setting(False, "Let the client log to the browser console.")

    def __post_init__(self):
        check_pattern("snippet.client_version", self.client_version, VERSION, "must be a version such as 3.2.1")
        if self.client_url:
            check_pattern("snippet.client_url", self.client_url, URL, "must be an http(s) URL")
        if self.endpoint:
            check_pattern("snippet.endpoint", self.endpoint, URL, "must be an http(s) URL")
        check_pattern("snippet.app_version", self.app_version, re.compile(r"[\w.+\-]{1,64}"), "must be 1-64 of A-Za-z0-9_.+-")
        check_range("snippet.dispatch_interval", self.dispatch_interval, 0, 3_600_000, " ms")


@dataclass(frozen=True)
class ScriptSettings:
    """The custom resource that writes rum.js into the website bucket (``[script]``)."""

    bucket: Value = setting("example-site-assets", "The website's S3 bucket, which receives rum.js.")
    key: str = setting("rum.js", "Object key of the snippet in the bucket.")
    create_bucket: bool = setting(False, "Create the website bucket too (encrypted, public access blocked, SSL only).")
    cache_control: str = setting("max-age=300", "Cache-Control header of rum.js.")
    retain_on_delete: bool = setting(False, "Keep rum.js in the bucket when the stack is deleted.")
    log_retention_days: int = setting(30, "Retention of the handler's log group, in days.")
    service_timeout: int = setting(300, "Seconds CloudFormation waits for the handler's answer before failing.")

    def __post_init__(self):
        check_pattern("script.bucket", self.bucket, BUCKET, "must be an S3 bucket name (3-63 of a-z 0-9 . -)")
        check_pattern("script.key", self.key, re.compile(r"[\w!\-.*'()/]{1,1024}"), "must be an S3 key of safe characters")
        _check("script.key", not self.key.startswith("/"), "must not start with /", self.key)
        _check("script.cache_control", 0 < len(self.cache_control) <= 256 and "\n" not in self.cache_control, "must be a Cache-Control header value", self.cache_control)
        check_choice("script.log_retention_days", self.log_retention_days, LOG_RETENTION_DAYS)
        check_range("script.service_timeout", self.service_timeout, 1, 3600, " seconds")


LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)


@dataclass(frozen=True)
class CanarySettings:
    """The CloudWatch Synthetics canary (``[canary]``)."""

    enabled: bool = setting(True, "Create a canary that loads the site on a schedule.")
    name: Value = setting("", "Canary name (empty: derived from the monitor name, lower-cased).")
    url: Value = setting("", "Page the canary opens (empty: `https://<first domain>/`).")
    schedule: str = setting("rate(5 minutes)", "How often it runs: `rate(N minutes)` or `cron(...)`.")
    timeout_seconds: int = setting(60, "Seconds one run may take.")
    artifacts_bucket: str = setting("", "Existing bucket for screenshots and logs (empty: rumcfn creates one).")
    artifacts_expiry_days: int = setting(30, "Days artifacts are kept in the bucket rumcfn creates.")
    empty_artifacts_on_delete: bool = setting(False, "Empty the bucket rumcfn creates (every version) when the stack is deleted, and delete it (default: it is retained).")
    tag_key: str = setting("", "Tag linking the canary to the monitor (empty: the monitor name).")
    tag_value: str = setting("associated-rum", "Value of that tag.")

    def __post_init__(self):
        check_pattern("canary.schedule", self.schedule, SCHEDULE, "must be rate(N minutes|hours) or cron(...)")
        check_range("canary.timeout_seconds", self.timeout_seconds, 3, 840, " seconds")
        if self.url:
            check_pattern("canary.url", self.url, URL, "must be an http(s) URL")
        if self.artifacts_bucket:
            check_pattern("canary.artifacts_bucket", self.artifacts_bucket, BUCKET, "must be an S3 bucket name")
        check_range("canary.artifacts_expiry_days", self.artifacts_expiry_days, 1, 3650, " days")
        _check("canary.empty_artifacts_on_delete", not (self.empty_artifacts_on_delete and self.artifacts_bucket),
               "must be false with canary.artifacts_bucket: rumcfn empties only a bucket rumcfn creates", self.empty_artifacts_on_delete)


#: Budget key -> (RUM metric, unit, Core Web Vitals "good", "poor"). ``None``: no standard threshold.
BUDGET_METRICS = {
    "lcp": ("WebVitalsLargestContentfulPaint", "ms", 2500, 4000),
    "cls": ("WebVitalsCumulativeLayoutShift", "", 0.1, 0.25),
    "inp": ("WebVitalsInteractionToNextPaint", "ms", 200, 500),
    "fid": ("WebVitalsFirstInputDelay", "ms", 100, 300),
    "navigation": ("PerformanceNavigationDuration", "ms", None, None),
    "js_errors": ("JsErrorCountPerPageView", "", None, None),
    "http_5xx": ("Http5xxCountPerPageView", "", None, None),
}


#: Our statistic spellings -> CloudWatch's; percentiles (``p75``, ``p99.9``) are the same in both.
CLOUDWATCH_STATISTICS = {"avg": "Average", "max": "Maximum", "min": "Minimum"}


def cloudwatch_statistic(name: str) -> str:
    """``avg``/``max``/``min`` -> ``Average``/``Maximum``/``Minimum``; ``pNN`` and CloudWatch's own names unchanged."""
    return CLOUDWATCH_STATISTICS.get(name, name)


@dataclass(frozen=True)
class BudgetSettings:
    """Web Vitals performance budgets: one alarm each (``[budgets]``; `--budget KEY=VALUE`, `KEY=off`)."""

    lcp: Budget = setting(2500, "Largest Contentful Paint budget, ms (off: no alarm).")
    cls: Budget = setting(0.1, "Cumulative Layout Shift budget, unitless 0-1.")
    inp: Budget = setting(200, "Interaction to Next Paint budget, ms.")
    fid: Budget = setting(None, "First Input Delay budget, ms (retired vital; off by default).")
    navigation: Budget = setting(None, "Page navigation duration budget, ms (off by default).")
    js_errors: Budget = setting(None, "JavaScript errors per page view (off by default).")
    http_5xx: Budget = setting(None, "HTTP 5xx responses per page view (off by default).")
    statistic: str = setting("p75", "Statistic compared with the budget: pNN, avg, max or min.")
    period: int = setting(300, "Alarm period, seconds (60 or a multiple of 60).")
    evaluation_periods: int = setting(3, "Periods evaluated per alarm.")
    datapoints_to_alarm: int = setting(2, "Breaching periods out of evaluation_periods that raise the alarm.")
    two_levels: bool = setting(False, "Two alarms per vital: warning at the budget, critical at the 'poor' threshold.")

    def __post_init__(self):
        for key in BUDGET_METRICS:
            value = getattr(self, key)
            if value is None or not is_literal(value):
                continue
            ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0
            _check(f"budgets.{key}", ok, "must be a positive number (or off)", value)
            if key == "cls":
                _check("budgets.cls", value <= 1, "must be at most 1: CLS is unitless, not milliseconds", value)
        check_pattern("budgets.statistic", self.statistic, STATISTIC, "must be pNN (e.g. p75), avg, max or min")
        _check("budgets.period", isinstance(self.period, int) and self.period >= 60 and self.period % 60 == 0,
               "must be 60 or a multiple of 60 seconds", self.period)
        check_range("budgets.evaluation_periods", self.evaluation_periods, 1, 100)
        check_range("budgets.datapoints_to_alarm", self.datapoints_to_alarm, 1, self.evaluation_periods)

    def active(self) -> dict[str, Any]:
        """The budgets that are on, in a stable order."""
        return {key: getattr(self, key) for key in BUDGET_METRICS if getattr(self, key) is not None}


@dataclass(frozen=True)
class AlarmSettings:
    """Where alarm notifications go (``[alarms]``)."""

    email: Value = setting("", "E-mail address subscribed to the alarm topic (empty: none).")
    topic_arn: Value = setting("", "Existing SNS topic for notifications (empty: rumcfn creates an encrypted one).")
    composite: bool = setting(True, "Add a composite 'site health' alarm over all alarms.")
    notify_ok: bool = setting(True, "Also notify when an alarm returns to OK.")

    def __post_init__(self):
        if self.email:
            check_pattern("alarms.email", self.email, EMAIL, "must be an e-mail address")
        if self.topic_arn:
            check_pattern("alarms.topic_arn", self.topic_arn, TOPIC_ARN, "must be an SNS topic ARN")


@dataclass(frozen=True)
class Settings:
    """Everything rumcfn needs to build one stack. ``Settings()`` is the built-in example."""

    monitor: MonitorSettings = setting(MonitorSettings, "The app monitor.", factory=True)
    auth: AuthSettings = setting(AuthSettings, "Authorization of the browsers.", factory=True)
    snippet: SnippetSettings = setting(SnippetSettings, "The rum.js snippet.", factory=True)
    script: ScriptSettings = setting(ScriptSettings, "The custom resource writing rum.js.", factory=True)
    canary: CanarySettings = setting(CanarySettings, "The Synthetics canary.", factory=True)
    budgets: BudgetSettings = setting(BudgetSettings, "Performance budgets.", factory=True)
    alarms: AlarmSettings = setting(AlarmSettings, "Alarm notifications.", factory=True)
    dashboard: bool = setting(True, "Create a CloudWatch dashboard.")
    parameters: bool = setting(False, "Emit site-specific values as CloudFormation Parameters (Service Catalog).")
    description: str = setting("", "Template description (empty: a generated one).")

    def __post_init__(self):
        canary_name = self.canary_name() if self.canary.enabled else ""
        if self.canary.enabled and is_literal(canary_name):
            check_pattern("canary.name", canary_name, CANARY_NAME, r"must match ^[0-9a-z_\-]{1,255}$ after derivation from the monitor name")

    def canary_name(self) -> Value:
        """The canary's name: the setting, or the monitor name lower-cased with other characters as '-'."""
        if self.canary.name:
            return self.canary.name
        if not is_literal(self.monitor.name):
            raise SettingsError("canary.name", "must be set when the monitor name is a parameter", self.monitor.name)
        return re.sub(r"[^0-9a-z_\-]", "-", self.monitor.name.lower())

    def site_url(self) -> Value:
        """The page the canary opens: the setting, else the first non-wildcard domain."""
        if self.canary.url:
            return self.canary.url
        domain = self.monitor.domains[0] if is_literal(self.monitor.domains) else "www.example.com"
        return f"https://{domain.removeprefix('*.')}/" if is_literal(domain) else domain


SECTIONS = {f.name: f for f in dataclasses.fields(Settings) if dataclasses.is_dataclass(f.default_factory)}


# --- loading ------------------------------------------------------------------------------------


def _field_types(cls) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _coerce(name: str, value: Any, hint: Any) -> Any:
    """Turn a TOML/CLI value into the field's type, or say which type was expected."""
    origin = typing.get_origin(hint)
    if isinstance(value, AWSHelperFn):
        return value
    if hint is bool:
        _check(name, isinstance(value, bool), "must be true or false", value)
        return value
    if hint is int:
        _check(name, isinstance(value, int) and not isinstance(value, bool), "must be a whole number", value)
        return value
    if hint is str or hint == Value:
        _check(name, isinstance(value, str), "must be a string", value)
        return value
    if origin is tuple:
        args = typing.get_args(hint)
        if args and args[0] is not Ellipsis and typing.get_origin(args[0]) is tuple:  # tags
            if isinstance(value, Mapping):
                value = list(value.items())
            _check(name, isinstance(value, (list, tuple)) and all(isinstance(kv, (list, tuple)) and len(kv) == 2 for kv in value),
                   "must be a table of KEY = VALUE", value)
            return tuple((str(k), v) for k, v in value)
        _check(name, isinstance(value, (list, tuple)), "must be a list", value)
        return tuple(_coerce(name, item, args[0]) for item in value)
    if hint == Budget:
        if value in ("off", "none", None):
            return None
        _check(name, _is_number(value), "must be a number or off", value)
        return value
    if hint == Number:
        _check(name, _is_number(value), "must be a number", value)
        return float(value)
    return value
    if name.endswith("session_sample_rate"):
        _check(name, isinstance(value, (int, float)) and not isinstance(value, bool), "must be a number between 0 and 1", value)
        return float(value)
    return value


def _build(cls, data: Mapping[str, Any], prefix: str):
    hints = _field_types(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    for key in data:
        if key not in known:
            raise SettingsError(f"{prefix}{key}", f"is not a known setting (known: {', '.join(sorted(known))})", data[key])
    kwargs = {}
    for key, value in data.items():
        if key in SECTIONS and cls is Settings:
            _check(key, isinstance(value, Mapping), f"must be a [{key}] table", value)
            kwargs[key] = _build(SECTIONS[key].default_factory, value, f"{key}.")
        else:
            kwargs[key] = _coerce(f"{prefix}{key}", value, hints[key])
    return cls(**kwargs)


def from_mapping(data: Mapping[str, Any]) -> Settings:
    """Build settings from nested mappings shaped like rumcfn.toml; unknown keys are errors."""
    return _build(Settings, data, "")


def load(path) -> Settings:
    """Read a rumcfn.toml file."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as error:
        raise SettingsError("--config", "must be a readable TOML file", f"{path} ({error.strerror})") from None
    except tomllib.TOMLDecodeError as error:
        raise SettingsError("--config", f"must be valid TOML ({error})", str(path)) from None
    return from_mapping(data)


def as_mapping(settings: Settings) -> dict[str, Any]:
    """The settings as nested dicts (the inverse of :func:`from_mapping` for literal values)."""
    return dataclasses.asdict(settings)


def with_overrides(settings: Settings, overrides: Mapping[str, Any]) -> Settings:
    """Apply dotted-key overrides (``{"monitor.name": "shop"}``) with the same checks as the file."""
    data = {name: dict(_shallow(getattr(settings, name))) for name in SECTIONS}
    data.update({f.name: getattr(settings, f.name) for f in dataclasses.fields(Settings) if f.name not in SECTIONS})
    for dotted, value in overrides.items():
        section, _, key = dotted.partition(".")
        if key:
            _check(dotted, section in SECTIONS, "is not a known setting", value)
            data[section][key] = value
        else:
            data[section] = value
    return from_mapping(data)


def _shallow(section) -> dict[str, Any]:
    return {f.name: getattr(section, f.name) for f in dataclasses.fields(section)}


def reference() -> str:
    """The settings reference as a Markdown table (kept in the README; a test checks it matches)."""
    rows = ["| setting | default | meaning |", "| --- | --- | --- |"]
    for top in dataclasses.fields(Settings):
        if top.name in SECTIONS:
            cls = SECTIONS[top.name].default_factory
            for f in dataclasses.fields(cls):
                rows.append(f"| `{top.name}.{f.name}` | `{_toml(f.default)}` | {f.metadata['doc']} |")
        else:
            rows.append(f"| `{top.name}` | `{_toml(top.default)}` | {top.metadata['doc']} |")
    return "\n".join(rows) + "\n"


def _toml(value: Any) -> str:
    if value is None:
        return "off"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value)


__all__ = [
    "Settings", "MonitorSettings", "AuthSettings", "SnippetSettings", "ScriptSettings", "CanarySettings",
    "BudgetSettings", "AlarmSettings", "SettingsError", "Value", "Number", "Budget", "BUDGET_METRICS",
    "EXTENDED_METRICS", "cloudwatch_statistic", "schedule_interval", "from_mapping", "load", "with_overrides", "as_mapping", "reference", "is_literal",
]
