"""Is a pattern a JavaScript regular expression? The syntax a browser accepts for ``/source/`` without flags.

The web client's options (``urlsToInclude``, ``ignore`` ...) become RegExp literals in rum.js, and a browser
that refuses one refuses the whole script: RUM is then off on every page. Python's ``re`` is no stand-in:
it accepts ``(?i)``, ``a++``, ``(?>x)``, ``(?#c)`` and conditionals, which JavaScript refuses, and refuses
``[^]`` and ``\\k``, which JavaScript accepts. This is ECMAScript's pattern grammar as web browsers implement
it (ECMA-262 Annex B.1.2, "Regular Expressions Patterns", without the ``u`` or ``v`` flag), read in one pass:

- a quantifier needs something to repeat (not ``^``, ``$``, ``\\b``, a lookbehind or another quantifier);
  ``{n}``, ``{n,}``, ``{n,m}`` are quantifiers (``m`` at least ``n``), any other ``{`` is a character;
- groups are ``(...)``, ``(?:...)``, ``(?<name>...)`` and the four lookarounds; ``(?`` anything else is invalid;
- a character class ends with ``]``; a range may not run backwards (UTF-16 code units, as without ``u``);
- group names are identifiers and unique; once a pattern names a group, ``\\k`` must be ``\\k<a name>``;
- ``\\`` may not end the pattern. Every other escape is valid (``\\8``, ``\\c``, ``\\p`` match themselves).

``tests/unit/config/test_js_regexp.py`` compares this with Node's own parser over a corpus.
"""

from __future__ import annotations

import re

_QUANTIFIER = re.compile(r"\{([0-9]+)(,([0-9]*))?\}")
_HEX2, _HEX4 = re.compile(r"[0-9A-Fa-f]{2}"), re.compile(r"[0-9A-Fa-f]{4}")
_OCTAL = re.compile(r"[0-3][0-7]{0,2}|[4-7][0-7]?")
_GROUP_NAME = re.compile(r"<([^>]*)>")
_NAME_ESCAPE = re.compile(r"\\u(?:\{([0-9A-Fa-f]+)\}|([0-9A-Fa-f]{4}))")
_CONTROL_ESCAPES = {"b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11}
_CLASS_ESCAPES = set("dDsSwW")


class JsRegExpError(ValueError):
    """Why a browser refuses the pattern (Node's words where they are short)."""


def code_units(text: str) -> str:
    """``text`` as JavaScript sees it without the ``u`` flag: one character per UTF-16 code unit."""
    data = text.encode("utf-16-le", "surrogatepass")
    return "".join(chr(int.from_bytes(data[i : i + 2], "little")) for i in range(0, len(data), 2))


def _group_name(raw: str) -> str:
    """A group name's identifier (``\\u`` escapes decoded), or raise."""
    try:
        name = _NAME_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), raw)
        name = name.encode("utf-16-le", "surrogatepass").decode("utf-16-le")  # pairs written as two units
    except (ValueError, UnicodeError):
        raise JsRegExpError("invalid capture group name") from None
    # ECMAScript IdentifierName: ID_Start, $ or _, then ID_Continue, $, ZWNJ or ZWJ (Python's identifiers
    # are XID_Start/XID_Continue, the closure of the same sets under NFKC).
    plain = name.replace("$", "_").replace("\u200c", "_").replace("\u200d", "_")
    if not name or not (plain.isidentifier() and (plain[0] == "_" or name[0] not in "\u200c\u200d")):
        raise JsRegExpError("invalid capture group name")
    return name


def _class_atom(source: str, at: int, named: bool) -> tuple[int | None, int]:
    """One class atom from ``at``: (its code unit, or None for ``\\d``-like classes; the position after it)."""
    if source[at] != "\\":
        return ord(source[at]), at + 1
    if at + 1 >= len(source):
        raise JsRegExpError("unterminated character class")
    escape = source[at + 1]
    if escape in _CLASS_ESCAPES:
        return None, at + 2
    if escape in _CONTROL_ESCAPES:
        return _CONTROL_ESCAPES[escape], at + 2
    if escape == "c":
        letter = source[at + 2 : at + 3]
        if letter and (letter.isascii() and (letter.isalnum() or letter == "_")):
            return ord(letter) % 32, at + 3
        return ord("\\"), at + 1  # a backslash; the "c" is the next atom
    if escape == "x" and _HEX2.match(source, at + 2):
        return int(source[at + 2 : at + 4], 16), at + 4
    if escape == "u" and _HEX4.match(source, at + 2):
        return int(source[at + 2 : at + 6], 16), at + 6
    octal = _OCTAL.match(source, at + 1)
    if octal:
        return int(octal.group(), 8), octal.end()
    if escape == "k" and named:
        raise JsRegExpError("invalid escape")
    return ord(escape), at + 2


