"""One function that assembles the whole stack from settings, calling each builder in order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from troposphere import GetAtt, Output, Ref, Sub, Template, rum

from rumcfn.client.snippet import script_tag
from rumcfn.config import Settings, is_literal
from rumcfn.contract import METADATA_KEY, Outputs
from rumcfn.facts import TEMPLATE_DESCRIPTION_BYTES
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
from rumcfn.stack.snippet import snippet_sub
from rumcfn.stack.snippet_writer import ScriptResources, add_snippet_writer
from rumcfn.stack.source_maps import SourceMaps, add_source_maps
from rumcfn.version import __version__

if TYPE_CHECKING:  # first_party.py, and CloudFront's troposphere types, load only for a site that sets it
    from rumcfn.stack.first_party import FirstParty


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
    first_party: FirstParty | None = None


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
    if settings.snippet.first_party:
        from rumcfn.stack.first_party import add_first_party

        stack.first_party = add_first_party(template, settings, monitor=monitor)
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


def add_metadata(stack: Stack) -> None:
    """``Metadata.rumcfn``: what ``rumcfn budgets check`` needs to judge the deployed stack without its settings."""
    metadata = dict(stack.template.metadata)
    metadata[METADATA_KEY] = stack.settings.budgets.recorded().to_dict()
    stack.template.set_metadata(metadata)


def add_outputs(stack: Stack) -> None:
    """The outputs readers of the deployed stack rely on (:class:`rumcfn.contract.Outputs`)."""
    t, s = stack.template, stack.settings

    def output(name: str, description: str, value: Any, **extra: Any) -> None:
        t.add_output(Output(name, Description=description, Value=value, **extra))

    output(Outputs.APP_MONITOR_NAME, "RUM app monitor name", Ref(stack.monitor))
    output(Outputs.APP_MONITOR_ID, "RUM app monitor id (used by the snippet)", GetAtt(stack.monitor, "Id"))
    if stack.auth.identity_pool_id is not None:
        output(Outputs.IDENTITY_POOL_ID, "Cognito identity pool of the web client", stack.auth.identity_pool_id)
    output(Outputs.SNIPPET_URL, "S3 URL of rum.js as written by the stack", GetAtt(stack.script.resource, "Url"))
    output(Outputs.SCRIPT_TAG, "Add this tag to the <head> of every page", script_tag(s.script.key))
    if stack.source_maps:
        output(Outputs.SOURCE_MAPS_S3_URI, "Where `rumcfn sourcemaps upload --stack-name` puts source maps",
               stack.source_maps.s3_uri)
    if stack.first_party:
        from rumcfn.stack.first_party import add_first_party_outputs

        add_first_party_outputs(t, stack.first_party)
    if stack.dashboard:
        output(Outputs.DASHBOARD_URL, "CloudWatch dashboard in the console", stack.dashboard.url,
               Condition=stack.dashboard.condition)
    if stack.canary:
        output(Outputs.CANARY_NAME, "Synthetics canary", Ref(stack.canary.canary))
    if stack.alarms and stack.alarms.topic is not None:
        output(Outputs.ALARM_TOPIC_ARN, "SNS topic that receives alarm notifications", Ref(stack.alarms.topic))
