"""Would an app monitor's resource-based policy let a visitor's browser send? IAM's evaluation of one request: an
unsigned (anonymous) ``rum:PutRumEvents`` to one monitor, with what the doctor knows of the request context.

The rules, each from AWS's material:

- a request is allowed when an Allow statement applies to it and no Deny does; with no Allow it is denied
  implicitly (IAM User Guide, "Policy evaluation logic"); RUM's resource policies support ``rum:PutRumEvents``
  only, and ``"Principal": "*"`` lets callers without SigV4 credentials write (CloudWatch User Guide, "Using
  resource-based policies with CloudWatch RUM");
- ``"Principal": "*"`` and ``{"AWS": "*"}`` are equivalent for anonymous callers, and no wildcard matches part of
  a principal (IAM User Guide, "AWS JSON policy elements: Principal", "All principals");
- in Action/NotAction and Resource/NotResource ``*`` matches any run of characters and ``?`` one; actions
  compare case-insensitively, ARNs case-sensitively (IAM User Guide, "Action", "Resource");
- a Condition holds when each of its operators holds, an operator when each key under it holds, a key when one
  of its values matches (for a negated operator: when none does); key names compare case-insensitively; a key
  absent from the request fails a positive operator and satisfies a negated one, ``...IfExists`` holds on an
  absent key and ``Null`` tests absence (IAM User Guide, "Condition", "Condition operators", "Creating a
  condition with multiple context keys or values").

No Python library evaluates IAM conditions (IAM's own policy simulator takes no anonymous caller), so this one
does, for the string operators only. A key the doctor cannot know (``aws:SourceIp``: the visitor's address), an
operator it does not implement or a statement without a Resource makes the answer "depends", never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import urlsplit, urlunsplit

from rumcfn.client.loader import origin_of

ACTION = "rum:PutRumEvents"
#: The string operators (IAM User Guide, "Condition operators", "String condition operators"), by name:
#: (compare(policy value, request value), negated).
STRING_OPERATORS = {
    "StringEquals": (lambda p, v: p == v, False),
    "StringNotEquals": (lambda p, v: p == v, True),
    "StringEqualsIgnoreCase": (lambda p, v: p.lower() == v.lower(), False),
    "StringNotEqualsIgnoreCase": (lambda p, v: p.lower() == v.lower(), True),
    "StringLike": (lambda p, v: wildcard(p, v, case=True), False),
    "StringNotLike": (lambda p, v: wildcard(p, v, case=True), True),
}


def wildcard(pattern: str, value: str, *, case: bool) -> bool:
    """IAM's matching: ``*`` any run of characters, ``?`` one; nothing else is special."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.DOTALL if case else re.DOTALL | re.IGNORECASE) is not None


def _list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def referer(page_url: str, request_url: str) -> str | None:
    """The ``Referer`` a browser sends from ``page_url`` to ``request_url`` under the default referrer policy,
    ``strict-origin-when-cross-origin`` (Fetch Standard; W3C Referrer Policy): the page's URL without fragment
    or credentials to its own origin, its origin alone to another, nothing from https to plain http."""
    origin = origin_of(page_url)
    if origin == origin_of(request_url):
        page = urlsplit(page_url)
        return urlunsplit((page.scheme, urlsplit(origin).netloc, page.path or "/", page.query, ""))
    if page_url.partition(":")[0].lower() == "https" and request_url.partition(":")[0].lower() == "http":
        return None
    return origin + "/"


@dataclass(frozen=True)
class Request:
    """What IAM sees of the request. ``context``: lower-case key -> value, or None when the request lacks the key;
    a key not listed is one the doctor cannot know."""

    resource: str
    context: Mapping[str, str | None] = field(default_factory=dict)
    action: str = ACTION


@dataclass(frozen=True)
class Applies:
    """Whether one statement applies to the request: True, False, or None (depends on what the doctor cannot
    know). ``reason`` says why not (or on what it depends); ``key`` names the condition key that decided."""

    result: bool | None
    reason: str = ""
    key: str = ""
    conditions: tuple[str, ...] = ()  # the conditions it met, for the report


@dataclass(frozen=True)
class Verdict:
    allowed: bool | None  # None: depends on what the doctor cannot know
    detail: str
    key: str = ""  # the condition key that kept the request out, when one did


def _label(statement: dict, index: int) -> str:
    return f"statement {statement['Sid']}" if statement.get("Sid") else f"statement {index + 1}"


def _everyone(principal: Any) -> bool:
    if principal == "*":
        return True
    return isinstance(principal, dict) and "*" in _list(principal.get("AWS", []))


def _principal(statement: dict) -> Applies:
    if "Principal" in statement:
        if _everyone(statement["Principal"]):
            return Applies(True)
        return Applies(False, f"is for {_json(statement['Principal'])}, not for anyone (Principal \"*\")")
    if "NotPrincipal" in statement:
        if _everyone(statement["NotPrincipal"]):
            return Applies(False, "excludes everyone (NotPrincipal \"*\")")
        return Applies(True)
    return Applies(False, "names no Principal")


def _action(statement: dict, action: str) -> Applies:
    return _listed(statement, "Action", action, case=False, missing=Applies(False, "names no Action"))


