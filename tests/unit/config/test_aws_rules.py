"""Settings rules against AWS's own: whatever an API's model rejects, the setting's rule rejects too.

The service models ship inside botocore (``botocore/data/<service>/<version>/service-2.json``) with the
pattern, length and range of every API field. For each setting that lands in an API field, sample values
(hostile ones included) go through both: a value the model refuses must be refused at synth time, with
one line naming the setting. rumcfn may be stricter where AWS documents more than the model carries
(S3 bucket naming, the cron syntax, the Tagging API's characters); those rules cite their source.
Patterns are applied with search semantics, as Smithy's ``@pattern`` is (not implicitly anchored).
"""

from __future__ import annotations

import dataclasses
import functools
import re

import pytest
from troposphere import Ref

from rumcfn.config import SECTIONS, SettingsError, from_mapping
from rumcfn.config.rules import Each, Pairs

# setting (section.field[.key|.value|.count]) -> (service, shape) of the API field it becomes
API_FIELDS = {
    "monitor.name": ("rum", "AppMonitorName"),
    "monitor.domains": ("rum", "AppMonitorDomain"),
    "monitor.session_sample_rate": ("rum", "SessionSampleRate"),
    "monitor.telemetries": ("rum", "Telemetry"),
    "monitor.included_pages": ("rum", "Url"),
    "monitor.included_pages.count": ("rum", "Pages"),
    "monitor.excluded_pages": ("rum", "Url"),
    "monitor.excluded_pages.count": ("rum", "Pages"),
    "monitor.favorite_pages.count": ("rum", "FavoritePages"),
    "monitor.extended_metrics": ("rum", "MetricName"),
    "monitor.tags.key": ("rum", "TagKey"),
    "monitor.tags.value": ("rum", "TagValue"),
    "monitor.source_maps_s3_uri": ("rum", "DeobfuscationS3Uri"),
    "auth.identity_pool_id": ("cognito-identity", "IdentityPoolId"),
    "auth.guest_role_arn": ("iam", "arnType"),
    "canary.name": ("synthetics", "CanaryName"),
    "canary.timeout_seconds": ("synthetics", "MaxFifteenMinutesInSeconds"),
    "canary.schedule": ("synthetics", "String"),
    "canary.tag_key": ("synthetics", "TagKey"),
    "canary.tag_value": ("synthetics", "TagValue"),
    "budgets.period": ("cloudwatch", "Period"),
    "budgets.evaluation_periods": ("cloudwatch", "EvaluationPeriods"),
    "budgets.datapoints_to_alarm": ("cloudwatch", "DatapointsToAlarm"),
    "alarms.topic_arn": ("cloudwatch", "ResourceName"),
    "script.key": ("s3", "ObjectKey"),
    "description": ("cloudformation", "Description"),
}

TEXT_SAMPLES = [
    "",
    "a",
    "A",
    "-",
    "_",
    ".",
    "..",
    ".x",
    "x.",
    "#",
    "/",
    "a/b",
    "/a",
    "a b",
    "a\nb",
    "a\tb",
    "a\rb",
    "\x00",
    "\x7f",
    "é",
    "ü.example.com",
    "*",
    "?",
    "aws:x",
    "AWS:x",
    "Aws:x",
    "x@y",
    "a,b",
    "a;b",
    "a<b",
    "https://",
    "s3://b",
    "s3://bucket/a+b",
    "s3://bucket/a~b",
    "s3://bucket/a%2Fb",
    "s3://bucket//a",
    "s3://bucket/a//",
    "s3://bucket/" + "a" * 1014,
    "s3://bucket/" + "a" * 1015,
    "www.example.com",
    "*.example.com",
    "https://www.example.com/",
    "us-east-1:11111111-2222-3333-4444-555555555555",
    "arn:aws:iam::123456789012:role/r",
    "arn:awsfoo:sns:us-east-1:123456789012:t",
    "rate(5 minutes)",
    "cron(junk)",
    "cron(0 12 * * ? *)",
    "p75",
    "_:-",
    "1" * 510,
] + [
    "x" * n
    for n in (
        19,
        20,
        21,
        54,
        55,
        56,
        63,
        64,
        65,
        127,
        128,
        129,
        253,
        254,
        255,
        256,
        257,
        1024,
        1025,
        1260,
        1261,
        2048,
        2049,
    )
]
NUMBER_SAMPLES = [-1, 0, 1, 2, 3, 0.5, 59, 60, 61, 840, 841, 86_400, 86_401, 10**9, float("inf"), float("nan"), True]


@functools.cache
def shape(service: str, name: str) -> dict:
    from botocore.loaders import Loader

    shapes = Loader().load_service_model(service, "service-2")["shapes"]
    assert name in shapes, f"{service} model has no shape {name}: update API_FIELDS"
    return shapes[name]


