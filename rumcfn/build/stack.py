"""One function that assembles the whole stack from settings, calling each builder in order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from troposphere import GetAtt, Output, Ref, Template

from rumcfn import __version__
from rumcfn.build.auth import Auth, add_auth
from rumcfn.build.alarms import add_alarms
from rumcfn.build.bucket_emptier import add_bucket_emptier
from rumcfn.build.canary import add_canary
from rumcfn.build.dashboard import add_dashboard
from rumcfn.build.monitor import add_app_monitor
from rumcfn.build.parameters import add_parameters
from rumcfn.build.snippet_writer import add_snippet_writer
from rumcfn.build.security import explain_scanner_findings
from rumcfn.config.settings import Settings, is_literal
from rumcfn.build.snippet import script_tag, snippet_sub


@dataclass
class Stack:
    """The template and the troposphere objects each builder created, for callers to reference."""

    template: Template
    settings: Settings  # as used by the builders: Refs in place of literals in --parameters mode
    auth: Auth
    monitor: Any
    snippet: Any
    parts: dict[str, Any] = field(default_factory=dict)


def describe(settings: Settings) -> str:
    if settings.description:
        return settings.description
    domains = settings.monitor.domains
    site = ", ".join(d for d in domains if is_literal(d)) if not settings.parameters else "a website"
    return f"CloudWatch RUM real-user monitoring for {site} (rumcfn {__version__})"


def build_stack(settings: Settings | None = None) -> Stack:
    """Build every resource for ``settings`` (the built-in example when omitted)."""
    settings = settings or Settings()
    template = Template(Description=describe(settings))
    template.set_version("2010-09-09")
    if settings.parameters:
        settings = add_parameters(template, settings)
    auth = add_auth(template, settings)
    monitor = add_app_monitor(template, settings, identity_pool_id=auth.identity_pool_id,
                              guest_role_arn=auth.guest_role_arn, resource_policy=auth.resource_policy)
    snippet = snippet_sub(settings, monitor, auth.identity_pool_id)
    stack = Stack(template, settings, auth, monitor, snippet)
    stack.parts["script"] = add_snippet_writer(template, settings, snippet=snippet, monitor=monitor)
    monitor_name = Ref(monitor)
    if settings.canary.enabled:
        stack.parts["canary"] = add_canary(template, settings)
        if settings.canary.empty_artifacts_on_delete:
            stack.parts["emptier"] = add_bucket_emptier(template, settings, writer=stack.parts["script"],
                                                        canary=stack.parts["canary"])
    canary_name = Ref(stack.parts["canary"].canary) if "canary" in stack.parts else None
    alarms = add_alarms(template, settings, monitor_name=monitor_name, canary_name=canary_name)
    if alarms is not None:
        stack.parts["alarms"] = alarms
    if settings.dashboard:
        stack.parts["dashboard"] = add_dashboard(template, settings, monitor_name=monitor_name,
                                                 canary_name=canary_name, alarms=alarms)
    explain_scanner_findings(template)
    add_metadata(stack)
    add_outputs(stack)
    return stack


def build_template(settings: Settings | None = None) -> Template:
    """The whole stack as a troposphere Template."""
    return build_stack(settings).template


def budget_metadata(settings: Settings) -> dict[str, Any]:
    """What ``rumcfn budgets check`` needs to judge a deployed stack without its settings file."""
    from rumcfn.config.settings import BUDGET_METRICS

    return {
        key: {"metric": BUDGET_METRICS[key][0], "budget": f"{value:g}", "statistic": settings.budgets.statistic}
        for key, value in settings.budgets.active().items() if is_literal(value)
    }


def add_metadata(stack: Stack) -> None:
    metadata = dict(stack.template.metadata)
    metadata["rumcfn"] = {"version": __version__, "budgets": budget_metadata(stack.settings)}
    stack.template.set_metadata(metadata)


def add_outputs(stack: Stack) -> None:
    t, s = stack.template, stack.settings
    t.add_output(Output("AppMonitorName", Description="RUM app monitor name", Value=Ref(stack.monitor)))
    t.add_output(Output("AppMonitorId", Description="RUM app monitor id (used by the snippet)",
                        Value=GetAtt(stack.monitor, "Id")))
    if stack.auth.identity_pool_id is not None:
        t.add_output(Output("IdentityPoolId", Description="Cognito identity pool of the web client",
                            Value=stack.auth.identity_pool_id))
    if "script" in stack.parts:
        t.add_output(Output("SnippetUrl", Description="S3 URL of rum.js as written by the stack",
                            Value=GetAtt(stack.parts["script"].resource, "Url")))
    t.add_output(Output("ScriptTag", Description="Add this tag to the <head> of every page",
                        Value=script_tag(s.script.key)))
    if "dashboard" in stack.parts:
        t.add_output(Output("DashboardUrl", Description="CloudWatch dashboard in the console",
                            Value=stack.parts["dashboard"].url))
    if "canary" in stack.parts:
        t.add_output(Output("CanaryName", Description="Synthetics canary", Value=Ref(stack.parts["canary"].canary)))
    if "alarms" in stack.parts and stack.parts["alarms"].topic is not None:
        t.add_output(Output("AlarmTopicArn", Description="SNS topic that receives alarm notifications",
                            Value=Ref(stack.parts["alarms"].topic)))
