"""The lab gate's judgement without a browser: which budget applies to which page on which profile, the statistic
over the runs, what cannot be measured, and the field gate's verdicts."""

from __future__ import annotations

import pytest

from rumcfn.config import from_mapping
from rumcfn.config.budgets import summarize
from rumcfn.doctor import lab_gate
from rumcfn.doctor.lab import PROFILES, Run
from rumcfn.errors import CheckFailed, NotEnoughData
from rumcfn.gate.judge import FAIL, NO_DATA, PASS, verdict
from rumcfn.gate.target import from_settings

SETTINGS = from_mapping({
    "snippet": {"routes": ["/products/:id"]},
    "budgets": {"lcp": 2500, "cls": 0.1, "inp": 200, "js_errors": 0.5, "segments": [
        {"page": "/products/:id", "device": "desktop", "lcp": 1000},
        {"page": "/checkout", "lcp": 3000},
        {"device": "tablet", "lcp": 3000},
        {"browser": "Firefox", "cls": 0.2},
    ]},
})
URLS = ["https://shop.example/products/42?ref=mail", "https://shop.example/"]


def rows():
    return lab_gate.plan(from_settings(SETTINGS).budgets, URLS, SETTINGS.snippet.routes)


def test_each_budget_applies_to_the_pages_and_profiles_its_filters_name():
    planned = [(r.page, r.device, r.budget.segment or "site", r.budget.key, bool(r.unmeasurable)) for r in rows()]
    assert planned == [
        ("/products/:id", "mobile", "site", "lcp", False),
        ("/products/:id", "mobile", "site", "cls", False),
        ("/products/:id", "mobile", "site", "inp", True),
        ("/products/:id", "mobile", "site", "js_errors", False),
        ("/products/:id", "desktop", "products-id-desktop", "lcp", False),
        ("/products/:id", "tablet", "tablet", "lcp", True),
        ("/products/:id", "mobile", "firefox", "cls", True),
        ("/", "mobile", "site", "lcp", False),
        ("/", "mobile", "site", "cls", False),
        ("/", "mobile", "site", "inp", True),
        ("/", "mobile", "site", "js_errors", False),
        ("/", "tablet", "tablet", "lcp", True),
        ("/", "mobile", "firefox", "cls", True),
    ]  # /checkout's segment: no such page given
    assert lab_gate.loads(rows()) == [(URLS[0], "mobile"), (URLS[0], "desktop"), (URLS[1], "mobile")]
    reasons = {r.budget.segment or r.budget.key: r.unmeasurable for r in rows() if r.unmeasurable}
    assert reasons == {"inp": "INP needs a person's input, and the lab has none",
                       "tablet": "the lab emulates mobile and desktop devices, not tablet",
                       "firefox": "the lab's Chromium is no browser Firefox of the field"}


def runs_of(url: str, device: str, lcps, **values) -> list[Run]:
    return [Run(url, device, {"lcp": lcp, "cls": 0.01, "js_errors": 0.0, **values}) for lcp in lcps]


@pytest.mark.parametrize("values, statistic, expected", [
    ([900, 100, 500, 700, 300], "p75", 700),  # the fourth fastest of five
    ([900, 100, 500, 700, 300], "p50", 500),
    ([900, 100], "p75", 900),
    ([900, 100, 500, 700, 300], "avg", 500),
    ([900, 100], "max", 900),
    ([], "p75", None),
])
def test_the_statistic_over_the_runs_is_a_nearest_rank(values, statistic, expected):
    assert summarize(values, statistic) == expected


def test_the_report_judges_each_row_on_its_pages_runs():
    runs = (runs_of(URLS[0], "mobile", [2000, 2100, 2600, 2200, 2300])
            + runs_of(URLS[0], "desktop", [800, 900, 1200, 950, 1000])
            + runs_of(URLS[1], "mobile", [1000] * 5, js_errors=1.0))
    report = lab_gate.report("shop", rows(), runs, 5)
    got = {(r.dimensions["PageId"], r.segment or "site", r.key): (r.status, r.value, r.samples) for r in report.results}
    assert got["/products/:id", "site", "lcp"] == (PASS, 2300, 5)
    assert got["/products/:id", "products-id-desktop", "lcp"] == (PASS, 1000, 5)
    assert got["/", "site", "js_errors"] == (FAIL, 1.0, 5)  # an uncaught error on every load: avg 1 > 0.5
    assert got["/", "site", "inp"] == (NO_DATA, None, None)
    assert report.status == FAIL and report.lab["runs"] == 5
    with pytest.raises(CheckFailed):
        verdict(report)


def test_a_page_that_never_loaded_is_no_data_saying_why():
    runs = [Run(URLS[1], "mobile", problem=f"{URLS[1]} answered HTTP 503") for _ in range(3)]
    only_home = [row for row in rows() if row.url == URLS[1]]
    report = lab_gate.report("shop", only_home, runs, 3)
    lcp = next(r for r in report.results if r.key == "lcp")
    assert lcp.status == NO_DATA and "answered HTTP 503" in lcp.reason
    with pytest.raises(NotEnoughData) as error:
        verdict(report)
    assert "not enough data in the lab" in str(error.value) and error.value.exit_code == 3


def test_only_unmeasurable_budgets_cannot_decide():
    settings = from_mapping({"budgets": {"lcp": "off", "cls": "off", "inp": 200}})
    report = lab_gate.report("shop", lab_gate.plan(from_settings(settings).budgets, URLS[1:]), [], 5)
    assert [r.status for r in report.results] == [NO_DATA] and report.status == NO_DATA
    with pytest.raises(NotEnoughData):
        verdict(report)


def test_the_profiles_are_lighthouses():
    mobile, desktop = PROFILES["mobile"], PROFILES["desktop"]
    assert (mobile.width, mobile.height, mobile.scale, mobile.mobile) == (412, 823, 1.75, True)
    assert (mobile.latency_ms, mobile.upload_kbps, mobile.cpu) == (562.5, 675, 4)
    assert mobile.download_kbps == pytest.approx(1474.56)
    assert (desktop.width, desktop.height, desktop.scale, desktop.download_kbps, desktop.cpu) == (1350, 940, 1, 0, 1)
