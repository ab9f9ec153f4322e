"""The facts rumcfn types by hand, held against AWS's own data shipped in botocore and cfn-lint."""

from __future__ import annotations

import re

from botocore.loaders import Loader

from rumcfn import facts


def rum_shapes() -> dict:
    return Loader().load_service_model("rum", "service-2")["shapes"]


def test_every_partition_botocore_knows_is_one_rumcfn_accepts():
    known = {partition["id"] for partition in Loader().load_data("partitions")["partitions"]}
    assert known <= set(facts.PARTITIONS)


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