def _resource(statement: dict, arn: str) -> Applies:
    return _listed(statement, "Resource", arn, case=True, missing=Applies(None, "names no Resource"))


def _listed(statement: dict, name: str, value: str, *, case: bool, missing: Applies) -> Applies:
    """Whether ``value`` falls under the statement's ``name`` (Action, Resource) or outside its ``Not`` twin."""
    for element, negated in ((name, False), (f"Not{name}", True)):
        if element in statement:
            listed = [str(item) for item in _list(statement[element])]
            if any(wildcard(item, value, case=case) for item in listed) != negated:
                return Applies(True)
            if negated:
                return Applies(False, f"excludes {value} ({element} {', '.join(listed)})")
            return Applies(False, f"is for {', '.join(listed)}, not {value}")
    return missing


def _operator(name: str) -> tuple[str, bool, bool]:
    """``ForAnyValue:StringLikeIfExists`` -> (``StringLike``, if_exists, for_all_values). Over a single-valued
    key such as ``aws:Referer`` either set prefix compares the one value."""
    base = name.split(":", 1)[1] if ":" in name else name
    for_all = name.startswith("ForAllValues:")
    if_exists = base.endswith("IfExists") and base != "IfExists"
    return base.removesuffix("IfExists") if if_exists else base, if_exists, for_all


def _condition(operator: str, key: str, values: Any, context: Mapping[str, str | None]) -> Applies:
    """One key under one operator."""
    base, if_exists, for_all = _operator(operator)
    said = f"{operator} {key} {_json(values)}"
    if key.lower() not in context:
        return Applies(None, f"depends on {key}, which the doctor cannot know ({said})", key)
    value = context[key.lower()]
    if base == "Null":
        wants_absent = str(_list(values)[0]).lower() == "true"
        holds = (value is None) == wants_absent
        return Applies(holds, "" if holds else f"needs {said}", key, (said,) if holds else ())
    if base not in STRING_OPERATORS:
        return Applies(None, f"uses {operator}, which the doctor does not evaluate ({said})", key)
    compare, negated = STRING_OPERATORS[base]
    if value is None:  # absent: a positive operator fails, a negated one holds, and so does ...IfExists
        holds = negated or if_exists or for_all
    else:
        holds = any(compare(str(p), value) for p in _list(values)) != negated
    if holds:
        return Applies(True, key=key, conditions=(f"{key} {value}" if value is not None else f"no {key}",))
    unmet = f"which {key} {value} does not meet" if value is not None else f"and the request has no {key}"
    return Applies(False, f"needs {said}, {unmet}", key)


def _conditions(statement: dict, context: Mapping[str, str | None]) -> Applies:
    met: list[str] = []
    depends: Applies | None = None
    for operator, keys in (statement.get("Condition") or {}).items():
        for key, values in (keys or {}).items():
            one = _condition(operator, key, values, context)
            if one.result is False:
                return one
            if one.result is None:
                depends = depends or one
            met += one.conditions
    return depends or Applies(True, conditions=tuple(met))


def applies(statement: dict, request: Request) -> Applies:
    """Whether ``statement`` applies to ``request``: Principal, Action, Resource, then Condition."""
    depends: Applies | None = None
    for part in (_principal(statement), _action(statement, request.action), _resource(statement, request.resource)):
        if part.result is False:
            return part
        if part.result is None:
            depends = depends or part
    conditions = _conditions(statement, request.context)
    if conditions.result is False:
        return conditions
    return depends or conditions


def evaluate(document: dict, request: Request) -> Verdict:
    """IAM's answer for ``request`` under the resource policy ``document`` (parsed JSON)."""
    statements = [s for s in _list(document.get("Statement", [])) if isinstance(s, dict)]
    allowed: list[tuple[str, Applies]] = []
    may_deny: list[str] = []  # statements that apply or not depending on what the doctor cannot know
    may_allow: list[str] = []
    missed: list[tuple[str, str]] = []  # (why an Allow does not apply, the condition key that decided)
    for index, statement in enumerate(statements):
        label, found = _label(statement, index), applies(statement, request)
        effect = statement.get("Effect")
        if effect == "Deny" and found.result is True:
            met = f" ({'; '.join(found.conditions)})" if found.conditions else ""
            return Verdict(False, f"{label} denies it{met}", found.key)
        if effect == "Deny" and found.result is None:
            may_deny.append(f"{label} (Deny) {found.reason}")
        elif effect == "Allow" and found.result is True:
            allowed.append((label, found))
        elif effect == "Allow" and found.result is None:
            may_allow.append(f"{label} (Allow) {found.reason}")
        elif effect == "Allow":
            missed.append((f"{label} {found.reason}", found.key))
    if allowed and not may_deny:
        label, found = allowed[0]
        met = f" ({'; '.join(found.conditions)})" if found.conditions else ""
        return Verdict(True, f"{label} allows it{met}")
    if allowed or may_allow:
        return Verdict(None, "; ".join(may_deny + may_allow))
    if not missed:
        return Verdict(False, "no statement allows it")
    return Verdict(False, "; ".join(reason for reason, _ in missed[:3]), key=next((k for _, k in missed if k), ""))


def _json(value: Any) -> str:
    import json

    return json.dumps(value, separators=(",", ":"))
