"""``--parameters`` mode: site-specific values become CloudFormation Parameters (for a Service
Catalog product or a StackSet), grouped and labelled for the console. Builders receive ``Ref``s in
place of literals and pass them through."""

from __future__ import annotations

import dataclasses
from typing import Any

from troposphere import Equals, Not, Parameter, Ref, Template

from rumcfn.config import AlarmSettings, MonitorSettings, ScriptSettings, Settings
from rumcfn.config.canary import CANARY_NAME
from rumcfn.config.formats import DOMAIN, TAG_KEY, url
from rumcfn.facts import LAB_NAMESPACE_PREFIX, MAX_NAMESPACE

GROUPS = (
    ("Site", ("AppMonitorName", "Domain", "WebsiteBucket", "SiteUrl")),
    ("Monitoring", ("SessionSampleRate", "CanaryName")),
    ("Notifications", ("AlertEmail",)),
)
LABELS = {
    "AppMonitorName": "RUM app monitor name",
    "Domain": "Website domain (www.example.com or *.example.com)",
    "WebsiteBucket": "S3 bucket that serves the website (receives rum.js)",
    "SiteUrl": "Page the synthetic canary opens",
    "SessionSampleRate": "Share of user sessions recorded (0 to 1)",
    "CanaryName": "Synthetics canary name (unique in the account and region)",
    "AlertEmail": "E-mail for alarm notifications (empty: none)",
}
HAS_ALERT_EMAIL = "HasAlertEmail"


def _parameter(name: str, section: type, field: str, default: Any, kind: str = "String") -> Parameter:
    """A parameter constrained by the same rule that checks the setting's literal values."""
    return Parameter(name, Type=kind, Default=default, **section.rule(field).parameter())


def monitor_name_parameter(settings: Settings) -> Parameter:
    """RUM's rule for the name (1-255); at most 128 where the canary's tag key is the name ('#' as '-'), as
    Synthetics takes tag keys of 128 (TagKey, botocore synthetics model) and synth refuses a longer literal; at most
    244 where the canary's lab namespace (``rumcfn/lab/<name>``) holds it, as a namespace takes 255 (PutMetricData)."""
    rule = MonitorSettings.rule("name")
    limits = []
    if settings.canary.enabled and not settings.canary.tag_key:
        limits.append((TAG_KEY.max_length, "the canary's tag key too; set canary.tag_key for up to "
                                           f"{rule.max_length}"))
    if settings.canary.enabled and settings.canary.lab_vitals:
        limits.append((MAX_NAMESPACE - len(LAB_NAMESPACE_PREFIX), f"the lab namespace {LAB_NAMESPACE_PREFIX}<name> "
                                                                    f"holds at most {MAX_NAMESPACE}"))
    if limits:
        most, why = min(limits)
        rule = dataclasses.replace(rule, max_length=most, summary=rule.summary.replace(
            f"1-{rule.max_length} ", f"1-{most} ", 1) + f" ({why})")
    return Parameter("AppMonitorName", Type="String", Default=settings.monitor.name, **rule.parameter())


def site_values(settings: Settings) -> dict[str, str]:
    """The values this site's literal settings give each parameter, as CloudFormation takes parameter values
    (strings): the template's Defaults, and a fleet's per-site parameter files."""
    m = settings.monitor
    values = {
        "AppMonitorName": m.name,
        "Domain": m.domains[0],
        "WebsiteBucket": settings.script.bucket,
        "SessionSampleRate": str(m.session_sample_rate),
    }
    if settings.has_alarms() and not settings.alarms.topic_arn:  # no alarm, no topic to subscribe an e-mail to
        values["AlertEmail"] = settings.alarms.email or ""
    if settings.canary.enabled:
        values["SiteUrl"] = settings.site_url()
        values["CanaryName"] = settings.canary_name()
    return values


#: Values any site's parameters may take; :func:`without_site_values` puts them in place of a site's own.
PLACEHOLDERS = {"name": "site", "domain": "www.example.com", "bucket": "example-site-assets",
                "url": "https://www.example.com/", "canary": "site"}


def without_site_values(settings: Settings) -> Settings:
    """``settings`` with every value that becomes a parameter (:func:`site_values`) replaced by a placeholder:
    two sites whose results are equal differ only in parameter values, so one parameterized template serves
    both (its Defaults aside)."""
    replace = dataclasses.replace
    m = settings.monitor
    canary = settings.canary
    if canary.enabled:
        canary = replace(canary, url=PLACEHOLDERS["url"], name=PLACEHOLDERS["canary"])
    return replace(
        settings,
        monitor=replace(m, name=PLACEHOLDERS["name"], domains=(PLACEHOLDERS["domain"], *m.domains[1:]),
                        session_sample_rate=1.0),
        script=replace(settings.script, bucket=PLACEHOLDERS["bucket"]),
        alarms=settings.alarms if "AlertEmail" not in site_values(settings) else replace(settings.alarms, email=""),
        canary=canary,
    )


def add_parameters(template: Template, settings: Settings) -> Settings:
    """Add the Parameters, Conditions and Interface metadata; return settings whose site values are ``Ref``s.
    Domains after the first stay literal (in the monitor's DomainList beside the ``Domain`` parameter)."""
    m = settings.monitor
    defaults = site_values(settings)
    params = {
        "AppMonitorName": monitor_name_parameter(settings),
        "Domain": Parameter("Domain", Type="String", Default=defaults["Domain"], **DOMAIN.parameter()),
        "WebsiteBucket": _parameter("WebsiteBucket", ScriptSettings, "bucket", defaults["WebsiteBucket"]),
        "SessionSampleRate": _parameter("SessionSampleRate", MonitorSettings, "session_sample_rate",
                                        defaults["SessionSampleRate"], kind="Number"),
    }
    notify_by_email = "AlertEmail" in defaults
    if notify_by_email:
        params["AlertEmail"] = _parameter("AlertEmail", AlarmSettings, "email", defaults["AlertEmail"])
    if settings.canary.enabled:
        params["SiteUrl"] = Parameter("SiteUrl", Type="String", Default=defaults["SiteUrl"], **url().parameter())
        params["CanaryName"] = Parameter("CanaryName", Type="String", Default=defaults["CanaryName"],
                                         **CANARY_NAME.parameter())
    for _name, param in params.items():
        template.add_parameter(param)
    if notify_by_email:
        template.add_condition(HAS_ALERT_EMAIL, Not(Equals(Ref("AlertEmail"), "")))
    template.set_metadata({"AWS::CloudFormation::Interface": {
        "ParameterGroups": [
            {"Label": {"default": label}, "Parameters": [p for p in names if p in params]}
            for label, names in GROUPS if any(p in params for p in names)
        ],
        "ParameterLabels": {name: {"default": LABELS[name]} for name in params},
    }})
    replace = dataclasses.replace
    canary: Any = settings.canary
    if settings.canary.enabled:
        canary = replace(canary, url=Ref("SiteUrl"), name=Ref("CanaryName"))
    return replace(
        settings,
        monitor=replace(m, name=Ref("AppMonitorName"), domains=(Ref("Domain"), *m.domains[1:]),
                        session_sample_rate=Ref("SessionSampleRate")),
        script=replace(settings.script, bucket=Ref("WebsiteBucket")),
        alarms=replace(settings.alarms, email=Ref("AlertEmail")) if notify_by_email else settings.alarms,
        canary=canary,
    )
