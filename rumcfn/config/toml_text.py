"""Settings tables as rumcfn.toml text that reads back to the same settings (``rumcfn import`` writes one)."""

from __future__ import annotations

import json
from typing import Any, Mapping

from rumcfn.version import __version__


def toml_value(value: Any) -> str:
    """A TOML value: strings as basic strings (JSON's escapes are TOML's), lists and tables inline."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{json.dumps(str(k))} = {toml_value(v)}" for k, v in value.items()) + " }"
    if value is None:
        return '"off"'
    return json.dumps(value) if isinstance(value, str) else repr(value)


def settings_toml(tables: Mapping[str, Any], origin: str) -> str:
    """``tables`` (shaped like rumcfn.toml) as its text: scalars first, then one ``[table]`` each; nested tables
    (tags, the web client's options) inline."""
    lines = [f"# rumcfn settings, {origin} (rumcfn {__version__})."]
    plain = {k: v for k, v in tables.items() if not isinstance(v, Mapping)}
    lines += [f"{key} = {toml_value(value)}" for key, value in plain.items()]
    for name, table in tables.items():
        if isinstance(table, Mapping):
            lines += ["", f"[{name}]"] + [f"{key} = {toml_value(value)}" for key, value in table.items()]
    return "\n".join(lines) + "\n"
