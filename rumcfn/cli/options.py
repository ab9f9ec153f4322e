"""Flags shared by several commands, and how they become settings or an AWS target.

One name per setting: a flag that sets a setting is that setting's key path in rumcfn.toml, with ``-`` for ``_``
(``--monitor.session-sample-rate 0.5`` is ``[monitor] session_sample_rate = 0.5``); a flag without a dot is the
command's own (``--stack-name``, ``--tags`` of the stack, ``--release-id`` of a release to judge or upload). The
names of the previous release are kept, hidden, for one release: each use prints one deprecation line.

Kept apart from :mod:`rumcfn.cli.app`, which imports a command's module only when that command runs; this module
takes the group's :class:`~rumcfn.cli.app.Wiring` and ``examples`` from there (never the reverse).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable

import click

from rumcfn.cli.app import Wiring, examples  # noqa: F401 (examples: the command modules take it from here)
from rumcfn.config import SettingsError, budget_override, split_list
from rumcfn.config.delivery import LOAD_STRATEGIES
from rumcfn.config.rules import Rule
from rumcfn.config.settings import setting_field
from rumcfn.config.sources import DEFAULT_FILE, SITE, gather
from rumcfn.errors import UsageError
from rumcfn.facts import BUDGET_METRICS

DEFAULT_CONFIG = DEFAULT_FILE


def flag_of(key: str) -> str:
    """The flag of a setting: its key path, ``_`` written ``-``."""
    return "--" + key.replace("_", "-")


def param_of(key: str) -> str:
    """The click parameter a setting's flag fills (a Python name)."""
    return key.replace(".", "__")


def note(line: str) -> None:
    """A notice: one line on stderr; the command goes on."""
    click.echo(f"rumcfn: {line}", err=True)


def deprecated(old: str, new: str) -> None:
    click.echo(f"rumcfn: warning: {old} is deprecated and goes in the next release; use {new}", err=True)


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


@dataclass(frozen=True)
class SettingFlag:
    """A flag that sets one setting. ``old``: the previous release's name, hidden and deprecated.

    ``kind``: how the flag's values become the setting's value: ``text`` (as given), ``float``, ``list``
    (repeatable, or comma-separated), ``entries`` (repeatable, one entry each), ``pairs`` (repeatable
    ``KEY=VALUE``, added to the file's), ``budget`` (a number or ``off``), ``switch`` (``--KEY/--no-KEY``)."""

    key: str
    kind: str = "text"
    old: str | None = None
    metavar: str | None = None
    choices: tuple[str, ...] = ()

    @property
    def flag(self) -> str:
        return flag_of(self.key)

    def decorators(self) -> list[Callable]:
        doc = setting_field(self.key).metadata["doc"]
        many = self.kind in ("list", "entries", "pairs")
        kwargs: dict[str, Any] = {"help": doc, "multiple": many}
        if self.kind == "float":
            kwargs["type"] = float
        if self.choices:
            kwargs["type"] = click.Choice(self.choices)
        if self.metavar:
            kwargs["metavar"] = self.metavar
        if self.kind == "switch":
            options = [click.option(f"{self.flag}/--no-{self.flag[2:]}", param_of(self.key), default=None,
                                    help=doc)]
        else:
            options = [click.option(self.flag, param_of(self.key), **kwargs)]
        if self.old:
            old_kwargs = {k: v for k, v in kwargs.items() if k != "help"}
            if self.kind == "switch":
                old_kwargs = {"is_flag": True, "default": None}
            options.append(click.option(self.old, f"old__{param_of(self.key)}", hidden=True, **old_kwargs))
        return options

    def value(self, given: Any) -> Any:
        """The setting's value from what the flag was given (None for a budget that is off)."""
        if self.kind == "list":
            return tuple(entry for value in given for entry in split_list(value, self.flag))
        if self.kind == "entries":
            return tuple(given)
        if self.kind == "budget":
            return budget_override(self.key.partition(".")[2], given, self.flag)[1]
        return given


