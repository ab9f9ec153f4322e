"""Click commands that talk to AWS: deploy (a stack or a StackSet), diff, outputs, destroy, servicecatalog.

Thin wrappers: they parse flags and call ``deploy``, ``stacksets`` and ``servicecatalog``. Nothing here imports
boto3; those modules import it only when a command runs.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import sys
from typing import Any, Callable

import click

from rumcfn.cli.options import DEFAULT_CONFIG, Lazy, aws_options, checked, examples, parse_pairs, settings_options
from rumcfn.config import MonitorSettings, SettingsError, split_list
from rumcfn.config.fleet import DEFAULT_CONCURRENCY
from rumcfn.config.formats import (
    ACCOUNTS,
    BUCKET,
    CATALOG_ID,
    CATALOG_NAME,
    CATALOG_TEXT,
    CATALOG_VERSION,
    ORGANIZATIONAL_UNITS,
    REGIONS,
    ROLE_ARN,
    STACK_NAME,
    STACK_NAME_OR_ID,
    STACK_SET_NAME,
    STACK_TAGS,
)
from rumcfn.config.settings import setting_field
from rumcfn.errors import UsageError


def overrides_and_tags(parameter_overrides: tuple[str, ...], stack_tags: tuple[str, ...]) -> tuple[dict, dict]:
    """``--parameter-overrides`` and ``--tags``, each possibly several ``K=V`` in one quoted value (like the AWS
    CLI)."""
    tags = parse_pairs("--tags", stack_tags, several_per_value=True)
    STACK_TAGS.check("--tags", tuple(tags.items()))
    return parse_pairs("--parameter-overrides", parameter_overrides, several_per_value=True), tags


def stack_tags_checked(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    """``--tags`` held to the tagging rules while the flags are parsed (before settings are read, or AWS called)."""
    overrides_and_tags((), value)
    return value


def interactive() -> bool:
    return sys.stdin.isatty()


def confirmer(yes: bool, what: str) -> Callable[[str], bool] | None:
    """None (no question) with --yes; a prompt on a terminal; otherwise refuse rather than hang."""
    if yes:
        return None
    if not interactive():
        raise UsageError(
            f"stdin is not a terminal, so rumcfn cannot ask before it {what}; pass --yes to go ahead without asking"
        )
    return ask


def ask(question: str) -> bool:
    """A yes/no question on the terminal; Ctrl-C or end of input is no."""
    try:
        return click.confirm(question, default=False)
    except click.exceptions.Abort:
        return False


def template_options(command: Callable) -> Callable:
    """The settings flags or --template-file, passed on as ``template=`` (built lazily, ``mode`` decides how)."""

    @settings_options(unless="template_file")
    @click.option(
        "--template-file",
        type=click.Path(dir_okay=False),
        help="Deploy this template instead of building one from settings.",
    )
    @functools.wraps(command)
    def wrapper(settings: Lazy | None, template_file: str | None, **kwargs):
        if kwargs.get("fleet") and template_file:
            raise SettingsError("--template-file", "does not go with --fleet (the fleet's templates are built from "
                                "its sites)", template_file)

        def load(parameters: bool = False):
            from rumcfn.template.reader import source

            built = settings and settings.get()
            return source(
                template_file,
                dataclasses.replace(built, parameters=True) if parameters and built else built,
                "--template-file",
            )

        return command(template=load, **kwargs)

    return wrapper


def stack_options(command: Callable) -> Callable:
    @click.option(
        "--parameter-overrides",
        "parameter_overrides",
        multiple=True,
        metavar="KEY=VALUE",
        help="Template parameter values (repeatable; or several in one quoted, space-separated string).",
    )
    @click.option("--tags", "stack_tags", multiple=True, metavar="KEY=VALUE", callback=stack_tags_checked,
                  help="Tags of the stack (repeatable); the monitor's own are --monitor.tags.")
    @click.option("--role-arn", callback=checked(ROLE_ARN), help="IAM role CloudFormation assumes for this stack.")
    @click.option(
        "--s3-bucket",
        callback=checked(BUCKET),
        help="Upload the template to this bucket (required when it is over 51,200 bytes).",
    )
    @functools.wraps(command)
    def wrapper(**kwargs):
        return command(**kwargs)

    return wrapper


@click.command("deploy", epilog=examples(
    "rumcfn deploy --stack-name shop-rum --config rumcfn.toml --region eu-west-1",
    "rumcfn deploy --stack-name shop-rum --monitor.name shop --monitor.domains shop.example.com "
    "--script.bucket shop-site --yes",
    "rumcfn deploy --fleet fleet.toml --max-concurrency 8 --region eu-west-1 --yes",
))
@click.option("--stack-name", callback=checked(STACK_NAME), help="Deploy to this stack (created if it does not exist).")
@click.option("--fleet", type=click.Path(),
              help="Deploy every site of a fleet (a rumcfn.toml with [[sites]], or a directory of site files): one "
              "stack each, or with --service-catalog / --stack-set.")
@click.option("--max-concurrency", type=click.IntRange(min=1), default=DEFAULT_CONCURRENCY, show_default=True,
              help="--fleet: sites deployed at once.")
@click.option("--service-catalog", "service_catalog", callback=checked(CATALOG_NAME),
              help="--fleet: provision one product of this Service Catalog product per site (each distinct template "
              "a version; with --portfolio-id and --s3-bucket).")
@click.option("--portfolio-id", callback=checked(CATALOG_ID), help="--service-catalog: the product's portfolio.")
@click.option(
    "--stack-set",
    callback=checked(STACK_SET_NAME),
    help="Deploy as this StackSet instead (with --regions and --accounts or --organizational-units).",
)
@template_options
@stack_options
@aws_options
@click.option("--no-execute-changeset", is_flag=True, help="Create and show the change set, but do not execute it.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation (needed when stdin is not a terminal).")
@click.option(
    "--termination-protection/--no-termination-protection",
    default=None,
    help="Turn the stack's termination protection on or off (default: leave it).",
)
@click.option(
    "--accounts",
    callback=checked(ACCOUNTS, comma_list=True),
    help="StackSet: comma-separated 12-digit account ids (self-managed permissions).",
)
@click.option(
    "--organizational-units",
    callback=checked(ORGANIZATIONAL_UNITS, comma_list=True),
    help="StackSet: comma-separated OU ids (service-managed permissions).",
)
@click.option(
    "--regions", callback=checked(REGIONS, comma_list=True), help="StackSet: comma-separated regions to deploy to."
)
@click.option(
    "--max-concurrent-percentage", type=click.IntRange(1, 100), help="StackSet: accounts deployed at once, in %."
)
@click.option(
    "--failure-tolerance-percentage", type=click.IntRange(0, 100), help="StackSet: failures tolerated per region, in %."
)
def deploy_command(
    stack_name,
    stack_set,
    template,
    parameter_overrides,
    stack_tags,
    role_arn,
    s3_bucket,
    aws,
    no_execute_changeset,
    yes,
    termination_protection,
    accounts,
    organizational_units,
    regions,
    max_concurrent_percentage,
    failure_tolerance_percentage,
    fleet=None,
    max_concurrency=4,
    service_catalog=None,
    portfolio_id=None,
    config=None,
) -> None:
    """Deploy through a change set: show it, confirm, execute, follow the events, print the outputs."""
    if fleet:
        from rumcfn.cli import fleet as fleets

        if stack_name or accounts or organizational_units or regions or no_execute_changeset \
                or termination_protection is not None or parameter_overrides:
            raise SettingsError("--fleet", "takes its stacks, accounts, Regions and parameters from the fleet's sites "
                                "(no --stack-name, --accounts, --organizational-units, --regions, "
                                "--parameter-overrides, --no-execute-changeset or --termination-protection)", fleet)
        _, tags = overrides_and_tags((), stack_tags)
        fleets.deploy(fleet, config, aws, max_concurrency=max_concurrency, service_catalog=service_catalog,
                      portfolio_id=portfolio_id, stack_set=stack_set, s3_bucket=s3_bucket, tags=tags,
                      role_arn=role_arn, confirm=confirmer(yes, "deploys the fleet"))
        return
    if service_catalog or portfolio_id:
        raise SettingsError("--service-catalog/--portfolio-id", "only go with --fleet", service_catalog or portfolio_id)
    if bool(stack_name) == bool(stack_set):
        raise SettingsError(
            "--stack-name/--stack-set", "give exactly one", f"{stack_name or ''}{stack_set or ''}" or "neither"
        )
    parameters, tags = overrides_and_tags(parameter_overrides, stack_tags)
    if stack_set:
        from rumcfn.aws.stacksets import StackSetRequest, deploy_stack_set

        if role_arn or no_execute_changeset or termination_protection is not None:
            raise SettingsError(
                "--stack-set", "does not take --role-arn, --no-execute-changeset or --termination-protection", stack_set
            )
        request = StackSetRequest(
            name=stack_set,
            template=template(parameters=True),
            regions=split_list(regions),
            accounts=split_list(accounts),
            organizational_units=split_list(organizational_units),
            parameters=parameters,
            tags=tags,
            s3_bucket=s3_bucket,
            max_concurrent_percentage=max_concurrent_percentage,
            failure_tolerance_percentage=failure_tolerance_percentage,
        )
        deploy_stack_set(aws, request)
        return
    if accounts or organizational_units or regions or max_concurrent_percentage or failure_tolerance_percentage:
        raise SettingsError("--accounts/--organizational-units/--regions", "only go with --stack-set", stack_name)
    from rumcfn.aws.deploy import StackRequest, deploy

    confirm = None if no_execute_changeset else confirmer(yes, "executes the change set")
    request = StackRequest(stack_name, template(), parameters, tags, role_arn, s3_bucket, termination_protection)
    deploy(aws, request, execute=not no_execute_changeset, confirm=confirm)


@click.command("diff", epilog=examples("rumcfn diff --stack-name shop-rum --config rumcfn.toml"))
@click.option(
    "--stack-name", required=True, callback=checked(STACK_NAME), help="The stack to compare with (need not exist)."
)
@template_options
@stack_options
@aws_options
def diff_command(stack_name, template, parameter_overrides, stack_tags, role_arn, s3_bucket, aws) -> None:
    """Show the change set a deploy would execute, then delete it."""
    from rumcfn.aws.deploy import StackRequest, diff

    request = StackRequest(
        stack_name, template(), *overrides_and_tags(parameter_overrides, stack_tags), role_arn, s3_bucket
    )
    diff(aws, request)


@click.command("outputs", epilog=examples("rumcfn outputs --stack-name shop-rum --key ScriptTag"))
@click.option("--stack-name", required=True, callback=checked(STACK_NAME_OR_ID))
@click.option("--key", help="Print only this output's value (e.g. ScriptTag).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@aws_options
def outputs_command(stack_name: str, key: str | None, fmt: str, aws: Any) -> None:
    """Print a deployed stack's outputs."""
    from rumcfn.aws.stacks import get_outputs
    from rumcfn.aws.views import outputs_block

    outputs = get_outputs(aws, stack_name)
    if key:
        values = [o["OutputValue"] for o in outputs if o["OutputKey"] == key]
        if not values:
            raise SettingsError(
                "--key", f"stack {stack_name} has outputs {', '.join(o['OutputKey'] for o in outputs) or 'none'}", key
            )
        click.echo(values[0])
    elif fmt == "json":
        click.echo(json.dumps({o["OutputKey"]: o["OutputValue"] for o in outputs}, indent=1))
    else:
        click.echo(outputs_block(outputs, stack_name))