def _character_class(source: str, at: int, named: bool) -> int:
    """The position after the class that starts at ``at`` (its ``[``)."""
    at += 2 if source.startswith("[^", at) else 1
    while at < len(source) and source[at] != "]":
        low, at = _class_atom(source, at, named)
        if source.startswith("-", at) and at + 1 < len(source) and source[at + 1] != "]":
            high, at = _class_atom(source, at + 1, named)
            if low is not None and high is not None and low > high:
                raise JsRegExpError("range out of order in character class")
    if at >= len(source):
        raise JsRegExpError("unterminated character class")
    return at + 1


def check(pattern: str) -> None:
    """Raise :class:`JsRegExpError` unless a browser compiles ``/pattern/`` (its line breaks aside: a literal
    cannot hold one, which the caller refuses)."""
    source = code_units(pattern)
    if _parse(source, named=False):  # a pattern that names a group is read again with \k as a reference
        _parse(source, named=True)


def _parse(source: str, named: bool) -> set[str]:
    """The names of the pattern's groups, or raise."""
    names: set[str] = set()
    references: list[str] = []
    groups: list[str] = []  # open groups: "group", "lookahead" (quantifiable in Annex B) or "lookbehind"
    quantifiable, at, size = False, 0, len(source)
    while at < size:
        char = source[at]
        if char == "|":
            quantifiable, at = False, at + 1
        elif char == "(":
            if source.startswith(("(?:", "(?=", "(?!"), at):
                groups.append("group" if source[at + 2] == ":" else "lookahead")
                at += 3
            elif source.startswith(("(?<=", "(?<!"), at):
                groups.append("lookbehind")
                at += 4
            elif source.startswith("(?<", at):
                found = _GROUP_NAME.match(source, at + 2)
                if not found:
                    raise JsRegExpError("invalid capture group name")
                name = _group_name(found.group(1))
                if name in names:
                    raise JsRegExpError("duplicate capture group name")
                names.add(name)
                groups.append("group")
                at = found.end()
            elif source.startswith("(?", at):
                raise JsRegExpError("invalid group")
            else:
                groups.append("group")
                at += 1
            quantifiable = False
        elif char == ")":
            if not groups:
                raise JsRegExpError("unmatched ')'")
            quantifiable, at = groups.pop() != "lookbehind", at + 1
        elif char in "*+?" or (char == "{" and _QUANTIFIER.match(source, at)):
            if not quantifiable:
                raise JsRegExpError("nothing to repeat")
            if char == "{":
                bounds = _QUANTIFIER.match(source, at)
                if bounds.group(3) and int(bounds.group(3)) < int(bounds.group(1)):
                    raise JsRegExpError("numbers out of order in {} quantifier")
                at = bounds.end()
            else:
                at += 1
            at += 1 if source.startswith("?", at) else 0
            quantifiable = False
        elif char in "^$":
            quantifiable, at = False, at + 1
        elif char == "[":
            quantifiable, at = True, _character_class(source, at, named)
        elif char == "\\":
            if at + 1 >= size:
                raise JsRegExpError("\\ at end of pattern")
            escape = source[at + 1]
            quantifiable = escape not in "bB"
            if escape == "k" and named:
                found = _GROUP_NAME.match(source, at + 2)
                if not found:
                    raise JsRegExpError("invalid named reference")
                references.append(_group_name(found.group(1)))
                at = found.end()
            elif escape == "c":
                letter = source[at + 2 : at + 3]
                at += 3 if letter.isascii() and letter.isalpha() else 1  # without a letter: a backslash, then c
            else:
                at += 2
        else:
            quantifiable, at = True, at + 1
    if groups:
        raise JsRegExpError("unterminated group")
    if any(name not in names for name in references):
        raise JsRegExpError("invalid named capture referenced")
    return names
