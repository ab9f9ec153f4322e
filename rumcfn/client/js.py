"""Python values as JavaScript literals: the one renderer of every value rumcfn writes into the browser's code.

Compact and deterministic. In ``sub`` mode the text is an ``Fn::Sub`` body: a :class:`Placeholder` becomes
``${Name}`` for CloudFormation to fill, and a literal ``${`` is escaped as ``${!`` so user text can never be
mistaken for a placeholder.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Mapping


@dataclass(frozen=True)
class Placeholder:
    """A ``${Name}`` filled by CloudFormation: quoted for strings, bare for numbers."""

    name: str
    quoted: bool = True


@dataclass(frozen=True)
class RegExp:
    """A JavaScript regular-expression literal."""

    source: str


@dataclass(frozen=True)
class JsCode:
    """JavaScript code: ``template`` (rumcfn's own text) with ``{0}``, ``{1}`` ... filled by ``args``
    rendered as literals (so user values are escaped like everywhere else)."""

    template: str
    args: tuple = ()


def js_key(key: str, sub: bool) -> str:
    """An object key: bare when it is an identifier, quoted otherwise (``"user:tier"``, ``"x-api-key"``)."""
    return key if re.fullmatch(r"[A-Za-z_$][A-Za-z0-9_$]*", key) else to_js(key, sub)


def to_js(value: Any, sub: bool) -> str:
    """Render a Python value as a JavaScript literal (compact, deterministic)."""
    if isinstance(value, Placeholder):
        return f'"${{{value.name}}}"' if value.quoted else f"${{{value.name}}}"
    if isinstance(value, JsCode):
        return value.template.format(*(to_js(arg, sub) for arg in value.args)) if value.args else value.template
    if isinstance(value, RegExp):
        text = "/" + re.sub(r"(?<!\\)((?:\\\\)*)/", r"\1\\/", value.source).replace("</", "<\\/") + "/"
    elif isinstance(value, Mapping):
        return "{" + ",".join(f"{js_key(key, sub)}:{to_js(item, sub)}" for key, item in value.items()) + "}"
    elif isinstance(value, (list, tuple)):
        return "[" + ",".join(to_js(item, sub) for item in value) + "]"
    elif isinstance(value, bool):
        return "true" if value else "false"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False).replace("</", "<\\/")
    return text.replace("${", "${!") if sub else text
