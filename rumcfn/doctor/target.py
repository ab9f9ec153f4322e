"""What the doctor expects: the monitor, the snippet and the site, from the deployed stack or from settings.

From a stack, every value is what CloudFormation deployed (the template's properties resolved with the
stack's own outputs, parameters and physical ids, as ``restore-snippet`` resolves rum.js), so a monitor
edited in the console or a settings file that was never deployed cannot mislead it. From settings, the
values are what a stack built from them would deploy, with the monitor id given on the command line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from rumcfn.contract import Outputs
from rumcfn.errors import UsageError

ALARM_TYPES = ("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm")


@dataclass
class Target:
    region: str
    monitor_name: str | None = None
    partition: str | None = None  # the stack's (AWS::Partition); settings mode: the Region's
    account: str | None = None  # the stack's (AWS::AccountId); settings mode: unknown until asked
    monitor_id: str | None = None
    domains: tuple[str, ...] = ()
    telemetries: tuple[str, ...] | None = None
    sample_rate: float | None = None
    auth_mode: str | None = None  # "cognito" or "resource-policy"
    identity_pool_id: str | None = None
    script_key: str = "rum.js"
    expected_script: str | None = None  # rum.js exactly as the stack writes it
    script: Any = None  # rumcfn.aws.restore.ScriptObject (stack mode): where the stack wrote it
    site_url: str | None = None
    canary_name: str | None = None
    alarm_names: tuple[str, ...] | None = None  # None: unknown (alarm names derive from the stack name)
    stack_name: str | None = None
    settings: Any = None  # settings mode: to render rum.js once the identity pool is known
    notes: list[str] = field(default_factory=list)

    @property
    def source(self) -> str:
        return f"stack {self.stack_name}" if self.stack_name else "the settings"

    @property
    def writer(self) -> str:
        """Who writes rum.js, for "identical to what ..."."""
        return f"stack {self.stack_name} wrote" if self.stack_name else "a stack with these settings writes"

    def learn_pool(self, pool_id: str | None) -> None:
        """Settings mode: the stack's identity pool (from the live monitor) completes the expected rum.js."""
        if pool_id and not self.identity_pool_id and self.settings is not None and self.auth_mode == "cognito":
            self.identity_pool_id = pool_id
            self.expected_script = settings_script(self.settings, self.monitor_id, self.region, pool_id)


def settings_script(settings, monitor_id: str | None, region: str, pool_id: str | None) -> str | None:
    """rum.js as a stack built from ``settings`` writes it (None while the identity pool is unknown)."""
    from rumcfn.client.snippet import render_concrete

    cognito = settings.auth.mode == "cognito"
    if not monitor_id or (cognito and not pool_id):
        return None
    return render_concrete(app_monitor_id=monitor_id, region=region, identity_pool_id=pool_id if cognito else None,
                           unsigned=not cognito, settings=settings)


def from_settings(settings, monitor_id: str, region: str) -> Target:
    from rumcfn.config import is_literal
    from rumcfn.facts import partition_of

    if settings.parameters or not all(is_literal(v) for v in (settings.monitor.name, settings.monitor.domains,
                                                               settings.monitor.session_sample_rate)):
        raise UsageError("doctor needs literal settings (not --parameters); or give --stack-name")
    m = settings.monitor
    pool = settings.auth.identity_pool_id or None
    partition = partition_of(region)
    return Target(
        region=region, partition=partition.name if partition else None, monitor_name=m.name, monitor_id=monitor_id,
        domains=tuple(m.domains),
        telemetries=tuple(m.telemetries), sample_rate=float(m.session_sample_rate), auth_mode=settings.auth.mode,
        identity_pool_id=pool, script_key=settings.script.key,
        expected_script=settings_script(settings, monitor_id, region, pool),
        site_url=settings.site_url(), canary_name=settings.canary_name() if settings.canary.enabled else None,
        settings=settings,
    )


def _value(value: Any, scope) -> str | None:
    from rumcfn.template.resolve import Unresolvable, resolve

    if value is None:
        return None
    try:
        return resolve(value, scope)
    except Unresolvable:
        return None


def _values(value: Any, scope) -> tuple[str, ...] | None:
    """A list property; a ``Ref`` to a CommaDelimitedList parameter resolves to its comma-joined value."""
    if value is None:
        return None
    if isinstance(value, list):
        items = [_value(item, scope) for item in value]
        return None if None in items else tuple(items)  # type: ignore[arg-type]
    joined = _value(value, scope)
    return tuple(part.strip() for part in joined.split(",")) if joined is not None else None


def from_stack(aws, stack) -> Target:
    """``stack``: a :class:`rumcfn.aws.stacks.DeployedStack`."""
    from rumcfn.aws.restore import RestoreFailed, script_of

    scope = stack.scope
    target = Target(region=scope.names["AWS::Region"], stack_name=stack.name, partition=scope.names["AWS::Partition"],
                    account=scope.names["AWS::AccountId"],
                    monitor_id=stack.output(Outputs.APP_MONITOR_ID), canary_name=stack.output(Outputs.CANARY_NAME),
                    alarm_names=tuple(stack.physical_ids(*ALARM_TYPES)))
    monitors = stack.of_type("AWS::RUM::AppMonitor")
    if len(monitors) == 1:
        ((logical, resource),) = monitors.items()
        props: Mapping[str, Any] = resource.get("Properties", {})
        config: Mapping[str, Any] = props.get("AppMonitorConfiguration", {})
        target.monitor_name = (
            stack.output(Outputs.APP_MONITOR_NAME) or _value(props.get("Name"), scope) or scope.names.get(logical)
        )
        target.domains = _values(props.get("DomainList"), scope) or _values(props.get("Domain"), scope) or ()
        target.telemetries = _values(config.get("Telemetries"), scope)
        rate = _value(config.get("SessionSampleRate"), scope)
        target.sample_rate = float(rate) if rate is not None else None
        target.identity_pool_id = _value(config.get("IdentityPoolId"), scope)
        target.auth_mode = "cognito" if "IdentityPoolId" in config else "resource-policy"
    else:
        target.notes.append(f"stack {stack.name} has {len(monitors)} AWS::RUM::AppMonitor resources")
    for resource in stack.of_type("AWS::Synthetics::Canary").values():
        variables = (resource.get("Properties", {}).get("RunConfig") or {}).get("EnvironmentVariables") or {}
        target.site_url = _value(variables.get("SITE_URL"), scope)
    try:
        target.script = script_of(stack)
        target.script_key = target.script.key
        target.expected_script = target.script.content
    except RestoreFailed as error:
        target.notes.append(str(error))
    if not target.site_url and target.domains:
        target.site_url = f"https://{target.domains[0].removeprefix('*.')}/"
    return target
