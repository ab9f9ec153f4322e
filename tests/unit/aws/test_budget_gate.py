"""``rumcfn budgets check``: against moto's CloudWatch (server mode) where moto can compute the
statistic (Average/Maximum/Minimum), and with botocore's Stubber for percentiles, which moto 5.2's
GetMetricData cannot compute (it answers HTTP 500)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from rumcfn.aws import budget_gate as bc
from rumcfn.aws import budget_report as report_formats
from rumcfn.aws import budget_sources as sources
from rumcfn.aws.budget_gate import Gate
from rumcfn.aws.budget_sources import Target
from rumcfn.aws.errors import AwsError
from rumcfn.cli import run
from rumcfn.config import Budget
from tests.support.moto_data import put_samples, stack_with_budgets

LCP = "WebVitalsLargestContentfulPaint"
CLS = "WebVitalsCumulativeLayoutShift"


def gate(capsys, *args: str) -> tuple[int, str, str]:
    code = run(["budgets", "check", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def avg_config(tmp_path, monkeypatch):
    """A settings file whose budgets use the average (which moto can compute)."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "rumcfn.toml"
    path.write_text('[monitor]\nname = "shop"\n\n[budgets]\nlcp = 2500\ncls = 0.1\ninp = "off"\nstatistic = "avg"\n')
    return path


# --- against moto ---------------------------------------------------------------------------------


def test_all_budgets_met_exits_0(aws_env, avg_config, capsys):
    put_samples(aws_env, "shop", LCP, [1800, 2200, 2000])
    put_samples(aws_env, "shop", CLS, [0.02, 0.05])
    code, out, err = gate(capsys, "--app-monitor-name", "shop")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["vital", "metric", "statistic", "value", "budget", "samples", "result"]
    assert lines[1].split()[:3] == ["lcp", LCP, "avg"] and "2,000 ms" in lines[1] and lines[1].endswith("pass")
    assert lines[2].split()[0] == "cls" and "0.035" in lines[2] and lines[2].endswith("pass")
    assert "shop: pass for the site over the last 7 day(s)" in lines[-1]
    assert err == ""


def test_broken_budget_exits_1_with_one_line(aws_env, avg_config, capsys):
    put_samples(aws_env, "shop", LCP, [3000, 3400])
    put_samples(aws_env, "shop", CLS, [0.01])
    code, out, err = gate(capsys, "--app-monitor-name", "shop")
    assert code == 1
    assert "FAIL" in next(line for line in out.splitlines() if line.startswith("lcp"))
    assert err.count("\n") == 1 and err.startswith("rumcfn: error: shop: 1 of 2 budget(s) broken (lcp 3,200 > 2,500)")


def test_budget_flags_override_the_file(aws_env, avg_config, capsys):
    put_samples(aws_env, "shop", LCP, [3000])
    put_samples(aws_env, "shop", CLS, [0.01])
    code, _, err = gate(capsys, "--app-monitor-name", "shop", "--budget", "lcp=3500")
    assert code == 0, err


def test_not_enough_data_exits_3(aws_env, avg_config, capsys):
    put_samples(aws_env, "shop", LCP, [1000])
    code, out, err = gate(capsys, "--app-monitor-name", "shop")
    assert code == 3
    assert "no data" in next(line for line in out.splitlines() if line.startswith("cls"))
    assert err == "rumcfn: error: shop: not enough data in the last 7 day(s) for cls\n"


def test_min_samples(aws_env, avg_config, capsys):
    put_samples(aws_env, "shop", LCP, [1000, 1100])
    put_samples(aws_env, "shop", CLS, [0.01, 0.02])
    assert gate(capsys, "--app-monitor-name", "shop", "--min-samples", "3")[0] == 3
    assert gate(capsys, "--app-monitor-name", "shop", "--min-samples", "2")[0] == 0


