"""``rumcfn budgets check``: the CI budget gate (:mod:`rumcfn.gate`, fed by :mod:`rumcfn.aws.budget_data`)."""

from __future__ import annotations

import dataclasses
import math
import os
from pathlib import Path

import click

from rumcfn.cli.files import append_file, write_file
from rumcfn.cli.options import (
    DEFAULT_CONFIG,
    Lazy,
    aws_options,
    checked,
    deprecated,
    examples,
    given_on_command_line,
    settings_options,
)
from rumcfn.config.delivery import RELEASE_ID
from rumcfn.config.formats import STACK_NAME_OR_ID
from rumcfn.config.formats import url as url_rule
from rumcfn.config.rules import Each
from rumcfn.errors import UsageError
from rumcfn.gate.report import FORMATS

#: --release and --against name a release as snippet.release_id does (and cannot be empty).
GIVEN_RELEASE_ID = dataclasses.replace(RELEASE_ID, optional=False)


def percent(text: str) -> float:
    """``--max-regression``: ``10%`` or ``10`` -> 0.1."""
    try:
        value = float(text.strip().removesuffix("%"))
    except ValueError:
        value = -1.0
    if not 0 <= value < math.inf:
        raise UsageError(f"--max-regression must be a percentage such as 10%, but got {text!r}")
    return value / 100


@click.group(epilog=examples("rumcfn budgets check --stack-name shop-rum --days 7"))
def budgets() -> None:
    """Performance budgets of a deployed monitor."""


@budgets.command("check", epilog=examples(
    "rumcfn budgets check --stack-name shop-rum --days 1 --format github",
    "rumcfn budgets check --stack-name shop-rum --release-id r42 --against r41 --max-regression 10%",
))
@click.option("--stack-name", callback=checked(STACK_NAME_OR_ID),
              help="Read budgets and monitor name from this deployed stack.")
@settings_options(site=(), unless="stack_name")
@click.option("--days", type=click.IntRange(1, 455), default=7, show_default=True,
              help="Window: the statistic is computed over the last DAYS days.")
@click.option("--min-samples", type=click.IntRange(1), default=1, show_default=True,
              help="Fewer samples than this for a vital (on either side of a comparison) means not enough data.")
@click.option("--release-id", "release", metavar="RELEASE", callback=checked(GIVEN_RELEASE_ID),
              help="Judge this release's vitals (the stack's per-release metrics).")
@click.option("--release", "old_release", hidden=True, callback=checked(GIVEN_RELEASE_ID))
@click.option("--against", metavar="RELEASE", callback=checked(GIVEN_RELEASE_ID),
              help="With --release-id: also compare with this (the previous) release.")
@click.option("--baseline", type=click.Choice(["previous"]),
              help="Without releases: compare the window with the window of the same length before it.")