#: The settings every template-building command takes as flags (their file keys, with the old flag names).
SETTING_FLAGS = (
    SettingFlag("monitor.name", old="--app-monitor-name", metavar="NAME"),
    SettingFlag("monitor.domains", "list", old="--domain", metavar="DOMAIN"),
    SettingFlag("script.bucket", old="--bucket", metavar="BUCKET"),
    SettingFlag("auth.mode", choices=("cognito", "resource-policy"), old="--auth"),
    SettingFlag("monitor.session_sample_rate", "float", old="--sample-rate", metavar="RATE"),
    SettingFlag("monitor.telemetries", "list", old="--telemetries", metavar="LIST"),
    SettingFlag("monitor.tags", "pairs", old="--tag", metavar="KEY=VALUE"),
    SettingFlag("snippet.release_id", metavar="RELEASE"),
    SettingFlag("snippet.load", choices=LOAD_STRATEGIES),
    SettingFlag("snippet.first_party", metavar="PATH"),
    SettingFlag("canary.enabled", "switch", old="--no-canary"),
    SettingFlag("canary.url", old="--site-url", metavar="URL"),
    *(SettingFlag(f"budgets.{key}", "budget", metavar="VALUE") for key in BUDGET_METRICS),
    SettingFlag("alarms.email", old="--alert-email", metavar="EMAIL"),
    SettingFlag("parameters", "switch"),
)
FLAGS_BY_KEY = {flag.key: flag for flag in SETTING_FLAGS}
#: The previous release's ``--budget KEY=VALUE``, now ``--budgets.KEY VALUE``.
OLD_BUDGET = "old__budget"


def setting_flags(flags: tuple[SettingFlag, ...]) -> Callable[[Callable], Callable]:
    def apply(command: Callable) -> Callable:
        for flag in reversed(flags):
            for decorator in reversed(flag.decorators()):
                command = decorator(command)
        return command

    return apply


def given_on_command_line(names: list[str]) -> list[str]:
    """Which of these click parameters the user typed."""
    context = click.get_current_context()
    return [name for name in names if context.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE]