def test_broken_wins_over_missing(aws_env, avg_config, capsys):
    put_samples(aws_env, "shop", LCP, [9000])
    assert gate(capsys, "--app-monitor-name", "shop")[0] == 1


def test_other_monitors_data_does_not_count(aws_env, avg_config, capsys):
    put_samples(aws_env, "other-site", LCP, [9000])
    put_samples(aws_env, "other-site", CLS, [0.9])
    assert gate(capsys, "--app-monitor-name", "shop")[0] == 3


def test_samples_outside_the_window_do_not_count(aws_env, avg_config, capsys):
    put_samples(aws_env, "shop", LCP, [9000], hours_ago=50)
    put_samples(aws_env, "shop", CLS, [0.01])
    put_samples(aws_env, "shop", LCP, [1000])
    assert gate(capsys, "--app-monitor-name", "shop", "--days", "1")[0] == 0
    assert gate(capsys, "--app-monitor-name", "shop", "--days", "3")[0] == 1


def test_json_format(aws_env, avg_config, capsys):
    put_samples(aws_env, "shop", LCP, [2000])
    put_samples(aws_env, "shop", CLS, [0.5])
    code, out, _ = gate(capsys, "--app-monitor-name", "shop", "--format", "json", "--days", "2")
    assert code == 1
    data = json.loads(out)
    assert data["app_monitor"] == "shop" and data["days"] == 2 and data["status"] == "fail"
    assert [(b["key"], b["status"], b["value"], b["budget"]) for b in data["budgets"]] == [
        ("lcp", "pass", 2000.0, 2500.0), ("cls", "fail", 0.5, 0.1)]


