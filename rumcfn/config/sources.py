"""Where a command's settings come from: a settings file (``--config``, or ``rumcfn.toml`` found in the working
directory, which is then named), then flags over it; and whether they say which site to build for.

A site is three settings given together: the monitor's name, its domains and the bucket that receives rum.js. A
template built from none of them is the built-in example, and says so; from some of them it would mix the user's
site with the example's names, so that is refused, naming what is missing.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

from rumcfn.config.loading import from_mapping, given_keys, read_toml, with_overrides
from rumcfn.config.settings import Settings
from rumcfn.config.typos import check_known
from rumcfn.errors import RumcfnError, UsageError

#: The settings file a command reads from the working directory when no ``--config`` is given.
DEFAULT_FILE = "rumcfn.toml"
#: The settings that say which site a template is for: given together, or none (the built-in example).
SITE = ("monitor.name", "monitor.domains", "script.bucket")

Note = Callable[[str], None]


class SiteIncomplete(UsageError):
    """Some of :data:`SITE` given, not all: the rest would silently be the example's."""


def example_note() -> str:
    example = Settings()
    return (f"no settings file and no site flags: using the built-in example (monitor {example.monitor.name}, "
            f"bucket {example.script.bucket}); `rumcfn init` writes settings for your own site")


def words(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return " and ".join(filter(None, [", ".join(items[:-1]), items[-1]])) if items else ""


def check_site(given: set[str], origin: str | None, flags: Mapping[str, str], needed: Sequence[str] = SITE) -> None:
    """All of ``needed`` (of :data:`SITE`) or none (none: only without a settings file)."""
    present = [key for key in needed if key in given]
    missing = [key for key in needed if key not in given]
    if not missing or (not present and origin is None):
        return
    had = f"{words(present)} given" if present else f"none given in {origin}"
    raise SiteIncomplete(
        f"the site is incomplete: {words(missing)} missing ({had}); a site needs {words(list(needed))} together: "
        f"pass {words([flags.get(key, key) for key in missing])}, or set them in the settings file "
        "(`rumcfn init` writes one)"
    )


def gather(
    config: str | None,
    overrides: Mapping[str, Any],
    *,
    tags: Mapping[str, str] | None = None,
    site: Sequence[str] = (),
    flags: Mapping[str, str] | None = None,
    note: Note = lambda line: None,
) -> Settings:
    """Settings from the file, then ``overrides`` (dotted keys, only those given), then ``tags`` added to the
    monitor's.

    ``site``: the site settings the command needs (:data:`SITE` to build a template): all given, or none (then
    ``note`` says the example is used). ``flags`` names each site setting's flag in the error. A file found in the
    working directory (not given) is named through ``note``."""
    path, found = _settings_file(config)
    with _named(path, found):
        data = read_toml(path) if path else {}
        settings = from_mapping(data)
    settings = _apply(settings, data, path, overrides, tags=tags, site=site, flags=flags, note=note)
    if found:
        note(f"settings from {Path(path).resolve()} ({FOUND})")
    return settings


def shared_tables(config: str | None, note: Note = lambda line: None) -> dict[str, Any]:
    """The tables of the settings file (``--config``, else ``rumcfn.toml`` found in the working directory, named
    through ``note``) that a directory of site files builds on: every key a known setting, but not built on their
    own (a fleet's sites complete them; ``{}`` without a file)."""
    path, found = _settings_file(config)
    if path is None:
        return {}
    with _named(path, found):
        data = read_toml(path)
        check_known(data)
    if found:
        note(f"settings under the fleet's site files from {Path(path).resolve()} ({FOUND})")
    return data


FOUND = "found in the working directory"


def _settings_file(config: str | None) -> tuple[str | None, bool]:
    """The file to read: ``config``, else ``./rumcfn.toml`` when there is one (then found is True), else None."""
    found = config is None and Path(DEFAULT_FILE).is_file()
    return (DEFAULT_FILE if found else config), found


@contextlib.contextmanager
def _named(path: str | None, found: bool) -> Iterator[None]:
    """A failure in a file the user did not name keeps its class (the exit code) and names the file."""
    try:
        yield
    except RumcfnError as error:
        if found:
            error.args = (f"{error} (in {Path(path).resolve()}, {FOUND})",)
        raise


def _apply(settings: Settings, data: Mapping[str, Any], config: str | None, overrides: Mapping[str, Any], *,
           tags: Mapping[str, str] | None, site: Sequence[str], flags: Mapping[str, str] | None,
           note: Note) -> Settings:
    given_overrides = dict(overrides)  # None is a value here: a budget that is off
    if tags:
        given_overrides["monitor.tags"] = tuple({**dict(settings.monitor.tags), **tags}.items())
    if given_overrides:
        try:
            settings = with_overrides(settings, given_overrides)
        except RumcfnError as error:
            if config:  # beside a file, say which of the two the wrong value came from
                error.args = (f"{error} (from the command line)",)
            raise
    if site:
        given = given_keys(data) | set(given_overrides)
        check_site(given, config, flags or {}, site)
        if config is None and not given & set(SITE):
            note(example_note())
    return settings
