"""The settings reference as a Markdown table (kept in docs/configuration.md by ``make readme``; a test checks it)."""

from __future__ import annotations

import dataclasses
from typing import Any

from rumcfn.config.client_options import FrozenMap
from rumcfn.config.segments import Segment
from rumcfn.config.settings import SECTIONS, Settings

#: Settings whose entries are tables of their own: their fields are listed under them.
ENTRIES = {"budgets.segments": Segment}


def reference() -> str:
    rows = ["| setting | default | meaning |", "| --- | --- | --- |"]
    for top in dataclasses.fields(Settings):
        if top.name in SECTIONS:
            for f in dataclasses.fields(SECTIONS[top.name]):  # type: ignore[arg-type]
                rows.append(f"| `{top.name}.{f.name}` | `{_toml(f.default)}` | {f.metadata['doc']} |")
                entry = ENTRIES.get(f"{top.name}.{f.name}")
                for g in dataclasses.fields(entry) if entry else ():
                    rows.append(f"| `{top.name}.{f.name}[].{g.name}` | `{_toml(g.default)}` | {g.metadata['doc']} |")
        else:
            rows.append(f"| `{top.name}` | `{_toml(top.default)}` | {top.metadata['doc']} |")
    return "\n".join(rows) + "\n"


def _toml(value: Any) -> str:
    if value is None:
        return "off"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, FrozenMap):
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value) + "}"
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value)
