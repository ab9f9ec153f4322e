"""Commands over one template: ``synth``, ``lint``, ``snippet`` and ``diagram``."""

from __future__ import annotations

import click

from rumcfn.cli.files import STDOUT, emit, output_format
from rumcfn.cli.options import Lazy, SettingFlag, aws_options, checked, deprecated, examples, settings_options
from rumcfn.config import SettingsError
from rumcfn.config.delivery import LOAD_STRATEGIES
from rumcfn.config.formats import STACK_NAME_OR_ID
from rumcfn.contract import Outputs
from rumcfn.errors import UsageError


def warn(message: str | None) -> None:
    """A warning: one line on stderr; the command goes on and its exit code is unchanged."""
    if message:
        click.echo(f"rumcfn: warning: {message}", err=True)


#: File name suffixes and the format each names.
TEMPLATE_SUFFIXES = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}
DIAGRAM_SUFFIXES = {".dot": "dot", ".gv": "dot", ".svg": "svg", ".png": "png"}


def known_regions_only(regions: tuple[str, ...]) -> tuple[str, ...]:
    """``lint --region``: Regions cfn-lint has data for, checked while the flags are parsed."""
    from rumcfn.template.regions import data_source, known_regions

    for region in regions:
        if region not in known_regions():
            raise SettingsError("--region", f"must be a Region {data_source()} has data for", region)
    return regions


TEMPLATE_FILE = click.argument("template_file", required=False, type=click.Path(dir_okay=False, allow_dash=True))


FLEET = click.option("--fleet", type=click.Path(),
                     help="A fleet: a rumcfn.toml with [[sites]], or a directory of site files (over --config).")


@click.command(epilog=examples(
    "rumcfn synth --config rumcfn.toml -o template.yaml",
    "rumcfn synth --monitor.name shop --monitor.domains shop.example.com --script.bucket shop-site "
    "--snippet.release-id r42 -o template.json",
    "rumcfn synth --fleet fleet.toml -o out/",
))
@settings_options
@FLEET
@click.option("--lint/--no-lint", "lint_fleet", default=True, show_default=True,
              help="With --fleet: lint each distinct template once (a finding fails before anything is written).")
@click.option("--format", "fmt", type=click.Choice(["json", "yaml"]),
              help="Template format (default: from -o's name, .yaml/.yml or .json; else json).")
@click.option("-o", "--output", type=click.Path(), help="Write to FILE instead of stdout (- is stdout); with --fleet, "
              "the directory for the templates, parameter files and manifest.")
def synth(settings: Lazy | None, fmt: str | None, output: str | None, fleet: str | None = None,
          lint_fleet: bool = True, config: str | None = None) -> None:
    """Build the template from settings (the built-in example when none are given); with --fleet, one template per
    shape and one parameter file per site and consumer."""
    if fleet:
        from rumcfn.cli import fleet as fleets

        fleets.synth(fleet, config, output, fmt or "json", lint_fleet)
        return
    from rumcfn.stack.assemble import build_template
    from rumcfn.stack.source_maps import notes
    from rumcfn.template.output import render
    from rumcfn.template.reader import inline_warning

    fmt = output_format(output, fmt, TEMPLATE_SUFFIXES, "json")
    settings = settings.get()
    text = render(build_template(settings), fmt)
    emit(text, output)
    for note in notes(settings):
        click.echo(note, err=True)
    warn(inline_warning(len(text.encode("utf-8")), output if output and output != STDOUT else "the template"))


@click.command(epilog=examples(
    "rumcfn lint template.json",
    "rumcfn lint --config rumcfn.toml --region us-east-1 --region eu-west-1",
))
@TEMPLATE_FILE
@settings_options(unless="template_file")
@click.option(
    "--region",
    "regions",
    multiple=True,
    callback=lambda ctx, param, regions: known_regions_only(regions),
    help="Regions to check against, including whether each offers every resource type (default us-east-1; repeatable).",
)
def lint(settings: Lazy | None, template_file: str | None, regions: tuple[str, ...]) -> None:
    """Lint TEMPLATE_FILE (or - for stdin) with cfn-lint; without one, build from settings and lint."""
    from rumcfn.errors import CheckFailed
    from rumcfn.template.lint import DEFAULT_REGIONS, Linter
    from rumcfn.template.reader import inline_warning, source

    template = source(template_file, settings and settings.get())
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


