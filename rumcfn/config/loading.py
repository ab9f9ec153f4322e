"""Settings from a TOML file, nested mappings, or dotted-key overrides, all through the same checks.

Files and flags spell a budget that is off as ``off``; TOML tables become tag pairs and lists become
tuples in the sections themselves. Unknown keys are errors, all at once, each with the closest known name.
"""

from __future__ import annotations

import dataclasses
import os
import stat
from typing import Any, Mapping

from rumcfn.config.rules import fail
from rumcfn.config.segments import OFF
from rumcfn.config.settings import SECTIONS, Settings
from rumcfn.config.typos import check_known
from rumcfn.errors import SettingsError
from rumcfn.facts import BUDGET_METRICS


def _build(cls, data: Mapping[str, Any], prefix: str):
    known = [f.name for f in dataclasses.fields(cls)]
    for key in data:
        fail(f"{prefix}{key}", key in known, f"is not a known setting (known: {', '.join(sorted(known))})", data[key])
    kwargs = {}
    for key, value in data.items():
        if cls is Settings and key in SECTIONS:
            fail(key, isinstance(value, Mapping), f"must be a [{key}] table", value)
            kwargs[key] = _build(SECTIONS[key], value, f"{key}.")
        elif cls is SECTIONS["budgets"] and key in BUDGET_METRICS and (value is None or value in OFF):
            kwargs[key] = None
        else:
            kwargs[key] = value
    return cls(**kwargs)


def from_mapping(data: Mapping[str, Any]) -> Settings:
    """Build settings from nested mappings shaped like rumcfn.toml; unknown keys are errors."""
    fail("settings", isinstance(data, Mapping), "must be a table of sections such as [monitor]", data)
    if "sites" in data:  # a fleet file read as one site's settings
        sites = data["sites"]
        raise SettingsError("sites", "make a fleet: give the file to --fleet (synth --fleet, deploy --fleet)",
                            f"{len(sites)} [[sites]] table(s)" if isinstance(sites, list) else sites)
    check_known(data)
    return _build(Settings, data, "")


#: A settings file is a few KB; anything this large is not one (and is never read whole).
MAX_CONFIG_BYTES = 1 << 20


def load(path) -> Settings:
    """Read a rumcfn.toml file: a regular file of at most 1 MiB (a FIFO or a device would be read forever)."""
    return from_mapping(read_toml(path))


def read_toml(path, setting: str = "--config", limit: int = MAX_CONFIG_BYTES) -> dict[str, Any]:
    """The tables of a TOML file of at most ``limit`` bytes, unchecked (:func:`load` checks them); a failure names
    ``setting``."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise SettingsError(setting, "must be a regular TOML file", str(path))
        with open(path, "rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as error:
        raise SettingsError(setting, "must be a readable TOML file", f"{path} ({error.strerror})") from None
    fail(setting, len(raw) <= limit, f"must be a TOML file of at most {limit >> 20} MiB", str(path))
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise SettingsError(setting, "must be UTF-8 text", str(path)) from None
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(setting, f"must be valid TOML ({error})", str(path)) from None


def given_keys(data: Mapping[str, Any]) -> set[str]:
    """The dotted settings a mapping shaped like rumcfn.toml sets (``{"monitor": {"name": ..}}`` -> monitor.name)."""
    keys = set()
    for name, value in data.items():
        if name in SECTIONS and isinstance(value, Mapping):
            keys.update(f"{name}.{key}" for key in value)
        else:
            keys.add(name)
    return keys


def with_overrides(settings: Settings, overrides: Mapping[str, Any]) -> Settings:
    """Apply dotted-key overrides (``{"monitor.name": "shop"}``) with the same checks as the file."""
    data: dict[str, Any] = {name: _fields(getattr(settings, name)) for name in SECTIONS}
    data.update({f.name: getattr(settings, f.name) for f in dataclasses.fields(Settings) if f.name not in SECTIONS})
    for dotted, value in overrides.items():
        section, _, key = dotted.partition(".")
        if key:
            fail(dotted, section in SECTIONS, "is not a known setting", value)
            data[section][key] = value
        else:
            data[section] = value
    return from_mapping(data)


def _fields(section) -> dict[str, Any]:
    return {f.name: getattr(section, f.name) for f in dataclasses.fields(section)}


def budget_override(key: str, text: str, flag: str | None = None) -> tuple[str, Any]:
    """``--budgets.KEY VALUE`` (``flag``) or the old ``--budget KEY=VALUE``: the dotted setting and its value (a
    number, or None for off)."""
    fail("--budget", key in BUDGET_METRICS, f"key must be one of {', '.join(BUDGET_METRICS)}", key)
    if text.lower() in OFF:
        return f"budgets.{key}", None
    try:
        return f"budgets.{key}", int(text) if text.lstrip("-").isdigit() else float(text)
    except ValueError:
        raise SettingsError(flag or f"--budget {key}", "must be a number or off", text) from None


def split_list(value: str | None, flag: str | None = None) -> tuple[str, ...]:
    """A comma-separated flag value as its entries (blanks dropped). Given the ``flag``'s name, a value that
    holds only blanks (``--telemetries ","``) is refused: it is a typo, not a wish for an empty list."""
    items = tuple(item.strip() for item in (value or "").split(",") if item.strip())
    if flag and value is not None and not items:
        raise SettingsError(flag, "must list at least one item (comma-separated)", value)
    return items