def test_stack_name_reads_budgets_from_template_metadata(aws_env, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    stack_with_budgets(aws_env, "shop-rum", "shop", {
        "lcp": {"metric": LCP, "budget": "2500", "statistic": "max"},
        "cls": {"metric": CLS, "budget": "0.1", "statistic": "max"},
    })
    put_samples(aws_env, "shop", LCP, [2400, 2600])
    put_samples(aws_env, "shop", CLS, [0.05])
    code, out, err = gate(capsys, "--stack-name", "shop-rum")
    assert code == 1
    assert "lcp 2,600 > 2,500" in err
    assert out.splitlines()[-1].startswith("shop: FAIL")


def test_explicit_endpoint_url_and_region(aws_env, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    stack_with_budgets(aws_env, "s", "shop", {"lcp": {"metric": LCP, "budget": "2500", "statistic": "min"}})
    put_samples(aws_env, "shop", LCP, [1000, 5000])
    code, _, err = gate(capsys, "--stack-name", "s", "--endpoint-url", aws_env, "--region", "us-east-1")
    assert code == 0, err


def test_missing_stack_is_one_line(aws_env, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, out, err = gate(capsys, "--stack-name", "no-such-stack")
    assert code == 1 and out == ""
    assert err == "rumcfn: error: stack no-such-stack does not exist in this account and region\n"


def test_no_credentials_is_one_line(aws_env, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    code, out, err = gate(capsys, "--stack-name", "shop-rum")
    assert code == 1 and out == ""
    assert err.startswith("rumcfn: error: no AWS credentials found") and err.count("\n") == 1


def test_unknown_profile_is_one_line(aws_env, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, _, err = gate(capsys, "--stack-name", "s", "--profile", "nope")
    assert code == 2 and err.count("\n") == 1 and "'nope'" in err


def test_no_region_is_one_line(aws_env, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    code, _, err = gate(capsys, "--stack-name", "s")
    assert code == 2 and err.startswith("rumcfn: error: no AWS region") and err.count("\n") == 1


def test_api_errors_on_the_cli_are_one_line(aws_env, avg_config, capsys, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens on the discard port
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    code, out, err = gate(capsys, "--app-monitor-name", "shop")
    assert code == 1 and out == "" and err.count("\n") == 1 and "cannot reach the AWS endpoint" in err


def test_needs_a_stack_or_a_monitor(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, _, err = gate(capsys)
    assert code == 2 and "--stack-name" in err
    code, _, err = gate(capsys, "--stack-name", "a", "--app-monitor-name", "b")
    assert code == 2 and "not both" in err


def test_all_budgets_off_exits_3(aws_env, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, _, err = gate(capsys, "--app-monitor-name", "shop", "--budget", "lcp=off", "--budget", "cls=off",
                        "--budget", "inp=off")
    assert code == 3 and "no budgets" in err


# --- percentiles: botocore Stubber ----------------------------------------------------------------


NOW = datetime(2026, 11, 20, 12, 30, 45, tzinfo=timezone.utc)


def stubbed(service: str):
    import boto3
    from botocore.stub import Stubber

    client = boto3.client(service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    return client, Stubber(client)


def test_p75_over_the_window_with_pagination():
    cloudwatch, stub = stubbed("cloudwatch")
    budgets = sources.budgets_from_metadata({"rumcfn": {"budgets": {
        "lcp": {"metric": LCP, "budget": "2500", "statistic": "p75"},
        "inp": {"metric": "WebVitalsInteractionToNextPaint", "budget": "200", "statistic": "p75"},
    }}})
    start, end = (
        datetime(2026, 11, 13, 12, 30, tzinfo=timezone.utc),
        datetime(2026, 11, 20, 12, 30, tzinfo=timezone.utc),
    )
    expected = {
        "MetricDataQueries": bc.queries("shop", budgets, 7 * 86_400),
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
        report = bc.check(cloudwatch, Target("shop", budgets), Gate(days=7), now=NOW)
    stub.assert_no_pending_responses()
    assert [(r.key, r.value, r.samples, r.status) for r in report.results] == [
        ("lcp", 2310.0, 1200.0, "pass"),
        ("inp", 240.0, 300.0, "FAIL"),
    ]
    assert report.status == "FAIL"
    with pytest.raises(bc.BudgetsBroken, match=r"inp 240 > 200") as info:
        bc.verdict(report)
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
        report = bc.check(cloudwatch, Target("shop", budgets), Gate(days=1), now=NOW)
    assert report.results[0].status == "no data"
    with pytest.raises(bc.NotEnoughData) as info:
        bc.verdict(report)
    assert info.value.exit_code == 3


def test_api_error_is_one_line():
    cloudwatch, stub = stubbed("cloudwatch")
    stub.add_client_error("get_metric_data", "AccessDenied", "User: arn:aws:iam::1:user/x is not authorized")
    with stub, pytest.raises(AwsError) as info:
        bc.check(cloudwatch, Target("shop", [Budget("lcp", LCP, 2500, "p75")]), now=NOW)
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
        target = sources.from_stack(cloudformation, "shop-rum")
    assert target == Target("shop", [Budget("lcp", LCP, 3000.0, "p90")], None)


def test_budgets_from_settings_match_the_template_metadata():
    from rumcfn.config import Settings
    from rumcfn.stack.assemble import build_template
    from rumcfn.template.output import to_json

    settings = Settings()
    metadata = json.loads(to_json(build_template(settings)))["Metadata"]
    assert sources.budgets_from_settings(settings) == sources.budgets_from_metadata(metadata)
    assert [b.key for b in sources.budgets_from_settings(settings)] == ["lcp", "cls", "inp"]


def test_count_budgets_are_queried_at_the_average_vitals_at_the_statistic():
    from rumcfn.config import from_mapping

    settings = from_mapping({"budgets": {"js_errors": 0.5, "http_5xx": 0.1, "inp": "off", "cls": "off"}})
    budgets = sources.budgets_from_settings(settings)
    stats = [q["MetricStat"]["Stat"] for q in bc.queries("shop", budgets, 86_400) if q["Id"].startswith("v")]
    assert [b.key for b in budgets] == ["lcp", "js_errors", "http_5xx"] and stats == ["p75", "Average", "Average"]
