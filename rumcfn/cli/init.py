"""``rumcfn init``: a commented rumcfn.toml for the user's own site, from flags or, on a terminal, from answers."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Callable

import click

from rumcfn.cli.files import write_file
from rumcfn.cli.options import SettingFlag, examples, flag_of, note, overrides_from, setting_flags
from rumcfn.config import SettingsError, from_mapping
from rumcfn.config.sources import DEFAULT_FILE, words
from rumcfn.errors import UsageError

#: What init asks for, in this order, as the flags every other command spells the same way.
INIT_FLAGS = (
    SettingFlag("monitor.domains", "list", metavar="DOMAIN"),
    SettingFlag("script.bucket", metavar="BUCKET"),
    SettingFlag("monitor.name", metavar="NAME"),
    SettingFlag("auth.mode", choices=("cognito", "resource-policy")),
    SettingFlag("monitor.session_sample_rate", "float", metavar="RATE"),
    *(SettingFlag(f"budgets.{key}", "budget", metavar="VALUE") for key in ("lcp", "inp", "cls")),
)
#: What a site cannot do without (the name defaults to the first domain).
REQUIRED = ("monitor.domains", "script.bucket")


def interactive() -> bool:
    return sys.stdin.isatty()


def checked_answer(key: str, convert: Callable[[str], Any] = str) -> Callable[[str], Any]:
    """A prompt's answer held to the setting's rule; a bad one is said and asked again."""
    from rumcfn.config.settings import setting_field

    rule = setting_field(key).metadata["rule"]

    def check(text: str) -> Any:
        try:
            value = convert(text)
            rule.check(key, rule.normalize(value))
        except (SettingsError, ValueError) as error:
            raise click.BadParameter(str(error).removeprefix(f"setting {key}: ")) from None
        return value

    return check


def ask(answers: dict[str, Any], region: str | None) -> str | None:
    """Prompt for what the flags left out (on a terminal only)."""
    from rumcfn.config.formats import REGION
    from rumcfn.config.settings import Settings

    defaults = Settings()
    if "monitor.domains" not in answers:
        check = checked_answer("monitor.domains", lambda text: tuple(d.strip() for d in text.split(",") if d.strip()))
        answers["monitor.domains"] = click.prompt("Domains of the site (comma-separated)", value_proc=check)
    if "script.bucket" not in answers:
        answers["script.bucket"] = click.prompt("S3 bucket that serves the site (receives rum.js)",
                                                value_proc=checked_answer("script.bucket"))
    if "monitor.name" not in answers:
        answers["monitor.name"] = click.prompt("App monitor name", default=default_name(answers),
                                               value_proc=checked_answer("monitor.name"))
    if region is None:
        def region_check(text: str) -> str:
            try:
                REGION.check("--region", text.strip())
            except SettingsError as error:
                raise click.BadParameter(str(error).removeprefix("setting --region: ")) from None
            return text.strip()

        region = click.prompt("AWS Region to deploy to", default=os.environ.get("AWS_REGION") or "us-east-1",
                              value_proc=region_check)
    if "auth.mode" not in answers:
        answers["auth.mode"] = click.prompt("Authorization (cognito: signed, resource-policy: unsigned)",
                                            type=click.Choice(["cognito", "resource-policy"]),
                                            default=defaults.auth.mode)
    for key, label in (("lcp", "LCP budget, ms"), ("inp", "INP budget, ms"), ("cls", "CLS budget")):
        if f"budgets.{key}" not in answers:
            default = getattr(defaults.budgets, key)
            answers[f"budgets.{key}"] = click.prompt(f"{label} (or off)", default=str(default), value_proc=budget(key))
    return region


def budget(key: str) -> Callable[[str], Any]:
    """A budget answer: a number or off, held to the budget's rule."""
    from rumcfn.config import budget_override
    from rumcfn.config.budgets import BudgetSettings

    def check(text: str) -> Any:
        try:
            value = budget_override(key, text.strip(), f"budgets.{key}")[1]
            BudgetSettings(**{key: value})
        except SettingsError as error:
            raise click.BadParameter(str(error).removeprefix(f"setting budgets.{key}: ")) from None
        return value

    return check


def default_name(answers: dict[str, Any]) -> str:
    """The first domain, without a wildcard: a valid monitor name, and what the site is called."""
    return str(answers["monitor.domains"][0]).removeprefix("*.")


def nested(answers: dict[str, Any]) -> dict[str, dict[str, Any]]:
    tables: dict[str, dict[str, Any]] = {}
    for dotted, value in answers.items():
        table, _, key = dotted.partition(".")
        tables.setdefault(table, {})[key] = "off" if value is None else value
    return tables


@click.command(epilog=examples(
    "rumcfn init",
    "rumcfn init --monitor.domains shop.example.com --script.bucket shop-site --region eu-west-1",
))
@setting_flags(INIT_FLAGS)
@click.option("--region", help="The AWS Region to deploy to (checked to offer every resource type the stack uses).")
@click.option("-o", "--output", default=DEFAULT_FILE, show_default=True, type=click.Path(dir_okay=False),
              help="The settings file to write.")
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
def init(region: str | None, output: str, force: bool, **flags: Any) -> None:
    """Write a commented rumcfn.toml for your site: from the flags, asking on a terminal for what they leave out.

    The answers meet the same rules as every settings file, and the template they build is checked before
    anything is written. An existing file is only replaced with --force.
    """
    from rumcfn.config.formats import REGION
    from rumcfn.config.starter import notes, starter
    from rumcfn.template.reader import from_settings
    from rumcfn.template.regions import check_regions

    if Path(output).exists() and not force:
        raise UsageError(f"{output} exists; pass --force to replace it (or -o another file)")
    if region is not None:
        REGION.check("--region", region)
    answers, _ = overrides_from(INIT_FLAGS, flags)
    from_mapping(nested(answers))  # what was given, by its rules, before asking for the rest
    missing = [key for key in REQUIRED if key not in answers]
    if missing and not interactive():
        raise UsageError(f"{words([flag_of(key) for key in missing])} needed (no terminal to ask on): e.g. rumcfn init "
                         "--monitor.domains shop.example.com --script.bucket shop-site")
    if missing or (interactive() and region is None):
        region = ask(answers, region)
    answers.setdefault("monitor.name", default_name(answers))
    settings, text = starter(nested(answers), region)
    template = from_settings(settings)  # the stack's own rules too, before anything is written
    if region:
        check_regions(template.data, [region])
    write_file(output, text)
    note(f"wrote {output} for {settings.monitor.name} ({', '.join(settings.monitor.domains)})")
    for line in notes(settings):
        note(line)


COMMANDS = (init,)
