"""The ``rumcfn`` command: thin click commands over the library.

boto3 and cfn-lint take seconds to import, so only the commands that need them import them.
"""

from __future__ import annotations

import sys

import click

from rumcfn import __version__
from rumcfn.errors import RumcfnError
from rumcfn.cli.options import DEFAULT_CONFIG, read_template_argument, resolve_settings, settings_options  # noqa: F401
from rumcfn.config.settings import Settings, SettingsError


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="rumcfn")
def main() -> None:
    """Emit one CloudFormation template for CloudWatch RUM monitoring of a website."""


@main.command()
@settings_options
@click.option("--format", "fmt", type=click.Choice(["json", "yaml"]), default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE instead of stdout.")
def synth(settings: Settings, fmt: str, output: str | None) -> None:
    """Build the template from settings (the built-in example when none are given)."""
    from rumcfn.template.output import render, write_atomic
    from rumcfn.build.stack import build_template

    text = render(build_template(settings), fmt)
    if output:
        write_atomic(output, text)
    else:
        click.echo(text, nl=False)


@main.command()
@click.argument("template_file", required=False, type=click.Path(dir_okay=False, allow_dash=True))
@settings_options
@click.option("--region", "regions", multiple=True, help="Regions to check against (default us-east-1; repeatable).")
def lint(settings: Settings, template_file: str | None, regions: tuple[str, ...]) -> None:
    """Lint TEMPLATE_FILE (or - for stdin) with cfn-lint; without one, build from settings and lint."""
    from rumcfn.errors import LintFailed
    from rumcfn.template.lint import DEFAULT_REGIONS, Linter
    from rumcfn.template.output import to_json
    from rumcfn.build.stack import build_template

    if template_file:
        text, name = read_template_argument(template_file)
    else:
        text, name = to_json(build_template(settings)), "<synthesized>"
    findings = Linter(regions or DEFAULT_REGIONS).lint(text)
    for finding in findings:
        click.echo(f"{name}: {finding}")
    if any(f.level in ("error", "warning") for f in findings):
        raise LintFailed(f"{name}: {len(findings)} cfn-lint finding(s)")
    click.echo(f"{name}: no errors or warnings" + (f" ({len(findings)} informational)" if findings else ""), err=True)


@main.command()
@click.option("--app-monitor-id", required=True, help="The monitor id (stack output AppMonitorId).")
@click.option("--region", required=True, help="The monitor's region.")
@click.option("--identity-pool-id", help="Cognito identity pool (enhanced flow).")
@click.option("--unsigned", is_flag=True, help="Send unsigned requests (resource-policy mode).")
@click.option("--endpoint", help="Data-plane URL (default https://dataplane.rum.REGION.amazonaws.com).")
@click.option("--client-url", help="Where to load the web client from (default: AWS's CDN).")
@click.option("--client-version", help="Web client version on the CDN.")
@click.option("--app-version", help="Your site's version.")
@click.option("--telemetries", help="Comma-separated: errors,performance,http.")
@click.option("--sample-rate", type=float, help="Share of sessions recorded, 0 to 1.")
@click.option("--exclude-page", "excluded", multiple=True, help="Page URL never recorded (repeatable).")
@click.option("--html", is_flag=True, help="Wrap in a <script> tag to paste into pages.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE instead of stdout.")
def snippet(app_monitor_id, region, identity_pool_id, unsigned, endpoint, client_url, client_version,
            app_version, telemetries, sample_rate, excluded, html, output) -> None:
    """Render a concrete rum.js for a monitor that already exists."""
    from rumcfn.template.output import write_atomic
    from rumcfn.build.snippet import render_concrete

    text = render_concrete(
        app_monitor_id=app_monitor_id, region=region, identity_pool_id=identity_pool_id, unsigned=unsigned,
        endpoint=endpoint, client_url=client_url, client_version=client_version, app_version=app_version,
        telemetries=tuple(t.strip() for t in telemetries.split(",")) if telemetries else None,
        sample_rate=sample_rate, excluded_pages=excluded or None,
    )
    if html:
        text = f"<script>\n{text}</script>\n"
    if output:
        write_atomic(output, text)
    else:
        click.echo(text, nl=False)


# Commands from other modules register here, one line each.
from rumcfn.cli import deploy as cli_deploy
from rumcfn.cli import budgets as cli_extra
from rumcfn.cli.restore import restore_snippet  # noqa: E402
from rumcfn.cli import doctor as cli_doctor  # noqa: E402

cli_extra.register(main)
cli_deploy.register(main)
cli_doctor.register(main)
main.add_command(restore_snippet)
# (end of command registrations)


def run(argv: list[str] | None = None) -> int:
    """Entry point: every failure is one line on stderr; usage errors exit 2, others 1."""
    try:
        main.main(args=argv, prog_name="rumcfn", standalone_mode=False)
    except SettingsError as error:
        click.echo(f"rumcfn: error: {error}", err=True)
        return 2
    except RumcfnError as error:
        click.echo(f"rumcfn: error: {error}", err=True)
        return error.exit_code
    except click.exceptions.Abort:
        click.echo("rumcfn: aborted", err=True)
        return 130
    except click.ClickException as error:
        click.echo(f"rumcfn: error: {error.format_message()}", err=True)
        return error.exit_code
    except click.exceptions.Exit as exit_:
        return exit_.exit_code
    return 0


def entry() -> None:
    sys.exit(run())
