"""The gate over segments, releases and baselines: against moto's CloudWatch (server mode) with metric data put
there per segment and per release, as RUM publishes them; botocore's Stubber where a percentile is needed."""

from __future__ import annotations

import json

import pytest

from rumcfn.cli import run
from rumcfn.config import from_mapping
from rumcfn.contract import METADATA_KEY
from tests.support.moto_data import put_samples, stack_with_budgets
from tests.support.variants import SEGMENTS, template_dict

LCP, CLS, INP = "WebVitalsLargestContentfulPaint", "WebVitalsCumulativeLayoutShift", "WebVitalsInteractionToNextPaint"
CHECKOUT = {"PageId": "/checkout", "DeviceType": "mobile"}
HOME = {"PageId": "/", "DeviceType": "desktop"}
RELEASES = "RUM/CustomMetrics/shop/releases"


def gate(capsys, *args: str) -> tuple[int, dict, str]:
    code = run(["budgets", "check", "--format", "json", *args])
    out, err = capsys.readouterr()
    return code, json.loads(out) if out else {}, err


def rows(report: dict) -> dict[tuple[str, str], dict]:
    return {(row["segment"], row["key"]): row for row in report["budgets"]}


@pytest.fixture
def shop(aws_env, tmp_path, monkeypatch):
    """The segments variant's stack (its real metadata, judged at the average, which moto computes)."""
    monkeypatch.chdir(tmp_path)
    settings = from_mapping({**SEGMENTS, "budgets": {**SEGMENTS["budgets"], "statistic": "avg"}})
    meta = template_dict(settings)["Metadata"][METADATA_KEY]
    stack_with_budgets(aws_env, "shop-rum", "shop", meta["budgets"],
                       metadata={"segments": meta["segments"], "releases": meta["releases"]})
    return aws_env


def site_ok(url: str) -> None:
    put_samples(url, "shop", LCP, [2000, 2100])
    put_samples(url, "shop", CLS, [0.05])
    put_samples(url, "shop", INP, [150])


def segments_ok(url: str) -> None:
    put_samples(url, "shop", LCP, [2500], dimensions=CHECKOUT)
    put_samples(url, "shop", CLS, [0.1], dimensions=CHECKOUT)
    put_samples(url, "shop", INP, [250], dimensions=CHECKOUT)
    put_samples(url, "shop", LCP, [1500], dimensions=HOME)
    put_samples(url, "shop", LCP, [2000], dimensions={"DeviceType": "tablet"})
    put_samples(url, "shop", "PerformanceNavigationDuration", [3000], dimensions={"CountryCode": "DE"})


def test_a_segment_over_its_budget_fails_while_the_site_passes(shop, capsys):
    site_ok(shop)
    segments_ok(shop)
    put_samples(shop, "shop", LCP, [3600, 3800], hours_ago=3, dimensions=CHECKOUT)  # mobile /checkout: avg 3,300
    code, report, err = gate(capsys, "--stack-name", "shop-rum")
    assert code == 1, err
    found = rows(report)
    assert found[("checkout-mobile", "lcp")]["status"] == "fail" and found[("checkout-mobile", "lcp")]["value"] == 3300
    assert found[("checkout-mobile", "lcp")]["dimensions"] == CHECKOUT
    assert (
        found[("", "lcp")]["status"] == "pass" and found[("", "lcp")]["value"] == 2050
    )  # segment data is not the site's
    assert all(row["status"] == "pass" for key, row in found.items() if key != ("checkout-mobile", "lcp"))
    assert err == "rumcfn: error: shop: 1 of 9 budget(s) broken (checkout-mobile lcp 3,300 > 3,000)\n"


def test_a_broken_warn_budget_shows_but_does_not_fail(shop, capsys):
    site_ok(shop)
    segments_ok(shop)
    put_samples(shop, "shop", LCP, [2600], hours_ago=3, dimensions=HOME)  # home-desktop (warn): avg 2,050 > 2,000
    put_samples(shop, "shop", INP, [400, 400], hours_ago=3)  # the site's inp (warn): avg 316
    code, report, err = gate(capsys, "--stack-name", "shop-rum")
    assert code == 0, err
    found = rows(report)
    assert (found[("home-desktop", "lcp")]["status"], found[("home-desktop", "lcp")]["level"]) == ("warn", "warn")
    assert found[("", "inp")]["status"] == "warn" and report["status"] == "pass"


def test_missing_data_of_a_warn_budget_does_not_make_the_gate_undecided(shop, capsys):
    site_ok(shop)
    segments_ok(shop)
    code, report, _ = gate(capsys, "--stack-name", "shop-rum", "--min-samples", "2")
    assert code == 3  # fail-level budgets with one sample
    missing = {key for key, row in rows(report).items() if row["status"] == "no-data"}
    assert ("home-desktop", "lcp") in missing and ("", "lcp") not in missing


