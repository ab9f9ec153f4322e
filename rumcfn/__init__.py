"""rumcfn: one CloudFormation template for end-to-end CloudWatch RUM monitoring of a website.

The public API: settings (:mod:`rumcfn.config`), the stack builder (:mod:`rumcfn.stack`) and the
template's text (:mod:`rumcfn.template.output`). Each name is imported on first use (PEP 562), so
``import rumcfn.cli`` and ``rumcfn --version`` load neither troposphere nor awacs.
"""

from __future__ import annotations

import importlib
from typing import Any

from rumcfn.version import __version__

#: Each public name and the module that defines it.
_WHERE = {
    "Settings": "rumcfn.config",
    "SettingsError": "rumcfn.config",
    "load": "rumcfn.config",
    "from_mapping": "rumcfn.config",
    "with_overrides": "rumcfn.config",
    "Stack": "rumcfn.stack.assemble",
    "build_stack": "rumcfn.stack.assemble",
    "build_template": "rumcfn.stack.assemble",
    "to_json": "rumcfn.template.output",
    "to_yaml": "rumcfn.template.output",
}

__all__ = [*_WHERE, "__version__"]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'rumcfn' has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
