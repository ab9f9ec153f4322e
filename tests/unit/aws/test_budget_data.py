"""The gate's AWS side (:mod:`rumcfn.aws.budget_data`): botocore's Stubber, because moto 5.2's GetMetricData
cannot compute a percentile (it answers HTTP 500), and CloudFormation's answers for a deployed stack."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from rumcfn.aws import budget_data
from rumcfn.aws.errors import AwsError
from rumcfn.config import Budget
from rumcfn.contract import METADATA_KEY, Outputs, Releases, StackMetadata
from rumcfn.errors import CheckFailed, NotEnoughData
from rumcfn.gate import judge
from rumcfn.gate import report as report_formats
from rumcfn.gate.judge import Gate
from rumcfn.gate.target import Target, from_settings

LCP = "WebVitalsLargestContentfulPaint"
RELEASES = "RUM/CustomMetrics/shop/releases"
NOW = datetime(2026, 11, 20, 12, 30, 45, tzinfo=timezone.utc)


def stubbed(service: str):
    import boto3
    from botocore.stub import Stubber

    client = boto3.client(service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    return client, Stubber(client)


def test_p75_over_the_window_with_pagination():
    cloudwatch, stub = stubbed("cloudwatch")
    budgets = StackMetadata.from_template({METADATA_KEY: {"budgets": {
        "lcp": {"metric": LCP, "budget": "2500", "statistic": "p75"},
        "inp": {"metric": "WebVitalsInteractionToNextPaint", "budget": "200", "statistic": "p75"},
    }}}).all_budgets()
    start, end = (
        datetime(2026, 11, 13, 12, 30, tzinfo=timezone.utc),
        datetime(2026, 11, 20, 12, 30, tzinfo=timezone.utc),
    )
    expected = {
        "MetricDataQueries": budget_data.queries("shop", budgets, 7 * 86_400),
        "StartTime": start,
        "EndTime": end,
        "ScanBy": "TimestampDescending",
    }
    assert [q["MetricStat"]["Stat"] for q in expected["MetricDataQueries"]] == ["p75", "SampleCount"] * 2
    assert {q["MetricStat"]["Period"] for q in expected["MetricDataQueries"]} == {604_800}
    assert expected["MetricDataQueries"][0]["MetricStat"]["Metric"] == {
        "Namespace": "AWS/RUM",
        "MetricName": LCP,
        "Dimensions": [{"Name": "application_name", "Value": "shop"}],
    }
    stub.add_response(
        "get_metric_data",
        {
            "MetricDataResults": [
                {"Id": "v0", "Values": [2310.0], "StatusCode": "Complete"},
                {"Id": "n0", "Values": [1200.0], "StatusCode": "Complete"},
            ],
            "NextToken": "page-2",
        },
        expected,
    )
    stub.add_response(
        "get_metric_data",
        {
            "MetricDataResults": [
                {"Id": "v1", "Values": [240.0], "StatusCode": "Complete"},
                {"Id": "n1", "Values": [300.0], "StatusCode": "Complete"},
            ]
        },
        dict(expected, NextToken="page-2"),
    )
    with stub:
        report = budget_data.check(cloudwatch, Target("shop", budgets), Gate(days=7), now=NOW)
    stub.assert_no_pending_responses()
    assert [(r.key, r.value, r.samples, r.status) for r in report.results] == [
        ("lcp", 2310.0, 1200.0, "pass"),
        ("inp", 240.0, 300.0, "FAIL"),
    ]
    assert report.status == "FAIL"
    with pytest.raises(CheckFailed, match=r"inp 240 > 200") as info:
        judge.verdict(report)
    assert info.value.exit_code == 1
    table = report_formats.table(report)
    assert "p75" in table and "2,310 ms" in table and "240 ms" in table


def test_p75_no_values_is_not_enough_data():
    cloudwatch, stub = stubbed("cloudwatch")
    budgets = [Budget("lcp", LCP, 2500, "p90")]
    stub.add_response(
        "get_metric_data",
        {
            "MetricDataResults": [
                {"Id": "v0", "Values": [], "StatusCode": "Complete"},
                {"Id": "n0", "Values": [], "StatusCode": "Complete"},
            ]
        },
    )
    with stub:
        report = budget_data.check(cloudwatch, Target("shop", budgets), Gate(days=1), now=NOW)
    assert report.results[0].status == "no data"
    with pytest.raises(NotEnoughData) as info:
        judge.verdict(report)
    assert info.value.exit_code == 3


def test_api_error_is_one_line():
    cloudwatch, stub = stubbed("cloudwatch")
    stub.add_client_error("get_metric_data", "AccessDenied", "User: arn:aws:iam::1:user/x is not authorized")
    with stub, pytest.raises(AwsError) as info:
        budget_data.check(cloudwatch, Target("shop", [Budget("lcp", LCP, 2500, "p75")]), now=NOW)
    assert str(info.value) == "access denied calling GetMetricData: User: arn:aws:iam::1:user/x is not authorized"


def test_stack_without_output_uses_the_monitor_resource_and_yaml_body():
    cloudformation, stub = stubbed("cloudformation")
    stub.add_response(
        "describe_stacks",
        {"Stacks": [{"StackName": "shop-rum", "CreationTime": NOW, "StackStatus": "CREATE_COMPLETE"}]},
        {"StackName": "shop-rum"},
    )
    body = (
        "Metadata:\n  rumcfn:\n    budgets:\n      lcp: {metric: WebVitalsLargestContentfulPaint, budget: '3000', "
        "statistic: p90}\nResources:\n  Monitor:\n    Type: AWS::RUM::AppMonitor\n    Properties: {Name: shop}\n"
    )
    stub.add_response("get_template", {"TemplateBody": body}, {"StackName": "shop-rum", "TemplateStage": "Original"})
    stub.add_response(
        "describe_stack_resource",
        {
            "StackResourceDetail": {
                "LogicalResourceId": "Monitor",
                "PhysicalResourceId": "shop",
                "ResourceType": "AWS::RUM::AppMonitor",
                "LastUpdatedTimestamp": NOW,
                "ResourceStatus": "CREATE_COMPLETE",
            }
        },
        {"StackName": "shop-rum", "LogicalResourceId": "Monitor"},
    )
    with stub:
        target = budget_data.from_stack(cloudformation, "shop-rum")
    assert target == Target("shop", [Budget("lcp", LCP, 3000.0, "p90")], None)


def test_boto3_is_imported_lazily():
    import subprocess
    import sys

    code = (
        "import sys, rumcfn.cli, rumcfn.aws.budget_data, rumcfn.gate.judge, rumcfn.gate.report, rumcfn.gate.target; "
        "print('boto3' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"


def test_count_budgets_are_queried_at_the_average_vitals_at_the_statistic():
    from rumcfn.config import from_mapping

    settings = from_mapping({"budgets": {"js_errors": 0.5, "http_5xx": 0.1, "inp": "off", "cls": "off"}})
    budgets = from_settings(settings).budgets
    stats = [q["MetricStat"]["Stat"] for q in budget_data.queries("shop", budgets, 86_400) if q["Id"].startswith("v")]
    assert [b.key for b in budgets] == ["lcp", "js_errors", "http_5xx"] and stats == ["p75", "Average", "Average"]


def test_release_queries_read_the_release_metrics_at_the_percentile():
    """Stubber: moto cannot compute percentiles; the request names the custom namespace and release dimension."""
    import boto3
    from botocore.stub import ANY, Stubber

    cloudwatch = boto3.client("cloudwatch", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    stub = Stubber(cloudwatch)
    target = Target(
        "shop",
        [
            Budget("lcp", LCP, 2500, "p75"),
            Budget("js_errors", "JsErrorCountPerPageView", 1, "avg"),
            Budget("lcp", LCP, 3000, "p75", segment="checkout-mobile", dimensions=(("PageId", "/checkout"),)),
        ],
        Releases(RELEASES),
    )
    for release, value in (("r42", 2300.0), ("r41", 1900.0)):
        prefix = "" if release == "r42" else "b"
        expected = {
            "MetricDataQueries": [
                {
                    "Id": f"{prefix}v0",
                    "ReturnData": True,
                    "MetricStat": {
                        "Period": 86_400,
                        "Stat": "p75",
                        "Metric": {
                            "Namespace": RELEASES,
                            "MetricName": LCP,
                            "Dimensions": [{"Name": "ReleaseId", "Value": release}],
                        },
                    },
                },
                {
                    "Id": f"{prefix}n0",
                    "ReturnData": True,
                    "MetricStat": {
                        "Period": 86_400,
                        "Stat": "SampleCount",
                        "Metric": {
                            "Namespace": RELEASES,
                            "MetricName": LCP,
                            "Dimensions": [{"Name": "ReleaseId", "Value": release}],
                        },
                    },
                },
            ],
            "StartTime": ANY,
            "EndTime": ANY,
            "ScanBy": "TimestampDescending",
        }
        stub.add_response(
            "get_metric_data",
            {
                "MetricDataResults": [
                    {"Id": f"{prefix}v0", "Values": [value], "StatusCode": "Complete"},
                    {"Id": f"{prefix}n0", "Values": [500.0], "StatusCode": "Complete"},
                ]
            },
            expected,
        )
    with stub:
        report = budget_data.check(
            cloudwatch,
            target,
            Gate(days=1, release="r42", against="r41"),
            now=datetime(2026, 11, 20, 12, tzinfo=timezone.utc),
        )
    stub.assert_no_pending_responses()
    ((row),) = report.results
    assert (row.key, row.value, row.baseline, row.status) == ("lcp", 2300.0, 1900.0, "FAIL")


def test_more_than_500_metrics_are_asked_for_in_several_requests():
    import boto3
    from botocore.stub import Stubber

    cloudwatch = boto3.client("cloudwatch", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    stub = Stubber(cloudwatch)
    budgets = [Budget("lcp", LCP, 3000, "p75", segment=f"p{i}", dimensions=(("PageId", f"/p{i}"),)) for i in range(300)]
    sizes = []
    for first, last in ((0, 250), (250, 300)):
        stub.add_response(
            "get_metric_data",
            {
                "MetricDataResults": [
                    {"Id": f"{kind}{i}", "Values": [1000.0], "StatusCode": "Complete"}
                    for i in range(first, last)
                    for kind in "vn"
                ]
            },
        )
        sizes.append((last - first) * 2)
    with stub:
        report = budget_data.check(cloudwatch, Target("shop", budgets), Gate(days=1))
    stub.assert_no_pending_responses()
    assert sizes == [500, 100] and {r.status for r in report.results} == {"pass"}


# --- a stack whose Metadata.rumcfn is not what rumcfn writes: one line, exit 1 --------------------------


@pytest.mark.parametrize("metadata,says", [
    ({METADATA_KEY: "budgets"}, "not a mapping"),
    ({METADATA_KEY: {"budgets": "lcp"}}, "budgets is not a mapping"),
    ({METADATA_KEY: {"budgets": {"lcp": "2500"}}}, "budget 'lcp'"),
    ({METADATA_KEY: {"budgets": {"lcp": {"metric": LCP, "budget": "fast"}}}}, "budget 'lcp'"),
    ({METADATA_KEY: {"budgets": {"lcp": {"metric": LCP, "budget": "1", "level": "loud"}}}}, "level must be one of"),
    ({METADATA_KEY: {"budgets": {}, "segments": 5}}, "segments is not a list"),
    ({METADATA_KEY: {"budgets": {}, "segments": [{"name": "a"}]}}, "needs a name and dimensions"),
    ({METADATA_KEY: {"budgets": {}, "segments": [{"name": "a", "dimensions": {"PageId": "/"}, "budgets": "x"}]}},
     "segment a budgets"),
    ({METADATA_KEY: {"budgets": {}, "releases": "ns"}}, "releases needs a namespace"),
    ({METADATA_KEY: {"budgets": {}, "releases": {"dimension": "ReleaseId"}}}, "releases needs a namespace"),
    ([METADATA_KEY], "Metadata is not a mapping"),
])
def test_malformed_stack_metadata_is_one_line_exit_1(aws_env, tmp_path, monkeypatch, capsys, metadata, says):
    import json

    from rumcfn.cli import run
    from tests.support.aws import boto_client

    monkeypatch.chdir(tmp_path)
    template = {"Metadata": metadata, "Outputs": {Outputs.APP_MONITOR_NAME: {"Value": "shop"}},
                "Resources": {"Logs": {"Type": "AWS::Logs::LogGroup"}}}
    boto_client("cloudformation", aws_env).create_stack(StackName="odd", TemplateBody=json.dumps(template))
    code = run(["budgets", "check", "--stack-name", "odd"])
    out, err = capsys.readouterr()
    assert code == 1 and out == "" and err.count("\n") == 1, err
    assert err.startswith("rumcfn: error: stack odd: malformed Metadata.rumcfn:") and says in err, err
