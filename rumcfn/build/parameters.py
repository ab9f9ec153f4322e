"""``--parameters`` mode: site-specific values become CloudFormation Parameters (for a Service
Catalog product or a StackSet), grouped and labelled for the console. Builders receive ``Ref``s in
place of literals and pass them through."""

from __future__ import annotations

import dataclasses
from typing import Any

from troposphere import Equals, Not, Parameter, Ref, Template

from rumcfn.config.settings import Settings

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


def add_parameters(template: Template, settings: Settings) -> Settings:
    """Add the Parameters, Conditions and Interface metadata; return settings whose site values are ``Ref``s."""
    m = settings.monitor
    params = {
        "AppMonitorName": Parameter(
            "AppMonitorName", Type="String", Default=m.name, MinLength=1, MaxLength=255,
            AllowedPattern=r"[\.\-_/#A-Za-z0-9]+",
            ConstraintDescription="1-255 characters of A-Z a-z 0-9 . - _ / #"),
        "Domain": Parameter(
            "Domain", Type="String", Default=m.domains[0], MinLength=1, MaxLength=253,
            AllowedPattern=r"(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?",
            ConstraintDescription="a host name such as www.example.com, or a *.example.com wildcard"),
        "WebsiteBucket": Parameter(
            "WebsiteBucket", Type="String", Default=settings.script.bucket, MinLength=3, MaxLength=63,
            AllowedPattern=r"[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]",
            ConstraintDescription="an S3 bucket name: 3-63 of a-z 0-9 . -"),
        "SessionSampleRate": Parameter(
            "SessionSampleRate", Type="Number", Default=str(m.session_sample_rate), MinValue=0, MaxValue=1,
            ConstraintDescription="a number from 0 (no sessions) to 1 (all sessions)"),
    }
    notify_by_email = not settings.alarms.topic_arn
    if notify_by_email:
        params["AlertEmail"] = Parameter(
            "AlertEmail", Type="String", Default=settings.alarms.email or "", MaxLength=254,
            AllowedPattern=r"|[^@\s]+@[^@\s]+\.[^@\s]+",
            ConstraintDescription="an e-mail address, or empty for no subscription")
    if settings.canary.enabled:
        params["SiteUrl"] = Parameter(
            "SiteUrl", Type="String", Default=settings.site_url(), MaxLength=2048,
            AllowedPattern=r"https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?(/[^\s]*)?",
            ConstraintDescription="an http(s) URL")
        params["CanaryName"] = Parameter(
            "CanaryName", Type="String", Default=settings.canary_name(), MinLength=1, MaxLength=255,
            AllowedPattern=r"[0-9a-z_\-]+",
            ConstraintDescription="1-255 of lower-case letters, digits, _ and -")
    for name, param in params.items():
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
