"""Keys of a settings mapping that name no setting: all of them in one error, each with the closest known name
(``difflib``), so that a file with three typos takes one run to fix, not three."""

from __future__ import annotations

import dataclasses
from typing import Any, Iterator, Mapping

from rumcfn.config.client_options import CLIENT_OPTIONS, DERIVED, JAVASCRIPT_ONLY, TELEMETRY_OPTIONS
from rumcfn.config.segments import Segment
from rumcfn.config.settings import SECTIONS, Settings
from rumcfn.errors import SettingsError, UsageError


class UnknownSettings(UsageError):
    """Several keys that name no setting, each with a suggestion."""


def _names(cls: type) -> list[str]:
    return [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]


def _unknown(data: Mapping[str, Any], known: list[str], prefix: str) -> Iterator[tuple[str, str, list[str], Any]]:
    for key, value in data.items():
        if key not in known:
            yield f"{prefix}{key}", key, known, value


def unknown_keys(data: Mapping[str, Any], also: tuple[str, ...] = ()) -> list[tuple[str, str, list[str], Any]]:
    """``(where, key, the names known there, value)`` for every key that names nothing: the top level (where the
    names in ``also`` are known too: a fleet's site keys), then each table."""
    found = list(_unknown(data, [*_names(Settings), *also], ""))
    for name, section in SECTIONS.items():
        table = data.get(name)
        if not isinstance(table, Mapping):
            continue
        found += _unknown(table, _names(section), f"{name}.")
        segments = table.get("segments") if name == "budgets" else None
        for index, entry in enumerate(segments if isinstance(segments, list) else []):
            if isinstance(entry, Mapping):
                found += _unknown(entry, _names(Segment), f"budgets.segments[{index}].")
        config = table.get("config") if name == "snippet" else None
        if isinstance(config, Mapping):
            client = [*CLIENT_OPTIONS, *TELEMETRY_OPTIONS, *DERIVED, *JAVASCRIPT_ONLY]  # the last two: own errors
            found += _unknown(config, client, "snippet.config.")
            for telemetry, options in TELEMETRY_OPTIONS.items():
                if isinstance(config.get(telemetry), Mapping):
                    known = [*options, *JAVASCRIPT_ONLY]  # a JavaScript-only option: its own error says why
                    found += _unknown(config[telemetry], known, f"snippet.config.{telemetry}.")
    return found


def suggestion(where: str, key: str, known: list[str]) -> str:
    """``did you mean monitor.domains?``, or the names known there when none is close."""
    import difflib  # only once a key is unknown: every synth would pay for its import otherwise

    lowered = {name.lower(): name for name in known}
    close = difflib.get_close_matches(key.lower(), list(lowered), n=1, cutoff=0.6)
    if close:
        return f"did you mean {where.rpartition('.')[0] + '.' if '.' in where else ''}{lowered[close[0]]}?"
    return f"known: {', '.join(sorted(known))}"


def check_known(data: Mapping[str, Any], also: tuple[str, ...] = ()) -> None:
    """Refuse every key that names no setting (nor one of ``also``, at the top level), at once."""
    found = unknown_keys(data, also)
    if len(found) == 1:
        (where, key, known, value), = found
        raise SettingsError(where, f"is not a known setting ({suggestion(where, key, known)})", value)
    if found:
        listed = "; ".join(f"{where} ({suggestion(where, key, known)})" for where, key, known, _ in found)
        raise UnknownSettings(f"{len(found)} settings are not known: {listed}")
