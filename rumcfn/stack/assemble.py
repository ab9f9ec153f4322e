"""One function that assembles the whole stack from settings, calling each builder in order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from troposphere import GetAtt, Output, Ref, Sub, Template, rum

from rumcfn.client.snippet import script_tag, snippet_sub
from rumcfn.config import Settings, is_literal
from rumcfn.facts import RELEASE_DIMENSION, TEMPLATE_DESCRIPTION_BYTES
from rumcfn.stack.alarms import Alarms, add_alarms
from rumcfn.stack.auth import Auth, add_auth
from rumcfn.stack.bucket_emptier import BucketEmptier, add_bucket_emptier, emptying_duty
from rumcfn.stack.canary import Canary, add_canary
from rumcfn.stack.dashboard import Dashboard, add_dashboard
from rumcfn.stack.guard import troposphere_checks
from rumcfn.stack.log_retention import LogRetention, add_log_retention, retention_duty
from rumcfn.stack.monitor import add_app_monitor
from rumcfn.stack.parameters import add_parameters
from rumcfn.stack.security import explain_scanner_findings
from rumcfn.stack.snippet_writer import ScriptResources, add_snippet_writer
from rumcfn.stack.source_maps import SourceMaps, add_source_maps
from rumcfn.version import __version__


@dataclass
class Stack:
    """The template and the troposphere objects each builder created, for callers to reference."""

    template: Template
    settings: Settings  # as used by the builders: Refs in place of literals in --parameters mode
    auth: Auth
    monitor: rum.AppMonitor
    snippet: Sub
    script: ScriptResources
    canary: Canary | None = None
    emptier: BucketEmptier | None = None  # canary.empty_artifacts_on_delete
    alarms: Alarms | None = None
    dashboard: Dashboard | None = None
    source_maps: SourceMaps | None = None
    log_retention: LogRetention | None = None


def describe(settings: Settings) -> str:
    """The setting, or one naming the site's domains (their count when the names would not fit)."""
    if settings.description:
        return settings.description
    domains = [d for d in settings.monitor.domains if is_literal(d)] if not settings.parameters else []
    text = f"CloudWatch RUM real-user monitoring for {', '.join(domains) or 'a website'} (rumcfn {__version__})"
    if len(text.encode()) > TEMPLATE_DESCRIPTION_BYTES:
        text = f"CloudWatch RUM real-user monitoring for {len(domains)} domains (rumcfn {__version__})"
    return text


def build_stack(settings: Settings | None = None) -> Stack:
    """Build every resource for ``settings`` (the built-in example when omitted); a value troposphere refuses is
    one line naming its setting (:mod:`rumcfn.stack.guard`)."""
    settings = settings or Settings()
    with troposphere_checks(settings):
        return _assemble(settings)


def _assemble(settings: Settings) -> Stack:
    template = Template(Description=describe(settings))
    template.set_version("2010-09-09")
    if settings.parameters:
        settings = add_parameters(template, settings)
    auth = add_auth(template, settings)
    source_maps = add_source_maps(template, settings)
    monitor = add_app_monitor(template, settings, identity_pool_id=auth.identity_pool_id,
                              guest_role_arn=auth.guest_role_arn, resource_policy=auth.resource_policy,
                              source_maps=source_maps)
    snippet = snippet_sub(settings, monitor, auth.identity_pool_id)
    canary = add_canary(template, settings, monitor_id=GetAtt(monitor, "Id")) if settings.canary.enabled else None
    # The one inline function and every duty it has, declared together where it is created.
    emptying = emptying_duty(settings, canary)
    duties = [duty for duty in (retention_duty(settings), emptying) if duty]
    stack = Stack(
        template,
        settings,
        auth,
        monitor,
        snippet,
        script=add_snippet_writer(template, settings, snippet=snippet, monitor=monitor, duties=duties),
        source_maps=source_maps,
        canary=canary,
    )
    stack.log_retention = add_log_retention(template, settings, writer=stack.script, monitor=monitor)
    if emptying:
        stack.emptier = add_bucket_emptier(template, settings, writer=stack.script, canary=canary)
    monitor_name = Ref(monitor)
    canary_name = Ref(stack.canary.canary) if stack.canary else None
    stack.alarms = add_alarms(template, settings, monitor_name=monitor_name, canary_name=canary_name)
    if settings.dashboard:
        stack.dashboard = add_dashboard(
            template, settings, monitor_name=monitor_name, canary_name=canary_name, alarms=stack.alarms
        )
    explain_scanner_findings(template)
    add_metadata(stack)
    add_outputs(stack)
    return stack


def build_template(settings: Settings | None = None) -> Template:
    """The whole stack as a troposphere Template."""
    return build_stack(settings).template


def budget_metadata(settings: Settings) -> dict[str, Any]:
    """What ``rumcfn budgets check`` needs to judge a deployed stack without its settings file."""
    return {budget.key: budget.as_metadata() for budget in settings.budgets.budgets()}


def segment_metadata(settings: Settings) -> list[dict[str, Any]]:
    """Each segment's name, dimensions and budgets, as the gate reads them back."""
    b = settings.budgets
    return [
        {
            "name": segment.label(),
            "dimensions": dict(segment.dimensions()),
            "budgets": {budget.key: budget.as_metadata() for budget in b.segment_budgets(segment)},
        }
        for segment in b.segments
    ]


def add_metadata(stack: Stack) -> None:
    metadata = dict(stack.template.metadata)
    b = stack.settings.budgets
    metadata["rumcfn"] = {"version": __version__, "budgets": budget_metadata(stack.settings)}
    if b.segments:
        metadata["rumcfn"]["segments"] = segment_metadata(stack.settings)
    if b.release_namespace:
        metadata["rumcfn"]["releases"] = {
            "namespace": b.release_namespace_in_cloudwatch(),
            "dimension": RELEASE_DIMENSION,
        }
    stack.template.set_metadata(metadata)


def add_outputs(stack: Stack) -> None:
    t, s = stack.template, stack.settings
    t.add_output(Output("AppMonitorName", Description="RUM app monitor name", Value=Ref(stack.monitor)))
    t.add_output(
        Output(
            "AppMonitorId", Description="RUM app monitor id (used by the snippet)", Value=GetAtt(stack.monitor, "Id")
        )
    )
    if stack.auth.identity_pool_id is not None:
        t.add_output(
            Output(
                "IdentityPoolId",
                Description="Cognito identity pool of the web client",
                Value=stack.auth.identity_pool_id,
            )
        )
    t.add_output(
        Output(
            "SnippetUrl",
            Description="S3 URL of rum.js as written by the stack",
            Value=GetAtt(stack.script.resource, "Url"),
        )
    )
    t.add_output(
        Output("ScriptTag", Description="Add this tag to the <head> of every page", Value=script_tag(s.script.key))
    )
    if stack.source_maps:
        t.add_output(
            Output(
                "SourceMapsS3Uri",
                Description="Where `rumcfn sourcemaps upload --stack-name` puts source maps",
                Value=stack.source_maps.s3_uri,
            )
        )
    if stack.dashboard:
        t.add_output(
            Output(
                "DashboardUrl",
                Description="CloudWatch dashboard in the console",
                Value=stack.dashboard.url,
                Condition=stack.dashboard.condition,
            )
        )
    if stack.canary:
        t.add_output(Output("CanaryName", Description="Synthetics canary", Value=Ref(stack.canary.canary)))
    if stack.alarms and stack.alarms.topic is not None:
        t.add_output(
            Output(
                "AlarmTopicArn",
                Description="SNS topic that receives alarm notifications",
                Value=Ref(stack.alarms.topic),
            )
        )