@click.command("destroy", epilog=examples("rumcfn destroy --stack-name shop-rum --yes"))
@click.option("--stack-name", required=True, callback=checked(STACK_NAME_OR_ID))
@click.option("--role-arn", callback=checked(ROLE_ARN), help="IAM role CloudFormation assumes to delete the resources.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation (needed when stdin is not a terminal).")
@aws_options
def destroy_command(stack_name: str, role_arn: str | None, yes: bool, aws: Any) -> None:
    """Delete the stack and wait until it is gone."""
    from rumcfn.aws.deploy import destroy

    destroy(aws, stack_name, role_arn=role_arn, confirm=confirmer(yes, f"deletes stack {stack_name}"))


@click.group("servicecatalog", epilog=examples(
    "rumcfn servicecatalog publish --product-name RUM --portfolio-id port-abc123 --version v1 --s3-bucket templates"))
def servicecatalog_group() -> None:
    """Publish the template as an AWS Service Catalog product."""


@servicecatalog_group.command("publish", epilog=examples(
    "rumcfn servicecatalog publish --product-name RUM --portfolio-id port-abc123 --version v1.1.0 "
    "--s3-bucket templates --config rumcfn.toml"))
@click.option("--product-name", required=True, callback=checked(CATALOG_NAME))
@click.option(
    "--portfolio-id", required=True, callback=checked(CATALOG_ID), help="Portfolio the product belongs to (port-...)."
)
@click.option(
    "--version",
    "version",
    required=True,
    callback=checked(CATALOG_VERSION),
    help="Provisioning artifact (version) name, e.g. v1.2.0.",
)
@click.option(
    "--s3-bucket", required=True, callback=checked(BUCKET), help="Bucket Service Catalog reads the template from."
)
@click.option(
    "--description", default="", callback=checked(CATALOG_TEXT), help="Description of the product and the version."
)
@click.option(
    "--owner",
    default="rumcfn",
    show_default=True,
    callback=checked(CATALOG_NAME),
    help="Product owner shown in the catalog.",
)
@template_options
@aws_options
def publish_command(product_name, portfolio_id, version, s3_bucket, description, owner, template, aws) -> None:
    """Upload the --parameters template and create the product, or add this version to it."""
    from rumcfn.aws.servicecatalog import PublishRequest, publish

    publish(
        aws,
        PublishRequest(product_name, portfolio_id, version, s3_bucket, template(parameters=True), description, owner),
    )


