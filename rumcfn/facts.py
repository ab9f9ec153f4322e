"""What AWS accepts and publishes, as named data: RUM metrics and dimensions, Web Vitals thresholds,
CloudWatch statistics, log retention periods, partitions and limits.

Each fact says where it comes from. Nothing here imports troposphere, boto3 or click.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
from pathlib import Path
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
#: Where the canary publishes the vitals it measures (``canary.lab_vitals``): this prefix and the monitor's name,
#: one namespace per monitor, so the canary's role may put that namespace only (PutMetricData ``Namespace``: 1-255
#: ASCII characters, not starting with ':', and not AWS/; botocore cloudwatch model and its documentation).
LAB_NAMESPACE_PREFIX = "rumcfn/lab/"
MAX_NAMESPACE = 255


class LabMetric(NamedTuple):
    """A vital the lab measures (templates/vitals.js.j2): the metric the canary publishes it as, its
    PutMetricData unit (StandardUnit), and the budget it is judged against (``None``: reported only)."""

    key: str
    metric: str
    unit: str
    budget: str | None


#: The budgets' vitals keep RUM's metric names, so a budget names the same metric in both namespaces; FCP and
#: TTFB have no RUM metric and no budget.
LAB_METRICS: dict[str, LabMetric] = {m.key: m for m in (
    LabMetric("lcp", "WebVitalsLargestContentfulPaint", "Milliseconds", "lcp"),
    LabMetric("cls", "WebVitalsCumulativeLayoutShift", "None", "cls"),
    LabMetric("fcp", "WebVitalsFirstContentfulPaint", "Milliseconds", None),
    LabMetric("ttfb", "WebVitalsTimeToFirstByte", "Milliseconds", None),
    LabMetric("navigation", "PerformanceNavigationDuration", "Milliseconds", "navigation"),
)}
#: The pinned web client (aws-rum-web on npm and on AWS's CDN).
DEFAULT_CLIENT_VERSION = "3.2.1"
#: RUM's data plane in a region (the client's ``endpoint``; CloudWatch RUM endpoints and quotas).
DATA_PLANE = "https://dataplane.rum.{region}.{suffix}"
#: Where AWS serves the web client; the same CDN for every region (aws-rum-web docs/cdn_installation.md).
CDN_URL = "https://client.rum.us-east-1.amazonaws.com/{version}/cwr.js"


class BudgetMetric(NamedTuple):
    """A vital rumcfn can budget: its RUM metric, unit, and Core Web Vitals "good"/"poor" thresholds
    at the 75th percentile (web.dev/vitals; ``None`` where there is no standard threshold).

    ``statistic`` fixes the statistic of a count metric: a percentile of per-page-view counts stays 0
    until that share of page views has an error, so counts are judged on their average."""

    key: str
    metric: str
    unit: str
    good: float | None
    poor: float | None
    statistic: str | None = None


BUDGET_METRICS: dict[str, BudgetMetric] = {m.key: m for m in (
    BudgetMetric("lcp", "WebVitalsLargestContentfulPaint", "ms", 2500, 4000),
    BudgetMetric("cls", "WebVitalsCumulativeLayoutShift", "", 0.1, 0.25),
    BudgetMetric("inp", "WebVitalsInteractionToNextPaint", "ms", 200, 500),
    BudgetMetric("fid", "WebVitalsFirstInputDelay", "ms", 100, 300),
    BudgetMetric("navigation", "PerformanceNavigationDuration", "ms", None, None),
    BudgetMetric("js_errors", "JsErrorCountPerPageView", "", None, None, "avg"),
    BudgetMetric("http_5xx", "Http5xxCountPerPageView", "", None, None, "avg"),
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

#: The budgets whose metric RUM can publish as an extended or custom metric (the vitals, not the per-page-view
#: counts, whose event patterns the RUM API reference does not give): segment and release budgets.
VITAL_KEYS = tuple(key for key, m in BUDGET_METRICS.items() if m.metric in EXTENDED_METRICS)

#: Extended-metric dimensions: CloudWatch dimension name -> the event field it comes from (RUM user guide).
EXTENDED_DIMENSIONS = {
    "PageId": "metadata.pageId",
    "BrowserName": "metadata.browserName",
    "DeviceType": "metadata.deviceType",
    "OSName": "metadata.osName",
    "CountryCode": "metadata.countryCode",
    "FileType": "event_details.fileType",
}

#: The events that carry each dimension's field (None: every event). "Information collected by the CloudWatch RUM
#: web client": each RUM event has the metadata (page, user agent, geolocation and domain metadata); of the event
#: details, only the resource event schema has ``fileType`` (as in the web client's own schemas, @aws-rum/web-core
#: events/*.d.ts). A dimension whose field an event lacks matches none of its events: that metric gets no data.
DIMENSION_EVENTS: dict[str, tuple[str, ...] | None] = {
    "PageId": None,
    "BrowserName": None,
    "DeviceType": None,
    "OSName": None,
    "CountryCode": None,
    "FileType": ("performance_resource",),
}

#: What a segment budget may name: setting key -> the extended-metric dimension (RUM API reference,
#: BatchCreateRumMetricDefinitions: "valid dimension names ... BrowserName, CountryCode, DeviceType, FileType,
#: OSName, and PageId"; FileType describes resource events, not pages, so it is not a segment).
SEGMENT_DIMENSIONS = {"page": "PageId", "device": "DeviceType", "browser": "BrowserName", "os": "OSName",
                      "country": "CountryCode"}
#: DeviceType values (RUM user guide, "Extended metrics": desktop, mobile, tablet, embedded). The web client
#: 3.2.1 sends "mobile" or "desktop" (@aws-rum/web-core orchestration/config.js, userAgentDataProvider) and,
#: where the browser has no userAgentData, its user-agent string for RUM to classify.
DEVICE_TYPES = ("desktop", "mobile", "tablet", "embedded")
#: Metric definitions one destination may hold (AWS::RUM::AppMonitor schema, MetricDefinitions maxItems;
#: RUM API reference, BatchCreateRumMetricDefinitions: "one destination can contain ... 2000").
MAX_METRIC_DEFINITIONS = 2000
#: Custom metrics: RUM publishes them under this prefix + the namespace given; the namespace may not
#: start with AWS/ (RUM API reference, MetricDefinitionRequest.Namespace and BatchCreateRumMetricDefinitions);
#: 237 characters = CloudWatch's 255 less the prefix (botocore rum model, Namespace: max 237,
#: pattern [a-zA-Z0-9-._/#:]+).
CUSTOM_METRICS_PREFIX = "RUM/CustomMetrics/"
#: The dimension rumcfn gives its per-release custom metrics, and the event fields a release can come from:
#: the client's ``releaseId`` (metadata ``aws:releaseId``: aws-rum-web 3.x sends it once per batch in
#: ``SessionMetadata``, which RUM merges into each event's metadata; @aws-rum/web-core SessionManager.js and
#: EventCache.js, checked by tests/browser/test_release_metadata.py) or the application version every batch
#: carries (``application_version``, a first-level event key the RUM API reference lists for custom metrics).
RELEASE_DIMENSION = "ReleaseId"
RELEASE_FIELDS = {"release_id": "metadata.aws:releaseId", "app_version": "application_version"}

# --- CloudWatch Synthetics -----------------------------------------------------------------------

#: The Node.js + Puppeteer runtimes AWS's runtime tables list, newest first (Synthetics user guide, "Runtime
#: versions using Node.js and Puppeteer" and "Runtime versions support policy"; checked in the project's shared
#: notes, facts.md). botocore and cfn-lint carry no list (cfn-lint's schema takes any RuntimeVersion string).
#: From 13.1 on the runtime's modules are @aws/synthetics-puppeteer and @aws/synthetics-logger, and an inline
#: script is saved as index.js (handler index.handler).
SYNTHETICS_PUPPETEER_RUNTIMES = ("syn-nodejs-puppeteer-17.0", "syn-nodejs-puppeteer-16.1", "syn-nodejs-puppeteer-15.0")

# --- CloudFront (first-party ingestion, ``snippet.first_party``) -------------------------------------

#: AWS's managed cache policy "CachingDisabled" (min, max and default TTL 0; nothing in the cache key):
#: CloudFront Developer Guide, "Use managed cache policies", which gives this id for CloudFormation and the API.
CACHING_DISABLED_POLICY_ID = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
#: The viewer headers the origin request policy forwards to RUM's data plane. With a policy CloudFront forwards
#: only the viewer headers it names (AWS::CloudFront::OriginRequestPolicy HeadersConfig, ``whitelist``):
#: Content-Type and Content-Encoding (the client gzips large batches), Origin, Referer (a resource policy with
#: ``auth.restrict_referer`` matches ``aws:Referer``) and User-Agent. Host is not forwarded: CloudFront sets
#: it to the origin's domain name ("Request and response behavior for custom origins", Host), which TLS to
#: the data plane needs; cookies are not forwarded: the site's cookies are none of RUM's business.
FIRST_PARTY_HEADERS = ("Content-Encoding", "Content-Type", "Origin", "Referer", "User-Agent")
#: The CloudFront Functions runtime rumcfn's function declares (AWS::CloudFront::Function FunctionConfig
#: Runtime: cloudfront-js-1.0 or cloudfront-js-2.0; 2.0 is the one AWS recommends, and has ``async``).
CLOUDFRONT_FUNCTION_RUNTIME = "cloudfront-js-2.0"
#: The modules a function in that runtime may ``require`` (CloudFront Developer Guide, "JavaScript runtime 2.0
#: features for CloudFront Functions", Built-in modules: Buffer, Query string, Crypto).
CLOUDFRONT_FUNCTION_MODULES = ("buffer", "querystring", "crypto")

# --- CloudWatch ----------------------------------------------------------------------------------

#: A composite alarm's rule may name at most 100 child alarms (PutCompositeAlarm, AlarmRule).
MAX_COMPOSITE_CHILDREN = 100
#: ... and hold at most 10,240 characters (botocore cloudwatch model, shape AlarmRule: max 10240), counted on the
#: rule CloudFormation resolves, where each child is its full alarm ARN.
MAX_ALARM_RULE = 10_240
#: The longest an alarm ARN's partition and Region can be: ``aws-us-gov`` and ``us-isof-south-1``, the longest
#: in botocore's ``partitions.json`` and cfn-lint's region data (tests/unit/stack/test_composite_rules.py
#: checks both against them); account ids are 12 digits.
LONGEST_PARTITION = 10
LONGEST_REGION = 15
ACCOUNT_ID_LENGTH = 12
#: A dashboard's alarm status widget shows 1-100 alarms (CloudWatch API reference, "Dashboard Body Structure
#: and Syntax", alarm widget ``alarms``: "The array can have 1-100 ARNs").
MAX_ALARM_WIDGET_ALARMS = 100
#: An alarm's ``AlarmDescription``: at most 1,024 characters (botocore cloudwatch model, AlarmDescription).
ALARM_DESCRIPTION_MAX = 1024
#: One GetMetricData request retrieves at most 500 metrics (GetMetricData).
MAX_METRIC_DATA_QUERIES = 500

#: rumcfn's statistic spellings -> CloudWatch's; percentiles (``p75``, ``p99.9``) are the same in both.
CLOUDWATCH_STATISTICS = {"avg": "Average", "max": "Maximum", "min": "Minimum"}


def cloudwatch_statistic(name: str) -> str:
    """``avg``/``max``/``min`` -> ``Average``/``Maximum``/``Minimum``; ``pNN`` and CloudWatch's own names unchanged."""
    return CLOUDWATCH_STATISTICS.get(name, name)


