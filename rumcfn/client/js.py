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


#: What the HTML tokenizer acts on inside a <script> element: ``</script`` ends it, and ``<!--`` followed by
#: ``<script`` makes a later ``</script>`` not end it, so the rest of the page would become script
#: (HTML Standard, "script data escaped state"). No user text may carry them into rum.js or ``--html``.
HTML_OPENINGS = re.compile(r"<(?=!--|script)", re.IGNORECASE)


def html_safe(text: str) -> str:
    """A rendered JavaScript string literal with ``</``, ``<!--`` and ``<script`` written as escapes, and the
    line separators U+2028/U+2029 as ``\\u`` escapes (engines before ES2019 end a string at them)."""
    text = HTML_OPENINGS.sub(r"\\x3C", text.replace("</", "<\\/"))
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def to_js(value: Any, sub: bool) -> str:
    """Render a Python value as a JavaScript literal (compact, deterministic)."""
    if isinstance(value, Placeholder):
        return f'"${{{value.name}}}"' if value.quoted else f"${{{value.name}}}"
    if isinstance(value, JsCode):
        return value.template.format(*(to_js(arg, sub) for arg in value.args)) if value.args else value.template
    if isinstance(value, RegExp) and HTML_OPENINGS.search(value.source):
        # A pattern holding <!-- or <script: built from a string, where they can be escapes (in the pattern
        # itself "<" may be the start of (?<!...) or a class member, and no escape fits every place).
        return f"new RegExp({to_js(value.source, sub)})"
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
        text = html_safe(json.dumps(value, ensure_ascii=False, allow_nan=False))
    return text.replace("${", "${!") if sub else text
