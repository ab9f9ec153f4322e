"""Flags shared by several commands, and how they become settings or an AWS target.

Kept apart from :mod:`rumcfn.cli` so that command modules can import them without importing the
command group that imports them.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Callable

import click

from rumcfn.config import Settings, SettingsError, budget_override, load, split_list, with_overrides
from rumcfn.config.rules import Rule
from rumcfn.facts import BUDGET_METRICS

DEFAULT_CONFIG = "rumcfn.toml"


def parse_pairs(option: str, values: tuple[str, ...], *, several_per_value: bool = False) -> dict[str, str]:
    """``KEY=VALUE`` flags. With ``several_per_value`` one flag may hold several, space-separated and
    shell-quoted (``"A=1 B='x y'"``), as ``aws cloudformation deploy --parameter-overrides`` takes them."""
    import shlex

    pairs: dict[str, str] = {}
    for value in values:
        for item in shlex.split(value) if several_per_value else (value,):
            key, sep, val = item.partition("=")
            if not sep or not key:
                raise SettingsError(option, "must be KEY=VALUE", item)
            pairs[key] = val
    return pairs


def checked(rule: Rule, *, comma_list: bool = False) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """A click callback holding a flag's value to ``rule`` (each entry of a comma-separated list with
    ``comma_list``): a bad value is one line naming the flag, while the flags are parsed, so before any AWS call."""

    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is not None:
            flag = max(param.opts, key=len)
            rule.check(flag, split_list(value, flag) if comma_list else value)
        return value

    return callback


def resolve_settings(config: str | None, overrides: dict[str, Any], tags: tuple[str, ...] = (),
                     budgets: tuple[str, ...] = ()) -> Settings:
    """Settings from the file (``--config``, else ./rumcfn.toml if present, else the example), then flags."""
    if config is None and Path(DEFAULT_CONFIG).is_file():
        config = DEFAULT_CONFIG
    settings = load(config) if config else Settings()
    overrides = {key: value for key, value in overrides.items() if value is not None}
    if tags:
        merged = dict(settings.monitor.tags)
        merged.update(parse_pairs("--tag", tags))
        overrides["monitor.tags"] = tuple(merged.items())
    overrides.update(budget_override(key, value) for key, value in parse_pairs("--budget", budgets).items())
    return with_overrides(settings, overrides) if overrides else settings


def settings_options(command: Callable) -> Callable:
    """The settings flags shared by every command that builds a template; passes ``settings=``."""

    @click.option(
        "--config", type=click.Path(dir_okay=False), help=f"Settings file (default: ./{DEFAULT_CONFIG} if present)."
    )
    @click.option("--app-monitor-name", help="App monitor name.")
    @click.option("--domain", "domains", multiple=True, help="Domain the monitor accepts (repeat for up to 5).")
    @click.option("--bucket", help="Website bucket that receives rum.js.")
    @click.option("--site-url", help="Page the canary opens.")
    @click.option("--auth", type=click.Choice(["cognito", "resource-policy"]), help="How browsers are authorized.")
    @click.option("--sample-rate", type=float, help="Share of sessions recorded, 0 to 1.")
    @click.option("--telemetries", help="Comma-separated: errors,performance,http.")
    @click.option("--tag", "tags", multiple=True, metavar="KEY=VALUE", help="Tag for the app monitor (repeatable).")
    @click.option(
        "--budget",
        "budgets",
        multiple=True,
        metavar="KEY=VALUE",
        help=f"Performance budget, KEY one of {', '.join(BUDGET_METRICS)}; VALUE a number or off.",
    )
    @click.option("--no-canary", is_flag=True, default=None, help="Leave out the Synthetics canary.")
    @click.option("--alert-email", help="E-mail subscribed to alarm notifications.")
    @click.option(
        "--parameters",
        "parameters",
        is_flag=True,
        default=None,
        help="Site values as CloudFormation Parameters (Service Catalog).",
    )
    @functools.wraps(command)
    def wrapper(
        config,
        app_monitor_name,
        domains,
        bucket,
        site_url,
        auth,
        sample_rate,
        telemetries,
        tags,
        budgets,
        no_canary,
        alert_email,
        parameters,
        **kwargs,
    ):
        overrides = {
            "monitor.name": app_monitor_name,
            "monitor.domains": tuple(domains) or None,
            "script.bucket": bucket,
            "canary.url": site_url,
            "auth.mode": auth,
            "monitor.session_sample_rate": sample_rate,
            "monitor.telemetries": split_list(telemetries, "--telemetries") if telemetries is not None else None,
            "canary.enabled": False if no_canary else None,
            "alarms.email": alert_email,
            "parameters": parameters,
        }
        if kwargs.get("fleet"):  # the fleet holds every site's settings: none are read here, no flag sets one
            given = [key for key, value in overrides.items() if value is not None] + (["--tag"] if tags else []) \
                + (["--budget"] if budgets else [])
            if given:
                raise SettingsError("--fleet", "takes each site's settings from the fleet, not from flags",
                                    ", ".join(given))
            return command(settings=None, config=config, **kwargs)
        settings = resolve_settings(config, overrides, tags, budgets)
        return command(settings=settings, **kwargs)

    return wrapper


def aws_options(command: Callable) -> Callable:
    """--region / --profile / --endpoint-url, passed on as ``aws=`` (an ``rumcfn.aws.session.Aws``; boto3 loads
    later)."""

    @click.option("--region", help="AWS region (default: AWS_REGION / AWS_DEFAULT_REGION / the profile's).")
    @click.option("--profile", help="Named AWS profile (default: AWS_PROFILE or the default credentials).")
    @click.option("--endpoint-url", help="Custom AWS endpoint, e.g. a local emulator (default: AWS_ENDPOINT_URL).")
    @functools.wraps(command)
    def wrapper(region, profile, endpoint_url, **kwargs):
        from rumcfn.aws.session import Aws

        return command(aws=Aws(region=region, profile=profile, endpoint_url=endpoint_url), **kwargs)

    return wrapper