#: CloudWatch Logs retention periods (PutRetentionPolicy ``retentionInDays``, AWS::Logs::LogGroup schema).
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
                      3288, 3653)

# --- CloudFormation ------------------------------------------------------------------------------

#: A template's ``Description``: at most 1,024 bytes (CloudFormation user guide, template anatomy, "Description";
#: botocore's cloudformation model: Description max 1024).
TEMPLATE_DESCRIPTION_BYTES = 1024

#: The largest answer a custom resource may send CloudFormation (custom resource response objects: "The
#: total size of the response body can't exceed 4096 bytes"); handlers/rum_script.py bounds every answer by it.
CUSTOM_RESOURCE_RESPONSE_LIMIT = 4096
#: The largest template CloudFormation takes inline (``--template-body``); larger ones go through S3.
INLINE_LIMIT = 51_200
#: Resources one stack may declare (CloudFormation quotas, "Resources": 500).
MAX_RESOURCES = 500
#: The largest template it takes at all, from S3 (quotas page: "Template body size in an Amazon S3 object:
#: 1 MB"; read as 1 MiB, the more generous reading, so nothing CloudFormation accepts is refused).
S3_TEMPLATE_LIMIT = 1_048_576

# --- partitions and Regions: botocore's and cfn-lint's data, read when first asked ---------------------