#: The settings ``rumcfn snippet`` takes as flags: the ones the web client's configuration comes from.
SNIPPET_FLAGS = (
    SettingFlag("auth.mode", choices=("cognito", "resource-policy")),
    SettingFlag("monitor.telemetries", "list", old="--telemetries", metavar="LIST"),
    SettingFlag("monitor.session_sample_rate", "float", old="--sample-rate", metavar="RATE"),
    SettingFlag("monitor.excluded_pages", "entries", old="--exclude-page", metavar="PATTERN"),
    SettingFlag("snippet.release_id", old="--release-id", metavar="RELEASE"),
    SettingFlag("snippet.app_version", old="--app-version", metavar="VERSION"),
    SettingFlag("snippet.endpoint", old="--endpoint", metavar="URL"),
    SettingFlag("snippet.first_party", metavar="PATH"),
    SettingFlag("snippet.load", choices=LOAD_STRATEGIES),
    SettingFlag("snippet.client_url", old="--client-url", metavar="URL"),
    SettingFlag("snippet.client_version", old="--client-version", metavar="VERSION"),
)


@click.command(epilog=examples(
    "rumcfn snippet --stack-name shop-rum -o rum.js",
    "rumcfn snippet --app-monitor-id 0f2ad3c2-5b4e-4c8e-9a53-1b2f4a6e7d90 --region eu-west-1 "
    "--auth.mode resource-policy --format module -o src/rum.js",
))
@click.option("--stack-name", callback=checked(STACK_NAME_OR_ID),
              help="Read the monitor id, identity pool and region from this deployed stack's outputs.")
@click.option("--app-monitor-id", help=f"Without --stack-name: the monitor id (stack output {Outputs.APP_MONITOR_ID}).")
@click.option("--identity-pool-id",
              help=f"Without --stack-name, cognito mode: the pool (stack output {Outputs.IDENTITY_POOL_ID}).")
@click.option("--unsigned", is_flag=True, hidden=True)
@settings_options(site=(), flags=SNIPPET_FLAGS)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["js", "module"]),
    default="js",
    show_default=True,
    help="js: the CDN loader snippet; module: an ES module for bundlers (aws-rum-web, or "
    "@aws-rum/web-slim in resource-policy mode).",
)
@click.option("--html", is_flag=True, help="Wrap in a <script> tag to paste into pages (js format).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE instead of stdout (- is stdout).")
@aws_options
def snippet(settings: Lazy, stack_name, app_monitor_id, identity_pool_id, unsigned, fmt, html, output,
            aws) -> None:
    """Render a concrete rum.js (or ES module) for a monitor that already exists.

    The web client's configuration comes from the settings (--config, ./rumcfn.toml, flags); which monitor, from
    --stack-name or from --app-monitor-id and --region (with --identity-pool-id in cognito mode)."""
    import os

    from rumcfn.client.module import render_module
    from rumcfn.client.snippet import concrete, render_concrete

    if html and fmt == "module":
        raise SettingsError("--html", "applies to --format js only", "--format module")
    if unsigned:
        deprecated("--unsigned", "--auth.mode resource-policy")
    if stack_name:
        from rumcfn.aws.stacks import monitor_of_stack

        if app_monitor_id or identity_pool_id:
            raise UsageError("give --stack-name alone (its outputs name the monitor), or --app-monitor-id")
        monitor = monitor_of_stack(aws, stack_name)
        app_monitor_id, identity_pool_id, region = monitor.app_monitor_id, monitor.identity_pool_id, monitor.region
        unsigned = identity_pool_id is None
    else:
        region = aws.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        unsigned = unsigned or settings.get().auth.mode == "resource-policy"
    arguments = dict(app_monitor_id=app_monitor_id or "", region=region, identity_pool_id=identity_pool_id,
                     unsigned=unsigned, settings=settings.get())
    if fmt == "module":
        emit(render_module(concrete(**arguments)), output)
        return
    text = render_concrete(**arguments)
    emit(f"<script>\n{text}</script>\n" if html else text, output)


@click.command(epilog=examples(
    "rumcfn diagram --config rumcfn.toml -o stack.svg",
    "rumcfn diagram template.json -o stack.dot",
))
@TEMPLATE_FILE
@settings_options(unless="template_file")
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
def diagram(settings: Lazy | None, template_file: str | None, output: str | None, fmt: str | None, title: bool) -> None:
    """Draw the stack's resources and references (Graphviz DOT; SVG/PNG need `dot`).

    Without TEMPLATE_FILE, the template is built from settings.
    """
    from rumcfn.template import diagram as dg
    from rumcfn.template.reader import source

    kind = dg.format_of(output, output_format(output, fmt, DIAGRAM_SUFFIXES, None))
    template = source(template_file, settings and settings.get()).data
    dot = dg.to_dot(template, title=template.get("Description") if title else None)
    emit(dot if kind == "dot" else dg.render(dot, kind), output)
    if output and output != STDOUT:
        click.echo(f"{output}: {len(template.get('Resources') or {})} resources, {kind}", err=True)


COMMANDS = (synth, lint, snippet, diagram)
