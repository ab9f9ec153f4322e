"""``rumcfn budgets check --lab`` in Debian's Chromium against pages on 127.0.0.1: a page whose LCP is made slow
(a stylesheet that holds the first paint back) breaks its budget, a fast one keeps it, a page whose layout shifts
breaks CLS, in every format with the field gate's exit codes; INP is shown as not measured, never as met; the
runs and the statistic are stated. One lab run (one Chromium) serves the library-level tests; the CLI runs once
per exit code, as a CI job would."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from junitparser import JUnitXml

from rumcfn.config import from_mapping
from rumcfn.doctor import lab_gate
from rumcfn.doctor.cdp import CHROMIUM
from rumcfn.errors import CheckFailed
from rumcfn.gate.judge import FAIL, NO_DATA, PASS, verdict
from rumcfn.gate.report import FORMATS, render
from rumcfn.gate.target import from_settings
from tests.support import ROOT

from .servers import VitalsSite

pytestmark = pytest.mark.browser

RUNS = 2
SLOW_CSS_MS = 2000
SETTINGS = {
    "monitor": {"name": "shop-lab"},
    "snippet": {"routes": ["/products/:id"]},
    "budgets": {
        "lcp": 1800, "cls": 0.1, "inp": 200,
        "segments": [
            {"page": "/products/:id", "device": "desktop", "lcp": 1000},  # the route, on the desktop profile
            {"country": "DE", "lcp": 2000},  # the lab is in no country: shown, not judged
        ],
    },
}


@pytest.fixture(scope="module")
def site(client_bundle):
    server = VitalsSite(client_bundle)
    yield server
    server.close()


@pytest.fixture(scope="module")
def pages(site):
    """The fast page is on the route (a product page): it also carries the route's desktop segment, so the lab loads
    three pages, not a fourth only for the segment; the slow and the shifting pages are on no route."""
    return {"fast": f"{site.url}/products/123", "slow": f"{site.url}/slow?css={SLOW_CSS_MS}",
            "shift": f"{site.url}/shift?shift=1"}


@pytest.fixture(scope="module")
def lab(pages):
    """One lab gate over the four pages: its report, and every run it made."""
    settings = from_mapping(SETTINGS)
    rows = lab_gate.plan(from_settings(settings).budgets, list(pages.values()), settings.snippet.routes)
    from rumcfn.doctor.lab import measure

    runs = measure(lab_gate.loads(rows), RUNS)
    return settings, rows, runs, lab_gate.report("shop-lab", rows, runs, RUNS)


def rows_of(report, url: str) -> dict[tuple[str, str], object]:
    return {(r.segment or "site", r.key): r for r in report.results if r.page == url}


def test_the_slow_page_breaks_lcp_the_shifting_page_cls_the_fast_page_keeps_them(lab, pages):
    _, _, runs, report = lab
    assert not [run.problem for run in runs if run.problem]
    slow, shift, fast = rows_of(report, pages["slow"]), rows_of(report, pages["shift"]), rows_of(report, pages["fast"])
    assert slow["site", "lcp"].status == FAIL and slow["site", "lcp"].value >= SLOW_CSS_MS
    assert slow["site", "cls"].status == PASS
    assert shift["site", "cls"].status == FAIL and shift["site", "cls"].value > 0.1
    assert fast["site", "lcp"].status == PASS and fast["site", "cls"].status == PASS
    assert all(r.samples == RUNS for r in fast.values() if r.decides)
    assert report.status == FAIL
    with pytest.raises(CheckFailed) as broken:
        verdict(report)
    assert broken.value.exit_code == 1


def test_inp_and_a_country_segment_are_shown_as_not_measured_never_as_met(lab, pages):
    _, _, _, report = lab
    fast = rows_of(report, pages["fast"])
    assert fast["site", "inp"].status == NO_DATA and not fast["site", "inp"].decides
    assert "INP needs a person's input" in fast["site", "inp"].reason
    assert fast["de", "lcp"].status == NO_DATA and "country DE" in fast["de", "lcp"].reason


def test_a_segment_on_a_route_is_judged_on_its_device_profile(lab, pages):
    _, rows, runs, report = lab
    product = rows_of(report, pages["fast"])
    segment = product["products-id-desktop", "lcp"]
    assert segment.dimensions == {"PageId": "/products/:id", "DeviceType": "desktop"}
    assert segment.status == PASS and segment.samples == RUNS
    # Only the product page has desktop runs; every page has mobile runs for the site's budgets.
    assert sorted({(run.url, run.device) for run in runs if run.device == "desktop"}) == [(pages["fast"], "desktop")]
    assert {run.url for run in runs if run.device == "mobile"} == set(pages.values())
    assert "products-id-desktop" not in {r.segment for r in report.results if r.page != pages["fast"]}


def test_a_gate_of_fast_pages_only_passes(lab, pages):
    _, rows, runs, _ = lab
    fast = [row for row in rows if row.url == pages["fast"]]
    report = lab_gate.report("shop-lab", fast, [run for run in runs if run.url == pages["fast"]], RUNS)
    assert report.status == PASS
    verdict(report)  # exit 0: no error


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_states_the_runs_and_statistic_and_names_what_broke(lab, pages, fmt):
    _, _, _, report = lab
    text = render(report, fmt)
    if fmt == "json":
        data = json.loads(text)
        assert data["status"] == "fail" and data["lab"]["runs"] == RUNS and data["lab"]["statistic"] == "p75"
        broken = {(b["page"], b["key"]) for b in data["budgets"] if b["status"] == "fail"}
        assert broken == {(pages["slow"], "lcp"), (pages["shift"], "cls")}
        assert {p["device"] for p in data["lab"]["pages"]} == {"mobile", "desktop"}
        assert all(p["values"]["fcp"] and p["values"]["ttfb"] is not None for p in data["lab"]["pages"])
        return
    assert f"{RUNS} run(s) of each page" in text and "statistic" in text
    assert "562.5 ms latency" in text and "CPU slowed 4x" in text  # Lighthouse's mobileSlow4G, as DevTools applies it
    if fmt == "junit":
        suite = JUnitXml.fromstring(text)
        assert (suite.tests, suite.failures) == (len(report.results), 2)
        failed = [case for s in suite for case in s if case.result and case.result[0]._tag == "failure"]
        assert sorted(case.name for case in failed) == ["cls", "lcp"]
        assert {case.classname.split(" ")[0] for case in failed} >= {f"shop-lab.{pages['slow']}"}
    elif fmt == "github":
        assert f"::error title=rumcfn budget {pages['slow']} lcp::" in text.replace("%3A", ":").replace("%2C", ",")
        assert f"::error title=rumcfn budget {pages['shift']} cls::" in text.replace("%3A", ":").replace("%2C", ",")
        assert "::notice title=rumcfn budget" in text  # INP: not measured, never a warning of missing data
    elif fmt == "markdown":
        assert text.startswith("### ❌ rumcfn budgets: `shop-lab` — FAIL")
        assert text.count("| ❌ |") == 2
    else:
        assert "shop-lab: FAIL for the lab" in text


def cli(*args: str, cwd) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["RUMCFN_CHROMIUM"] = CHROMIUM
    return subprocess.run([sys.executable, "-m", "rumcfn", "budgets", "check", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_cli_exits_as_the_field_gate_does(pages, tmp_path):
    (tmp_path / "rumcfn.toml").write_text('[monitor]\nname = "shop-lab"\n[budgets]\nlcp = 1800\ninp = "off"\n')
    passed = cli("--lab", pages["fast"], "--runs", "1", "--junit-xml", "lab.xml", cwd=tmp_path)
    assert passed.returncode == 0, passed.stderr
    assert "shop-lab: pass for the lab: 1 run(s)" in passed.stdout
    assert f"lab: {pages['fast']} (mobile) run 1/1" in passed.stderr  # progress on stderr, the report on stdout
    assert JUnitXml.fromfile(str(tmp_path / "lab.xml")).failures == 0
    # The shifting page breaks CLS (which rumcfn.toml leaves at its default) in one load; the slow one would take
    # its stylesheet's 2 s more to break LCP, and the exit code does not depend on which budget broke.
    broken = cli("--lab", pages["shift"], "--runs", "1", "--format", "json", cwd=tmp_path)
    assert broken.returncode == 1, broken.stderr
    report = json.loads(broken.stdout)
    assert report["status"] == "fail" and [b["key"] for b in report["budgets"] if b["status"] == "fail"] == ["cls"]
    assert broken.stderr.strip().splitlines()[-1].startswith("rumcfn: error: shop-lab: 1 of 2 budget(s) broken")


def test_the_cli_refuses_what_reads_cloudwatch_and_bad_urls(tmp_path):
    for args, message in ((["--lab", "http://127.0.0.1:9/", "--stack-name", "shop"], "--stack-name read CloudWatch"),
                          (["--lab", "ftp://127.0.0.1/"], "setting --lab: must be http(s) URLs"),
                          (["--runs", "3", "--app-monitor-name", "shop"], "--runs counts lab runs")):
        done = cli(*args, cwd=tmp_path)
        assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_no_chromium_is_one_line_exit_1(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["RUMCFN_CHROMIUM"] = str(tmp_path / "no-chromium")
    done = subprocess.run([sys.executable, "-m", "rumcfn", "budgets", "check", "--lab", "http://127.0.0.1:9/"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and "lab: Chromium" in done.stderr, done.stderr
