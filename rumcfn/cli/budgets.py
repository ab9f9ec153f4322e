"""``rumcfn budgets check``: the CI budget gate over :mod:`rumcfn.aws.budget_gate`."""

from __future__ import annotations

from pathlib import Path

import click

from rumcfn.cli.options import DEFAULT_CONFIG, aws_options, checked, settings_options
from rumcfn.config.formats import STACK_NAME_OR_ID
from rumcfn.errors import UsageError
from rumcfn.config import Settings


@click.group()
def budgets() -> None:
    """Performance budgets of a deployed monitor."""


@budgets.command("check")
@click.option("--stack-name", callback=checked(STACK_NAME_OR_ID),
              help="Read budgets and monitor name from this deployed stack.")
@settings_options
@click.option("--days", type=click.IntRange(1, 455), default=7, show_default=True,
              help="Window: the statistic is computed over the last DAYS days.")
@click.option("--min-samples", type=click.IntRange(1), default=1, show_default=True,
              help="Fewer samples than this for a vital means not enough data.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@aws_options
def check(settings: Settings, stack_name: str | None, days: int, min_samples: int, fmt: str, aws) -> None:
    """Compare the monitor's vitals with its budgets: exit 0 all met, 1 a budget broken, 3 not enough data.

    Give --stack-name (budgets from the deployed template) or --app-monitor-name (budgets from
    settings: flags, --config or ./rumcfn.toml).
    """
    from rumcfn.aws import budget_gate as bc

    params = click.get_current_context().params
    by_name = params.get("app_monitor_name")
    if stack_name and by_name:
        raise UsageError("give either --stack-name or --app-monitor-name, not both")
    if not stack_name and not by_name and not params.get("config") and not Path(DEFAULT_CONFIG).is_file():
        raise UsageError("give --stack-name STACK or --app-monitor-name NAME (or --config FILE)")
    cloudformation, cloudwatch = bc.clients(aws)
    if stack_name:
        monitor, budget_list = bc.from_stack(cloudformation, stack_name)
    else:
        if not isinstance(settings.monitor.name, str):
            raise UsageError("--app-monitor-name is needed: the monitor name is a template parameter")
        monitor, budget_list = settings.monitor.name, bc.budgets_from_settings(settings)
    report = bc.check(cloudwatch, monitor, budget_list, days=days, min_samples=min_samples)
    click.echo(bc.to_json(report) if fmt == "json" else bc.table(report), nl=False)
    bc.verdict(report)


COMMANDS = (budgets,)
