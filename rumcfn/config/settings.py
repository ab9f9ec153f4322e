"""``Settings``: every section together, and the values derived from several of them.

``Settings()`` is the built-in example. Each section checks its own fields when it is built
(:mod:`rumcfn.config.section`); what needs two sections is checked here.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from rumcfn.config.budgets import AlarmSettings, BudgetSettings
from rumcfn.config.canary import CANARY_NAME, CanarySettings
from rumcfn.config.client_options import FrozenMap, thaw
from rumcfn.config.delivery import ScriptSettings, SnippetSettings
from rumcfn.config.formats import TAG_KEY
from rumcfn.config.monitor import AuthSettings, MonitorSettings
from rumcfn.config.routes import route_of
from rumcfn.config.rules import Flag, Text, Value, fail, is_literal
from rumcfn.config.section import Section, setting
from rumcfn.errors import SettingsError
from rumcfn.facts import LAB_NAMESPACE_PREFIX, MAX_NAMESPACE, TEMPLATE_DESCRIPTION_BYTES

#: A template's Description: a literal string of at most 1,024 bytes (CloudFormation template anatomy).
DESCRIPTION = Text(r"[^\x00-\x1f\x7f]*", f"must be at most {TEMPLATE_DESCRIPTION_BYTES:,} bytes of text",
                   max_bytes=TEMPLATE_DESCRIPTION_BYTES, optional=True)


@dataclass(frozen=True)
class Settings(Section):
    """Everything rumcfn needs to build one stack. ``Settings()`` is the built-in example."""

    monitor: MonitorSettings = setting(MonitorSettings, "The app monitor.", factory=True)
    auth: AuthSettings = setting(AuthSettings, "Authorization of the browsers.", factory=True)
    snippet: SnippetSettings = setting(SnippetSettings, "The rum.js snippet.", factory=True)
    script: ScriptSettings = setting(ScriptSettings, "The custom resource writing rum.js.", factory=True)
    canary: CanarySettings = setting(CanarySettings, "The Synthetics canary.", factory=True)
    budgets: BudgetSettings = setting(BudgetSettings, "Performance budgets.", factory=True)
    alarms: AlarmSettings = setting(AlarmSettings, "Alarm notifications.", factory=True)
    dashboard: bool = setting(True, "Create a CloudWatch dashboard.", Flag())
    parameters: bool = setting(
        False, "Emit site-specific values as CloudFormation Parameters (Service Catalog).", Flag()
    )
    description: str = setting("", "Template description, at most 1,024 bytes (empty: a generated one).", DESCRIPTION)

    def check(self) -> None:
        for name, section in SECTIONS.items():
            value = getattr(self, name)
            fail(name, isinstance(value, section), f"must be a {section.__name__} (the [{name}] table)", value)
        self.check_client_config()
        # The client signs (SigV4) the data plane's host and path; CloudFront changes both before RUM sees the
        # request (Host becomes the origin's domain, the function strips the prefix), so no signature could hold.
        fail(
            "snippet.first_party",
            not (self.snippet.first_party and self.auth.mode == "cognito"),
            f"needs auth.mode = \"resource-policy\" (auth.mode is {self.auth.mode!r}: Cognito-signed requests are "
            "signed for the data plane's host and path, which CloudFront rewrites)",
            self.snippet.first_party,
        )
        self.check_routes()
        budgets = self.budgets
        fail(
            "snippet.release_id",
            not (budgets.release_namespace and budgets.release_source == "release_id") or bool(self.snippet.release_id),
            "must be set when budgets.release_namespace counts releases by release_id (or set "
            "budgets.release_source = \"app_version\")",
            self.snippet.release_id,
        )
        if not self.canary.enabled:
            return
        canary_name = self.canary_name()
        if is_literal(canary_name):
            fail(
                "canary.name",
                re.fullmatch(CANARY_NAME.pattern, canary_name) is not None and len(canary_name) <= 255,
                r"must match ^[0-9a-z_\-]{1,255}$ after derivation from the monitor name",
                canary_name,
            )
        if self.canary.lab_vitals and is_literal(self.monitor.name):
            namespace = LAB_NAMESPACE_PREFIX + self.monitor.name
            fail(
                "canary.lab_vitals",
                len(namespace) <= MAX_NAMESPACE,
                f"needs a monitor name of at most {MAX_NAMESPACE - len(LAB_NAMESPACE_PREFIX)} characters: the "
                f"canary's namespace {LAB_NAMESPACE_PREFIX}<name> may have {MAX_NAMESPACE} (PutMetricData Namespace)",
                self.monitor.name,
            )
        key = self.canary_tag_key()
        if is_literal(key):
            fail(
                "canary.tag_key",
                re.fullmatch(TAG_KEY.pattern, key) is not None,
                f"must be set: the tag key derived from the monitor name breaks the rule that {TAG_KEY.rule}",
                key,
            )

    def check_client_config(self) -> None:
        """``[snippet.config]`` against the monitor: telemetry tables and X-Ray options need their switch."""
        config, monitor = self.snippet.config, self.monitor
        for telemetry in ("errors", "performance", "http"):
            if telemetry in config.keys() and is_literal(monitor.telemetries):
                fail(
                    f"snippet.config.{telemetry}",
                    telemetry in monitor.telemetries,
                    f"configures a telemetry the monitor leaves out; add {telemetry!r} to monitor.telemetries",
                    thaw(config.get(telemetry)),
                )
        header = config.get("http", FrozenMap()).get("addXRayTraceIdHeader")
        # The client adds the trace header, and W3C trace ids, only while X-Ray is on (configuration.md, "HTTP").
        for name, value in (
            ("http.addXRayTraceIdHeader", header),
            ("enableW3CTraceId", config.get("enableW3CTraceId")),
        ):
            fail(
                f"snippet.config.{name}",
                value in (None, False) or monitor.enable_xray,
                "has no effect unless monitor.enable_xray is true",
                thaw(value),
            )

    def check_routes(self) -> None:
        """A segment's page is a page id the client records: with ``snippet.routes``, a path a route rewrites
        never is (its events carry the route)."""
        for index, segment in enumerate(self.budgets.segments):
            recorded = route_of(segment.page, self.snippet.routes) if segment.page else ""
            fail(
                f"budgets.segments[{index}].page",
                recorded == segment.page,
                f"is recorded as {recorded} (snippet.routes): budget the route",
                segment.page,
            )

    def canary_name(self) -> Value:
        """The canary's name: the setting, or the monitor name lower-cased with other characters as '-'."""
        if self.canary.name:
            return self.canary.name
        if not is_literal(self.monitor.name):
            raise SettingsError("canary.name", "must be set when the monitor name is a parameter", self.monitor.name)
        return re.sub(r"[^0-9a-z_\-]", "-", self.monitor.name.lower())

    def canary_tag_key(self) -> Value:
        """The key of the tag linking the canary to its monitor: the setting, or the monitor name with '#' as '-'."""
        if self.canary.tag_key:
            return self.canary.tag_key
        name = self.monitor.name
        return name.replace("#", "-") if is_literal(name) else name

    def has_alarms(self) -> bool:
        """Whether the stack has alarms (and so notifications): a budget, a segment budget or the canary."""
        return bool(self.budgets.levels() or self.budgets.segments or self.canary.enabled)

    def site_url(self) -> Value:
        """The page the canary opens: the setting, else the first non-wildcard domain."""
        if self.canary.url:
            return self.canary.url
        domain = self.monitor.domains[0] if is_literal(self.monitor.domains) else "www.example.com"
        return f"https://{domain.removeprefix('*.')}/" if is_literal(domain) else domain


#: The sections of a settings file: table name -> its class.
SECTIONS: dict[str, type[Section]] = {
    f.name: f.default_factory
    for f in dataclasses.fields(Settings)  # type: ignore[misc]
    if dataclasses.is_dataclass(f.default_factory)
}


def setting_field(key: str) -> dataclasses.Field:
    """The field declaring the setting at a dotted key (``monitor.name``): its default, doc and rule."""
    section, _, name = key.rpartition(".")
    owner = SECTIONS[section] if section else Settings  # KeyError: no such section
    return {f.name: f for f in dataclasses.fields(owner)}[name]  # type: ignore[arg-type]
