"""Every format of the gate's report, checked by parsing it: JUnit XML with junitparser (a maintained JUnit
parser), GitHub workflow commands by the runner's syntax, Markdown tables by their cells, JSON, the text table."""

from __future__ import annotations

import json
import re

import pytest
from junitparser import Failure, JUnitXml, Skipped

from rumcfn.cli import run
from rumcfn.gate import report as formats
from rumcfn.gate.judge import FAIL, NO_DATA, PASS, WARN, Report, Result

LCP, INP = "WebVitalsLargestContentfulPaint", "WebVitalsInteractionToNextPaint"


def report() -> Report:
    rows = [
        Result("lcp", LCP, "p75", 2500, value=2100, samples=1200, status=PASS),
        Result("inp", INP, "p75", 200, value=260, samples=900, status=FAIL, reason="over budget"),
        Result(
            "cls",
            "WebVitalsCumulativeLayoutShift",
            "p75",
            0.1,
            level="warn",
            value=0.12,
            samples=800,
            status=WARN,
            reason="over budget",
        ),
        Result(
            "lcp",
            LCP,
            "p75",
            3000,
            segment="checkout-mobile",
            dimensions={"PageId": "/a|b", "DeviceType": "mobile"},
            value=None,
            samples=0,
            status=NO_DATA,
            reason="0 sample(s), 1 needed",
        ),
        Result(
            "lcp",
            LCP,
            "p75",
            2000,
            level="warn",
            segment="home-desktop",
            dimensions={"PageId": "/"},
            samples=0,
            status=NO_DATA,
            reason="0 sample(s), 1 needed",
        ),
        Result(
            "inp",
            INP,
            "p75",
            300,
            segment="50%-off, sale: now",
            dimensions={"PageId": "/sale"},
            value=320,
            samples=40,
            status=FAIL,
            reason="over budget",
        ),
    ]
    return Report("shop", 7, "2026-11-13T12:30:00+00:00", "2026-11-20T12:30:00+00:00", rows)


def test_junit_has_a_test_case_per_budget_failures_for_broken_and_skipped_for_missing_data():
    xml = JUnitXml.fromstring(formats.junit(report()))
    (suite,) = list(xml)
    cases = {(case.classname, case.name): case for case in suite}
    assert list(cases) == [
        ("shop.site", "lcp"),
        ("shop.site", "inp"),
        ("shop.site", "cls"),
        ("shop.checkout-mobile", "lcp"),
        ("shop.home-desktop", "lcp"),
        ("shop.50%-off, sale: now", "inp"),
    ]
    assert cases[("shop.site", "lcp")].is_passed
    (failure,) = cases[("shop.site", "inp")].result
    assert isinstance(failure, Failure) and failure.message == "inp 260 > 200" and "900 samples" in failure.text
    assert cases[("shop.site", "cls")].is_passed and "warning: cls 0.12 > 0.1" in cases[("shop.site", "cls")].system_out
    (skipped,) = cases[("shop.checkout-mobile", "lcp")].result
    assert isinstance(skipped, Skipped) and skipped.message == "not enough data: 0 sample(s), 1 needed"
    assert cases[("shop.home-desktop", "lcp")].is_skipped
    assert (suite.tests, suite.failures, suite.skipped, suite.errors) == (6, 2, 2, 0)
    assert (xml.tests, xml.failures, xml.skipped) == (6, 2, 2)
    suite.update_statistics()  # the counts the parser computes from the cases agree with the attributes
    assert (suite.tests, suite.failures, suite.skipped, suite.errors) == (6, 2, 2, 0)
    assert {p.name: p.value for p in suite.properties()}["app_monitor"] == "shop"


COMMAND = re.compile(r"::(?P<command>[a-z]+)(?: (?P<props>[^:]*))?::(?P<message>.*)")


