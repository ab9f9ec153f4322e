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


def add_parameters(template: Template, settings: Settings) -> Settings:
    """Add the Parameters, Conditions and Interface metadata; return settings whose site values are ``Ref``s."""
    m = settings.monitor
    params = {
        "AppMonitorName": monitor_name_parameter(settings),
        "Domain": Parameter("Domain", Type="String", Default=m.domains[0], **DOMAIN.parameter()),
        "WebsiteBucket": _parameter("WebsiteBucket", ScriptSettings, "bucket", settings.script.bucket),
        "SessionSampleRate": _parameter("SessionSampleRate", MonitorSettings, "session_sample_rate",
                                        str(m.session_sample_rate), kind="Number"),
    }
    notify_by_email = not settings.alarms.topic_arn
    if notify_by_email:
        params["AlertEmail"] = _parameter("AlertEmail", AlarmSettings, "email", settings.alarms.email or "")
    if settings.canary.enabled:
        params["SiteUrl"] = Parameter("SiteUrl", Type="String", Default=settings.site_url(), **url().parameter())
        params["CanaryName"] = Parameter("CanaryName", Type="String", Default=settings.canary_name(),
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
        monitor=replace(m, name=Ref("AppMonitorName"), domains=(Ref("Domain"),),
                        session_sample_rate=Ref("SessionSampleRate")),
        script=replace(settings.script, bucket=Ref("WebsiteBucket")),
        alarms=replace(settings.alarms, email=Ref("AlertEmail")) if notify_by_email else settings.alarms,
        canary=canary,
    )
