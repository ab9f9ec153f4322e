"""The ``AWS::RUM::AppMonitor``."""

from __future__ import annotations

from typing import Any

from troposphere import Template, rum

from rumcfn.config import Settings, is_literal
from rumcfn.stack.metrics import metric_definitions
from rumcfn.stack.naming import tags_of


def add_app_monitor(
    template: Template,
    settings: Settings,
    *,
    identity_pool_id: Any = None,
    guest_role_arn: Any = None,
    resource_policy: Any = None,
    source_maps: Any = None,
) -> rum.AppMonitor:
    """Add the app monitor. Auth values come from :mod:`rumcfn.stack.auth` (Cognito ids or a resource policy),
    ``source_maps`` from :mod:`rumcfn.stack.source_maps`."""
    m = settings.monitor
    config: dict[str, Any] = {
        "AllowCookies": m.allow_cookies,
        "EnableXRay": m.enable_xray,
        "SessionSampleRate": m.session_sample_rate,
        "Telemetries": list(m.telemetries),
    }
    if identity_pool_id is not None:
        config["IdentityPoolId"] = identity_pool_id
    if guest_role_arn is not None:
        config["GuestRoleArn"] = guest_role_arn
    for key, pages in (("IncludedPages", m.included_pages), ("ExcludedPages", m.excluded_pages),
                       ("FavoritePages", m.favorite_pages)):
        if pages:
            config[key] = list(pages)
    definitions = metric_definitions(settings)
    if definitions:
        config["MetricDestinations"] = [rum.MetricDestination(Destination="CloudWatch", MetricDefinitions=definitions)]

    props: dict[str, Any] = {
        "Name": m.name,
        "AppMonitorConfiguration": rum.AppMonitorConfiguration(**config),
        "CwLogEnabled": m.cw_log_enabled,
    }
    domains = m.domains
    if not is_literal(domains):
        props["DomainList"] = domains
    elif len(domains) == 1:
        props["Domain"] = domains[0]
    else:
        props["DomainList"] = list(domains)
    if m.custom_events:
        props["CustomEvents"] = rum.CustomEvents(Status="ENABLED")
    if source_maps is not None:
        props["DeobfuscationConfiguration"] = rum.DeobfuscationConfiguration(
            JavaScriptSourceMaps=rum.JavaScriptSourceMaps(Status="ENABLED", S3Uri=source_maps.s3_uri)
        )
    if resource_policy is not None:
        props["ResourcePolicy"] = rum.ResourcePolicy(PolicyDocument=resource_policy)
    tags = tags_of(m.tags)
    if tags:
        props["Tags"] = tags
    monitor = rum.AppMonitor("AppMonitor", **props)
    if m.retain_on_delete:  # both, or a replacement would still delete it (cfn-lint W3011)
        monitor.DeletionPolicy = monitor.UpdateReplacePolicy = "Retain"
    if source_maps is not None and source_maps.policy is not None:
        monitor.DependsOn = [source_maps.policy.title]  # RUM may read the bucket from the start
    return template.add_resource(monitor)
