"""A fleet: many sites from one ``rumcfn.toml`` (``[[sites]]`` tables over the file's own settings) or from a
directory of TOML files, one per site (over the settings of ``--config``, when given).

A site is a table of the settings that make it differ from the rest (its tables merged, key by key, into the
shared ones) and a few keys of its own (:data:`SITE_KEYS`). Every site is checked by the same rules as one
``rumcfn.toml``; then the rules between sites (names that AWS keeps unique per account and Region, the rum.js
object each writes). A bad site is one line naming the site, the setting, the rule and the value; all of them are
reported together (:class:`FleetInvalid`, exit 2) before anything is built or written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from rumcfn.config.formats import REGION, STACK_NAME
from rumcfn.config.loading import from_mapping, given_keys, read_toml
from rumcfn.config.monitor import NAME
from rumcfn.config.rules import Text, fail
from rumcfn.config.settings import Settings
from rumcfn.config.typos import UnknownSettings, check_known
from rumcfn.errors import SettingsError, UsageError

#: A site's own keys, beside any setting: what each means.
SITE_KEYS = {
    "name": "the site's name: unique in the fleet; the monitor's name unless monitor.name is set, and the name of "
            "the site's files and (made a stack name) its stack",
    "domains": "monitor.domains",
    "bucket": "script.bucket",
    "stack_name": "the site's stack (default: from the name)",
    "account": "the 12-digit account the site is deployed to (StackSets)",
    "region": "the Region the site is deployed to (StackSets)",
}
#: Site keys that are settings under a shorter name.
SHORTCUTS = {"domains": ("monitor", "domains"), "bucket": ("script", "bucket")}
#: A site name: the monitor's name rule (it is the monitor's name by default), which also keeps it a safe file name.
SITE_NAME = NAME
ACCOUNT = Text(r"[0-9]{12}", "must be a 12-digit AWS account id")
#: A fleet file holds every site: thousands of them are a few MiB (one settings file is at most 1 MiB).
MAX_FLEET_BYTES = 16 << 20
#: Sites deployed at once unless ``--max-concurrency`` says otherwise: CloudFormation throttles a busy account's
#: control plane well before a few dozen concurrent deploys, and each site mostly waits on CloudFormation.
DEFAULT_CONCURRENCY = 4
#: At most this many lines of a :class:`FleetInvalid` are shown; the rest are counted.
SHOWN_ERRORS = 20


class FleetInvalid(UsageError):
    """Sites that break a rule: one line each, ``site NAME: setting ...: rule, but got ...``."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        shown = lines[:SHOWN_ERRORS]
        more = len(lines) - len(shown)
        super().__init__("\n".join(shown + ([f"... and {more} more"] if more else [])))


@dataclass(frozen=True)
class Site:
    name: str
    settings: Settings  # literal values; a fleet builds parameterized templates from them
    stack_name: str
    account: str = ""
    region: str = ""


@dataclass(frozen=True)
class Fleet:
    sites: tuple[Site, ...]
    origin: str  # the file or directory the sites came from

    def site(self, name: str) -> Site:
        return next(site for site in self.sites if site.name == name)