def release_samples(url: str, release: str, lcp, inp=(150,), cls=(0.05,)) -> None:
    for metric, values in ((LCP, lcp), (INP, inp), (CLS, cls)):
        put_samples(url, None, metric, values, namespace=RELEASES, dimensions={"ReleaseId": release})


def test_a_release_that_made_real_users_slower_fails(shop, capsys):
    release_samples(shop, "r41", [1800, 2000])
    release_samples(shop, "r42", [2200, 2400])  # +21%, under the 2,500 ms budget
    code, report, err = gate(capsys, "--stack-name", "shop-rum", "--release-id", "r42", "--against", "r41")
    assert code == 1
    lcp = rows(report)[("", "lcp")]
    assert (lcp["value"], lcp["baseline"], round(lcp["change"], 3), lcp["status"]) == (2300, 1900, 0.211, "fail")
    assert report["release"] == "r42" and report["against"] == "r41" and report["max_regression"] == 0.1
    assert set(rows(report)) == {("", "lcp"), ("", "cls"), ("", "inp")}  # releases are site-wide
    assert err == "rumcfn: error: shop: 1 of 3 budget(s) broken (lcp +21.1% against r41 (more than 10%))\n"
    code, _, err = gate(
        capsys, "--stack-name", "shop-rum", "--release-id", "r42", "--against", "r41", "--max-regression", "25%"
    )
    assert code == 0, err


def test_a_release_is_judged_by_its_own_data_only(shop, capsys):
    release_samples(shop, "r42", [2200, 2400])
    release_samples(shop, "r43", [3000, 3200])
    code, report, _ = gate(capsys, "--stack-name", "shop-rum", "--release-id", "r42")
    assert code == 0 and rows(report)[("", "lcp")]["value"] == 2300 and rows(report)[("", "lcp")]["baseline"] is None
    code, report, _ = gate(capsys, "--stack-name", "shop-rum", "--release-id", "r43")
    assert code == 1 and rows(report)[("", "lcp")]["value"] == 3100


def test_too_few_samples_on_either_side_is_not_enough_data(shop, capsys):
    release_samples(shop, "r41", [1800])
    release_samples(shop, "r42", [1850, 1900], inp=(150, 160), cls=(0.05, 0.06))
    code, report, err = gate(
        capsys, "--stack-name", "shop-rum", "--release-id", "r42", "--against", "r41", "--min-samples", "2"
    )
    assert code == 3, err
    assert rows(report)[("", "lcp")]["reason"] == "r41: 1 sample(s), 2 needed"
    assert gate(capsys, "--stack-name", "shop-rum", "--release-id", "r42", "--against", "r41")[0] == 0


def test_baseline_previous_compares_the_window_with_the_one_before(shop, capsys):
    site_ok(shop)
    segments_ok(shop)
    for metric, values, dims in (
        (LCP, [1500, 1500], None),
        (CLS, [0.05], None),
        (INP, [150], None),
        (LCP, [2500], CHECKOUT),
        (CLS, [0.1], CHECKOUT),
        (INP, [250], CHECKOUT),
        (LCP, [1500], HOME),
        (LCP, [2000], {"DeviceType": "tablet"}),
        ("PerformanceNavigationDuration", [3000], {"CountryCode": "DE"}),
    ):
        put_samples(shop, "shop", metric, values, hours_ago=24 + 5, dimensions=dims)  # the day before
    code, report, err = gate(capsys, "--stack-name", "shop-rum", "--days", "1", "--baseline", "previous")
    assert code == 1
    lcp = rows(report)[("", "lcp")]
    assert (lcp["value"], lcp["baseline"], lcp["status"]) == (2050, 1500, "fail")
    assert rows(report)[("checkout-mobile", "lcp")]["change"] == 0 and report["baseline"] == "previous"
    assert "lcp +36.7% against the 1 day(s) before (more than 10%)" in err


@pytest.mark.parametrize(
    "args, message",
    [
        (("--against", "r1"), "--against compares two releases: give --release-id too"),
        (
            ("--release-id", "r2", "--baseline", "previous"),
            "--baseline previous compares windows; with --release-id, compare with --against RELEASE",
        ),
        (("--max-regression", "ten"), "--max-regression must be a percentage such as 10%, but got 'ten'"),
    ],
)
def test_usage_errors_are_one_line(aws_env, tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    code = run(["budgets", "check", "--monitor.name", "shop", *args])
    _, err = capsys.readouterr()
    assert code == 2 and err == f"rumcfn: error: {message}\n"


def test_a_release_of_a_stack_without_release_metrics_is_a_usage_error(aws_env, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    stack_with_budgets(aws_env, "s", "shop", {"lcp": {"metric": LCP, "budget": "2500", "statistic": "avg"}})
    code = run(["budgets", "check", "--stack-name", "s", "--release-id", "r1"])
    assert code == 2 and "publishes no per-release metrics (set budgets.release_namespace)" in capsys.readouterr().err