def _shipped(package: str, *path: str) -> Path | None:
    """A data file ``package`` ships, found without importing the package (botocore must not be imported below
    rumcfn.aws, and importing either costs ``rumcfn synth`` far more than reading one small JSON file)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)), *path)


class Partition(NamedTuple):
    """One AWS partition as the SDKs know it (botocore ``data/partitions.json``)."""

    name: str  #: as ARNs spell it: aws, aws-cn, aws-eusc, ...
    dns_suffix: str  #: ``AWS::URLSuffix`` in its Regions: amazonaws.com, amazonaws.eu, c2s.ic.gov, ...
    region_regex: str  #: botocore's ``regionRegex``, with ``\w``/``\d`` spelled out in ASCII and no anchors
    regions: tuple[str, ...]  #: the Regions botocore lists (its ``*-global`` endpoint aliases left out)

    def holds(self, region: str) -> bool:
        """``region`` belongs here: listed, or matching the regex (botocore's ``is_partition_match``)."""
        return region in self.regions or re.fullmatch(self.region_regex, region) is not None


def _ascii(regex: str) -> str:
    r"""botocore's regex as a whole-string pattern without Unicode classes: ``\w`` and ``\d`` match only ASCII,
    as in the Java patterns CloudFormation applies."""
    return regex.removeprefix("^").removesuffix("$").replace(r"\w", "[A-Za-z0-9_]").replace(r"\d", "[0-9]")


@functools.cache
def partitions() -> dict[str, Partition]:
    """Every partition botocore knows, in its order (``aws`` first: its fallback for a Region it cannot place)."""
    source = _shipped("botocore", "data", "partitions.json")
    data = json.loads(source.read_text(encoding="utf-8")) if source else {"partitions": []}
    found = {}
    for entry in data["partitions"]:
        regex = _ascii(entry["regionRegex"])
        regions = tuple(r for r in entry["regions"] if re.fullmatch(regex, r))
        found[entry["id"]] = Partition(entry["id"], entry["outputs"]["dnsSuffix"], regex, regions)
    return found


def partition_names() -> tuple[str, ...]:
    """The partitions as ARNs name them (``arn:<partition>:...``)."""
    return tuple(partitions())


def partition_of(region: str) -> Partition | None:
    """The partition ``region`` is in, or None when no partition botocore knows holds it."""
    return next((p for p in partitions().values() if p.holds(region)), None)


def is_region(value: str) -> bool:
    """``value`` names a Region of a partition botocore knows."""
    return partition_of(value) is not None


@functools.cache
def region_pattern() -> str:
    """One pattern for a Region of any partition (the union of botocore's ``regionRegex``es)."""
    return "(" + "|".join(f"({p.region_regex})" for p in partitions().values()) + ")"


def regions(partition: str | None = None) -> tuple[str, ...]:
    """The Regions botocore lists, of every partition or of ``partition``."""
    return tuple(r for p in partitions().values() if partition in (None, p.name) for r in p.regions)


def url_suffix(region: str) -> str:
    """The partition's URL suffix, as ``AWS::URLSuffix`` gives it inside a stack in ``region`` (a Region no
    partition holds gets the ``aws`` partition's, as botocore's endpoint resolver does)."""
    partition = partition_of(region) or partitions().get("aws")
    return partition.dns_suffix if partition else "amazonaws.com"


def partition_suffix(name: str, region: str = "") -> str:
    """The URL suffix of the partition named ``name`` (a stack ARN's), else of ``region``'s partition."""
    known = partitions().get(name)
    return known.dns_suffix if known else url_suffix(region)


@functools.cache
def offered(region: str) -> frozenset[str] | None:
    """The resource types CloudFormation offers in ``region``: cfn-lint's region schema
    (``cfnlint/data/schemas/providers/<region>.json``, the data its rule E3006 checks), or None where cfn-lint has
    none. Only a Region some partition holds is looked up (the name becomes part of a path)."""
    if not is_region(region):
        return None
    source = _shipped("cfnlint", "data", "schemas", "providers", f"{region}.json")
    if source is None or not source.is_file():
        return None
    return frozenset(json.loads(source.read_text(encoding="utf-8")))


def offers(region: str, resource_type: str) -> bool | None:
    """cfn-lint's region data lists ``resource_type`` in ``region`` (None: cfn-lint has no data for it)."""
    types = offered(region)
    return None if types is None else resource_type in types


#: The OIDC issuer of Cognito identity pools: a guest role's trust policy names it as the ``Federated``
#: principal and as the prefix of its ``:aud`` and ``:amr`` condition keys. ``cognito-identity.amazonaws.com``
#: in every partition (Cognito developer guide, "Role trust and permissions"; its China edition on
#: docs.amazonaws.cn gives the same), except in AWS GovCloud (US), where each Region has its own (GovCloud user
#: guide, "Amazon Cognito in AWS GovCloud (US)"). AWS publishes no other for the aws-iso* or aws-eusc partitions.
COGNITO_ISSUER = "cognito-identity.amazonaws.com"
COGNITO_REGIONAL_ISSUERS = {
    "us-gov-west-1": "cognito-identity-us-gov.amazonaws.com",
    "us-gov-east-1": "cognito-identity.us-gov-east-1.amazonaws.com",
}


def cognito_issuer(region: str) -> str:
    """The Cognito identity issuer a guest role in ``region`` must trust."""
    return COGNITO_REGIONAL_ISSUERS.get(region, COGNITO_ISSUER)


def service_principal(service: str) -> str:
    """The principal of an AWS service in a policy (``lambda``, ``cloudwatch``, ``rum``): the same in every partition
    and Region. AWS CDK's region-info retired its per-partition table with "Service principals are now globally
    `<SERVICE>.amazonaws.com`" (aws/aws-cdk, packages/aws-cdk-lib/region-info/lib/default.ts)."""
    return f"{service}.amazonaws.com"


# --- Lambda --------------------------------------------------------------------------------------

#: A function's longest timeout: 900 seconds (Lambda developer guide, "Configure Lambda function timeout"; cfn-lint's
#: AWS::Lambda::Function schema says the same). Only Lambda Managed Instances take more (5,400 s, the schema's
#: maximum); botocore's newest lambda model says 1,800 s in CreateFunction's text: the guide's number is used.
LAMBDA_MAX_TIMEOUT = 900

#: The AWS Management Console per partition, prefixed by the Region (``<region>.<host>``), as the AWS CLI's
#: ``aws console`` builds it (aws/aws-cli, awscli/customizations/console.py, which cites the European
#: Sovereign Cloud endpoints reference for aws-eusc). The isolated partitions (aws-iso*) have no console
#: there, so stacks in them get no console URL.
CONSOLE_HOSTS = {
    "aws": "console.aws.amazon.com",
    "aws-cn": "console.amazonaws.cn",
    "aws-us-gov": "console.amazonaws-us-gov.com",
    "aws-eusc": "console.amazonaws-eusc.eu",
}
