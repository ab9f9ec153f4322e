"""The facts rumcfn types by hand, held against AWS's own data shipped in botocore and cfn-lint."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from botocore.loaders import Loader

from rumcfn import facts


def rum_shapes() -> dict:
    return Loader().load_service_model("rum", "service-2")["shapes"]


def botocore_partitions() -> list[dict]:
    return Loader().load_data("partitions")["partitions"]


def botocore_partition_of(region: str) -> dict:
    """botocore's own answer: the endpoint rules' ``aws.partition`` function over its partitions.json."""
    from botocore.endpoint_provider import RuleSetStandardLibrary

    return RuleSetStandardLibrary(Loader().load_data("partitions")).aws_partition(region)


def every_region() -> list[str]:
    return [r for p in botocore_partitions() for r in p["regions"] if not r.endswith("-global")]


def test_partitions_are_botocores():
    assert facts.partition_names() == tuple(p["id"] for p in botocore_partitions())
    assert {p.name: p.dns_suffix for p in facts.partitions().values()} == {
        p["id"]: p["outputs"]["dnsSuffix"] for p in botocore_partitions()}
    assert {"aws-eusc", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f"} <= set(facts.partition_names())


@pytest.mark.parametrize("region", every_region())
def test_every_region_botocore_lists_is_placed_and_suffixed_as_botocore_does(region):
    expected = botocore_partition_of(region)
    assert facts.partition_of(region).name == expected["name"]
    assert facts.url_suffix(region) == expected["dnsSuffix"]
    assert facts.partition_suffix(expected["name"]) == expected["dnsSuffix"]
    assert region in facts.regions(expected["name"])


@pytest.mark.parametrize("region, suffix", [
    ("eusc-de-east-1", "amazonaws.eu"), ("us-iso-east-1", "c2s.ic.gov"), ("us-isob-east-1", "sc2s.sgov.gov"),
    ("cn-northwest-1", "amazonaws.com.cn"), ("us-gov-east-1", "amazonaws.com"), ("eu-west-1", "amazonaws.com"),
])
def test_the_suffixes_the_issue_names(region, suffix):
    assert facts.url_suffix(region) == suffix


@pytest.mark.parametrize("value", ["xx-fake-9", "aws-global", "eu-west-1\n", "eu-w\u00e9st-1", "EU-WEST-1", "", "../x"])
def test_what_no_partition_holds(value):
    """Not a Region: botocore's endpoint aliases (aws-global), non-ASCII, a trailing newline, unknown prefixes."""
    assert facts.partition_of(value) is None and not facts.is_region(value)
    assert facts.url_suffix(value) == botocore_partition_of("xx-fake-9")["dnsSuffix"]  # botocore's fallback: aws
    assert facts.offered(value) is None


@pytest.mark.parametrize("region", ["us-east-1", "cn-north-1", "eusc-de-east-1", "us-isof-south-1"])
def test_offered_types_are_cfn_lints(region):
    """cfn-lint's own answer, less the SAM transform's types it merges in from sam.json (not CloudFormation's)."""
    from cfnlint.schema.manager import PROVIDER_SCHEMA_MANAGER

    types = PROVIDER_SCHEMA_MANAGER.get_resource_types(region)
    assert facts.offered(region) == frozenset(t for t in types if not t.startswith("AWS::Serverless::"))


def test_a_region_cfn_lint_has_no_data_for_is_unknown_not_empty():
    from cfnlint.helpers import REGIONS

    missing = [r for r in every_region() if r not in REGIONS]
    assert missing and all(facts.offered(r) is None and facts.offers(r, "AWS::S3::Bucket") is None for r in missing)


def test_reading_the_facts_imports_neither_botocore_nor_cfn_lint():
    code = ("import sys; from rumcfn import facts; facts.url_suffix('eusc-de-east-1'); facts.offered('us-east-1');"
            "from rumcfn.config.formats import REGION; REGION.check('--region', 'us-iso-east-1');"
            "print(sorted(m for m in ('botocore', 'boto3', 'cfnlint') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[]"


def test_telemetries_are_the_rum_apis():
    assert set(facts.TELEMETRIES) == set(rum_shapes()["Telemetry"]["enum"])


def test_extended_dimensions_are_the_ones_the_rum_api_documents():
    """MetricDefinitionRequest.DimensionKeys lists the valid entries for extended metrics."""
    doc = rum_shapes()["MetricDefinitionRequest"]["members"]["DimensionKeys"]["documentation"]
    documented = dict(re.findall(r'"([a-z_]+\.[A-Za-z]+)":\s*"([A-Za-z]+)"', doc))
    assert documented and {v: k for k, v in documented.items()} == facts.EXTENDED_DIMENSIONS


def test_log_retention_days_are_what_cloudformation_accepts():
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", "AWS::Logs::LogGroup").schema
    assert list(facts.LOG_RETENTION_DAYS) == sorted(schema["properties"]["RetentionInDays"]["enum"])


def test_statistic_spellings():
    assert [facts.cloudwatch_statistic(s) for s in ("p75", "p99.9", "avg", "max", "min", "Average")] == [
        "p75", "p99.9", "Average", "Maximum", "Minimum", "Average"]


def shape(service: str, name: str) -> dict:
    return Loader().load_service_model(service, "service-2")["shapes"][name]


def test_limits_are_the_models():
    assert shape("cloudwatch", "AlarmDescription")["max"] == facts.ALARM_DESCRIPTION_MAX
    assert shape("cloudformation", "Description")["max"] == facts.TEMPLATE_DESCRIPTION_BYTES


def test_the_lab_namespace_and_units_are_put_metric_datas():
    namespace = shape("cloudwatch", "Namespace")
    assert namespace["max"] == facts.MAX_NAMESPACE and re.fullmatch(namespace["pattern"], facts.LAB_NAMESPACE_PREFIX)
    assert {m.unit for m in facts.LAB_METRICS.values()} <= set(shape("cloudwatch", "StandardUnit")["enum"])
    assert all(shape("cloudwatch", "MetricName")["max"] >= len(m.metric) for m in facts.LAB_METRICS.values())


def test_lambda_timeout_is_the_one_cloudformation_documents():
    """cfn-lint's AWS::Lambda::Function schema: "the maximum allowed value is 900 seconds" (its own maximum, 5,400,
    is for Lambda Managed Instances only)."""
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    timeout = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", "AWS::Lambda::Function").schema[
        "properties"]["Timeout"]
    assert f"maximum allowed value is {facts.LAMBDA_MAX_TIMEOUT} seconds" in timeout["description"]
    assert facts.LAMBDA_MAX_TIMEOUT <= timeout["maximum"]


def test_service_principals_are_global():
    assert [facts.service_principal(s) for s in ("lambda", "rum")] == ["lambda.amazonaws.com", "rum.amazonaws.com"]