@click.command("import", epilog=examples(
    "rumcfn import --monitor.name shop --script.bucket shop-site --stack-name shop-rum --region eu-west-1",
))
@click.option("--monitor.name", "monitor__name", required=True, metavar="NAME",
              callback=checked(MonitorSettings.rule("name")), help=setting_field("monitor.name").metadata["doc"])
@click.option("--script.bucket", "script__bucket", required=True, metavar="BUCKET", callback=checked(BUCKET),
              help=setting_field("script.bucket").metadata["doc"])
@click.option("--stack-name", required=True, callback=checked(STACK_NAME), help="The new stack that takes it in.")
@click.option("-o", "--output", default=DEFAULT_CONFIG, show_default=True, type=click.Path(dir_okay=False),
              help="Where to write the settings that reproduce the monitor.")
@click.option("--force", is_flag=True, help="Write over an existing settings file.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation (needed when stdin is not a terminal).")
@aws_options
def import_command(monitor__name, script__bucket, stack_name, output, force, yes, aws) -> None:
    """Adopt the existing app monitor --monitor.name (made in the console or by another tool): write the rumcfn.toml
    that reproduces it exactly (with --script.bucket, which the monitor does not know), import the monitor into a
    new stack (IMPORT change set, DeletionPolicy Retain), then add the rest of the stack."""
    from rumcfn.cli import fleet as fleets

    fleets.adopt(aws, monitor__name, stack_name, script__bucket, output, force,
                 confirmer(yes, "imports the monitor into a stack"))


COMMANDS = (deploy_command, import_command, diff_command, outputs_command, destroy_command, servicecatalog_group)