def unescape(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def parse_commands(text: str) -> list[tuple[str, dict[str, str], str]]:
    """The workflow commands among the lines, read as the Actions runner reads them."""
    found = []
    for line in text.splitlines():
        match = COMMAND.fullmatch(line)
        if match:
            props = dict(pair.split("=", 1) for pair in match["props"].split(",")) if match["props"] else {}
            found.append((match["command"], {k: unescape(v) for k, v in props.items()}, unescape(match["message"])))
    return found


def test_github_prints_an_error_per_broken_budget_and_warnings_for_warnings_and_missing_data():
    text = formats.github(report())
    commands = parse_commands(text)
    assert [(c, p["title"]) for c, p, _ in commands] == [
        ("error", "rumcfn budget inp"),
        ("warning", "rumcfn budget cls"),
        ("warning", "rumcfn budget checkout-mobile lcp"),
        ("notice", "rumcfn budget home-desktop lcp"),
        ("error", "rumcfn budget 50%-off, sale: now inp"),
    ]
    assert commands[0][2] == "shop: inp 260 > 200"
    assert commands[2][2] == "shop: not enough data for checkout-mobile lcp (0 sample(s), 1 needed)"
    # then the table, for the log, where nothing is read as a command
    assert text.splitlines()[len(commands)].startswith("::stop-commands::")
    assert text.splitlines()[len(commands) + 1].split()[:2] == ["segment", "vital"]


def markdown_table(text: str) -> list[list[str]]:
    rows = [line for line in text.splitlines() if line.startswith("|")]
    cells = [[cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", row)[1:-1]] for row in rows]
    assert set(cells[1]) == {"---"}
    return [cells[0]] + cells[2:]


def test_markdown_is_a_heading_and_a_table_with_a_row_per_budget():
    text = formats.markdown(report())
    assert text.splitlines()[0] == "### ❌ rumcfn budgets: `shop` — FAIL"
    header, *rows = markdown_table(text)
    assert header == ["", "segment", "vital", "metric", "statistic", "value", "budget", "samples", "level", "result"]
    assert len(rows) == 6 and all(len(row) == len(header) for row in rows)
    assert rows[1][0] == "❌" and rows[1][-1] == "FAIL: over budget"
    assert rows[3][1] == "`checkout-mobile`" and rows[3][0] == "➖" and rows[0][1] == "`(site)`"


def test_text_table_and_json():
    text = formats.table(report())
    assert text.splitlines()[0].split() == [
        "segment",
        "vital",
        "metric",
        "statistic",
        "value",
        "budget",
        "samples",
        "level",
        "result",
    ]
    assert text.splitlines()[-1].startswith("shop: FAIL for the site over the last 7 day(s)")
    data = json.loads(formats.to_json(report()))
    assert data["status"] == "fail" and [b["status"] for b in data["budgets"]] == [
        "pass",
        "fail",
        "warn",
        "no-data",
        "no-data",
        "fail",
    ]
    assert data["budgets"][3]["dimensions"] == {"PageId": "/a|b", "DeviceType": "mobile"}


@pytest.mark.parametrize("fmt", formats.FORMATS)
def test_every_format_from_the_cli(aws_env, tmp_path, monkeypatch, capsys, fmt):
    from tests.support.moto_data import put_samples

    monkeypatch.chdir(tmp_path)
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    (tmp_path / "rumcfn.toml").write_text(
        '[monitor]\nname = "shop"\n[budgets]\nlcp = 2500\ncls = "off"\ninp = "off"\nstatistic = "avg"\n'
    )
    put_samples(aws_env, "shop", LCP, [3000])
    code = run(["budgets", "check", "--format", fmt, "--junit-xml", "junit.xml"])
    out, err = capsys.readouterr()
    found, error = err.splitlines()
    assert found.startswith("rumcfn: settings from ") and found.endswith("rumcfn.toml (found in the working directory)")
    assert code == 1 and error.startswith("rumcfn: error: shop: 1 of 1 budget(s) broken")
    parsed = {
        "table": lambda: out.splitlines()[1].split()[-1],
        "json": lambda: json.loads(out)["budgets"][0]["status"],
        "junit": lambda: next(iter(next(iter(JUnitXml.fromstring(out))))).result[0].message,
        "github": lambda: parse_commands(out)[0][0],
        "markdown": lambda: markdown_table(out)[1][-1],
    }[fmt]()
    assert (
        parsed
        == {
            "table": "FAIL",
            "json": "fail",
            "junit": "lcp 3,000 > 2,500",
            "github": "error",
            "markdown": "FAIL: over budget",
        }[fmt]
    )
    assert JUnitXml.fromfile(str(tmp_path / "junit.xml")).failures == 1
    written = summary.read_text()
    if fmt == "github":
        assert (
            written.startswith("earlier step\n### ❌ rumcfn budgets: `shop` — FAIL")
            and markdown_table(written)[1][-1] == "FAIL: over budget"
        )
    else:
        assert written == "earlier step\n"
