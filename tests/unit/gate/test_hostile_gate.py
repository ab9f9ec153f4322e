"""``rumcfn budgets check`` against what others control: where its files go, and names from a stack's outputs
and metadata, flags and CloudWatch's answers. Every file goes through the one ``-o`` writer; every name is held
to the rule its setting has; every format escapes what it prints."""

from __future__ import annotations

import json
import os
import re
import threading
import xml.etree.ElementTree as ET

import pytest

from rumcfn.cli import run
from rumcfn.gate import report as formats
from rumcfn.gate.judge import FAIL, NO_DATA, PASS, Gate, Report, Result, judge
from tests.support.moto_data import put_samples, stack_with_budgets

LCP = "WebVitalsLargestContentfulPaint"
CONFIG = '[monitor]\nname = "shop"\n[budgets]\nlcp = 2500\ncls = "off"\ninp = "off"\nstatistic = "avg"\n'


@pytest.fixture
def broken(aws_env, tmp_path, monkeypatch):
    """A monitor whose one budget is broken, checked from ``tmp_path``."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rumcfn.toml").write_text(CONFIG)
    put_samples(aws_env, "shop", LCP, [3000])
    return tmp_path


def gate(capsys, *args: str) -> tuple[int, str, str]:
    """The gate's exit code, stdout and stderr; stderr without the note naming the ./rumcfn.toml it found when it
    read it (see test_site_settings.py)."""
    from pathlib import Path

    code = run(["budgets", "check", *args])
    out, err = capsys.readouterr()
    found = f"rumcfn: settings from {Path('rumcfn.toml').resolve()} (found in the working directory)\n"
    return code, out, err.removeprefix(found)


# --- 1: one output path for every file ----------------------------------------------------------------------


def test_junit_xml_through_a_symlink_writes_its_target_and_keeps_the_link(broken, capsys):
    target = broken / "reports" / "junit.xml"
    target.parent.mkdir()
    target.write_text("old")
    (broken / "junit.xml").symlink_to(target)
    code, _, _ = gate(capsys, "--junit-xml", "junit.xml")
    assert code == 1 and (broken / "junit.xml").is_symlink()
    assert ET.fromstring(target.read_text()).tag == "testsuites"


def test_junit_xml_into_a_fifo_is_written_through_not_replaced(broken, capsys):
    fifo = broken / "junit.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()), daemon=True)
    reader.start()
    code, _, err = gate(capsys, "--junit-xml", str(fifo))
    reader.join(10)
    assert code == 1, err
    assert fifo.is_fifo() and b"<testsuites" in got[0]


@pytest.mark.parametrize("where", ["missing/junit.xml", "."])
def test_a_junit_path_that_cannot_be_written_is_one_line_exit_2(broken, capsys, where):
    code, _, err = gate(capsys, "--junit-xml", where)
    assert code == 2 and err.count("\n") == 1, err
    assert err.startswith(f"rumcfn: error: --junit-xml {where}: cannot write it (no such directory") or \
        err == "rumcfn: error: Invalid value for '--junit-xml': File '.' is a directory.\n"


@pytest.mark.parametrize("make", ["directory", "missing"])
def test_a_step_summary_that_cannot_be_written_is_one_line_exit_2(broken, capsys, monkeypatch, make):
    summary = broken / ("summary.d" if make == "directory" else "missing/summary.md")
    if make == "directory":
        summary.mkdir()
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, _, err = gate(capsys, "--format", "github")
    assert code == 2 and err.count("\n") == 1, err
    assert err.startswith(f"rumcfn: error: GITHUB_STEP_SUMMARY {summary}: cannot write it (")


def test_the_step_summary_is_appended_through_a_symlink(broken, capsys, monkeypatch):
    real = broken / "real-summary.md"
    real.write_text("earlier step\n")
    (broken / "summary.md").symlink_to(real)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(broken / "summary.md"))
    code, _, _ = gate(capsys, "--format", "github")
    assert code == 1 and (broken / "summary.md").is_symlink()
    assert real.read_text().startswith("earlier step\n### ")


# --- 2: names from outside are held to their rules ... -----------------------------------------------------


@pytest.mark.parametrize("value,rule", [("r1\n::error::owned", "must not contain control characters"),
                                        ("r1 ::error::owned", "must be 1-200 of letters, digits and _ - : / ."),
                                        ("", "must be 1-200 of letters, digits and _ - : / .")])
@pytest.mark.parametrize("flag", ["--release", "--against"])
def test_release_flags_follow_the_release_id_rule(broken, capsys, flag, value, rule):
    args = ["--release", "r1"] if flag == "--against" else []
    code, _, err = gate(capsys, *args, flag, value)
    assert code == 2 and err.count("\n") == 1, err
    assert err.startswith(f"rumcfn: error: setting {flag}: {rule}")


def test_a_monitor_name_output_that_is_no_monitor_name_is_one_line(aws_env, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    stack_with_budgets(aws_env, "shop-rum", "shop\n::add-mask::x", {"lcp": {"metric": LCP, "budget": "2500"}})
    code, out, err = gate(capsys, "--stack-name", "shop-rum")
    assert code == 1 and out == "" and err.count("\n") == 1, err
    assert "AppMonitorName" in err and not any(line.startswith("::") for line in err.splitlines())


@pytest.mark.parametrize("segment", [
    {"name": "x\n::add-mask::secret", "dimensions": {"DeviceType": "mobile"}},
    {"name": "::stop-commands::t", "dimensions": {"DeviceType": "mobile"}},
    {"name": "mobile", "dimensions": {"DeviceType": "mobile\r\n::error::x"}},
    {"name": "mobile", "dimensions": {"Evil": "mobile"}},
])
def test_segment_names_and_dimensions_from_metadata_follow_the_settings_rules(segment):
    from rumcfn.contract import MalformedMetadata, StackMetadata
    from rumcfn.gate.target import Target

    metadata = {"rumcfn": {"segments": [dict(segment, budgets={"lcp": {"metric": LCP, "budget": "2500"}})]}}
    with pytest.raises(MalformedMetadata) as caught:
        Target.checked("shop", StackMetadata.from_template(metadata), "stack shop-rum")
    assert "\n" not in str(caught.value) and str(caught.value).startswith("stack shop-rum: segment")


# --- ... and escaped in every format -----------------------------------------------------------------------

HOSTILE = "x\n::add-mask::y\x1b\x00 @octocat [a](https://e.example) ![i](https://e.example/i.png) <img src=x>"


def hostile_report() -> Report:
    rows = [Result("lcp", LCP, "p75", 2500, segment=HOSTILE, dimensions={"PageId": HOSTILE}, value=3000, samples=9,
                   status=FAIL, reason="over budget"),
            Result("inp", "WebVitalsInteractionToNextPaint", "p75", 200, value=None, samples=0, status=NO_DATA,
                   reason="0 sample(s), 1 needed")]
    return Report(HOSTILE, 7, "2026-11-13T12:30:00+00:00", "2026-11-20T12:30:00+00:00", rows, release=HOSTILE)


def test_no_github_line_starts_a_command_rumcfn_did_not_write():
    text = formats.github(hostile_report())
    commands = [line for line in text.splitlines() if line.lstrip().startswith("::")]
    ours = re.compile(r"::(error|warning|notice) title=[^:]*::[^\n]*|::stop-commands::[0-9a-f]{64}|::[0-9a-f]{64}::")
    assert commands and all(ours.fullmatch(line) for line in commands), commands
    stop = next(line for line in commands if line.startswith("::stop-commands::"))
    token = stop.removeprefix("::stop-commands::")
    assert text.rstrip().endswith(f"::{token}::") and token not in text.replace(stop, "").replace(f"::{token}::", "")


def test_junit_is_well_formed_whatever_the_names_hold():
    root = ET.fromstring(formats.junit(hostile_report()))
    assert root.tag == "testsuites"
    assert "\x1b" not in formats.junit(hostile_report()) and "\x00" not in formats.junit(hostile_report())
    assert "y\\x1b\\x00 @octocat" in formats.junit(hostile_report())  # shown as escapes, as on a terminal


def test_markdown_cells_cannot_mention_link_embed_or_inject_html():
    text = formats.markdown(hostile_report())
    outside_code = re.sub(r"(`+)(?:(?!\1).)*?\1", "", text)
    for active in ("@octocat", "](", "<img", "\x1b", "\x00"):
        assert active not in outside_code, (active, outside_code)
    assert all(line.startswith(("|", "#")) or line == "" or line.endswith(".") for line in text.splitlines())


# --- 8: numbers a gate can trust ---------------------------------------------------------------------------


def test_json_never_writes_infinity_or_nan():
    report = hostile_report()
    report.results[0].value, report.results[0].change = float("inf"), float("nan")
    text = formats.to_json(report)
    assert "Infinity" not in text and "NaN" not in text
    assert json.loads(text)["budgets"][0]["value"] is None


def test_a_baseline_of_zero_still_judges_the_regression():
    worse = Result("js_errors", "JsErrorCount", "avg", 5, value=2, samples=10, baseline=0, baseline_samples=10)
    judge(worse, Gate(baseline="previous", max_regression=0.1), "the 7 day(s) before")
    assert worse.status == FAIL and "against the 7 day(s) before" in worse.reason
    same = Result("js_errors", "JsErrorCount", "avg", 5, value=0, samples=10, baseline=0, baseline_samples=10)
    judge(same, Gate(baseline="previous", max_regression=0.1), "the 7 day(s) before")
    assert same.status == PASS and same.change == 0


def test_negative_vitals_are_impossible_and_ignored(aws_env, broken, capsys):
    from rumcfn.aws.budget_data import fetch

    class Answers:
        def get_paginator(self, name):
            return self

        def paginate(self, **kwargs):
            yield {"MetricDataResults": [{"Id": "v0", "Values": [-5.0, 2000.0, float("inf")]},
                                         {"Id": "n0", "Values": [-3.0, 4.0]}]}

    from datetime import datetime, timezone

    now = datetime.now(timezone.utc)
    assert fetch(Answers(), [{"Id": "v0"}, {"Id": "n0"}], now, now) == {"v0": [2000.0], "n0": [4.0]}