def model_accepts(service: str, name: str, value) -> bool:
    spec = shape(service, name)
    kind = spec["type"]
    if kind == "string":
        if not isinstance(value, str) or "enum" in spec and value not in spec["enum"]:
            return False
        if not spec.get("min", 0) <= len(value) <= spec.get("max", len(value)):
            return False
        return "pattern" not in spec or re.search(spec["pattern"], value) is not None
    if kind in ("integer", "long", "double", "float"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            return False
        if kind in ("integer", "long") and not float(value).is_integer():
            return False
        return spec.get("min", value) <= value <= spec.get("max", value) and abs(value) != float("inf")
    if kind in ("list", "map"):
        return spec.get("min", 0) <= len(value) <= spec.get("max", len(value))
    raise AssertionError(f"no sampler for {kind}")


def rule_of(setting: str):
    """The rule a setting declares; ``.key``/``.value``/``.count`` reach into tables and lists."""
    parts = setting.split(".")
    if parts[0] in SECTIONS:
        section, field, rest = SECTIONS[parts[0]], parts[1], parts[2:]
    else:
        from rumcfn.config import Settings

        section, field, rest = Settings, parts[0], parts[1:]
    rule = section.rule(field)
    if rest == ["key"]:
        return rule.key
    if rest == ["value"]:
        return rule.value
    if isinstance(rule, Each) and not rest:
        return rule.item
    return rule


def rumcfn_rejects(rule, value) -> bool:
    try:
        rule.check("x", value)
    except SettingsError as error:
        assert "\n" not in str(error)
        return True
    return False


@pytest.mark.parametrize("setting", sorted(API_FIELDS))
def test_what_the_api_model_rejects_the_setting_rejects(setting):
    service, name = API_FIELDS[setting]
    rule = rule_of(setting)
    if setting.endswith(".count"):
        samples = [
            tuple(["https://www.example.com/"] * n) if "pages" in setting else tuple(["a.example.com"] * n)
            for n in (0, 1, 5, 6, 50, 51)
        ]
        accepted = [s for s in samples if not rumcfn_rejects(rule, s)]
        assert all(model_accepts(service, name, s) for s in accepted), [len(s) for s in accepted]
        return
    spec = shape(service, name)
    samples = NUMBER_SAMPLES if spec["type"] in ("integer", "long", "double") else TEXT_SAMPLES
    if getattr(rule, "optional", False):  # "" means the setting is off: nothing reaches the API
        samples = [v for v in samples if v != ""]
    slipped = [v for v in samples if not model_accepts(service, name, v) and not rumcfn_rejects(rule, v)]
    assert slipped == [], f"{setting} accepts what {service} {name} rejects"


def test_every_setting_declares_a_rule():
    """A field without a rule would take any type or value into the template."""
    from rumcfn.config import Settings

    for section in (*SECTIONS.values(), Settings):
        for f in dataclasses.fields(section):
            assert f.name in SECTIONS or f.metadata.get("rule") is not None, f"{section.__name__}.{f.name}"


def cfn_schema(resource_type: str) -> dict:
    """cfn-lint's bundled CloudFormation resource schema (us-east-1)."""
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    return PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", resource_type).schema


# setting -> (resource type, path to the property's schema) in CloudFormation's resource schemas
SCHEMA_FIELDS = {
    "monitor.name": ("AWS::RUM::AppMonitor", ("properties", "Name")),
    "monitor.domains": ("AWS::RUM::AppMonitor", ("properties", "DomainList", "items")),
    "canary.name": ("AWS::Synthetics::Canary", ("properties", "Name")),
    "script.log_retention_days": ("AWS::Logs::LogGroup", ("properties", "RetentionInDays")),
}


def schema_accepts(spec: dict, value) -> bool:
    if "enum" in spec:
        return value in spec["enum"] and type(value) is type(spec["enum"][0])
    if spec.get("type") == "string" or "pattern" in spec:
        if not isinstance(value, str) or not spec.get("minLength", 0) <= len(value) <= spec.get(
            "maxLength", len(value)
        ):
            return False
        return "pattern" not in spec or re.search(spec["pattern"], value) is not None
    return True


@pytest.mark.parametrize("setting", sorted(SCHEMA_FIELDS))
def test_what_the_resource_schema_rejects_the_setting_rejects(setting):
    resource_type, path = SCHEMA_FIELDS[setting]
    spec = functools.reduce(lambda node, key: node[key], path, cfn_schema(resource_type))
    rule = rule_of(setting)
    samples = TEXT_SAMPLES + NUMBER_SAMPLES + [1, 3, 5, 30, 10, 31, 3653, "*.example", "example.c0m", "a.b"]
    if getattr(rule, "optional", False):  # "" means the setting is off: the property is not written
        samples = [v for v in samples if v != ""]
    slipped = [v for v in samples if not schema_accepts(spec, v) and not rumcfn_rejects(rule, v)]
    assert slipped == [], f"{setting} accepts what the {resource_type} schema rejects"


def test_list_lengths_follow_the_cloudformation_schema():
    """Counts the API models do not carry come from the resource schema cfn-lint ships."""
    schema = cfn_schema("AWS::RUM::AppMonitor")
    domains = schema["properties"]["DomainList"]
    rule = SECTIONS["monitor"].rule("domains")
    assert rule.count == (domains["minItems"], domains["maxItems"])


def test_tag_tables_and_their_limits_come_from_the_tagging_rules():
    rule = SECTIONS["monitor"].rule("tags")
    assert isinstance(rule, Pairs)
    assert rumcfn_rejects(rule, tuple((f"k{i}", "v") for i in range(51)))  # 50 tags per resource
    assert not rumcfn_rejects(rule, tuple((f"k{i}", "v") for i in range(50)))


def test_refs_still_pass_through_every_rule():
    settings = from_mapping({"monitor": {"name": Ref("AppMonitorName")}, "canary": {"name": "c", "tag_key": "site"}})
    assert isinstance(settings.monitor.name, Ref)