@click.option("--max-regression", "max_regression", default="10%", show_default=True, metavar="PCT",
              help="With --against or --baseline: a vital worse than the baseline by more than this fails.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="github: workflow commands, and a summary appended to $GITHUB_STEP_SUMMARY when it is set.")
@click.option("--junit-xml", "junit_xml", type=click.Path(dir_okay=False), help="Also write the result as JUnit XML.")
@click.option("--lab", "lab", multiple=True, is_flag=False, flag_value="", metavar="URL",
              callback=checked(Each(url_rule("must be http(s) URLs", optional=True))),
              help="Judge the budgets on this page loaded in headless Chromium instead (repeatable; alone: the "
                   "canary's page). No AWS call.")
@click.option("--runs", type=click.IntRange(1, 50), default=5, show_default=True,
              help="With --lab: loads of each page (per device profile) the statistic is taken over.")
@aws_options
def check(settings: Lazy | None, stack_name: str | None, days: int, min_samples: int, release: str | None,
          old_release: str | None, against: str | None, baseline: str | None, max_regression: str, fmt: str,
          junit_xml: str | None, lab: tuple[str, ...], runs: int, aws) -> None:
    """Compare the monitor's vitals with its budgets: exit 0 all met, 1 a budget broken, 3 not enough data.

    Give --stack-name (budgets from the deployed template) or --monitor.name (budgets from
    settings: flags, --config or ./rumcfn.toml). Budgets of level warn are shown but never fail.
    With --lab, the same budgets are judged on lab runs of the pages (budgets from settings).
    """
    from rumcfn.gate import judge
    from rumcfn.gate import report as report_formats

    if old_release:
        deprecated("--release", "--release-id")
        release = release or old_release
    if lab:
        report = _lab_report(settings, lab, runs, min_samples)
    elif click.get_current_context().get_parameter_source("runs") != click.core.ParameterSource.DEFAULT:
        raise UsageError("--runs counts lab runs: give --lab URL too")
    else:
        report = _field_report(settings, stack_name, days, min_samples, release, against, baseline,
                               max_regression, aws)
    click.echo(report_formats.render(report, fmt), nl=False)
    if junit_xml:  # every file through the writers -o uses: special files are written through, never replaced
        write_file(junit_xml, report_formats.junit(report), "--junit-xml")
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if fmt == "github" and summary:
        append_file(summary, report_formats.markdown(report) + "\n", "GITHUB_STEP_SUMMARY")
    judge.verdict(report)


def _field_report(settings: Lazy | None, stack_name: str | None, days: int, min_samples: int, release: str | None,
                  against: str | None, baseline: str | None, max_regression: str, aws):
    """The field gate: the monitor's vitals from CloudWatch."""
    from rumcfn.aws import budget_data
    from rumcfn.gate import judge

    if against and not release:
        raise UsageError("--against compares two releases: give --release-id too")
    if baseline and release:
        raise UsageError("--baseline previous compares windows; with --release-id, compare with --against RELEASE")
    target_of = _target(settings, stack_name)
    rules = judge.Gate(days=days, min_samples=min_samples, release=release, against=against, baseline=baseline,
                       max_regression=percent(max_regression))
    cloudformation, cloudwatch = budget_data.clients(aws)
    target = budget_data.from_stack(cloudformation, stack_name) if stack_name else target_of
    return budget_data.check(cloudwatch, target, rules)


#: What --lab leaves out: the options of the field gate's CloudWatch window and releases (parameter -> flag).
FIELD_ONLY = {"stack_name": "--stack-name", "days": "--days", "release": "--release-id", "old_release": "--release",
              "against": "--against", "baseline": "--baseline", "max_regression": "--max-regression"}


def _lab_report(lazy: Lazy | None, lab: tuple[str, ...], runs: int, min_samples: int):
    """The lab gate: the budgets of settings, judged on ``runs`` loads of each page in Chromium."""
    from rumcfn.doctor import lab_gate
    from rumcfn.gate.target import from_settings

    context = click.get_current_context()
    given = [flag for name, flag in FIELD_ONLY.items()
             if context.get_parameter_source(name) not in (None, click.core.ParameterSource.DEFAULT)]
    if given or lazy is None:
        raise UsageError(f"--lab judges pages in Chromium with the budgets of settings; {', '.join(given)} read "
                         "CloudWatch (leave them out)")
    settings = lazy.get()
    site = settings.site_url()
    if "" in lab and not isinstance(site, str):
        raise UsageError("--lab needs a URL: the canary's page is a template parameter")
    urls = list(dict.fromkeys(url or site for url in lab))
    target = from_settings(settings)
    return lab_gate.check(target.app_monitor if isinstance(target.app_monitor, str) else "site", target.budgets,
                          urls, runs, routes=settings.snippet.routes, min_samples=min_samples,
                          statistic=settings.budgets.statistic, echo=lambda line: click.echo(line, err=True))


def _target(lazy: Lazy | None, stack_name: str | None):
    """Budgets from settings (when no stack is named), after the checks of what was given."""
    from rumcfn.gate.target import from_settings

    if stack_name or lazy is None:
        return None
    given = given_on_command_line(["config", "monitor__name", "old__monitor__name"])
    if not given and not Path(DEFAULT_CONFIG).is_file():
        raise UsageError("give --stack-name STACK or --monitor.name NAME (or --config FILE)")
    settings = lazy.get()
    if not isinstance(settings.monitor.name, str):
        raise UsageError("--monitor.name is needed: the monitor name is a template parameter")
    return from_settings(settings)


COMMANDS = (budgets,)
