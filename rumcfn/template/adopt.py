"""Adopting an app monitor made outside rumcfn (``rumcfn import``): the settings that reproduce it, and the
template that imports it. Pure: the live monitor comes from :mod:`rumcfn.aws.adopt`.

The settings are read back from every property the ``AWS::RUM::AppMonitor`` resource type has: the monitor as
``GetAppMonitor`` answers, its resource policy (``GetResourcePolicy``) and its CloudWatch metric definitions
(``BatchGetRumMetricDefinitions``). The template those settings build must hold the monitor's properties exactly
as they are (:func:`live_properties` against :func:`template_properties`): otherwise the import would leave the
stack out of step with the monitor, and adopting is refused, with the reason (:class:`CannotImport`).

CloudFormation imports a resource in a change set whose template holds the stack's resources and the ones being
imported, each imported one with a ``DeletionPolicy`` (CloudFormation user guide, "Import AWS resources into a
CloudFormation stack"), and nothing else new: no other resource, no Outputs ("As part of the import operation, you
cannot modify or add [Outputs]"). So the monitor is imported alone (:func:`import_template`), with
``monitor.retain_on_delete`` (DeletionPolicy and UpdateReplacePolicy Retain), and the rest of the stack follows in
a normal update.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping

from rumcfn.config import Settings, SettingsError, from_mapping
from rumcfn.errors import UsageError
from rumcfn.facts import EXTENDED_DIMENSIONS, EXTENDED_METRICS, RUM_NAMESPACE, partition_suffix
from rumcfn.stack.assemble import build_template
from rumcfn.template.output import to_dict
from rumcfn.template.resolve import Scope, Unresolvable, resolve

MONITOR = "AppMonitor"  # the monitor's logical id in every rumcfn template
MONITOR_TYPE = "AWS::RUM::AppMonitor"
#: What RUM takes when SessionSampleRate is left out (the RUM API's AppMonitorConfiguration.SessionSampleRate: "If
#: you omit this parameter, the default of 0.1 is used").
RUM_DEFAULT_SAMPLE_RATE = 0.1
PAGES = (("IncludedPages", "included_pages"), ("ExcludedPages", "excluded_pages"),
         ("FavoritePages", "favorite_pages"))


class CannotImport(UsageError):
    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"app monitor {name} cannot be imported as it is: {reason}; nothing was written or changed")


@dataclass(frozen=True)
class LiveMonitor:
    """What AWS says of the monitor, and where it is."""

    monitor: Mapping[str, Any]  # GetAppMonitor's AppMonitor
    policy: str | None = None  # GetResourcePolicy's PolicyDocument
    destinations: tuple = ()  # ListRumMetricsDestinations' Destinations
    definitions: tuple = ()  # BatchGetRumMetricDefinitions' MetricDefinitions for the CloudWatch destination
    partition: str = "aws"
    region: str = "us-east-1"
    account: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.monitor["Name"]


def primary_identifier(resource_type: str = MONITOR_TYPE, region: str = "us-east-1") -> list[str]:
    """The properties that identify a resource of the type (its registry schema's ``primaryIdentifier``, from
    cfn-lint's copy): what an IMPORT change set's ``ResourceIdentifier`` names."""
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(region, resource_type).schema
    return [pointer.rsplit("/", 1)[-1] for pointer in schema["primaryIdentifier"]]


def _definition(definition: Mapping[str, Any]) -> dict[str, Any]:
    """A metric definition as data, its event pattern parsed (RUM may space the JSON differently)."""
    result = {key: definition[key] for key in ("Name", "Namespace", "ValueKey", "UnitLabel") if definition.get(key)}
    result["DimensionKeys"] = dict(definition.get("DimensionKeys") or {})
    if definition.get("EventPattern"):
        result["EventPattern"] = json.loads(definition["EventPattern"])
    return result


def _canonical(items: list[dict]) -> list[dict]:
    return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))


def live_properties(live: LiveMonitor) -> dict[str, Any]:
    """The live monitor as AWS::RUM::AppMonitor properties, in the form rumcfn writes them: one domain as
    ``Domain``, several as ``DomainList``; switches that are off left out (CustomEvents and source maps DISABLED);
    policy documents and event patterns parsed; tags and metric definitions in a fixed order."""
    m = live.monitor
    given = m.get("AppMonitorConfiguration") or {}
    config: dict[str, Any] = {
        "AllowCookies": bool(given.get("AllowCookies", False)),
        "EnableXRay": bool(given.get("EnableXRay", False)),
        "SessionSampleRate": float(given.get("SessionSampleRate", RUM_DEFAULT_SAMPLE_RATE)),
        "Telemetries": list(given.get("Telemetries") or []),
    }
    for key in ("IdentityPoolId", "GuestRoleArn"):
        if given.get(key):
            config[key] = given[key]
    for key, _ in PAGES:
        if given.get(key):
            config[key] = list(given[key])
    if live.definitions:
        config["MetricDestinations"] = [{"Destination": "CloudWatch",
                                         "MetricDefinitions": _canonical([_definition(d) for d in live.definitions])}]
    props: dict[str, Any] = {
        "Name": m["Name"],
        "AppMonitorConfiguration": config,
        "CwLogEnabled": bool(((m.get("DataStorage") or {}).get("CwLog") or {}).get("CwLogEnabled", False)),
    }
    domains = list(m.get("DomainList") or ([m["Domain"]] if m.get("Domain") else []))
    if len(domains) == 1:
        props["Domain"] = domains[0]
    elif domains:
        props["DomainList"] = domains
    if (m.get("CustomEvents") or {}).get("Status") == "ENABLED":
        props["CustomEvents"] = {"Status": "ENABLED"}
    maps = (m.get("DeobfuscationConfiguration") or {}).get("JavaScriptSourceMaps") or {}
    if maps.get("Status") == "ENABLED":
        props["DeobfuscationConfiguration"] = {"JavaScriptSourceMaps": {"Status": "ENABLED", "S3Uri": maps["S3Uri"]}}
    if live.policy:
        props["ResourcePolicy"] = {"PolicyDocument": json.loads(live.policy)}
    if m.get("Tags"):
        props["Tags"] = _canonical([{"Key": k, "Value": v} for k, v in m["Tags"].items()])
    return props


def template_properties(settings: Settings, live: LiveMonitor) -> dict[str, Any]:
    """The monitor's properties as the settings' template gives them, resolved where the stack would resolve them
    (pseudo parameters: this account, Region and partition), in :func:`live_properties`' form. A value that
    depends on another resource of the stack cannot be imported, and is refused."""
    props = json.loads(json.dumps(to_dict(build_template(settings))["Resources"][MONITOR]["Properties"]))
    scope = Scope({"AWS::Partition": live.partition, "AWS::Region": live.region, "AWS::AccountId": live.account,
                   "AWS::URLSuffix": partition_suffix(live.partition, live.region)}, {})
    policy = (props.get("ResourcePolicy") or {}).get("PolicyDocument")
    if policy is not None:
        try:
            props["ResourcePolicy"] = {"PolicyDocument": json.loads(resolve(policy, scope))}
        except Unresolvable as error:
            raise CannotImport(live.name, f"its resource policy would depend on the rest of the stack ({error})") \
                from None
    config = props["AppMonitorConfiguration"]
    for destination in config.get("MetricDestinations", []):
        destination["MetricDefinitions"] = _canonical([_definition(d) for d in destination["MetricDefinitions"]])
    if "Tags" in props:
        props["Tags"] = _canonical(props["Tags"])
    for key in ("IdentityPoolId", "GuestRoleArn"):
        if isinstance(config.get(key), dict):
            raise CannotImport(live.name, f"its {key} would be a resource of the stack")
    return props


def _auth(live: LiveMonitor) -> tuple[dict[str, Any], dict[str, Any]]:
    """[auth] (and the alias [snippet.config] takes) for the monitor's identity pool or resource policy."""
    config = live.monitor.get("AppMonitorConfiguration") or {}
    pool, role = config.get("IdentityPoolId"), config.get("GuestRoleArn")
    if pool and live.policy:
        raise CannotImport(live.name, "it has both an identity pool and a resource policy, and rumcfn authorizes "
                                      "browsers one way (auth.mode cognito or resource-policy)")
    if pool or role:
        if not (pool and role):
            raise CannotImport(live.name, "it names an identity pool or a guest role without the other; rumcfn "
                                          "reuses an existing pool with its guest role together")
        return {"mode": "cognito", "identity_pool_id": pool, "guest_role_arn": role}, {}
    if not live.policy:
        raise CannotImport(live.name, "it has neither an identity pool nor a resource policy, so no browser may send "
                                      "it data; rumcfn's auth modes need one")
    document = json.loads(live.policy)
    statements = document.get("Statement") or []
    conditions = statements[0].get("Condition", {}) if len(statements) == 1 and isinstance(statements[0], dict) \
        else {}
    auth: dict[str, Any] = {"mode": "resource-policy",
                            "restrict_referer": "aws:Referer" in (conditions.get("StringLike") or {})}
    alias = (conditions.get("StringEquals") or {}).get("rum:alias")
    return auth, ({"config": {"alias": alias}} if isinstance(alias, str) else {})


def _metrics(live: LiveMonitor) -> dict[str, Any]:
    """monitor.extended_metrics and their dimensions, from the CloudWatch destination's definitions."""
    others = [d.get("Destination") for d in live.destinations if d.get("Destination") != "CloudWatch"]
    if others:
        raise CannotImport(live.name, f"it sends metrics to {', '.join(others)}, which rumcfn's settings do not "
                                      "configure (a CloudWatch destination only)")
    names: list[str] = []
    dimensions: list[str] = []
    for definition in live.definitions:
        keys = definition.get("DimensionKeys") or {}
        ((path, dimension),) = keys.items() if len(keys) == 1 else ((None, None),)
        namespace = definition.get("Namespace", RUM_NAMESPACE)
        if namespace != RUM_NAMESPACE or definition.get("Name") not in EXTENDED_METRICS or len(keys) != 1 \
                or EXTENDED_DIMENSIONS.get(dimension) != path:
            raise CannotImport(live.name, f"its metric definition {definition.get('Name')} "
                                          f"({namespace}, dimensions "
                                          f"{keys or 'none'}) is not an extended metric by one dimension, the only "
                                          "kind rumcfn reads back (segment and per-release metrics come from "
                                          "[budgets], which an import does not guess)")
        names += [definition["Name"]] if definition["Name"] not in names else []
        dimensions += [dimension] if dimension not in dimensions else []
    return {"extended_metrics": names, "extended_metric_dimensions": dimensions} if live.definitions else \
        {"extended_metrics": [], "extended_metric_dimensions": []}


def adopted_settings(live: LiveMonitor, bucket: str) -> dict[str, Any]:
    """The rumcfn.toml tables that reproduce the monitor (``bucket``: the site's, which the monitor does not know).
    Refused (:class:`CannotImport`) when no settings can."""
    m = live.monitor
    platform = m.get("Platform")
    if platform not in (None, "Web"):
        raise CannotImport(live.name, f"it is a {platform} monitor; rumcfn monitors websites (Platform Web)")
    if m.get("State") == "DELETING":
        raise CannotImport(live.name, "it is being deleted")
    props = live_properties(live)
    config = props["AppMonitorConfiguration"]
    monitor: dict[str, Any] = {
        "name": m["Name"],
        "domains": [props["Domain"]] if "Domain" in props else props.get("DomainList", []),
        "telemetries": config["Telemetries"],
        "session_sample_rate": config["SessionSampleRate"],
        "allow_cookies": config["AllowCookies"],
        "enable_xray": config["EnableXRay"],
        "cw_log_enabled": props["CwLogEnabled"],
        "custom_events": "CustomEvents" in props,
        **{setting: config.get(key, []) for key, setting in PAGES},
        **_metrics(live),
        "retain_on_delete": True,
    }
    if "DeobfuscationConfiguration" in props:
        monitor["source_maps_s3_uri"] = props["DeobfuscationConfiguration"]["JavaScriptSourceMaps"]["S3Uri"]
    if m.get("Tags"):
        monitor["tags"] = dict(m["Tags"])
    auth, snippet = _auth(live)
    data: dict[str, Any] = {"monitor": monitor, "auth": auth, "script": {"bucket": bucket}}
    if snippet:
        data["snippet"] = snippet
    return data


def adopt(live: LiveMonitor, bucket: str) -> tuple[dict[str, Any], Settings]:
    """The settings tables and the settings that reproduce the monitor exactly, checked against it."""
    data = adopted_settings(live, bucket)
    try:
        settings = from_mapping(data)
    except SettingsError as error:
        raise CannotImport(live.name, f"its configuration breaks a rumcfn rule ({error})") from None
    built, wanted = template_properties(settings, live), live_properties(live)
    differing = sorted({*built, *wanted} - {k for k in {*built, *wanted} if built.get(k) == wanted.get(k)})
    if differing:
        raise CannotImport(live.name, f"rumcfn's settings cannot reproduce its {', '.join(differing)}")
    return data, settings


def import_template(settings: Settings) -> dict[str, Any]:
    """The template of the IMPORT change set: the monitor alone, as the full template has it (with its Retain
    policies), and nothing that depends on the rest of the stack."""
    full = to_dict(build_template(settings))
    monitor = {key: value for key, value in full["Resources"][MONITOR].items() if key != "DependsOn"}
    return {"AWSTemplateFormatVersion": full["AWSTemplateFormatVersion"], "Description": full["Description"],
            "Resources": {MONITOR: monitor}}


def resources_to_import(settings: Settings) -> list[dict[str, Any]]:
    """``ResourcesToImport`` for the monitor: its type, logical id, and its primary identifier's values."""
    props = to_dict(build_template(settings))["Resources"][MONITOR]["Properties"]
    return [{"ResourceType": MONITOR_TYPE, "LogicalResourceId": MONITOR,
             "ResourceIdentifier": {key: props[key] for key in primary_identifier()}}]
