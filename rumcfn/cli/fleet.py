"""What ``synth --fleet``, ``deploy --fleet`` and ``import`` do once their flags are read: a few lines each over
:mod:`rumcfn.config.fleet`, :mod:`rumcfn.template.fleet`, :mod:`rumcfn.aws.fleet` and :mod:`rumcfn.aws.adopt`."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import click

from rumcfn.errors import SettingsError, UsageError


def load(fleet: str, config: str | None):
    """The fleet at ``fleet`` (a file, or a directory over the settings of ``--config`` or a ./rumcfn.toml), every
    site checked."""
    from rumcfn.cli.options import note
    from rumcfn.config.fleet import load_fleet
    from rumcfn.config.sources import shared_tables

    if Path(fleet).is_dir():
        return load_fleet(fleet, shared_tables(config, note))
    if config is not None:
        raise SettingsError("--config", "goes with --fleet only when --fleet is a directory of site files (a fleet "
                            "file holds the shared settings itself)", config)
    return load_fleet(fleet)


def plan(fleet: str, config: str | None, fmt: str = "json", lint: bool = True, echo: Callable = click.echo):
    """The fleet's templates and parameter files; each distinct template linted once (a finding fails)."""
    from rumcfn.template.fleet import lint_fleet, regions_of, synth_fleet

    result = synth_fleet(load(fleet, config), fmt)
    if lint:
        from rumcfn.errors import CheckFailed
        from rumcfn.template.lint import DEFAULT_REGIONS, Linter

        findings = lint_fleet(result, Linter(regions_of(result.fleet.sites) or DEFAULT_REGIONS).lint)
        bad = [(path, f) for path, found in findings.items() for f in found if f.level in ("error", "warning")]
        for path, finding in bad:
            echo(f"{path}: {finding}", err=True)
        if bad:
            raise CheckFailed(f"{len(bad)} cfn-lint finding(s) in the fleet's templates; nothing was written")
    return result


def synth(fleet: str, config: str | None, output: str | None, fmt: str, lint: bool) -> None:
    from rumcfn.cli.files import write_tree

    if not output or output == "-":
        raise UsageError("synth --fleet writes a directory: give -o DIR")
    result = plan(fleet, config, fmt, lint)
    stale = write_tree(output, result.files())
    sites, templates = len(result.fleet.sites), len(result.templates)
    click.echo(f"{output}: {sites} site(s), {templates} template(s)"
               + (f" (each linted once, {templates} cfn-lint run(s))" if lint else "")
               + (f"; removed {len(stale)} file(s) an earlier run wrote" if stale else ""), err=True)


def deploy(fleet: str, config: str | None, aws: Any, *, max_concurrency: int, service_catalog: str | None,
           portfolio_id: str | None, stack_set: str | None, s3_bucket: str | None, tags: dict[str, str],
           role_arn: str | None, confirm: Callable[[str], bool] | None) -> None:
    """Build the fleet's templates (linted), ask once, then deploy every site the chosen way."""
    result = plan(fleet, config)
    sites, templates = len(result.fleet.sites), len(result.templates)
    how = (f"provisioned products of {service_catalog}" if service_catalog else
           f"instances of stack set {stack_set}" if stack_set else "stacks")
    if confirm is not None and not confirm(f"Deploy {sites} site(s) ({templates} template(s)) as {how}?"):
        from rumcfn.aws.deploy import Cancelled

        raise Cancelled("nothing deployed")
    if service_catalog:
        from rumcfn.aws.fleet_catalog import deploy_catalog

        if not (portfolio_id and s3_bucket):
            raise UsageError("--service-catalog needs --portfolio-id and --s3-bucket (where the versions are read "
                             "from)")
        deploy_catalog(aws, result, product_name=service_catalog, portfolio_id=portfolio_id, s3_bucket=s3_bucket,
                       max_concurrency=max_concurrency)
    elif stack_set:
        from rumcfn.aws.fleet_stacksets import deploy_stack_set_fleet

        deploy_stack_set_fleet(aws, result, name=stack_set, s3_bucket=s3_bucket, tags=tags)
    else:
        from rumcfn.aws.fleet import deploy_stacks

        deploy_stacks(aws, result, max_concurrency=max_concurrency, tags=tags, role_arn=role_arn,
                      s3_bucket=s3_bucket)


def adopt(aws: Any, name: str, stack_name: str, bucket: str, output: str, force: bool,
          confirm: Callable[[str], bool] | None) -> None:
    """Read the monitor, write the settings that reproduce it, then import it and add the rest of the stack."""
    from rumcfn.aws.adopt import import_monitor, read_monitor
    from rumcfn.cli.files import write_file
    from rumcfn.config.toml_text import settings_toml
    from rumcfn.template.adopt import adopt as adopted

    if Path(output).exists() and not force:
        raise UsageError(f"-o {output}: exists; rumcfn import never writes over a settings file (pass --force)")
    data, settings = adopted(read_monitor(aws, name), bucket)
    write_file(output, settings_toml(data, f"written by `rumcfn import` from app monitor {name}"))
    click.echo(f"{output}: the settings of app monitor {name} (its template holds the monitor as it is)", err=True)
    if confirm is not None and not confirm(f"Import app monitor {name} into a new stack {stack_name}, then add the "
                                           "rest of the stack?"):
        from rumcfn.aws.deploy import Cancelled

        raise Cancelled(f"nothing imported; {output} holds the monitor's settings")
    import_monitor(aws, settings, stack_name)
