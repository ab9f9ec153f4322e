"""What AWS accepts and publishes, as named data: RUM metrics and dimensions, Web Vitals thresholds,
CloudWatch statistics, log retention periods, partitions and limits.

Each fact says where it comes from. Nothing here imports troposphere, boto3 or click.
"""

from __future__ import annotations

from typing import Any, NamedTuple

# --- CloudWatch RUM ------------------------------------------------------------------------------

#: Namespace and dimension of the metrics RUM publishes for an app monitor (RUM user guide, "CloudWatch
#: metrics that you can collect with CloudWatch RUM").
RUM_NAMESPACE = "AWS/RUM"
RUM_DIMENSION = "application_name"
#: Where Synthetics publishes canary metrics (Synthetics user guide, "CloudWatch metrics published by canaries").
CANARY_NAMESPACE = "CloudWatchSynthetics"
#: What the web client can record in CloudFormation's ``Telemetries`` (AWS::RUM::AppMonitor schema).
TELEMETRIES = ("errors", "performance", "http")
AUTH_MODES = ("cognito", "resource-policy")
#: The pinned web client (aws-rum-web on npm and on AWS's CDN).
DEFAULT_CLIENT_VERSION = "3.2.1"
#: Where AWS serves the web client; the same CDN for every region (aws-rum-web docs/cdn_installation.md).
CDN_URL = "https://client.rum.us-east-1.amazonaws.com/{version}/cwr.js"


class BudgetMetric(NamedTuple):
    """A vital rumcfn can budget: its RUM metric, unit, and Core Web Vitals "good"/"poor" thresholds
    at the 75th percentile (web.dev/vitals; ``None`` where there is no standard threshold)."""

    key: str
    metric: str
    unit: str
    good: float | None
    poor: float | None


BUDGET_METRICS: dict[str, BudgetMetric] = {m.key: m for m in (
    BudgetMetric("lcp", "WebVitalsLargestContentfulPaint", "ms", 2500, 4000),
    BudgetMetric("cls", "WebVitalsCumulativeLayoutShift", "", 0.1, 0.25),
    BudgetMetric("inp", "WebVitalsInteractionToNextPaint", "ms", 200, 500),
    BudgetMetric("fid", "WebVitalsFirstInputDelay", "ms", 100, 300),
    BudgetMetric("navigation", "PerformanceNavigationDuration", "ms", None, None),
    BudgetMetric("js_errors", "JsErrorCountPerPageView", "", None, None),
    BudgetMetric("http_5xx", "Http5xxCountPerPageView", "", None, None),
)}


class ExtendedMetric(NamedTuple):
    """A metric RUM accepts as an extended metric in AWS/RUM (RUM user guide, "Extended metrics"):
    the event field it aggregates (``None``: counts events), the event type, extra event_details pattern."""

    name: str
    value_key: str | None
    event: str
    details: dict[str, Any] | None = None

    @property
    def event_type(self) -> str:
        return f"com.amazon.rum.{self.event}_event"


EXTENDED_METRICS: dict[str, ExtendedMetric] = {m.name: m for m in (
    ExtendedMetric("WebVitalsLargestContentfulPaint", "event_details.value", "largest_contentful_paint"),
    ExtendedMetric("WebVitalsCumulativeLayoutShift", "event_details.value", "cumulative_layout_shift"),
    ExtendedMetric("WebVitalsInteractionToNextPaint", "event_details.value", "interaction_to_next_paint"),
    ExtendedMetric("WebVitalsFirstInputDelay", "event_details.value", "first_input_delay"),
    ExtendedMetric("PerformanceNavigationDuration", "event_details.duration", "performance_navigation"),
    ExtendedMetric("PerformanceResourceDuration", "event_details.duration", "performance_resource"),
    ExtendedMetric("JsErrorCount", None, "js_error"),
    ExtendedMetric("HttpErrorCount", None, "http"),
    ExtendedMetric("Http4xxCount", None, "http", {"response": {"status": [{"numeric": [">=", 400, "<", 500]}]}}),
    ExtendedMetric("Http5xxCount", None, "http", {"response": {"status": [{"numeric": [">=", 500, "<=", 599]}]}}),
    ExtendedMetric("PageViewCount", None, "page_view"),
    ExtendedMetric("SessionCount", None, "session_start"),
)}

#: Extended-metric dimensions: CloudWatch dimension name -> the event field it comes from (RUM user guide).
EXTENDED_DIMENSIONS = {
    "PageId": "metadata.pageId",
    "BrowserName": "metadata.browserName",
    "DeviceType": "metadata.deviceType",
    "OSName": "metadata.osName",
    "CountryCode": "metadata.countryCode",
    "FileType": "event_details.fileType",
}

# --- CloudWatch ----------------------------------------------------------------------------------

#: rumcfn's statistic spellings -> CloudWatch's; percentiles (``p75``, ``p99.9``) are the same in both.
CLOUDWATCH_STATISTICS = {"avg": "Average", "max": "Maximum", "min": "Minimum"}


def cloudwatch_statistic(name: str) -> str:
    """``avg``/``max``/``min`` -> ``Average``/``Maximum``/``Minimum``; ``pNN`` and CloudWatch's own names unchanged."""
    return CLOUDWATCH_STATISTICS.get(name, name)


#: CloudWatch Logs retention periods (PutRetentionPolicy ``retentionInDays``, AWS::Logs::LogGroup schema).
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
                      3288, 3653)

# --- CloudFormation ------------------------------------------------------------------------------

#: The largest template CloudFormation takes inline (``--template-body``); larger ones go through S3.
INLINE_LIMIT = 51_200
#: The largest template it takes at all, from S3 (quotas page: "Template body size in an Amazon S3 object:
#: 1 MB"; read as 1 MiB, the more generous reading, so nothing CloudFormation accepts is refused).
S3_TEMPLATE_LIMIT = 1_048_576

# --- partitions ----------------------------------------------------------------------------------


def url_suffix(region: str) -> str:
    """The partition's URL suffix, as ``AWS::URLSuffix`` gives it inside a stack."""
    return "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