def merged(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``over`` on ``base``: tables merge key by key, at every depth; any other value (lists too) replaces."""
    result = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(result.get(key), Mapping):
            result[key] = merged(result[key], value)
        else:
            result[key] = value
    return result


def default_stack_name(name: str) -> str:
    """The site's name as a stack name: other characters as '-', ``rum-`` before one not starting with a letter,
    at most 128 characters (CloudFormation's stack name rule, :data:`rumcfn.config.formats.STACK_NAME`)."""
    text = re.sub(r"[^A-Za-z0-9-]", "-", name)
    return (text if text[:1].isalpha() and text[:1].isascii() else f"rum-{text}")[:128]


def site_from_mapping(shared: Mapping[str, Any], data: Mapping[str, Any], name: str | None = None) -> Site:
    """One site: its table over the shared settings, checked like one rumcfn.toml (a SettingsError otherwise)."""
    fail("sites", isinstance(data, Mapping), "must be tables of site settings ([[sites]])", data)
    name = data.get("name", name)
    fail("name", name is not None, "must be set: every site has a name", None)
    SITE_NAME.check("name", name)
    fail("parameters", "parameters" not in data, "is set by the fleet: every site's template is parameterized",
         data.get("parameters"))
    check_known(data, also=tuple(SITE_KEYS))  # the site's own keys: a typo is suggested a site key too
    own: dict[str, Any] = {"monitor": {"name": name}}
    for key, (section, field) in SHORTCUTS.items():
        if key in data:
            table = data.get(section)
            fail(f"{section}.{field}", not (isinstance(table, Mapping) and field in table),
                 f"is given twice (as {key} and as {section}.{field}); give one", data[key])
            own.setdefault(section, {})[field] = data[key]
    settings_data = merged(merged({k: v for k, v in shared.items() if k != "parameters"}, own),
                           {k: v for k, v in data.items() if k not in SITE_KEYS})
    given = given_keys(settings_data)
    for shortcut, (section, field) in SHORTCUTS.items():  # the rest of a site (sources.SITE): never the example's
        key = f"{section}.{field}"
        fail(key, key in given, f"must be set for every site ({shortcut}, or in the shared settings)", None)
    settings = from_mapping(settings_data)
    stack_name = data.get("stack_name", default_stack_name(name))
    STACK_NAME.check("stack_name", stack_name)
    account, region = data.get("account", ""), data.get("region", "")
    if account != "":
        ACCOUNT.check("account", account)
    if region != "":
        REGION.check("region", region)
    return Site(name, settings, stack_name, account, region)


def fleet_from_mapping(data: Mapping[str, Any], origin: str = "the fleet") -> Fleet:
    """Sites from a mapping shaped like a fleet rumcfn.toml: ``sites`` (a list of tables) over the rest."""
    fail("sites", isinstance(data, Mapping) and isinstance(data.get("sites"), list) and bool(data.get("sites")),
         f"must be one or more [[sites]] tables in {origin}", data.get("sites") if isinstance(data, Mapping) else data)
    shared = {key: value for key, value in data.items() if key != "sites"}
    return _checked(shared, [(entry, None) for entry in data["sites"]], origin)


def _checked(shared: Mapping[str, Any], entries: Iterable[tuple[Any, str | None]], origin: str) -> Fleet:
    """Build every site; report each bad one (its name, else its position), then the rules between sites."""
    check_known(shared)  # a misspelt shared setting: once, not once per site
    sites, errors = [], []
    for index, (entry, default_name) in enumerate(entries):
        try:
            sites.append(site_from_mapping(shared, entry, default_name))
        except (SettingsError, UnknownSettings) as error:
            label = entry.get("name", default_name) if isinstance(entry, Mapping) else None
            where = f"site {label}" if isinstance(label, str) and label else f"site #{index + 1}"
            errors.append(f"{where}: {error}")
    errors += between_sites(sites)
    if errors:
        raise FleetInvalid(errors)
    return Fleet(tuple(sites), origin)


def between_sites(sites: list[Site]) -> list[str]:
    """Names AWS keeps unique per account and Region (stacks, app monitors, canaries), the rum.js object each site
    writes (two would overwrite each other's), and site names (file names: unique ignoring case)."""
    errors: list[str] = []
    seen: dict[tuple, str] = {}

    def once(site: Site, setting: str, key: tuple, value: Any, scope: str) -> None:
        other = seen.setdefault(key, site.name)
        if other != site.name:
            error = SettingsError(setting, f"must be unique {scope}: site {other} has it too", value)
            errors.append(f"site {site.name}: {error}")

    for site in sites:
        place = (site.account, site.region)
        s = site.settings
        once(site, "name", ("name", site.name.lower()), site.name, "in the fleet, ignoring case, as it names files")
        once(site, "stack_name", ("stack", place, site.stack_name), site.stack_name, "per account and Region")
        once(site, "monitor.name", ("monitor", place, s.monitor.name), s.monitor.name, "per account and Region")
        if s.canary.enabled:
            canary = s.canary_name()
            once(site, "canary.name", ("canary", place, canary), canary, "per account and Region")
        rum_js = f"s3://{s.script.bucket}/{s.script.key}"
        once(site, "script.key", ("object", rum_js), rum_js, "in its bucket, as each site writes its own rum.js")
    return errors


def load_fleet(path: str | Path, shared: Mapping[str, Any] | None = None) -> Fleet:
    """A fleet file (``[[sites]]`` tables over its own settings) or a directory of site files (``*.toml``, in name
    order; a file's name is the site's unless it sets ``name``) over ``shared`` (``--config``'s tables)."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix == ".toml" and not p.name.startswith("."))
        fail("--fleet", bool(files), "must be a fleet file or a directory of site files (*.toml)", str(path))
        entries = [(read_toml(file, "--fleet", MAX_FLEET_BYTES), file.stem) for file in files]
        return _checked(dict(shared or {}), entries, str(path))
    fail("--fleet", shared is None, "takes --config only as a directory of site files (a fleet file holds the "
         "shared settings itself)", str(path))
    data = read_toml(path, "--fleet", MAX_FLEET_BYTES)
    return fleet_from_mapping(data, str(path))
