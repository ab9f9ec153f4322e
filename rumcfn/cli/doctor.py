"""``rumcfn doctor`` (why the RUM console shows no data) and ``rumcfn csp`` (the directives the snippet needs)."""

from __future__ import annotations

import os

import click

from rumcfn.cli.options import Lazy, aws_options, examples, settings_options
from rumcfn.config import SettingsError
from rumcfn.contract import Outputs
from rumcfn.errors import CheckFailed, UsageError


@click.command(epilog=examples(
    "rumcfn doctor --stack-name shop-rum",
    "rumcfn doctor --stack-name shop-rum --url https://shop.example.com/checkout --browser",
))
@click.option("--stack-name", help="The deployed rumcfn stack (it says what to expect).")
@settings_options(site=("monitor.name", "monitor.domains"), unless="stack_name")
@click.option("--app-monitor-id",
              help=f"Without --stack-name: the monitor's id (stack output {Outputs.APP_MONITOR_ID}).")
@click.option("--url", help="The page to check (default: the canary's URL, else the first domain).")
@click.option(
    "--browser", is_flag=True, help="Also load the page in headless Chromium and see the client send a batch."
)
@click.option(
    "--timeout",
    type=click.FloatRange(1, 300),
    default=10,
    show_default=True,
    help="Seconds for each whole answer: an HTTP request (redirects and body included), the page in the "
    "browser, the client's batch.",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@aws_options
def doctor(settings: Lazy | None, stack_name, app_monitor_id, url, browser, timeout, fmt, aws) -> None:
    """Find why a monitor shows no data: exit 0 when every check passes, 1 when one fails.

    Give --stack-name, or settings (flags, --config, ./rumcfn.toml) with --app-monitor-id. Without AWS
    credentials, the AWS checks are skipped and the site is still checked.
    """
    from rumcfn.config.delivery import APP_MONITOR_ID
    from rumcfn.doctor.runner import run
    from rumcfn.doctor.site import http_url

    if stack_name and app_monitor_id:
        raise UsageError("give --stack-name alone (the stack says what it deployed), or settings with --app-monitor-id")
    if not stack_name:
        if not app_monitor_id:
            raise UsageError("give --stack-name STACK, or settings (flags, --config FILE) with --app-monitor-id ID")
        APP_MONITOR_ID.check("--app-monitor-id", app_monitor_id)
    if url and not http_url(url):
        raise SettingsError("--url", "must be an http(s) URL", url)
    aws.timeout = timeout  # and the session's bounded attempts
    report = run(
        aws,
        stack_name=stack_name,
        settings=settings and settings.get(),
        app_monitor_id=app_monitor_id,
        url=url,
        browser=browser,
        timeout=timeout,
    )
    click.echo(report.json() if fmt == "json" else report.text(), nl=False)
    if report.exit_code:
        raise CheckFailed(report.summary())


@click.command(epilog=examples("rumcfn csp --config rumcfn.toml --region eu-west-1"))
@settings_options(site=())
@click.option("--region", help="The monitor's region (default: AWS_REGION / AWS_DEFAULT_REGION).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def csp(settings: Lazy, region: str | None, fmt: str) -> None:
    """Print the Content-Security-Policy directives the configured snippet needs (add them to your policy)."""
    import json

    from rumcfn.client.loader import directives_for, loader_of_settings
    from rumcfn.config.formats import REGION

    region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    REGION.check("--region", region)
    settings = settings.get()
    directives = directives_for(loader_of_settings(settings, region), f"/{settings.script.key}")
    if fmt == "json":
        click.echo(json.dumps(directives, indent=2))
    else:
        click.echo("\n".join(f"{name} {' '.join(sources)}" for name, sources in directives.items()))


COMMANDS = (doctor, csp)