def overrides_from(flags: tuple[SettingFlag, ...], values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Dotted overrides from the flags' values (popped from ``values``), the old names folded in with a deprecation
    line; and the ``monitor.tags`` pairs to add to the file's."""
    overrides: dict[str, Any] = {}
    tags: dict[str, str] = {}
    for flag in flags:
        new = values.pop(param_of(flag.key), None)
        old = values.pop(f"old__{param_of(flag.key)}", None) if flag.old else None
        if old not in (None, ()):
            deprecated(flag.old or "", flag.flag)
            if flag.kind == "switch":
                old = False  # --no-canary
            if new in (None, ()):
                new = old
        if flag.kind == "pairs":
            tags.update(parse_pairs(flag.flag, new or ()))
        elif new not in (None, ()):
            overrides[flag.key] = flag.value(new)
    old_budgets = values.pop(OLD_BUDGET, ())
    if old_budgets:
        deprecated("--budget KEY=VALUE", "--budgets.KEY VALUE")
        for key, text in parse_pairs("--budget", old_budgets).items():
            dotted, value = budget_override(key, text)
            overrides.setdefault(dotted, value)
    return overrides, tags


def resolve_settings(config: str | None, overrides: dict[str, Any], tags: dict[str, str] | None = None, *,
                     site: tuple[str, ...] = ()):
    """Settings from the file (``--config``, else ./rumcfn.toml if present, named on stderr), then flags.

    ``site``: the site settings the command needs, all or none (the example, said on stderr)."""
    flags = {flag.key: flag.flag for flag in SETTING_FLAGS}
    return gather(config, overrides, tags=tags or {}, site=site, flags=flags, note=note)


class Lazy:
    """Settings read when the command first needs them (``.get()``), so that its own flags are checked first and a
    note about where the settings came from is only printed when they are used."""

    def __init__(self, resolve: Callable[[], Any]) -> None:
        self._resolve = resolve
        self._value: Any = None

    def get(self):
        if self._value is None:
            self._value = self._resolve()
        return self._value


#: Why settings flags do not apply when the command is given this instead.
INSTEAD = {"template_file": "the template is read, not built from settings",
           "stack_name": "the stack says what it deployed"}


def without_setting_flags(flags: tuple[SettingFlag, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    """``kwargs`` without the settings flags, none of which may be typed: with ``--fleet`` the fleet holds every
    site's settings."""
    names = [OLD_BUDGET, *(param_of(flag.key) for flag in flags), *(f"old__{param_of(flag.key)}" for flag in flags
                                                                     if flag.old)]
    typed = given_on_command_line(names)
    if typed:
        params = click.get_current_context().command.params
        labels = {p.name: "/".join(p.opts[:1] + p.secondary_opts[:1]) for p in params}
        raise SettingsError("--fleet", "takes each site's settings from the fleet, not from flags",
                            ", ".join(labels[name] for name in typed))
    return {key: value for key, value in kwargs.items() if key not in names}


def settings_options(command: Callable | None = None, *, site: tuple[str, ...] = SITE, unless: str | None = None,
                     flags: tuple[SettingFlag, ...] = SETTING_FLAGS) -> Callable:
    """The settings flags shared by every command that builds a template; passes ``settings=``, a :class:`Lazy`.

    ``site``: the site settings the command needs (all of :data:`SITE` to build a template), given together or not
    at all (then the announced example). ``unless``: a parameter of the
    command that, when given, means no settings are used (a template file, a deployed stack): settings flags are
    then refused, and ``settings=None``. A command with ``--fleet`` given takes every site's settings from the
    fleet: settings flags are refused, ``settings=None`` and ``config=`` (the settings under a directory of site
    files) is passed on."""

    def decorate(command: Callable) -> Callable:
        @click.option(
            "--config", type=click.Path(dir_okay=False), help=f"Settings file (default: ./{DEFAULT_CONFIG} if present)."
        )
        @setting_flags(flags)
        @click.option("--budget", OLD_BUDGET, multiple=True, hidden=True)
        @functools.wraps(command)
        def wrapper(config, **kwargs):
            if unless and kwargs.get(unless):
                names = ["config", OLD_BUDGET, *(param_of(flag.key) for flag in flags),
                         *(f"old__{param_of(flag.key)}" for flag in flags if flag.old)]
                typed = given_on_command_line(names)
                if typed:
                    labels = {p.name: p.opts[0] if p.opts[0].startswith("-") else p.human_readable_name
                              for p in click.get_current_context().command.params}
                    raise UsageError(f"{labels[typed[0]]} does not apply with {labels[unless]}: {INSTEAD[unless]}")
                for name in names:
                    kwargs.pop(name, None)
                return command(settings=None, **kwargs)
            if kwargs.get("fleet"):
                return command(settings=None, config=config, **without_setting_flags(flags, kwargs))
            overrides, tags = overrides_from(flags, kwargs)
            return command(settings=Lazy(lambda: resolve_settings(config, overrides, tags, site=site)), **kwargs)

        return wrapper

    return decorate(command) if command is not None else decorate


def aws_options(command: Callable) -> Callable:
    """--region / --profile / --endpoint-url, passed on as ``aws=`` (an ``rumcfn.aws.session.Aws``; boto3 loads
    later)."""

    @click.option("--region", help="AWS region (default: AWS_REGION / AWS_DEFAULT_REGION / the profile's).")
    @click.option("--profile", help="Named AWS profile (default: AWS_PROFILE or the default credentials).")
    @click.option("--endpoint-url", help="Custom AWS endpoint, e.g. a local emulator (default: AWS_ENDPOINT_URL).")
    @functools.wraps(command)
    def wrapper(region, profile, endpoint_url, **kwargs):
        wiring = click.get_current_context().find_object(Wiring)
        make = wiring.aws if wiring is not None and wiring.aws is not None else None
        if make is None:
            from rumcfn.aws.session import Aws as make
        return command(aws=make(region=region, profile=profile, endpoint_url=endpoint_url), **kwargs)

    return wrapper
