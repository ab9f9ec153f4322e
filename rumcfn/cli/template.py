"""Commands over one template: ``synth``, ``lint``, ``snippet`` and ``diagram``."""

from __future__ import annotations

import click

from rumcfn.cli.files import STDOUT, emit
from rumcfn.cli.options import settings_options
from rumcfn.config import Settings, SettingsError, split_list
from rumcfn.contract import Outputs


def warn(message: str | None) -> None:
    """A warning: one line on stderr; the command goes on and its exit code is unchanged."""
    if message:
        click.echo(f"rumcfn: warning: {message}", err=True)


TEMPLATE_FILE = click.argument("template_file", required=False, type=click.Path(dir_okay=False, allow_dash=True))


FLEET = click.option("--fleet", type=click.Path(exists=True),
                     help="A fleet: a rumcfn.toml with [[sites]], or a directory of site files (over --config).")


@click.command()
@settings_options
@FLEET
@click.option("--lint/--no-lint", "lint_fleet", default=True, show_default=True,
              help="With --fleet: lint each distinct template once (a finding fails before anything is written).")
@click.option("--format", "fmt", type=click.Choice(["json", "yaml"]), default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(), help="Write to FILE instead of stdout (- is stdout); with --fleet, "
              "the directory for the templates, parameter files and manifest.")
def synth(settings: Settings | None, fmt: str, output: str | None, fleet: str | None = None,
          lint_fleet: bool = True, config: str | None = None) -> None:
    """Build the template from settings (the built-in example when none are given); with --fleet, one template per
    shape and one parameter file per site and consumer."""
    if fleet:
        from rumcfn.cli import fleet as fleets

        fleets.synth(fleet, config, output, fmt, lint_fleet)
        return
    from rumcfn.stack.assemble import build_template
    from rumcfn.stack.source_maps import notes
    from rumcfn.template.output import render
    from rumcfn.template.reader import inline_warning

    text = render(build_template(settings), fmt)
    emit(text, output)
    for note in notes(settings):
        click.echo(note, err=True)
    warn(inline_warning(len(text.encode("utf-8")), output if output and output != STDOUT else "the template"))


@click.command()
@TEMPLATE_FILE
@settings_options
@click.option(
    "--region",
    "regions",
    multiple=True,
    help="Regions to check against, including whether each offers every resource type (default us-east-1; repeatable).",
)
def lint(settings: Settings, template_file: str | None, regions: tuple[str, ...]) -> None:
    """Lint TEMPLATE_FILE (or - for stdin) with cfn-lint; without one, build from settings and lint."""
    from rumcfn.errors import CheckFailed
    from rumcfn.template.lint import DEFAULT_REGIONS, Linter
    from rumcfn.template.reader import inline_warning, source
    from rumcfn.template.regions import data_source, known_regions

    for region in regions:
        if region not in known_regions():
            raise SettingsError("--region", f"must be a Region {data_source()} has data for", region)
    template = source(template_file, settings)
    warn(inline_warning(template.size, template.origin))
    findings = Linter(regions or DEFAULT_REGIONS).lint(template.body)
    for finding in findings:
        click.echo(f"{template.origin}: {finding}")
    if any(f.level in ("error", "warning") for f in findings):
        raise CheckFailed(f"{template.origin}: {len(findings)} cfn-lint finding(s)")
    click.echo(
        f"{template.origin}: no errors or warnings" + (f" ({len(findings)} informational)" if findings else ""),
        err=True,
    )


@click.command()
@click.option("--app-monitor-id", required=True, help=f"The monitor id (stack output {Outputs.APP_MONITOR_ID}).")
@click.option("--region", required=True, help="The monitor's region.")
@click.option("--identity-pool-id", help="Cognito identity pool (enhanced flow).")
@click.option("--unsigned", is_flag=True, help="Send unsigned requests (resource-policy mode).")
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    help="Settings file whose [monitor] and [snippet] sections configure the client "
    "(default: ./rumcfn.toml if present).",
)
@click.option("--endpoint", help="Data-plane URL (default https://dataplane.rum.REGION.<the partition's DNS suffix>).")
@click.option("--client-url", help="Where to load the web client from (default: AWS's CDN).")
@click.option("--client-version", help="Web client version on the CDN.")
@click.option("--app-version", help="Your site's version.")
@click.option("--release-id", help="Release id sent as releaseId, for source maps (snippet.release_id).")
@click.option("--telemetries", help="Comma-separated: errors,performance,http.")
@click.option("--sample-rate", type=float, help="Share of sessions recorded, 0 to 1.")
@click.option("--exclude-page", "excluded", multiple=True, help="Page URL never recorded (repeatable).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["js", "module"]),
    default="js",
    show_default=True,
    help="js: the CDN loader snippet; module: an ES module for bundlers (aws-rum-web, or "
    "@aws-rum/web-slim with --unsigned).",
)
@click.option("--html", is_flag=True, help="Wrap in a <script> tag to paste into pages (js format).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE instead of stdout (- is stdout).")
def snippet(
    app_monitor_id,
    region,
    identity_pool_id,
    unsigned,
    config_file,
    endpoint,
    client_url,
    client_version,
    app_version,
    release_id,
    telemetries,
    sample_rate,
    excluded,
    fmt,
    html,
    output,
) -> None:
    """Render a concrete rum.js (or ES module) for a monitor that already exists."""
    from rumcfn.cli.options import resolve_settings
    from rumcfn.client.module import render_module
    from rumcfn.client.snippet import concrete, render_concrete

    if html and fmt == "module":
        raise SettingsError("--html", "applies to --format js only", "--format module")
    arguments = dict(
        app_monitor_id=app_monitor_id,
        region=region,
        identity_pool_id=identity_pool_id,
        unsigned=unsigned,
        endpoint=endpoint,
        client_url=client_url,
        client_version=client_version,
        app_version=app_version,
        telemetries=split_list(telemetries, "--telemetries") if telemetries is not None else None,
        release_id=release_id,
        sample_rate=sample_rate,
        excluded_pages=excluded or None,
        settings=resolve_settings(config_file, {}),
    )
    if fmt == "module":
        emit(render_module(concrete(**arguments)), output)
        return
    text = render_concrete(**arguments)
    emit(f"<script>\n{text}</script>\n" if html else text, output)


@click.command()
@TEMPLATE_FILE
@settings_options
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write to FILE (.dot, .svg or .png) instead of DOT on stdout.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["dot", "svg", "png"]), help="Output format (default: from -o's suffix)."
)
@click.option("--title/--no-title", default=True, show_default=True, help="Put the template description on top.")
def diagram(settings: Settings, template_file: str | None, output: str | None, fmt: str | None, title: bool) -> None:
    """Draw the stack's resources and references (Graphviz DOT; SVG/PNG need `dot`).

    Without TEMPLATE_FILE, the template is built from settings.
    """
    from rumcfn.template import diagram as dg
    from rumcfn.template.reader import source

    template = source(template_file, settings).data
    kind = dg.format_of(output, fmt)
    dot = dg.to_dot(template, title=template.get("Description") if title else None)
    emit(dot if kind == "dot" else dg.render(dot, kind), output)
    if output and output != STDOUT:
        click.echo(f"{output}: {len(template.get('Resources') or {})} resources, {kind}", err=True)


COMMANDS = (synth, lint, snippet, diagram)
