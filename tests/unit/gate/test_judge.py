"""``rumcfn budgets check`` judged end to end: against moto's CloudWatch (server mode) where moto can compute
the statistic (Average/Maximum/Minimum). Percentiles, which moto cannot compute, are in
tests/unit/aws/test_budget_data.py."""

from __future__ import annotations

import json

import pytest

from rumcfn.cli import run
from tests.support.moto_data import put_samples, stack_with_budgets

LCP = "WebVitalsLargestContentfulPaint"
CLS = "WebVitalsCumulativeLayoutShift"


def gate(capsys, *args: str) -> tuple[int, str, str]:
    """The gate's exit code, stdout and stderr; stderr without the note naming a ./rumcfn.toml it found (which must
    come first when there is one: see test_site_settings.py)."""
    from pathlib import Path

    code = run(["budgets", "check", *args])
    out, err = capsys.readouterr()
    found = f"rumcfn: settings from {Path('rumcfn.toml').resolve()} (found in the working directory)\n"
    if Path("rumcfn.toml").is_file() and "--config" not in args and "--stack-name" not in args:
        assert found in err, err
        err = err.replace(found, "")
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
    code, out, err = gate(capsys, "--monitor.name", "shop")
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
    code, out, err = gate(capsys, "--monitor.name", "shop")
    assert code == 1
    assert "FAIL" in next(line for line in out.splitlines() if line.startswith("lcp"))
    assert err.count("\n") == 1 and err.startswith("rumcfn: error: shop: 1 of 2 budget(s) broken (lcp 3,200 > 2,500)")


def test_budget_flags_override_the_file(aws_env, avg_config, capsys):
    put_samples(aws_env, "shop", LCP, [3000])
    put_samples(aws_env, "shop", CLS, [0.01])
    code, _, err = gate(capsys, "--monitor.name", "shop", "--budgets.lcp", "3500")
    assert code == 0, err


def test_not_enough_data_exits_3(aws_env, avg_config, capsys):
    put_samples(aws_env, "shop", LCP, [1000])
    code, out, err = gate(capsys, "--monitor.name", "shop")
    assert code == 3
    assert "no data" in next(line for line in out.splitlines() if line.startswith("cls"))
    assert err == "rumcfn: error: shop: not enough data in the last 7 day(s) for cls\n"


def test_min_samples(aws_env, avg_config, capsys):
    put_samples(aws_env, "shop", LCP, [1000, 1100])
    put_samples(aws_env, "shop", CLS, [0.01, 0.02])
    assert gate(capsys, "--monitor.name", "shop", "--min-samples", "3")[0] == 3
    assert gate(capsys, "--monitor.name", "shop", "--min-samples", "2")[0] == 0


def test_broken_wins_over_missing(aws_env, avg_config, capsys):
    put_samples(aws_env, "shop", LCP, [9000])
    assert gate(capsys, "--monitor.name", "shop")[0] == 1


def test_other_monitors_data_does_not_count(aws_env, avg_config, capsys):
    put_samples(aws_env, "other-site", LCP, [9000])
    put_samples(aws_env, "other-site", CLS, [0.9])
    assert gate(capsys, "--monitor.name", "shop")[0] == 3


def test_samples_outside_the_window_do_not_count(aws_env, avg_config, capsys):
    put_samples(aws_env, "shop", LCP, [9000], hours_ago=50)
    put_samples(aws_env, "shop", CLS, [0.01])
    put_samples(aws_env, "shop", LCP, [1000])
    assert gate(capsys, "--monitor.name", "shop", "--days", "1")[0] == 0
    assert gate(capsys, "--monitor.name", "shop", "--days", "3")[0] == 1


def test_json_format(aws_env, avg_config, capsys):
    put_samples(aws_env, "shop", LCP, [2000])
    put_samples(aws_env, "shop", CLS, [0.5])
    code, out, _ = gate(capsys, "--monitor.name", "shop", "--format", "json", "--days", "2")
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
    code, out, err = gate(capsys, "--monitor.name", "shop")
    assert code == 1 and out == "" and err.count("\n") == 1 and "cannot reach the AWS endpoint" in err


def test_needs_a_stack_or_a_monitor(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, _, err = gate(capsys)
    assert code == 2 and "--stack-name" in err
    code, _, err = gate(capsys, "--stack-name", "a", "--monitor.name", "b")
    assert code == 2 and "--monitor.name does not apply with --stack-name" in err


def test_all_budgets_off_exits_3(aws_env, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, _, err = gate(capsys, "--monitor.name", "shop", "--budgets.lcp", "off", "--budgets.cls", "off",
                        "--budgets.inp", "off")
    assert code == 3 and "no budgets" in err


# --- percentiles: botocore Stubber ----------------------------------------------------------------
